/* Fixture loading for the Check suites. */
#include "fixture.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

char *
es_fixture_path (const char *name)
{
  const char *dir = g_getenv ("ES_FIXTURES_DIR");
  return g_build_filename (dir ? dir : "tests/fixtures", name, NULL);
}

double *
es_fixture_load_doubles (const char *name, size_t *n)
{
  char *path = es_fixture_path (name);
  char *text = NULL;
  GError *err = NULL;
  GArray *values;
  char **lines;

  if (!g_file_get_contents (path, &text, NULL, &err)) {
    fprintf (stderr, "fixture %s: %s\n", path, err->message);
    abort ();
  }
  values = g_array_new (FALSE, FALSE, sizeof (double));
  lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l; l++) {
    const char *p = *l;
    while (*p == ' ' || *p == '\t')
      p++;
    if (*p == '#' || *p == '\0')
      continue;
    while (*p) {
      char *end;
      double v = g_ascii_strtod (p, &end);
      if (end == p) {
        if (*p == ' ' || *p == '\t' || *p == ',' || *p == '\r') {
          p++;
          continue;
        }
        fprintf (stderr, "fixture %s: bad number near \"%.20s\"\n", path, p);
        abort ();
      }
      g_array_append_val (values, v);
      p = end;
    }
  }
  g_strfreev (lines);
  g_free (text);
  g_free (path);
  *n = values->len;
  return (double *) g_array_free (values, FALSE);
}

const char *
es_test_data_dir (void)
{
  static char *dir = NULL;
  static gboolean looked = FALSE;
  if (!looked) {
    const char *env = g_getenv ("ES_DATA_DIR");
    looked = TRUE;
    if (env && g_file_test (env, G_FILE_TEST_IS_DIR))
      dir = g_strdup (env);
  }
  return dir;
}

double
es_max_rel_error (const float *a, const double *b, size_t n, double abs_floor)
{
  double worst = 0.0;
  for (size_t i = 0; i < n; i++) {
    double den = fabs (b[i]) > abs_floor ? fabs (b[i]) : abs_floor;
    double e = fabs ((double) a[i] - b[i]) / den;
    if (isnan (e))
      return INFINITY;
    if (e > worst)
      worst = e;
  }
  return worst;
}
