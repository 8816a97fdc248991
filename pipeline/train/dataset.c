/* In-memory data sets, the CSV reader the loaders share and the table loader. */
#include "train/dataset.h"

#include <math.h>
#include <string.h>

#include "io/input.h"
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

/* Reader errors (io/) become data-set errors, as callers expect. */
static void
set_data_error (GError **error, GError *err)
{
  g_set_error_literal (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA, err->message);
  g_error_free (err);
}

/* The next line that holds something: blank and '#' lines skipped, a UTF-8
 * BOM on line 1 dropped. NULL at the end or on an error (set). */
static char *
next_content_line (EsLineReader *reader, GError **error)
{
  GError *err = NULL;
  char *line;

  while ((line = es_line_reader_next (reader, NULL, &err)) != NULL) {
    if (es_line_reader_line_number (reader) == 1 && g_str_has_prefix (line, "\xEF\xBB\xBF"))
      line += 3;
    g_strchomp (line);
    if (line[0] != '\0' && line[0] != '#')
      return line;
  }
  if (err)
    set_data_error (error, err);
  return NULL;
}

Csv *
_es_csv_read (const char *path, GError **error)
{
  g_autoptr (EsLineReader) reader = NULL;
  GError *err = NULL;
  Csv *csv;
  guint64 bytes = 0;
  char *line;

  if (!(reader = es_line_reader_open (path, ES_INPUT_MAX_LINE, &err))) {
    set_data_error (error, err);
    return NULL;
  }
  csv = g_new0 (Csv, 1);
  csv->path = g_strdup (path);
  csv->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  csv->line_numbers = g_array_new (FALSE, FALSE, sizeof (int));
  while ((line = next_content_line (reader, &err)) != NULL) {
    int line_no = (int) es_line_reader_line_number (reader);
    char **fields;
    int n;

    /* an index is held whole: bounded like any whole-file read */
    bytes += strlen (line) + 1;
    if (bytes > ES_INPUT_MAX_INDEX) {
      g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
          "%s:%d: more than %u MiB, the limit for an index file", path, line_no,
          ES_INPUT_MAX_INDEX >> 20);
      _es_csv_free (csv);
      return NULL;
    }
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
      _es_csv_free (csv);
      return NULL;
    }
    g_ptr_array_add (csv->rows, fields);
    g_array_append_val (csv->line_numbers, line_no);
  }
  if (err) {
    g_propagate_error (error, err);
    _es_csv_free (csv);
    return NULL;
  }
  if (!csv->header || csv->rows->len == 0) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
        "%s: no data rows (a header line and at least one row are needed)", path);
    _es_csv_free (csv);
    return NULL;
  }
  return csv;
}

static int
header_column (const char *path, char **header, int n_columns, const char *name,
    GError **error)
{
  for (int c = 0; c < n_columns; c++)
    if (g_ascii_strcasecmp (header[c], name) == 0)
      return c;
  g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
      "%s: no column named '%s'", path, name);
  return -1;
}

int
_es_csv_column (const Csv *csv, const char *name, GError **error)
{
  return header_column (csv->path, csv->header, csv->n_columns, name, error);
}

/* Column indices for a comma-separated list of names; NULL on error. */
static int *
header_columns (const char *path, char **header, int n_columns, const char *list,
    int *n_out, GError **error)
{
  char **names = g_strsplit (list, ",", -1);
  int n = 0, *cols = g_new (int, g_strv_length (names) + 1);
  for (char **name = names; *name; name++) {
    g_strstrip (*name);
    if (**name == '\0')
      continue;
    if ((cols[n++] = header_column (path, header, n_columns, *name, error)) < 0) {
      g_strfreev (names);
      g_free (cols);
      return NULL;
    }
  }
  g_strfreev (names);
  *n_out = n;
  return cols;
}

/* ---- row selection: filter, class and group of each row --------------------
 * Shared by the table loader (row by row, as the file is read) and the IEM
 * loader (over its index). Classes and groups are found through hash tables,
 * so millions of rows with thousands of labels cost one lookup each. */

typedef struct {
  const char *path;
  const EsDatasetOptions *o;
  int label_col, filter_col, n_group_cols, *group_cols;
  GHashTable *filter_values;    /* set of kept values, or NULL for no filter */
  GPtrArray *classes;           /* class names in index order */
  GHashTable *class_ids;        /* name → index + 1 (keys owned by classes) */
  GHashTable *group_ids;        /* group key → dense id */
  GString *key;
  char **filter_strv;
} Selector;

