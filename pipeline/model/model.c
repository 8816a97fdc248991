/* EsModel: network + metadata in one safetensors file; see model.h and
 * docs/model.md. */
#include "config.h"

#include "model/model.h"

#include <math.h>
#include <string.h>
#include <json-glib/json-glib.h>

#include "dsp/compress.h"
#include "dsp/gammatone-params.h"
#include "io/search-path.h"
#include "io/text.h"

struct _EsModel {
  EsNet *net;
  char *name;
  char *task;
  EsModelTag tag;
  int background;               /* label index, -1: none */
  char *architecture;
  EsModelInputKind kind;
  int in_ndim;
  size_t in_shape[3];
  char *media;                  /* explicit, or NULL: derived */
  char *derived_media;
  char **labels;
  size_t n_labels;
  EsFrontendDesc frontend;
  char *frontend_json;          /* its text, as written */
  char *training;
  char *launch;                 /* the author's, or NULL */
  char *path;
};

/* ---- construction ------------------------------------------------------ */

void
es_model_free (EsModel * model)
{
  if (!model)
    return;
  if (model->net)
    es_net_free (model->net);
  g_free (model->name);
  g_free (model->task);
  g_free (model->architecture);
  g_free (model->media);
  g_free (model->derived_media);
  g_strfreev (model->labels);
  es_frontend_desc_clear (&model->frontend);
  g_free (model->frontend_json);
  g_free (model->training);
  g_free (model->launch);
  g_free (model->path);
  g_free (model);
}

static char *
shape_string (int ndim, const size_t * shape)
{
  GString *s = g_string_new ("[");
  for (int i = 0; i < ndim; i++)
    g_string_append_printf (s, "%s%zu", i ? ", " : "", shape[i]);
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

static EsModel *model_new_limited (const char *name, const char *architecture_json,
    EsModelInputKind kind, int in_ndim, const size_t * in_shape,
    const char *const *labels, size_t max_params, GError ** error);

EsModel *
es_model_new (const char *name, const char *architecture_json, EsModelInputKind kind,
    int in_ndim, const size_t * in_shape, const char *const *labels, GError ** error)
{
  return model_new_limited (name, architecture_json, kind, in_ndim, in_shape, labels,
      G_MAXSIZE, error);
}

/* max_params: the most trainable parameters the architecture may have (a
 * loaded file can only hold so many), checked before the net allocates. */
static EsModel *
model_new_limited (const char *name, const char *architecture_json,
    EsModelInputKind kind, int in_ndim, const size_t * in_shape,
    const char *const *labels, size_t max_params, GError ** error)
{
  EsModel *model;
  GError *net_error = NULL;
  size_t n_outputs;
  size_t padded_shape[ES_TENSOR_MAX_DIMS] = { 0 };

  g_return_val_if_fail (architecture_json != NULL && labels != NULL, NULL);
  if (!name || !*name || strchr (name, '\n') || strchr (name, '/')) {
    g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_METADATA,
        "model name '%s' must be a non-empty single word without '/'", name ? name : "");
    return NULL;
  }
  if (in_ndim < 1 || in_ndim > 3 || (kind == ES_MODEL_INPUT_IMAGE && in_ndim != 3)
      || (kind != ES_MODEL_INPUT_IMAGE && kind != ES_MODEL_INPUT_FEATURES)
      || (kind == ES_MODEL_INPUT_FEATURES && in_ndim == 3)) {
    g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_METADATA,
        "input of kind '%s' cannot have %d dimensions (features: [N] or [C, L]; "
        "image: [C, H, W])", es_model_input_kind_name (kind), in_ndim);
    return NULL;
  }
  for (int i = 0; i < in_ndim; i++)
    if (in_shape[i] == 0 || in_shape[i] > (1u << 24)) {
      g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_METADATA,
          "input shape entry %d (%zu) is out of range", i, in_shape[i]);
      return NULL;
    }

  memcpy (padded_shape, in_shape, sizeof (size_t) * in_ndim);
  model = g_new0 (EsModel, 1);
  model->net = es_net_new_limited (architecture_json, in_ndim, padded_shape,
      max_params, &net_error);
  if (!model->net) {
    char *shape = shape_string (in_ndim, in_shape);
    g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_ARCHITECTURE,
        "architecture does not fit input %s: %s", shape,
        net_error ? net_error->message : "rejected");
    g_free (shape);
    g_clear_error (&net_error);
    es_model_free (model);
    return NULL;
  }
  model->name = g_strdup (name);
  model->task = g_strdup ("");
  model->background = -1;
  model->architecture = g_strdup (architecture_json);
  model->kind = kind;
  model->in_ndim = in_ndim;
  memcpy (model->in_shape, in_shape, sizeof (size_t) * in_ndim);
  model->labels = g_strdupv ((char **) labels);
  model->n_labels = g_strv_length (model->labels);
  es_frontend_desc_init (&model->frontend, ES_FRONTEND_SOURCE_NONE);
  model->frontend_json = es_frontend_desc_to_json (&model->frontend);

  n_outputs = es_net_get_output_size (model->net);
  if (model->n_labels != n_outputs) {
    g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_LABELS,
        "model has %zu labels but its network has %zu outputs", model->n_labels, n_outputs);
    es_model_free (model);
    return NULL;
  }
  return model;
}

