/* In-memory labelled data sets for training and evaluation: n examples of
 * input_size float32 values, a class and a group per example.
 *
 * Loaders:
 *  - table: a CSV with a header; one column holds the class name, optional
 *    columns form the group key, the feature columns are numbers.
 *  - iem: a folder with index.csv (`path,reviewer,iem,channel,label,...`, see
 *    ../shared/data/iem/README.md) naming frequency-response CSVs; each is
 *    parsed by io/frcsv, resampled to `points` log-spaced values between fmin
 *    and fmax with the mean removed (io/frcurve: the same code frsrc runs).
 * Classes are given in a fixed order (the model's label list) or, if not, in
 * order of first appearance. A group key is one or more columns joined, e.g.
 * "reviewer,iem" keeps the L and R channels of one IEM together. */
#ifndef ES_TRAIN_DATASET_H
#define ES_TRAIN_DATASET_H

#include <stddef.h>
#include <glib.h>

#include "train/train-error.h"

G_BEGIN_DECLS

typedef struct {
  size_t n;
  size_t input_size;
  float *x;               /* n x input_size */
  int *labels;            /* n, in [0, n_classes) */
  int *groups;            /* n dense group ids, or NULL (no group key) */
  int n_classes;
  char **class_names;     /* n_classes names, NULL-terminated */
  char **sample_names;    /* n names for reports (file path or "line N"), NULL-terminated */
  /* iem and iem-graph: each example's measured rows as read (Hz increasing,
   * dB), kept so augmentation can perturb the raw rows and recompute the
   * label exactly; NULL for tables */
  size_t *raw_n;
  double **raw_frequency, **raw_level;
  /* iem-graph: examples are grey images of image_height x image_width
   * (input_size = their product); 0 for feature vectors */
  unsigned image_width, image_height;
} EsDataset;

EsDataset *es_dataset_new (size_t n, size_t input_size, const char *const *class_names);
void es_dataset_free (EsDataset *dataset);
/* A copy of the rows listed in indices (group ids, names and raw rows kept). */
EsDataset *es_dataset_subset (const EsDataset *dataset, const size_t *indices, size_t n);
/* Examples per class, n_classes entries, newly allocated. */
size_t *es_dataset_class_counts (const EsDataset *dataset);
size_t es_dataset_count_groups (const EsDataset *dataset);

typedef struct {
  const char *label_column;         /* "label" if NULL */
  const char *group_columns;        /* comma-separated, or NULL for none */
  const char *feature_columns;      /* table: comma-separated; NULL = every other column */
  const char *const *class_names;   /* fixed class order, NULL-terminated; NULL = as found */
  /* iem: resampling */
  size_t points;                    /* 0 = 128 */
  double fmin, fmax;                /* 0 = 20 Hz, 20 kHz */
  /* optional row filter: keep rows whose filter_column is one of filter_values
   * (comma-separated), e.g. reviewer = "harpo,arn" */
  const char *filter_column;
  const char *filter_values;
  /* keep at most this many rows (0 = all), taken evenly through the file so a
   * quick run still sees every part of it */
  size_t max_rows;
  /* iem-graph: model image size (0 = 224 x 224) and the look of the stored
   * (not augmented) images: FALSE = the seed's (800 x 500, 2-px blue line),
   * TRUE = a look drawn per example from look_seed (tasks/iem/fraugment.h) */
  unsigned image_width, image_height;
  gboolean varied_look;
  guint64 look_seed;
} EsDatasetOptions;

/* More distinct labels than this in the class column is an error: it is
 * almost always the wrong column, and the trainer's per-class tables (the
 * confusion matrix is classes x classes) are not made for more. */
#define ES_DATASET_MAX_CLASSES 1000

/* The table is read as a stream, row by row: its header is checked first (a
 * missing label, group, filter or feature column is reported before any row
 * is read), only the columns used are kept, and memory for the rows is asked
 * for with g_try_realloc (running out is an error, not an abort). */
EsDataset *es_dataset_load_table (const char *csv_path, const EsDatasetOptions *options,
    GError **error);
/* The IEM loader is in train/dataset-iem.h. */

G_END_DECLS

#endif
