/* A whole training run from a recipe (run.h): split, training, cross-
 * validation, the model's metadata, the model card and its plots. */
#include "config.h"

#include "train/run.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "decide/decision.h"
#include "io/output.h"
#include "io/plot.h"
#include "model/model.h"
#include "io/text.h"

void
es_train_run_options_init (EsTrainRunOptions *o)
{
  memset (o, 0, sizeof *o);
  o->jobs = 1;
  o->seed = -1;
}

void
es_train_run_result_free (EsTrainRunResult *r)
{
  if (!r)
    return;
  g_free (r->model_path);
  g_free (r->card_path);
  g_free (r->loss_png);
  g_free (r->accuracy_png);
  g_free (r->confusion_png);
  es_metrics_free (r->test);
  es_cv_result_free (r->cv);
  es_metrics_free (r->test_units);
  es_cv_result_free (r->cv_units);
  g_free (r->card);
  g_free (r);
}

/* Unit scores: the mean of each unit's example probabilities. Returns the
 * number of units; *scores (units x n_classes), *labels and *first (the
 * first example of each unit) newly allocated. */
static size_t
unit_scores (const EsDataKind *kind, const EsDataset *d, const float *probs, float **scores,
    int **labels, size_t **first)
{
  int *unit = g_new (int, MAX (d->n, 1));
  size_t m = kind->decision_units (d, unit), nc = (size_t) d->n_classes;
  EsDecisionMean **means = g_new0 (EsDecisionMean *, MAX (m, 1));
  double *p = g_new (double, nc);

  *scores = g_new0 (float, MAX (m, 1) * nc);
  *labels = g_new0 (int, MAX (m, 1));
  *first = g_new0 (size_t, MAX (m, 1));
  for (size_t i = 0; i < d->n; i++) {
    int u = unit[i];
    if (!means[u]) {
      means[u] = es_decision_mean_new (nc);
      (*labels)[u] = d->labels[i];
      (*first)[u] = i;
    }
    for (size_t c = 0; c < nc; c++)
      p[c] = probs[i * nc + c];
    es_decision_mean_add (means[u], p);
  }
  for (size_t u = 0; u < m; u++) {
    es_decision_mean_get (means[u], p);
    for (size_t c = 0; c < nc; c++)
      (*scores)[u * nc + c] = (float) p[c];
    es_decision_mean_free (means[u]);
  }
  g_free (means);
  g_free (p);
  g_free (unit);
  return m;
}

EsMetrics *
es_train_unit_metrics (const EsDataKind *kind, const EsDataset *d, const float *probs)
{
  float *scores;
  int *labels;
  size_t *first, m;
  EsMetrics *metrics;

  if (!kind->decision_units || d->n == 0)
    return NULL;
  m = unit_scores (kind, d, probs, &scores, &labels, &first);
  metrics = es_metrics_compute (scores, labels, m, d->n_classes);
  g_free (scores);
  g_free (labels);
  g_free (first);
  return metrics;
}

/* Cross-validation figures on units: a unit's fold is its examples' (they
 * share a group, so a grouped split keeps them together). */
