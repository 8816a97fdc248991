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

/* Both paths on their own, whatever the CPU picks by default: _i = 0 the
 * vector kernel (skipped without one), 1 the scalar loop. */
START_TEST (test_cascade_matches_sosfilt)
{
  const gboolean vector = _i == 0;
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

  c = es_biquad_cascade_new (channels, rate);
  es_biquad_cascade_set_vector_path (c, vector);
  if (vector && !es_biquad_cascade_has_vector_path (c)) {
    g_print ("no vector path (CPU or -Dvector_kernel=false): sosfilt checked on the scalar loop only\n");
    es_biquad_cascade_free (c);
    dsp_fixture_close (&fx);
    return;
  }
  ck_assert (vector == es_biquad_cascade_has_vector_path (c));

  data64 = g_memdup2 (input, n * sizeof (double));
  data32 = g_new (float, n);
  for (j = 0; j < n; j++)
    data32[j] = (float) input[j];

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
  /* a flat peaking or shelf band is unity at any rate: not checked against
   * Nyquist; with gain it is */
  p = (EsBiquadParams) { ES_BIQUAD_HIGH_SHELF, 30000.0, 0.0, 0.7 };
  ck_assert (es_biquad_design (&p, 48000.0, &c, NULL));
  ck_assert (c.b0 == 1.0 && c.b1 == 0.0 && c.b2 == 0.0 && c.a1 == 0.0 && c.a2 == 0.0);
  p.gain_db = 0.5;
  ck_assert (!es_biquad_design (&p, 48000.0, &c, &error));
  ck_assert_ptr_nonnull (strstr (error->message, "Nyquist"));
  g_clear_error (&error);
  p = (EsBiquadParams) { ES_BIQUAD_LOW_PASS, 30000.0, 0.0, 0.7 };
  ck_assert (!es_biquad_design (&p, 48000.0, &c, &error));
  g_clear_error (&error);
}
END_TEST

/* Random bands of every type, valid at @rate. */
static void
random_bands (GRand *r, double rate, EsBiquadParams *bands, unsigned n)
{
  unsigned i;

  for (i = 0; i < n; i++) {
    bands[i].type = (EsBiquadType) g_rand_int_range (r, 0, 6);
    bands[i].freq = exp (g_rand_double_range (r, log (20.0), log (rate * 0.45)));
    bands[i].gain_db = g_rand_double_range (r, -15.0, 15.0);
    bands[i].q = exp (g_rand_double_range (r, log (0.3), log (8.0)));
  }
}

/* The vector path against the scalar loop: every channel grouping (1-7
 * channels: groups of 4, 2 and 1), cascades of 0 to 25 sections (several
 * chunks), calls shorter than a chunk's depth and longer than a block,
 * F32 and F64, state carried across calls. */
