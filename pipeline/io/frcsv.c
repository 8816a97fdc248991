/* Frequency-response measurement files: tolerant reading of the CSV/text
 * family squig.link, AutoEq and REW produce, strict validation of the values.
 * See frcsv.h for what is accepted. */
#include "io/frcsv.h"
#include "io/input.h"
#include "io/text.h"

#include <math.h>
#include <string.h>

typedef struct {
  const char *name;
  char separator;               /* 0 until the first data line decides; ' ' = blanks */
  gboolean decimal_comma;
  int frequency_column, level_column;
  char **header;                /* fields of the last header line before the data */
  guint header_line;
} FrParser;

static gboolean
is_comment (const char *line)
{
  return line[0] == '#' || line[0] == '*' || g_str_has_prefix (line, "//");
}

/* Data rows start like a number (a non-finite one too, so that it gets its
 * own error); headers and titles do not. */
static gboolean
starts_with_word (const char *line, const char *word)
{
  size_t len = strlen (word);
  return g_ascii_strncasecmp (line, word, len) == 0 && !g_ascii_isalpha (line[len]);
}

static gboolean
looks_like_data (const char *line)
{
  return g_ascii_isdigit (line[0]) || line[0] == '-' || line[0] == '+' || line[0] == '.'
      || starts_with_word (line, "nan") || starts_with_word (line, "inf")
      || starts_with_word (line, "infinity");
}

static char
infer_separator (const char *line)
{
  if (strchr (line, ';'))
    return ';';
  if (strchr (line, '\t'))
    return '\t';
  if (strchr (line, ','))
    return ',';
  if (strchr (line, '|'))
    return '|';
  return ' ';
}

/* Trim blanks and one pair of surrounding double quotes, in place. */
static char *
clean_field (char *field)
{
  size_t len;

  g_strstrip (field);
  len = strlen (field);
  if (len >= 2 && field[0] == '"' && field[len - 1] == '"') {
    memmove (field, field + 1, len - 2);
    field[len - 2] = '\0';
    g_strstrip (field);
  }
  return field;
}

/* Split on one separator character, or on runs of blanks (tabs count as
 * blanks too, so tab files with aligned spaces also work). */
static char **
split_fields (const char *line, char separator)
{
  char **fields;

  if (separator == ' ' || separator == '\t') {
    GPtrArray *out = g_ptr_array_new ();
    const char *p = line;
    while (*p) {
      const char *start;
      while (*p == ' ' || *p == '\t')
        p++;
      if (!*p)
        break;
      start = p;
      while (*p && *p != ' ' && *p != '\t')
        p++;
      g_ptr_array_add (out, g_strndup (start, p - start));
    }
    g_ptr_array_add (out, NULL);
    fields = (char **) g_ptr_array_free (out, FALSE);
  } else {
    char sep[2] = { separator, '\0' };
    fields = g_strsplit (line, sep, -1);
  }
  for (char **f = fields; *f; f++)
    clean_field (*f);
  return fields;
}

/* A header's own separator may differ from the data's (REW: `* Freq(Hz),
 * SPL(dB)` above blank-separated rows), so split it on any of them. */
static char **
split_header (const char *line)
{
  char **fields = g_strsplit_set (line, ",;\t|", -1);
  if (g_strv_length (fields) < 2) {
    g_strfreev (fields);
    return split_fields (line, ' ');
  }
  for (char **f = fields; *f; f++)
    clean_field (*f);
  return fields;
}

static gboolean
names_frequency (const char *field)
{
  g_autofree char *lower = g_ascii_strdown (field, -1);
  return g_str_has_prefix (lower, "freq") || g_str_has_prefix (lower, "hz")
      || strcmp (lower, "x") == 0;
}

static gboolean
names_level (const char *field)
{
  static const char *const prefixes[] = {
    "spl", "raw", "db", "gain", "ampl", "mag", "level", "y",
  };
  g_autofree char *lower = g_ascii_strdown (field, -1);
  for (gsize i = 0; i < G_N_ELEMENTS (prefixes); i++)
    if (g_str_has_prefix (lower, prefixes[i]))
      return TRUE;
  return FALSE;
}

