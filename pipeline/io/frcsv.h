/* frcsv: to be written. */
#ifndef ES_IO_FRCSV_H
#define ES_IO_FRCSV_H
#endif
