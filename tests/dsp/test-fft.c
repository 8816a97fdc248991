/* FFT power spectrum: Parseval, a direct DFT, zero padding, sizes. */
#include <check.h>
#include <math.h>

#include "dsp/fft.h"
#include "dsp-fixture.h"

/* Full-spectrum sum of a one-sided power spectrum of an n_fft-point transform. */
static double
full_spectrum_sum (const float *power, size_t n_fft)
{
  size_t n_bins = n_fft / 2 + 1;
  double sum = power[0];
  for (size_t k = 1; k < n_bins; k++)
    sum += (n_fft % 2 == 0 && k == n_bins - 1) ? power[k] : 2.0 * power[k];
  return sum;
}

START_TEST (test_parseval)
{
  GRand *rand = g_rand_new_with_seed (3);
  const size_t sizes[][2] = {   /* n_fft, n_in */
    { 512, 400 }, { 512, 512 }, { 1024, 1000 }, { 2, 1 }, { 400, 400 }, { 513, 300 }, { 8, 0 },
  };

  for (unsigned s = 0; s < G_N_ELEMENTS (sizes); s++) {
    size_t n_fft = sizes[s][0], n_in = sizes[s][1];
    EsFftPower *fft = es_fft_power_new (n_fft);
    float *x = g_new (float, MAX (n_in, 1));
    float *power = g_new (float, es_fft_power_get_n_bins (fft));
    double energy = 0.0, spectrum;

    ck_assert_uint_eq (es_fft_power_get_size (fft), n_fft);
    ck_assert_uint_eq (es_fft_power_get_n_bins (fft), n_fft / 2 + 1);
    for (size_t i = 0; i < n_in; i++) {
      x[i] = (float) g_rand_double_range (rand, -1.0, 1.0);
      energy += (double) x[i] * x[i];
    }
    /* Twice: stale scratch content must not leak into the second result. */
    es_fft_power_process (fft, x, n_in, power);
    es_fft_power_process (fft, x, n_in, power);
    spectrum = full_spectrum_sum (power, n_fft);
    if (n_in == 0)
      ck_assert_double_eq (spectrum, 0.0);
    else
      ck_assert_msg (fabs (spectrum - n_fft * energy) <= 1e-5 * n_fft * energy,
          "n_fft %zu: spectrum sum %g, n_fft * energy %g", n_fft, spectrum, n_fft * energy);
    g_free (x);
    g_free (power);
    es_fft_power_free (fft);
  }
  g_rand_free (rand);
}
END_TEST

START_TEST (test_matches_direct_dft)
{
  GRand *rand = g_rand_new_with_seed (4);
  const size_t n_fft = 64, n_in = 50;
  EsFftPower *fft = es_fft_power_new (n_fft);
  float x[64], power[33];
  double reference[33];

  for (size_t i = 0; i < n_in; i++)
    x[i] = (float) g_rand_double_range (rand, -1.0, 1.0);
  /* The padding region of the caller's buffer must be ignored. */
  for (size_t i = n_in; i < n_fft; i++)
    x[i] = 1000.0f;
  for (size_t k = 0; k <= n_fft / 2; k++) {
    double re = 0.0, im = 0.0;
    for (size_t i = 0; i < n_in; i++) {
      re += x[i] * cos (2.0 * G_PI * k * i / n_fft);
      im -= x[i] * sin (2.0 * G_PI * k * i / n_fft);
    }
    reference[k] = re * re + im * im;
  }
  es_fft_power_process (fft, x, n_in, power);
  ck_assert_double_le (es_max_rel_error (power, reference, 33, 1e-3), 1e-4);
  es_fft_power_free (fft);
  g_rand_free (rand);
}
END_TEST

