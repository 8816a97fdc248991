/* earshot train / earshot eval.
 *
 *   earshot train RECIPE [--cv] [--jobs N] [--out DIR] [--epochs N] [--seed N] [--quiet]
 *   earshot eval MODEL DATA [--json]
 *
 * train: loads the recipe's data, splits it (grouped or stratified) into
 * train / validation / test, trains with a progress line per epoch on stderr,
 * scores the held-out test part and writes, in the output folder:
 * NAME.safetensors (the model), NAME.md (model card), NAME-loss.png,
 * NAME-accuracy.png and NAME-confusion.png. --cv adds k-fold cross-validation
 * (the recipe's folds) with per-fold and mean ± std figures in the card.
 * eval: scores a model on labelled data: a recipe (its [data]), an IEM folder
 * or index.csv, or a table CSV. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "commands.h"
#include "runtime.h"
#include "io/output.h"
#include "io/plot.h"
#include "tasks/iem/dataset-iem.h"
#include "tasks/iem/fraugment.h"
#include "model/model.h"
#include "train/recipe.h"
#include "train/train.h"

static void
train_usage (FILE *out)
{
  fprintf (out,
      "Usage: earshot train RECIPE [--cv] [--jobs N] [--out DIR] [--epochs N] [--seed N]\n"
      "       [--quiet]\n"
      "\n"
      "Train a model from a recipe (docs/train.md) and write NAME.safetensors,\n"
      "a model card NAME.md and PNG plots into the recipe's output folder.\n"
      "\n"
      "Options:\n"
      "  --cv        also run k-fold cross-validation ([split] folds)\n"
      "  --jobs N    with --cv: train up to N networks at once, one thread each (the\n"
      "              model and the folds; default 1); the figures do not change\n"
      "  --out DIR   output folder (default: [output] dir of the recipe)\n"
      "  --epochs N  override [train] max_epochs\n"
      "  --seed N    override [train] seed\n"
      "  --quiet     no progress output\n"
      "  -h, --help  show this help\n");
}

typedef struct {
  gboolean quiet, tty;
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
  fflush (stderr);
  g_mutex_unlock (&p->lock);
}

/* The shipped model's training, run on its own thread beside the
 * cross-validation folds when --jobs allows. */
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

static void
metrics_json (JsonBuilder *b, const char *member, const EsMetrics *m)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "n");
  json_builder_add_int_value (b, m->n);
  json_builder_set_member_name (b, "accuracy");
  json_builder_add_double_value (b, m->accuracy);
  json_builder_set_member_name (b, "macro_f1");
  json_builder_add_double_value (b, m->macro_f1);
  json_builder_set_member_name (b, "map3");
  json_builder_add_double_value (b, m->map3);
  if (!isnan (m->loss)) {
    json_builder_set_member_name (b, "loss");
    json_builder_add_double_value (b, m->loss);
  }
  json_builder_set_member_name (b, "confusion");
  json_builder_begin_array (b);
  for (int t = 0; t < m->n_classes; t++) {
    json_builder_begin_array (b);
    for (int p = 0; p < m->n_classes; p++)
      json_builder_add_int_value (b, m->confusion[(size_t) t * m->n_classes + p]);
    json_builder_end_array (b);
  }
  json_builder_end_array (b);
  json_builder_end_object (b);
}