void
es_model_set_task (EsModel * model, const char *task)
{
  g_free (model->task);
  model->task = g_strdup (task ? task : "");
}

void
es_model_set_tag (EsModel * model, EsModelTag tag)
{
  model->tag = tag;
}

const char *
es_model_tag_name (EsModelTag tag)
{
  return tag == ES_MODEL_TAG_GENRE ? "genre" : "none";
}

void
es_model_set_input_media (EsModel * model, const char *media)
{
  g_free (model->media);
  model->media = g_strdup (media);
}

static gboolean
is_json (const char *text)
{
  JsonParser *parser = json_parser_new ();
  gboolean ok = text && json_parser_load_from_data (parser, text, -1, NULL)
      && json_parser_get_root (parser) != NULL;
  g_object_unref (parser);
  return ok;
}

/* The types of the layers of an architecture (already accepted by es_net_new). */
static char **
layer_types (const char *architecture_json)
{
  JsonParser *parser = json_parser_new ();
  GPtrArray *types = g_ptr_array_new ();
  if (json_parser_load_from_data (parser, architecture_json, -1, NULL)
      && JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser))) {
    JsonArray *a = json_node_get_array (json_parser_get_root (parser));
    for (guint i = 0; i < json_array_get_length (a); i++) {
      JsonNode *n = json_array_get_element (a, i);
      g_ptr_array_add (types, g_strdup (JSON_NODE_HOLDS_OBJECT (n) ?
              json_object_get_string_member_with_default (json_node_get_object (n), "type",
                  "") : ""));
    }
  }
  g_ptr_array_add (types, NULL);
  g_object_unref (parser);
  return (char **) g_ptr_array_free (types, FALSE);
}

/* Fill the geometry a description leaves to the model and check the rest
 * against the input: what the front-end makes is what the network takes. */
