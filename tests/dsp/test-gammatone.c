/* Gammatone filterbank: scales, mel centres, energies against NumPy, tones,
 * band validation, NaN input, log compression. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "dsp/gammatone.h"
#include "dsp/fft.h"
#include "dsp/window.h"
#include "dsp-fixture.h"

START_TEST (test_scales_match_numpy)
{
  DspFixture fx;
  dsp_fixture_open (&fx, "dsp/scales.txt");
  while (!dsp_fixture_at_end (&fx)) {
    double f = dsp_fixture_next (&fx), erb = dsp_fixture_next (&fx);
    double mel = dsp_fixture_next (&fx);
    ck_assert_double_eq_tol (es_erb_hz (f), erb, 1e-9 * erb);
    ck_assert_double_eq_tol (es_hz_to_mel (f), mel, 1e-9 * MAX (mel, 1.0));
    ck_assert_double_eq_tol (es_mel_to_hz (mel), f, 1e-9 * MAX (f, 1.0));
  }
  dsp_fixture_close (&fx);
  /* Glasberg & Moore: ERB(1 kHz) = 132.639 Hz. */
  ck_assert_double_eq_tol (es_erb_hz (1000.0), 132.639, 1e-9);
}
END_TEST

START_TEST (test_mel_centres_match_numpy)
{
  DspFixture fx;
  dsp_fixture_open (&fx, "dsp/mel_centres.txt");
  while (!dsp_fixture_at_end (&fx)) {
    unsigned n_bands = (unsigned) dsp_fixture_next (&fx);
    double fmin = dsp_fixture_next (&fx), fmax = dsp_fixture_next (&fx);
    const double *expected = dsp_fixture_take (&fx, n_bands);
    EsGammatoneBand *bands = es_gammatone_bands_mel (n_bands, fmin, fmax, 1.5);
    for (unsigned b = 0; b < n_bands; b++) {
      ck_assert_double_eq_tol (bands[b].centre_hz, expected[b], 1e-9 * expected[b]);
      ck_assert_double_eq (bands[b].bandwidth, 1.5);
      ck_assert_double_eq (bands[b].gain, 1.0);
      ck_assert (bands[b].centre_hz > fmin && bands[b].centre_hz < fmax);
    }
    g_free (bands);
  }
  dsp_fixture_close (&fx);
  ck_assert_ptr_null (es_gammatone_bands_mel (0, 50.0, 8000.0, 1.0));
}
END_TEST

static void
check_energies_fixture (const char *name)
{
  DspFixture fx;
  unsigned rate, n_bands;
  size_t frame_size, n_frames;
  EsGammatoneBand *bands;
  EsGammatoneFb *fb;
  GError *error = NULL;
  float *frames, *energies;
  const double *expected;
  double err;

  dsp_fixture_open (&fx, name);
  rate = (unsigned) dsp_fixture_next (&fx);
  frame_size = (size_t) dsp_fixture_next (&fx);
  n_bands = (unsigned) dsp_fixture_next (&fx);
  n_frames = (size_t) dsp_fixture_next (&fx);
  bands = g_new (EsGammatoneBand, n_bands);
  for (unsigned b = 0; b < n_bands; b++) {
    bands[b].centre_hz = dsp_fixture_next (&fx);
    bands[b].bandwidth = dsp_fixture_next (&fx);
    bands[b].gain = dsp_fixture_next (&fx);
  }
  frames = dsp_fixture_take_floats (&fx, n_frames * frame_size);
  expected = dsp_fixture_take (&fx, n_frames * n_bands);
  ck_assert (dsp_fixture_at_end (&fx));

  fb = es_gammatone_fb_new (bands, n_bands, frame_size, rate, &error);
  ck_assert_msg (fb != NULL, "%s", error ? error->message : "?");
  ck_assert_uint_eq (es_gammatone_fb_get_n_bands (fb), n_bands);
  ck_assert_uint_eq (es_gammatone_fb_get_n_fft (fb), es_next_pow2 (frame_size));
  ck_assert_uint_eq (es_gammatone_fb_get_n_bins (fb), es_next_pow2 (frame_size) / 2 + 1);
  ck_assert_int_eq (memcmp (es_gammatone_fb_get_bands (fb), bands,
          n_bands * sizeof (EsGammatoneBand)), 0);

  energies = g_new (float, n_frames * n_bands);
  for (size_t i = 0; i < n_frames; i++)
    es_gammatone_fb_energies (fb, frames + i * frame_size, energies + i * n_bands);
  /* Pure relative error, except for energies below 1e-12 of the frame's largest
   * (float32 FFT rounding alone is about that size there). */
  for (size_t i = 0; i < n_frames; i++) {
    double top = 0.0;
    for (unsigned b = 0; b < n_bands; b++)
      top = MAX (top, expected[i * n_bands + b]);
    err = es_max_rel_error (energies + i * n_bands, expected + i * n_bands, n_bands,
        1e-12 * top);
    ck_assert_msg (err <= 1e-4, "%s frame %zu: relative error %g", name, i, err);
  }

  g_free (energies);
  g_free (frames);
  g_free (bands);
  es_gammatone_fb_free (fb);
  dsp_fixture_close (&fx);
}

