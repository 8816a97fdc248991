/* EsModel: a network (EsNet) plus everything needed to use it, stored as one
 * safetensors file whose __metadata__ (all values strings) holds:
 *
 *   format          "earshot-model"
 *   format_version  "1"
 *   name            short name, e.g. "iem-signature-1d"
 *   task            one line saying what it does
 *   architecture    the JSON array given to es_net_new()
 *   input           {"kind": "features"|"image", "shape": [C, L] | [C, H, W] | [N],
 *                    "media": "application/x-earshot-features, bands=128, ..."}
 *   labels          JSON array of strings, one per network output
 *   frontend        JSON object: the source / front-end settings the model was
 *                   trained with, e.g. {"source":"frsrc","points":128,...} or
 *                   {"rate":16000,"preemphasis":0.97,"frame_size":400,...}
 *   launch          optional: the gst-launch line the model needs (derived
 *                   from input + frontend when absent)
 *   training        optional JSON: a summary of training and its metrics
 *
 * Loading validates the metadata, builds the net from the architecture and
 * checks every tensor against it: each parameter present with its exact shape,
 * nothing unexpected (PyTorch's "<i>.num_batches_tracked" is tolerated for
 * batch-norm layers). See docs/model.md. */
#ifndef ES_MODEL_MODEL_H
#define ES_MODEL_MODEL_H

#include <stddef.h>
#include <glib.h>

#include "nn/net.h"
#include "nn/safetensors.h"

G_BEGIN_DECLS

#define ES_MODEL_ERROR (es_model_error_quark ())
GQuark es_model_error_quark (void);

/* Model-level failures; file-level ones come in ES_SAFETENSORS_ERROR. */
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
} EsModelError;

#define ES_MODEL_FORMAT "earshot-model"
#define ES_MODEL_FORMAT_VERSION "1"

typedef enum {
  ES_MODEL_INPUT_FEATURES,   /* feature vectors: [N] or [C, L] */
  ES_MODEL_INPUT_IMAGE,      /* video frames: [C, H, W] */
} EsModelInputKind;

typedef struct _EsModel EsModel;

/* A new model with freshly built (zero) weights: the architecture is built for
 * the input shape, and the labels must match its outputs. `labels` is a
 * NULL-terminated array. Set the rest with the setters, train the net
 * (es_model_get_net), then es_model_save. */
EsModel *es_model_new (const char *name, const char *architecture_json,
    EsModelInputKind kind, int in_ndim, const size_t * in_shape,
    const char *const *labels, GError ** error);
void es_model_free (EsModel * model);

void es_model_set_task (EsModel * model, const char *task);
/* Caps-like description of the input; derived from kind and shape if unset. */
void es_model_set_input_media (EsModel * model, const char *media);
/* JSON objects; FALSE with ES_MODEL_ERROR_METADATA if not a JSON object. */
gboolean es_model_set_frontend (EsModel * model, const char *frontend_json, GError ** error);
gboolean es_model_set_training (EsModel * model, const char *training_json, GError ** error);
/* An explicit launch line (NULL: derive it). */
void es_model_set_launch (EsModel * model, const char *launch);

/* Load by path, or by name through the search path (es_model_find). */
EsModel *es_model_load (const char *path_or_name, GError ** error);
EsModel *es_model_load_bytes (GBytes * bytes, GError ** error);
EsModel *es_model_new_from_safetensors (const EsSafetensors * st, GError ** error);
/* Atomic: a temporary file beside `path`, then rename. */
gboolean es_model_save (const EsModel * model, const char *path, GError ** error);

/* Path of the model called `name` ("iem-signature-1d" or
 * "iem-signature-1d.safetensors"), newly allocated, or NULL. Searched in order:
 * every directory of $ES_MODEL_PATH (colon-separated), the source tree's
 * models/ (uninstalled use), then the installed models directory. A name
 * with a directory separator is not searched for. */
char *es_model_find (const char *name);
/* The directories es_model_find searches, in order (newly allocated). */
char **es_model_get_search_path (void);

const char *es_model_get_name (const EsModel * model);
const char *es_model_get_task (const EsModel * model);          /* "" if unset */
const char *es_model_get_architecture (const EsModel * model);
EsNet *es_model_get_net (const EsModel * model);                /* owned by the model */
const char *const *es_model_get_labels (const EsModel * model); /* NULL-terminated */
size_t es_model_get_n_labels (const EsModel * model);
EsModelInputKind es_model_get_input_kind (const EsModel * model);
const char *es_model_input_kind_name (EsModelInputKind kind);  /* "features", "image" */
int es_model_get_input_shape (const EsModel * model, size_t * shape); /* returns ndim (<= 3) */
const char *es_model_get_input_media (const EsModel * model);
const char *es_model_get_frontend (const EsModel * model);      /* JSON object text */
const char *es_model_get_training (const EsModel * model);      /* JSON or NULL */
/* The explicit launch line, or one derived from the input and front-end
 * settings; "MODEL" stands for the model name and "FILE" for the input. */
const char *es_model_get_launch (const EsModel * model);
gboolean es_model_launch_is_derived (const EsModel * model);
/* Where it was loaded from, or NULL. */
const char *es_model_get_path (const EsModel * model);

G_END_DECLS

#endif
