/* Error domain of training: data sets, splits, recipes and the training loop. */
#ifndef ES_TRAIN_TRAIN_ERROR_H
#define ES_TRAIN_TRAIN_ERROR_H

#include <glib.h>

G_BEGIN_DECLS

#define ES_TRAIN_ERROR (es_train_error_quark ())
GQuark es_train_error_quark (void);

typedef enum {
  ES_TRAIN_ERROR_DATA,      /* a data set is missing, malformed or unusable */
  ES_TRAIN_ERROR_SPLIT,     /* the data cannot be split as asked (too few groups...) */
  ES_TRAIN_ERROR_RECIPE,    /* a recipe file is malformed: unknown key, bad value */
  ES_TRAIN_ERROR_MODEL,     /* the network cannot be built or trained as described */
  ES_TRAIN_ERROR_DIVERGED,  /* the loss became NaN or infinite */
} EsTrainError;

G_END_DECLS

#endif
