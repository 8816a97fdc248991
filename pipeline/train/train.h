/* Training and evaluation of an EsNet on an in-memory EsDataset.
 *
 * es_train runs mini-batch epochs (seeded shuffle each epoch), Adam or SGD,
 * optional balanced class weights, validation after every epoch,
 * ReduceLROnPlateau and early stopping on the validation loss (training loss
 * when there is no validation set); the best epoch's tensors are restored at
 * the end. With ema_decay the network validated, kept and restored is the
 * exponential moving average of the weights (train/ema.h); training steps still
 * move the live weights. For a given seed and thread count every run gives bit-identical
 * weights: weight init, dropout masks, shuffles and augmentation each draw
 * from their own generator derived from the seed.
 *
 * es_cross_validate runs k folds (stratified or grouped): each fold is the
 * test part once; the rest is split again into train and validation, a fresh
 * network is trained, and the test fold is scored. */
#ifndef ES_TRAIN_TRAIN_H
#define ES_TRAIN_TRAIN_H

#include <stddef.h>
#include <glib.h>

#include "../nn/net.h"
#include "../nn/optim.h"
#include "dataset.h"
#include "metrics.h"
#include "split.h"
#include "train-error.h"

G_BEGIN_DECLS

typedef struct {
  int fold;                 /* -1 outside cross-validation */
  int epoch;                /* 1-based */
  int max_epochs;
  double train_loss, train_accuracy;
  double val_loss, val_accuracy, val_macro_f1;   /* NaN without validation data */
  double lr;                /* used during this epoch */
  gboolean best;            /* best monitored loss so far */
  double seconds;           /* wall time of the epoch */
} EsEpochReport;

typedef void (*EsEpochFunc) (const EsEpochReport *report, gpointer user_data);

/* Called on every training batch after it is gathered, before the forward
 * pass: may change the inputs in place (augmentation) and the labels (an
 * augmentation that changes what an example is, e.g. tasks/iem/fraugment.h, relabels
 * it). @train is the data set being trained on and @indices (batch entries)
 * the examples of the batch in it, so the hook can reach per-example data
 * such as the raw rows. rng is the trainer's augmentation generator, so
 * augmented runs stay deterministic. @targets is NULL unless the config asks
 * for soft targets; then the hook fills batch x n_classes target
 * distributions (rows summing to 1, the label the most likely class). */
typedef void (*EsAugmentFunc) (const EsDataset *train, const size_t *indices, size_t batch,
    float *x, int *labels, float *targets, EsRng *rng, gpointer user_data);

typedef struct {
  EsOptimizerKind optimizer;
  double learning_rate, weight_decay, beta1, beta2, momentum;
  size_t batch_size;
  int max_epochs;
  gboolean balanced_class_weights;
  double plateau_factor;        /* 0 = no plateau schedule */
  int plateau_patience;
  double min_lr;
  int early_stop_patience;      /* 0 = never stop early */
  double label_smoothing;       /* 0 = off; else train on (1 - eps) targets + eps /
                                 * classes (es_smooth_targets); no class weights */
  double ema_decay;             /* 0 = off; else validate and keep the moving
                                 * average of the weights (train/ema.h) */
  guint64 seed;
  int threads;                  /* BLAS threads; 0 = leave as is */
  int jobs;                     /* es_cross_validate: folds trained at once, one thread
                                 * each (0 or 1: one by one); the figures do not depend
                                 * on it. The augment hook must then be reentrant. */
  EsEpochFunc on_epoch;
  gpointer on_epoch_data;
  EsAugmentFunc augment;
  gpointer augment_data;
  gboolean soft_targets;        /* train on the augment hook's target distributions
                                 * (es_cross_entropy_soft) instead of the labels;
                                 * needs a hook and no class weights */
} EsTrainConfig;

/* The defaults a recipe has (es_train_config_from_recipe, train/recipe.h, fills
 * one from a recipe). */
void es_train_config_init (EsTrainConfig *config);

typedef struct {
  int n_epochs;
  int best_epoch;               /* 1-based epoch whose weights were kept */
  double *train_loss, *train_accuracy, *val_loss, *val_accuracy, *lr;   /* n_epochs */
} EsTrainHistory;

void es_train_history_free (EsTrainHistory *history);

/* Class weights n_samples / (n_classes * count_c) (scikit-learn "balanced");
 * classes without samples get 0. Newly allocated, n_classes floats. */
float *es_balanced_class_weights (const EsDataset *dataset);

/* Train @net (already built and initialised) on @train; @validation may be
 * NULL. @history (may be NULL) receives the per-epoch curves. */
gboolean es_train (EsNet *net, const EsDataset *train, const EsDataset *validation,
    const EsTrainConfig *config, EsTrainHistory **history, GError **error);

/* Softmax probabilities (n x n_classes, newly allocated) in inference mode;
 * @loss (may be NULL) receives the unweighted mean cross-entropy. */
float *es_predict (EsNet *net, const EsDataset *dataset, size_t batch_size, double *loss);
/* es_predict + es_metrics_compute (with the loss set). */
EsMetrics *es_evaluate (EsNet *net, const EsDataset *dataset, size_t batch_size);

/* Initialise weights and the dropout generator of @net for @seed, as
 * es_train_build_net does (for nets built elsewhere, e.g. by es_model_new). */
void es_train_init_net (EsNet *net, guint64 seed);
/* Build a network from a description, initialised for @seed. */
EsNet *es_train_build_net (const char *architecture_json, int in_ndim, const size_t *in_shape,
    int n_classes, guint64 seed, GError **error);

typedef struct {
  int k;
  EsMetrics **folds;            /* k test-fold metrics */
  EsMetrics *pooled;            /* every sample scored once, by its fold's model */
  double accuracy_mean, accuracy_std;
  double macro_f1_mean, macro_f1_std;
  double map3_mean, map3_std;
  int *fold_of;                 /* n: fold of each sample */
  float *pooled_scores;         /* n x n_classes: each sample's probabilities by its
                                 * fold's model */
  int *epochs;                  /* k: epochs each fold trained (best epoch) */
} EsCvResult;

void es_cv_result_free (EsCvResult *result);

/* k-fold cross-validation: @grouped uses dataset->groups (required then).
 * @validation_fraction of each training part is held out for validation
 * (early stopping, plateau); 0 trains without. */
EsCvResult *es_cross_validate (const char *architecture_json, int in_ndim,
    const size_t *in_shape, const EsDataset *dataset, gboolean grouped, int k,
    double validation_fraction, const EsTrainConfig *config, GError **error);

G_END_DECLS

#endif