START_TEST (test_energies_16k_mel)
{
  check_energies_fixture ("dsp/gammatone_16k_64.txt");
}
END_TEST

START_TEST (test_energies_22k_custom_bands)
{
  check_energies_fixture ("dsp/gammatone_22k_custom.txt");
}
END_TEST

START_TEST (test_energies_8k_wide)
{
  check_energies_fixture ("dsp/gammatone_8k_24.txt");
}
END_TEST

START_TEST (test_weights_follow_formula)
{
  EsGammatoneBand *bands = es_gammatone_bands_mel (32, 50.0, 8000.0, 1.019);
  EsGammatoneFb *fb;
  const float *w;
  size_t n_bins;

  bands[5].gain = 2.5;
  bands[9].gain = 0.0;
  fb = es_gammatone_fb_new (bands, 32, 400, 16000, NULL);
  ck_assert_ptr_nonnull (fb);
  w = es_gammatone_fb_get_weights (fb);
  n_bins = es_gammatone_fb_get_n_bins (fb);
  for (unsigned b = 0; b < 32; b++) {
    for (size_t k = 0; k < n_bins; k++) {
      double exact = es_gammatone_weight (&bands[b], k * 16000.0 / 512.0);
      float got = w[b * n_bins + k];
      if (exact == 0.0 || exact < ES_GAMMATONE_WEIGHT_CUTOFF * bands[b].gain)
        ck_assert_float_eq (got, 0.0f);
      else
        ck_assert_float_eq_tol (got, exact, 1e-7 * exact);
    }
  }
  /* The weight is the gain at the centre and gain / 16 one beta * ERB away. */
  ck_assert_double_eq (es_gammatone_weight (&bands[5], bands[5].centre_hz), 2.5);
  ck_assert_double_eq_tol (es_gammatone_weight (&bands[5],
          bands[5].centre_hz + 1.019 * es_erb_hz (bands[5].centre_hz)), 2.5 / 16.0, 1e-12);
  es_gammatone_fb_free (fb);
  g_free (bands);
}
END_TEST

START_TEST (test_apply_is_matrix_product)
{
  /* es_gammatone_fb_apply over each band's bin range equals the dense product. */
  GRand *rand = g_rand_new_with_seed (9);
  EsGammatoneBand *bands = es_gammatone_bands_mel (64, 50.0, 8000.0, 1.019);
  EsGammatoneFb *fb = es_gammatone_fb_new (bands, 64, 400, 16000, NULL);
  const float *w = es_gammatone_fb_get_weights (fb);
  float power[257], energies[64];
  double dense[64];

  for (size_t k = 0; k < 257; k++)
    power[k] = (float) g_rand_double_range (rand, 0.0, 100.0);
  es_gammatone_fb_apply (fb, power, energies);
  for (unsigned b = 0; b < 64; b++) {
    dense[b] = 0.0;
    for (size_t k = 0; k < 257; k++)
      dense[b] += (double) w[b * 257 + k] * power[k];
  }
  ck_assert_double_le (es_max_rel_error (energies, dense, 64, 0.0), 1e-5);
  es_gammatone_fb_free (fb);
  g_free (bands);
  g_rand_free (rand);
}
END_TEST