START_TEST (test_vector_path_matches_scalar)
{
  static const unsigned counts[] = { 0, 1, 2, 3, 5, 8, 10, 13, 25 };
  static const size_t calls[] = { 1, 3, 7, 64, 1000, 1024, 1500, 2049, 5 };
  GRand *r = g_rand_new_with_seed (16);
  unsigned channels, ci;
  double worst64 = 0.0, worst32 = 0.0;

  {
    EsBiquadCascade *probe = es_biquad_cascade_new (1, 48000.0);
    if (!es_biquad_cascade_has_vector_path (probe))
      g_print ("no vector path on this CPU: the scalar loop is compared with itself\n");
    es_biquad_cascade_free (probe);
  }
  for (channels = 1; channels <= 7; channels++) {
    for (ci = 0; ci < G_N_ELEMENTS (counts); ci++) {
      const double rate = ci % 2 ? 44100.0 : 96000.0;
      EsBiquadParams bands[32];
      EsBiquadCascade *vec = es_biquad_cascade_new (channels, rate);
      EsBiquadCascade *sca = es_biquad_cascade_new (channels, rate);
      EsBiquadCascade *vec32 = es_biquad_cascade_new (channels, rate);
      EsBiquadCascade *sca32 = es_biquad_cascade_new (channels, rate);
      size_t total = 0, k, i, off = 0;
      double *a, *b;
      float *a32, *b32;

      for (k = 0; k < G_N_ELEMENTS (calls); k++)
        total += calls[k];
      random_bands (r, rate, bands, counts[ci]);
      es_biquad_cascade_set_vector_path (sca, FALSE);
      es_biquad_cascade_set_vector_path (sca32, FALSE);
      ck_assert (!es_biquad_cascade_has_vector_path (sca));
      ck_assert (es_biquad_cascade_set_bands (vec, bands, counts[ci], NULL));
      ck_assert (es_biquad_cascade_set_bands (sca, bands, counts[ci], NULL));
      ck_assert (es_biquad_cascade_set_bands (vec32, bands, counts[ci], NULL));
      ck_assert (es_biquad_cascade_set_bands (sca32, bands, counts[ci], NULL));
      es_biquad_cascade_set_gain_db (vec, -3.0);
      es_biquad_cascade_set_gain_db (sca, -3.0);
      es_biquad_cascade_set_gain_db (vec32, -3.0);
      es_biquad_cascade_set_gain_db (sca32, -3.0);
      es_biquad_cascade_reset (vec);
      es_biquad_cascade_reset (sca);
      es_biquad_cascade_reset (vec32);
      es_biquad_cascade_reset (sca32);
      a = g_new (double, total * channels);
      a32 = g_new (float, total * channels);
      for (i = 0; i < total * channels; i++)
        a32[i] = (float) (a[i] = g_rand_double_range (r, -0.5, 0.5));
      b = g_memdup2 (a, total * channels * sizeof (double));
      b32 = g_memdup2 (a32, total * channels * sizeof (float));
      for (k = 0; k < G_N_ELEMENTS (calls); k++) {
        es_biquad_cascade_process_f64 (vec, a + off * channels, calls[k]);
        es_biquad_cascade_process_f64 (sca, b + off * channels, calls[k]);
        es_biquad_cascade_process_f32 (vec32, a32 + off * channels, calls[k]);
        es_biquad_cascade_process_f32 (sca32, b32 + off * channels, calls[k]);
        off += calls[k];
      }
      for (i = 0; i < total * channels; i++) {
        double scale = MAX (1.0, fabs (b[i]));
        /* (check records every passing ck_assert: test, then report) */
        if (!(fabs (a[i] - b[i]) <= 1e-9 * scale))
          ck_abort_msg ("%u channels, %u bands, sample %zu: vector %.17g, scalar %.17g",
              channels, counts[ci], i, a[i], b[i]);
        worst64 = MAX (worst64, fabs (a[i] - b[i]) / scale);
        if (!(fabs (a32[i] - b32[i]) <= 1e-6 * MAX (1.0f, fabsf (b32[i]))))
          ck_abort_msg ("F32 %u channels, %u bands, sample %zu: vector %.9g, scalar %.9g",
              channels, counts[ci], i, a32[i], b32[i]);
        worst32 = MAX (worst32, fabs (a32[i] - b32[i]) / MAX (1.0f, fabsf (b32[i])));
      }
      ck_assert_uint_eq (es_biquad_cascade_nonfinite_count (vec), 0);
      g_free (a);
      g_free (b);
      g_free (a32);
      g_free (b32);
      es_biquad_cascade_free (vec);
      es_biquad_cascade_free (sca);
      es_biquad_cascade_free (vec32);
      es_biquad_cascade_free (sca32);
    }
  }
  g_print ("vector path vs scalar loop: worst difference %.3g (F64), %.3g (F32)\n", worst64, worst32);
  g_rand_free (r);
}
END_TEST

/* ES_BIQUAD_KERNEL=scalar (what the element-eqrender-scalar test run sets)
 * gives cascades without the vector path; set_vector_path (TRUE) does not
 * override it. */