static char *
builder_to_string (JsonBuilder *b, gboolean pretty)
{
  JsonGenerator *g = json_generator_new ();
  JsonNode *root = json_builder_get_root (b);
  char *text;
  json_generator_set_pretty (g, pretty);
  json_generator_set_root (g, root);
  text = json_generator_to_data (g, NULL);
  json_node_unref (root);
  g_object_unref (g);
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

int
es_cmd_train (int argc, char **argv)
{
  const char *recipe_path = NULL, *out_opt = NULL;
  gboolean cv = FALSE;
  gint64 epochs = 0, seed = -1, jobs = 1;
  Progress progress = { FALSE, isatty (2) };
  MainTraining main_job = { 0 };
  GThread *main_thread = NULL;
  EsRecipe *recipe = NULL;
  EsDataset *data = NULL, *tr = NULL, *va = NULL, *te = NULL;
  EsModel *model = NULL;
  EsMetrics *test_metrics = NULL;
  EsCvResult *cvr = NULL;
  EsTrainHistory *history = NULL;
  EsTrainConfig config;
  EsFrAugment *augment = NULL;
  GError *err = NULL;
  char *arch = NULL, *out_dir = NULL, *model_path = NULL, *card_path = NULL;
  char *loss_png = NULL, *acc_png = NULL, *cm_png = NULL;
  int *side = NULL, ndim, status = 1;
  size_t shape[4];

  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp (a, "-h") || !strcmp (a, "--help")) {
      train_usage (stdout);
      return 0;
    } else if (!strcmp (a, "--cv")) {
      cv = TRUE;
    } else if (!strcmp (a, "--quiet")) {
      progress.quiet = TRUE;
    } else if (!strcmp (a, "--out") || !strcmp (a, "--epochs") || !strcmp (a, "--seed")
        || !strcmp (a, "--jobs")) {
      if (i + 1 >= argc) {
        fprintf (stderr, "earshot train: %s needs a value\n", a);
        return 2;
      }
      if (!strcmp (a, "--out"))
        out_opt = argv[++i];
      else if (!g_ascii_string_to_signed (argv[++i], 10, !strcmp (a, "--seed") ? 0 : 1,
              !strcmp (a, "--jobs") ? 64 : G_MAXINT32,
              !strcmp (a, "--seed") ? &seed : !strcmp (a, "--jobs") ? &jobs : &epochs, NULL)) {
        fprintf (stderr, "earshot train: %s: '%s' is not a valid number\n", a, argv[i]);
        return 2;
      }
    } else if (a[0] == '-' && a[1]) {
      fprintf (stderr, "earshot train: unknown option '%s'\n\n", a);
      train_usage (stderr);
      return 2;
    } else if (!recipe_path) {
      recipe_path = a;
    } else {
      fprintf (stderr, "earshot train: one recipe only ('%s' is extra)\n", a);
      return 2;
    }
  }
  if (!recipe_path) {
    train_usage (stderr);
    return 2;
  }
  if (jobs > 1 && !cv) {
    /* one training is one thread of networks; its BLAS threads are the
     * recipe's [train] threads */
    fprintf (stderr, "earshot train: --jobs applies to --cv (one training uses the "
        "recipe's [train] threads)\n");
    return 2;
  }

  g_mutex_init (&progress.lock);
  if (!(recipe = es_recipe_load (recipe_path, &err)))
    goto fail;
  /* Outputs are checked before loading the data and hours of training. */
  out_dir = g_strdup (out_opt ? out_opt : recipe->output_dir);
  if (g_mkdir_with_parents (out_dir, 0755) != 0) {
    g_set_error (&err, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA, "cannot create output folder %s: %s",
        out_dir, g_strerror (errno));
    goto fail;
  }
  {
    char *base = g_build_filename (out_dir, recipe->name, NULL);
    model_path = g_strconcat (base, ".safetensors", NULL);
    card_path = g_strconcat (base, ".md", NULL);
    loss_png = g_strconcat (base, "-loss.png", NULL);
    acc_png = g_strconcat (base, "-accuracy.png", NULL);
    cm_png = g_strconcat (base, "-confusion.png", NULL);
    g_free (base);
  }
  {
    /* each output writable and none of the inputs, before hours of training */
    const char *inputs[] = { recipe_path, recipe->data_path, NULL };
    const char *outputs[] = { model_path, card_path, loss_png, acc_png, cm_png };
    for (gsize i = 0; i < G_N_ELEMENTS (outputs); i++)
      if (!es_cli_check_output ("earshot train", outputs[i], inputs))
        goto out;
  }

  es_train_config_from_recipe (&config, recipe);
  if (epochs > 0)
    config.max_epochs = (int) epochs;
  if (seed >= 0)
    config.seed = (guint64) seed;
  config.jobs = (int) jobs;
  config.on_epoch = on_epoch;
  config.on_epoch_data = &progress;
  if (!(data = es_recipe_load_dataset (recipe, &err)))
    goto fail;
  if (!progress.quiet)
    fprintf (stderr, "earshot train: %zu examples, %d classes, %zu values each%s\n", data->n,
        data->n_classes, data->input_size, recipe->grouped ? ", grouped split" : "");
  if (recipe->augment) {
    if (!(augment = es_fr_augment_new (&recipe->augment_config, data, &err)))
      goto fail;
    config.augment = es_fr_augment_batch;
    config.augment_data = augment;
  }
  arch = es_recipe_architecture_for (recipe, data->n_classes);
  if (!(ndim = es_recipe_input_shape (recipe, arch, data->input_size, shape, &err)))
    goto fail;

  side = g_new (int, data->n);
  if (!es_split_assign (data->labels, recipe->grouped ? data->groups : NULL, data->n,
          data->n_classes, recipe->validation_fraction, recipe->test_fraction, config.seed,
          side, &err))
    goto fail;
  tr = pick (data, side, ES_SPLIT_TRAIN);
  va = pick (data, side, ES_SPLIT_VALIDATION);
  te = pick (data, side, ES_SPLIT_TEST);

  if (!(model = es_model_new (recipe->name, arch,
              recipe->data_kind == ES_RECIPE_DATA_IEM_GRAPH ? ES_MODEL_INPUT_IMAGE
              : ES_MODEL_INPUT_FEATURES, ndim, shape,
              (const char *const *) data->class_names, &err)))
    goto fail;
  es_train_init_net (es_model_get_net (model), config.seed);
  if (!progress.quiet)
    fprintf (stderr, "split: %zu train, %zu validation, %zu test\n", tr->n, va->n, te->n);
  main_job.net = es_model_get_net (model);
  main_job.train = tr;
  main_job.validation = va->n ? va : NULL;
  main_job.config = &config;
  if (cv && jobs > 1) {
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
    if (progress.tty && !progress.quiet)
      fputc ('\n', stderr);
  }

  if (cv) {
    if (!progress.quiet)
      fprintf (stderr, "cross-validation: %d folds%s\n", recipe->folds,
          jobs > 1 ? ", beside the model's training" : "");
    cvr = es_cross_validate (arch, ndim, shape, data, recipe->grouped, recipe->folds,
        recipe->validation_fraction / (1.0 - 1.0 / recipe->folds), &config, &err);
    if (progress.tty && !progress.quiet)
      fputc ('\n', stderr);
  }
