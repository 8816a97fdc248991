/* Tests for io/frcurve: resampling against NumPy (numpy.interp on log f, made
 * by tests/fixtures/io/make-frcurve-fixtures.py) and the signature rule
 * against the labels of the development data. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <glib.h>

#include "io/frcsv.h"
#include "io/frcurve.h"
#include "fixture.h"

static EsFrMeasurement *
load_fixture_measurement (void)
{
  char *path = es_fixture_path ("io/resample-input.csv");
  GError *err = NULL;
  EsFrMeasurement *m = es_fr_measurement_load (path, NULL, &err);
  ck_assert_msg (m != NULL, "%s", err ? err->message : "");
  g_free (path);
  return m;
}

START_TEST (test_log_grid)
{
  double grid[128];
  es_fr_log_grid (grid, 128, 20.0, 20000.0);
  ck_assert_double_eq (grid[0], 20.0);
  ck_assert_double_eq (grid[127], 20000.0);
  for (int i = 1; i < 128; i++)
    ck_assert_double_eq_tol (grid[i] / grid[i - 1], pow (1000.0, 1.0 / 127.0), 1e-12);
}
END_TEST

START_TEST (test_resample_matches_numpy)
{
  EsFrMeasurement *m = load_fixture_measurement ();
  size_t n;
  double *expected;
  float out[128];

  expected = es_fixture_load_doubles ("io/resample-128.txt", &n);
  ck_assert_uint_eq (n, 128);
  es_fr_resample (m->frequency, m->level, m->n, 20.0, 20000.0, TRUE, out, 128);
  /* float32 output of ~±10 dB values: 1e-5 dB is float rounding. */
  for (size_t i = 0; i < n; i++)
    ck_assert_msg (fabs (out[i] - expected[i]) < 2e-5, "point %zu: %.7f vs numpy %.7f",
        i, out[i], expected[i]);
  /* The fixture starts at 25 Hz and ends at 18 kHz: the ends are held, so the
   * first points (20..25 Hz) are equal. */
  ck_assert_float_eq (out[0], out[1]);
  g_free (expected);

  expected = es_fixture_load_doubles ("io/resample-64-50-10k.txt", &n);
  ck_assert_uint_eq (n, 64);
  es_fr_resample (m->frequency, m->level, m->n, 50.0, 10000.0, FALSE, out, 64);
  ck_assert_double_lt (es_max_rel_error (out, expected, 64, 1.0), 1e-6);
  g_free (expected);
  es_fr_measurement_free (m);
}
END_TEST

START_TEST (test_resample_zero_mean_and_linear_in_log_f)
{
  /* level = 3·log2(f): linear in log f, so interpolation is exact. */
  double f[5] = { 10, 100, 1000, 10000, 40000 }, v[5];
  float out[50];
  double sum = 0;
  for (int i = 0; i < 5; i++)
    v[i] = 3.0 * log2 (f[i]) + 70.0;
  es_fr_resample (f, v, 5, 20, 20000, TRUE, out, 50);
  for (int i = 0; i < 50; i++)
    sum += out[i];
  ck_assert_double_lt (fabs (sum / 50), 1e-5);
  /* slope 3 dB per octave: 10 octaves ≈ 9.97 over the grid */
  ck_assert_double_eq_tol (out[49] - out[0], 3.0 * log2 (1000.0), 1e-4);
}
END_TEST

START_TEST (test_signature_synthetic)
{
  /* Flat, then +6 dB bass, then +6 dB treble, then both. */
  static const struct {
    double bass, treble;
    EsFrSignature expected;
  } cases[] = {
    {0, 0, ES_FR_SIGNATURE_NEUTRAL},
    {6, 0, ES_FR_SIGNATURE_WARM},
    {0, 6, ES_FR_SIGNATURE_BRIGHT},
    {6, 6, ES_FR_SIGNATURE_V_SHAPE},
    {2.9, 2.9, ES_FR_SIGNATURE_NEUTRAL},
    {3.0, 0, ES_FR_SIGNATURE_WARM},         /* ≥ 3 dB counts */
  };
  double f[480], v[480];
  es_fr_log_grid (f, 480, 20, 20000);
  for (gsize c = 0; c < G_N_ELEMENTS (cases); c++) {
    double bd, td;
    for (int i = 0; i < 480; i++)
      v[i] = 90.0 + (f[i] < 250 ? cases[c].bass : 0) + (f[i] >= 4000 ? cases[c].treble : 0);
    ck_assert_int_eq (es_fr_signature (f, v, 480, &bd, &td), cases[c].expected);
    ck_assert_double_eq_tol (bd, cases[c].bass, 1e-9);
    ck_assert_double_eq_tol (td, cases[c].treble, 1e-9);
  }
  /* No rows in the treble region: undefined → Neutral, NaN diffs. */
  {
    double bd, td;
    ck_assert_int_eq (es_fr_signature (f, v, 300, &bd, &td), ES_FR_SIGNATURE_NEUTRAL);
    ck_assert (isnan (bd) && isnan (td));
  }
  {
    EsFrSignature s;
    ck_assert_str_eq (es_fr_signature_name (ES_FR_SIGNATURE_V_SHAPE), "V-shape");
    ck_assert (es_fr_signature_from_name ("Bright", &s) && s == ES_FR_SIGNATURE_BRIGHT);
    ck_assert (!es_fr_signature_from_name ("bright", &s));
  }
}
END_TEST