static void
selector_clear (Selector *sel)
{
  g_free (sel->group_cols);
  if (sel->filter_values)
    g_hash_table_destroy (sel->filter_values);
  g_strfreev (sel->filter_strv);
  if (sel->class_ids)
    g_hash_table_destroy (sel->class_ids);
  if (sel->classes)
    g_ptr_array_free (sel->classes, TRUE);
  if (sel->group_ids)
    g_hash_table_destroy (sel->group_ids);
  if (sel->key)
    g_string_free (sel->key, TRUE);
  memset (sel, 0, sizeof *sel);
}

static void
selector_add_class (Selector *sel, const char *name)
{
  char *copy = g_strdup (name);
  g_ptr_array_add (sel->classes, copy);
  g_hash_table_insert (sel->class_ids, copy, GUINT_TO_POINTER (sel->classes->len));
}

/* Resolves the label, group and filter columns against the header: a missing
 * column is reported before any row is read. */
static gboolean
selector_init (Selector *sel, const char *path, char **header, int n_columns,
    const EsDatasetOptions *o, GError **error)
{
  memset (sel, 0, sizeof *sel);
  sel->path = path;
  sel->o = o;
  sel->filter_col = -1;
  sel->classes = g_ptr_array_new_with_free_func (g_free);
  sel->class_ids = g_hash_table_new (g_str_hash, g_str_equal);
  sel->group_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  sel->key = g_string_new (NULL);
  if ((sel->label_col = header_column (path, header, n_columns,
              o->label_column ? o->label_column : "label", error)) < 0)
    return FALSE;
  if (o->group_columns && *o->group_columns
      && !(sel->group_cols = header_columns (path, header, n_columns, o->group_columns,
              &sel->n_group_cols, error)))
    return FALSE;
  if (o->filter_column) {
    if ((sel->filter_col = header_column (path, header, n_columns, o->filter_column,
                error)) < 0)
      return FALSE;
    sel->filter_strv = g_strsplit (o->filter_values ? o->filter_values : "", ",", -1);
    sel->filter_values = g_hash_table_new (g_str_hash, g_str_equal);
    for (char **v = sel->filter_strv; *v; v++)
      g_hash_table_add (sel->filter_values, g_strstrip (*v));
  }
  if (o->class_names)
    for (const char *const *c = o->class_names; *c; c++)
      if (!g_hash_table_contains (sel->class_ids, *c))
        selector_add_class (sel, *c);
  return TRUE;
}

/* One row: 1 kept (class and group set), 0 filtered out, -1 error. */
static int
selector_row (Selector *sel, char **f, gint64 line, int *cls, int *group, GError **error)
{
  const char *label = f[sel->label_col];
  gpointer id;

  if (sel->filter_values && !g_hash_table_contains (sel->filter_values, f[sel->filter_col]))
    return 0;
  id = g_hash_table_lookup (sel->class_ids, label);
  if (id == NULL) {
    if (sel->o->class_names) {
      char *known = g_strjoinv (", ", (char **) sel->o->class_names);
      g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
          "%s:%" G_GINT64_FORMAT ": label '%s' is not one of the classes (%s)", sel->path,
          line, label, known);
      g_free (known);
      return -1;
    }
    if (label[0] == '\0') {
      g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
          "%s:%" G_GINT64_FORMAT ": empty label", sel->path, line);
      return -1;
    }
    if (sel->classes->len >= ES_DATASET_MAX_CLASSES) {
      g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
          "%s:%" G_GINT64_FORMAT ": more than %d distinct labels in column '%s' (a "
          "classifier of that many classes is not what this column holds?)", sel->path,
          line, ES_DATASET_MAX_CLASSES, sel->o->label_column ? sel->o->label_column : "label");
      return -1;
    }
    selector_add_class (sel, label);
    id = GUINT_TO_POINTER (sel->classes->len);
  }
  *cls = (int) GPOINTER_TO_UINT (id) - 1;
  if (sel->n_group_cols) {
    g_string_truncate (sel->key, 0);
    for (int g = 0; g < sel->n_group_cols; g++) {
      /* a separator that cannot occur in a field keeps ("a,b","c") != ("a","b,c") */
      g_string_append (sel->key, f[sel->group_cols[g]]);
      g_string_append_c (sel->key, '\x1f');
    }
    if (!g_hash_table_lookup_extended (sel->group_ids, sel->key->str, NULL, &id)) {
      id = GINT_TO_POINTER (g_hash_table_size (sel->group_ids));
      g_hash_table_insert (sel->group_ids, g_strdup (sel->key->str), id);
    }
    *group = GPOINTER_TO_INT (id);
  }
  return 1;
}

