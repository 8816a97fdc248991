/* earshot train / earshot eval.
 *
 *   earshot train RECIPE [--cv] [--jobs N] [--out DIR] [--epochs N] [--seed N] [--quiet]
 *   earshot eval MODEL DATA [--json]
 *
 * train runs the library's training run (train/run.h: split, training,
 * cross-validation, the model, its card and plots) and shows its progress;
 * eval scores a model on labelled data: a recipe (its [data]), or anything a
 * data kind reads for the model's front-end (an IEM folder or index.csv, a
 * table CSV). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>

#include "audio-decode.h"
#include "commands.h"
#include "model/model.h"
#include "tasks/tasks.h"
#include "train/datakind.h"
#include "train/recipe.h"
#include "train/run.h"
#include "train/train.h"
#include "io/text.h"

#define EXIT_OK 0
#define EXIT_FAILURE_RUN 1
#define EXIT_USAGE 2

typedef struct {
  gboolean quiet, tty;
  gboolean pending;             /* an epoch line is on the terminal without its newline */
  GMutex lock;                  /* lines from trainings running at once */
} Progress;

static void
on_epoch (const EsEpochReport *r, gpointer data)
{
  Progress *p = data;
  char fold[32] = "";
  if (p->quiet)
    return;
  g_mutex_lock (&p->lock);
  if (r->fold >= 0)
    g_snprintf (fold, sizeof fold, "fold %d ", r->fold + 1);
  fprintf (stderr, "%s%sepoch %3d/%d  loss %.4f  acc %.3f", p->tty ? "\r\033[K" : "", fold,
      r->epoch, r->max_epochs, r->train_loss, r->train_accuracy);
  if (!isnan (r->val_loss))
    fprintf (stderr, " | val loss %.4f  acc %.3f  F1 %.3f", r->val_loss, r->val_accuracy,
        r->val_macro_f1);
  fprintf (stderr, "  lr %.2g%s%s", r->lr, r->best ? " *" : "", p->tty ? "" : "\n");
  p->pending = p->tty;
  fflush (stderr);
  g_mutex_unlock (&p->lock);
}

/* Ends an epoch line left open on a terminal (lock held or single thread). */
static void
end_epoch_line (Progress * p)
{
  if (p->pending)
    fputc ('\n', stderr);
  p->pending = FALSE;
}

static void
on_stage (const char *line, gpointer data)
{
  Progress *p = data;
  if (p->quiet)
    return;
  g_mutex_lock (&p->lock);
  end_epoch_line (p);
  fprintf (stderr, "earshot train: %s\n", line);
  g_mutex_unlock (&p->lock);
}

/* The reader of files the library cannot decode (audio data): GStreamer,
 * mono float32 at the front-end's rate. */
static gboolean
read_audio (const char *path, const EsFrontendDesc *frontend, float **values, size_t *n_values,
    gpointer user_data, GError **error)
{
  static gsize inited = 0;
  static gboolean gst_ok;
  static GError *gst_error;

  if (g_once_init_enter (&inited)) {
    gst_ok = gst_init_check (NULL, NULL, &gst_error);
    g_once_init_leave (&inited, 1);
  }
  if (!gst_ok) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA, "cannot start GStreamer to "
        "decode audio: %s", gst_error ? gst_error->message : "unknown error");
    return FALSE;
  }
  *values = es_audio_decode_file (path, frontend->rate, 0, n_values, error);
  return *values != NULL;
}

