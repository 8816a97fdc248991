/* The IEM data-set loader: index.csv + frequency-response CSVs, resampled by
 * the same io/ code as the frsrc element. */
#include "tasks/iem/dataset-iem.h"
#include "train/dataset-csv.h"

#include <string.h>

#include "io/frcsv.h"
#include "io/frcurve.h"
#include "tasks/iem/fraugment.h"

GBytes *
es_iem_raw_new (const double *frequency, const double *level, size_t n)
{
  double *rows = g_new (double, 2 * n);
  memcpy (rows, frequency, n * sizeof (double));
  memcpy (rows + n, level, n * sizeof (double));
  return g_bytes_new_take (rows, 2 * n * sizeof (double));
}

void
es_iem_raw_rows (GBytes *raw, size_t *n, const double **frequency, const double **level)
{
  gsize size;
  const double *rows = g_bytes_get_data (raw, &size);
  *n = size / (2 * sizeof (double));
  *frequency = rows;
  *level = rows + *n;
}

/* The look of stored graph example i: the seed's, or drawn from the seed and
 * the sample's name (so a file keeps its look whatever else is selected). */
static void
stored_look (const EsIemDataOptions *o, const char *name, EsFrGraphLook *look)
{
  EsRng rng;
  guint64 h = G_GUINT64_CONSTANT (1469598103934665603);
  if (o->look_family == ES_FR_LOOK_SEED) {
    es_fr_graph_look_seed (look);
    return;
  }
  for (const char *p = name; *p; p++)
    h = (h ^ (guint8) * p) * G_GUINT64_CONSTANT (1099511628211);
  es_rng_init (&rng, h ^ (o->look_seed * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15)));
  es_fr_graph_look_random (look, o->look_family, 0.0, &rng);
}

static EsDataset *
load_iem (const char *path, const EsDatasetOptions *o, const EsIemDataOptions *iem,
    gboolean graph, GError **error)
{
  static const EsIemDataOptions defaults = { 0 };
  char *index_path, *dir;
  Csv *csv;
  Selection s;
  EsDataset *d = NULL;
  int path_col;
  size_t points;
  double fmin, fmax;
  EsFrLimits limits = { 0 };
  EsImage *scratch = NULL;

  if (!iem)
    iem = &defaults;
  points = iem->points ? iem->points : ES_FR_POINTS_DEFAULT;
  fmin = iem->fmin > 0 ? iem->fmin : ES_FR_FMIN_DEFAULT;
  fmax = iem->fmax > 0 ? iem->fmax : ES_FR_FMAX_DEFAULT;

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
  {
    unsigned w = iem->width ? iem->width : 224, h = iem->height ? iem->height : 224;
    d = _es_dataset_from_selection (&s, graph ? (size_t) w * h : points);
    if (graph) {
      d->ndim = 3;
      d->shape[0] = 1;
      d->shape[1] = h;
      d->shape[2] = w;
    }
  }
  d->raw = g_new0 (GBytes *, s.n);
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
    d->sample_names[i] = g_strdup (f[path_col]);
    if (graph) {
      EsFrGraphLook look;
      stored_look (iem, d->sample_names[i], &look);
      if (!es_fr_graph_example (m->frequency, m->level, m->n, &look, &scratch,
              d->x + i * d->input_size, (unsigned) d->shape[2], (unsigned) d->shape[1],
              &err)) {
        g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA, "%s:%d: %s", index_path,
            line, err->message);
        g_error_free (err);
        es_fr_measurement_free (m);
        g_free (file);
        es_dataset_free (d);
        d = NULL;
        break;
      }
    } else {
      es_fr_resample (m->frequency, m->level, m->n, fmin, fmax, TRUE,
          d->x + i * points, points);
    }
    d->raw[i] = es_iem_raw_new (m->frequency, m->level, m->n);
    es_fr_measurement_free (m);
    g_free (file);
  }
  _es_selection_clear (&s);
  es_image_free (scratch);

out:
  _es_csv_free (csv);
  g_free (index_path);
  g_free (dir);
  return d;
}

EsDataset *
es_dataset_load_iem (const char *path, const EsDatasetOptions *o, const EsIemDataOptions *iem,
    GError **error)
{
  return load_iem (path, o, iem, FALSE, error);
}

EsDataset *
es_dataset_load_iem_graph (const char *path, const EsDatasetOptions *o,
    const EsIemDataOptions *iem, GError **error)
{
  return load_iem (path, o, iem, TRUE, error);
}
