/* EsModel: network + metadata in one safetensors file; see model.h and
 * docs/model.md. */
#include "config.h"

#include "model/model.h"

#include <math.h>
#include <string.h>
#include <json-glib/json-glib.h>

G_DEFINE_QUARK (es-model-error-quark, es_model_error);

struct _EsModel {
  EsNet *net;
  char *name;
  char *task;
  char *architecture;
  EsModelInputKind kind;
  int in_ndim;
  size_t in_shape[3];
  char *media;                  /* explicit, or NULL: derived */
  char *derived_media;
  char **labels;
  size_t n_labels;
  char *frontend;
  char *training;
  char *launch;                 /* explicit, or NULL: derived */
  char *derived_launch;
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
  g_free (model->frontend);
  g_free (model->training);
  g_free (model->launch);
  g_free (model->derived_launch);
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
  model->architecture = g_strdup (architecture_json);
  model->kind = kind;
  model->in_ndim = in_ndim;
  memcpy (model->in_shape, in_shape, sizeof (size_t) * in_ndim);
  model->labels = g_strdupv ((char **) labels);
  model->n_labels = g_strv_length (model->labels);
  model->frontend = g_strdup ("{}");

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
es_model_set_input_media (EsModel * model, const char *media)
{
  g_free (model->media);
  model->media = g_strdup (media);
}

static gboolean
is_json_object (const char *text)
{
  JsonParser *parser = json_parser_new ();
  gboolean ok = text && json_parser_load_from_data (parser, text, -1, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser));
  g_object_unref (parser);
  return ok;
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

gboolean
es_model_set_frontend (EsModel * model, const char *frontend_json, GError ** error)
{
  if (!is_json_object (frontend_json)) {
    g_set_error (error, ES_MODEL_ERROR, ES_MODEL_ERROR_METADATA,
        "front-end settings are not a JSON object: %s", frontend_json ? frontend_json : "");
    return FALSE;
  }
  g_free (model->frontend);
  model->frontend = g_strdup (frontend_json);
  g_clear_pointer (&model->derived_launch, g_free);
  return TRUE;
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
  GPtrArray *dirs = g_ptr_array_new ();
  const char *env = g_getenv ("ES_MODEL_PATH");

  if (env) {
    char **parts = g_strsplit (env, G_SEARCHPATH_SEPARATOR_S, -1);
    for (char **p = parts; *p; p++)
      if (**p)
        g_ptr_array_add (dirs, g_strdup (*p));
    g_strfreev (parts);
  }
  g_ptr_array_add (dirs, g_strdup (ES_MODELS_BUILD_DIR));
  g_ptr_array_add (dirs, g_strdup (ES_MODELS_INSTALL_DIR));
  g_ptr_array_add (dirs, NULL);
  return (char **) g_ptr_array_free (dirs, FALSE);
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
  es_model_set_task (model, task);
  es_model_set_input_media (model, media);
  es_model_set_launch (model, es_safetensors_get_metadata (st, "launch"));
  if (!es_model_set_frontend (model, frontend, error)) {
    g_prefix_error (error, "metadata 'frontend': ");
    goto fail;
  }
  training = es_safetensors_get_metadata (st, "training");
  if (training && !es_model_set_training (model, training, error))
    goto fail;
  if (!load_tensors (model, st, error))
    goto fail;
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
  text = json_generator_to_data (g, NULL);
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
  es_safetensors_writer_set_metadata (w, "task", model->task);
  es_safetensors_writer_set_metadata (w, "architecture", model->architecture);
  text = input_json (model);
  es_safetensors_writer_set_metadata (w, "input", text);
  g_free (text);
  text = labels_json (model);
  es_safetensors_writer_set_metadata (w, "labels", text);
  g_free (text);
  es_safetensors_writer_set_metadata (w, "frontend", model->frontend);
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

const char *
es_model_get_frontend (const EsModel * model)
{
  return model->frontend;
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

gboolean
es_model_launch_is_derived (const EsModel * model)
{
  return model->launch == NULL;
}

/* " key=value" for a front-end setting, if present. */
static void
append_property (GString * s, JsonObject * fe, const char *key, const char *property)
{
  JsonNode *n = json_object_get_member (fe, key);
  GType type;
  if (!n || !JSON_NODE_HOLDS_VALUE (n))
    return;
  type = json_node_get_value_type (n);
  if (type == G_TYPE_INT64)
    g_string_append_printf (s, " %s=%" G_GINT64_FORMAT, property, json_node_get_int (n));
  else if (type == G_TYPE_DOUBLE) {
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    g_string_append_printf (s, " %s=%s", property,
        g_ascii_formatd (buf, sizeof buf, "%g", json_node_get_double (n)));
  } else if (type == G_TYPE_STRING)
    g_string_append_printf (s, " %s=%s", property, json_node_get_string (n));
  else if (type == G_TYPE_BOOLEAN)
    g_string_append_printf (s, " %s=%s", property, json_node_get_boolean (n) ? "true" : "false");
}

static gint64
get_int (JsonObject * fe, const char *key, gint64 fallback)
{
  JsonNode *n = json_object_get_member (fe, key);
  if (n && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_INT64)
    return json_node_get_int (n);
  return fallback;
}

/* The chain of elements DESIGN.md describes, filled from the front-end
 * settings: FR measurement -> frsrc; audio -> pre-emphasis, framing,
 * gammatone filterbank (and the spectrogram imager for image models);
 * image files -> pngdec. "FILE" stands for the input. */
static char *
derive_launch (const EsModel * model)
{
  JsonParser *parser = json_parser_new ();
  JsonObject *fe = NULL;
  GString *s = g_string_new ("gst-launch-1.0 ");
  const char *source = NULL;
  size_t w = model->in_shape[model->in_ndim - 1];
  size_t h = model->in_ndim == 3 ? model->in_shape[1] : 0;

  if (json_parser_load_from_data (parser, model->frontend, -1, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    fe = json_node_get_object (json_parser_get_root (parser));
  else
    fe = NULL;
  if (fe && json_object_has_member (fe, "source")) {
    JsonNode *n = json_object_get_member (fe, "source");
    if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
      source = json_node_get_string (n);
  }

  if (fe && g_strcmp0 (source, "frsrc") == 0) {
    g_string_append (s, "frsrc location=FILE.csv");
    append_property (s, fe, "points", "points");
    append_property (s, fe, "fmin", "fmin");
    append_property (s, fe, "fmax", "fmax");
    if (model->kind == ES_MODEL_INPUT_IMAGE)
      g_string_append_printf (s, " ! spectrogramimager mode=graph width=%zu height=%zu", w, h);
  } else if (fe && json_object_has_member (fe, "rate")) {
    g_string_append_printf (s, "filesrc location=FILE ! decodebin ! audioconvert ! "
        "audioresample ! audio/x-raw,format=F32LE,channels=1,rate=%" G_GINT64_FORMAT,
        get_int (fe, "rate", 16000));
    if (json_object_has_member (fe, "preemphasis")) {
      g_string_append (s, " ! preemphasis");
      append_property (s, fe, "preemphasis", "coefficient");
    }
    g_string_append (s, " ! hammingframe");
    append_property (s, fe, "frame_size", "frame-size");
    append_property (s, fe, "hop_size", "hop-size");
    append_property (s, fe, "window", "window");
    g_string_append (s, " ! gammatonefb");
    append_property (s, fe, "bands", "bands");
    append_property (s, fe, "fmin", "fmin");
    append_property (s, fe, "fmax", "fmax");
    if (get_int (fe, "dct", 0) > 0)
      append_property (s, fe, "dct", "dct");
    if (model->kind == ES_MODEL_INPUT_IMAGE) {
      g_string_append_printf (s, " ! spectrogramimager width=%zu", w);
      append_property (s, fe, "image_hop", "hop");
    }
  } else if (model->kind == ES_MODEL_INPUT_IMAGE) {
    g_string_append_printf (s, "filesrc location=FILE.png ! pngdec ! videoconvert ! "
        "videoscale ! video/x-raw,format=%s,width=%zu,height=%zu",
        model->in_shape[0] == 3 ? "RGB" : "GRAY8", w, h);
  } else {
    /* No known source: the features come from the application. */
    g_string_append_printf (s, "appsrc caps=\"%s\"", es_model_get_input_media (model));
  }
  g_string_append_printf (s, " ! cnnclassify model=%s ! fakesink", model->name);
  g_object_unref (parser);
  return g_string_free (s, FALSE);
}

const char *
es_model_get_launch (const EsModel * model)
{
  EsModel *m = (EsModel *) model;      /* the derived line is a cache */
  if (model->launch)
    return model->launch;
  if (!m->derived_launch)
    m->derived_launch = derive_launch (model);
  return m->derived_launch;
}
