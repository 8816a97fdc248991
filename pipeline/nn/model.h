/* model: to be written. */
#ifndef ES_NN_MODEL_H
#define ES_NN_MODEL_H
#endif
