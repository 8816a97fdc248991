/* Windows against numpy.hamming / numpy.hanning, names. */
#include <check.h>
#include <math.h>

#include "dsp/window.h"
#include "dsp-fixture.h"

START_TEST (test_windows_match_numpy)
{
  DspFixture fx;
  unsigned blocks = 0;

  dsp_fixture_open (&fx, "dsp/windows.txt");
  while (!dsp_fixture_at_end (&fx)) {
    EsWindowType type = (EsWindowType) dsp_fixture_next (&fx);
    size_t n = (size_t) dsp_fixture_next (&fx);
    const double *expected = dsp_fixture_take (&fx, n);
    float *w = g_new (float, n);
    double err;

    es_window_fill (type, w, n);
    /* Hamming ends at 0.08, Hann at exactly 0: compare those absolutely. */
    err = es_max_rel_error (w, expected, n, 1e-2);
    ck_assert_msg (err <= 1e-5, "window %s n=%zu: relative error %g",
        es_window_type_name (type), n, err);
    g_free (w);
    blocks++;
  }
  ck_assert_uint_eq (blocks, 21);
  dsp_fixture_close (&fx);
}
END_TEST

START_TEST (test_window_symmetric_and_peak)
{
  float w[401];
  es_window_fill (ES_WINDOW_HAMMING, w, 401);
  for (size_t i = 0; i < 401; i++)
    ck_assert_float_eq_tol (w[i], w[400 - i], 1e-7f);
  ck_assert_float_eq_tol (w[200], 1.0f, 1e-7f);
  ck_assert_float_eq_tol (w[0], 0.08f, 1e-7f);
  es_window_fill (ES_WINDOW_HANN, w, 401);
  ck_assert_float_eq (w[0], 0.0f);
  ck_assert_float_eq_tol (w[200], 1.0f, 1e-7f);
}
END_TEST

START_TEST (test_window_names)
{
  EsWindowType t;
  const EsWindowType all[] = { ES_WINDOW_HAMMING, ES_WINDOW_HANN, ES_WINDOW_RECTANGULAR };

  for (unsigned i = 0; i < G_N_ELEMENTS (all); i++) {
    ck_assert (es_window_type_from_name (es_window_type_name (all[i]), &t));
    ck_assert_int_eq (t, all[i]);
  }
  ck_assert_str_eq (es_window_type_name (ES_WINDOW_HAMMING), "hamming");
  ck_assert_str_eq (es_window_type_name (ES_WINDOW_HANN), "hann");
  ck_assert_str_eq (es_window_type_name (ES_WINDOW_RECTANGULAR), "rectangular");
  ck_assert (es_window_type_from_name ("rect", &t));
  ck_assert_int_eq (t, ES_WINDOW_RECTANGULAR);
  ck_assert (!es_window_type_from_name ("blackman", &t));
  ck_assert (!es_window_type_from_name ("", &t));
  ck_assert (!es_window_type_from_name (NULL, &t));
  ck_assert_ptr_null (es_window_type_name ((EsWindowType) 42));
}
END_TEST

static Suite *
window_suite (void)
{
  Suite *s = suite_create ("dsp-window");
  TCase *tc = tcase_create ("core");
  tcase_add_test (tc, test_windows_match_numpy);
  tcase_add_test (tc, test_window_symmetric_and_peak);
  tcase_add_test (tc, test_window_names);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *runner = srunner_create (window_suite ());
  int failed;
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