static EsCvResult *
cv_units (const EsDataKind *kind, const EsDataset *d, const EsCvResult *cv)
{
  EsCvResult *r;
  float *scores, *fs;
  int *labels, *fl;
  size_t *first, m, nc = (size_t) d->n_classes;
  double *acc, *f1, *map3;

  if (!kind->decision_units || !cv->pooled_scores || d->n == 0)
    return NULL;
  m = unit_scores (kind, d, cv->pooled_scores, &scores, &labels, &first);
  r = g_new0 (EsCvResult, 1);
  r->k = cv->k;
  r->folds = g_new0 (EsMetrics *, cv->k);
  r->pooled = es_metrics_compute (scores, labels, m, d->n_classes);
  fs = g_new (float, MAX (m, 1) * nc);
  fl = g_new (int, MAX (m, 1));
  acc = g_new (double, cv->k);
  f1 = g_new (double, cv->k);
  map3 = g_new (double, cv->k);
  for (int f = 0; f < cv->k; f++) {
    size_t n = 0;
    for (size_t u = 0; u < m; u++)
      if (cv->fold_of[first[u]] == f) {
        memcpy (fs + n * nc, scores + u * nc, nc * sizeof (float));
        fl[n++] = labels[u];
      }
    r->folds[f] = es_metrics_compute (fs, fl, n, d->n_classes);
    acc[f] = r->folds[f]->accuracy;
    f1[f] = r->folds[f]->macro_f1;
    map3[f] = r->folds[f]->map3;
  }
  es_mean_std (acc, cv->k, &r->accuracy_mean, &r->accuracy_std);
  es_mean_std (f1, cv->k, &r->macro_f1_mean, &r->macro_f1_std);
  es_mean_std (map3, cv->k, &r->map3_mean, &r->map3_std);
  g_free (acc);
  g_free (f1);
  g_free (map3);
  g_free (fs);
  g_free (fl);
  g_free (scores);
  g_free (labels);
  g_free (first);
  return r;
}

G_GNUC_PRINTF (2, 3)
static void
stage (const EsTrainRunOptions *o, const char *format, ...)
{
  va_list ap;
  char *line;
  if (!o->on_stage)
    return;
  va_start (ap, format);
  line = g_strdup_vprintf (format, ap);
  va_end (ap);
  o->on_stage (line, o->user_data);
  g_free (line);
}

/* The model's own training, on its own thread beside the cross-validation
 * folds when jobs allows. */
typedef struct {
  EsNet *net;
  const EsDataset *train, *validation;
  const EsTrainConfig *config;
  EsTrainHistory *history;
  GError *error;
  gboolean ok;
} MainTraining;

static gpointer
main_training (gpointer data)
{
  MainTraining *t = data;
  t->ok = es_train (t->net, t->train, t->validation, t->config, &t->history, &t->error);
  return NULL;
}

static EsDataset *
pick (const EsDataset *d, const int *side, int which)
{
  size_t *idx = g_new (size_t, d->n), n = 0;
  EsDataset *s;
  for (size_t i = 0; i < d->n; i++)
    if (side[i] == which)
      idx[n++] = i;
  s = es_dataset_subset (d, idx, n);
  g_free (idx);
  return s;
}

/* JSON text (valid, ours) as a value of the builder. */
static void
add_json_value (JsonBuilder *b, const char *text)
{
  JsonParser *p = json_parser_new ();
  json_parser_load_from_data (p, text, -1, NULL);
  json_builder_add_value (b, json_node_copy (json_parser_get_root (p)));
  g_object_unref (p);
}

/* The means and deviations over the folds, members of the open object
 * (MAP@3 where the figures are per example). */
static void
add_cv_means (JsonBuilder *b, const EsCvResult *cv, gboolean with_map3)
{
  const struct { const char *name; double value; } m[] = {
    {"accuracy_mean", cv->accuracy_mean}, {"accuracy_std", cv->accuracy_std},
    {"macro_f1_mean", cv->macro_f1_mean}, {"macro_f1_std", cv->macro_f1_std},
    {"map3_mean", cv->map3_mean}, {"map3_std", cv->map3_std},
  };
  for (guint i = 0; i < G_N_ELEMENTS (m) - (with_map3 ? 0 : 2); i++) {
    json_builder_set_member_name (b, m[i].name);
    json_builder_add_double_value (b, m[i].value);
  }
}