static gboolean
selector_check (Selector *sel, size_t kept, GError **error)
{
  const EsDatasetOptions *o = sel->o;

  if (kept == 0) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
        "%s: no rows left after the filter %s = %s", sel->path,
        o->filter_column ? o->filter_column : "", o->filter_values ? o->filter_values : "");
    return FALSE;
  }
  if (sel->classes->len < 2) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
        "%s: %u class(es) found; a classifier needs at least 2", sel->path,
        sel->classes->len);
    return FALSE;
  }
  return TRUE;
}

static char **
selector_steal_classes (Selector *sel)
{
  GPtrArray *classes = sel->classes;

  g_hash_table_remove_all (sel->class_ids);
  sel->classes = NULL;
  g_ptr_array_add (classes, NULL);
  return (char **) g_ptr_array_free (classes, FALSE);
}

/* Which of `kept` rows a quick run keeps (max_rows): evenly spaced, so a
 * file sorted by reviewer still has every reviewer. */
static size_t
subsample_index (size_t i, size_t kept, size_t max_rows)
{
  return (size_t) ((double) i * kept / max_rows);
}

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
  Selector sel;
  size_t n_rows = csv->rows->len, kept = 0;
  gboolean ok = FALSE;

  memset (s, 0, sizeof *s);
  if (!selector_init (&sel, csv->path, csv->header, csv->n_columns, o, error))
    goto out;
  s->rows = g_new (size_t, n_rows);
  s->labels = g_new (int, n_rows);
  s->groups = sel.n_group_cols ? g_new (int, n_rows) : NULL;
  for (size_t r = 0; r < n_rows; r++) {
    int cls = 0, group = 0;
    int kind = selector_row (&sel, g_ptr_array_index (csv->rows, r),
        g_array_index (csv->line_numbers, int, r), &cls, &group, error);

    if (kind < 0)
      goto out;
    if (kind == 0)
      continue;
    s->rows[kept] = r;
    s->labels[kept] = cls;
    if (s->groups)
      s->groups[kept] = group;
    kept++;
  }
  if (!selector_check (&sel, kept, error))
    goto out;
  if (o->max_rows && kept > o->max_rows) {
    for (size_t i = 0; i < o->max_rows; i++) {
      size_t j = subsample_index (i, kept, o->max_rows);
      s->rows[i] = s->rows[j];
      s->labels[i] = s->labels[j];
      if (s->groups)
        s->groups[i] = s->groups[j];
    }
    kept = o->max_rows;
  }
  s->n = kept;
  s->class_names = selector_steal_classes (&sel);
  ok = TRUE;

out:
  selector_clear (&sel);
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

/* ---- the table loader: read as a stream ----------------------------------- */

/* A growing array whose memory is asked for with g_try_realloc: the number of
 * rows comes from the file. */
typedef struct {
  guint8 *data;
  size_t len, cap, elem;
} Grow;

static gboolean
grow_reserve (Grow *g, size_t n_items)
{
  size_t cap;
  guint8 *bigger;

  if (g->len + n_items <= g->cap)
    return TRUE;
  cap = MAX (g->cap * 2, g->len + n_items);
  cap = MAX (cap, 1024);
  if (cap > G_MAXSIZE / g->elem || !(bigger = g_try_realloc (g->data, cap * g->elem)))
    return FALSE;
  g->data = bigger;
  g->cap = cap;
  return TRUE;
}

/* Splits `line` in place on ',' into `fields` (blanks around each trimmed);
 * the number of fields. */
static int
split_in_place (char *line, GPtrArray *fields)
{
  char *p = line;

  g_ptr_array_set_size (fields, 0);
  for (;;) {
    char *comma = strchr (p, ',');

    if (comma)
      *comma = '\0';
    g_ptr_array_add (fields, g_strstrip (p));
    if (!comma)
      break;
    p = comma + 1;
  }
  return (int) fields->len;
}

