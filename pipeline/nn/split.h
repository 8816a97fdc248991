/* split: to be written. */
#ifndef ES_NN_SPLIT_H
#define ES_NN_SPLIT_H
#endif