/* The training summary of the model's metadata. */
static char *
training_json (const EsRecipe *recipe, const EsTrainConfig *config, const EsTrainHistory *h,
    const EsMetrics *test, const EsCvResult *cv, const EsMetrics *r_units_test,
    const EsCvResult *r_units_cv)
{
  JsonBuilder *b = json_builder_new ();
  JsonGenerator *g = json_generator_new ();
  JsonNode *root;
  char *text;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "seed");
  json_builder_add_int_value (b, config->seed);
  json_builder_set_member_name (b, "epochs");
  json_builder_add_int_value (b, h->n_epochs);
  json_builder_set_member_name (b, "best_epoch");
  json_builder_add_int_value (b, h->best_epoch);
  json_builder_set_member_name (b, "split");
  json_builder_add_string_value (b, recipe->grouped ? "grouped" : "stratified");
  if (test) {
    char *m = es_metrics_to_json (test);
    json_builder_set_member_name (b, "test");
    add_json_value (b, m);
    g_free (m);
  }
  if (cv) {
    json_builder_set_member_name (b, "cv");
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "folds");
    json_builder_add_int_value (b, cv->k);
    add_cv_means (b, cv, TRUE);
    json_builder_end_object (b);
  }
  if (r_units_test) {
    char *m = es_metrics_to_json (r_units_test);
    json_builder_set_member_name (b, "test_units");
    add_json_value (b, m);
    g_free (m);
  }
  if (r_units_cv) {
    char *m = es_metrics_to_json (r_units_cv->pooled);
    json_builder_set_member_name (b, "cv_units");
    json_builder_begin_object (b);
    add_cv_means (b, r_units_cv, FALSE);
    json_builder_set_member_name (b, "pooled");
    add_json_value (b, m);
    json_builder_end_object (b);
    g_free (m);
  }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (g, root);
  text = es_text_json_repair_numbers (json_generator_to_data (g, NULL));
  json_node_unref (root);
  g_object_unref (g);
  g_object_unref (b);
  return text;
}

static void
card_metrics (GString *s, const EsMetrics *m, char **names)
{
  char *cm = es_metrics_format_confusion (m, (const char *const *) names, TRUE);
  g_string_append_printf (s, "| accuracy | macro-F1 | MAP@3 | examples |\n|---:|---:|---:|---:|\n"
      "| %.2f %% | %.3f | %.2f %% | %zu |\n\n", 100 * m->accuracy, m->macro_f1, 100 * m->map3,
      m->n);
  g_string_append (s, "| class | precision | recall | F1 | support |\n|---|---:|---:|---:|---:|\n");
  for (int c = 0; c < m->n_classes; c++)
    g_string_append_printf (s, "| %s | %.3f | %.3f | %.3f | %zu |\n", names[c],
        m->precision[c], m->recall[c], m->f1[c], m->support[c]);
  g_string_append_printf (s, "\nConfusion matrix (rows: true class):\n\n%s\n", cm);
  g_free (cm);
}