static gboolean
fit_frontend (const EsModel * model, EsFrontendDesc * d, GError ** error)
{
  size_t numel = 1;
  gboolean image = model->kind == ES_MODEL_INPUT_IMAGE;
  size_t h = image ? model->in_shape[1] : 0, w = image ? model->in_shape[2] : 0;
  char *shape = shape_string (model->in_ndim, model->in_shape);
  gboolean ok = FALSE;

  for (int i = 0; i < model->in_ndim; i++)
    numel *= model->in_shape[i];
  switch (d->source) {
    case ES_FRONTEND_SOURCE_NONE:
      ok = TRUE;
      break;
    case ES_FRONTEND_SOURCE_MEASUREMENT:
      if (d->image == ES_FRONTEND_IMAGE_GRAPH) {
        if (!image) {
          g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_FRONTEND, "front-end draws "
              "graph images but the model takes features %s", shape);
          break;
        }
        goto image_size;
      }
      if (image || (model->in_ndim == 2 && model->in_shape[0] != 1)) {
        g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_FRONTEND, "front-end makes one "
            "vector of points but the model takes %s input %s",
            es_model_input_kind_name (model->kind), shape);
        break;
      }
      if (d->points == 0)
        d->points = (unsigned) numel;
      if (d->points != numel) {
        g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_FRONTEND, "front-end points %u "
            "differ from the model's input %s", d->points, shape);
        break;
      }
      ok = TRUE;
      break;
    case ES_FRONTEND_SOURCE_IMAGE:
      if (!image) {
        g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_FRONTEND, "front-end source is "
            "an image but the model takes features %s", shape);
        break;
      }
    image_size:
      if (d->width == 0 && d->height == 0) {
        d->width = (unsigned) w;
        d->height = (unsigned) h;
      }
      if (d->width != w || d->height != h) {
        g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_FRONTEND, "front-end image size "
            "%u x %u differs from the model's input %s", d->width, d->height, shape);
        break;
      }
      ok = TRUE;
      break;
    case ES_FRONTEND_SOURCE_TABLE:
      if (d->features == 0)
        d->features = (unsigned) numel;
      if (d->features != numel) {
        g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_FRONTEND, "front-end features %u "
            "differ from the model's input %s", d->features, shape);
        break;
      }
      ok = TRUE;
      break;
    case ES_FRONTEND_SOURCE_AUDIO:
      if (d->frontend_layers == 0) {
        /* values per frame x frames per decision; the frames taken from the
         * input when the description does not say */
        size_t per_frame = es_frontend_desc_n_features (d);
        if (d->window_frames == 0 && numel % per_frame == 0)
          d->window_frames = (unsigned) (numel / per_frame);
        if (d->window_frames == 0) {
          g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_FRONTEND, "front-end makes %zu "
              "values per frame, but the model's input %s holds %zu, not a whole number "
              "of frames", per_frame, shape, numel);
          break;
        }
        if ((size_t) per_frame * d->window_frames != numel) {
          g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_FRONTEND, "front-end makes %zu "
              "values per frame x %u frames, but the model's input %s holds %zu",
              per_frame, d->window_frames, shape, numel);
          break;
        }
        if (d->window_hop > d->window_frames) {
          g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_FRONTEND, "front-end window_hop "
              "%u is larger than the model's %u frames per decision", d->window_hop,
              d->window_frames);
          break;
        }
        ok = TRUE;
      } else {
        /* the learned front-end: its layers lead the network, a gammatone
         * filterbank first, then what the filterbank element can compute */
        char **types = layer_types (model->architecture);
        guint n = g_strv_length (types);
        ok = TRUE;
        if (d->frontend_layers > n || strcmp (types[0], "gammatone") != 0) {
          g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_FRONTEND, "front-end layers %u: "
              "the network's first %u layers must be the front-end, starting with a "
              "\"gammatone\" layer (the network has %u layers, the first \"%s\")",
              d->frontend_layers, d->frontend_layers, n, n ? types[0] : "");
          ok = FALSE;
        }
        for (guint i = 1; ok && i < d->frontend_layers; i++)
          if (strcmp (types[i], "log") && strcmp (types[i], "pcen") && strcmp (types[i], "dct")) {
            g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_FRONTEND, "front-end layers %u: "
                "layer %u is \"%s\"; a front-end holds gammatone, log, pcen and dct layers",
                d->frontend_layers, i, types[i]);
            ok = FALSE;
          }
        g_strfreev (types);
      }
      break;
  }
  g_free (shape);
  return ok;
}

gboolean
es_model_set_frontend_desc (EsModel * model, const EsFrontendDesc * desc, GError ** error)
{
  EsFrontendDesc fitted;

  if (!es_frontend_desc_validate (desc, error))
    return FALSE;
  es_frontend_desc_copy (&fitted, desc);
  if (!fit_frontend (model, &fitted, error)) {
    es_frontend_desc_clear (&fitted);
    return FALSE;
  }
  es_frontend_desc_clear (&model->frontend);
  model->frontend = fitted;
  g_free (model->frontend_json);
  model->frontend_json = es_frontend_desc_to_json (&model->frontend);
  return TRUE;
}

gboolean
es_model_set_frontend (EsModel * model, const char *frontend_json, GError ** error)
{
  EsFrontendDesc desc;
  gboolean ok;

  if (!es_frontend_desc_from_json (frontend_json, &desc, error))
    return FALSE;
  ok = es_model_set_frontend_desc (model, &desc, error);
  es_frontend_desc_clear (&desc);
  return ok;
}

gboolean
es_model_set_training (EsModel * model, const char *training_json, GError ** error)
{
  if (training_json && !is_json (training_json)) {
    g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_METADATA,
        "training summary is not JSON: %s", training_json);
    return FALSE;
  }
  g_free (model->training);
  model->training = g_strdup (training_json);
  return TRUE;
}

void
es_model_set_launch (EsModel * model, const char *launch)
{
  g_free (model->launch);
  model->launch = g_strdup (launch);
}

/* ---- search path ------------------------------------------------------- */

char **
es_model_get_search_path (void)
{
  return es_search_path_new ("ES_MODEL_PATH", ES_MODELS_SOURCE_DIR, ES_MODELS_INSTALL_DIR);
}

char *
es_model_find (const char *name)
{
  char **dirs;
  char *file, *found = NULL;

  if (!name || !*name || strchr (name, G_DIR_SEPARATOR) || strchr (name, '/'))
    return NULL;
  file = g_str_has_suffix (name, ".safetensors") ? g_strdup (name)
      : g_strconcat (name, ".safetensors", NULL);
  dirs = es_model_get_search_path ();
  for (char **d = dirs; *d && !found; d++) {
    char *candidate = g_build_filename (*d, file, NULL);
    if (g_file_test (candidate, G_FILE_TEST_IS_REGULAR))
      found = candidate;
    else
      g_free (candidate);
  }
  g_strfreev (dirs);
  g_free (file);
  return found;
}

