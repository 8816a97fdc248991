/* Training recipes: a GKeyFile naming the data, the network, the optimiser,
 * the schedule, the split and the outputs. Every key is checked: an unknown
 * group or key, a missing required key or a bad value is an error naming the
 * file, group and key. Relative paths resolve against the recipe's folder.
 *
 *   [data]
 *   kind = iem                 # a registered data kind (train/datakind.h): table,
 *                              # and the tasks' (iem, iem-graph: tasks/iem/task-iem.h)
 *   path = ../../shared/data/iem
 *   label = label              # class column
 *   group = reviewer           # group key column(s), comma-separated
 *   filter = reviewer:harpo,arn  # optional: keep rows whose column has one of the values
 *   max_rows = 0               # optional: evenly spaced subset for quick runs
 *   labels = Neutral;Bright;Warm;V-shape   # class order (default: as found)
 *   ...                        # the kind's own keys (table: features = a,b)
 *
 *   [augment]                  # the kind's augmentation keys, if it has any
 *
 *   [model]
 *   name = iem-signature-1d
 *   architecture = iem-1d      # a built-in name, inline JSON, or a .json file
 *   input_shape = 1,128        # optional; default [1, L] for conv1d nets, [L] otherwise
 *
 *   [train]
 *   optimizer = adam           # adam or sgd
 *   learning_rate = 0.001
 *   weight_decay = 0
 *   betas = 0.9;0.999          # adam
 *   momentum = 0.9             # sgd
 *   batch_size = 32
 *   max_epochs = 100
 *   class_weights = none       # none or balanced
 *   plateau_factor = 0.5       # ReduceLROnPlateau on validation loss (0 = off)
 *   plateau_patience = 5
 *   min_lr = 0
 *   early_stop_patience = 10   # 0 = train all max_epochs (best weights still kept)
 *   label_smoothing = 0        # 0 = off; e.g. 0.1: targets (1 - 0.1) one-hot + 0.1 / classes
 *   ema_decay = 0              # 0 = off; e.g. 0.999: validate and keep the moving
 *                              # average of the weights (train/ema.h)
 *   seed = 1
 *   threads = 1
 *
 *   [split]
 *   method = grouped           # grouped (needs [data] group) or stratified
 *   validation = 0.15
 *   test = 0.15
 *   folds = 5                  # for cross-validation (earshot train --cv)
 *
 *   [output]
 *   dir = out                  # model, card and plots go here, named after [model] name
 */
#ifndef ES_TRAIN_RECIPE_H
#define ES_TRAIN_RECIPE_H

#include <stddef.h>
#include <glib.h>

#include "datakind.h"
#include "dataset.h"
#include "train.h"
#include "train-error.h"

G_BEGIN_DECLS

struct _EsRecipe {
  char *path;                 /* the recipe file */
  char *text;                 /* its contents, for the model card */

  /* [data] */
  const EsDataKind *data_kind;
  gpointer data_settings;     /* the kind's own keys, read by data_kind->parse */
  char *data_path;            /* resolved */
  char *data_path_as_written; /* as in the recipe (for model cards: no machine paths) */
  char *label_column;
  char *group_columns;        /* NULL: no groups */
  char *filter_column, *filter_values;
  size_t max_rows;
  char **labels;              /* class order, NULL-terminated, or NULL */

  /* [model] */
  char *name;
  char *architecture;         /* as written: a built-in name, JSON or a file */
  char *architecture_json;    /* with the built-in's output size still to fill: see below */
  gboolean architecture_builtin;
  int in_ndim;                /* 0: decide from the data */
  size_t in_shape[4];

  /* [train] */
  EsOptimizerKind optimizer;
  double learning_rate, weight_decay, beta1, beta2, momentum;
  size_t batch_size;
  int max_epochs;
  gboolean balanced_class_weights;
  double plateau_factor;
  int plateau_patience;
  double min_lr;
  int early_stop_patience;
  double label_smoothing;
  double ema_decay;
  guint64 seed;
  int threads;

  /* [split] */
  gboolean grouped;
  double validation_fraction, test_fraction;
  int folds;

  /* [output] */
  char *output_dir;
};

EsRecipe *es_recipe_load (const char *path, GError **error);
EsRecipe *es_recipe_load_from_data (const char *text, const char *path, GError **error);
void es_recipe_free (EsRecipe *recipe);

/* The trainer's settings from the recipe (es_train_config_init + [train];
 * soft targets when the kind's augmentation gives them). */
void es_train_config_from_recipe (EsTrainConfig *config, const EsRecipe *recipe);

/* The common selection options from [data]. Points into the recipe. */
void es_recipe_dataset_options (const EsRecipe *recipe, EsDatasetOptions *options);
/* Load the data the recipe names, through its kind; `read` (may be NULL) is
 * the caller's reader for kinds that need one. */
EsDataset *es_recipe_load_dataset (const EsRecipe *recipe, EsDataReadFunc read,
    gpointer read_data, GError **error);

/* The architecture JSON for n_classes outputs: built-ins get their last dense
 * layer sized; a given JSON is returned as is (the trainer checks its output
 * size). Newly allocated. */
char *es_recipe_architecture_for (const EsRecipe *recipe, int n_classes);
/* The input shape for the examples of `data`: [in_shape] if given (its
 * product must equal the input size), else the data's own geometry when a
 * 2-D network takes it ([C, H, W]), else [1, L] when the first layer is a
 * conv1d, else [L]. Returns ndim, or 0 with error set. */
int es_recipe_input_shape (const EsRecipe *recipe, const char *architecture_json,
    const EsDataset *data, size_t *shape, GError **error);

/* Built-in architectures: "iem-1d", "iem-2d", "audio-1d" (the seed networks
 * of issue 3) and "mlp" (dense 64, ReLU, dense). NULL if unknown. */
char *es_builtin_architecture (const char *name, int n_classes);
const char *const *es_builtin_architecture_names (void);

/* Reading a kind's keys (EsDataKind.parse). Each reader names the file, the
 * group and the key in its error; after the first error every call returns
 * its fallback and the load fails with that error. */
gboolean es_recipe_reader_has (EsRecipeReader *reader, const char *group, const char *key);
gboolean es_recipe_reader_has_group (EsRecipeReader *reader, const char *group);
/* NULL-terminated choices; returns the index (case-insensitive match). */
int es_recipe_reader_choice (EsRecipeReader *reader, const char *group, const char *key,
    const char *const *choices, int fallback);
gint64 es_recipe_reader_int (EsRecipeReader *reader, const char *group, const char *key,
    gint64 fallback, gint64 min, gint64 max);
double es_recipe_reader_double (EsRecipeReader *reader, const char *group, const char *key,
    double fallback, double min, double max);
/* Newly allocated; the fallback (copied) when absent. */
char *es_recipe_reader_string (EsRecipeReader *reader, const char *group, const char *key,
    const char *fallback);
void es_recipe_reader_fail (EsRecipeReader *reader, const char *group, const char *key,
    const char *format, ...) G_GNUC_PRINTF (4, 5);
gboolean es_recipe_reader_failed (EsRecipeReader *reader);
/* For a kind whose keys are read by a GKeyFile reader of its own
 * (tasks/audio/audio-recipe.h): the recipe's key file and path, and a way to
 * fail the load with that reader's error (taken; dropped after a first error). */
GKeyFile *es_recipe_reader_get_key_file (EsRecipeReader *reader);
const char *es_recipe_reader_get_path (EsRecipeReader *reader);
void es_recipe_reader_take_error (EsRecipeReader *reader, GError *error);

G_END_DECLS

#endif