START_TEST (test_energies_frames_any_grouping)
{
  /* The block kernel must give the bits of the one-frame path, whatever the
   * number of frames per call (the element gets ~13 per buffer, the library 32
   * per chunk), and es_gammatone_fb_apply on the power spectrum must agree. */
  GRand *rand = g_rand_new_with_seed (21);
  const size_t n_frames = 11, frame_size = 400;
  EsGammatoneBand *bands = es_gammatone_bands_mel (37, 50.0, 8000.0, 1.019);
  EsGammatoneFb *fb = es_gammatone_fb_new (bands, 37, frame_size, 16000, NULL);
  EsFftPower *fft = es_fft_power_new (512);
  float *frames = g_new (float, n_frames * frame_size);
  float *single = g_new (float, n_frames * 37), *grouped = g_new (float, n_frames * 37);
  float power[257];

  for (size_t i = 0; i < n_frames * frame_size; i++)
    frames[i] = (float) g_rand_double_range (rand, -1.0, 1.0);
  for (size_t t = 0; t < n_frames; t++)
    es_gammatone_fb_energies (fb, frames + t * frame_size, single + t * 37);
  for (size_t group = 1; group <= n_frames; group++) {
    memset (grouped, 0, n_frames * 37 * sizeof (float));
    for (size_t t = 0; t < n_frames; t += group)
      es_gammatone_fb_energies_frames (fb, frames + t * frame_size, MIN (group, n_frames - t),
          grouped + t * 37);
    ck_assert_msg (memcmp (single, grouped, n_frames * 37 * sizeof (float)) == 0,
        "groups of %zu frames differ from single frames", group);
  }
  for (size_t t = 0; t < n_frames; t++) {
    float e[37];
    es_fft_power_process (fft, frames + t * frame_size, frame_size, power);
    es_gammatone_fb_apply (fb, power, e);
    ck_assert_int_eq (memcmp (e, single + t * 37, sizeof (e)), 0);
  }
  es_gammatone_fb_energies_frames (fb, frames, 0, grouped);   /* nothing to do */

  g_free (frames);
  g_free (single);
  g_free (grouped);
  es_fft_power_free (fft);
  es_gammatone_fb_free (fb);
  g_free (bands);
  g_rand_free (rand);
}
END_TEST

/* Index of the band whose centre is nearest f. */
static unsigned
nearest_band (const EsGammatoneBand *bands, unsigned n, double f)
{
  unsigned best = 0;
  for (unsigned b = 1; b < n; b++)
    if (fabs (bands[b].centre_hz - f) < fabs (bands[best].centre_hz - f))
      best = b;
  return best;
}

static void
check_tone_sweep (unsigned n_bands, size_t frame_size, unsigned rate, double fmin)
{
  EsGammatoneBand *bands = es_gammatone_bands_mel (n_bands, fmin, rate / 2.0, 1.019);
  EsGammatoneFb *fb = es_gammatone_fb_new (bands, n_bands, frame_size, rate, NULL);
  float *window = g_new (float, frame_size), *frame = g_new (float, frame_size);
  float *energies = g_new (float, n_bands);
  unsigned checked = 0;

  es_window_fill (ES_WINDOW_HAMMING, window, frame_size);
  /* Tones at every band centre and a third of the way to the next one. */
  for (unsigned b = 0; b + 1 < n_bands; b++) {
    for (unsigned step = 0; step < 2; step++) {
      double f = bands[b].centre_hz + step * (bands[b + 1].centre_hz - bands[b].centre_hz) / 3.0;
      unsigned expected = nearest_band (bands, n_bands, f), loudest = 0;
      /* Where the Hamming main lobe (2 bins each side) is wider than the
       * filter, the frame cannot resolve the band and leakage decides which
       * one wins: the sweep starts above that. */
      if (1.019 * es_erb_hz (f) < 2.0 * rate / (double) frame_size)
        continue;
      for (size_t i = 0; i < frame_size; i++)
        frame[i] = window[i] * (float) sin (2.0 * G_PI * f * i / rate + 0.3);
      es_gammatone_fb_energies (fb, frame, energies);
      for (unsigned k = 1; k < n_bands; k++)
        if (energies[k] > energies[loudest])
          loudest = k;
      ck_assert_msg (loudest == expected,
          "%u bands @ %u Hz: tone %.1f Hz loudest in band %u (%.1f Hz), nearest is %u (%.1f Hz)",
          n_bands, rate, f, loudest, bands[loudest].centre_hz, expected,
          bands[expected].centre_hz);
      checked++;
    }
  }
  ck_assert_uint_gt (checked, n_bands);
  g_free (window);
  g_free (frame);
  g_free (energies);
  es_gammatone_fb_free (fb);
  g_free (bands);
}

