/* Training recipes (GKeyFile). The data kinds and their keys come from the
 * registry (train/datakind.h): nothing here knows a task. */
#include "train/recipe.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <json-glib/json-glib.h>

#include "io/input.h"

/* Every group and key a recipe may have: anything else is a typo to report,
 * not to ignore (a misspelt "learning_rat" would silently train with the
 * default otherwise). [data] also takes its kind's keys, [augment] only its
 * kind's. */
static const char *const data_keys[] = { "kind", "path", "label", "group", "filter",
  "max_rows", "labels", NULL
};
static const char *const model_keys[] = { "name", "architecture", "input_shape", NULL };
static const char *const train_keys[] = { "optimizer", "learning_rate", "weight_decay",
  "betas", "momentum", "batch_size", "max_epochs", "class_weights", "plateau_factor",
  "plateau_patience", "min_lr", "early_stop_patience", "label_smoothing", "ema_decay", "seed",
  "threads", NULL
};
static const char *const split_keys[] = { "method", "validation", "test", "folds", NULL };
static const char *const output_keys[] = { "dir", NULL };

static const struct {
  const char *group;
  const char *const *keys;
} recipe_groups[] = {
  {"data", data_keys}, {"model", model_keys}, {"train", train_keys},
  {"split", split_keys}, {"output", output_keys}, {"augment", NULL},
};

/* Built-in networks; "%d" is the number of classes. */
static const struct {
  const char *name;
  const char *json;
} builtins[] = {
  {"iem-1d",
      "[{\"type\":\"conv1d\",\"out_channels\":32,\"kernel\":3,\"padding\":1},"
      "{\"type\":\"batchnorm\"},{\"type\":\"relu\"},{\"type\":\"dropout\",\"p\":0.2},"
      "{\"type\":\"conv1d\",\"out_channels\":32,\"kernel\":3,\"padding\":1},"
      "{\"type\":\"batchnorm\"},{\"type\":\"relu\"},{\"type\":\"maxpool1d\",\"kernel\":2},"
      "{\"type\":\"conv1d\",\"out_channels\":64,\"kernel\":3,\"padding\":1},"
      "{\"type\":\"batchnorm\"},{\"type\":\"relu\"},{\"type\":\"dropout\",\"p\":0.15},"
      "{\"type\":\"conv1d\",\"out_channels\":64,\"kernel\":3,\"padding\":1},"
      "{\"type\":\"batchnorm\"},{\"type\":\"relu\"},{\"type\":\"maxpool1d\",\"kernel\":2},"
      "{\"type\":\"flatten\"},{\"type\":\"dense\",\"out_features\":128},{\"type\":\"relu\"},"
      "{\"type\":\"dropout\",\"p\":0.3},{\"type\":\"dense\",\"out_features\":%d}]"},
  {"iem-2d",
      "[{\"type\":\"conv2d\",\"out_channels\":16,\"kernel\":3,\"padding\":1},"
      "{\"type\":\"batchnorm\"},{\"type\":\"relu\"},{\"type\":\"maxpool2d\",\"kernel\":2},"
      "{\"type\":\"conv2d\",\"out_channels\":32,\"kernel\":3,\"padding\":1},"
      "{\"type\":\"batchnorm\"},{\"type\":\"relu\"},{\"type\":\"maxpool2d\",\"kernel\":2},"
      "{\"type\":\"conv2d\",\"out_channels\":64,\"kernel\":3,\"padding\":1},"
      "{\"type\":\"batchnorm\"},{\"type\":\"relu\"},{\"type\":\"maxpool2d\",\"kernel\":2},"
      "{\"type\":\"conv2d\",\"out_channels\":128,\"kernel\":3,\"padding\":1},"
      "{\"type\":\"batchnorm\"},{\"type\":\"relu\"},{\"type\":\"maxpool2d\",\"kernel\":2},"
      "{\"type\":\"dropout\",\"p\":0.3},{\"type\":\"flatten\"},"
      "{\"type\":\"dense\",\"out_features\":128},{\"type\":\"relu\"},"
      "{\"type\":\"dropout\",\"p\":0.3},{\"type\":\"dense\",\"out_features\":%d}]"},
  {"audio-1d",
      "[{\"type\":\"conv1d\",\"out_channels\":128,\"kernel\":5},{\"type\":\"relu\"},"
      "{\"type\":\"batchnorm\"},{\"type\":\"maxpool1d\",\"kernel\":2},"
      "{\"type\":\"dropout\",\"p\":0.4},"
      "{\"type\":\"conv1d\",\"out_channels\":256,\"kernel\":3},{\"type\":\"relu\"},"
      "{\"type\":\"batchnorm\"},{\"type\":\"maxpool1d\",\"kernel\":2},"
      "{\"type\":\"dropout\",\"p\":0.5},{\"type\":\"flatten\"},"
      "{\"type\":\"dense\",\"out_features\":256},{\"type\":\"relu\"},"
      "{\"type\":\"dropout\",\"p\":0.6},{\"type\":\"dense\",\"out_features\":%d}]"},
  {"mlp",
      "[{\"type\":\"dense\",\"out_features\":64},{\"type\":\"relu\"},"
      "{\"type\":\"dense\",\"out_features\":%d}]"},
};

