/* safetensors: to be written. */
#ifndef ES_NN_SAFETENSORS_H
#define ES_NN_SAFETENSORS_H
#endif