main_done:
  if (main_thread)
    g_thread_join (main_thread);
  history = g_steal_pointer (&main_job.history);
  if (!main_job.ok) {
    g_clear_error (&err);
    err = g_steal_pointer (&main_job.error);
    goto fail;
  }
  if (cv && !cvr)
    goto fail;
  if (te->n)
    test_metrics = es_evaluate (es_model_get_net (model), te, 256);

  /* metadata: front end and a training summary */
  {
    JsonBuilder *b = json_builder_new ();
    char *text;
    json_builder_begin_object (b);
    if (recipe->data_kind == ES_RECIPE_DATA_IEM
        || recipe->data_kind == ES_RECIPE_DATA_IEM_GRAPH) {
      /* CSV -> frsrc at the model's grid, mean removed */
      json_builder_set_member_name (b, "source");
      json_builder_add_string_value (b, "frsrc");
      json_builder_set_member_name (b, "points");
      json_builder_add_int_value (b, recipe->points);
      json_builder_set_member_name (b, "fmin");
      json_builder_add_double_value (b, recipe->fmin);
      json_builder_set_member_name (b, "fmax");
      json_builder_add_double_value (b, recipe->fmax);
      json_builder_set_member_name (b, "remove_mean");
      json_builder_add_boolean_value (b, TRUE);
      if (recipe->data_kind == ES_RECIPE_DATA_IEM_GRAPH) {
        /* ... ! spectrogramimager (graph) at the model's size; images of
         * graphs -> grey, resized by area averaging */
        json_builder_set_member_name (b, "image");
        json_builder_add_string_value (b, "graph");
        json_builder_set_member_name (b, "db_min");
        json_builder_add_double_value (b, -30.0);
        json_builder_set_member_name (b, "db_max");
        json_builder_add_double_value (b, 30.0);
        json_builder_set_member_name (b, "resize");
        json_builder_add_string_value (b, "area");
      }
    } else {
      json_builder_set_member_name (b, "source");
      json_builder_add_string_value (b, "table");
      json_builder_set_member_name (b, "features");
      json_builder_add_int_value (b, data->input_size);
      /* what eval needs to pick the same columns from a table again */
      json_builder_set_member_name (b, "label_column");
      json_builder_add_string_value (b, recipe->label_column);
      if (recipe->group_columns) {
        json_builder_set_member_name (b, "group_columns");
        json_builder_add_string_value (b, recipe->group_columns);
      }
      if (recipe->feature_columns) {
        json_builder_set_member_name (b, "feature_columns");
        json_builder_add_string_value (b, recipe->feature_columns);
      }
    }
    json_builder_end_object (b);
    text = builder_to_string (b, FALSE);
    g_object_unref (b);
    if (!es_model_set_frontend (model, text, &err)) {
      g_free (text);
      goto fail;
    }
    g_free (text);

    b = json_builder_new ();
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "seed");
    json_builder_add_int_value (b, config.seed);
    json_builder_set_member_name (b, "epochs");
    json_builder_add_int_value (b, history->n_epochs);
    json_builder_set_member_name (b, "best_epoch");
    json_builder_add_int_value (b, history->best_epoch);
    json_builder_set_member_name (b, "split");
    json_builder_add_string_value (b, recipe->grouped ? "grouped" : "stratified");
    if (test_metrics)
      metrics_json (b, "test", test_metrics);
    if (cvr) {
      json_builder_set_member_name (b, "cv");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "folds");
      json_builder_add_int_value (b, cvr->k);
      json_builder_set_member_name (b, "accuracy_mean");
      json_builder_add_double_value (b, cvr->accuracy_mean);
      json_builder_set_member_name (b, "accuracy_std");
      json_builder_add_double_value (b, cvr->accuracy_std);
      json_builder_set_member_name (b, "macro_f1_mean");
      json_builder_add_double_value (b, cvr->macro_f1_mean);
      json_builder_set_member_name (b, "macro_f1_std");
      json_builder_add_double_value (b, cvr->macro_f1_std);
      json_builder_set_member_name (b, "map3_mean");
      json_builder_add_double_value (b, cvr->map3_mean);
      json_builder_set_member_name (b, "map3_std");
      json_builder_add_double_value (b, cvr->map3_std);
      json_builder_end_object (b);
    }
    json_builder_end_object (b);
    text = builder_to_string (b, FALSE);
    g_object_unref (b);
    if (!es_model_set_training (model, text, &err)) {
      g_free (text);
      goto fail;
    }
    g_free (text);
  }

  if (!es_model_save (model, model_path, &err))
    goto fail;
  {
    EsPlotSeries loss[2] = { {history->train_loss, history->n_epochs, ES_PLOT_BLUE},
    {history->val_loss, history->n_epochs, ES_PLOT_ORANGE}
    };
    EsPlotSeries acc[2] = { {history->train_accuracy, history->n_epochs, ES_PLOT_BLUE},
    {history->val_accuracy, history->n_epochs, ES_PLOT_ORANGE}
    };
    double loss_lo = 0, loss_hi = 0, acc_lo = 0, acc_hi = 1;
    GString *s = g_string_new (NULL);
    EsMetrics *cm_source = test_metrics ? test_metrics : (cvr ? cvr->pooled : NULL);

    if (!es_plot_lines_write (loss_png, loss, 2, 800, 500, &loss_lo, &loss_hi, &err)
        || !es_plot_lines_write (acc_png, acc, 2, 800, 500, &acc_lo, &acc_hi, &err)
        || (cm_source && !es_plot_confusion_write (cm_png, cm_source->confusion,
                cm_source->n_classes, 48, &err))) {
      g_string_free (s, TRUE);
      goto fail;
    }

    g_string_append_printf (s, "# %s\n\nTrained by `earshot train` (earshot %s).\n\n## Data\n\n",
        recipe->name, VERSION);
    g_string_append_printf (s, "- source: `%s`, relative to the recipe (%s), %zu examples "
        "of %zu values\n", recipe->data_path_as_written, recipe->data_kind == ES_RECIPE_DATA_IEM ? "IEM measurements"
        : recipe->data_kind == ES_RECIPE_DATA_IEM_GRAPH ? (recipe->varied_look ?
            "IEM measurements drawn as graphs, each in a look of its own" :
            "IEM measurements drawn as graphs in the seed's look") : "table",
        data->n, data->input_size);
    {
      size_t *counts = es_dataset_class_counts (data);
      g_string_append (s, "- classes:");
      for (int c = 0; c < data->n_classes; c++)
        g_string_append_printf (s, " %s %zu%s", data->class_names[c], counts[c],
            c + 1 < data->n_classes ? "," : "\n");
      g_free (counts);
    }
    g_string_append_printf (s, "- split: %s%s%s, %zu train / %zu validation / %zu test\n\n",
        recipe->grouped ? "grouped by " : "stratified",
        recipe->grouped ? recipe->group_columns : "", "", tr->n, va->n, te->n);
    g_string_append_printf (s, "## Training\n\n- %s, learning rate %g, weight decay %g, batch %zu, "
        "seed %" G_GUINT64_FORMAT "\n- %d epochs run, weights of epoch %d kept (lowest validation "
        "loss)\n\n", recipe->optimizer == ES_RECIPE_OPTIMIZER_SGD ? "SGD" : "Adam",
        recipe->learning_rate, recipe->weight_decay, recipe->batch_size, config.seed,
        history->n_epochs, history->best_epoch);
    if (recipe->ema_decay > 0) {
      g_string_truncate (s, s->len - 1);        /* continue the list */
      g_string_append_printf (s, "- the weights validated and kept are the exponential "
          "moving average of the training steps (decay %g, train/ema.h)\n\n", recipe->ema_decay);
    }
    if (recipe->augment) {
      const EsFrAugmentConfig *ac = &recipe->augment_config;
      g_string_truncate (s, s->len - 1);        /* continue the list */
      g_string_append_printf (s, "- augmentation of training batches (tasks/iem/fraugment.h): "
          "%.0f %% of drawn examples get their raw rows perturbed (shelves up to %g dB, "
          "tilt up to %g dB/octave, up to two peaks/dips of %g dB, ripple %g dB, grid "
          "shift %g octave) and are relabelled by the rule", 100 * ac->probability,
          ac->shelf_db, ac->tilt_db, ac->peak_db, ac->ripple_db, ac->jitter);
      if (recipe->data_kind == ES_RECIPE_DATA_IEM_GRAPH && ac->looks > 0)
        g_string_append_printf (s, "; perturbed examples and %.0f %% of the others are drawn "
            "again in a random look (size, aspect, line width and colour, grid, offset up to "
            "%g dB)", 100 * ac->looks, ac->offset_db);
      if (ac->label_softness > 0)
        g_string_append_printf (s, "; every training example is scored against soft rule "
            "targets: each 3 dB test of the rule passes with probability "
            "1/(1+exp(-(diff-3)/%g)) (label_softness, dB)", ac->label_softness);
      g_string_append (s, "\n\n");
    }
    if (test_metrics) {
      g_string_append (s, "## Held-out test split\n\n");
      card_metrics (s, test_metrics, data->class_names);
    }
    if (cvr) {
      g_string_append_printf (s, "## %d-fold cross-validation (%s)\n\n| fold | accuracy | "
          "macro-F1 | MAP@3 | examples |\n|---:|---:|---:|---:|---:|\n", cvr->k,
          recipe->grouped ? "grouped" : "stratified");
      for (int f = 0; f < cvr->k; f++)
        g_string_append_printf (s, "| %d | %.2f %% | %.3f | %.2f %% | %zu |\n", f + 1,
            100 * cvr->folds[f]->accuracy, cvr->folds[f]->macro_f1, 100 * cvr->folds[f]->map3,
            cvr->folds[f]->n);
      g_string_append_printf (s, "| **mean ± std** | **%.2f ± %.2f %%** | **%.3f ± %.3f** | "
          "%.2f ± %.2f %% | |\n\nPooled over the folds:\n\n", 100 * cvr->accuracy_mean,
          100 * cvr->accuracy_std, cvr->macro_f1_mean, cvr->macro_f1_std, 100 * cvr->map3_mean,
          100 * cvr->map3_std);
      card_metrics (s, cvr->pooled, data->class_names);
    }
    {
      char *lb = g_path_get_basename (loss_png), *ab = g_path_get_basename (acc_png);
      char *cb = g_path_get_basename (cm_png);
      g_string_append_printf (s, "## Plots\n\n- `%s`: loss per epoch, blue = training, orange = "
          "validation; y from %.4g to %.4g\n- `%s`: accuracy per epoch, same colours; y from "
          "%.3g to %.3g\n- `%s`: confusion matrix, rows = true class in the order above, "
          "shade = row share (white 0 %%, dark blue 100 %%)\n\n", lb, loss_lo, loss_hi, ab,
          acc_lo, acc_hi, cb);
      g_free (lb);
      g_free (ab);
      g_free (cb);
    }
    g_string_append_printf (s, "## Recipe\n\n```ini\n%s%s```\n", recipe->text,
        g_str_has_suffix (recipe->text, "\n") ? "" : "\n");
    if (!es_output_write_file (card_path, s->str, s->len, &err)) {
      g_string_free (s, TRUE);
      goto fail;
    }
    g_string_free (s, TRUE);
  }
  if (test_metrics)
    printf ("test: accuracy %.2f %%, macro-F1 %.3f, MAP@3 %.2f %% (%zu examples)\n",
        100 * test_metrics->accuracy, test_metrics->macro_f1, 100 * test_metrics->map3,
        test_metrics->n);
  if (cvr)
    printf ("cv %d-fold: accuracy %.2f ± %.2f %%, macro-F1 %.3f ± %.3f\n", cvr->k,
        100 * cvr->accuracy_mean, 100 * cvr->accuracy_std, cvr->macro_f1_mean,
        cvr->macro_f1_std);
  printf ("wrote %s, %s, %s, %s%s%s\n", model_path, card_path, loss_png, acc_png,
      test_metrics || cvr ? ", " : "", test_metrics || cvr ? cm_png : "");
  status = 0;
  goto out;