/* Columns by header name, else the AutoEq convention: 0 = frequency, 1 = level. */
static void
pick_columns (FrParser * p)
{
  int n = p->header ? (int) g_strv_length (p->header) : 0;

  p->frequency_column = -1;
  p->level_column = -1;
  for (int i = 0; i < n && p->frequency_column < 0; i++)
    if (names_frequency (p->header[i]))
      p->frequency_column = i;
  if (p->frequency_column < 0) {
    p->frequency_column = 0;
    p->level_column = 1;
    return;
  }
  for (int i = 0; i < n && p->level_column < 0; i++)
    if (i != p->frequency_column && names_level (p->header[i]))
      p->level_column = i;
  if (p->level_column < 0)
    p->level_column = p->frequency_column == 0 ? 1 : 0;
}

static gboolean
parse_number (FrParser * p, guint line_number, char **fields, int column,
    const char *what, double *value, GError ** error)
{
  char *field = fields[column];
  char *end;

  if (p->decimal_comma)
    g_strdelimit (field, ",", '.');
  *value = g_ascii_strtod (field, &end);
  if (field[0] == '\0' || *end != '\0') {
    /* the field is file content: escaped and shortened before it is quoted */
    g_autofree char *shown = es_text_for_terminal (field, ES_TEXT_TERMINAL_MAX);

    g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_FORMAT,
        "%s:%u: %s \"%s\" (column %d) is not a number", p->name, line_number, what,
        shown, column + 1);
    return FALSE;
  }
  if (!isfinite (*value)) {
    g_autofree char *shown = es_text_for_terminal (field, ES_TEXT_TERMINAL_MAX);

    g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_DATA,
        "%s:%u: %s \"%s\" (column %d) is not a finite number", p->name, line_number,
        what, shown, column + 1);
    return FALSE;
  }
  return TRUE;
}

