/* train: to be written. */
#ifndef ES_NN_TRAIN_H
#define ES_NN_TRAIN_H
#endif
