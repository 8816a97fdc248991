/* Error domain of model/. */
#include "model/model-error.h"

G_DEFINE_QUARK (es-model-error-quark, es_model_error)
