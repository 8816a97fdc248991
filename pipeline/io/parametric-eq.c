/* ParametricEQ.txt reader and writer; see parametric-eq.h. */
#include "io/parametric-eq.h"
#include "io/input.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Bounded so a hostile file cannot make us allocate without limit. */
#define MAX_FILTERS 1024

static const struct {
  const char *code;
  EsBiquadType type;
  gboolean has_gain;
} codes[] = {
  { "PK", ES_BIQUAD_PEAKING, TRUE },
  { "LSC", ES_BIQUAD_LOW_SHELF, TRUE },
  { "HSC", ES_BIQUAD_HIGH_SHELF, TRUE },
  { "LP", ES_BIQUAD_LOW_PASS, FALSE },
  { "HP", ES_BIQUAD_HIGH_PASS, FALSE },
  { "NO", ES_BIQUAD_NOTCH, FALSE },
};

static gboolean
parse_number (const char *s, double *out)
{
  char *end;
  if (!s || !*s)
    return FALSE;
  *out = g_ascii_strtod (s, &end);
  return *end == '\0' && isfinite (*out);
}

static gboolean
fail (GError **error, int code, unsigned line, const char *what, const char *text)
{
  g_set_error (error, ES_IO_ERROR, code, "line %u: %s: \"%s\"", line, what, text);
  return FALSE;
}

/* "Filter N: ON TYPE Fc F Hz [Gain G dB] [Q Q]" split into words. */
static gboolean
parse_filter (char **w, unsigned lineno, const char *line, GArray *filters, GError **error)
{
  EsBiquadParams p = { ES_BIQUAD_PEAKING, NAN, 0.0, M_SQRT1_2 };
  unsigned i, k, n = g_strv_length (w);
  gboolean has_gain = FALSE, seen_gain = FALSE, seen_freq = FALSE;

  if (n < 3 || !g_str_has_suffix (w[1], ":"))
    return fail (error, ES_IO_ERROR_FORMAT, lineno, "expected \"Filter N: ON TYPE Fc F Hz ...\"", line);
  if (strcmp (w[2], "OFF") == 0)
    return TRUE;
  if (strcmp (w[2], "ON") != 0)
    return fail (error, ES_IO_ERROR_FORMAT, lineno, "filter state is neither ON nor OFF", line);
  if (n < 4)
    return fail (error, ES_IO_ERROR_FORMAT, lineno, "filter type missing", line);
  for (k = 0; k < G_N_ELEMENTS (codes); k++)
    if (strcmp (w[3], codes[k].code) == 0)
      break;
  if (k == G_N_ELEMENTS (codes))
    return fail (error, ES_IO_ERROR_FORMAT, lineno,
        "unknown filter type (expected PK, LSC, HSC, LP, HP or NO)", line);
  p.type = codes[k].type;
  has_gain = codes[k].has_gain;
  for (i = 4; i < n; i += 2) {
    double v;
    if (i + 1 >= n || !parse_number (w[i + 1], &v))
      return fail (error, ES_IO_ERROR_FORMAT, lineno, "a filter field has no valid number", line);
    if (strcmp (w[i], "Fc") == 0) {
      p.freq = v;
      seen_freq = TRUE;
      if (i + 2 < n && strcmp (w[i + 2], "Hz") == 0)
        i++;
    } else if (strcmp (w[i], "Gain") == 0) {
      p.gain_db = v;
      seen_gain = TRUE;
      if (i + 2 < n && strcmp (w[i + 2], "dB") == 0)
        i++;
    } else if (strcmp (w[i], "Q") == 0) {
      p.q = v;
    } else {
      return fail (error, ES_IO_ERROR_FORMAT, lineno, "unknown filter field", line);
    }
  }
  if (!seen_freq)
    return fail (error, ES_IO_ERROR_FORMAT, lineno, "filter has no Fc", line);
  if (has_gain && !seen_gain)
    return fail (error, ES_IO_ERROR_FORMAT, lineno, "filter has no Gain", line);
  if (!(p.freq > 0.0) || !(p.q > 0.0) || fabs (p.gain_db) > ES_BIQUAD_MAX_GAIN_DB)
    return fail (error, ES_IO_ERROR_DATA, lineno,
        "filter needs Fc > 0, Q > 0 and a gain within +-40 dB", line);
  if (filters->len >= MAX_FILTERS)
    return fail (error, ES_IO_ERROR_DATA, lineno, "more than 1024 filters", line);
  g_array_append_val (filters, p);
  return TRUE;
}

