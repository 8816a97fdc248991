/* Pre-emphasis against NumPy, state across calls, non-finite input. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "dsp/preemphasis.h"
#include "dsp-fixture.h"

START_TEST (test_f32_matches_numpy)
{
  DspFixture fx;
  unsigned channels;
  size_t n_frames, n, split;
  float coefficient, *data, last[8] = { 0 };
  const double *expected;

  dsp_fixture_open (&fx, "dsp/preemphasis_f32.txt");
  channels = (unsigned) dsp_fixture_next (&fx);
  n_frames = (size_t) dsp_fixture_next (&fx);
  coefficient = (float) dsp_fixture_next (&fx);
  ck_assert_uint_le (channels, G_N_ELEMENTS (last));
  n = n_frames * channels;
  data = dsp_fixture_take_floats (&fx, n);
  expected = dsp_fixture_take (&fx, n);

  /* Two calls at an odd split: the state must carry the last input sample. */
  split = 377;
  es_preemphasis_f32 (data, split, channels, coefficient, last);
  es_preemphasis_f32 (data + split * channels, n_frames - split, channels, coefficient, last);
  ck_assert_double_le (es_max_rel_error (data, expected, n, 1e-3), 1e-5);

  g_free (data);
  dsp_fixture_close (&fx);
}
END_TEST

START_TEST (test_f64_matches_numpy)
{
  DspFixture fx;
  unsigned channels;
  size_t n_frames, n;
  double coefficient, *data, last[8] = { 0 }, worst = 0.0;
  const double *input, *expected;

  dsp_fixture_open (&fx, "dsp/preemphasis_f64.txt");
  channels = (unsigned) dsp_fixture_next (&fx);
  n_frames = (size_t) dsp_fixture_next (&fx);
  coefficient = dsp_fixture_next (&fx);
  n = n_frames * channels;
  input = dsp_fixture_take (&fx, n);
  expected = dsp_fixture_take (&fx, n);
  data = g_memdup2 (input, n * sizeof (double));

  for (size_t i = 0; i < n_frames; i += 100)
    es_preemphasis_f64 (data + i * channels, MIN (100, n_frames - i), channels,
        coefficient, last);
  for (size_t i = 0; i < n; i++)
    worst = MAX (worst, fabs (data[i] - expected[i]) / MAX (fabs (expected[i]), 1e-3));
  ck_assert_double_le (worst, 1e-12);
  /* The state is the last input sample of each channel. */
  for (unsigned c = 0; c < channels; c++)
    ck_assert_double_eq (last[c], input[(n_frames - 1) * channels + c]);

  g_free (data);
  dsp_fixture_close (&fx);
}
END_TEST

START_TEST (test_split_invariance_mono)
{
  GRand *rand = g_rand_new_with_seed (7);
  float whole[1000], pieces[1000], last = 0.0f;
  size_t pos = 0;

  for (size_t i = 0; i < G_N_ELEMENTS (whole); i++)
    whole[i] = pieces[i] = (float) g_rand_double_range (rand, -1.0, 1.0);
  es_preemphasis_f32 (whole, G_N_ELEMENTS (whole), 1, 0.95f, &last);
  last = 0.0f;
  while (pos < G_N_ELEMENTS (pieces)) {
    size_t n = MIN ((size_t) g_rand_int_range (rand, 0, 50), G_N_ELEMENTS (pieces) - pos);
    es_preemphasis_f32 (pieces + pos, n, 1, 0.95f, &last);
    pos += n;
  }
  ck_assert_int_eq (memcmp (whole, pieces, sizeof (whole)), 0);
  g_rand_free (rand);
}
END_TEST