EsFrMeasurement *
es_fr_measurement_parse (const char *text, gssize length, const char *name,
    const EsFrLimits * limits, GError ** error)
{
  FrParser p = { 0 };
  g_autoptr (GArray) frequency = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) level = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *rew_header = NULL;
  g_autofree char *copy = NULL;
  char **lines = NULL;
  guint first_row_line = 0, last_row_line = 0;
  unsigned min_points;
  double tolerance;
  EsFrMeasurement *m = NULL;

  g_return_val_if_fail (text != NULL, NULL);
  p.name = name ? name : "(measurement)";
  if (length < 0)
    length = strlen (text);
  if (memchr (text, '\0', length)) {
    g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_FORMAT,
        "%s: not a text file (contains NUL bytes)", p.name);
    return NULL;
  }
  copy = g_strndup (text, length);
  lines = g_strsplit (g_str_has_prefix (copy, "\xEF\xBB\xBF") ? copy + 3 : copy, "\n", -1);

  for (guint i = 0; lines[i]; i++) {
    guint line_number = i + 1;
    char *line = g_strstrip (lines[i]);   /* also drops the \r of CRLF */
    char **fields;
    double f, v;
    int needed;

    if (line[0] == '\0')
      continue;
    if (is_comment (line)) {
      /* REW writes its column names as a comment: `* Freq(Hz), SPL(dB), ...` */
      if (line[0] == '*' && frequency->len == 0) {
        char **candidate = split_header (line + 1);
        if (candidate[0] && names_frequency (candidate[0])) {
          g_free (rew_header);
          rew_header = g_strdup (line + 1);
        }
        g_strfreev (candidate);
      }
      continue;
    }
    if (!looks_like_data (line)) {
      if (frequency->len > 0) {
        g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_FORMAT,
            "%s:%u: \"%.40s\" is not a data row (expected numbers: frequency and level)",
            p.name, line_number, line);
        goto out;
      }
      /* A title line before the header is harmless: the last one counts. */
      g_strfreev (p.header);
      p.header = split_header (line);
      p.header_line = line_number;
      continue;
    }

    if (p.separator == 0) {
      p.separator = infer_separator (line);
      p.decimal_comma = p.separator == ';';
      if (!p.header && rew_header)
        p.header = split_header (rew_header);
      pick_columns (&p);
    }
    fields = split_fields (line, p.separator);
    needed = MAX (p.frequency_column, p.level_column) + 1;
    if ((int) g_strv_length (fields) < needed) {
      g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_FORMAT,
          "%s:%u: expected at least %d columns (frequency in column %d, level in "
          "column %d), found %u", p.name, line_number, needed, p.frequency_column + 1,
          p.level_column + 1, g_strv_length (fields));
      g_strfreev (fields);
      goto out;
    }
    if (!parse_number (&p, line_number, fields, p.frequency_column, "frequency", &f, error)
        || !parse_number (&p, line_number, fields, p.level_column, "level", &v, error)) {
      g_strfreev (fields);
      goto out;
    }
    g_strfreev (fields);

    if (f <= 0) {
      g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_DATA,
          "%s:%u: frequency %g Hz is not positive", p.name, line_number, f);
      goto out;
    }
    if (frequency->len > 0) {
      double previous = g_array_index (frequency, double, frequency->len - 1);
      if (f == previous) {
        g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_DATA,
            "%s:%u: frequency %g Hz repeats the previous row (duplicate frequencies "
            "are not allowed)", p.name, line_number, f);
        goto out;
      }
      if (f < previous) {
        g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_DATA,
            "%s:%u: frequency %g Hz is below the previous row's %g Hz (frequencies "
            "must increase)", p.name, line_number, f, previous);
        goto out;
      }
    } else {
      first_row_line = line_number;
    }
    last_row_line = line_number;
    g_array_append_val (frequency, f);
    g_array_append_val (level, v);
  }

  min_points = limits && limits->min_points ? limits->min_points : ES_FR_MIN_POINTS_DEFAULT;
  tolerance = limits && limits->tolerance >= 1.0 ? limits->tolerance : ES_FR_COVERAGE_TOLERANCE;
  if (frequency->len == 0) {
    g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_FORMAT,
        "%s: no data rows (expected lines of frequency and level)", p.name);
    goto out;
  }
  if (frequency->len < min_points) {
    g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_DATA,
        "%s: only %u data rows, at least %u are needed", p.name, frequency->len, min_points);
    goto out;
  }
  if (limits && limits->required_fmin > 0) {
    double first = g_array_index (frequency, double, 0);
    if (first > limits->required_fmin * tolerance) {
      g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_DATA,
          "%s:%u: the measurement starts at %g Hz; it must reach down to %g Hz",
          p.name, first_row_line, first, limits->required_fmin);
      goto out;
    }
  }
  if (limits && limits->required_fmax > 0) {
    double last = g_array_index (frequency, double, frequency->len - 1);
    if (last < limits->required_fmax / tolerance) {
      g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_DATA,
          "%s:%u: the measurement ends at %g Hz; it must reach up to %g Hz",
          p.name, last_row_line, last, limits->required_fmax);
      goto out;
    }
  }

  m = g_new0 (EsFrMeasurement, 1);
  m->n = frequency->len;
  m->frequency = (double *) g_array_steal (frequency, NULL);
  m->level = (double *) g_array_steal (level, NULL);
  m->source = g_strdup (p.name);

out:
  g_strfreev (lines);
  g_strfreev (p.header);
  return m;
}

EsFrMeasurement *
es_fr_measurement_load (const char *path, const EsFrLimits * limits, GError ** error)
{
  g_autofree char *contents = NULL;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);
  /* the size is checked before reading: /dev/zero or a FIFO stops at the limit */
  if (!es_input_read_file (path, ES_INPUT_MAX_MEASUREMENT, "a measurement", &contents,
          &length, error))
    return NULL;
  return es_fr_measurement_parse (contents, length, path, limits, error);
}

void
es_fr_measurement_free (EsFrMeasurement * m)
{
  if (m == NULL)
    return;
  g_free (m->frequency);
  g_free (m->level);
  g_free (m->source);
  g_free (m);
}