char *
es_builtin_architecture (const char *name, int n_classes)
{
  for (gsize i = 0; i < G_N_ELEMENTS (builtins); i++)
    if (g_strcmp0 (name, builtins[i].name) == 0) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
      return g_strdup_printf (builtins[i].json, n_classes);
#pragma GCC diagnostic pop
    }
  return NULL;
}

const char *const *
es_builtin_architecture_names (void)
{
  static const char *names[G_N_ELEMENTS (builtins) + 1];
  for (gsize i = 0; i < G_N_ELEMENTS (builtins); i++)
    names[i] = builtins[i].name;
  return names;
}

void
es_recipe_free (EsRecipe *r)
{
  if (!r)
    return;
  g_free (r->path);
  g_free (r->text);
  g_free (r->data_path);
  g_free (r->data_path_as_written);
  g_free (r->label_column);
  g_free (r->group_columns);
  g_free (r->filter_column);
  g_free (r->filter_values);
  g_strfreev (r->labels);
  g_free (r->name);
  g_free (r->architecture);
  g_free (r->architecture_json);
  g_free (r->output_dir);
  if (r->data_kind && r->data_kind->free_settings && r->data_settings)
    r->data_kind->free_settings (r->data_settings);
  g_free (r);
}

/* ---- value readers: each names file, group and key in its error ---- */

struct _EsRecipeReader {
  GKeyFile *kf;
  const char *path;
  const char *dir;
  GError **error;
  gboolean failed;
};
typedef EsRecipeReader Reader;

G_GNUC_PRINTF (4, 5) static void
fail (Reader *rd, const char *group, const char *key, const char *fmt, ...)
{
  va_list ap;
  char *msg;
  if (rd->failed)
    return;
  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (rd->error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_RECIPE, "%s: [%s] %s: %s",
      rd->path, group, key, msg);
  g_free (msg);
  rd->failed = TRUE;
}

static char *
get_string (Reader *rd, const char *group, const char *key, const char *fallback,
    gboolean required)
{
  GError *err = NULL;
  char *v;
  if (rd->failed)
    return NULL;
  if (!g_key_file_has_key (rd->kf, group, key, NULL)) {
    if (required)
      fail (rd, group, key, "missing (required)");
    return g_strdup (fallback);
  }
  /* GLib 2.74 sets its GError twice (a warning on stderr) for a value that
   * ends in an escape character after another bad escape: refuse it first */
  v = g_key_file_get_value (rd->kf, group, key, NULL);
  if (v && g_str_has_suffix (v, "\\")) {
    gsize n = 0;
    for (const char *p = v + strlen (v); p > v && p[-1] == '\\'; p--)
      n++;
    if (n % 2 == 1) {
      fail (rd, group, key, "ends with an escape character (\\)");
      g_free (v);
      return NULL;
    }
  }
  g_free (v);
  v = g_key_file_get_string (rd->kf, group, key, &err);
  if (v == NULL) {
    /* GKeyFile's message would quote the raw bytes */
    fail (rd, group, key, "not a valid string (bytes that are not UTF-8, or a bad "
        "escape sequence)");
    g_error_free (err);
    return NULL;
  }
  g_strstrip (v);
  if (*v == '\0') {
    fail (rd, group, key, "empty value");
    g_free (v);
    return NULL;
  }
  return v;
}

