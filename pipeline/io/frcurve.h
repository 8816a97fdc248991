/* frcurve: to be written. */
#ifndef ES_IO_FRCURVE_H
#define ES_IO_FRCURVE_H
#endif
