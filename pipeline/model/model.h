/* EsModel: a network (EsNet) plus everything needed to use it, stored as one
 * safetensors file whose __metadata__ (all values strings) holds:
 *
 *   format          "earshot-model"
 *   format_version  "1"
 *   name            short name, e.g. "iem-signature-1d"
 *   task            {"classifies": "one line: what it tells apart",
 *                    "tag": "genre" | "none", "background": "LABEL"}: the tag a
 *                   classifier sends with its decisions besides earshot-label
 *                   (files written before hold the line alone: tag "none");
 *                   "background" (optional) names the label that means
 *                   "nothing here", which never starts a live event
 *   architecture    the JSON array given to es_net_new()
 *   input           {"kind": "features"|"image", "shape": [C, L] | [C, H, W] | [N],
 *                    "media": "application/x-earshot-features, bands=128, ..."}
 *   labels          JSON array of strings, one per network output
 *   frontend        JSON object: the typed front-end description the model
 *                   was trained with (model/frontend-desc.h), e.g.
 *                   {"source":"measurement","points":128,...} or
 *                   {"source":"audio","rate":16000,"preemphasis":0.97,...}
 *   launch          optional: a gst-launch line the model's author wrote
 *                   (launch/ derives one from input + frontend when absent)
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

#include "../dsp/gammatone.h"
#include "frontend-desc.h"
#include "model-error.h"
#include "../nn/net.h"
#include "../nn/safetensors.h"

G_BEGIN_DECLS

#define ES_MODEL_FORMAT "earshot-model"
#define ES_MODEL_FORMAT_VERSION "1"

typedef enum {
  ES_MODEL_INPUT_FEATURES,   /* feature vectors: [N] or [C, L] */
  ES_MODEL_INPUT_IMAGE,      /* video frames: [C, H, W] */
} EsModelInputKind;

/* The tag a classifier sends with each new decision, besides earshot-label. */
typedef enum {
  ES_MODEL_TAG_NONE,
  ES_MODEL_TAG_GENRE,        /* GST_TAG_GENRE: the label is a music genre */
} EsModelTag;

typedef struct _EsModel EsModel;

/* A new model with freshly built (zero) weights: the architecture is built for
 * the input shape, and the labels must match its outputs. `labels` is a
 * NULL-terminated array. Set the rest with the setters, train the net
 * (es_model_get_net), then es_model_save. */
EsModel *es_model_new (const char *name, const char *architecture_json,
    EsModelInputKind kind, int in_ndim, const size_t * in_shape,
    const char *const *labels, GError ** error);
void es_model_free (EsModel * model);

/* What the model classifies (one line) and the tag its decisions go out as. */
void es_model_set_task (EsModel * model, const char *task);
void es_model_set_tag (EsModel * model, EsModelTag tag);
/* The label that means "nothing here" (NULL: none); FALSE with
 * ES_MODEL_ERROR_METADATA when it is not one of the model's labels. */
gboolean es_model_set_background_label (EsModel * model, const char *label,
    GError ** error);
/* Caps-like description of the input; derived from kind and shape if unset. */
void es_model_set_input_media (EsModel * model, const char *media);
/* The front-end the model was trained with: validated
 * (es_frontend_desc_validate) and fitted to the model (an image size or a
 * point count left 0 is taken from the input shape; one that differs, or a
 * learned front-end whose layers are not the architecture's first, is an
 * error), then copied. FALSE with ES_MODEL_ERROR_FRONTEND. */
gboolean es_model_set_frontend_desc (EsModel * model, const EsFrontendDesc * desc,
    GError ** error);
/* The same from the JSON text of a description. */
gboolean es_model_set_frontend (EsModel * model, const char *frontend_json, GError ** error);
/* JSON; FALSE with ES_MODEL_ERROR_METADATA if it is not. */
gboolean es_model_set_training (EsModel * model, const char *training_json, GError ** error);
/* An explicit launch line written by the model's author (NULL: none). */
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
 * models/ (only while the library runs uninstalled from its build directory),
 * then the installed models directory. A name
 * with a directory separator is not searched for. */
char *es_model_find (const char *name);
/* The directories es_model_find searches, in order (newly allocated). */
char **es_model_get_search_path (void);

const char *es_model_get_name (const EsModel * model);
const char *es_model_get_task (const EsModel * model);          /* "" if unset */
EsModelTag es_model_get_tag (const EsModel * model);
/* The background label (NULL: none) and its index (-1: none). */
const char *es_model_get_background_label (const EsModel * model);
int es_model_get_background_index (const EsModel * model);
const char *es_model_tag_name (EsModelTag tag);                 /* "none", "genre" */
const char *es_model_get_architecture (const EsModel * model);
EsNet *es_model_get_net (const EsModel * model);                /* owned by the model */
const char *const *es_model_get_labels (const EsModel * model); /* NULL-terminated */
int es_model_get_label_index (const EsModel * model, const char *label); /* -1: none */
size_t es_model_get_n_labels (const EsModel * model);
EsModelInputKind es_model_get_input_kind (const EsModel * model);
const char *es_model_input_kind_name (EsModelInputKind kind);  /* "features", "image" */
int es_model_get_input_shape (const EsModel * model, size_t * shape); /* returns ndim (<= 3) */
const char *es_model_get_input_media (const EsModel * model);
/* The front-end description (owned by the model; geometry filled in). */
const EsFrontendDesc *es_model_get_frontend_desc (const EsModel * model);
/* ... as the JSON text written to the file (es_frontend_desc_to_json). */
const char *es_model_get_frontend (const EsModel * model);
/* The bands an audio model's gammatone filterbank uses (newly allocated,
 * desc->bands of them): with a learned front-end those of its "gammatone"
 * layer (layer 0: "0.weight" [3, bands] holds the raw offsets of
 * dsp/gammatone-params.h from the mel bands of the description, bounded by
 * es_gammatone_limits_init (fmin, rate)); else the description's mel bands.
 * NULL with ES_MODEL_ERROR_FRONTEND for a model whose source is not audio. */
EsGammatoneBand *es_model_get_frontend_bands (const EsModel * model, GError ** error);
/* The learned PCEN values ([4, bands], the raw layout of dsp/compress.h) of a
 * "pcen" layer among the front-end layers, owned by the model; NULL when
 * there is none (a static PCEN uses the defaults). */
const float *es_model_get_frontend_pcen (const EsModel * model);
const char *es_model_get_training (const EsModel * model);      /* JSON or NULL */
/* The author's launch line, or NULL (launch/ derives one: earshot model info). */
const char *es_model_get_launch (const EsModel * model);
/* Where it was loaded from, or NULL. */
const char *es_model_get_path (const EsModel * model);

G_END_DECLS

#endif