static double
get_double (Reader *rd, const char *group, const char *key, double fallback,
    double min, double max)
{
  char *s = get_string (rd, group, key, NULL, FALSE), *end;
  double v;
  if (!s)
    return fallback;
  v = g_ascii_strtod (s, &end);
  if (end == s || *end != '\0' || !isfinite (v))
    fail (rd, group, key, "'%s' is not a number", s);
  else if (v < min || v > max)
    fail (rd, group, key, "%g is outside [%g, %g]", v, min, max);
  g_free (s);
  return rd->failed ? fallback : v;
}

static gint64
get_int (Reader *rd, const char *group, const char *key, gint64 fallback,
    gint64 min, gint64 max)
{
  char *s = get_string (rd, group, key, NULL, FALSE);
  gint64 v = fallback;
  GError *err = NULL;
  if (!s)
    return fallback;
  if (!g_ascii_string_to_signed (s, 10, min, max, &v, &err)) {
    fail (rd, group, key, "%s", err->message);
    g_error_free (err);
    v = fallback;
  }
  g_free (s);
  return v;
}

static int
get_choice (Reader *rd, const char *group, const char *key, const char *const *choices,
    int fallback)
{
  char *s = get_string (rd, group, key, NULL, FALSE);
  int v = -1;
  if (!s)
    return fallback;
  for (int i = 0; choices[i]; i++)
    if (g_ascii_strcasecmp (s, choices[i]) == 0)
      v = i;
  if (v < 0) {
    char *list = g_strjoinv (", ", (char **) choices);
    fail (rd, group, key, "'%s' is not one of %s", s, list);
    g_free (list);
  }
  g_free (s);
  return v < 0 ? fallback : v;
}

static char *
resolve_path (Reader *rd, const char *p)
{
  if (!p || g_path_is_absolute (p))
    return g_strdup (p);
  return g_build_filename (rd->dir, p, NULL);
}

/* The kinds (besides `except`) that take `key` in `group`, as "a or b", or NULL. */
static char *
kinds_with_key (const char *group, const char *key, const EsDataKind *except)
{
  const char **names = es_data_kind_names ();
  GString *list = g_string_new (NULL);
  GPtrArray *found = g_ptr_array_new ();

  for (const char **n = names; *n; n++) {
    const EsDataKind *k = es_data_kind_lookup (*n);
    const char *const *keys = !strcmp (group, "data") ? k->data_keys : k->augment_keys;
    if (k == except || !keys || (key && !g_strv_contains (keys, key)))
      continue;
    g_ptr_array_add (found, (gpointer) *n);
  }
  for (guint i = 0; i < found->len; i++)
    g_string_append_printf (list, "%s%s", i == 0 ? "" : i + 1 == found->len ? " or " : ", ",
        (const char *) found->pdata[i]);
  g_ptr_array_free (found, TRUE);
  g_free (names);
  return g_string_free (list, list->len == 0);
}

