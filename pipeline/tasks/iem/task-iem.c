/* The IEM task's data kinds "iem" and "iem-graph" (task-iem.h). */
#include "tasks/iem/task-iem.h"

#include <string.h>

#include "io/frcurve.h"
#include "train/recipe.h"

static const char *const iem_keys[] = { "points", "fmin", "fmax", NULL };
static const char *const graph_keys[] = { "points", "fmin", "fmax", "width", "height",
  "look", NULL
};
static const char *const augment_keys[] = { "probability", "shelf_db", "tilt_db", "peak_db",
  "ripple_db", "jitter", "offset_db", "looks", "label_softness", NULL
};

static gpointer
parse (EsRecipeReader *rd, const EsRecipe *recipe, gboolean graph)
{
  /* in the order of EsFrLookFamily */
  static const char *const looks[] = { "seed", "varied", "wide", NULL };
  EsIemTaskSettings *s = g_new0 (EsIemTaskSettings, 1);
  EsFrAugmentConfig *c = &s->augment_config;

  s->graph = graph;
  s->data.points = es_recipe_reader_int (rd, "data", "points", ES_FR_POINTS_DEFAULT, 2, 1 << 20);
  s->data.fmin = es_recipe_reader_double (rd, "data", "fmin", ES_FR_FMIN_DEFAULT, 1e-3, 1e6);
  s->data.fmax = es_recipe_reader_double (rd, "data", "fmax", ES_FR_FMAX_DEFAULT, 1e-3, 1e6);
  if (!es_recipe_reader_failed (rd) && !(s->data.fmin < s->data.fmax))
    es_recipe_reader_fail (rd, "data", "fmax", "%g is not above fmin %g", s->data.fmax,
        s->data.fmin);
  if (graph) {
    s->data.width = es_recipe_reader_int (rd, "data", "width", 224, 8, 4096);
    s->data.height = es_recipe_reader_int (rd, "data", "height", 224, 8, 4096);
    s->data.look_family = (EsFrLookFamily) es_recipe_reader_choice (rd, "data", "look",
        looks, 0);
  }

  es_fr_augment_config_init (c);
  c->fmin = s->data.fmin;
  c->fmax = s->data.fmax;
  c->look_family = s->data.look_family;
  s->augment = es_recipe_reader_has_group (rd, "augment");
  if (s->augment) {
    c->probability = es_recipe_reader_double (rd, "augment", "probability", c->probability,
        0.0, 1.0);
    c->shelf_db = es_recipe_reader_double (rd, "augment", "shelf_db", c->shelf_db, 0.0, 30.0);
    c->tilt_db = es_recipe_reader_double (rd, "augment", "tilt_db", c->tilt_db, 0.0, 10.0);
    c->peak_db = es_recipe_reader_double (rd, "augment", "peak_db", c->peak_db, 0.0, 30.0);
    c->ripple_db = es_recipe_reader_double (rd, "augment", "ripple_db", c->ripple_db, 0.0,
        10.0);
    c->jitter = es_recipe_reader_double (rd, "augment", "jitter", c->jitter, 0.0, 1.0);
    c->offset_db = es_recipe_reader_double (rd, "augment", "offset_db", c->offset_db, 0.0,
        20.0);
    c->looks = es_recipe_reader_double (rd, "augment", "looks", c->looks, 0.0, 1.0);
    c->label_softness = es_recipe_reader_double (rd, "augment", "label_softness",
        c->label_softness, 0.0, 3.0);
    if (!es_recipe_reader_failed (rd) && c->label_softness > 0.0
        && recipe->balanced_class_weights)
      es_recipe_reader_fail (rd, "augment", "label_softness",
          "soft targets do not combine with class_weights = balanced");
  }
  return s;
}

static gpointer
parse_iem (EsRecipeReader *rd, const EsRecipe *recipe)
{
  return parse (rd, recipe, FALSE);
}

static gpointer
parse_graph (EsRecipeReader *rd, const EsRecipe *recipe)
{
  return parse (rd, recipe, TRUE);
}

