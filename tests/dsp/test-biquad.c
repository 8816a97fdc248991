/* Biquads against SciPy (magnitudes, a cascade through sosfilt), the transient of
 * a +12 dB step, non-finite input, identity detection and parameter errors. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "dsp/biquad.h"
#include "dsp/dsp-error.h"
#include "dsp-fixture.h"

START_TEST (test_magnitude_matches_scipy)
{
  DspFixture fx;
  unsigned n_cases, k;
  double worst = 0.0;

  dsp_fixture_open (&fx, "dsp/biquad_magnitude.txt");
  n_cases = (unsigned) dsp_fixture_next (&fx);
  for (k = 0; k < n_cases; k++) {
    EsBiquadParams p;
    EsBiquadCoeffs c;
    GError *error = NULL;
    double rate = dsp_fixture_next (&fx);
    size_t n, i;
    const double *freqs, *db;

    p.type = (EsBiquadType) dsp_fixture_next (&fx);
    p.freq = dsp_fixture_next (&fx);
    p.gain_db = dsp_fixture_next (&fx);
    p.q = dsp_fixture_next (&fx);
    n = (size_t) dsp_fixture_next (&fx);
    freqs = dsp_fixture_take (&fx, n);
    db = dsp_fixture_take (&fx, n);
    ck_assert_msg (es_biquad_design (&p, rate, &c, &error), "%s", error ? error->message : "");
    for (i = 0; i < n; i++) {
      double got = es_biquad_magnitude_db (&c, freqs[i], rate);
      /* Deep notch / low-pass stopband values below -60 dB: compare loosely. */
      double tol = db[i] < -60.0 ? 0.5 : 0.01;
      ck_assert_msg (fabs (got - db[i]) <= tol, "case %u (%s %g Hz at %g Hz) at %g Hz: %g dB, SciPy %g dB",
          k, es_biquad_type_name (p.type), p.freq, rate, freqs[i], got, db[i]);
      if (db[i] >= -60.0)
        worst = MAX (worst, fabs (got - db[i]));
    }
  }
  ck_assert (dsp_fixture_at_end (&fx));
  ck_assert_double_le (worst, 0.01);
  dsp_fixture_close (&fx);
}
END_TEST

START_TEST (test_cascade_matches_sosfilt)
{
  DspFixture fx;
  double rate;
  unsigned channels, n_bands, i;
  size_t n_frames, n, j;
  EsBiquadParams bands[8];
  EsBiquadCascade *c;
  const double *input, *expected;
  double *data64, worst64 = 0.0, worst32 = 0.0;
  float *data32;

  dsp_fixture_open (&fx, "dsp/biquad_cascade.txt");
  rate = dsp_fixture_next (&fx);
  channels = (unsigned) dsp_fixture_next (&fx);
  n_frames = (size_t) dsp_fixture_next (&fx);
  n_bands = (unsigned) dsp_fixture_next (&fx);
  ck_assert_uint_le (n_bands, G_N_ELEMENTS (bands));
  for (i = 0; i < n_bands; i++) {
    bands[i].type = (EsBiquadType) dsp_fixture_next (&fx);
    bands[i].freq = dsp_fixture_next (&fx);
    bands[i].gain_db = dsp_fixture_next (&fx);
    bands[i].q = dsp_fixture_next (&fx);
  }
  n = n_frames * channels;
  input = dsp_fixture_take (&fx, n);
  expected = dsp_fixture_take (&fx, n);

  data64 = g_memdup2 (input, n * sizeof (double));
  data32 = g_new (float, n);
  for (j = 0; j < n; j++)
    data32[j] = (float) input[j];

  c = es_biquad_cascade_new (channels, rate);
  ck_assert (es_biquad_cascade_set_bands (c, bands, n_bands, NULL));
  es_biquad_cascade_reset (c); /* start on the target, as SciPy does */
  es_biquad_cascade_process_f64 (c, data64, 1001);
  es_biquad_cascade_process_f64 (c, data64 + 1001 * channels, n_frames - 1001);
  es_biquad_cascade_reset (c);
  es_biquad_cascade_process_f32 (c, data32, n_frames);
  for (j = 0; j < n; j++) {
    worst64 = MAX (worst64, fabs (data64[j] - expected[j]));
    worst32 = MAX (worst32, fabs (data32[j] - expected[j]));
  }
  ck_assert_double_le (worst64, 1e-9);
  ck_assert_double_le (worst32, 1e-5);
  ck_assert_uint_eq (es_biquad_cascade_nonfinite_count (c), 0);

  es_biquad_cascade_free (c);
  g_free (data64);
  g_free (data32);
  dsp_fixture_close (&fx);
}
END_TEST

/* A 1 kHz sine through a 1 kHz peak switched from 0 to +12 dB. A click is
 * broadband, so the output goes through an 8th-order high-pass at 8 kHz (which
 * takes the sine itself below -100 dB): what is left is the transient. Ramped,
 * it stays below -60 dB of the settled sine; switched at once it does not (so
 * the test can fail). Returns the ratio of the high-passed peak to the sine's. */