static gboolean
check_keys (Reader *rd, const EsDataKind *kind)
{
  gsize n_groups;
  char **groups = g_key_file_get_groups (rd->kf, &n_groups);
  for (gsize g = 0; g < n_groups && !rd->failed; g++) {
    const char *const *allowed = NULL;
    gboolean known = FALSE;
    char **keys;
    for (gsize i = 0; i < G_N_ELEMENTS (recipe_groups); i++)
      if (strcmp (groups[g], recipe_groups[i].group) == 0) {
        allowed = recipe_groups[i].keys;
        known = TRUE;
      }
    if (!known) {
      g_set_error (rd->error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_RECIPE,
          "%s: unknown group [%s] (known: data, model, train, split, augment, output)", rd->path,
          groups[g]);
      rd->failed = TRUE;
      break;
    }
    keys = g_key_file_get_keys (rd->kf, groups[g], NULL, NULL);
    if (!strcmp (groups[g], "augment") && kind && !kind->augment_keys) {
      /* the kinds that take this key, else every kind with augmentation */
      char *kinds = keys[0] ? kinds_with_key ("augment", keys[0], NULL) : NULL;
      if (!kinds)
        kinds = kinds_with_key ("augment", NULL, NULL);
      fail (rd, "augment", keys[0] ? keys[0] : "", "augmentation applies to kind = %s only",
          kinds ? kinds : "(none registered)");
      g_free (kinds);
    }
    for (char **k = keys; *k && !rd->failed; k++) {
      gboolean data = !strcmp (groups[g], "data"), augment = !strcmp (groups[g], "augment");
      char *elsewhere;
      if ((allowed && g_strv_contains (allowed, *k))
          || (data && kind && kind->data_keys && g_strv_contains (kind->data_keys, *k))
          || (augment && kind && kind->augment_keys && g_strv_contains (kind->augment_keys, *k)))
        continue;
      /* a key of another kind is not a typo: say whose it is */
      elsewhere = (data || augment) ? kinds_with_key (groups[g], *k, kind) : NULL;
      if (elsewhere && kind)
        fail (rd, groups[g], *k, "applies to kind = %s only", elsewhere);
      else if (!elsewhere)
        fail (rd, groups[g], *k, "unknown key");
      g_free (elsewhere);
    }
    g_strfreev (keys);
  }
  g_strfreev (groups);
  return !rd->failed;
}

/* [data] kind, looked up in the registry. */
static const EsDataKind *
read_kind (Reader *rd)
{
  const char **names = es_data_kind_names ();
  const EsDataKind *kind = NULL;
  int i = get_choice (rd, "data", "kind", (const char *const *) names, -1);

  if (i >= 0)
    kind = es_data_kind_lookup (names[i]);
  if (!rd->failed && !kind) {
    char *list = g_strjoinv (", ", (char **) names);
    fail (rd, "data", "kind", "missing (required: %s)", list);
    g_free (list);
  }
  g_free (names);
  return kind;
}

static void
read_data (Reader *rd, EsRecipe *r)
{
  char *path, *filter, *labels;

  path = get_string (rd, "data", "path", NULL, TRUE);
  r->data_path = resolve_path (rd, path);
  r->data_path_as_written = path;
  r->label_column = get_string (rd, "data", "label", "label", FALSE);
  r->group_columns = get_string (rd, "data", "group", NULL, FALSE);
  r->max_rows = get_int (rd, "data", "max_rows", 0, 0, G_MAXINT32);
  filter = get_string (rd, "data", "filter", NULL, FALSE);
  if (filter) {
    char *colon = strchr (filter, ':');
    if (!colon || colon == filter || colon[1] == '\0') {
      fail (rd, "data", "filter", "'%s' is not COLUMN:VALUE[,VALUE...]", filter);
    } else {
      r->filter_column = g_strndup (filter, colon - filter);
      r->filter_values = g_strdup (colon + 1);
      g_strstrip (r->filter_column);
    }
    g_free (filter);
  }
  labels = get_string (rd, "data", "labels", NULL, FALSE);
  if (labels) {
    char **names = g_strsplit (labels, ";", -1);
    int n = 0;
    for (char **l = names; *l; l++) {
      g_strstrip (*l);
      if (**l == '\0')
        fail (rd, "data", "labels", "empty class name in '%s'", labels);
      for (char **m = names; m < l; m++)
        if (strcmp (*m, *l) == 0)
          fail (rd, "data", "labels", "class '%s' listed twice", *l);
      n++;
    }
    if (n < 2)
      fail (rd, "data", "labels", "at least two classes are needed");
    r->labels = names;
    g_free (labels);
  }
}

