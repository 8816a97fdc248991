/* The IEM data-set loader: index.csv + frequency-response CSVs, resampled by
 * the same io/ code as the frsrc element. */
#include "nn/dataset-iem.h"
#include "nn/dataset-csv.h"

#include "io/frcsv.h"
#include "io/frcurve.h"

EsDataset *
es_dataset_load_iem (const char *path, const EsDatasetOptions *o, GError **error)
{
  char *index_path, *dir;
  Csv *csv;
  Selection s;
  EsDataset *d = NULL;
  int path_col;
  size_t points = o->points ? o->points : ES_FR_POINTS_DEFAULT;
  double fmin = o->fmin > 0 ? o->fmin : ES_FR_FMIN_DEFAULT;
  double fmax = o->fmax > 0 ? o->fmax : ES_FR_FMAX_DEFAULT;
  EsFrLimits limits = { 0 };

  if (points < 2 || !(fmin < fmax)) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
        "resampling to %zu points from %g to %g Hz is not possible", points, fmin, fmax);
    return NULL;
  }
  if (g_file_test (path, G_FILE_TEST_IS_DIR)) {
    dir = g_strdup (path);
    index_path = g_build_filename (path, "index.csv", NULL);
  } else {
    dir = g_path_get_dirname (path);
    index_path = g_strdup (path);
  }
  if (!(csv = _es_csv_read (index_path, error)))
    goto out;
  if ((path_col = _es_csv_column (csv, "path", error)) < 0)
    goto out;
  if (!_es_select_rows (csv, o, &s, error))
    goto out;

  limits.required_fmin = fmin;
  limits.required_fmax = fmax;
  d = _es_dataset_from_selection (&s, points);
  for (size_t i = 0; i < s.n; i++) {
    char **f = g_ptr_array_index (csv->rows, s.rows[i]);
    int line = g_array_index (csv->line_numbers, int, s.rows[i]);
    char *file = g_build_filename (dir, f[path_col], NULL);
    GError *err = NULL;
    EsFrMeasurement *m = es_fr_measurement_load (file, &limits, &err);
    if (!m) {
      g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA, "%s:%d: %s", index_path,
          line, err->message);
      g_error_free (err);
      g_free (file);
      es_dataset_free (d);
      d = NULL;
      break;
    }
    es_fr_resample (m->frequency, m->level, m->n, fmin, fmax, TRUE,
        d->x + i * points, points);
    es_fr_measurement_free (m);
    d->sample_names[i] = g_strdup (f[path_col]);
    g_free (file);
  }
  _es_selection_clear (&s);

out:
  _es_csv_free (csv);
  g_free (index_path);
  g_free (dir);
  return d;
}