START_TEST (test_even_sizes_match_direct_dft)
{
  /* Even sizes run as a half-size complex transform plus an 8-lane split
   * (scalar for the last bins): every bin of every size, vector part and tail,
   * against a double-precision DFT, within a few float roundings of the
   * largest bin. Odd sizes (FFTW's real transform) for comparison. */
  GRand *rand = g_rand_new_with_seed (5);
  const size_t sizes[] = { 2, 4, 6, 10, 16, 18, 34, 400, 512, 9, 15 };

  for (unsigned s = 0; s < G_N_ELEMENTS (sizes); s++) {
    size_t n_fft = sizes[s], n_in = MAX (1, n_fft * 25 / 32), n_bins = n_fft / 2 + 1;
    EsFftPower *fft = es_fft_power_new (n_fft);
    float *x = g_new (float, n_in), *power = g_new (float, n_bins);
    double *reference = g_new (double, n_bins), top = 0.0;

    for (size_t i = 0; i < n_in; i++)
      x[i] = (float) g_rand_double_range (rand, -1.0, 1.0);
    for (size_t k = 0; k < n_bins; k++) {
      double re = 0.0, im = 0.0;
      for (size_t i = 0; i < n_in; i++) {
        re += x[i] * cos (2.0 * G_PI * (double) (k * i % n_fft) / n_fft);
        im -= x[i] * sin (2.0 * G_PI * (double) (k * i % n_fft) / n_fft);
      }
      reference[k] = re * re + im * im;
      top = MAX (top, reference[k]);
    }
    es_fft_power_process (fft, x, n_in, power);
    for (size_t k = 0; k < n_bins; k++)
      ck_assert_msg (fabs (power[k] - reference[k]) <= 2e-6 * top,
          "n_fft %zu bin %zu: %.9g, want %.9g (largest %g)", n_fft, k, power[k],
          reference[k], top);
    g_free (x);
    g_free (power);
    g_free (reference);
    es_fft_power_free (fft);
  }
  g_rand_free (rand);
}
END_TEST

START_TEST (test_tone_peak_bin)
{
  const size_t n = 512;
  EsFftPower *fft = es_fft_power_new (n);
  float x[512], power[257];
  size_t peak = 0;

  for (size_t i = 0; i < n; i++)
    x[i] = (float) cos (2.0 * G_PI * 37.0 * i / n);
  es_fft_power_process (fft, x, n, power);
  for (size_t k = 1; k < 257; k++)
    if (power[k] > power[peak])
      peak = k;
  ck_assert_uint_eq (peak, 37);
  /* |X_37| = n / 2 for a unit cosine on a bin. */
  ck_assert_float_eq_tol (power[37], (float) (n * n / 4), 1e-3f * n * n);
  es_fft_power_free (fft);
}
END_TEST

START_TEST (test_next_pow2)
{
  ck_assert_uint_eq (es_next_pow2 (1), 1);
  ck_assert_uint_eq (es_next_pow2 (2), 2);
  ck_assert_uint_eq (es_next_pow2 (3), 4);
  ck_assert_uint_eq (es_next_pow2 (400), 512);
  ck_assert_uint_eq (es_next_pow2 (512), 512);
  ck_assert_uint_eq (es_next_pow2 (513), 1024);
}
END_TEST

START_TEST (test_nan_input)
{
  EsFftPower *fft = es_fft_power_new (16);
  float x[16] = { 0 }, power[9];
  x[3] = NAN;
  es_fft_power_process (fft, x, 16, power);
  ck_assert (isnan (power[0]));
  x[3] = 0.0f;
  es_fft_power_process (fft, x, 16, power);
  ck_assert_float_eq (power[0], 0.0f);
  es_fft_power_free (fft);
  es_fft_power_free (NULL);
}
END_TEST

static gpointer
plan_many (gpointer data)
{
  for (unsigned i = 0; i < 50; i++) {
    EsFftPower *fft = es_fft_power_new (64 + 2 * (i % 7));
    float x[64] = { 1.0f }, power[40];
    es_fft_power_process (fft, x, 64, power);
    ck_assert_float_eq_tol (power[0], 1.0f, 1e-6f);
    es_fft_power_free (fft);
  }
  return NULL;
}

START_TEST (test_planning_from_threads)
{
  GThread *threads[4];
  for (unsigned i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("planner", plan_many, NULL);
  for (unsigned i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
}
END_TEST

static Suite *
fft_suite (void)
{
  Suite *s = suite_create ("dsp-fft");
  TCase *tc = tcase_create ("core");
  tcase_add_test (tc, test_parseval);
  tcase_add_test (tc, test_matches_direct_dft);
  tcase_add_test (tc, test_even_sizes_match_direct_dft);
  tcase_add_test (tc, test_tone_peak_bin);
  tcase_add_test (tc, test_next_pow2);
  tcase_add_test (tc, test_nan_input);
  tcase_add_test (tc, test_planning_from_threads);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *runner = srunner_create (fft_suite ());
  int failed;
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
