/* The error domain of model files (model/model.h) and their front-end
 * descriptions (model/frontend-desc.h). File-level failures come in
 * ES_SAFETENSORS_ERROR (nn/safetensors-error.h). */
#ifndef ES_MODEL_MODEL_ERROR_H
#define ES_MODEL_MODEL_ERROR_H

#include <glib.h>

G_BEGIN_DECLS

#define ES_MODEL_ERROR (es_model_error_quark ())
GQuark es_model_error_quark (void);

typedef enum {
  ES_MODEL_ERROR_NOT_FOUND,          /* no such file, nor a model of that name on the search path */
  ES_MODEL_ERROR_NOT_A_MODEL,        /* a safetensors file, but "format" is not "earshot-model" */
  ES_MODEL_ERROR_VERSION,            /* format_version this build does not read */
  ES_MODEL_ERROR_METADATA,           /* a required key missing or malformed */
  ES_MODEL_ERROR_ARCHITECTURE,       /* the architecture is rejected for the declared input */
  ES_MODEL_ERROR_LABELS,             /* label count differs from the network's outputs */
  ES_MODEL_ERROR_MISSING_TENSOR,     /* a parameter of the architecture is not in the file */
  ES_MODEL_ERROR_SHAPE_MISMATCH,     /* a tensor has another shape than the architecture's */
  ES_MODEL_ERROR_UNEXPECTED_TENSOR,  /* a tensor the architecture has no place for */
  ES_MODEL_ERROR_DTYPE,              /* a parameter stored as a non-float type */
  ES_MODEL_ERROR_NON_FINITE,         /* a parameter holds NaN or Inf */
  ES_MODEL_ERROR_FRONTEND,           /* the front-end description is malformed, out of range
                                      * or does not fit the model's input */
} EsModelError;

G_END_DECLS

#endif