fail:
  if (progress.tty && !progress.quiet)
    fputc ('\n', stderr);
  fprintf (stderr, "earshot train: %s\n", err ? err->message : "failed");
out:
  g_clear_error (&err);
  g_clear_error (&main_job.error);
  es_train_history_free (main_job.history);
  g_mutex_clear (&progress.lock);
  es_recipe_free (recipe);
  es_dataset_free (data);
  es_dataset_free (tr);
  es_dataset_free (va);
  es_dataset_free (te);
  es_model_free (model);
  es_metrics_free (test_metrics);
  es_cv_result_free (cvr);
  es_train_history_free (history);
  es_fr_augment_free (augment);
  g_free (arch);
  g_free (side);
  g_free (out_dir);
  g_free (model_path);
  g_free (card_path);
  g_free (loss_png);
  g_free (acc_png);
  g_free (cm_png);
  return status;
}

/* ---- eval ---- */

static void
eval_usage (FILE *out)
{
  fprintf (out,
      "Usage: earshot eval MODEL DATA [--json]\n"
      "\n"
      "Score a model (file or name) on labelled data and print accuracy, macro-F1,\n"
      "MAP@3, per-class figures and the confusion matrix. DATA is a recipe (its\n"
      "[data] group), an IEM folder or its index.csv, or a table CSV with a\n"
      "'label' column. Classes are matched to the model's labels by name.\n"
      "\n"
      "Options:\n"
      "  --json      print one JSON object\n"
      "  -h, --help  show this help\n");
}