EsDataset *
es_dataset_load_table (const char *csv_path, const EsDatasetOptions *o, GError **error)
{
  g_autoptr (EsLineReader) reader = NULL;
  g_autoptr (GPtrArray) fields = g_ptr_array_new ();
  GError *err = NULL;
  Selector sel = { 0 };
  char **header = NULL, *line;
  int n_columns = 0, *features = NULL, n_features = 0;
  Grow x = { NULL, 0, 0, sizeof (float) }, labels = { NULL, 0, 0, sizeof (int) };
  Grow groups = { NULL, 0, 0, sizeof (int) }, lines = { NULL, 0, 0, sizeof (gint64) };
  EsDataset *d = NULL;
  size_t kept = 0, n_rows = 0;

  if (!(reader = es_line_reader_open (csv_path, ES_INPUT_MAX_LINE, &err))) {
    set_data_error (error, err);
    return NULL;
  }
  if ((line = next_content_line (reader, error)) == NULL) {
    if (error == NULL || *error == NULL)
      g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
          "%s: no data rows (a header line and at least one row are needed)", csv_path);
    return NULL;
  }
  header = split_fields (line);
  n_columns = g_strv_length (header);

  /* Every column is resolved from the header, before any row is read: a
   * missing one is said at once, however long the table. */
  if (!selector_init (&sel, csv_path, header, n_columns, o, error))
    goto out;
  if (o->feature_columns && *o->feature_columns) {
    if (!(features = header_columns (csv_path, header, n_columns, o->feature_columns,
                &n_features, error)))
      goto out;
  } else {
    /* every column that is neither the label, a group column nor the filter */
    char **others = g_strsplit (o->group_columns ? o->group_columns : "", ",", -1);
    const char *label = o->label_column ? o->label_column : "label";
    features = g_new (int, n_columns);
    for (char **g = others; *g; g++)
      g_strstrip (*g);
    for (int c = 0; c < n_columns; c++) {
      const char *h = header[c];
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
    goto out;
  }

  while ((line = next_content_line (reader, &err)) != NULL) {
    gint64 line_no = (gint64) es_line_reader_line_number (reader);
    int cls = 0, group = 0, kind, n;
    char **f;
    float *row;

    n_rows++;
    n = split_in_place (line, fields);
    if (n != n_columns) {
      g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
          "%s:%" G_GINT64_FORMAT ": %d fields, the header has %d", csv_path, line_no, n,
          n_columns);
      goto out;
    }
    f = (char **) fields->pdata;
    if ((kind = selector_row (&sel, f, line_no, &cls, &group, error)) < 0)
      goto out;
    if (kind == 0)
      continue;
    if (!grow_reserve (&x, n_features) || !grow_reserve (&labels, 1)
        || (sel.n_group_cols && !grow_reserve (&groups, 1)) || !grow_reserve (&lines, 1)) {
      g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
          "%s:%" G_GINT64_FORMAT ": out of memory after %zu rows of %d values", csv_path,
          line_no, kept, n_features);
      goto out;
    }
    row = (float *) x.data + x.len;
    for (int j = 0; j < n_features; j++) {
      const char *text = f[features[j]];
      char *end;
      double v = g_ascii_strtod (text, &end);
      if (end == text || *end != '\0' || !isfinite (v)) {
        g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
            "%s:%" G_GINT64_FORMAT ": column '%s': '%s' is not a finite number", csv_path,
            line_no, header[features[j]], text);
        goto out;
      }
      row[j] = (float) v;
    }
    x.len += n_features;
    ((int *) labels.data)[labels.len++] = cls;
    if (sel.n_group_cols)
      ((int *) groups.data)[groups.len++] = group;
    ((gint64 *) lines.data)[lines.len++] = line_no;
    kept++;
  }
  if (err) {
    g_propagate_error (error, err);
    goto out;
  }
  if (n_rows == 0) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
        "%s: no data rows (a header line and at least one row are needed)", csv_path);
    goto out;
  }
  if (!selector_check (&sel, kept, error))
    goto out;
  if (o->max_rows && kept > o->max_rows) {
    for (size_t i = 0; i < o->max_rows; i++) {
      size_t j = subsample_index (i, kept, o->max_rows);
      memmove ((float *) x.data + i * n_features, (float *) x.data + j * n_features,
          n_features * sizeof (float));
      ((int *) labels.data)[i] = ((int *) labels.data)[j];
      if (sel.n_group_cols)
        ((int *) groups.data)[i] = ((int *) groups.data)[j];
      ((gint64 *) lines.data)[i] = ((gint64 *) lines.data)[j];
    }
    kept = o->max_rows;
  }

  d = g_new0 (EsDataset, 1);
  d->n = kept;
  d->input_size = n_features;
  d->x = (float *) g_steal_pointer (&x.data);
  d->labels = (int *) g_steal_pointer (&labels.data);
  d->groups = sel.n_group_cols ? (int *) g_steal_pointer (&groups.data) : NULL;
  d->class_names = selector_steal_classes (&sel);
  d->n_classes = (int) g_strv_length (d->class_names);
  d->sample_names = g_new0 (char *, kept + 1);
  for (size_t i = 0; i < kept; i++)
    d->sample_names[i] = g_strdup_printf ("%s:%" G_GINT64_FORMAT, csv_path,
        ((gint64 *) lines.data)[i]);

out:
  selector_clear (&sel);
  g_strfreev (header);
  g_free (features);
  g_free (x.data);
  g_free (labels.data);
  g_free (groups.data);
  g_free (lines.data);
  return d;
}