/* The rule on raw rows reproduces index.csv (label and both diffs, which the
 * index gives to 4 decimals); on the 128-point curve it agrees ~98 % of the
 * time (issue 4), which this also measures. */
START_TEST (test_signature_matches_index)
{
  const char *data = es_test_data_dir ();
  char *index_path, *contents;
  char **lines;
  int total = 0, agree_resampled = 0;

  if (!data) {
    printf ("SKIP test_signature_matches_index: ES_DATA_DIR not set or missing\n");
    return;
  }
  index_path = g_build_filename (data, "iem", "index.csv", NULL);
  if (!g_file_get_contents (index_path, &contents, NULL, NULL)) {
    printf ("SKIP test_signature_matches_index: %s not readable\n", index_path);
    g_free (index_path);
    return;
  }
  lines = g_strsplit (contents, "\n", -1);
  for (char **l = lines + 1; *l && **l; l++) {
    char **cols = g_strsplit (*l, ",", -1);
    char *path = g_build_filename (data, "iem", cols[0], NULL);
    EsFrMeasurement *m = es_fr_measurement_load (path, NULL, NULL);
    EsFrSignature expected, got;
    double bd, td, grid[128], curve_d[128];
    float curve[128];

    ck_assert_msg (m != NULL, "%s does not parse", path);
    ck_assert (es_fr_signature_from_name (cols[4], &expected));
    got = es_fr_signature (m->frequency, m->level, m->n, &bd, &td);
    ck_assert_msg (got == expected, "%s: %s, index says %s", cols[0],
        es_fr_signature_name (got), cols[4]);
    ck_assert_msg (fabs (bd - g_ascii_strtod (cols[5], NULL)) < 1e-4
        && fabs (td - g_ascii_strtod (cols[6], NULL)) < 1e-4,
        "%s: diffs %.4f %.4f, index %s %s", cols[0], bd, td, cols[5], cols[6]);

    es_fr_resample (m->frequency, m->level, m->n, 20, 20000, TRUE, curve, 128);
    es_fr_log_grid (grid, 128, 20, 20000);
    for (int i = 0; i < 128; i++)
      curve_d[i] = curve[i];
    agree_resampled += es_fr_signature (grid, curve_d, 128, NULL, NULL) == expected;
    total++;
    es_fr_measurement_free (m);
    g_free (path);
    g_strfreev (cols);
  }
  printf ("signature rule on 128-point curves agrees with index.csv on %d of %d (%.2f %%)\n",
      agree_resampled, total, 100.0 * agree_resampled / total);
  ck_assert_int_gt (total, 1000);
  ck_assert_double_gt ((double) agree_resampled / total, 0.95);
  g_strfreev (lines);
  g_free (contents);
  g_free (index_path);
}
END_TEST

static Suite *
frcurve_suite (void)
{
  Suite *s = suite_create ("io-frcurve");
  TCase *tc = tcase_create ("frcurve");
  tcase_add_test (tc, test_log_grid);
  tcase_add_test (tc, test_resample_matches_numpy);
  tcase_add_test (tc, test_resample_zero_mean_and_linear_in_log_f);
  tcase_add_test (tc, test_signature_synthetic);
  tcase_add_test (tc, test_signature_matches_index);
  tcase_set_timeout (tc, 300);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (frcurve_suite ());
  int failed;
  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed == 0 ? 0 : 1;
}