/* ---- loading ----------------------------------------------------------- */

static const char *
require_key (const EsSafetensors * st, const char *key, GError ** error)
{
  const char *value = es_safetensors_get_metadata (st, key);
  if (!value)
    g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_METADATA,
        "metadata key '%s' is missing", key);
  return value;
}

/* Parse `text` as JSON into a new parser; NULL with METADATA on failure. */
static JsonParser *
parse_json_key (const char *key, const char *text, GError ** error)
{
  JsonParser *parser = json_parser_new ();
  GError *json_error = NULL;
  if (!json_parser_load_from_data (parser, text, -1, &json_error)
      || !json_parser_get_root (parser)) {
    g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_METADATA,
        "metadata '%s' is not valid JSON: %s", key,
        json_error ? json_error->message : "empty");
    g_clear_error (&json_error);
    g_object_unref (parser);
    return NULL;
  }
  return parser;
}

static gboolean
parse_input (const char *text, EsModelInputKind * kind, int *ndim, size_t * shape,
    char **media, GError ** error)
{
  JsonParser *parser = parse_json_key ("input", text, error);
  JsonObject *object;
  JsonNode *kind_node, *shape_node, *media_node;
  JsonArray *dims;
  const char *kind_name;
  gboolean ok = FALSE;

  if (!parser)
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))) {
    g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_METADATA,
        "metadata 'input' is not a JSON object");
    goto out;
  }
  object = json_node_get_object (json_parser_get_root (parser));
  kind_node = json_object_get_member (object, "kind");
  shape_node = json_object_get_member (object, "shape");
  media_node = json_object_get_member (object, "media");
  kind_name = kind_node && JSON_NODE_HOLDS_VALUE (kind_node)
      && json_node_get_value_type (kind_node) == G_TYPE_STRING
      ? json_node_get_string (kind_node) : NULL;
  if (g_strcmp0 (kind_name, "features") == 0)
    *kind = ES_MODEL_INPUT_FEATURES;
  else if (g_strcmp0 (kind_name, "image") == 0)
    *kind = ES_MODEL_INPUT_IMAGE;
  else {
    g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_METADATA,
        "metadata 'input': \"kind\" must be \"features\" or \"image\"");
    goto out;
  }
  if (!shape_node || !JSON_NODE_HOLDS_ARRAY (shape_node)
      || (dims = json_node_get_array (shape_node), json_array_get_length (dims) < 1)
      || json_array_get_length (dims) > 3) {
    g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_METADATA,
        "metadata 'input': \"shape\" must be an array of 1 to 3 sizes");
    goto out;
  }
  *ndim = (int) json_array_get_length (dims);
  for (int i = 0; i < *ndim; i++) {
    JsonNode *d = json_array_get_element (dims, i);
    gint64 v;
    if (!JSON_NODE_HOLDS_VALUE (d) || json_node_get_value_type (d) != G_TYPE_INT64
        || (v = json_node_get_int (d)) < 1 || v > (1 << 24)) {
      g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_METADATA,
          "metadata 'input': shape entry %d is not a positive integer", i);
      goto out;
    }
    shape[i] = (size_t) v;
  }
  if (media_node) {
    if (!JSON_NODE_HOLDS_VALUE (media_node)
        || json_node_get_value_type (media_node) != G_TYPE_STRING) {
      g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_METADATA,
          "metadata 'input': \"media\" is not a string");
      goto out;
    }
    *media = g_strdup (json_node_get_string (media_node));
  }
  ok = TRUE;
out:
  g_object_unref (parser);
  return ok;
}

static char **
parse_labels (const char *text, GError ** error)
{
  JsonParser *parser = parse_json_key ("labels", text, error);
  JsonArray *array;
  GPtrArray *labels;

  if (!parser)
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser))) {
    g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_METADATA,
        "metadata 'labels' is not a JSON array of strings");
    g_object_unref (parser);
    return NULL;
  }
  array = json_node_get_array (json_parser_get_root (parser));
  labels = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < json_array_get_length (array); i++) {
    JsonNode *n = json_array_get_element (array, i);
    if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING) {
      g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_METADATA,
          "metadata 'labels': entry %u is not a string", i);
      g_ptr_array_unref (labels);
      g_object_unref (parser);
      return NULL;
    }
    g_ptr_array_add (labels, g_strdup (json_node_get_string (n)));
  }
  g_ptr_array_set_free_func (labels, NULL);
  g_ptr_array_add (labels, NULL);
  g_object_unref (parser);
  return (char **) g_ptr_array_free (labels, FALSE);
}