/* The model card (Markdown). */
static char *
card_text (const EsRecipe *recipe, const EsTrainConfig *config, const EsDataset *data,
    size_t n_train, size_t n_val, size_t n_test, const EsTrainHistory *history,
    const EsTrainRunResult *r, double loss_lo, double loss_hi, double acc_lo, double acc_hi)
{
  const EsDataKind *kind = recipe->data_kind;
  GString *s = g_string_new (NULL);
  char *what = kind->card_data ? kind->card_data (recipe->data_settings) : g_strdup (kind->name);
  char *augment = kind->card_augment ? kind->card_augment (recipe->data_settings) : NULL;

  g_string_append_printf (s, "# %s\n\nTrained by `earshot train` (earshot %s).\n\n## Data\n\n",
      recipe->name, ES_VERSION);
  g_string_append_printf (s, "- source: `%s`, relative to the recipe (%s), %zu examples "
      "of %zu values\n", recipe->data_path_as_written, what, data->n, data->input_size);
  {
    size_t *counts = es_dataset_class_counts (data);
    g_string_append (s, "- classes:");
    for (int c = 0; c < data->n_classes; c++)
      g_string_append_printf (s, " %s %zu%s", data->class_names[c], counts[c],
          c + 1 < data->n_classes ? "," : "\n");
    g_free (counts);
  }
  g_string_append_printf (s, "- split: %s%s, %zu train / %zu validation / %zu test\n\n",
      recipe->grouped ? "grouped by " : "stratified",
      recipe->grouped ? recipe->group_columns : "", n_train, n_val, n_test);
  g_string_append_printf (s, "## Training\n\n- %s, learning rate %g, weight decay %g, batch %zu, "
      "seed %" G_GUINT64_FORMAT "\n- %d epochs run, weights of epoch %d kept (%s)\n\n",
      recipe->optimizer == ES_OPTIMIZER_SGD ? "SGD" : "Adam", recipe->learning_rate,
      recipe->weight_decay, recipe->batch_size, config->seed, history->n_epochs,
      history->best_epoch, n_val > 0 ? "lowest validation loss"
      : "lowest training loss: there is no validation part");
  if (recipe->label_smoothing > 0) {
    g_string_truncate (s, s->len - 1);        /* continue the list */
    g_string_append_printf (s, "- label smoothing %g: targets (1 - %g) one-hot + %g / "
        "classes\n\n", recipe->label_smoothing, recipe->label_smoothing,
        recipe->label_smoothing);
  }
  if (recipe->ema_decay > 0) {
    g_string_truncate (s, s->len - 1);        /* continue the list */
    g_string_append_printf (s, "- the weights validated and kept are the exponential "
        "moving average of the training steps (decay %g, train/ema.h)\n\n", recipe->ema_decay);
  }
  if (augment) {
    g_string_truncate (s, s->len - 1);        /* continue the list */
    g_string_append_printf (s, "%s\n\n", augment);
  }
  if (r->test) {
    g_string_append (s, "## Held-out test split\n\n");
    card_metrics (s, r->test, data->class_names);
  }
  if (r->cv) {
    const EsCvResult *cv = r->cv;
    g_string_append_printf (s, "## %d-fold cross-validation (%s)\n\n| fold | accuracy | "
        "macro-F1 | MAP@3 | examples |\n|---:|---:|---:|---:|---:|\n", cv->k,
        recipe->grouped ? "grouped" : "stratified");
    for (int f = 0; f < cv->k; f++)
      g_string_append_printf (s, "| %d | %.2f %% | %.3f | %.2f %% | %zu |\n", f + 1,
          100 * cv->folds[f]->accuracy, cv->folds[f]->macro_f1, 100 * cv->folds[f]->map3,
          cv->folds[f]->n);
    g_string_append_printf (s, "| **mean ± std** | **%.2f ± %.2f %%** | **%.3f ± %.3f** | "
        "%.2f ± %.2f %% | |\n\nPooled over the folds:\n\n", 100 * cv->accuracy_mean,
        100 * cv->accuracy_std, cv->macro_f1_mean, cv->macro_f1_std, 100 * cv->map3_mean,
        100 * cv->map3_std);
    card_metrics (s, cv->pooled, data->class_names);
  }
  if (r->test_units || r->cv_units) {
    g_string_append (s, "## Whole-file decisions\n\nEach file's decision is the mean of its "
        "windows' probabilities (pipeline/decide, as `earshot classify`); the figures above "
        "score single windows.\n\n");
    if (r->test_units) {
      g_string_append (s, "### Held-out test split, files\n\n");
      card_metrics (s, r->test_units, data->class_names);
    }
    if (r->cv_units) {
      const EsCvResult *cv = r->cv_units;
      g_string_append_printf (s, "### %d-fold cross-validation (%s), files\n\n| fold | "
          "accuracy | macro-F1 | files |\n|---:|---:|---:|---:|\n", cv->k,
          recipe->grouped ? "grouped" : "stratified");
      for (int f = 0; f < cv->k; f++)
        g_string_append_printf (s, "| %d | %.2f %% | %.3f | %zu |\n", f + 1,
            100 * cv->folds[f]->accuracy, cv->folds[f]->macro_f1, cv->folds[f]->n);
      g_string_append_printf (s, "| **mean ± std** | **%.2f ± %.2f %%** | **%.3f ± %.3f** | "
          "|\n\nPooled over the folds:\n\n", 100 * cv->accuracy_mean,
          100 * cv->accuracy_std, cv->macro_f1_mean, cv->macro_f1_std);
      card_metrics (s, cv->pooled, data->class_names);
    }
  }
  {
    char *lb = g_path_get_basename (r->loss_png), *ab = g_path_get_basename (r->accuracy_png);
    char *cb = g_path_get_basename (r->confusion_png ? r->confusion_png : "");
    /* the confusion file is named even when there was nothing to draw, as before */
    g_string_append_printf (s, "## Plots\n\n- `%s`: loss per epoch, blue = training, orange = "
        "validation; y from %.4g to %.4g\n- `%s`: accuracy per epoch, same colours; y from "
        "%.3g to %.3g\n- `%s`: confusion matrix%s, rows = true class in the order above, "
        "shade = row share (white 0 %%, dark blue 100 %%)\n\n", lb, loss_lo, loss_hi, ab,
        acc_lo, acc_hi, cb, r->cv_units ? " of files, pooled over the cross-validation folds" :
        r->test_units ? " of files of the test split" : "");
    g_free (lb);
    g_free (ab);
    g_free (cb);
  }
  g_string_append_printf (s, "## Recipe\n\n```ini\n%s%s```\n", recipe->text,
      g_str_has_suffix (recipe->text, "\n") ? "" : "\n");
  g_free (what);
  g_free (augment);
  return g_string_free (s, FALSE);
}

