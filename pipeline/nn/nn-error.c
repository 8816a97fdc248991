/* Error domain of nn/. */
#include "nn/nn-error.h"

G_DEFINE_QUARK (es-nn-error-quark, es_nn_error)
