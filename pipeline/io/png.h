/* png: to be written. */
#ifndef ES_IO_PNG_H
#define ES_IO_PNG_H
#endif