START_TEST (test_mono_rounds_like_the_formula)
{
  /* The mono kernel works eight samples at a time from the end of the block;
   * every output must still be exactly (float) (x[n] - a x[n-1]) in double,
   * whatever the length (vector part, scalar head, the first sample). */
  GRand *rand = g_rand_new_with_seed (11);
  float x[203], y[203];
  const float a = 0.97f;

  for (size_t i = 0; i < G_N_ELEMENTS (x); i++)
    x[i] = (float) g_rand_double_range (rand, -1.0, 1.0);
  for (size_t n = 0; n <= G_N_ELEMENTS (x); n++) {
    float last = 0.125f;

    memcpy (y, x, n * sizeof (float));
    es_preemphasis_f32 (y, n, 1, a, &last);
    for (size_t i = 0; i < n; i++) {
      double prev = i == 0 ? 0.125 : (double) x[i - 1];
      float want = (float) ((double) x[i] - (double) a * prev);
      ck_assert_msg (memcmp (&y[i], &want, sizeof (float)) == 0,
          "n = %zu, sample %zu: %.9g, want %.9g", n, i, y[i], want);
    }
    ck_assert_float_eq (last, n > 0 ? x[n - 1] : 0.125f);
  }
  g_rand_free (rand);
}
END_TEST

START_TEST (test_first_sample_and_zero_coefficient)
{
  float x[4] = { 0.5f, 0.25f, -1.0f, 2.0f }, last = 0.0f;
  float y[4] = { 0.5f, 0.25f, -1.0f, 2.0f };

  /* At stream start y[0] = x[0]. */
  es_preemphasis_f32 (x, 4, 1, 0.97f, &last);
  ck_assert_float_eq (x[0], 0.5f);
  ck_assert_float_eq_tol (x[1], 0.25f - 0.97f * 0.5f, 1e-7f);
  ck_assert_float_eq (last, 2.0f);
  /* a = 0 is the identity, also right after an infinite sample. */
  last = INFINITY;
  es_preemphasis_f32 (y, 4, 1, 0.0f, &last);
  ck_assert_float_eq (y[0], 0.5f);
  ck_assert_float_eq (y[2], -1.0f);
  ck_assert_float_eq (y[3], 2.0f);
  ck_assert_float_eq (last, 2.0f);
}
END_TEST

START_TEST (test_nan_propagates_per_channel)
{
  /* Two channels; a NaN in channel 0 must not leak into channel 1. */
  float x[8] = { 1, 1, NAN, 2, 3, 3, 4, 4 };
  float last[2] = { 0, 0 };
  double xd[4] = { 1, INFINITY, 3, 4 }, lastd = 0;

  es_preemphasis_f32 (x, 4, 2, 0.97f, last);
  ck_assert (isnan (x[2]));
  ck_assert (isnan (x[4]));     /* depends on the NaN input */
  ck_assert (isfinite (x[1]) && isfinite (x[3]) && isfinite (x[5]) && isfinite (x[7]));
  ck_assert (isfinite (x[6]));  /* depends only on finite inputs again */
  ck_assert (isfinite (last[0]) && isfinite (last[1]));

  es_preemphasis_f64 (xd, 4, 1, 0.97, &lastd);
  ck_assert (isinf (xd[1]));
  ck_assert (!isfinite (xd[2]));
  ck_assert (isfinite (xd[3]));
}
END_TEST

START_TEST (test_zero_frames)
{
  float last = 0.25f;
  double lastd = 0.5;
  es_preemphasis_f32 (NULL, 0, 1, 0.97f, &last);
  es_preemphasis_f64 (NULL, 0, 1, 0.97, &lastd);
  ck_assert_float_eq (last, 0.25f);
  ck_assert_double_eq (lastd, 0.5);
}
END_TEST

static Suite *
preemphasis_suite (void)
{
  Suite *s = suite_create ("dsp-preemphasis");
  TCase *tc = tcase_create ("core");
  tcase_add_test (tc, test_f32_matches_numpy);
  tcase_add_test (tc, test_f64_matches_numpy);
  tcase_add_test (tc, test_split_invariance_mono);
  tcase_add_test (tc, test_mono_rounds_like_the_formula);
  tcase_add_test (tc, test_first_sample_and_zero_coefficient);
  tcase_add_test (tc, test_nan_propagates_per_channel);
  tcase_add_test (tc, test_zero_frames);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *runner = srunner_create (preemphasis_suite ());
  int failed;
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