static void
read_model (Reader *rd, EsRecipe *r)
{
  char *shape, *probe;
  r->name = get_string (rd, "model", "name", NULL, TRUE);
  if (r->name && (strchr (r->name, '/') || strchr (r->name, '\\') || r->name[0] == '.'))
    fail (rd, "model", "name", "'%s' must be a plain name (no path)", r->name);
  r->architecture = get_string (rd, "model", "architecture", NULL, TRUE);
  if (rd->failed)
    return;
  if (r->architecture[0] == '[') {
    r->architecture_json = g_strdup (r->architecture);
  } else if ((probe = es_builtin_architecture (r->architecture, 2)) != NULL) {
    g_free (probe);
    r->architecture_builtin = TRUE;
  } else if (g_str_has_suffix (r->architecture, ".json")) {
    char *file = resolve_path (rd, r->architecture);
    GError *err = NULL;
    if (!es_input_read_file (file, ES_INPUT_MAX_RECIPE, "an architecture", &r->architecture_json,
            NULL, &err)) {
      fail (rd, "model", "architecture", "%s", err->message);
      g_error_free (err);
    }
    g_free (file);
  } else {
    char *list = g_strjoinv (", ", (char **) es_builtin_architecture_names ());
    fail (rd, "model", "architecture",
        "'%s' is neither a built-in (%s), a JSON array nor a .json file",
        r->architecture, list);
    g_free (list);
  }
  if (r->architecture_json) {
    JsonParser *parser = json_parser_new ();
    GError *err = NULL;
    if (!json_parser_load_from_data (parser, r->architecture_json, -1, &err)) {
      fail (rd, "model", "architecture", "bad JSON: %s", err->message);
      g_error_free (err);
    } else if (!JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser))) {
      fail (rd, "model", "architecture", "the JSON must be an array of layers");
    }
    g_object_unref (parser);
  }

  shape = get_string (rd, "model", "input_shape", NULL, FALSE);
  if (shape) {
    char **dims = g_strsplit (shape, ",", -1);
    int n = g_strv_length (dims);
    if (n < 1 || n > 4)
      fail (rd, "model", "input_shape", "'%s' must have 1 to 4 dimensions", shape);
    for (int i = 0; i < n && !rd->failed; i++) {
      guint64 v;
      g_strstrip (dims[i]);
      if (!g_ascii_string_to_unsigned (dims[i], 10, 1, 1 << 24, &v, NULL))
        fail (rd, "model", "input_shape", "'%s' is not a positive size", dims[i]);
      r->in_shape[i] = v;
    }
    r->in_ndim = rd->failed ? 0 : n;
    g_strfreev (dims);
    g_free (shape);
  }
}

