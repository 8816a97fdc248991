/* Training recipes: a GKeyFile naming the data, the network, the optimiser,
 * the schedule, the split and the outputs. Every key is checked: an unknown
 * group or key, a missing required key or a bad value is an error naming the
 * file, group and key. Relative paths resolve against the recipe's folder.
 *
 *   [data]
 *   kind = iem                 # iem (folder with index.csv), iem-graph (the same
 *                              # drawn as graph images) or table (CSV)
 *   path = ../../shared/data/iem
 *   points = 128               # iem: log-spaced points (fmin, fmax: 20, 20000)
 *   label = label              # class column
 *   group = reviewer           # group key column(s), comma-separated
 *   features = a,b             # table: feature columns (default: the rest)
 *   filter = reviewer:harpo,arn  # optional: keep rows whose column has one of the values
 *   max_rows = 0               # optional: evenly spaced subset for quick runs
 *   labels = Neutral;Bright;Warm;V-shape   # class order (default: as found)
 *   width = 224                # iem-graph: image size the model takes
 *   height = 224
 *   look = varied              # iem-graph: stored images drawn in the seed's look
 *                              # (seed) or each in a random look of its own (varied)
 *
 *   [augment]                  # iem / iem-graph: training batches only (tasks/iem/fraugment.h)
 *   probability = 0.5          # share of drawn examples whose raw rows are perturbed
 *   shelf_db = 6               # and relabelled by the rule
 *   tilt_db = 1
 *   peak_db = 4
 *   ripple_db = 0.5
 *   jitter = 0.02              # octaves
 *   offset_db = 2              # iem-graph: vertical offset
 *   looks = 0.3                # iem-graph: share of unperturbed examples drawn in a new
 *                              # random look (perturbed ones always are)
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

#include "train/train-error.h"
#include "train/dataset.h"
#include "tasks/iem/fraugment.h"

G_BEGIN_DECLS

typedef enum {
  ES_RECIPE_DATA_TABLE,
  ES_RECIPE_DATA_IEM,
  ES_RECIPE_DATA_IEM_GRAPH,
} EsRecipeDataKind;

typedef enum {
  ES_RECIPE_OPTIMIZER_ADAM,
  ES_RECIPE_OPTIMIZER_SGD,
} EsRecipeOptimizer;

typedef struct {
  char *path;                 /* the recipe file */
  char *text;                 /* its contents, for the model card */

  /* [data] */
  EsRecipeDataKind data_kind;
  char *data_path;            /* resolved */
  char *data_path_as_written; /* as in the recipe (for model cards: no machine paths) */
  char *label_column;
  char *group_columns;        /* NULL: no groups */
  char *feature_columns;
  char *filter_column, *filter_values;
  size_t max_rows;
  size_t points;
  double fmin, fmax;
  char **labels;              /* class order, NULL-terminated, or NULL */
  unsigned image_width, image_height;   /* iem-graph */
  gboolean varied_look;       /* iem-graph: stored images in varied looks */

  /* [augment] (iem, iem-graph) */
  gboolean augment;           /* the group is present */
  EsFrAugmentConfig augment_config;

  /* [model] */
  char *name;
  char *architecture;         /* as written: a built-in name, JSON or a file */
  char *architecture_json;    /* with the built-in's output size still to fill: see below */
  gboolean architecture_builtin;
  int in_ndim;                /* 0: decide from the data */
  size_t in_shape[4];

  /* [train] */
  EsRecipeOptimizer optimizer;
  double learning_rate, weight_decay, beta1, beta2, momentum;
  size_t batch_size;
  int max_epochs;
  gboolean balanced_class_weights;
  double plateau_factor;
  int plateau_patience;
  double min_lr;
  int early_stop_patience;
  double ema_decay;
  guint64 seed;
  int threads;

  /* [split] */
  gboolean grouped;
  double validation_fraction, test_fraction;
  int folds;

  /* [output] */
  char *output_dir;
} EsRecipe;

EsRecipe *es_recipe_load (const char *path, GError **error);
EsRecipe *es_recipe_load_from_data (const char *text, const char *path, GError **error);
void es_recipe_free (EsRecipe *recipe);

/* Options for es_dataset_load_* from [data]. Points into the recipe. */
void es_recipe_dataset_options (const EsRecipe *recipe, EsDatasetOptions *options);
/* Load the data the recipe names. */
EsDataset *es_recipe_load_dataset (const EsRecipe *recipe, GError **error);

/* The architecture JSON for n_classes outputs: built-ins get their last dense
 * layer sized; a given JSON is returned as is (the trainer checks its output
 * size). Newly allocated. */
char *es_recipe_architecture_for (const EsRecipe *recipe, int n_classes);
/* The input shape for examples of input_size values: [in_shape] if given
 * (its product must equal input_size), else [1, L] when the first layer is a
 * conv1d, else [L]. Returns ndim, or 0 with error set. */
int es_recipe_input_shape (const EsRecipe *recipe, const char *architecture_json,
    size_t input_size, size_t *shape, GError **error);

/* Built-in architectures: "iem-1d", "iem-2d", "audio-1d" (the seed networks
 * of issue 3) and "mlp" (dense 64, ReLU, dense). NULL if unknown. */
char *es_builtin_architecture (const char *name, int n_classes);
const char *const *es_builtin_architecture_names (void);

G_END_DECLS

#endif
