/* The training loop, evaluation and the k-fold cross-validation driver. */
#include "train/train.h"

#include <math.h>
#include <string.h>

#include "train/ema.h"
#include "nn/loss.h"
#include "nn/optim.h"
#include "train/schedule.h"

/* Separate generator streams derived from the one seed, so adding (say) an
 * augmentation draw never changes the shuffles or the weights. */
#define STREAM_INIT     G_GUINT64_CONSTANT (0x1)
#define STREAM_DROPOUT  G_GUINT64_CONSTANT (0x2)
#define STREAM_SHUFFLE  G_GUINT64_CONSTANT (0x3)
#define STREAM_AUGMENT  G_GUINT64_CONSTANT (0x4)
#define STREAM_SPLIT    G_GUINT64_CONSTANT (0x5)

static guint64
stream_seed (guint64 seed, guint64 stream)
{
  EsRng rng;
  es_rng_init (&rng, seed ^ (stream * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15)));
  return es_rng_next (&rng);
}

void
es_train_config_init (EsTrainConfig *c)
{
  memset (c, 0, sizeof *c);
  c->optimizer = ES_OPTIMIZER_ADAM;
  c->learning_rate = 1e-3;
  c->beta1 = 0.9;
  c->beta2 = 0.999;
  c->batch_size = 32;
  c->max_epochs = 100;
  c->plateau_factor = 0.5;
  c->plateau_patience = 5;
  c->early_stop_patience = 10;
  c->seed = 1;
  c->threads = 1;
}

void
es_train_history_free (EsTrainHistory *h)
{
  if (!h)
    return;
  g_free (h->train_loss);
  g_free (h->train_accuracy);
  g_free (h->val_loss);
  g_free (h->val_accuracy);
  g_free (h->lr);
  g_free (h);
}

float *
es_balanced_class_weights (const EsDataset *d)
{
  size_t *counts = es_dataset_class_counts (d);
  float *w = g_new0 (float, d->n_classes);
  for (int c = 0; c < d->n_classes; c++)
    w[c] = counts[c] ? (float) ((double) d->n / ((double) d->n_classes * counts[c])) : 0.0f;
  g_free (counts);
  return w;
}

void
es_train_init_net (EsNet *net, guint64 seed)
{
  es_net_init_weights (net, stream_seed (seed, STREAM_INIT));
  es_net_set_seed (net, stream_seed (seed, STREAM_DROPOUT));
}

EsNet *
es_train_build_net (const char *architecture_json, int in_ndim, const size_t *in_shape,
    int n_classes, guint64 seed, GError **error)
{
  EsNet *net = es_net_new (architecture_json, in_ndim, in_shape, error);
  if (!net)
    return NULL;
  if (es_net_get_output_size (net) != (size_t) n_classes) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_MODEL,
        "the network has %zu outputs but the data has %d classes (size the last "
        "dense layer to %d)", es_net_get_output_size (net), n_classes, n_classes);
    es_net_free (net);
    return NULL;
  }
  es_train_init_net (net, seed);
  return net;
}

float *
es_predict (EsNet *net, const EsDataset *d, size_t batch_size, double *loss)
{
  size_t k = es_net_get_output_size (net), in = d->input_size;
  float *probs = g_new (float, d->n * k);
  double loss_sum = 0.0;
  gboolean was_training = es_net_get_training (net);

  es_net_set_training (net, FALSE);
  batch_size = MAX (batch_size, 1);
  for (size_t start = 0; start < d->n; start += batch_size) {
    size_t b = MIN (batch_size, d->n - start);
    const float *logits = es_net_forward (net, d->x + start * in, b);
    if (loss)
      loss_sum += b * es_cross_entropy (logits, d->labels + start, b, k, NULL, NULL);
    es_softmax (logits, b, k, probs + start * k);
  }
  es_net_set_training (net, was_training);
  if (loss)
    *loss = d->n ? loss_sum / d->n : NAN;
  return probs;
}

EsMetrics *
es_evaluate (EsNet *net, const EsDataset *d, size_t batch_size)
{
  double loss;
  float *probs = es_predict (net, d, batch_size, &loss);
  EsMetrics *m = es_metrics_compute (probs, d->labels, d->n, (int) es_net_get_output_size (net));
  if (m)
    m->loss = loss;
  g_free (probs);
  return m;
}