static void
read_train (Reader *rd, EsRecipe *r)
{
  static const char *const optimizers[] = { "adam", "sgd", NULL };
  static const char *const weights[] = { "none", "balanced", NULL };
  char *betas;

  r->optimizer = get_choice (rd, "train", "optimizer", optimizers, 0) == 1 ?
      ES_OPTIMIZER_SGD : ES_OPTIMIZER_ADAM;
  r->learning_rate = get_double (rd, "train", "learning_rate", 1e-3, 1e-12, 10.0);
  r->weight_decay = get_double (rd, "train", "weight_decay", 0.0, 0.0, 1.0);
  r->beta1 = 0.9;
  r->beta2 = 0.999;
  betas = get_string (rd, "train", "betas", NULL, FALSE);
  if (betas) {
    char *end;
    r->beta1 = g_ascii_strtod (betas, &end);
    if (*end == ';' || *end == ',')
      r->beta2 = g_ascii_strtod (end + 1, &end);
    else
      end = betas;
    if (*end != '\0' || !(r->beta1 >= 0 && r->beta1 < 1) || !(r->beta2 >= 0 && r->beta2 < 1))
      fail (rd, "train", "betas", "'%s' is not two numbers in [0, 1) like 0.9;0.999", betas);
    g_free (betas);
  }
  r->momentum = get_double (rd, "train", "momentum", 0.0, 0.0, 0.999999);
  if (!rd->failed && r->optimizer == ES_OPTIMIZER_ADAM
      && g_key_file_has_key (rd->kf, "train", "momentum", NULL))
    fail (rd, "train", "momentum", "applies to optimizer = sgd only (adam uses betas)");
  if (!rd->failed && r->optimizer == ES_OPTIMIZER_SGD
      && g_key_file_has_key (rd->kf, "train", "betas", NULL))
    fail (rd, "train", "betas", "applies to optimizer = adam only (sgd uses momentum)");
  r->batch_size = get_int (rd, "train", "batch_size", 32, 1, 1 << 20);
  r->max_epochs = get_int (rd, "train", "max_epochs", 100, 1, 1000000);
  r->balanced_class_weights = get_choice (rd, "train", "class_weights", weights, 0) == 1;
  r->plateau_factor = get_double (rd, "train", "plateau_factor", 0.5, 0.0, 0.999999);
  r->plateau_patience = get_int (rd, "train", "plateau_patience", 5, 0, 1000000);
  r->min_lr = get_double (rd, "train", "min_lr", 0.0, 0.0, 10.0);
  r->early_stop_patience = get_int (rd, "train", "early_stop_patience", 10, 0, 1000000);
  r->label_smoothing = get_double (rd, "train", "label_smoothing", 0.0, 0.0, 0.999);
  if (!rd->failed && r->label_smoothing > 0.0 && r->balanced_class_weights)
    fail (rd, "train", "label_smoothing", "does not combine with class_weights = balanced");
  r->ema_decay = get_double (rd, "train", "ema_decay", 0.0, 0.0, 0.999999);
  r->seed = get_int (rd, "train", "seed", 1, 0, G_MAXINT64);
  r->threads = get_int (rd, "train", "threads", 1, 1, 1024);
}

static void
read_split (Reader *rd, EsRecipe *r)
{
  static const char *const methods[] = { "stratified", "grouped", NULL };
  r->grouped = get_choice (rd, "split", "method", methods, r->group_columns ? 1 : 0) == 1;
  if (!rd->failed && r->grouped && !r->group_columns)
    fail (rd, "split", "method", "grouped needs a group column ([data] group)");
  r->validation_fraction = get_double (rd, "split", "validation", 0.15, 0.0, 0.9);
  r->test_fraction = get_double (rd, "split", "test", 0.15, 0.0, 0.9);
  if (!rd->failed && r->validation_fraction + r->test_fraction >= 0.95)
    fail (rd, "split", "test", "validation + test = %g leaves too little to train on",
        r->validation_fraction + r->test_fraction);
  r->folds = get_int (rd, "split", "folds", 5, 2, 1000);
}

EsRecipe *
es_recipe_load_from_data (const char *text, const char *path, GError **error)
{
  Reader rd = { 0 };
  EsRecipe *r = g_new0 (EsRecipe, 1);
  GError *err = NULL;
  char *dir = g_path_get_dirname (path);
  char *out;

  r->path = g_strdup (path);
  r->text = g_strdup (text);
  rd.kf = g_key_file_new ();
  rd.path = path;
  rd.dir = dir;
  rd.error = error;
  /* ';' would be GKeyFile's list separator; labels use it explicitly */
  if (!g_key_file_load_from_data (rd.kf, text, -1, G_KEY_FILE_NONE, &err)) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_RECIPE, "%s: %s", path, err->message);
    g_error_free (err);
    rd.failed = TRUE;
  }
  if (!rd.failed) {
    const EsDataKind *kind = NULL;
    if (!g_key_file_has_group (rd.kf, "data"))
      g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_RECIPE,
          "%s: no [data] group (the recipe must say what to train on)", path), rd.failed =
          TRUE;
    else if (!g_key_file_has_group (rd.kf, "model"))
      g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_RECIPE,
          "%s: no [model] group (name and architecture are required)", path), rd.failed =
          TRUE;
    /* unknown groups first, then the kind, whose keys [data] and [augment] take */
    if (!rd.failed && check_keys (&rd, NULL))
      kind = read_kind (&rd);
    if (!rd.failed && check_keys (&rd, kind)) {
      r->data_kind = kind;
      read_data (&rd, r);
      read_model (&rd, r);
      read_train (&rd, r);
      read_split (&rd, r);
      if (!rd.failed && kind->parse)
        r->data_settings = kind->parse (&rd, r);
      out = get_string (&rd, "output", "dir", ".", FALSE);
      r->output_dir = resolve_path (&rd, out);
      g_free (out);
    }
  }
  g_key_file_free (rd.kf);
  g_free (dir);
  if (rd.failed) {
    es_recipe_free (r);
    return NULL;
  }
  return r;
}

