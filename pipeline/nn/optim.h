/* optim: to be written. */
#ifndef ES_NN_OPTIM_H
#define ES_NN_OPTIM_H
#endif
