/* See io-error.h. */
#include "io/io-error.h"

G_DEFINE_QUARK (es-io-error-quark, es_io_error)