/* PyTorch's state_dict counts batch-norm steps in "<i>.num_batches_tracked";
 * we do not use it, but tolerate it next to that layer's running mean. */
static gboolean
is_tolerated_extra (EsNet * net, const char *name)
{
  char *prefix, *running_mean;
  gboolean tolerated;

  if (!g_str_has_suffix (name, ".num_batches_tracked"))
    return FALSE;
  prefix = g_strndup (name, strlen (name) - strlen (".num_batches_tracked"));
  running_mean = g_strconcat (prefix, ".running_mean", NULL);
  tolerated = es_net_find_param (net, running_mean) != NULL;
  g_free (prefix);
  g_free (running_mean);
  return tolerated;
}

static gboolean
load_tensors (EsModel * model, const EsSafetensors * st, GError ** error)
{
  size_t n_params;
  EsNetParam *params = es_net_get_params (model->net, &n_params);

  for (size_t i = 0; i < n_params; i++) {
    EsTensor *value = params[i].value;
    GError *read_error = NULL;
    if (!es_safetensors_read_f32 (st, params[i].name, value->ndim, value->shape, value->data,
            &read_error)) {
      int code = read_error->code == ES_SAFETENSORS_ERROR_NOT_FOUND ?
          ES_MODEL_ERROR_MISSING_TENSOR :
          read_error->code == ES_SAFETENSORS_ERROR_SHAPE_MISMATCH ?
          ES_MODEL_ERROR_SHAPE_MISMATCH : ES_MODEL_ERROR_DTYPE;
      g_set_error_literal (error, ES_MODEL_ERROR, code, read_error->message);
      g_error_free (read_error);
      return FALSE;
    }
    /* NaN/Inf weights would give plausible-looking answers: refuse them */
    for (size_t j = 0; j < es_tensor_numel (value); j++)
      if (!isfinite (value->data[j])) {
        g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_NON_FINITE,
            "tensor '%s' holds a non-finite value (%g) at element %zu of %zu",
            params[i].name, (double) value->data[j], j, es_tensor_numel (value));
        return FALSE;
      }
  }
  for (size_t i = 0; i < es_safetensors_get_n_tensors (st); i++) {
    const EsSafetensorsTensor *t = es_safetensors_get_tensor (st, i);
    if (!es_net_find_param (model->net, t->name) && !is_tolerated_extra (model->net, t->name)) {
      g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_UNEXPECTED_TENSOR,
          "tensor '%s' is not a parameter of the architecture", t->name);
      return FALSE;
    }
  }
  return TRUE;
}

/* "task": {"classifies": TEXT, "tag": "none"|"genre"}, or (written before
 * the tag existed) the text alone. */
static gboolean
parse_task (const char *text, char **classifies, EsModelTag * tag, char **background,
    GError ** error)
{
  JsonParser *parser;
  JsonObject *o;
  GList *members;
  gboolean ok = TRUE;

  *tag = ES_MODEL_TAG_NONE;
  *background = NULL;
  if (text[0] != '{') {
    *classifies = g_strdup (text);
    return TRUE;
  }
  if (!(parser = parse_json_key ("task", text, error)))
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))) {
    g_object_unref (parser);
    *classifies = g_strdup (text);
    return TRUE;
  }
  o = json_node_get_object (json_parser_get_root (parser));
  members = json_object_get_members (o);
  *classifies = NULL;
  for (GList * l = members; l && ok; l = l->next) {
    JsonNode *n = json_object_get_member (o, l->data);
    const char *value = JSON_NODE_HOLDS_VALUE (n)
        && json_node_get_value_type (n) == G_TYPE_STRING ? json_node_get_string (n) : NULL;
    if (!strcmp (l->data, "classifies") && value) {
      g_free (*classifies);
      *classifies = g_strdup (value);
    } else if (!strcmp (l->data, "tag") && value && (!strcmp (value, "none")
            || !strcmp (value, "genre"))) {
      *tag = !strcmp (value, "genre") ? ES_MODEL_TAG_GENRE : ES_MODEL_TAG_NONE;
    } else if (!strcmp (l->data, "background") && value) {
      g_free (*background);
      *background = g_strdup (value);
    } else {
      g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_METADATA, "metadata 'task': "
          "\"%s\" is not known or not a string (keys: \"classifies\", a string; "
          "\"tag\", \"none\" or \"genre\"; \"background\", a label)",
          (const char *) l->data);
      ok = FALSE;
    }
  }
  g_list_free (members);
  g_object_unref (parser);
  if (!ok) {
    g_clear_pointer (classifies, g_free);
    g_clear_pointer (background, g_free);
  } else if (!*classifies)
    *classifies = g_strdup ("");
  return ok;
}

