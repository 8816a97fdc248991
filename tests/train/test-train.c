/* The training loop end to end: a separable synthetic problem to >= 99 %,
 * bit-identical reruns, the augmentation hook, k-fold CV, and (with the
 * development data) IEM signatures well above chance. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "nn/loss.h"
#include "tasks/iem/dataset-iem.h"
#include "train/recipe.h"
#include "train/train.h"

#define N_FEATURES 8
#define N_CLASSES 4

/* Gaussian blobs around well-separated class centres; groups of 5. */
static EsDataset *
make_blobs (size_t n, guint64 seed)
{
  const char *names[] = { "a", "b", "c", "d", NULL };
  EsDataset *d = es_dataset_new (n, N_FEATURES, names);
  EsRng rng;
  es_rng_init (&rng, seed);
  d->groups = g_new (int, n);
  for (size_t i = 0; i < n; i++) {
    int c = (int) es_rng_below (&rng, N_CLASSES);
    d->labels[i] = c;
    d->groups[i] = (int) (i / 5);
    for (int j = 0; j < N_FEATURES; j++) {
      /* Box-Muller */
      double u1 = es_rng_uniform (&rng) + 1e-12, u2 = es_rng_uniform (&rng);
      double z = sqrt (-2.0 * log (u1)) * cos (2.0 * G_PI * u2);
      double centre = ((j % N_CLASSES) == c) ? 3.0 : 0.0;
      d->x[i * N_FEATURES + j] = (float) (centre + 0.6 * z);
    }
    d->sample_names[i] = g_strdup_printf ("blob %zu", i);
  }
  return d;
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

static const char *mlp_json =
    "[{\"type\":\"dense\",\"out_features\":32},{\"type\":\"relu\"},"
    "{\"type\":\"dropout\",\"p\":0.1},"
    "{\"type\":\"dense\",\"out_features\":4}]";

static int n_epoch_reports;

static void
count_epochs (const EsEpochReport *r, gpointer data)
{
  ck_assert_int_eq (r->epoch, n_epoch_reports + 1);
  ck_assert (isfinite (r->train_loss) && isfinite (r->val_loss));
  n_epoch_reports++;
}

/* Train on the blobs; returns the net (caller frees) and the test metrics. */
static EsNet *
train_blobs (EsMetrics **test_metrics, EsTrainHistory **history)
{
  EsDataset *d = make_blobs (1000, 5), *tr, *va, *te;
  int *side = g_new (int, d->n);
  size_t shape[1] = { N_FEATURES };
  EsTrainConfig c;
  GError *err = NULL;
  EsNet *net;

  ck_assert (es_split_assign (d->labels, d->groups, d->n, N_CLASSES, 0.15, 0.15, 3, side,
          &err));
  tr = pick (d, side, ES_SPLIT_TRAIN);
  va = pick (d, side, ES_SPLIT_VALIDATION);
  te = pick (d, side, ES_SPLIT_TEST);
  es_train_config_init (&c);
  c.max_epochs = 30;
  c.learning_rate = 0.01;
  c.seed = 7;
  c.on_epoch = count_epochs;
  n_epoch_reports = 0;
  net = es_train_build_net (mlp_json, 1, shape, N_CLASSES, c.seed, &err);
  ck_assert_msg (net, "%s", err ? err->message : "");
  ck_assert_msg (es_train (net, tr, va, &c, history, &err), "%s", err ? err->message : "");
  ck_assert_int_eq (n_epoch_reports, (*history)->n_epochs);
  *test_metrics = es_evaluate (net, te, 64);
  es_dataset_free (d);
  es_dataset_free (tr);
  es_dataset_free (va);
  es_dataset_free (te);
  g_free (side);
  return net;
}

START_TEST (test_train_separable_and_deterministic)
{
  EsMetrics *m1, *m2;
  EsTrainHistory *h1, *h2;
  EsNet *a = train_blobs (&m1, &h1), *b = train_blobs (&m2, &h2);
  size_t na, nb;
  EsNetParam *pa = es_net_get_params (a, &na), *pb = es_net_get_params (b, &nb);

  ck_assert_msg (m1->accuracy >= 0.99, "test accuracy %.4f", m1->accuracy);
  ck_assert (m1->macro_f1 >= 0.98);
  /* the loss went down and the best weights were kept */
  ck_assert (h1->train_loss[h1->n_epochs - 1] < h1->train_loss[0]);
  ck_assert_int_ge (h1->best_epoch, 1);
  /* bit-identical */
  ck_assert_int_eq (h1->n_epochs, h2->n_epochs);
  ck_assert_uint_eq (na, nb);
  for (size_t i = 0; i < na; i++) {
    size_t numel = es_tensor_numel (pa[i].value);
    ck_assert_str_eq (pa[i].name, pb[i].name);
    ck_assert_msg (memcmp (pa[i].value->data, pb[i].value->data, numel * sizeof (float)) == 0,
        "%s differs between two runs with the same seed", pa[i].name);
  }
  ck_assert (memcmp (h1->val_loss, h2->val_loss, h1->n_epochs * sizeof (double)) == 0);
  es_metrics_free (m1);
  es_metrics_free (m2);
  es_train_history_free (h1);
  es_train_history_free (h2);
  es_net_free (a);
  es_net_free (b);
}
END_TEST

static int augment_calls;

static void
zero_first_feature (const EsDataset *train, const size_t *indices, size_t batch, float *x,
    int *labels, float *targets, EsRng *rng, gpointer data)
{
  augment_calls++;
  ck_assert (targets == NULL);
  for (size_t i = 0; i < batch; i++) {
    /* the batch is the examples the indices name */
    ck_assert_int_eq (labels[i], train->labels[indices[i]]);
    x[i * train->input_size] = 0.0f;
  }
}

START_TEST (test_augment_hook_and_seed)
{
  EsDataset *d = make_blobs (200, 9);
  size_t shape[1] = { N_FEATURES }, n1, n2;
  EsTrainConfig c;
  EsNet *a, *b;
  EsNetParam *pa, *pb;
  gboolean same = TRUE;

  es_train_config_init (&c);
  c.max_epochs = 3;
  c.batch_size = 50;
  c.augment = zero_first_feature;
  augment_calls = 0;
  a = es_train_build_net (mlp_json, 1, shape, N_CLASSES, 1, NULL);
  ck_assert (es_train (a, d, NULL, &c, NULL, NULL));
  ck_assert_int_eq (augment_calls, 3 * 4);
  /* another seed, other weights */
  c.seed = 2;
  c.augment = NULL;
  b = es_train_build_net (mlp_json, 1, shape, N_CLASSES, 2, NULL);
  ck_assert (es_train (b, d, NULL, &c, NULL, NULL));
  pa = es_net_get_params (a, &n1);
  pb = es_net_get_params (b, &n2);
  same = memcmp (pa[0].value->data, pb[0].value->data,
      es_tensor_numel (pa[0].value) * sizeof (float)) == 0;
  ck_assert (!same);
  es_net_free (a);
  es_net_free (b);
  es_dataset_free (d);
}
END_TEST

/* Soft targets that are one-hot rows of the labels train exactly as the
 * labels do (the gradients are the same numbers); without a hook, or with
 * class weights, soft targets are refused. */
static void
one_hot_targets (const EsDataset *train, const size_t *indices, size_t batch, float *x,
    int *labels, float *targets, EsRng *rng, gpointer data)
{
  ck_assert (targets != NULL);
  memset (targets, 0, batch * train->n_classes * sizeof (float));
  for (size_t i = 0; i < batch; i++)
    targets[i * train->n_classes + labels[i]] = 1.0f;
}

static void
no_change (const EsDataset *train, const size_t *indices, size_t batch, float *x,
    int *labels, float *targets, EsRng *rng, gpointer data)
{
}

/* An MLP on the blobs, built with @seed and trained by @c. */
static EsNet *
train_mlp (const EsDataset *d, const EsTrainConfig *c, guint64 seed)
{
  size_t shape[1] = { N_FEATURES };
  EsNet *net = es_train_build_net (mlp_json, 1, shape, N_CLASSES, seed, NULL);
  ck_assert (es_train (net, d, NULL, c, NULL, NULL));
  return net;
}

/* Two nets trained alike hold the same bytes in every tensor. */
static void
assert_same_params (EsNet *a, EsNet *b)
{
  size_t n1, n2;
  EsNetParam *pa = es_net_get_params (a, &n1), *pb = es_net_get_params (b, &n2);
  ck_assert_uint_eq (n1, n2);
  for (size_t i = 0; i < n1; i++)
    ck_assert (memcmp (pa[i].value->data, pb[i].value->data,
            es_tensor_numel (pa[i].value) * sizeof (float)) == 0);
}

START_TEST (test_soft_targets)
{
  EsDataset *d = make_blobs (200, 9);
  EsTrainConfig c;
  EsNet *a, *b;
  GError *err = NULL;

  es_train_config_init (&c);
  c.max_epochs = 3;
  c.batch_size = 50;
  c.augment = no_change;
  a = train_mlp (d, &c, 1);
  c.augment = one_hot_targets;
  c.soft_targets = TRUE;
  b = train_mlp (d, &c, 1);
  assert_same_params (a, b);

  c.balanced_class_weights = TRUE;
  ck_assert (!es_train (b, d, NULL, &c, NULL, &err));
  ck_assert_msg (strstr (err->message, "do not combine with class weights"), "%s",
      err->message);
  g_clear_error (&err);
  c.balanced_class_weights = FALSE;
  c.augment = NULL;
  ck_assert (!es_train (b, d, NULL, &c, NULL, &err));
  ck_assert_msg (strstr (err->message, "need an augmentation hook"), "%s", err->message);
  g_clear_error (&err);
  es_net_free (a);
  es_net_free (b);
  es_dataset_free (d);
}
END_TEST

/* Label smoothing: a separable problem trained long enough drives the true
 * class's probability towards 1 without it; with eps 0.2 the optimum is
 * 1 - eps + eps / classes = 0.85, which training approaches and does not pass
 * by much. Smoothing on the hook's soft targets = smoothing on the labels
 * (the hook gives one-hot rows). */
static double
mean_true_class_probability (EsNet *net, const EsDataset *d)
{
  const float *logits;
  float *p = g_new (float, d->n * N_CLASSES);
  double sum = 0.0;
  es_net_set_training (net, FALSE);
  logits = es_net_forward (net, d->x, d->n);
  es_softmax (logits, d->n, N_CLASSES, p);
  for (size_t i = 0; i < d->n; i++)
    sum += p[i * N_CLASSES + d->labels[i]];
  g_free (p);
  return sum / d->n;
}

START_TEST (test_label_smoothing)
{
  EsDataset *d = make_blobs (400, 11);
  EsTrainConfig c;
  EsNet *plain, *smooth, *smooth_soft;
  GError *err = NULL;
  double top_plain, top_smooth;

  es_train_config_init (&c);
  c.max_epochs = 60;
  c.learning_rate = 0.01;
  c.batch_size = 50;
  c.early_stop_patience = 0;
  c.plateau_factor = 0.0;
  plain = train_mlp (d, &c, 3);
  c.label_smoothing = 0.2;
  smooth = train_mlp (d, &c, 3);
  top_plain = mean_true_class_probability (plain, d);
  top_smooth = mean_true_class_probability (smooth, d);
  ck_assert_msg (top_plain > 0.97, "without smoothing %.4f", top_plain);
  ck_assert_msg (top_smooth > 0.78 && top_smooth < 0.88, "with eps 0.2 %.4f", top_smooth);

  c.augment = one_hot_targets;
  c.soft_targets = TRUE;
  smooth_soft = train_mlp (d, &c, 3);
  assert_same_params (smooth, smooth_soft);

  c.augment = NULL;
  c.soft_targets = FALSE;
  c.balanced_class_weights = TRUE;
  ck_assert (!es_train (plain, d, NULL, &c, NULL, &err));
  ck_assert_msg (strstr (err->message, "label smoothing does not combine"), "%s", err->message);
  g_clear_error (&err);
  c.balanced_class_weights = FALSE;
  c.label_smoothing = 1.0;
  ck_assert (!es_train (plain, d, NULL, &c, NULL, &err));
  ck_assert_msg (strstr (err->message, "outside [0, 1)"), "%s", err->message);
  g_clear_error (&err);
  es_net_free (plain);
  es_net_free (smooth);
  es_net_free (smooth_soft);
  es_dataset_free (d);
}
END_TEST

START_TEST (test_train_errors)
{
  EsDataset *d = make_blobs (50, 1);
  size_t shape[1] = { N_FEATURES };
  GError *err = NULL;
  EsTrainConfig c;
  EsNet *net;

  /* output size must match the classes */
  ck_assert (!es_train_build_net ("[{\"type\":\"dense\",\"out_features\":3}]", 1, shape,
          N_CLASSES, 1, &err));
  ck_assert_msg (strstr (err->message, "3 outputs but the data has 4 classes"), "%s",
      err->message);
  g_clear_error (&err);
  /* a learning rate that blows up is reported, not trained through */
  es_train_config_init (&c);
  c.optimizer = ES_OPTIMIZER_SGD;
  c.learning_rate = 1e30;
  net = es_train_build_net (mlp_json, 1, shape, N_CLASSES, 1, NULL);
  ck_assert (!es_train (net, d, NULL, &c, NULL, &err));
  ck_assert_int_eq (err->code, ES_TRAIN_ERROR_DIVERGED);
  g_clear_error (&err);
  es_net_free (net);
  es_dataset_free (d);
}
END_TEST

START_TEST (test_cross_validation)
{
  EsDataset *d = make_blobs (300, 11);
  size_t shape[1] = { N_FEATURES }, total = 0;
  EsTrainConfig c;
  GError *err = NULL;
  EsCvResult *r, *r3;

  es_train_config_init (&c);
  c.max_epochs = 15;
  c.learning_rate = 0.01;
  r = es_cross_validate (mlp_json, 1, shape, d, TRUE, 3, 0.2, &c, &err);
  ck_assert_msg (r, "%s", err ? err->message : "");
  for (int f = 0; f < 3; f++) {
    total += r->folds[f]->n;
    ck_assert (r->folds[f]->accuracy > 0.95);
  }
  ck_assert_uint_eq (total, d->n);            /* every sample tested once */
  ck_assert_uint_eq (r->pooled->n, d->n);
  ck_assert (r->accuracy_mean > 0.95 && r->accuracy_std < 0.05);
  ck_assert (fabs (r->macro_f1_mean) <= 1.0 && r->map3_mean >= r->accuracy_mean);
  /* folds on three threads: the same figures, to the bit */
  c.jobs = 3;
  r3 = es_cross_validate (mlp_json, 1, shape, d, TRUE, 3, 0.2, &c, &err);
  ck_assert_msg (r3, "%s", err ? err->message : "");
  for (int f = 0; f < 3; f++) {
    ck_assert (r3->folds[f]->accuracy == r->folds[f]->accuracy);
    ck_assert (r3->folds[f]->loss == r->folds[f]->loss);
    ck_assert_int_eq (r3->epochs[f], r->epochs[f]);
  }
  ck_assert (r3->pooled->macro_f1 == r->pooled->macro_f1);
  es_cv_result_free (r3);
  /* a failing fold is reported by its number, the first one whatever the
   * order the threads ran in */
  c.optimizer = ES_OPTIMIZER_SGD;
  c.learning_rate = 1e30;
  ck_assert (!es_cross_validate (mlp_json, 1, shape, d, TRUE, 3, 0.2, &c, &err));
  ck_assert_msg (err && err->code == ES_TRAIN_ERROR_DIVERGED
      && g_str_has_prefix (err->message, "fold 1 of 3: "), "%s", err ? err->message : "none");
  g_clear_error (&err);
  es_train_config_init (&c);
  es_cv_result_free (r);
  /* grouped CV without groups is an error */
  g_free (d->groups);
  d->groups = NULL;
  ck_assert (!es_cross_validate (mlp_json, 1, shape, d, TRUE, 3, 0.2, &c, &err));
  ck_assert_int_eq (err->code, ES_TRAIN_ERROR_SPLIT);
  g_clear_error (&err);
  es_dataset_free (d);
}
END_TEST

/* A subset of ../shared/data/iem, reviewer-grouped split, the seed's 1-D
 * network: well above the 47 % of always answering "Neutral". */
START_TEST (test_train_iem_subset)
{
  const char *data = es_test_data_dir ();
  EsDatasetOptions o = { 0 };
  EsDataset *d, *tr, *va, *te;
  char *dir, *arch;
  int *side;
  size_t shape[2];
  EsTrainConfig c;
  GError *err = NULL;
  EsNet *net;
  EsMetrics *m;
  EsRecipe fake = { 0 };
  /* Under valgrind (meson's 'valgrind' setup) the full run takes > 20 min:
   * walk the same code on a few rows and epochs, without the accuracy bar. */
  const gboolean memcheck = g_getenv ("ES_TEST_MEMCHECK") != NULL;

  if (!data) {
    printf ("test_train_iem_subset: skipped, no development data (ES_DATA_DIR)\n");
    return;
  }
  dir = g_build_filename (data, "iem", NULL);
  o.class_names = (const char *const[]) { "Neutral", "Bright", "Warm", "V-shape", NULL };
  o.group_columns = "reviewer";
  o.max_rows = memcheck ? 300 : 1500;
  d = es_dataset_load_iem (dir, &o, &(EsIemDataOptions) {.points = 128 }, &err);
  ck_assert_msg (d, "%s", err ? err->message : "");
  ck_assert_uint_eq (d->n, o.max_rows);
  side = g_new (int, d->n);
  ck_assert (es_split_assign (d->labels, d->groups, d->n, 4, 0.15, 0.2, 1, side, &err));
  tr = pick (d, side, ES_SPLIT_TRAIN);
  va = pick (d, side, ES_SPLIT_VALIDATION);
  te = pick (d, side, ES_SPLIT_TEST);

  fake.architecture = (char *) "iem-1d";
  fake.architecture_builtin = TRUE;
  arch = es_recipe_architecture_for (&fake, 4);
  shape[0] = 1;
  shape[1] = 128;
  es_train_config_init (&c);
  c.max_epochs = memcheck ? 2 : 25;
  c.early_stop_patience = 8;
  c.seed = 3;
  net = es_train_build_net (arch, 2, shape, 4, c.seed, &err);
  ck_assert_msg (net, "%s", err ? err->message : "");
  ck_assert_msg (es_train (net, tr, va, &c, NULL, &err), "%s", err ? err->message : "");
  m = es_evaluate (net, te, 256);
  printf ("iem subset: %zu train, %zu validation, %zu test (unseen reviewers): "
      "accuracy %.3f, macro-F1 %.3f\n", tr->n, va->n, te->n, m->accuracy, m->macro_f1);
  if (memcheck) {
    printf ("iem subset: short run under memcheck, accuracy not asserted\n");
  } else {
    ck_assert_msg (m->accuracy >= 0.80, "accuracy %.3f", m->accuracy);
    ck_assert_msg (m->macro_f1 >= 0.60, "macro-F1 %.3f", m->macro_f1);
  }
  es_metrics_free (m);
  es_net_free (net);
  g_free (arch);
  g_free (side);
  g_free (dir);
  es_dataset_free (d);
  es_dataset_free (tr);
  es_dataset_free (va);
  es_dataset_free (te);
}
END_TEST

static Suite *
train_suite (void)
{
  Suite *s = suite_create ("train");
  TCase *tc = tcase_create ("core");
  tcase_set_timeout (tc, 600);
  tcase_add_test (tc, test_train_separable_and_deterministic);
  tcase_add_test (tc, test_augment_hook_and_seed);
  tcase_add_test (tc, test_soft_targets);
  tcase_add_test (tc, test_label_smoothing);
  tcase_add_test (tc, test_train_errors);
  tcase_add_test (tc, test_cross_validation);
  tcase_add_test (tc, test_train_iem_subset);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (train_suite ());
  int failed;
  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
