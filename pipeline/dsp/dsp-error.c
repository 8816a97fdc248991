/* Error domain of the dsp/ stages. */
#include "dsp/dsp-error.h"

G_DEFINE_QUARK (es-dsp-error-quark, es_dsp_error)