EsModel *
es_model_new_from_safetensors (const EsSafetensors * st, GError ** error)
{
  const char *format, *version, *name, *architecture, *input, *labels_text, *frontend;
  const char *training, *task;
  EsModelInputKind kind;
  int ndim = 0;
  size_t shape[3];
  char *media = NULL;
  char **labels = NULL;
  EsModel *model = NULL;

  format = es_safetensors_get_metadata (st, "format");
  if (g_strcmp0 (format, ES_MODEL_FORMAT) != 0) {
    g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_NOT_A_MODEL,
        "not an earshot model: metadata 'format' is %s%s%s, not \"" ES_MODEL_FORMAT "\"",
        format ? "\"" : "", format ? format : "missing", format ? "\"" : "");
    return NULL;
  }
  if (!(version = require_key (st, "format_version", error)))
    return NULL;
  if (strcmp (version, ES_MODEL_FORMAT_VERSION) != 0) {
    g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_VERSION,
        "model format version \"%s\" is not supported (this build reads version "
        ES_MODEL_FORMAT_VERSION ")", version);
    return NULL;
  }
  if (!(name = require_key (st, "name", error))
      || !(task = require_key (st, "task", error))
      || !(architecture = require_key (st, "architecture", error))
      || !(input = require_key (st, "input", error))
      || !(labels_text = require_key (st, "labels", error))
      || !(frontend = require_key (st, "frontend", error)))
    return NULL;
  if (!parse_input (input, &kind, &ndim, shape, &media, error))
    return NULL;
  if (!(labels = parse_labels (labels_text, error)))
    goto out;

  {
    /* Every parameter is stored in the file, at 2 bytes at least (F16/BF16). */
    size_t data_bytes = 0;
    for (size_t i = 0; i < es_safetensors_get_n_tensors (st); i++)
      data_bytes += es_safetensors_get_tensor (st, i)->nbytes;
    model = model_new_limited (name, architecture, kind, ndim, shape,
        (const char *const *) labels, data_bytes / 2, error);
  }
  if (!model)
    goto out;
  {
    char *classifies, *background;
    EsModelTag tag;
    gboolean ok;
    if (!parse_task (task, &classifies, &tag, &background, error))
      goto fail;
    es_model_set_task (model, classifies);
    es_model_set_tag (model, tag);
    g_free (classifies);
    ok = es_model_set_background_label (model, background, error);
    g_free (background);
    if (!ok) {
      g_prefix_error (error, "metadata 'task': ");
      goto fail;
    }
  }
  es_model_set_input_media (model, media);
  es_model_set_launch (model, es_safetensors_get_metadata (st, "launch"));
  training = es_safetensors_get_metadata (st, "training");
  if (training && !es_model_set_training (model, training, error))
    goto fail;
  if (!load_tensors (model, st, error))
    goto fail;
  if (!es_model_set_frontend (model, frontend, error)) {
    g_prefix_error (error, "metadata 'frontend': ");
    goto fail;
  }
  goto out;

fail:
  es_model_free (model);
  model = NULL;
out:
  g_free (media);
  g_strfreev (labels);
  return model;
}

EsModel *
es_model_load_bytes (GBytes * bytes, GError ** error)
{
  EsSafetensors *st = es_safetensors_load_bytes (bytes, error);
  EsModel *model;
  if (!st)
    return NULL;
  model = es_model_new_from_safetensors (st, error);
  es_safetensors_free (st);
  return model;
}

EsModel *
es_model_load (const char *path_or_name, GError ** error)
{
  char *path = NULL;
  EsSafetensors *st;
  EsModel *model;

  g_return_val_if_fail (path_or_name != NULL, NULL);
  /* A path (with a '/') or an existing file is loaded as is; anything else
   * is a name on the search path. */
  if (strchr (path_or_name, '/') || strchr (path_or_name, G_DIR_SEPARATOR)
      ? g_file_test (path_or_name, G_FILE_TEST_EXISTS)
      : g_file_test (path_or_name, G_FILE_TEST_IS_REGULAR))
    path = g_strdup (path_or_name);
  else if (!(path = es_model_find (path_or_name))) {
    char **dirs = es_model_get_search_path ();
    char *list = g_strjoinv (", ", dirs);
    if (strchr (path_or_name, '/') || strchr (path_or_name, G_DIR_SEPARATOR))
      g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_NOT_FOUND,
          "%s: no such model file", path_or_name);
    else
      g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_NOT_FOUND,
          "no model file or model named '%s' (searched %s)", path_or_name, list);
    g_free (list);
    g_strfreev (dirs);
    return NULL;
  }

  st = es_safetensors_load (path, error);
  if (!st) {
    g_free (path);
    return NULL;
  }
  model = es_model_new_from_safetensors (st, error);
  es_safetensors_free (st);
  if (!model)
    g_prefix_error (error, "%s: ", path);
  else
    model->path = g_steal_pointer (&path);
  g_free (path);
  return model;
}