EsParametricEq *
es_parametric_eq_parse (const char *text, gsize length, GError **error)
{
  char *copy = g_strndup (text, length);
  char **lines = g_strsplit (copy, "\n", -1);
  GArray *filters = g_array_new (FALSE, FALSE, sizeof (EsBiquadParams));
  EsParametricEq *eq = g_new0 (EsParametricEq, 1);
  gboolean ok = TRUE, seen_preamp = FALSE;
  unsigned i;

  if (memchr (text, '\0', length)) {
    g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_FORMAT, "not a text file (contains NUL bytes)");
    ok = FALSE;
  }
  for (i = 0; ok && lines[i]; i++) {
    char *line = g_strstrip (lines[i]);
    char **w;

    if (!*line || line[0] == '#')
      continue;
    w = g_strsplit_set (line, " \t", -1);
    /* drop empty words from repeated blanks */
    {
      unsigned r, o = 0;
      for (r = 0; w[r]; r++) {
        if (*w[r])
          w[o++] = w[r];
        else
          g_free (w[r]);
      }
      w[o] = NULL;
    }
    if (strcmp (w[0], "Preamp:") == 0) {
      if (seen_preamp)
        ok = fail (error, ES_IO_ERROR_FORMAT, i + 1, "second Preamp line", line);
      else if (!w[1] || !parse_number (w[1], &eq->preamp_db) || (w[2] && strcmp (w[2], "dB") != 0)
          || (w[2] && w[3]))
        ok = fail (error, ES_IO_ERROR_FORMAT, i + 1, "expected \"Preamp: G dB\"", line);
      else if (fabs (eq->preamp_db) > 100.0)
        ok = fail (error, ES_IO_ERROR_DATA, i + 1, "preamp outside +-100 dB", line);
      seen_preamp = TRUE;
    } else if (strcmp (w[0], "Filter") == 0 || g_str_has_prefix (w[0], "Filter")) {
      ok = parse_filter (w, i + 1, line, filters, error);
    } else {
      ok = fail (error, ES_IO_ERROR_FORMAT, i + 1, "expected a Preamp or Filter line", line);
    }
    g_strfreev (w);
  }
  g_strfreev (lines);
  g_free (copy);
  if (!ok) {
    g_array_free (filters, TRUE);
    g_free (eq);
    return NULL;
  }
  eq->n_filters = filters->len;
  eq->filters = (EsBiquadParams *) g_array_free (filters, FALSE);
  return eq;
}

EsParametricEq *
es_parametric_eq_load (const char *path, GError **error)
{
  char *text;
  gsize length;
  EsParametricEq *eq;

  if (!es_input_read_file (path, ES_INPUT_MAX_EQ, "a ParametricEQ.txt", &text, &length,
          error))
    return NULL;
  eq = es_parametric_eq_parse (text, length, error);
  if (!eq)
    g_prefix_error (error, "%s: ", path);
  g_free (text);
  return eq;
}

char *
es_parametric_eq_format (const EsParametricEq *eq)
{
  GString *s = g_string_new (NULL);
  char buf[3][G_ASCII_DTOSTR_BUF_SIZE];
  unsigned i, k;

  g_string_append_printf (s, "Preamp: %s dB\n",
      g_ascii_formatd (buf[0], sizeof buf[0], "%.1f", eq->preamp_db));
  for (i = 0; i < eq->n_filters; i++) {
    const EsBiquadParams *p = &eq->filters[i];
    for (k = 0; k < G_N_ELEMENTS (codes); k++)
      if (codes[k].type == p->type)
        break;
    g_return_val_if_fail (k < G_N_ELEMENTS (codes), g_string_free (s, TRUE));
    g_ascii_formatd (buf[0], sizeof buf[0], "%.0f", p->freq);
    g_ascii_formatd (buf[1], sizeof buf[1], "%.1f", p->gain_db);
    g_ascii_formatd (buf[2], sizeof buf[2], "%.2f", p->q);
    if (codes[k].has_gain)
      g_string_append_printf (s, "Filter %u: ON %s Fc %s Hz Gain %s dB Q %s\n", i + 1, codes[k].code,
          buf[0], buf[1], buf[2]);
    else
      g_string_append_printf (s, "Filter %u: ON %s Fc %s Hz Q %s\n", i + 1, codes[k].code, buf[0], buf[2]);
  }
  return g_string_free (s, FALSE);
}

gboolean
es_parametric_eq_check_rate (const EsParametricEq *eq, double rate, GError **error)
{
  unsigned i;

  for (i = 0; i < eq->n_filters; i++) {
    EsBiquadCoeffs c;
    GError *local = NULL;
    if (!es_biquad_design (&eq->filters[i], rate, &c, &local)) {
      g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_DATA, "filter %u: %s", i + 1, local->message);
      g_error_free (local);
      return FALSE;
    }
  }
  return TRUE;
}

void
es_parametric_eq_free (EsParametricEq *eq)
{
  if (!eq)
    return;
  g_free (eq->filters);
  g_free (eq);
}
