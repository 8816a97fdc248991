/* In-memory labelled data sets for training and evaluation: n examples of
 * input_size float32 values, a class and a group per example.
 *
 * The table loader is here: a CSV with a header; one column holds the class
 * name, optional columns form the group key, the feature columns are numbers.
 * Other kinds of data come from the tasks (train/datakind.h, tasks/).
 * Classes are given in a fixed order (the model's label list) or, if not, in
 * order of first appearance. A group key is one or more columns joined, e.g.
 * "reviewer,iem" keeps the L and R channels of one IEM together. */
#ifndef ES_TRAIN_DATASET_H
#define ES_TRAIN_DATASET_H

#include <stddef.h>
#include <glib.h>

#include "train-error.h"

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
  /* The geometry of one example when it is not a flat vector: [C, H, W] for
   * images (the trainer makes image models of those), [C, L]...; ndim 0: a
   * vector of input_size. The product of shape is input_size. */
  int ndim;
  size_t shape[3];
  /* n blobs of per-example data a data kind keeps for its augmentation (e.g.
   * a measurement's raw rows, tasks/iem), shared by subsets; NULL if none */
  GBytes **raw;
} EsDataset;

EsDataset *es_dataset_new (size_t n, size_t input_size, const char *const *class_names);
void es_dataset_free (EsDataset *dataset);
/* A copy of the rows listed in indices (group ids, names, geometry and raw
 * data kept; the raw blobs are shared, not copied). */
EsDataset *es_dataset_subset (const EsDataset *dataset, const size_t *indices, size_t n);
/* Examples per class, n_classes entries, newly allocated. */
size_t *es_dataset_class_counts (const EsDataset *dataset);
size_t es_dataset_count_groups (const EsDataset *dataset);

typedef struct {
  const char *label_column;         /* "label" if NULL */
  const char *group_columns;        /* comma-separated, or NULL for none */
  const char *feature_columns;      /* table: comma-separated; NULL = every other column */
  const char *const *class_names;   /* fixed class order, NULL-terminated; NULL = as found */
  /* optional row filter: keep rows whose filter_column is one of filter_values
   * (comma-separated), e.g. reviewer = "harpo,arn" */
  const char *filter_column;
  const char *filter_values;
  /* keep at most this many rows (0 = all), taken evenly through the file so a
   * quick run still sees every part of it */
  size_t max_rows;
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
/* Loaders of other kinds of data: the tasks' (e.g. tasks/iem/dataset-iem.h). */

G_END_DECLS

#endif
