/* Error domain of decide/. */
#include "decide/decide-error.h"

G_DEFINE_QUARK (es-decide-error-quark, es_decide_error)
