/* Loading an IEM measurement folder (index.csv + frequency-response CSVs,
 * ../shared/data/iem/README.md) as a data set: each file is parsed by
 * io/frcsv and resampled by io/frcurve to `points` log-spaced values between
 * fmin and fmax with the mean removed, exactly as the frsrc element does. */
#ifndef ES_TASKS_IEM_DATASET_IEM_H
#define ES_TASKS_IEM_DATASET_IEM_H

#include "train/dataset.h"

G_BEGIN_DECLS

/* @path: the folder holding index.csv, or the index.csv itself. Paths in the
 * index are relative to its folder. The label column defaults to "label";
 * any file that cannot be read or does not cover fmin..fmax is an error
 * naming the index line and the file. */
EsDataset *es_dataset_load_iem (const char *path, const EsDatasetOptions *options,
    GError **error);

/* The same measurements as graph images (data kind iem-graph): each drawn by
 * io/graph.h with the mean of its rows removed, in the seed's look or a look
 * of its own (options->varied_look, see tasks/iem/fraugment.h), and resized to
 * image_width x image_height (224 x 224 by default) grey floats in [0, 1]
 * (white = 1) by es_resize_gray8_to_float, as cnnclassify does. Raw rows are
 * kept in both loaders (dataset->raw_*) for augmentation. */
EsDataset *es_dataset_load_iem_graph (const char *path, const EsDatasetOptions *options,
    GError **error);

G_END_DECLS

#endif
