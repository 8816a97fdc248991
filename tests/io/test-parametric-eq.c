/* ParametricEQ.txt: parsing, AutoEq's byte format, round trip, malformed files. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "io/parametric-eq.h"

/* As AutoEq writes it (results/.../ParametricEQ.txt). */
static const char autoeq_text[] =
    "Preamp: -6.1 dB\n"
    "Filter 1: ON LSC Fc 105 Hz Gain 6.4 dB Q 0.70\n"
    "Filter 2: ON PK Fc 180 Hz Gain -2.5 dB Q 0.83\n"
    "Filter 3: ON PK Fc 3277 Hz Gain 4.1 dB Q 2.11\n"
    "Filter 4: ON HSC Fc 10000 Hz Gain -3.0 dB Q 0.70\n";

START_TEST (test_parse_autoeq)
{
  GError *error = NULL;
  EsParametricEq *eq = es_parametric_eq_parse (autoeq_text, strlen (autoeq_text), &error);

  ck_assert_msg (eq != NULL, "%s", error ? error->message : "");
  ck_assert_double_eq (eq->preamp_db, -6.1);
  ck_assert_uint_eq (eq->n_filters, 4);
  ck_assert_int_eq (eq->filters[0].type, ES_BIQUAD_LOW_SHELF);
  ck_assert_double_eq (eq->filters[0].freq, 105.0);
  ck_assert_double_eq (eq->filters[0].gain_db, 6.4);
  ck_assert_double_eq (eq->filters[0].q, 0.70);
  ck_assert_int_eq (eq->filters[3].type, ES_BIQUAD_HIGH_SHELF);
  ck_assert_double_eq (eq->filters[2].freq, 3277.0);
  es_parametric_eq_free (eq);
}
END_TEST

START_TEST (test_round_trip_bytes)
{
  EsParametricEq *eq = es_parametric_eq_parse (autoeq_text, strlen (autoeq_text), NULL);
  char *text = es_parametric_eq_format (eq);
  ck_assert_str_eq (text, autoeq_text);
  g_free (text);
  es_parametric_eq_free (eq);
}
END_TEST

START_TEST (test_any_order_off_comments_passes)
{
  static const char text[] =
      "# comment\r\n\r\n"
      "Filter 2: ON HP Fc 20 Hz Q 0.71\r\n"
      "Filter 1: OFF PK Fc 1000 Hz Gain 3 dB Q 1\r\n"
      "Filter  3:  ON  LP  Fc  18000  Hz  Q  0.71\r\n"
      "Preamp: 0.0 dB\r\n";
  EsParametricEq *eq = es_parametric_eq_parse (text, strlen (text), NULL);
  char *out;

  ck_assert_ptr_nonnull (eq);
  ck_assert_uint_eq (eq->n_filters, 2);
  ck_assert_int_eq (eq->filters[0].type, ES_BIQUAD_HIGH_PASS);
  ck_assert_int_eq (eq->filters[1].type, ES_BIQUAD_LOW_PASS);
  out = es_parametric_eq_format (eq);
  ck_assert_str_eq (out, "Preamp: 0.0 dB\nFilter 1: ON HP Fc 20 Hz Q 0.71\nFilter 2: ON LP Fc 18000 Hz Q 0.71\n");
  g_free (out);
  es_parametric_eq_free (eq);
}
END_TEST

static const struct {
  const char *text;
  const char *message; /* substring of the error */
} malformed[] = {
  { "Preamp: -6.1 dB\nFilter 1: ON XX Fc 105 Hz Gain 6.4 dB Q 0.70\n", "line 2: unknown filter type" },
  { "Preamp: abc dB\n", "line 1: expected \"Preamp" },
  { "Preamp: -1 dB\nPreamp: -2 dB\n", "line 2: second Preamp" },
  { "Filter 1: ON PK Fc 1000 Hz Q 1\n", "line 1: filter has no Gain" },
  { "Filter 1: ON PK Gain 3 dB Q 1\n", "line 1: filter has no Fc" },
  { "Filter 1: ON PK Fc nan Hz Gain 3 dB Q 1\n", "line 1: a filter field has no valid number" },
  { "Filter 1: ON PK Fc 1000 Hz Gain 3 dB Q\n", "line 1: a filter field has no valid number" },
  { "Filter 1: ON PK Fc 1000 Hz Gain 3 dB Q -1\n", "line 1: filter needs" },
  { "Filter 1: ON PK Fc 1000 Hz Gain 300 dB Q 1\n", "line 1: filter needs" },
  { "Filter 1: MAYBE PK Fc 1000 Hz Gain 3 dB Q 1\n", "line 1: filter state" },
  { "Filter 1: ON PK Fc 1000 Hz Gain 3 dB Slope 1\n", "line 1: unknown filter field" },
  { "Filter 1 ON PK Fc 1000 Hz Gain 3 dB Q 1\n", "line 1: expected \"Filter N" },
  { "\n\nhello world\n", "line 3: expected a Preamp or Filter line" },
  { "Filter 1: ON\n", "line 1: filter type missing" },
};

START_TEST (test_malformed)
{
  GError *error = NULL;
  EsParametricEq *eq = es_parametric_eq_parse (malformed[_i].text, strlen (malformed[_i].text), &error);

  ck_assert_ptr_null (eq);
  ck_assert_ptr_nonnull (error);
  ck_assert_msg (strstr (error->message, malformed[_i].message) != NULL, "case %d: \"%s\" lacks \"%s\"",
      _i, error->message, malformed[_i].message);
  g_error_free (error);
}
END_TEST

START_TEST (test_nul_and_missing_file)
{
  static const char text[] = "Preamp: 0 dB\n\0Filter";
  GError *error = NULL;

  ck_assert_ptr_null (es_parametric_eq_parse (text, sizeof text, &error));
  g_clear_error (&error);
  ck_assert_ptr_null (es_parametric_eq_load ("/nonexistent/ParametricEQ.txt", &error));
  ck_assert (g_error_matches (error, ES_IO_ERROR, ES_IO_ERROR_OPEN));
  g_clear_error (&error);
  ck_assert_ptr_null (es_parametric_eq_load ("/", &error));
  g_clear_error (&error);
}
END_TEST

START_TEST (test_above_nyquist_at_use)
{
  static const char text[] = "Preamp: 0 dB\nFilter 1: ON PK Fc 1000 Hz Gain 3 dB Q 1\n"
      "Filter 2: ON HSC Fc 30000 Hz Gain 3 dB Q 0.7\n";
  GError *error = NULL;
  EsParametricEq *eq = es_parametric_eq_parse (text, strlen (text), &error);

  ck_assert_ptr_nonnull (eq);
  ck_assert (es_parametric_eq_check_rate (eq, 96000.0, NULL));
  ck_assert (!es_parametric_eq_check_rate (eq, 48000.0, &error));
  ck_assert_msg (strstr (error->message, "filter 2") && strstr (error->message, "Nyquist"), "%s",
      error->message);
  g_error_free (error);
  es_parametric_eq_free (eq);
}
END_TEST

static Suite *
parametric_eq_suite (void)
{
  Suite *s = suite_create ("io-parametric-eq");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_parse_autoeq);
  tcase_add_test (tc, test_round_trip_bytes);
  tcase_add_test (tc, test_any_order_off_comments_passes);
  tcase_add_loop_test (tc, test_malformed, 0, G_N_ELEMENTS (malformed));
  tcase_add_test (tc, test_nul_and_missing_file);
  tcase_add_test (tc, test_above_nyquist_at_use);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *runner = srunner_create (parametric_eq_suite ());
  int failed;

  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
