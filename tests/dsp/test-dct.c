/* DCT-II against scipy.fft.dct (type=2, norm="ortho"), orthonormality. */
#include <check.h>
#include <math.h>

#include "dsp/dct.h"
#include "dsp-fixture.h"

START_TEST (test_dct_matches_scipy)
{
  DspFixture fx;
  unsigned blocks = 0;

  dsp_fixture_open (&fx, "dsp/dct.txt");
  while (!dsp_fixture_at_end (&fx)) {
    unsigned n_in = (unsigned) dsp_fixture_next (&fx);
    unsigned n_out = (unsigned) dsp_fixture_next (&fx);
    size_t n_vec = (size_t) dsp_fixture_next (&fx);
    float *in = dsp_fixture_take_floats (&fx, n_vec * n_in);
    const double *expected = dsp_fixture_take (&fx, n_vec * n_out);
    EsDct *dct = es_dct_new (n_in, n_out);
    float *out = g_new (float, n_out);

    ck_assert_uint_eq (es_dct_get_n_in (dct), n_in);
    ck_assert_uint_eq (es_dct_get_n_out (dct), n_out);
    for (size_t v = 0; v < n_vec; v++) {
      double norm = 0.0, err;
      for (unsigned i = 0; i < n_in; i++)
        norm += (double) in[v * n_in + i] * in[v * n_in + i];
      es_dct_process (dct, in + v * n_in, out);
      /* Relative, with coefficients under 1e-6 of the input norm compared
       * absolutely (they are cancellation residue in any precision). */
      err = es_max_rel_error (out, expected + v * n_out, n_out, 1e-6 * sqrt (norm));
      ck_assert_msg (err <= 1e-4, "DCT %u -> %u, vector %zu: relative error %g",
          n_in, n_out, v, err);
    }
    g_free (in);
    g_free (out);
    es_dct_free (dct);
    blocks++;
  }
  ck_assert_uint_eq (blocks, 4);
  dsp_fixture_close (&fx);
}
END_TEST

START_TEST (test_dct_orthonormal)
{
  /* A full orthonormal DCT keeps the energy of its input and maps a constant
   * to the first coefficient alone. */
  const unsigned n = 24;
  EsDct *dct = es_dct_new (n, n);
  float in[24], out[24];
  double e_in = 0.0, e_out = 0.0;

  for (unsigned i = 0; i < n; i++) {
    in[i] = (float) sin (i * 1.7) * 3.0f;
    e_in += (double) in[i] * in[i];
  }
  es_dct_process (dct, in, out);
  for (unsigned i = 0; i < n; i++)
    e_out += (double) out[i] * out[i];
  ck_assert_double_eq_tol (e_out, e_in, 1e-5 * e_in);

  for (unsigned i = 0; i < n; i++)
    in[i] = 2.0f;
  es_dct_process (dct, in, out);
  ck_assert_float_eq_tol (out[0], 2.0f * sqrtf ((float) n), 1e-5f);
  for (unsigned k = 1; k < n; k++)
    ck_assert_float_eq_tol (out[k], 0.0f, 1e-5f);
  es_dct_free (dct);
  es_dct_free (NULL);
}
END_TEST

START_TEST (test_dct_nan)
{
  EsDct *dct = es_dct_new (4, 2);
  float in[4] = { 1, NAN, 2, 3 }, out[2];
  es_dct_process (dct, in, out);
  ck_assert (isnan (out[0]) && isnan (out[1]));
  es_dct_free (dct);
}
END_TEST

static Suite *
dct_suite (void)
{
  Suite *s = suite_create ("dsp-dct");
  TCase *tc = tcase_create ("core");
  tcase_add_test (tc, test_dct_matches_scipy);
  tcase_add_test (tc, test_dct_orthonormal);
  tcase_add_test (tc, test_dct_nan);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *runner = srunner_create (dct_suite ());
  int failed;
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
