/* In-memory data sets, the CSV reader the loaders share and the table loader. */
#include "train/dataset.h"

#include <math.h>
#include <string.h>

#include "train/dataset-csv.h"

EsDataset *
es_dataset_new (size_t n, size_t input_size, const char *const *class_names)
{
  EsDataset *d = g_new0 (EsDataset, 1);
  d->n = n;
  d->input_size = input_size;
  d->x = g_new0 (float, n * input_size);
  d->labels = g_new0 (int, n);
  d->class_names = g_strdupv ((char **) class_names);
  d->n_classes = class_names ? (int) g_strv_length (d->class_names) : 0;
  d->sample_names = g_new0 (char *, n + 1);
  return d;
}

void
es_dataset_free (EsDataset *d)
{
  if (!d)
    return;
  g_free (d->x);
  g_free (d->labels);
  g_free (d->groups);
  g_strfreev (d->class_names);
  g_strfreev (d->sample_names);
  if (d->raw) {
    for (size_t i = 0; i < d->n; i++)
      if (d->raw[i])
        g_bytes_unref (d->raw[i]);
    g_free (d->raw);
  }
  g_free (d);
}

EsDataset *
es_dataset_subset (const EsDataset *d, const size_t *indices, size_t n)
{
  EsDataset *s = es_dataset_new (n, d->input_size, (const char *const *) d->class_names);
  if (d->groups)
    s->groups = g_new (int, n);
  s->ndim = d->ndim;
  memcpy (s->shape, d->shape, sizeof s->shape);
  if (d->raw) {
    s->raw = g_new0 (GBytes *, n);
    for (size_t i = 0; i < n; i++)
      if (d->raw[indices[i]])
        s->raw[i] = g_bytes_ref (d->raw[indices[i]]);
  }
  for (size_t i = 0; i < n; i++) {
    size_t j = indices[i];
    memcpy (s->x + i * d->input_size, d->x + j * d->input_size,
        d->input_size * sizeof (float));
    s->labels[i] = d->labels[j];
    if (d->groups)
      s->groups[i] = d->groups[j];
    s->sample_names[i] = g_strdup (d->sample_names[j]);
  }
  return s;
}

size_t *
es_dataset_class_counts (const EsDataset *d)
{
  size_t *counts = g_new0 (size_t, MAX (d->n_classes, 1));
  for (size_t i = 0; i < d->n; i++)
    counts[d->labels[i]]++;
  return counts;
}

size_t
es_dataset_count_groups (const EsDataset *d)
{
  GHashTable *seen;
  size_t n;
  if (!d->groups)
    return 0;
  seen = g_hash_table_new (g_direct_hash, g_direct_equal);
  for (size_t i = 0; i < d->n; i++)
    g_hash_table_add (seen, GINT_TO_POINTER (d->groups[i] + 1));
  n = g_hash_table_size (seen);
  g_hash_table_destroy (seen);
  return n;
}

/* ---- CSV with a header, fields separated by ',' (no quoting: the index files
 * replace commas in names, see the data README) ---- */


void
_es_csv_free (Csv *csv)
{
  if (!csv)
    return;
  g_free (csv->path);
  g_strfreev (csv->header);
  if (csv->rows)
    g_ptr_array_free (csv->rows, TRUE);
  if (csv->line_numbers)
    g_array_free (csv->line_numbers, TRUE);
  g_free (csv);
}

static char **
split_fields (const char *line)
{
  char **fields = g_strsplit (line, ",", -1);
  for (char **f = fields; *f; f++)
    g_strstrip (*f);
  return fields;
}

Csv *
_es_csv_read (const char *path, GError **error)
{
  char *text = NULL, **lines;
  GError *err = NULL;
  Csv *csv;
  int line_no = 0;

  if (!g_file_get_contents (path, &text, NULL, &err)) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA, "%s: %s", path, err->message);
    g_error_free (err);
    return NULL;
  }
  csv = g_new0 (Csv, 1);
  csv->path = g_strdup (path);
  csv->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  csv->line_numbers = g_array_new (FALSE, FALSE, sizeof (int));
  lines = g_strsplit (text, "\n", -1);
  g_free (text);
  for (char **l = lines; *l; l++) {
    char *line = *l;
    char **fields;
    int n;
    line_no++;
    g_strchomp (line);      /* CR of CRLF files */
    if (line_no == 1 && g_str_has_prefix (line, "\xEF\xBB\xBF"))
      memmove (line, line + 3, strlen (line + 3) + 1);
    if (line[0] == '\0' || line[0] == '#')
      continue;
    fields = split_fields (line);
    n = g_strv_length (fields);
    if (!csv->header) {
      csv->header = fields;
      csv->n_columns = n;
      continue;
    }
    if (n != csv->n_columns) {
      g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
          "%s:%d: %d fields, the header has %d", path, line_no, n, csv->n_columns);
      g_strfreev (fields);
      g_strfreev (lines);
      _es_csv_free (csv);
      return NULL;
    }
    g_ptr_array_add (csv->rows, fields);
    g_array_append_val (csv->line_numbers, line_no);
  }
  g_strfreev (lines);
  if (!csv->header || csv->rows->len == 0) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
        "%s: no data rows (a header line and at least one row are needed)", path);
    _es_csv_free (csv);
    return NULL;
  }
  return csv;
}