int
es_cmd_train (int argc, char **argv)
{
  gboolean cv = FALSE, quiet = FALSE;
  gint jobs = 1, epochs = -1;
  gint64 seed = G_MININT64;
  gchar *out_dir = NULL;
  GOptionEntry entries[] = {
    {"cv", 0, 0, G_OPTION_ARG_NONE, &cv,
        "Also run k-fold cross-validation ([split] folds)", NULL},
    {"jobs", 0, 0, G_OPTION_ARG_INT, &jobs,
          "With --cv: train up to N networks at once, one thread each (the model and "
          "the folds; default 1); the figures do not change", "N"},
    {"out", 0, 0, G_OPTION_ARG_FILENAME, &out_dir,
        "Output folder (default: [output] dir of the recipe)", "DIR"},
    {"epochs", 0, 0, G_OPTION_ARG_INT, &epochs, "Instead of [train] max_epochs", "N"},
    {"seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Instead of [train] seed", "N"},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "No progress output", NULL},
    {NULL}
  };
  GOptionContext *context = g_option_context_new ("RECIPE - train a model from a recipe");
  Progress progress = { FALSE, isatty (2), FALSE };
  EsTrainRunOptions run;
  EsTrainRunResult *result = NULL;
  EsRecipe *recipe = NULL;
  GError *err = NULL;
  int status = EXIT_USAGE;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context,
      "Trains a model from a recipe (docs/train.md) and writes NAME.safetensors,\n"
      "a model card NAME.md and PNG plots into the recipe's output folder.");
  g_option_context_set_description (context,
      "Exit status: 0 done, 1 error (the message names the file, group and key), "
      "2 usage.");
  g_mutex_init (&progress.lock);
  if (!g_option_context_parse (context, &argc, &argv, &err)) {
    fprintf (stderr, "earshot train: %s\n", err->message);
    goto out;
  }
  if (argc != 2) {
    fprintf (stderr, argc < 2 ? "earshot train: which recipe? (see --help)\n" :
        "earshot train: one recipe only ('%s' is extra)\n", argc > 2 ? argv[2] : "");
    goto out;
  }
  if (jobs < 1 || jobs > 64 || epochs == 0 || epochs < -1 || (seed < 0 && seed != G_MININT64)
      || (out_dir && !*out_dir)) {
    fprintf (stderr, "earshot train: --jobs takes 1 to 64, --epochs and --seed a number "
        ">= 1 and >= 0, --out a folder\n");
    goto out;
  }
  if (jobs > 1 && !cv) {
    /* one training is one thread of networks; its BLAS threads are the
     * recipe's [train] threads */
    fprintf (stderr, "earshot train: --jobs applies to --cv (one training uses the "
        "recipe's [train] threads)\n");
    goto out;
  }
  progress.quiet = quiet;
  status = EXIT_FAILURE_RUN;

  es_tasks_register_builtin ();
  if (!(recipe = es_recipe_load (argv[1], &err)))
    goto fail;
  es_train_run_options_init (&run);
  run.out_dir = out_dir;
  run.cross_validate = cv;
  run.jobs = jobs;
  run.max_epochs = epochs;
  run.seed = seed == G_MININT64 ? -1 : seed;
  run.on_epoch = on_epoch;
  run.on_stage = on_stage;
  run.user_data = &progress;
  run.read = read_audio;
  result = es_train_run (recipe, &run, &err);
  if (!progress.quiet)
    end_epoch_line (&progress);
  if (!result)
    goto fail;
  if (result->test)
    printf ("test: accuracy %.2f %%, macro-F1 %.3f, MAP@3 %.2f %% (%zu examples)\n",
        100 * result->test->accuracy, result->test->macro_f1, 100 * result->test->map3,
        result->test->n);
  if (result->cv)
    printf ("cv %d-fold: accuracy %.2f ± %.2f %%, macro-F1 %.3f ± %.3f\n", result->cv->k,
        100 * result->cv->accuracy_mean, 100 * result->cv->accuracy_std,
        result->cv->macro_f1_mean, result->cv->macro_f1_std);
  if (result->test_units)
    printf ("test, whole files: accuracy %.2f %%, macro-F1 %.3f (%zu files)\n",
        100 * result->test_units->accuracy, result->test_units->macro_f1,
        result->test_units->n);
  if (result->cv_units)
    printf ("cv %d-fold, whole files: accuracy %.2f ± %.2f %% (pooled %.2f %%), macro-F1 "
        "%.3f ± %.3f (pooled %.3f)\n", result->cv_units->k,
        100 * result->cv_units->accuracy_mean, 100 * result->cv_units->accuracy_std,
        100 * result->cv_units->pooled->accuracy, result->cv_units->macro_f1_mean,
        result->cv_units->macro_f1_std, result->cv_units->pooled->macro_f1);
  printf ("wrote %s, %s, %s, %s%s%s\n", result->model_path, result->card_path,
      result->loss_png, result->accuracy_png, result->confusion_png ? ", " : "",
      result->confusion_png ? result->confusion_png : "");
  status = EXIT_OK;
  goto out;

