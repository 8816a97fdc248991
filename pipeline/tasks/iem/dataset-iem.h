/* Loading an IEM measurement folder (index.csv + frequency-response CSVs,
 * ../shared/data/iem/README.md) as a data set: each file is parsed by
 * io/frcsv and resampled by io/frcurve to `points` log-spaced values between
 * fmin and fmax with the mean removed, exactly as the frsrc element does; or
 * drawn as its graph (data kind iem-graph). Each example keeps its measured
 * rows (EsDataset.raw, es_iem_raw_rows) for the augmentation, which perturbs
 * them and relabels by the rule (tasks/iem/fraugment.h). */
#ifndef ES_TASKS_IEM_DATASET_IEM_H
#define ES_TASKS_IEM_DATASET_IEM_H

#include "train/dataset.h"
#include "tasks/iem/fraugment.h"

G_BEGIN_DECLS

typedef struct {
  size_t points;              /* log-spaced points; 0 = 128 */
  double fmin, fmax;          /* Hz; 0 = 20 Hz, 20 kHz */
  /* graphs (iem-graph): the model's image size (0 = 224 x 224) and the look
   * of the stored (not augmented) images: the seed's (800 x 500, 2-px blue
   * line), or a look of the family drawn per example from look_seed */
  unsigned width, height;
  EsFrLookFamily look_family;
  guint64 look_seed;
} EsIemDataOptions;

/* @path: the folder holding index.csv, or the index.csv itself. Paths in the
 * index are relative to its folder. The label column defaults to "label";
 * any file that cannot be read or does not cover fmin..fmax is an error
 * naming the index line and the file. @iem may be NULL (the defaults). */
EsDataset *es_dataset_load_iem (const char *path, const EsDatasetOptions *options,
    const EsIemDataOptions *iem, GError **error);

/* The same measurements as graph images: each drawn by io/graph.h with the
 * mean of its rows removed, in the seed's look or a look of its own (see
 * tasks/iem/fraugment.h), and resized to width x height grey floats in
 * [0, 1] (white = 1) by es_resize_gray8_to_float, as cnnclassify does. The
 * examples have the geometry [1, height, width]. */
EsDataset *es_dataset_load_iem_graph (const char *path, const EsDatasetOptions *options,
    const EsIemDataOptions *iem, GError **error);

/* A measurement's rows (Hz increasing, dB) as one example's raw blob, and
 * back (the pointers point into the blob). */
GBytes *es_iem_raw_new (const double *frequency, const double *level, size_t n);
void es_iem_raw_rows (GBytes *raw, size_t *n, const double **frequency, const double **level);

G_END_DECLS

#endif
