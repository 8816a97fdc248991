/* Internal to the data-set loaders (dataset.c, dataset-iem.c): a header-row
 * CSV reader and the row selection (filter, labels, groups) they share. */
#ifndef ES_TRAIN_DATASET_CSV_H
#define ES_TRAIN_DATASET_CSV_H

#include "train/dataset.h"

G_BEGIN_DECLS

/* Fields separated by ',', no quoting (the index files replace commas in
 * names, see the data README); '#' lines and blank lines skipped. */
typedef struct {
  char *path;
  char **header;
  int n_columns;
  GPtrArray *rows;        /* char ** per data line */
  GArray *line_numbers;   /* int per row, for messages */
} Csv;

/* Rows kept after the filter, with their classes and dense group ids. */
typedef struct {
  size_t n;
  size_t *rows;           /* indices into csv->rows */
  int *labels;
  int *groups;
  char **class_names;
} Selection;

G_GNUC_INTERNAL Csv *_es_csv_read (const char *path, GError **error);
G_GNUC_INTERNAL void _es_csv_free (Csv *csv);
G_GNUC_INTERNAL int _es_csv_column (const Csv *csv, const char *name, GError **error);
G_GNUC_INTERNAL gboolean _es_select_rows (const Csv *csv, const EsDatasetOptions *options,
    Selection *selection, GError **error);
G_GNUC_INTERNAL void _es_selection_clear (Selection *selection);
G_GNUC_INTERNAL EsDataset *_es_dataset_from_selection (Selection *selection,
    size_t input_size);

G_END_DECLS

#endif