gboolean
es_train (EsNet *net, const EsDataset *train, const EsDataset *val,
    const EsTrainConfig *c, EsTrainHistory **history_out, GError **error)
{
  size_t n_params, in = train->input_size, k = es_net_get_output_size (net);
  size_t batch_size = MAX (c->batch_size, 1);
  EsNetParam *params = es_net_get_params (net, &n_params);
  EsOptimizer *opt;
  EsPlateau plateau;
  EsPlateauConfig plateau_config = ES_PLATEAU_CONFIG_DEFAULT;
  EsEarlyStop stop;
  EsEma *ema = NULL;
  EsRng shuffle_rng, augment_rng;
  EsTrainHistory *h;
  float *class_weights = NULL, *xb, *grad, *tb = NULL;
  int *yb;
  size_t *order;
  gboolean ok = TRUE;

  if (in != es_net_get_input_size (net)) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_MODEL,
        "the network takes %zu values per example but the data has %zu",
        es_net_get_input_size (net), in);
    return FALSE;
  }
  if (k != (size_t) train->n_classes || (val && val->n_classes != train->n_classes)) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_MODEL,
        "the network has %zu outputs but the data has %d classes", k, train->n_classes);
    return FALSE;
  }
  if (train->n == 0) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA, "no training examples");
    return FALSE;
  }
  if (c->soft_targets && !c->augment) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_MODEL,
        "soft targets need an augmentation hook to give them");
    return FALSE;
  }
  if (c->label_smoothing > 0.0 && c->balanced_class_weights) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_MODEL,
        "label smoothing does not combine with class weights");
    return FALSE;
  }
  if (!(c->label_smoothing >= 0.0 && c->label_smoothing < 1.0)) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_MODEL,
        "label smoothing %g is outside [0, 1)", c->label_smoothing);
    return FALSE;
  }
  if (c->soft_targets && c->balanced_class_weights) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_MODEL,
        "soft targets do not combine with class weights");
    return FALSE;
  }
  if (c->threads > 0)
    es_nn_set_threads (c->threads);

  if (c->optimizer == ES_OPTIMIZER_SGD)
    opt = es_optimizer_new_sgd (params, n_params, c->learning_rate, c->momentum, 0.0,
        c->weight_decay, FALSE);
  else
    opt = es_optimizer_new_adam (params, n_params, c->learning_rate, c->beta1, c->beta2,
        1e-8, c->weight_decay, FALSE);
  plateau_config.factor = c->plateau_factor;
  plateau_config.patience = c->plateau_patience;
  plateau_config.min_lr = c->min_lr;
  es_plateau_init (&plateau, &plateau_config);
  es_early_stop_init (&stop, c->early_stop_patience, 0.0);
  es_rng_init (&shuffle_rng, stream_seed (c->seed, STREAM_SHUFFLE));
  es_rng_init (&augment_rng, stream_seed (c->seed, STREAM_AUGMENT));
  if (c->balanced_class_weights)
    class_weights = es_balanced_class_weights (train);
  es_net_set_need_input_grad (net, FALSE);
  if (c->ema_decay > 0.0)
    ema = es_ema_new (params, n_params, c->ema_decay);

  h = g_new0 (EsTrainHistory, 1);
  h->train_loss = g_new (double, c->max_epochs);
  h->train_accuracy = g_new (double, c->max_epochs);
  h->val_loss = g_new (double, c->max_epochs);
  h->val_accuracy = g_new (double, c->max_epochs);
  h->lr = g_new (double, c->max_epochs);
  xb = g_new (float, batch_size * in);
  yb = g_new (int, batch_size);
  grad = g_new (float, batch_size * k);
  if (c->soft_targets || c->label_smoothing > 0.0)
    tb = g_new (float, batch_size * k);
  order = g_new (size_t, train->n);
  for (size_t i = 0; i < train->n; i++)
    order[i] = i;

  for (int epoch = 1; epoch <= c->max_epochs; epoch++) {
    EsEpochReport rep = { -1, epoch, c->max_epochs, 0 };
    gint64 t0 = g_get_monotonic_time ();
    double loss_sum = 0.0, monitored;
    size_t correct = 0, seen = 0;

    rep.lr = es_optimizer_get_lr (opt);
    es_rng_shuffle (&shuffle_rng, order, train->n);
    es_net_set_training (net, TRUE);
    for (size_t start = 0; start < train->n; start += batch_size) {
      size_t b = MIN (batch_size, train->n - start);
      const float *logits;
      double loss;
      /* A last batch of one example would give batch norm a zero variance
       * (PyTorch refuses it); it is dropped, and reshuffled in next epoch. */
      if (b == 1 && train->n > 1)
        break;
      for (size_t j = 0; j < b; j++) {
        memcpy (xb + j * in, train->x + order[start + j] * in, in * sizeof (float));
        yb[j] = train->labels[order[start + j]];
      }
      if (c->augment)
        c->augment (train, order + start, b, xb, yb, c->soft_targets ? tb : NULL,
            &augment_rng, c->augment_data);
      if (c->label_smoothing > 0.0) {
        if (!c->soft_targets) {
          memset (tb, 0, b * k * sizeof (float));
          for (size_t j = 0; j < b; j++)
            tb[j * k + yb[j]] = 1.0f;
        }
        es_smooth_targets (tb, b, k, c->label_smoothing);
      }
      logits = es_net_forward (net, xb, b);
      if (tb)
        loss = es_cross_entropy_soft (logits, tb, b, k, grad);
      else
        loss = es_cross_entropy (logits, yb, b, k, class_weights, grad);
      if (!isfinite (loss)) {
        g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DIVERGED,
            "the training loss became %g in epoch %d (learning rate %g too high?)", loss,
            epoch, rep.lr);
        ok = FALSE;
        goto done;
      }
      for (size_t j = 0; j < b; j++)
        correct += es_argmax (logits + j * k, (int) k) == yb[j];
      loss_sum += loss * b;
      seen += b;
      es_net_zero_grad (net);
      es_net_backward (net, grad);
      es_optimizer_step (opt);
      if (ema)
        es_ema_update (ema, params, n_params);
    }
    rep.train_loss = seen ? loss_sum / seen : NAN;
    rep.train_accuracy = seen ? (double) correct / seen : NAN;
    rep.val_loss = rep.val_accuracy = rep.val_macro_f1 = NAN;
    /* with averaging, the averaged network is the one validated and kept */
    if (ema)
      es_ema_swap (ema, params, n_params);
    if (val && val->n > 0) {
      EsMetrics *m = es_evaluate (net, val, MAX (batch_size, 256));
      rep.val_loss = m->loss;
      rep.val_accuracy = m->accuracy;
      rep.val_macro_f1 = m->macro_f1;
      es_metrics_free (m);
      monitored = rep.val_loss;
    } else {
      monitored = rep.train_loss;
    }
    if (!isfinite (monitored)) {
      g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DIVERGED,
          "the validation loss became %g in epoch %d", monitored, epoch);
      ok = FALSE;
      goto done;
    }
    h->train_loss[h->n_epochs] = rep.train_loss;
    h->train_accuracy[h->n_epochs] = rep.train_accuracy;
    h->val_loss[h->n_epochs] = rep.val_loss;
    h->val_accuracy[h->n_epochs] = rep.val_accuracy;
    h->lr[h->n_epochs] = rep.lr;
    h->n_epochs++;

    {
      gboolean stop_now = es_early_stop_update (&stop, epoch, monitored, params, n_params);
      if (ema)
        es_ema_swap (ema, params, n_params);
      rep.best = stop.best_epoch == epoch;
      if (c->plateau_factor > 0.0)
        es_optimizer_set_lr (opt, es_plateau_step (&plateau, monitored,
                es_optimizer_get_lr (opt)));
      rep.seconds = (g_get_monotonic_time () - t0) / 1e6;
      if (c->on_epoch)
        c->on_epoch (&rep, c->on_epoch_data);
      if (stop_now)
        break;
    }
  }
  /* The best epoch's tensors, batch-norm statistics included. */
  es_early_stop_restore (&stop, params, n_params);
  h->best_epoch = stop.best_epoch;