START_TEST (test_tone_in_nearest_band)
{
  check_tone_sweep (64, 400, 16000, 50.0);
  check_tone_sweep (40, 400, 16000, 50.0);
  check_tone_sweep (64, 1024, 44100, 100.0);
}
END_TEST

START_TEST (test_invalid_bands)
{
  const EsGammatoneBand good = { 1000.0, 1.019, 1.0 };
  const EsGammatoneBand bad[] = {
    { 0.0, 1.0, 1.0 }, { -5.0, 1.0, 1.0 }, { 8000.0, 1.0, 1.0 }, { 9000.0, 1.0, 1.0 },
    { NAN, 1.0, 1.0 }, { INFINITY, 1.0, 1.0 },
    { 1000.0, 0.0, 1.0 }, { 1000.0, -1.0, 1.0 }, { 1000.0, NAN, 1.0 },
    { 1000.0, INFINITY, 1.0 },
    { 1000.0, 1.0, -0.5 }, { 1000.0, 1.0, NAN }, { 1000.0, 1.0, INFINITY },
  };

  for (unsigned i = 0; i < G_N_ELEMENTS (bad); i++) {
    EsGammatoneBand bands[3] = { good, good, good };
    GError *error = NULL;
    bands[1] = bad[i];
    ck_assert_ptr_null (es_gammatone_fb_new (bands, 3, 400, 16000, &error));
    ck_assert_msg (g_error_matches (error, ES_DSP_ERROR, ES_DSP_ERROR_INVALID_BAND),
        "case %u: wrong or missing error", i);
    ck_assert_msg (strstr (error->message, "band 1") != NULL, "%s", error->message);
    g_error_free (error);
    /* NULL error is allowed too. */
    ck_assert_ptr_null (es_gammatone_fb_new (bands, 3, 400, 16000, NULL));
  }
  {
    GError *error = NULL;
    ck_assert_ptr_null (es_gammatone_fb_new (&good, 0, 400, 16000, &error));
    ck_assert (g_error_matches (error, ES_DSP_ERROR, ES_DSP_ERROR_INVALID_CONFIG));
    g_clear_error (&error);
    ck_assert_ptr_null (es_gammatone_fb_new (NULL, 4, 400, 16000, &error));
    ck_assert (g_error_matches (error, ES_DSP_ERROR, ES_DSP_ERROR_INVALID_CONFIG));
    g_clear_error (&error);
    ck_assert_ptr_null (es_gammatone_fb_new (&good, 1, 400, 0, &error));
    ck_assert (g_error_matches (error, ES_DSP_ERROR, ES_DSP_ERROR_INVALID_CONFIG));
    g_clear_error (&error);
    ck_assert_ptr_null (es_gammatone_fb_new (&good, 1, 0, 16000, &error));
    ck_assert (g_error_matches (error, ES_DSP_ERROR, ES_DSP_ERROR_INVALID_CONFIG));
    g_clear_error (&error);
    /* The centre must lie below this rate's Nyquist frequency. */
    ck_assert_ptr_null (es_gammatone_fb_new (&good, 1, 400, 2000, &error));
    ck_assert (g_error_matches (error, ES_DSP_ERROR, ES_DSP_ERROR_INVALID_BAND));
    g_clear_error (&error);
  }
}
END_TEST

START_TEST (test_nan_frame_does_not_crash)
{
  EsGammatoneBand *bands = es_gammatone_bands_mel (16, 50.0, 8000.0, 1.019);
  EsGammatoneFb *fb = es_gammatone_fb_new (bands, 16, 400, 16000, NULL);
  float frame[400] = { 0 }, energies[16];

  frame[100] = NAN;
  es_gammatone_fb_energies (fb, frame, energies);
  for (unsigned b = 0; b < 16; b++)
    ck_assert (isnan (energies[b]));
  es_log_compress (energies, 16, 1e-10f);
  ck_assert (isnan (energies[0]));
  /* No state: the next clean frame is clean. */
  frame[100] = INFINITY;
  es_gammatone_fb_energies (fb, frame, energies);
  frame[100] = 0.5f;
  es_gammatone_fb_energies (fb, frame, energies);
  for (unsigned b = 0; b < 16; b++)
    ck_assert (isfinite (energies[b]) && energies[b] > 0.0f);
  es_gammatone_fb_free (fb);
  es_gammatone_fb_free (NULL);
  g_free (bands);
}
END_TEST