int
_es_csv_column (const Csv *csv, const char *name, GError **error)
{
  for (int c = 0; c < csv->n_columns; c++)
    if (g_ascii_strcasecmp (csv->header[c], name) == 0)
      return c;
  g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
      "%s: no column named '%s'", csv->path, name);
  return -1;
}

/* Column indices for a comma-separated list of names; NULL on error. */
static int *
csv_columns (const Csv *csv, const char *list, int *n_out, GError **error)
{
  char **names = g_strsplit (list, ",", -1);
  int n = 0, *cols = g_new (int, g_strv_length (names) + 1);
  for (char **name = names; *name; name++) {
    g_strstrip (*name);
    if (**name == '\0')
      continue;
    if ((cols[n++] = _es_csv_column (csv, *name, error)) < 0) {
      g_strfreev (names);
      g_free (cols);
      return NULL;
    }
  }
  g_strfreev (names);
  *n_out = n;
  return cols;
}

/* What the two loaders share: rows kept after the filter, labels, groups. */

void
_es_selection_clear (Selection *s)
{
  g_free (s->rows);
  g_free (s->labels);
  g_free (s->groups);
  g_strfreev (s->class_names);
}

gboolean
_es_select_rows (const Csv *csv, const EsDatasetOptions *o, Selection *s, GError **error)
{
  int label_col, filter_col = -1, *group_cols = NULL, n_group_cols = 0;
  char **filter_values = NULL;
  GPtrArray *classes = g_ptr_array_new_with_free_func (g_free);
  GHashTable *group_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gboolean fixed_classes = o->class_names != NULL;
  size_t n_rows = csv->rows->len, kept = 0;
  gboolean ok = FALSE;

  memset (s, 0, sizeof *s);
  if ((label_col = _es_csv_column (csv, o->label_column ? o->label_column : "label", error)) < 0)
    goto out;
  if (o->group_columns && *o->group_columns
      && !(group_cols = csv_columns (csv, o->group_columns, &n_group_cols, error)))
    goto out;
  if (o->filter_column) {
    if ((filter_col = _es_csv_column (csv, o->filter_column, error)) < 0)
      goto out;
    filter_values = g_strsplit (o->filter_values ? o->filter_values : "", ",", -1);
    for (char **v = filter_values; *v; v++)
      g_strstrip (*v);
  }
  if (fixed_classes)
    for (const char *const *c = o->class_names; *c; c++)
      g_ptr_array_add (classes, g_strdup (*c));

  s->rows = g_new (size_t, n_rows);
  s->labels = g_new (int, n_rows);
  s->groups = n_group_cols ? g_new (int, n_rows) : NULL;
  for (size_t r = 0; r < n_rows; r++) {
    char **f = g_ptr_array_index (csv->rows, r);
    int line = g_array_index (csv->line_numbers, int, r);
    guint cls;

    if (filter_values && !g_strv_contains ((const char *const *) filter_values, f[filter_col]))
      continue;
    if (!g_ptr_array_find_with_equal_func (classes, f[label_col], g_str_equal, &cls)) {
      if (fixed_classes) {
        char *known = g_strjoinv (", ", (char **) o->class_names);
        g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
            "%s:%d: label '%s' is not one of the classes (%s)", csv->path, line,
            f[label_col], known);
        g_free (known);
        goto out;
      }
      if (f[label_col][0] == '\0') {
        g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
            "%s:%d: empty label", csv->path, line);
        goto out;
      }
      cls = classes->len;
      g_ptr_array_add (classes, g_strdup (f[label_col]));
    }
    s->rows[kept] = r;
    s->labels[kept] = (int) cls;
    if (n_group_cols) {
      GString *key = g_string_new (NULL);
      gpointer id;
      for (int g = 0; g < n_group_cols; g++) {
        /* a separator that cannot occur in a field keeps ("a,b","c") != ("a","b,c") */
        g_string_append (key, f[group_cols[g]]);
        g_string_append_c (key, '\x1f');
      }
      if (!g_hash_table_lookup_extended (group_ids, key->str, NULL, &id)) {
        id = GINT_TO_POINTER (g_hash_table_size (group_ids));
        g_hash_table_insert (group_ids, g_strdup (key->str), id);
      }
      s->groups[kept] = GPOINTER_TO_INT (id);
      g_string_free (key, TRUE);
    }
    kept++;
  }
  if (kept == 0) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
        "%s: no rows left after the filter %s = %s", csv->path,
        o->filter_column ? o->filter_column : "", o->filter_values ? o->filter_values : "");
    goto out;
  }
  if (classes->len < 2) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
        "%s: %u class(es) found; a classifier needs at least 2", csv->path, classes->len);
    goto out;
  }
  /* Evenly spaced rows for a quick run (keeps every reviewer represented in a
   * file sorted by reviewer). */
  if (o->max_rows && kept > o->max_rows) {
    for (size_t i = 0; i < o->max_rows; i++) {
      size_t j = (size_t) ((double) i * kept / o->max_rows);
      s->rows[i] = s->rows[j];
      s->labels[i] = s->labels[j];
      if (s->groups)
        s->groups[i] = s->groups[j];
    }
    kept = o->max_rows;
  }
  s->n = kept;
  g_ptr_array_add (classes, NULL);
  s->class_names = (char **) g_ptr_array_free (classes, FALSE);
  classes = NULL;
  ok = TRUE;