static EsDataset *
load (const EsDataLoad *load, GError **error)
{
  const EsIemTaskSettings *s = load->settings;
  EsIemDataOptions o = s->data;

  o.look_seed = load->seed;
  return s->graph ? es_dataset_load_iem_graph (load->path, load->options, &o, error)
      : es_dataset_load_iem (load->path, load->options, &o, error);
}

static void
describe (gconstpointer settings, const EsDatasetOptions *options, const EsDataset *data,
    EsFrontendDesc *fe, const char **task, EsModelTag *tag)
{
  const EsIemTaskSettings *s = settings;

  /* a CSV -> frsrc at the model's grid, mean removed */
  es_frontend_desc_init (fe, ES_FRONTEND_SOURCE_MEASUREMENT);
  fe->points = (unsigned) s->data.points;
  fe->fmin = s->data.fmin;
  fe->fmax = s->data.fmax;
  fe->remove_mean = TRUE;
  if (s->graph) {
    /* ... drawn as its graph at the model's size (spectrogramimager); pictures
     * of graphs are area-averaged to it */
    fe->image = ES_FRONTEND_IMAGE_GRAPH;
    fe->db_min = -30.0;
    fe->db_max = 30.0;
    fe->width = data->ndim == 3 ? (unsigned) data->shape[2] : 0;
    fe->height = data->ndim == 3 ? (unsigned) data->shape[1] : 0;
    fe->resize = ES_FRONTEND_RESIZE_AREA;
  }
  *task = s->graph ? "the tuning signature of an IEM or headphone from a picture of its "
      "frequency-response graph" : "the tuning signature of an IEM or headphone from its "
      "frequency-response measurement";
  *tag = ES_MODEL_TAG_NONE;
}

static gpointer
augment_new (gconstpointer settings, const EsDataset *like, GError **error)
{
  const EsIemTaskSettings *s = settings;
  GError *err = NULL;
  gpointer a;

  if (!s->augment)
    return NULL;
  if (!(a = es_fr_augment_new (&s->augment_config, like, &err)))
    g_propagate_error (error, err);
  return a;
}

static void
augment_free (gpointer a)
{
  es_fr_augment_free (a);
}

static gboolean
soft_targets (gconstpointer settings)
{
  const EsIemTaskSettings *s = settings;
  return s->augment && s->augment_config.label_softness > 0.0;
}

static char *
card_data (gconstpointer settings)
{
  const EsIemTaskSettings *s = settings;
  if (!s->graph)
    return g_strdup ("IEM measurements");
  switch (s->data.look_family) {
    case ES_FR_LOOK_SEED:
      return g_strdup ("IEM measurements drawn as graphs in the seed's look");
    case ES_FR_LOOK_WIDE:
      return g_strdup ("IEM measurements drawn as graphs, each in a look of its own from "
          "the wide family (tasks/iem/fraugment.h: also thick lines on small graphs, dark "
          "colours, heavier frames and darker grids)");
    case ES_FR_LOOK_VARIED:
    default:
      return g_strdup ("IEM measurements drawn as graphs, each in a look of its own");
  }
}

static char *
card_augment (gconstpointer settings)
{
  const EsIemTaskSettings *s = settings;
  const EsFrAugmentConfig *ac = &s->augment_config;
  GString *t;

  if (!s->augment)
    return NULL;
  t = g_string_new (NULL);
  g_string_append_printf (t, "- augmentation of training batches (tasks/iem/fraugment.h): "
      "%.0f %% of drawn examples get their raw rows perturbed (shelves up to %g dB, "
      "tilt up to %g dB/octave, up to two peaks/dips of %g dB, ripple %g dB, grid "
      "shift %g octave) and are relabelled by the rule", 100 * ac->probability,
      ac->shelf_db, ac->tilt_db, ac->peak_db, ac->ripple_db, ac->jitter);
  if (s->graph && ac->looks > 0)
    g_string_append_printf (t, "; perturbed examples and %.0f %% of the others are drawn "
        "again in a random look of the %s family (size, aspect, line width and colour, grid, "
        "offset up to %g dB)", 100 * ac->looks,
        ac->look_family == ES_FR_LOOK_WIDE ? "wide" : "varied", ac->offset_db);
  if (ac->label_softness > 0)
    g_string_append_printf (t, "; every training example is scored against soft rule "
        "targets: each 3 dB test of the rule passes with probability "
        "1/(1+exp(-(diff-3)/%g)) (label_softness, dB)", ac->label_softness);
  return g_string_free (t, FALSE);
}