EsRecipe *
es_recipe_load (const char *path, GError **error)
{
  char *text;
  GError *err = NULL;
  EsRecipe *r;
  if (!es_input_read_file (path, ES_INPUT_MAX_RECIPE, "a recipe", &text, NULL, &err)) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_RECIPE, "%s", err->message);
    g_error_free (err);
    return NULL;
  }
  r = es_recipe_load_from_data (text, path, error);
  g_free (text);
  return r;
}

void
es_recipe_dataset_options (const EsRecipe *r, EsDatasetOptions *o)
{
  memset (o, 0, sizeof *o);
  o->label_column = r->label_column;
  o->group_columns = r->group_columns;
  o->class_names = (const char *const *) r->labels;
  o->filter_column = r->filter_column;
  o->filter_values = r->filter_values;
  o->max_rows = r->max_rows;
}

EsDataset *
es_recipe_load_dataset (const EsRecipe *r, EsDataReadFunc read, gpointer read_data,
    GError **error)
{
  EsDatasetOptions o;
  EsDataLoad load = { 0 };

  es_recipe_dataset_options (r, &o);
  load.path = r->data_path;
  load.options = &o;
  load.settings = r->data_settings;
  load.seed = r->seed;
  load.read = read;
  load.read_data = read_data;
  return r->data_kind->load (&load, error);
}

char *
es_recipe_architecture_for (const EsRecipe *r, int n_classes)
{
  if (r->architecture_builtin)
    return es_builtin_architecture (r->architecture, n_classes);
  return g_strdup (r->architecture_json);
}

static char *
first_layer_type (const char *architecture_json)
{
  JsonParser *parser = json_parser_new ();
  char *type = NULL;
  if (architecture_json && json_parser_load_from_data (parser, architecture_json, -1, NULL)) {
    JsonNode *root = json_parser_get_root (parser);
    if (JSON_NODE_HOLDS_ARRAY (root) && json_array_get_length (json_node_get_array (root)) > 0) {
      JsonNode *layer = json_array_get_element (json_node_get_array (root), 0);
      if (JSON_NODE_HOLDS_OBJECT (layer))
        type = g_strdup (json_object_get_string_member_with_default (
                json_node_get_object (layer), "type", NULL));
    }
  }
  g_object_unref (parser);
  return type;
}