/* A string member of the model's front-end JSON, newly allocated, or NULL. */
static char *
frontend_string (const EsModel *model, const char *key)
{
  JsonParser *p = json_parser_new ();
  char *v = NULL;
  const char *fe = es_model_get_frontend (model);
  if (fe && json_parser_load_from_data (p, fe, -1, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (p)))
    v = g_strdup (json_object_get_string_member_with_default (
            json_node_get_object (json_parser_get_root (p)), key, NULL));
  g_object_unref (p);
  return v;
}

static double
frontend_number (const EsModel *model, const char *key, double fallback)
{
  JsonParser *p = json_parser_new ();
  double v = fallback;
  const char *fe = es_model_get_frontend (model);
  if (fe && json_parser_load_from_data (p, fe, -1, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (p))) {
    JsonObject *o = json_node_get_object (json_parser_get_root (p));
    if (json_object_has_member (o, key))
      v = json_node_get_double (json_object_get_member (o, key));
  }
  g_object_unref (p);
  return v;
}

int
es_cmd_eval (int argc, char **argv)
{
  const char *model_arg = NULL, *data_arg = NULL;
  gboolean json = FALSE;
  EsModel *model = NULL;
  EsDataset *d = NULL;
  EsMetrics *m = NULL;
  EsRecipe *recipe = NULL;
  GError *err = NULL;
  char *label_col = NULL, *group_cols = NULL, *feature_cols = NULL;
  int status = 1;

  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp (a, "-h") || !strcmp (a, "--help")) {
      eval_usage (stdout);
      return 0;
    } else if (!strcmp (a, "--json")) {
      json = TRUE;
    } else if (a[0] == '-' && a[1]) {
      fprintf (stderr, "earshot eval: unknown option '%s'\n\n", a);
      eval_usage (stderr);
      return 2;
    } else if (!model_arg) {
      model_arg = a;
    } else if (!data_arg) {
      data_arg = a;
    } else {
      fprintf (stderr, "earshot eval: unexpected argument '%s'\n", a);
      return 2;
    }
  }
  if (!model_arg || !data_arg) {
    eval_usage (stderr);
    return 2;
  }
  if (!(model = es_model_load (model_arg, &err)))
    goto fail;
  {
    EsDatasetOptions o = { 0 };
    gboolean iem;
    o.class_names = es_model_get_labels (model);
    if (g_str_has_suffix (data_arg, ".recipe") || g_str_has_suffix (data_arg, ".ini")) {
      if (!(recipe = es_recipe_load (data_arg, &err)))
        goto fail;
      es_recipe_dataset_options (recipe, &o);
      o.class_names = es_model_get_labels (model);
      iem = recipe->data_kind == ES_RECIPE_DATA_IEM;
      data_arg = recipe->data_path;
    } else {
      char *base = g_path_get_basename (data_arg);
      iem = g_file_test (data_arg, G_FILE_TEST_IS_DIR) || !strcmp (base, "index.csv");
      g_free (base);
    }
    if (iem && es_model_get_input_kind (model) == ES_MODEL_INPUT_IMAGE) {
      /* draw the graphs at the model's size (seed look unless a recipe says) */
      size_t shape[3];
      if (es_model_get_input_shape (model, shape) == 3) {
        o.image_height = shape[1];
        o.image_width = shape[2];
      }
      d = es_dataset_load_iem_graph (data_arg, &o, &err);
    } else if (iem) {
      /* resample as the model was trained */
      o.points = (size_t) frontend_number (model, "points", o.points ? o.points : 128);
      o.fmin = frontend_number (model, "fmin", o.fmin ? o.fmin : 20.0);
      o.fmax = frontend_number (model, "fmax", o.fmax ? o.fmax : 20000.0);
      d = es_dataset_load_iem (data_arg, &o, &err);
    } else {
      /* the columns the model was trained on, unless a recipe says */
      if (!recipe) {
        label_col = frontend_string (model, "label_column");
        group_cols = frontend_string (model, "group_columns");
        feature_cols = frontend_string (model, "feature_columns");
        o.label_column = label_col;
        o.group_columns = group_cols;
        o.feature_columns = feature_cols;
      }
      d = es_dataset_load_table (data_arg, &o, &err);
    }
    if (!d)
      goto fail;
  }
  if (d->input_size != es_net_get_input_size (es_model_get_net (model))) {
    g_set_error (&err, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
        "%s: %zu values per example, the model expects %zu", data_arg, d->input_size,
        es_net_get_input_size (es_model_get_net (model)));
    goto fail;
  }
  m = es_evaluate (es_model_get_net (model), d, 256);
  if (json) {
    JsonBuilder *b = json_builder_new ();
    char *text;
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "model");
    json_builder_add_string_value (b, es_model_get_name (model));
    json_builder_set_member_name (b, "labels");
    json_builder_begin_array (b);
    for (int c = 0; c < d->n_classes; c++)
      json_builder_add_string_value (b, d->class_names[c]);
    json_builder_end_array (b);
    metrics_json (b, "metrics", m);
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
    json_builder_end_object (b);
    text = builder_to_string (b, TRUE);
    printf ("%s\n", text);
    g_free (text);
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
  }
  status = 0;
  goto out;

fail:
  fprintf (stderr, "earshot eval: %s\n", err ? err->message : "failed");
out:
  g_clear_error (&err);
  es_metrics_free (m);
  es_dataset_free (d);
  es_recipe_free (recipe);
  es_model_free (model);
  g_free (label_col);
  g_free (group_cols);
  g_free (feature_cols);
  return status;
}
