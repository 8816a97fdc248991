/* Loading an IEM measurement folder (index.csv + frequency-response CSVs,
 * ../shared/data/iem/README.md) as a data set: each file is parsed by
 * io/frcsv and resampled by io/frcurve to `points` log-spaced values between
 * fmin and fmax with the mean removed, exactly as the frsrc element does. */
#ifndef ES_NN_DATASET_IEM_H
#define ES_NN_DATASET_IEM_H

#include "nn/dataset.h"

G_BEGIN_DECLS

/* @path: the folder holding index.csv, or the index.csv itself. Paths in the
 * index are relative to its folder. The label column defaults to "label";
 * any file that cannot be read or does not cover fmin..fmax is an error
 * naming the index line and the file. */
EsDataset *es_dataset_load_iem (const char *path, const EsDatasetOptions *options,
    GError **error);

G_END_DECLS

#endif