/* ---- saving ------------------------------------------------------------ */

static char *
input_json (const EsModel * model)
{
  JsonBuilder *b = json_builder_new ();
  JsonGenerator *g = json_generator_new ();
  JsonNode *root;
  char *text;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, es_model_input_kind_name (model->kind));
  json_builder_set_member_name (b, "shape");
  json_builder_begin_array (b);
  for (int i = 0; i < model->in_ndim; i++)
    json_builder_add_int_value (b, (gint64) model->in_shape[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "media");
  json_builder_add_string_value (b, es_model_get_input_media (model));
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (g, root);
  text = es_text_json_repair_numbers (json_generator_to_data (g, NULL));
  json_node_unref (root);
  g_object_unref (g);
  g_object_unref (b);
  return text;
}

static char *
labels_json (const EsModel * model)
{
  JsonArray *array = json_array_new ();
  JsonNode *root = json_node_new (JSON_NODE_ARRAY);
  char *text;
  for (size_t i = 0; i < model->n_labels; i++)
    json_array_add_string_element (array, model->labels[i]);
  json_node_take_array (root, array);
  text = json_to_string (root, FALSE);
  json_node_unref (root);
  return text;
}

static char *
task_json (const EsModel * model)
{
  JsonBuilder *b = json_builder_new ();
  JsonNode *root;
  char *text;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "classifies");
  json_builder_add_string_value (b, model->task);
  json_builder_set_member_name (b, "tag");
  json_builder_add_string_value (b, es_model_tag_name (model->tag));
  if (model->background >= 0) {
    json_builder_set_member_name (b, "background");
    json_builder_add_string_value (b, es_model_get_labels (model)[model->background]);
  }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = json_to_string (root, FALSE);
  json_node_unref (root);
  g_object_unref (b);
  return text;
}

gboolean
es_model_save (const EsModel * model, const char *path, GError ** error)
{
  EsSafetensorsWriter *w = es_safetensors_writer_new ();
  size_t n_params;
  EsNetParam *params = es_net_get_params (model->net, &n_params);
  char *text;
  gboolean ok = TRUE;

  es_safetensors_writer_set_metadata (w, "format", ES_MODEL_FORMAT);
  es_safetensors_writer_set_metadata (w, "format_version", ES_MODEL_FORMAT_VERSION);
  es_safetensors_writer_set_metadata (w, "name", model->name);
  text = task_json (model);
  es_safetensors_writer_set_metadata (w, "task", text);
  g_free (text);
  es_safetensors_writer_set_metadata (w, "architecture", model->architecture);
  text = input_json (model);
  es_safetensors_writer_set_metadata (w, "input", text);
  g_free (text);
  text = labels_json (model);
  es_safetensors_writer_set_metadata (w, "labels", text);
  g_free (text);
  es_safetensors_writer_set_metadata (w, "frontend", model->frontend_json);
  if (model->launch)
    es_safetensors_writer_set_metadata (w, "launch", model->launch);
  if (model->training)
    es_safetensors_writer_set_metadata (w, "training", model->training);

  for (size_t i = 0; i < n_params && ok; i++)
    ok = es_safetensors_writer_add_f32 (w, params[i].name, params[i].value->ndim,
        params[i].value->shape, params[i].value->data, error);
  if (ok)
    ok = es_safetensors_writer_save (w, path, error);
  es_safetensors_writer_free (w);
  return ok;
}

/* ---- getters ----------------------------------------------------------- */

const char *
es_model_get_name (const EsModel * model)
{
  return model->name;
}

const char *
es_model_get_task (const EsModel * model)
{
  return model->task;
}

const char *
es_model_get_architecture (const EsModel * model)
{
  return model->architecture;
}

EsNet *
es_model_get_net (const EsModel * model)
{
  return model->net;
}

const char *const *
es_model_get_labels (const EsModel * model)
{
  return (const char *const *) model->labels;
}

size_t
es_model_get_n_labels (const EsModel * model)
{
  return model->n_labels;
}

EsModelInputKind
es_model_get_input_kind (const EsModel * model)
{
  return model->kind;
}

const char *
es_model_input_kind_name (EsModelInputKind kind)
{
  return kind == ES_MODEL_INPUT_IMAGE ? "image" : "features";
}

int
es_model_get_input_shape (const EsModel * model, size_t * shape)
{
  memcpy (shape, model->in_shape, sizeof (size_t) * model->in_ndim);
  return model->in_ndim;
}

