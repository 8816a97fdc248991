/* Error domain of eq/. */
#include "eq/eq-error.h"

G_DEFINE_QUARK (es-eq-error-quark, es_eq_error)