done:
  es_net_set_training (net, FALSE);
  es_early_stop_clear (&stop);
  es_ema_free (ema);
  es_optimizer_free (opt);
  g_free (class_weights);
  g_free (xb);
  g_free (yb);
  g_free (grad);
  g_free (tb);
  g_free (order);
  if (ok && history_out)
    *history_out = h;
  else
    es_train_history_free (h);
  return ok;
}

void
es_cv_result_free (EsCvResult *r)
{
  if (!r)
    return;
  for (int f = 0; f < r->k; f++)
    es_metrics_free (r->folds[f]);
  g_free (r->folds);
  es_metrics_free (r->pooled);
  g_free (r->fold_of);
  g_free (r->pooled_scores);
  g_free (r->epochs);
  g_free (r);
}

/* One cross-validation run shared by the fold workers. Each fold writes
 * only its own entries (folds[f], epochs[f], its test rows of
 * pooled_scores), so workers need the lock only to take the next fold, to
 * record an error and to report progress. */
typedef struct {
  const char *architecture_json;
  int in_ndim;
  const size_t *in_shape;
  const EsDataset *d;
  gboolean grouped;
  double validation_fraction;
  const EsTrainConfig *config;
  EsCvResult *r;
  float *pooled_scores;
  GMutex lock;
  int next_fold;
  int failed_fold;              /* lowest failed fold, k if none */
  GError *error;                /* that fold's error */
} CvRun;

