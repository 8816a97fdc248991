/* Error domain of nn/safetensors. */
#include "nn/safetensors-error.h"

G_DEFINE_QUARK (es-safetensors-error-quark, es_safetensors_error)