const char *
es_model_get_input_media (const EsModel * model)
{
  EsModel *m = (EsModel *) model;      /* the derived text is a cache */
  if (model->media)
    return model->media;
  if (!m->derived_media) {
    if (model->kind == ES_MODEL_INPUT_IMAGE)
      m->derived_media = g_strdup_printf ("video/x-raw, format=%s, width=%zu, height=%zu",
          model->in_shape[0] == 3 ? "RGB" : "GRAY8", model->in_shape[2], model->in_shape[1]);
    else
      m->derived_media = g_strdup_printf ("application/x-earshot-features, bands=%zu",
          model->in_shape[model->in_ndim - 1]);
  }
  return m->derived_media;
}

const EsFrontendDesc *
es_model_get_frontend_desc (const EsModel * model)
{
  return &model->frontend;
}

const char *
es_model_get_frontend (const EsModel * model)
{
  return model->frontend_json;
}

/* The raw values of front-end layer `type` ("<i>.weight" with rows x bands
 * values), or NULL. */
static const float *
frontend_layer_weight (const EsModel * model, const char *type, size_t rows)
{
  const EsFrontendDesc *d = &model->frontend;
  char **types;
  const float *found = NULL;

  if (d->source != ES_FRONTEND_SOURCE_AUDIO || d->frontend_layers == 0)
    return NULL;
  types = layer_types (model->architecture);
  for (guint i = 0; i < d->frontend_layers && types[i] && !found; i++)
    if (!strcmp (types[i], type)) {
      char *name = g_strdup_printf ("%u.weight", i);
      EsNetParam *p = es_net_find_param (model->net, name);
      if (p && es_tensor_numel (p->value) == rows * d->bands)
        found = p->value->data;
      g_free (name);
    }
  g_strfreev (types);
  return found;
}

EsGammatoneBand *
es_model_get_frontend_bands (const EsModel * model, GError ** error)
{
  const EsFrontendDesc *d = &model->frontend;
  EsGammatoneBand *mel, *bands;
  EsGammatoneParams *params;
  EsGammatoneLimits limits;
  const float *raw;

  if (d->source != ES_FRONTEND_SOURCE_AUDIO) {
    g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_FRONTEND, "model '%s' has no audio "
        "front-end (its source is %s)", model->name, es_frontend_source_name (d->source));
    return NULL;
  }
  mel = es_gammatone_bands_mel (d->bands, d->fmin, d->fmax, d->bandwidth);
  if (d->frontend_layers == 0)
    return mel;
  if (!(raw = frontend_layer_weight (model, "gammatone", ES_GAMMATONE_N_RAW_PER_BAND))) {
    g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_FRONTEND, "model '%s': its learned "
        "front-end has no gammatone weights of %u x %u values", model->name,
        ES_GAMMATONE_N_RAW_PER_BAND, d->bands);
    g_free (mel);
    return NULL;
  }
  /* the very bank the layer trained: its start and bounds from the description */
  es_gammatone_limits_init (&limits, d->fmin, d->rate);
  params = es_gammatone_params_new (mel, d->bands, d->frame_size, d->rate, &limits, error);
  g_free (mel);
  if (!params)
    return NULL;
  bands = g_new (EsGammatoneBand, d->bands);
  es_gammatone_params_bands (params, raw, bands);
  es_gammatone_params_free (params);
  return bands;
}

const float *
es_model_get_frontend_pcen (const EsModel * model)
{
  return frontend_layer_weight (model, "pcen", ES_PCEN_N_RAW_PER_BAND);
}

EsModelTag
es_model_get_tag (const EsModel * model)
{
  return model->tag;
}

int
es_model_get_label_index (const EsModel * model, const char *label)
{
  const char *const *labels = es_model_get_labels (model);

  for (int i = 0; labels[i]; i++)
    if (!strcmp (labels[i], label))
      return i;
  return -1;
}

gboolean
es_model_set_background_label (EsModel * model, const char *label, GError ** error)
{
  int index = label ? es_model_get_label_index (model, label) : -1;

  if (!label || index >= 0) {
    model->background = index;
    return TRUE;
  }
  g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_METADATA,
      "background label \"%s\" is not one of the model's labels", label);
  return FALSE;
}

const char *
es_model_get_background_label (const EsModel * model)
{
  return model->background >= 0 ? es_model_get_labels (model)[model->background] : NULL;
}

int
es_model_get_background_index (const EsModel * model)
{
  return model->background;
}

const char *
es_model_get_training (const EsModel * model)
{
  return model->training;
}

const char *
es_model_get_path (const EsModel * model)
{
  return model->path;
}

const char *
es_model_get_launch (const EsModel * model)
{
  return model->launch;
}