/* An IEM folder, or its index.csv. */
static gboolean
is_iem_data (const char *path)
{
  char *base = g_path_get_basename (path);
  gboolean yes = g_file_test (path, G_FILE_TEST_IS_DIR) || !strcmp (base, "index.csv");
  g_free (base);
  return yes;
}

static gpointer
settings_for_model (const EsFrontendDesc *fe, const char *path, gconstpointer recipe,
    gboolean graph)
{
  const EsIemTaskSettings *r = recipe;
  EsIemTaskSettings *s;
  gboolean image = fe->source == ES_FRONTEND_SOURCE_IMAGE
      || (fe->source == ES_FRONTEND_SOURCE_MEASUREMENT && fe->image == ES_FRONTEND_IMAGE_GRAPH);

  if (!is_iem_data (path) || (r && r->graph != graph))
    return NULL;
  if (graph ? !image : !(fe->source == ES_FRONTEND_SOURCE_MEASUREMENT && !image)
      && fe->source != ES_FRONTEND_SOURCE_NONE)
    return NULL;
  s = g_new0 (EsIemTaskSettings, 1);
  if (r)
    *s = *r;
  s->graph = graph;
  s->augment = FALSE;
  if (fe->source == ES_FRONTEND_SOURCE_MEASUREMENT) {
    /* resampled as the model was trained */
    s->data.points = fe->points;
    s->data.fmin = fe->fmin;
    s->data.fmax = fe->fmax;
  }
  if (graph) {
    /* drawn at the model's size, in the seed's look unless a recipe says */
    s->data.width = fe->width;
    s->data.height = fe->height;
  }
  return s;
}

static gpointer
settings_for_model_iem (const EsFrontendDesc *fe, const char *path, gconstpointer recipe)
{
  return settings_for_model (fe, path, recipe, FALSE);
}

static gpointer
settings_for_model_graph (const EsFrontendDesc *fe, const char *path, gconstpointer recipe)
{
  return settings_for_model (fe, path, recipe, TRUE);
}

static const EsDataKind iem_kind = {
  .name = "iem",
  .data_keys = iem_keys,
  .augment_keys = augment_keys,
  .parse = parse_iem,
  .free_settings = g_free,
  .load = load,
  .describe = describe,
  .augment_new = augment_new,
  .augment = es_fr_augment_batch,
  .augment_free = augment_free,
  .soft_targets = soft_targets,
  .card_data = card_data,
  .card_augment = card_augment,
  .settings_for_model = settings_for_model_iem,
};

static const EsDataKind graph_kind = {
  .name = "iem-graph",
  .data_keys = graph_keys,
  .augment_keys = augment_keys,
  .parse = parse_graph,
  .free_settings = g_free,
  .load = load,
  .describe = describe,
  .augment_new = augment_new,
  .augment = es_fr_augment_batch,
  .augment_free = augment_free,
  .soft_targets = soft_targets,
  .card_data = card_data,
  .card_augment = card_augment,
  .settings_for_model = settings_for_model_graph,
};

const EsDataKind *
es_task_iem_kind (void)
{
  return &iem_kind;
}

const EsDataKind *
es_task_iem_graph_kind (void)
{
  return &graph_kind;
}

void
es_task_iem_register (void)
{
  es_data_kind_register (&iem_kind);
  es_data_kind_register (&graph_kind);
}
