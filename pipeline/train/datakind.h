/* Data kinds: what `[data] kind = NAME` in a recipe names. The trainer knows
 * none of them; each task registers its own (tasks/iem registers "iem" and
 * "iem-graph", the trainer itself the generic "table"), so a new kind of
 * data is one file of its task and one registration line.
 *
 * A kind says which [data] and [augment] keys it reads beyond the common
 * ones (path, label, group, filter, max_rows, labels), reads them into
 * settings of its own, loads the data set, describes the model's front-end
 * and task, gives the trainer its augmentation hook, and writes its lines of
 * the model card. Data the library cannot decode itself (audio: the library
 * has no GStreamer) comes through the caller's EsDataReadFunc.
 *
 * Registration is process-wide and meant for start-up (es_tasks_register_builtin
 * in tasks/tasks.h registers every task of the library); lookups are
 * thread-safe. */
#ifndef ES_TRAIN_DATAKIND_H
#define ES_TRAIN_DATAKIND_H

#include <glib.h>

#include "../model/frontend-desc.h"
#include "../model/model.h"
#include "dataset.h"
#include "train.h"

G_BEGIN_DECLS

typedef struct _EsRecipe EsRecipe;
typedef struct _EsRecipeReader EsRecipeReader;

/* The caller's reader of a file the library cannot decode: fills *values
 * (newly allocated, g_free) with *n_values floats of the file's content as
 * the front-end wants it (e.g. audio: mono samples at frontend->rate).
 * FALSE with error set (the message names the file). Called from the thread
 * that loads the data. */
typedef gboolean (*EsDataReadFunc) (const char *path, const EsFrontendDesc *frontend,
    float **values, size_t *n_values, gpointer user_data, GError **error);

/* What a kind's loader is given. */
typedef struct {
  const char *path;                   /* the recipe's [data] path, resolved */
  const EsDatasetOptions *options;    /* the common selection: columns, filter, classes */
  gconstpointer settings;             /* the kind's own (parse / settings_for_model) */
  guint64 seed;                       /* the recipe's seed, for anything drawn at load */
  EsDataReadFunc read;                /* the caller's reader, or NULL */
  gpointer read_data;
} EsDataLoad;

typedef struct {
  const char *name;                   /* [data] kind = name */
  const char *const *data_keys;       /* its own [data] keys, NULL-terminated (may be NULL) */
  const char *const *augment_keys;    /* its [augment] keys; NULL: no augmentation */

  /* Read its keys (es_recipe_reader_*, which name file, group and key in
   * errors) into new settings. The recipe's common groups ([data] common
   * keys, [model], [train], [split]) are read already. */
  gpointer (*parse) (EsRecipeReader *reader, const EsRecipe *recipe);
  void (*free_settings) (gpointer settings);

  EsDataset *(*load) (const EsDataLoad *load, GError **error);

  /* The model's front-end for data loaded with these settings and options
   * (frontend is filled here: es_frontend_desc_init first), and the task:
   * what it classifies and the tag of its decisions. */
  void (*describe) (gconstpointer settings, const EsDatasetOptions *options,
      const EsDataset *data, EsFrontendDesc *frontend, const char **task, EsModelTag *tag);

  /* Augmentation of training batches: new state for data like `like` (NULL
   * with no error: the recipe asked for none), the hook, and whether the
   * hook gives soft targets. NULL augment_new: the kind has none. */
  gpointer (*augment_new) (gconstpointer settings, const EsDataset *like, GError **error);
  EsAugmentFunc augment;
  void (*augment_free) (gpointer augment);
  gboolean (*soft_targets) (gconstpointer settings);

  /* Model card: what the data is ("IEM measurements"), and the list item on
   * its augmentation ("- augmentation of ...", no trailing newline) or NULL.
   * Newly allocated. */
  char *(*card_data) (gconstpointer settings);
  char *(*card_augment) (gconstpointer settings);

  /* Settings to load `path` as labelled input for a model with this
   * front-end (earshot eval): `recipe_settings` (may be NULL) are a recipe's
   * for this kind, which the model's front-end overrides where it fixes the
   * input (grid, image size). NULL when this kind does not make such input
   * from such a path. */
  gpointer (*settings_for_model) (const EsFrontendDesc *frontend, const char *path,
      gconstpointer recipe_settings);

  /* Examples that make one decision together (audio: the windows of one
   * file): fills unit[i] (dense ids from 0) for each of data's examples and
   * returns the number of units. The trainer and `earshot eval` then also
   * score units, each decided by the mean of its examples' probabilities
   * (pipeline/decide). NULL: every example is its own decision. */
  size_t (*decision_units) (const EsDataset *data, int *unit);

  /* The label that means "nothing here" (a live stream's background, which
   * never starts an event: decide/events.h), written into the model
   * (es_model_set_background_label); NULL, or a NULL hook: none. */
  const char *(*background_label) (gconstpointer settings);
} EsDataKind;

/* Register a kind (kept by pointer: static storage). A second kind of the
 * same name is refused (FALSE, with a warning); registering the same pointer
 * again is a no-op. */
gboolean es_data_kind_register (const EsDataKind *kind);
/* NULL if no kind has that name. */
const EsDataKind *es_data_kind_lookup (const char *name);
/* Every registered kind's name in registration order (NULL-terminated,
 * g_free the array only). */
const char **es_data_kind_names (void);

/* The generic kind "table", registered by the trainer itself: a CSV with a
 * header, numeric feature columns ([data] features = a,b; default every
 * column that is neither the label, a group nor the filter). */
const EsDataKind *es_data_kind_table (void);

G_END_DECLS

#endif