EsTrainRunResult *
es_train_run (const EsRecipe *recipe, const EsTrainRunOptions *options, GError **error)
{
  EsTrainRunOptions defaults;
  const EsTrainRunOptions *o = options;
  const EsDataKind *kind = recipe->data_kind;
  EsTrainRunResult *r = g_new0 (EsTrainRunResult, 1);
  MainTraining main_job = { 0 };
  GThread *main_thread = NULL;
  EsDataset *data = NULL, *tr = NULL, *va = NULL, *te = NULL;
  EsModel *model = NULL;
  EsTrainHistory *history = NULL;
  EsTrainConfig config;
  gpointer augment = NULL;
  GError *err = NULL;
  char *arch = NULL, *out_dir = NULL, *base = NULL;
  gboolean made_out_dir = FALSE;    /* a failed run removes the folder it made (if empty) */
  int *side = NULL, ndim, jobs;
  size_t shape[4];
  gboolean ok = FALSE;

  if (!o) {
    es_train_run_options_init (&defaults);
    o = &defaults;
  }
  jobs = MAX (o->jobs, 1);
  es_train_config_from_recipe (&config, recipe);
  if (o->max_epochs > 0)
    config.max_epochs = o->max_epochs;
  if (o->seed >= 0)
    config.seed = (guint64) o->seed;
  config.jobs = jobs;
  config.on_epoch = o->on_epoch;
  config.on_epoch_data = o->user_data;
  /* Outputs are checked before the data is loaded and hours of training,
   * not after: each writable, none of them one of the run's inputs. */
  out_dir = g_strdup (o->out_dir ? o->out_dir : recipe->output_dir);
  made_out_dir = !g_file_test (out_dir, G_FILE_TEST_EXISTS);
  if (g_mkdir_with_parents (out_dir, 0755) != 0) {
    g_set_error (&err, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA, "cannot create output folder %s: %s",
        out_dir, g_strerror (errno));
    goto out;
  }
  base = g_build_filename (out_dir, recipe->name, NULL);
  r->model_path = g_strconcat (base, ".safetensors", NULL);
  r->card_path = g_strconcat (base, ".md", NULL);
  r->loss_png = g_strconcat (base, "-loss.png", NULL);
  r->accuracy_png = g_strconcat (base, "-accuracy.png", NULL);
  {
    const char *inputs[] = { recipe->path, recipe->data_path, NULL };
    char *cm_png = g_strconcat (base, "-confusion.png", NULL);
    const char *outputs[] = { r->model_path, r->card_path, r->loss_png, r->accuracy_png,
      cm_png
    };
    gboolean writable = TRUE;
    for (gsize i = 0; i < G_N_ELEMENTS (outputs) && writable; i++)
      writable = es_output_check (outputs[i], inputs, &err);
    g_free (cm_png);
    if (!writable)
      goto out;
  }

  if (!(data = es_recipe_load_dataset (recipe, o->read, o->read_data, &err)))
    goto out;
  stage (o, "%zu examples, %d classes, %zu values each%s", data->n, data->n_classes,
      data->input_size, recipe->grouped ? ", grouped split" : "");
  if (kind->augment_new) {
    augment = kind->augment_new (recipe->data_settings, data, &err);
    if (err)
      goto out;
    if (augment) {
      config.augment = kind->augment;
      config.augment_data = augment;
    }
  }
  arch = es_recipe_architecture_for (recipe, data->n_classes);
  if (!(ndim = es_recipe_input_shape (recipe, arch, data, shape, &err)))
    goto out;


  side = g_new (int, data->n);
  if (!es_split_assign (data->labels, recipe->grouped ? data->groups : NULL, data->n,
          data->n_classes, recipe->validation_fraction, recipe->test_fraction, config.seed,
          side, &err))
    goto out;
  tr = pick (data, side, ES_SPLIT_TRAIN);
  va = pick (data, side, ES_SPLIT_VALIDATION);
  te = pick (data, side, ES_SPLIT_TEST);

  /* examples with an image's geometry make an image model */
  if (!(model = es_model_new (recipe->name, arch, data->ndim == 3 && ndim == 3 ?
              ES_MODEL_INPUT_IMAGE : ES_MODEL_INPUT_FEATURES, ndim, shape,
              (const char *const *) data->class_names, &err)))
    goto out;
  es_train_init_net (es_model_get_net (model), config.seed);
  stage (o, "split: %zu train, %zu validation, %zu test", tr->n, va->n, te->n);
  main_job.net = es_model_get_net (model);
  main_job.train = tr;
  main_job.validation = va->n ? va : NULL;
  main_job.config = &config;
  if (o->cross_validate && jobs > 1) {
    /* the model beside the folds: jobs + 1 threads for the first round. The
     * BLAS thread count is process-wide, so it is set here, once. */
    if (config.threads > 0)
      es_nn_set_threads (config.threads);
    config.threads = 0;
    main_thread = g_thread_new ("es-train-model", main_training, &main_job);
  } else {
    main_training (&main_job);
    if (!main_job.ok)
      goto main_done;
  }
  if (o->cross_validate) {
    stage (o, "cross-validation: %d folds%s", recipe->folds,
        jobs > 1 ? ", beside the model's training" : "");
    r->cv = es_cross_validate (arch, ndim, shape, data, recipe->grouped, recipe->folds,
        recipe->validation_fraction / (1.0 - 1.0 / recipe->folds), &config, &err);
  }
main_done:
  if (main_thread)
    g_thread_join (main_thread);
  history = g_steal_pointer (&main_job.history);
  if (!main_job.ok) {
    g_clear_error (&err);
    err = g_steal_pointer (&main_job.error);
    goto out;
  }
  if (o->cross_validate && !r->cv)
    goto out;
  r->epochs = history->n_epochs;
  r->best_epoch = history->best_epoch;
  if (te->n) {
    r->test = es_evaluate (es_model_get_net (model), te, 256);
    if (kind->decision_units) {
      float *probs = es_predict (es_model_get_net (model), te, 256, NULL);
      r->test_units = es_train_unit_metrics (kind, te, probs);
      g_free (probs);
    }
  }
  if (r->cv)
    r->cv_units = cv_units (kind, data, r->cv);

  /* metadata: the front-end and task the data kind describes, a training summary */
  {
    EsFrontendDesc fe;
    EsDatasetOptions dopt;
    const char *task = "";
    EsModelTag tag = ES_MODEL_TAG_NONE;
    char *text;
    gboolean set;

    es_recipe_dataset_options (recipe, &dopt);
    es_frontend_desc_init (&fe, ES_FRONTEND_SOURCE_NONE);
    if (kind->describe)
      kind->describe (recipe->data_settings, &dopt, data, &fe, &task, &tag);
    set = es_model_set_frontend_desc (model, &fe, &err);
    es_frontend_desc_clear (&fe);
    if (!set)
      goto out;
    es_model_set_task (model, task);
    es_model_set_tag (model, tag);
    if (kind->background_label
        && !es_model_set_background_label (model,
            kind->background_label (recipe->data_settings), &err))
      goto out;
    text = training_json (recipe, &config, history, r->test, r->cv, r->test_units,
        r->cv_units);
    set = es_model_set_training (model, text, &err);
    g_free (text);
    if (!set)
      goto out;
  }
  if (!es_model_save (model, r->model_path, &err))
    goto out;
  {
    EsPlotSeries loss[2] = { {history->train_loss, history->n_epochs, ES_PLOT_BLUE},
    {history->val_loss, history->n_epochs, ES_PLOT_ORANGE}
    };
    EsPlotSeries acc[2] = { {history->train_accuracy, history->n_epochs, ES_PLOT_BLUE},
    {history->val_accuracy, history->n_epochs, ES_PLOT_ORANGE}
    };
    double loss_lo = 0, loss_hi = 0, acc_lo = 0, acc_hi = 1;
    /* files rather than windows when the kind decides on files */
    EsMetrics *cm_source = r->cv_units ? r->cv_units->pooled : r->test_units ? r->test_units
        : r->test ? r->test : (r->cv ? r->cv->pooled : NULL);
    char *cm_png = g_strconcat (base, "-confusion.png", NULL);

    if (!es_plot_lines_write (r->loss_png, loss, 2, 800, 500, &loss_lo, &loss_hi, &err)
        || !es_plot_lines_write (r->accuracy_png, acc, 2, 800, 500, &acc_lo, &acc_hi, &err)
        || (cm_source && !es_plot_confusion_write (cm_png, cm_source->confusion,
                cm_source->n_classes, 48, &err))) {
      g_free (cm_png);
      goto out;
    }
    r->confusion_png = cm_png;
    r->card = card_text (recipe, &config, data, tr->n, va->n, te->n, history, r, loss_lo,
        loss_hi, acc_lo, acc_hi);
    if (!cm_source)
      g_clear_pointer (&r->confusion_png, g_free);
    if (!es_output_write_file (r->card_path, r->card, strlen (r->card), &err))
      goto out;
  }
  ok = TRUE;

out:
  if (!ok && made_out_dir)
    g_rmdir (out_dir);
  g_clear_error (&main_job.error);
  es_train_history_free (main_job.history);
  es_train_history_free (history);
  es_dataset_free (data);
  es_dataset_free (tr);
  es_dataset_free (va);
  es_dataset_free (te);
  es_model_free (model);
  if (augment)
    kind->augment_free (augment);
  g_free (arch);
  g_free (side);
  g_free (out_dir);
  g_free (base);
  if (!ok) {
    if (!err)
      g_set_error (&err, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA, "training failed");
    g_propagate_error (error, err);
    es_train_run_result_free (r);
    return NULL;
  }
  return r;
}