out:
  if (classes)
    g_ptr_array_free (classes, TRUE);
  g_hash_table_destroy (group_ids);
  g_strfreev (filter_values);
  g_free (group_cols);
  if (!ok)
    _es_selection_clear (s);
  return ok;
}

EsDataset *
_es_dataset_from_selection (Selection *s, size_t input_size)
{
  EsDataset *d = es_dataset_new (s->n, input_size, (const char *const *) s->class_names);
  memcpy (d->labels, s->labels, s->n * sizeof (int));
  if (s->groups) {
    d->groups = s->groups;
    s->groups = NULL;
  }
  return d;
}

EsDataset *
es_dataset_load_table (const char *csv_path, const EsDatasetOptions *o, GError **error)
{
  Csv *csv;
  Selection s;
  EsDataset *d = NULL;
  int *features = NULL, n_features = 0;

  if (!(csv = _es_csv_read (csv_path, error)))
    return NULL;
  if (!_es_select_rows (csv, o, &s, error))
    goto out;
  if (o->feature_columns && *o->feature_columns) {
    if (!(features = csv_columns (csv, o->feature_columns, &n_features, error)))
      goto out_sel;
  } else {
    /* every column that is neither the label, a group column nor the filter */
    char **others = g_strsplit (o->group_columns ? o->group_columns : "", ",", -1);
    const char *label = o->label_column ? o->label_column : "label";
    features = g_new (int, csv->n_columns);
    for (char **g = others; *g; g++)
      g_strstrip (*g);
    for (int c = 0; c < csv->n_columns; c++) {
      const char *h = csv->header[c];
      if (g_ascii_strcasecmp (h, label) == 0 || g_strv_contains ((const char *const *) others, h)
          || (o->filter_column && g_ascii_strcasecmp (h, o->filter_column) == 0))
        continue;
      features[n_features++] = c;
    }
    g_strfreev (others);
  }
  if (n_features == 0) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
        "%s: no feature columns", csv_path);
    goto out_sel;
  }
  d = _es_dataset_from_selection (&s, n_features);
  for (size_t i = 0; i < s.n; i++) {
    char **f = g_ptr_array_index (csv->rows, s.rows[i]);
    int line = g_array_index (csv->line_numbers, int, s.rows[i]);
    for (int j = 0; j < n_features; j++) {
      const char *text = f[features[j]];
      char *end;
      double v = g_ascii_strtod (text, &end);
      if (end == text || *end != '\0' || !isfinite (v)) {
        g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
            "%s:%d: column '%s': '%s' is not a finite number", csv_path, line,
            csv->header[features[j]], text);
        es_dataset_free (d);
        d = NULL;
        goto out_sel;
      }
      d->x[i * n_features + j] = (float) v;
    }
    d->sample_names[i] = g_strdup_printf ("%s:%d", csv_path, line);
  }

out_sel:
  _es_selection_clear (&s);
out:
  g_free (features);
  _es_csv_free (csv);
  return d;
}