static double
step_transient_ratio (size_t ramp_frames)
{
  const double rate = 48000.0, f0 = 1000.0;
  const size_t before = 4800, after = 9600, n = before + after;
  EsBiquadParams band = { ES_BIQUAD_PEAKING, f0, 0.0, 1.0 };
  EsBiquadParams hp[4];
  EsBiquadCascade *c = es_biquad_cascade_new (1, rate), *probe = es_biquad_cascade_new (1, rate);
  double *x = g_new (double, n), worst = 0.0, settled = 0.0;
  size_t i;

  for (i = 0; i < 4; i++)
    hp[i] = (EsBiquadParams) { ES_BIQUAD_HIGH_PASS, 8000.0, 0.0, 0.7071 };
  ck_assert (es_biquad_cascade_set_bands (probe, hp, 4, NULL));
  es_biquad_cascade_reset (probe);
  for (i = 0; i < n; i++)
    x[i] = 0.2 * sin (2.0 * G_PI * f0 * i / rate + 0.3);
  es_biquad_cascade_set_ramp_frames (c, ramp_frames);
  ck_assert (es_biquad_cascade_set_bands (c, &band, 1, NULL));
  es_biquad_cascade_process_f64 (c, x, before);
  band.gain_db = 12.0;
  ck_assert (es_biquad_cascade_set_bands (c, &band, 1, NULL));
  es_biquad_cascade_process_f64 (c, x + before, after);
  for (i = n - 2400; i < n; i++)
    settled = MAX (settled, fabs (x[i]));
  ck_assert_double_le (fabs (settled / (0.2 * pow (10.0, 0.6)) - 1.0), 0.01);
  es_biquad_cascade_process_f64 (probe, x, n);
  for (i = before / 2; i < n; i++) /* after the probe's own start-up */
    worst = MAX (worst, fabs (x[i]));
  es_biquad_cascade_free (c);
  es_biquad_cascade_free (probe);
  g_free (x);
  return worst / settled;
}

START_TEST (test_step_transient_bounded)
{
  double ramped = step_transient_ratio (960);
  double instant = step_transient_ratio (0);
  g_print ("+12 dB step: high-passed transient %.1f dB ramped, %.1f dB instant\n",
      20.0 * log10 (ramped), 20.0 * log10 (instant));
  ck_assert_double_le (ramped, 1e-3);
  ck_assert_double_gt (instant, 1e-3);
}
END_TEST

START_TEST (test_nonfinite_input_resets)
{
  EsBiquadParams band = { ES_BIQUAD_PEAKING, 500.0, 6.0, 0.7 };
  EsBiquadCascade *c = es_biquad_cascade_new (2, 44100.0);
  float data[400];
  size_t i;

  ck_assert (es_biquad_cascade_set_bands (c, &band, 1, NULL));
  for (i = 0; i < G_N_ELEMENTS (data); i++)
    data[i] = (float) sin (i * 0.1);
  data[20] = NAN;       /* frame 10, channel 0 */
  data[41] = INFINITY;  /* frame 20, channel 1 */
  es_biquad_cascade_process_f32 (c, data, 200);
  ck_assert_float_eq (data[20], 0.0f);
  ck_assert_float_eq (data[41], 0.0f);
  for (i = 0; i < G_N_ELEMENTS (data); i++)
    ck_assert (isfinite (data[i]));
  ck_assert_uint_eq (es_biquad_cascade_nonfinite_count (c), 2);
  es_biquad_cascade_free (c);
}
END_TEST

START_TEST (test_identity_and_headroom)
{
  EsBiquadParams bands[2] = { { ES_BIQUAD_PEAKING, 1000.0, 0.0, 1.0 },
    { ES_BIQUAD_LOW_SHELF, 100.0, 6.0, 0.7 } };
  EsBiquadCascade *c = es_biquad_cascade_new (1, 48000.0);

  ck_assert (es_biquad_cascade_is_identity (c));
  ck_assert (es_biquad_cascade_set_bands (c, bands, 1, NULL));
  es_biquad_cascade_reset (c);
  ck_assert (es_biquad_cascade_is_identity (c));
  ck_assert (es_biquad_cascade_set_bands (c, bands, 2, NULL));
  ck_assert (!es_biquad_cascade_is_identity (c));
  ck_assert_double_le (fabs (es_biquad_cascade_max_gain_db (c) - 6.0), 0.05);
  es_biquad_cascade_free (c);
}
END_TEST

START_TEST (test_bad_parameters)
{
  EsBiquadParams p = { ES_BIQUAD_PEAKING, 30000.0, 3.0, 1.0 };
  EsBiquadCoeffs c;
  GError *error = NULL;

  ck_assert (!es_biquad_design (&p, 48000.0, &c, &error));
  ck_assert_ptr_nonnull (strstr (error->message, "Nyquist"));
  g_clear_error (&error);
  p.freq = 1000.0;
  p.q = 0.0;
  ck_assert (!es_biquad_design (&p, 48000.0, &c, &error));
  ck_assert_ptr_nonnull (strstr (error->message, "Q"));
  g_clear_error (&error);
  p.q = 1.0;
  p.gain_db = NAN;
  ck_assert (!es_biquad_design (&p, 48000.0, &c, &error));
  g_clear_error (&error);
}
END_TEST

static Suite *
biquad_suite (void)
{
  Suite *s = suite_create ("dsp-biquad");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_magnitude_matches_scipy);
  tcase_add_test (tc, test_cascade_matches_sosfilt);
  tcase_add_test (tc, test_step_transient_bounded);
  tcase_add_test (tc, test_nonfinite_input_resets);
  tcase_add_test (tc, test_identity_and_headroom);
  tcase_add_test (tc, test_bad_parameters);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *runner = srunner_create (biquad_suite ());
  int failed;

  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
