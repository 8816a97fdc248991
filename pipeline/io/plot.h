/* plot: to be written. */
#ifndef ES_IO_PLOT_H
#define ES_IO_PLOT_H
#endif
