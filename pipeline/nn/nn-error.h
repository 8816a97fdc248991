/* Error domain of the network engine (nn/): architectures, shapes, parameters,
 * BLAS. Model files fail in ES_SAFETENSORS_ERROR (nn/safetensors-error.h) and
 * ES_MODEL_ERROR (model/model-error.h). */
#ifndef ES_NN_NN_ERROR_H
#define ES_NN_NN_ERROR_H

#include <glib.h>

G_BEGIN_DECLS

#define ES_NN_ERROR (es_nn_error_quark ())
GQuark es_nn_error_quark (void);

typedef enum {
  ES_NN_ERROR_ARCHITECTURE,  /* the description is malformed or inconsistent */
  ES_NN_ERROR_SHAPE,         /* an input or a tensor has the wrong shape */
  ES_NN_ERROR_FILE,          /* a model file could not be read or written */
  ES_NN_ERROR_FORMAT,        /* a model file is malformed */
  ES_NN_ERROR_DATA,          /* training data is unusable */
  ES_NN_ERROR_BLAS,          /* the BLAS library cannot be loaded (nn/blas.h) */
} EsNnError;

G_END_DECLS

#endif
