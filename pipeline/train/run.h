/* A whole training run from a recipe, as `earshot train` does it: load the
 * data through its kind, split it (grouped or stratified) into train /
 * validation / test, train the model (and with cross-validation the k fold
 * models, on up to `jobs` threads beside it), score the held-out test part,
 * and write into the output folder NAME.safetensors (the model, with its
 * front-end description, task and a training summary in the metadata),
 * NAME.md (the model card), NAME-loss.png, NAME-accuracy.png and
 * NAME-confusion.png. Every file is written to a temporary name and renamed;
 * a failed run leaves earlier outputs alone. The figures and the files are
 * the same bytes for a seed whatever `jobs` is. */
#ifndef ES_TRAIN_RUN_H
#define ES_TRAIN_RUN_H

#include <glib.h>

#include "datakind.h"
#include "recipe.h"
#include "train.h"

G_BEGIN_DECLS

typedef struct {
  const char *out_dir;          /* NULL: the recipe's [output] dir */
  gboolean cross_validate;      /* also k-fold CV ([split] folds) */
  int jobs;                     /* with CV: networks trained at once (0, 1: one by one) */
  int max_epochs;               /* > 0: instead of [train] max_epochs */
  gint64 seed;                  /* >= 0: instead of [train] seed */
  /* progress: a line per epoch (may be NULL; called from the training
   * threads, one at a time), and what the run is doing ("N examples...",
   * "split: ...", "cross-validation: ...") */
  EsEpochFunc on_epoch;
  void (*on_stage) (const char *line, gpointer user_data);
  gpointer user_data;           /* for both */
  /* the caller's reader for data kinds that need one (may be NULL) */
  EsDataReadFunc read;
  gpointer read_data;
} EsTrainRunOptions;

void es_train_run_options_init (EsTrainRunOptions *options);

typedef struct {
  char *model_path, *card_path, *loss_png, *accuracy_png;
  char *confusion_png;          /* NULL when there was nothing to score */
  EsMetrics *test;              /* the held-out test part's, or NULL (empty part) */
  EsCvResult *cv;               /* with cross-validation, else NULL */
  /* Decisions on units of examples (the data kind's decision_units: audio
   * files), each the mean of its examples' probabilities; NULL when the kind
   * has no units. cv_units has k, folds, pooled and the means (no fold_of,
   * scores or epochs). */
  EsMetrics *test_units;
  EsCvResult *cv_units;
  char *card;                   /* the model card's text */
  int epochs, best_epoch;       /* of the model's training */
} EsTrainRunResult;

void es_train_run_result_free (EsTrainRunResult *result);

/* Unit-level figures (see EsTrainRunResult.test_units): @probs are the n x
 * n_classes probabilities of data's examples; NULL when the kind has no
 * decision units. The decision of a unit is the mean of its examples'
 * probabilities (pipeline/decide's EsDecisionMean), its label its examples'. */
EsMetrics *es_train_unit_metrics (const EsDataKind *kind, const EsDataset *data,
    const float *probs);

/* Run the recipe. NULL with error set (ES_TRAIN_ERROR, or the loader's,
 * the model's, the file writer's) on failure. */
EsTrainRunResult *es_train_run (const EsRecipe *recipe, const EsTrainRunOptions *options,
    GError **error);

G_END_DECLS

#endif