START_TEST (test_env_forces_scalar)
{
  gchar *old = g_strdup (g_getenv ("ES_BIQUAD_KERNEL"));
  EsBiquadCascade *c;

  g_setenv ("ES_BIQUAD_KERNEL", "scalar", TRUE);
  c = es_biquad_cascade_new (2, 44100.0);
  ck_assert (!es_biquad_cascade_has_vector_path (c));
  es_biquad_cascade_set_vector_path (c, TRUE);
  ck_assert (!es_biquad_cascade_has_vector_path (c));
  es_biquad_cascade_free (c);
  if (old)
    g_setenv ("ES_BIQUAD_KERNEL", old, TRUE);
  else
    g_unsetenv ("ES_BIQUAD_KERNEL");
  g_free (old);
}
END_TEST

/* A ramp that ends inside a call hands over to the vector path on the
 * right sample, and a NaN in the middle of a long call is handled by the
 * scalar loop from its block on: both paths give the same output. */
START_TEST (test_ramp_and_nan_handover)
{
  const unsigned channels = 2;
  const size_t n = 9000;
  EsBiquadParams b1[3] = { { ES_BIQUAD_LOW_SHELF, 105.0, 6.0, 0.7 },
    { ES_BIQUAD_PEAKING, 1000.0, -4.0, 1.4 }, { ES_BIQUAD_HIGH_SHELF, 9000.0, 3.0, 0.7 } };
  EsBiquadParams b2[2] = { { ES_BIQUAD_PEAKING, 250.0, 9.0, 2.0 },
    { ES_BIQUAD_HIGH_PASS, 40.0, 0.0, 0.7 } };
  EsBiquadCascade *vec = es_biquad_cascade_new (channels, 48000.0);
  EsBiquadCascade *sca = es_biquad_cascade_new (channels, 48000.0);
  float *a = g_new (float, n * channels), *b;
  size_t i;

  es_biquad_cascade_set_vector_path (sca, FALSE);
  for (i = 0; i < n * channels; i++)
    a[i] = (float) (0.3 * sin (0.013 * i) + 0.1 * cos (0.41 * i));
  a[5000 * channels + 1] = NAN;
  b = g_memdup2 (a, n * channels * sizeof (float));
  ck_assert (es_biquad_cascade_set_bands (vec, b1, 3, NULL));
  ck_assert (es_biquad_cascade_set_bands (sca, b1, 3, NULL));
  es_biquad_cascade_process_f32 (vec, a, 700);      /* ramp (960 frames) still running */
  es_biquad_cascade_process_f32 (sca, b, 700);
  es_biquad_cascade_process_f32 (vec, a + 700 * channels, 2000);  /* ramp ends inside */
  es_biquad_cascade_process_f32 (sca, b + 700 * channels, 2000);
  ck_assert (es_biquad_cascade_set_bands (vec, b2, 2, NULL));  /* one band ramps out */
  ck_assert (es_biquad_cascade_set_bands (sca, b2, 2, NULL));
  es_biquad_cascade_set_gain_db (vec, -6.0);
  es_biquad_cascade_set_gain_db (sca, -6.0);
  es_biquad_cascade_process_f32 (vec, a + 2700 * channels, n - 2700);
  es_biquad_cascade_process_f32 (sca, b + 2700 * channels, n - 2700);
  for (i = 0; i < n * channels; i++)
    if (!isfinite (a[i]) || !(fabsf (a[i] - b[i]) <= 1e-6f))
      ck_abort_msg ("sample %zu: %.9g vs %.9g", i, a[i], b[i]);
  ck_assert_float_eq (a[5000 * channels + 1], 0.0f);
  ck_assert_uint_eq (es_biquad_cascade_nonfinite_count (vec), 1);
  ck_assert_uint_eq (es_biquad_cascade_nonfinite_count (sca), 1);
  ck_assert (!es_biquad_cascade_is_identity (vec));
  g_free (a);
  g_free (b);
  es_biquad_cascade_free (vec);
  es_biquad_cascade_free (sca);
}
END_TEST