int
es_recipe_input_shape (const EsRecipe *r, const char *architecture_json, const EsDataset *data,
    size_t *shape, GError **error)
{
  size_t input_size = data->input_size;
  char *first;
  if (r->in_ndim > 0) {
    size_t numel = 1;
    for (int i = 0; i < r->in_ndim; i++)
      numel *= r->in_shape[i];
    if (numel != input_size) {
      g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_RECIPE,
          "%s: [model] input_shape: holds %zu values but each example has %zu", r->path,
          numel, input_size);
      return 0;
    }
    memcpy (shape, r->in_shape, r->in_ndim * sizeof (size_t));
    return r->in_ndim;
  }
  first = first_layer_type (architecture_json);
  /* Images ([C, H, W]) for a 2-D network as they are. */
  if (data->ndim == 3 && g_strcmp0 (first, "conv2d") == 0) {
    g_free (first);
    memcpy (shape, data->shape, 3 * sizeof (size_t));
    return 3;
  }
  /* Windows of power spectra ([frames, bins]) for a gammatone layer as they are. */
  if (data->ndim == 2 && g_strcmp0 (first, "gammatone") == 0) {
    g_free (first);
    memcpy (shape, data->shape, 2 * sizeof (size_t));
    return 2;
  }
  /* A conv1d first layer wants [channels, length]; dense nets take [L]. */
  if (g_strcmp0 (first, "conv1d") == 0) {
    g_free (first);
    shape[0] = 1;
    shape[1] = input_size;
    return 2;
  }
  if (g_strcmp0 (first, "conv2d") == 0) {
    g_free (first);
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_RECIPE,
        "%s: [model] input_shape is required for a 2-D network (e.g. 1,224,224)", r->path);
    return 0;
  }
  g_free (first);
  shape[0] = input_size;
  return 1;
}

/* ---- reading a kind's keys -------------------------------------------- */

gboolean
es_recipe_reader_has (EsRecipeReader *rd, const char *group, const char *key)
{
  return g_key_file_has_key (rd->kf, group, key, NULL);
}

gboolean
es_recipe_reader_has_group (EsRecipeReader *rd, const char *group)
{
  return g_key_file_has_group (rd->kf, group);
}

int
es_recipe_reader_choice (EsRecipeReader *rd, const char *group, const char *key,
    const char *const *choices, int fallback)
{
  return get_choice (rd, group, key, choices, fallback);
}

gint64
es_recipe_reader_int (EsRecipeReader *rd, const char *group, const char *key, gint64 fallback,
    gint64 min, gint64 max)
{
  return get_int (rd, group, key, fallback, min, max);
}

double
es_recipe_reader_double (EsRecipeReader *rd, const char *group, const char *key,
    double fallback, double min, double max)
{
  return get_double (rd, group, key, fallback, min, max);
}

char *
es_recipe_reader_string (EsRecipeReader *rd, const char *group, const char *key,
    const char *fallback)
{
  return get_string (rd, group, key, fallback, FALSE);
}

void
es_recipe_reader_fail (EsRecipeReader *rd, const char *group, const char *key,
    const char *format, ...)
{
  va_list ap;
  char *msg;
  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  fail (rd, group, key, "%s", msg);
  g_free (msg);
}

gboolean
es_recipe_reader_failed (EsRecipeReader *rd)
{
  return rd->failed;
}

GKeyFile *
es_recipe_reader_get_key_file (EsRecipeReader *rd)
{
  return rd->kf;
}

const char *
es_recipe_reader_get_path (EsRecipeReader *rd)
{
  return rd->path;
}

void
es_recipe_reader_take_error (EsRecipeReader *rd, GError *error)
{
  if (rd->failed) {
    g_error_free (error);
    return;
  }
  g_propagate_error (rd->error, error);
  rd->failed = TRUE;
}

void
es_train_config_from_recipe (EsTrainConfig *c, const EsRecipe *r)
{
  es_train_config_init (c);
  c->optimizer = r->optimizer;
  c->learning_rate = r->learning_rate;
  c->weight_decay = r->weight_decay;
  c->beta1 = r->beta1;
  c->beta2 = r->beta2;
  c->momentum = r->momentum;
  c->batch_size = r->batch_size;
  c->max_epochs = r->max_epochs;
  c->balanced_class_weights = r->balanced_class_weights;
  c->plateau_factor = r->plateau_factor;
  c->plateau_patience = r->plateau_patience;
  c->min_lr = r->min_lr;
  c->early_stop_patience = r->early_stop_patience;
  c->label_smoothing = r->label_smoothing;
  c->ema_decay = r->ema_decay;
  c->soft_targets = r->data_kind && r->data_kind->soft_targets
      && r->data_kind->soft_targets (r->data_settings);
  c->seed = r->seed;
  c->threads = r->threads;
}