typedef struct {
  CvRun *run;
  int fold;
} FoldProgress;

static void
fold_progress (const EsEpochReport *report, gpointer user_data)
{
  FoldProgress *fp = user_data;
  EsEpochReport r = *report;
  r.fold = fp->fold;
  g_mutex_lock (&fp->run->lock);
  fp->run->config->on_epoch (&r, fp->run->config->on_epoch_data);
  g_mutex_unlock (&fp->run->lock);
}

/* Train fold f on the other folds (less a validation part) and score it. */
static gboolean
run_fold (CvRun *run, int f, GError **error)
{
  const EsDataset *d = run->d;
  const EsTrainConfig *config = run->config;
  EsCvResult *r = run->r;
  const size_t nc = d->n_classes;
  size_t *rest = g_new (size_t, d->n), *test = g_new (size_t, d->n);
  size_t n_rest = 0, n_test = 0, n_train = 0, n_val = 0;
  size_t *train_idx, *val_idx;
  EsDataset *rest_set, *train_set, *val_set = NULL, *test_set;
  EsTrainConfig fc = *config;
  FoldProgress fp = { run, f };
  EsTrainHistory *h = NULL;
  EsNet *net;
  gboolean ok = TRUE;

  for (size_t i = 0; i < d->n; i++) {
    if (r->fold_of[i] == f)
      test[n_test++] = i;
    else
      rest[n_rest++] = i;
  }
  rest_set = es_dataset_subset (d, rest, n_rest);
  test_set = es_dataset_subset (d, test, n_test);
  train_idx = g_new (size_t, n_rest);
  val_idx = g_new (size_t, n_rest);
  if (run->validation_fraction > 0.0) {
    int *side = g_new (int, n_rest);
    ok = es_split_assign (rest_set->labels, run->grouped ? rest_set->groups : NULL, n_rest,
        d->n_classes, run->validation_fraction, 0.0,
        stream_seed (config->seed + f, STREAM_SPLIT), side, error);
    for (size_t i = 0; ok && i < n_rest; i++) {
      if (side[i] == ES_SPLIT_VALIDATION)
        val_idx[n_val++] = i;
      else
        train_idx[n_train++] = i;
    }
    g_free (side);
  } else {
    for (size_t i = 0; i < n_rest; i++)
      train_idx[n_train++] = i;
  }
  train_set = es_dataset_subset (rest_set, train_idx, n_train);
  if (n_val)
    val_set = es_dataset_subset (rest_set, val_idx, n_val);
  /* the subsets are copies: with folds on threads, image sets are large */
  g_clear_pointer (&rest_set, es_dataset_free);

  fc.seed = config->seed + (guint64) f;
  if (config->on_epoch) {
    fc.on_epoch = fold_progress;
    fc.on_epoch_data = &fp;
  }
  net = ok ? es_train_build_net (run->architecture_json, run->in_ndim, run->in_shape,
      d->n_classes, fc.seed, error) : NULL;
  if (!net)
    ok = FALSE;
  if (ok && es_train (net, train_set, val_set, &fc, &h, error)) {
    float *probs;
    r->folds[f] = es_evaluate (net, test_set, 256);
    r->epochs[f] = h->best_epoch;
    probs = es_predict (net, test_set, 256, NULL);
    for (size_t i = 0; i < n_test; i++)
      memcpy (run->pooled_scores + test[i] * nc, probs + i * nc, nc * sizeof (float));
    g_free (probs);
  } else {
    ok = FALSE;
  }
  es_train_history_free (h);
  es_net_free (net);
  es_dataset_free (rest_set);
  es_dataset_free (train_set);
  es_dataset_free (val_set);
  es_dataset_free (test_set);
  g_free (rest);
  g_free (test);
  g_free (train_idx);
  g_free (val_idx);
  return ok;
}

