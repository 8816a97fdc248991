/* layers: to be written. */
#ifndef ES_NN_LAYERS_H
#define ES_NN_LAYERS_H
#endif
