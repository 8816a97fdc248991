/* Error domain of training. */
#include "train/train-error.h"

G_DEFINE_QUARK (es-train-error-quark, es_train_error)