fail:
  fprintf (stderr, "earshot train: %s\n", err ? err->message : "failed");
out:
  g_clear_error (&err);
  es_train_run_result_free (result);
  es_recipe_free (recipe);
  g_mutex_clear (&progress.lock);
  g_option_context_free (context);
  g_free (out_dir);
  return status;
}

/* ---- eval ---- */

/* Settings of a kind that reads `path` for `model` (a recipe's first), or
 * NULL; *kind_out says whose. */
static gpointer
eval_settings (const EsModel *model, const char *path, const EsRecipe *recipe,
    const EsDataKind **kind_out)
{
  const EsFrontendDesc *fe = es_model_get_frontend_desc (model);
  const char **names;
  gpointer settings = NULL;

  if (recipe && recipe->data_kind->settings_for_model
      && (settings = recipe->data_kind->settings_for_model (fe, path, recipe->data_settings))) {
    *kind_out = recipe->data_kind;
    return settings;
  }
  names = es_data_kind_names ();
  for (const char **n = names; *n && !settings; n++) {
    const EsDataKind *k = es_data_kind_lookup (*n);
    if (k->settings_for_model && (settings = k->settings_for_model (fe, path, NULL)))
      *kind_out = k;
  }
  g_free (names);
  return settings;
}

int
es_cmd_eval (int argc, char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    {"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL},
    {NULL}
  };
  GOptionContext *context = g_option_context_new ("MODEL DATA - score a model on labelled "
      "data");
  const char *model_arg, *data_arg;
  EsModel *model = NULL;
  EsDataset *d = NULL;
  EsMetrics *m = NULL, *um = NULL;
  EsRecipe *recipe = NULL;
  const EsDataKind *kind = NULL;
  gpointer settings = NULL;
  GError *err = NULL;
  int status = EXIT_USAGE;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context,
      "Scores a model (file or name) on labelled data and prints accuracy, macro-F1,\n"
      "MAP@3, per-class figures and the confusion matrix. DATA is a recipe (its\n"
      "[data] group), an IEM folder or its index.csv, or a table CSV with a\n"
      "'label' column. Classes are matched to the model's labels by name.");
  g_option_context_set_description (context, "Exit status: 0 done, 1 error, 2 usage.");
  if (!g_option_context_parse (context, &argc, &argv, &err)) {
    fprintf (stderr, "earshot eval: %s\n", err->message);
    goto out;
  }
  if (argc != 3) {
    fprintf (stderr, "earshot eval: expected MODEL and DATA (see --help)\n");
    goto out;
  }
  model_arg = argv[1];
  data_arg = argv[2];
  status = EXIT_FAILURE_RUN;
  es_tasks_register_builtin ();
  if (!(model = es_model_load (model_arg, &err)))
    goto fail;
  if (g_str_has_suffix (data_arg, ".recipe") || g_str_has_suffix (data_arg, ".ini")) {
    if (!(recipe = es_recipe_load (data_arg, &err)))
      goto fail;
    data_arg = recipe->data_path;
  }
  if (!(settings = eval_settings (model, data_arg, recipe, &kind))) {
    g_set_error (&err, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA, "%s: no data kind reads it as "
        "input of model '%s' (front-end source %s)", data_arg, es_model_get_name (model),
        es_frontend_source_name (es_model_get_frontend_desc (model)->source));
    goto fail;
  }
  {
    EsDatasetOptions o = { 0 };
    EsDataLoad load = { 0 };
    if (recipe)
      es_recipe_dataset_options (recipe, &o);
    o.class_names = es_model_get_labels (model);
    load.path = data_arg;
    load.options = &o;
    load.settings = settings;
    load.seed = recipe ? recipe->seed : 1;
    load.read = read_audio;
    if (!(d = kind->load (&load, &err)))
      goto fail;
  }
  if (d->input_size != es_net_get_input_size (es_model_get_net (model))) {
    g_set_error (&err, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
        "%s: %zu values per example, the model expects %zu", data_arg, d->input_size,
        es_net_get_input_size (es_model_get_net (model)));
    goto fail;
  }
  m = es_evaluate (es_model_get_net (model), d, 256);
  if (kind->decision_units) {
    /* whole files: the mean of their windows' probabilities */
    float *probs = es_predict (es_model_get_net (model), d, 256, NULL);
    um = es_train_unit_metrics (kind, d, probs);
    g_free (probs);
  }
  if (json) {
    JsonBuilder *b = json_builder_new ();
    JsonGenerator *g = json_generator_new ();
    JsonParser *p = json_parser_new ();
    JsonNode *root;
    char *text = es_metrics_to_json (m);

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "model");
    json_builder_add_string_value (b, es_model_get_name (model));
    json_builder_set_member_name (b, "labels");
    json_builder_begin_array (b);
    for (int c = 0; c < d->n_classes; c++)
      json_builder_add_string_value (b, d->class_names[c]);
    json_builder_end_array (b);
    json_builder_set_member_name (b, "metrics");
    json_parser_load_from_data (p, text, -1, NULL);
    json_builder_add_value (b, json_node_copy (json_parser_get_root (p)));
    g_free (text);
    json_builder_set_member_name (b, "per_class");
    json_builder_begin_array (b);
    for (int c = 0; c < d->n_classes; c++) {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "label");
      json_builder_add_string_value (b, d->class_names[c]);
      json_builder_set_member_name (b, "precision");
      json_builder_add_double_value (b, m->precision[c]);
      json_builder_set_member_name (b, "recall");
      json_builder_add_double_value (b, m->recall[c]);
      json_builder_set_member_name (b, "f1");
      json_builder_add_double_value (b, m->f1[c]);
      json_builder_set_member_name (b, "support");
      json_builder_add_int_value (b, m->support[c]);
      json_builder_end_object (b);
    }
    json_builder_end_array (b);
    if (um) {
      text = es_metrics_to_json (um);
      json_builder_set_member_name (b, "file_metrics");
      json_parser_load_from_data (p, text, -1, NULL);
      json_builder_add_value (b, json_node_copy (json_parser_get_root (p)));
      g_free (text);
    }
    json_builder_end_object (b);
    root = json_builder_get_root (b);
    json_generator_set_root (g, root);
    json_generator_set_pretty (g, TRUE);
    text = es_text_json_repair_numbers (json_generator_to_data (g, NULL));
    printf ("%s\n", text);
    g_free (text);
    json_node_unref (root);
    g_object_unref (p);
    g_object_unref (g);
    g_object_unref (b);
  } else {
    char *cm = es_metrics_format_confusion (m, (const char *const *) d->class_names, FALSE);
    printf ("model %s on %s: %zu examples\n", es_model_get_name (model), data_arg, m->n);
    printf ("accuracy %.2f %%  macro-F1 %.3f  MAP@3 %.2f %%  loss %.4f\n\n", 100 * m->accuracy,
        m->macro_f1, 100 * m->map3, m->loss);
    printf ("%-12s %9s %9s %9s %8s\n", "class", "precision", "recall", "F1", "support");
    for (int c = 0; c < d->n_classes; c++)
      printf ("%-12s %9.3f %9.3f %9.3f %8zu\n", d->class_names[c], m->precision[c],
          m->recall[c], m->f1[c], m->support[c]);
    printf ("\n%s", cm);
    g_free (cm);
    if (um) {
      cm = es_metrics_format_confusion (um, (const char *const *) d->class_names, FALSE);
      printf ("\nwhole files (mean of window probabilities): %zu files\n"
          "accuracy %.2f %%  macro-F1 %.3f\n\n%s", um->n, 100 * um->accuracy, um->macro_f1,
          cm);
      g_free (cm);
    }
  }
  status = EXIT_OK;
  goto out;

fail:
  fprintf (stderr, "earshot eval: %s\n", err ? err->message : "failed");
out:
  g_clear_error (&err);
  if (settings && kind->free_settings)
    kind->free_settings (settings);
  es_metrics_free (m);
  es_metrics_free (um);
  es_dataset_free (d);
  es_recipe_free (recipe);
  es_model_free (model);
  g_option_context_free (context);
  return status;
}