START_TEST (test_tiny_frame)
{
  /* A one-sample frame still works (two-point FFT). */
  EsGammatoneBand band = { 1000.0, 1.0, 1.0 };
  EsGammatoneFb *fb = es_gammatone_fb_new (&band, 1, 1, 16000, NULL);
  float frame[1] = { 1.0f }, energy;
  ck_assert_ptr_nonnull (fb);
  ck_assert_uint_eq (es_gammatone_fb_get_n_fft (fb), 2);
  es_gammatone_fb_energies (fb, frame, &energy);
  ck_assert (isfinite (energy) && energy > 0.0f);
  es_gammatone_fb_free (fb);
}
END_TEST

START_TEST (test_log_compress)
{
  float x[6] = { 1.0f, 0.0f, -3.0f, NAN, 1e-12f, INFINITY };
  es_log_compress (x, 6, 1e-10f);
  ck_assert_float_eq (x[0], 0.0f);
  ck_assert_float_eq_tol (x[1], logf (1e-10f), 1e-6f);
  ck_assert_float_eq_tol (x[2], logf (1e-10f), 1e-6f);
  ck_assert (isnan (x[3]));
  ck_assert_float_eq_tol (x[4], logf (1e-10f), 1e-6f);
  ck_assert (isinf (x[5]) && x[5] > 0);
}
END_TEST

START_TEST (test_log_compress_accuracy)
{
  /* The vectorised log against the double-precision log, rounded: within one
   * float ulp from subnormals to the largest float, and the same value whether
   * computed alone, in a vector or in a tail. */
  const size_t n = 4099;
  float *x = g_new (float, n), *batch = g_new (float, n);
  double worst = 0.0;

  for (uint32_t bits = 1, i = 0; i < n; i++, bits += 0x7f7fffffu / n) {
    memcpy (&x[i], &bits, sizeof (float));
  }
  memcpy (batch, x, n * sizeof (float));
  es_log_compress (batch, n, 1e-45f);
  for (size_t i = 0; i < n; i++) {
    float alone = x[i], want = (float) log ((double) x[i]);
    double ulp = nextafterf (fabsf (want), INFINITY) - fabsf (want);

    es_log_compress (&alone, 1, 1e-45f);
    ck_assert_msg (memcmp (&alone, &batch[i], sizeof (float)) == 0, "x = %g: %.9g alone, "
        "%.9g in a batch", x[i], alone, batch[i]);
    if (x[i] > 1e-45f)
      worst = MAX (worst, fabs ((double) batch[i] - log ((double) x[i])) / ulp);
  }
  ck_assert_msg (worst <= 1.0, "log error %.2f ulp", worst);
  g_free (x);
  g_free (batch);
}
END_TEST

static Suite *
gammatone_suite (void)
{
  Suite *s = suite_create ("dsp-gammatone");
  TCase *tc = tcase_create ("core");
  tcase_add_test (tc, test_scales_match_numpy);
  tcase_add_test (tc, test_mel_centres_match_numpy);
  tcase_add_test (tc, test_energies_16k_mel);
  tcase_add_test (tc, test_energies_22k_custom_bands);
  tcase_add_test (tc, test_energies_8k_wide);
  tcase_add_test (tc, test_weights_follow_formula);
  tcase_add_test (tc, test_apply_is_matrix_product);
  tcase_add_test (tc, test_tone_in_nearest_band);
  tcase_add_test (tc, test_invalid_bands);
  tcase_add_test (tc, test_nan_frame_does_not_crash);
  tcase_add_test (tc, test_tiny_frame);
  tcase_add_test (tc, test_log_compress);
  tcase_add_test (tc, test_log_compress_accuracy);
  tcase_add_test (tc, test_energies_frames_any_grouping);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *runner = srunner_create (gammatone_suite ());
  int failed;
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