/* Finite input so large that the state overflows must not poison later
 * output: the state is cleared and counted. */
START_TEST (test_state_overflow_cleared)
{
  EsBiquadParams band = { ES_BIQUAD_LOW_SHELF, 1000.0, 20.0, 0.7 };
  int vector;

  for (vector = 0; vector < 2; vector++) {
    EsBiquadCascade *c = es_biquad_cascade_new (1, 48000.0);
    double x[2048];
    size_t i;

    es_biquad_cascade_set_vector_path (c, vector);
    ck_assert (es_biquad_cascade_set_bands (c, &band, 1, NULL));
    es_biquad_cascade_reset (c);
    for (i = 0; i < 2048; i++)
      x[i] = 1e308;     /* DC, lifted 20 dB: beyond the largest double */
    es_biquad_cascade_process_f64 (c, x, 2048);
    for (i = 0; i < 2048; i++)
      x[i] = sin (0.05 * i);
    es_biquad_cascade_process_f64 (c, x, 2048);
    for (i = 1024; i < 2048; i++)
      if (!isfinite (x[i]))
        ck_abort_msg ("%s path, sample %zu after the overflow: %g",
            vector ? "vector" : "scalar", i, x[i]);
    ck_assert_uint_ge (es_biquad_cascade_nonfinite_count (c), 1);
    es_biquad_cascade_free (c);
  }
}
END_TEST

/* After a burst, silence decays to exact zeros and never through denormal
 * output (on both paths). */
START_TEST (test_silence_no_denormals)
{
  EsBiquadParams bands[2] = { { ES_BIQUAD_PEAKING, 30.0, 12.0, 8.0 },
    { ES_BIQUAD_LOW_SHELF, 60.0, -6.0, 0.5 } };
  int vector;

  for (vector = 0; vector < 2; vector++) {
    EsBiquadCascade *c = es_biquad_cascade_new (2, 44100.0);
    float x[2 * 1024];
    size_t i, call;
    gboolean zero = FALSE;

    es_biquad_cascade_set_vector_path (c, vector);
    ck_assert (es_biquad_cascade_set_bands (c, bands, 2, NULL));
    es_biquad_cascade_reset (c);
    for (i = 0; i < G_N_ELEMENTS (x); i++)
      x[i] = (float) sin (0.01 * i);
    es_biquad_cascade_process_f32 (c, x, 1024);
    for (call = 0; call < 4000 && !zero; call++) {   /* up to 93 s of silence */
      memset (x, 0, sizeof x);
      es_biquad_cascade_process_f32 (c, x, 1024);
      zero = TRUE;
      for (i = 0; i < G_N_ELEMENTS (x); i++) {
        if (fpclassify (x[i]) == FP_SUBNORMAL)
          ck_abort_msg ("denormal output after %zu calls", call);
        zero = zero && x[i] == 0.0f;
      }
    }
    ck_assert_msg (zero, "%s path: the tail never reached exact zero", vector ? "vector" : "scalar");
    es_biquad_cascade_free (c);
  }
}
END_TEST

static Suite *
biquad_suite (void)
{
  Suite *s = suite_create ("dsp-biquad");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_magnitude_matches_scipy);
  tcase_add_loop_test (tc, test_cascade_matches_sosfilt, 0, 2);
  tcase_add_test (tc, test_step_transient_bounded);
  tcase_add_test (tc, test_nonfinite_input_resets);
  tcase_add_test (tc, test_identity_and_headroom);
  tcase_add_test (tc, test_bad_parameters);
  tcase_add_test (tc, test_vector_path_matches_scalar);
  tcase_add_test (tc, test_env_forces_scalar);
  tcase_add_test (tc, test_ramp_and_nan_handover);
  tcase_add_test (tc, test_state_overflow_cleared);
  tcase_add_test (tc, test_silence_no_denormals);
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