/* A worker: takes folds in order until none is left or one has failed. */
static gpointer
fold_worker (gpointer data)
{
  CvRun *run = data;

  for (;;) {
    GError *err = NULL;
    int f;
    g_mutex_lock (&run->lock);
    f = run->failed_fold < run->r->k ? run->r->k : run->next_fold++;
    g_mutex_unlock (&run->lock);
    if (f >= run->r->k)
      return NULL;
    if (run_fold (run, f, &err))
      continue;
    if (!err)
      g_set_error (&err, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA, "training failed");
    g_prefix_error (&err, "fold %d of %d: ", f + 1, run->r->k);
    g_mutex_lock (&run->lock);
    /* report the first failing fold, whatever the order the workers ran in */
    if (f < run->failed_fold) {
      run->failed_fold = f;
      g_clear_error (&run->error);
      run->error = err;
      err = NULL;
    }
    g_mutex_unlock (&run->lock);
    g_clear_error (&err);
  }
}

EsCvResult *
es_cross_validate (const char *architecture_json, int in_ndim, const size_t *in_shape,
    const EsDataset *d, gboolean grouped, int k, double validation_fraction,
    const EsTrainConfig *config, GError **error)
{
  EsCvResult *r;
  float *pooled_scores;
  double *acc, *f1, *map3;
  gboolean ok;
  CvRun run;
  EsTrainConfig thread_config;
  /* folds trained at once: 1 .. k (an unsigned count keeps the allocation in range) */
  const guint jobs = (guint) CLAMP (config->jobs, 1, MAX (k, 1));

  if (grouped && !d->groups) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_SPLIT,
        "grouped cross-validation needs a group key in the data");
    return NULL;
  }
  r = g_new0 (EsCvResult, 1);
  r->k = k;
  r->folds = g_new0 (EsMetrics *, k);
  r->fold_of = g_new (int, d->n);
  r->epochs = g_new0 (int, k);
  if (!es_kfold_assign (d->labels, grouped ? d->groups : NULL, d->n, d->n_classes, k,
          config->seed, r->fold_of, error)) {
    es_cv_result_free (r);
    return NULL;
  }
  pooled_scores = g_new0 (float, d->n * d->n_classes);

  /* Folds are independent and each is deterministic for its seed, so
   * training them on several threads gives the same figures as one by one. */
  memset (&run, 0, sizeof run);
  run.architecture_json = architecture_json;
  run.in_ndim = in_ndim;
  run.in_shape = in_shape;
  run.d = d;
  run.grouped = grouped;
  run.validation_fraction = validation_fraction;
  run.config = config;
  run.r = r;
  run.pooled_scores = pooled_scores;
  run.failed_fold = k;
  g_mutex_init (&run.lock);
  /* the BLAS thread count is process-wide: set it once, not from each fold */
  if (jobs > 1 && config->threads > 0) {
    es_nn_set_threads (config->threads);
    thread_config = *config;
    thread_config.threads = 0;
    run.config = &thread_config;
  }
  if (jobs == 1) {
    fold_worker (&run);
  } else {
    GThread **workers = g_new (GThread *, jobs);
    for (guint j = 0; j < jobs; j++)
      workers[j] = g_thread_new ("es-cv-fold", fold_worker, &run);
    for (guint j = 0; j < jobs; j++)
      g_thread_join (workers[j]);
    g_free (workers);
  }
  g_mutex_clear (&run.lock);
  ok = run.failed_fold == k;
  if (!ok)
    g_propagate_error (error, run.error);

  if (!ok) {
    g_free (pooled_scores);
    es_cv_result_free (r);
    return NULL;
  }
  r->pooled = es_metrics_compute (pooled_scores, d->labels, d->n, d->n_classes);
  r->pooled_scores = pooled_scores;
  acc = g_new (double, k);
  f1 = g_new (double, k);
  map3 = g_new (double, k);
  for (int f = 0; f < k; f++) {
    acc[f] = r->folds[f]->accuracy;
    f1[f] = r->folds[f]->macro_f1;
    map3[f] = r->folds[f]->map3;
  }
  es_mean_std (acc, k, &r->accuracy_mean, &r->accuracy_std);
  es_mean_std (f1, k, &r->macro_f1_mean, &r->macro_f1_std);
  es_mean_std (map3, k, &r->map3_mean, &r->map3_std);
  g_free (acc);
  g_free (f1);
  g_free (map3);
  return r;
}
