/* The IEM task: a headphone / IEM frequency response classified into its
 * tuning signature. It registers two data kinds for recipes:
 *
 *   [data]
 *   kind = iem                 # a folder with index.csv (tasks/iem/dataset-iem.h)
 *   points = 128               # log-spaced points; fmin = 20, fmax = 20000 (Hz)
 *   fmin = 20
 *   fmax = 20000
 *
 *   kind = iem-graph           # the same measurements drawn as graph images
 *   points, fmin, fmax         # as above (the grid augmented curves are resampled to)
 *   width = 224                # the model's image size
 *   height = 224
 *   look = seed                # stored images in the seed's look, or each file in
 *                              # a random look of its own (varied, or wide: thick
 *                              # lines on small graphs, dark colours, ...;
 *                              # augmentation then draws wide looks too)
 *
 *   [augment]                  # training batches only (tasks/iem/fraugment.h)
 *   probability, shelf_db, tilt_db, peak_db, ripple_db, jitter, offset_db,
 *   looks, label_softness      # see EsFrAugmentConfig
 *
 * The models it makes describe their front-end as a measurement on the
 * grid (frsrc), drawn as a graph for iem-graph (spectrogramimager, or a
 * picture of a graph area-averaged to the model's size). */
#ifndef ES_TASKS_IEM_TASK_IEM_H
#define ES_TASKS_IEM_TASK_IEM_H

#include <glib.h>

#include "tasks/iem/dataset-iem.h"
#include "tasks/iem/fraugment.h"
#include "train/datakind.h"

G_BEGIN_DECLS

/* A recipe's settings for kind iem or iem-graph (EsRecipe.data_settings). */
typedef struct {
  gboolean graph;                 /* iem-graph */
  EsIemDataOptions data;          /* points, grid, image size and look (look_seed: the
                                   * recipe's seed, given at load) */
  gboolean augment;               /* the recipe has an [augment] group */
  EsFrAugmentConfig augment_config;
} EsIemTaskSettings;

/* The kinds "iem" and "iem-graph". */
const EsDataKind *es_task_iem_kind (void);
const EsDataKind *es_task_iem_graph_kind (void);

/* Register both (idempotent). */
void es_task_iem_register (void);

G_END_DECLS

#endif
