/* metrics: to be written. */
#ifndef ES_NN_METRICS_H
#define ES_NN_METRICS_H
#endif
