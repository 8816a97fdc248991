/* Waveform transforms, each measured by its effect: the pitch of a shifted
 * tone, the duration and pitch of a stretched one, the SNR and colour of added
 * noise, gain and normalisation levels, Beta draws; determinism for a seed. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "tasks/audio/audio-transform.h"
#include "audio-test-util.h"

START_TEST (test_levels)
{
  float x[4] = { 0.5f, -0.5f, 0.5f, -0.5f };
  float silent[3] = { 0, 0, 0 };

  ck_assert_double_eq_tol (es_audio_rms (x, 4), 0.5, 1e-12);
  ck_assert_double_eq_tol (es_audio_peak (x, 4), 0.5, 1e-12);
  es_audio_gain_db (x, 4, 6.0);
  ck_assert_double_eq_tol (20 * log10 (es_audio_rms (x, 4) / 0.5), 6.0, 1e-5);
  ck_assert (es_audio_normalize (x, 4, ES_AUDIO_NORMALIZE_RMS, -20.0));
  ck_assert_double_eq_tol (20 * log10 (es_audio_rms (x, 4)), -20.0, 1e-5);
  x[0] = 0.9f;
  ck_assert (es_audio_normalize (x, 4, ES_AUDIO_NORMALIZE_PEAK, -1.0));
  ck_assert_double_eq_tol (20 * log10 (es_audio_peak (x, 4)), -1.0, 1e-5);
  /* silence cannot be normalised: left alone */
  ck_assert (!es_audio_normalize (silent, 3, ES_AUDIO_NORMALIZE_RMS, -20.0));
  ck_assert (silent[0] == 0 && silent[2] == 0);
  ck_assert (es_audio_normalize (silent, 3, ES_AUDIO_NORMALIZE_NONE, -20.0));
}
END_TEST

START_TEST (test_names)
{
  EsAudioNormalize m;
  EsAudioNoiseColour c;
  ck_assert (es_audio_normalize_from_name ("RMS", &m) && m == ES_AUDIO_NORMALIZE_RMS);
  ck_assert (es_audio_normalize_from_name ("peak", &m) && m == ES_AUDIO_NORMALIZE_PEAK);
  ck_assert (!es_audio_normalize_from_name ("loud", &m));
  ck_assert (es_audio_noise_colour_from_name ("pink", &c) && c == ES_AUDIO_NOISE_PINK);
  ck_assert (!es_audio_noise_colour_from_name (NULL, &c));
  ck_assert_str_eq (es_audio_noise_colour_name (ES_AUDIO_NOISE_WHITE), "white");
}
END_TEST

START_TEST (test_resample)
{
  const unsigned rate = 8000;
  float *x = test_tone (440.0, 0.5, 8000, rate), *y;
  size_t n;

  /* to 16 kHz: twice the samples, the tone still 440 Hz at the new rate */
  y = es_audio_resample (x, 8000, 2.0, &n, NULL);
  ck_assert_uint_eq (n, 16000);
  ck_assert_double_eq_tol (test_peak_hz (y, 4000, 8000, 16000, 300, 600), 440.0, 0.2);
  ck_assert_double_eq_tol (es_audio_rms (y + 2000, 12000), 0.5 / sqrt (2), 0.005);
  g_free (y);
  /* a ratio outside 1/256 .. 256 is an error, not a crash */
  {
    GError *error = NULL;
    ck_assert (es_audio_resample (x, 8000, 1000.0, &n, &error) == NULL);
    ck_assert (error != NULL);
    g_error_free (error);
  }
  g_free (x);
}
END_TEST

/* Time stretch 0.8 and 1.25 (the seed's range): exact duration, same pitch,
 * same level. */
START_TEST (test_time_stretch)
{
  const unsigned rate = 16000;
  const double factors[] = { 0.8, 1.25, 1.0 / 1.1 };
  float *x = test_tone (330.0, 0.4, 16000, rate);

  for (unsigned i = 0; i < G_N_ELEMENTS (factors); i++) {
    size_t n_out = (size_t) llround (16000 * factors[i]);
    float *y = es_audio_time_stretch (x, 16000, n_out, rate, NULL);
    double f = test_peak_hz (y, 2000, 8192, rate, 200, 500);
    ck_assert_msg (fabs (f / 330.0 - 1.0) < 0.002, "stretch %g: tone at %g Hz", factors[i], f);
    ck_assert_double_eq_tol (es_audio_rms (y + 1000, n_out - 2000), 0.4 / sqrt (2), 0.02);
    g_free (y);
  }
  g_free (x);
}
END_TEST

/* Pitch shift by +-2 and +1 semitones: the tone's frequency is multiplied by
 * 2^(st/12), the duration does not change. */
START_TEST (test_pitch_shift)
{
  const unsigned rate = 16000;
  const double shifts[] = { 2.0, -2.0, 1.0, 0.5 };
  float *x = test_tone (440.0, 0.4, 16000, rate);

  for (unsigned i = 0; i < G_N_ELEMENTS (shifts); i++) {
    float *y = es_audio_pitch_shift (x, 16000, shifts[i], 16000, rate, NULL);
    double want = 440.0 * pow (2.0, shifts[i] / 12.0);
    double f = test_peak_hz (y, 3000, 8192, rate, 300, 700);
    ck_assert_msg (fabs (f / want - 1.0) < 0.002, "%+g st: %g Hz, want %g", shifts[i], f, want);
    ck_assert_double_eq_tol (es_audio_rms (y + 1000, 14000), 0.4 / sqrt (2), 0.02);
    g_free (y);
  }
  /* and with a stretch in the same pass: duration and pitch both as asked */
  {
    float *y = es_audio_pitch_shift (x, 16000, -2.0, 20000, rate, NULL);
    double f = test_peak_hz (y, 4000, 8192, rate, 300, 700);
    ck_assert (fabs (f / (440.0 * pow (2.0, -2.0 / 12)) - 1.0) < 0.002);
    g_free (y);
  }
  g_free (x);
}
END_TEST

/* Short inputs (under two 32 ms frames) are resampled: duration right. */
START_TEST (test_stretch_short)
{
  float x[300];
  float *y;
  for (int i = 0; i < 300; i++)
    x[i] = (float) sin (i * 0.3);
  y = es_audio_time_stretch (x, 300, 375, 16000, NULL);
  ck_assert (y != NULL);
  ck_assert (es_audio_rms (y, 375) > 0.5);
  g_free (y);
  y = es_audio_time_stretch (x, 0, 10, 16000, NULL);
  ck_assert (y != NULL && y[9] == 0.0f);
  g_free (y);
}
END_TEST

START_TEST (test_noise_snr)
{
  const double snrs[] = { 0.0, 10.0, 23.5, 40.0 };
  const EsAudioNoiseColour colours[] = { ES_AUDIO_NOISE_WHITE, ES_AUDIO_NOISE_PINK };
  float *x = test_tone (500.0, 0.3, 16000, 16000);

  for (unsigned c = 0; c < 2; c++)
    for (unsigned i = 0; i < G_N_ELEMENTS (snrs); i++) {
      float *y = g_memdup2 (x, 16000 * sizeof (float));
      double s = 0, e = 0;
      EsRng rng;
      es_rng_init (&rng, 7 + i);
      ck_assert (es_audio_add_noise (y, 16000, snrs[i], colours[c], &rng));
      for (int k = 0; k < 16000; k++) {
        s += (double) x[k] * x[k];
        e += ((double) y[k] - x[k]) * ((double) y[k] - x[k]);
      }
      ck_assert_double_eq_tol (10 * log10 (s / e), snrs[i], 0.01);
      g_free (y);
    }
  {
    float silent[100] = { 0 };
    EsRng rng;
    es_rng_init (&rng, 1);
    ck_assert (!es_audio_add_noise (silent, 100, 10.0, ES_AUDIO_NOISE_WHITE, &rng));
    ck_assert (silent[50] == 0.0f);
  }
  g_free (x);
}
END_TEST

/* Mean power in octave bands: white is flat, pink falls 3 dB per octave. */
static double
band_power_db (const float *x, size_t n, unsigned rate, double lo, double hi)
{
  /* averaged periodograms of 1024-sample segments (direct DFT at bins in band) */
  const size_t seg = 1024;
  double sum = 0.0;
  size_t count = 0;
  for (size_t start = 0; start + seg <= n; start += seg)
    for (size_t k = (size_t) ceil (lo * seg / rate); k <= (size_t) (hi * seg / rate); k++) {
      double re = 0, im = 0;
      for (size_t i = 0; i < seg; i++) {
        double w = 0.5 - 0.5 * cos (2 * G_PI * i / seg);
        re += w * x[start + i] * cos (2 * G_PI * k * i / seg);
        im -= w * x[start + i] * sin (2 * G_PI * k * i / seg);
      }
      sum += re * re + im * im;
      count++;
    }
  return 10 * log10 (sum / count);
}

START_TEST (test_noise_colour)
{
  const size_t n = 32768;
  float *white = g_new (float, n), *pink = g_new (float, n);
  double w1, w2, p1, p2;
  EsRng rng;

  es_rng_init (&rng, 3);
  es_audio_noise (white, n, ES_AUDIO_NOISE_WHITE, &rng);
  es_audio_noise (pink, n, ES_AUDIO_NOISE_PINK, &rng);
  ck_assert_double_eq_tol (es_audio_rms (white, n), 1.0, 1e-5);
  ck_assert_double_eq_tol (es_audio_rms (pink, n), 1.0, 1e-5);
  /* 250-500 Hz against 2-4 kHz: three octaves apart */
  w1 = band_power_db (white, n, 16000, 250, 500);
  w2 = band_power_db (white, n, 16000, 2000, 4000);
  p1 = band_power_db (pink, n, 16000, 250, 500);
  p2 = band_power_db (pink, n, 16000, 2000, 4000);
  ck_assert_msg (fabs (w1 - w2) < 1.0, "white: %g vs %g dB", w1, w2);
  ck_assert_msg (fabs ((p1 - p2) - 9.0) < 1.0, "pink: %g dB over 3 octaves", p1 - p2);
  g_free (white);
  g_free (pink);
}
END_TEST

START_TEST (test_beta_and_determinism)
{
  EsRng a, b;
  double sum = 0, sum2 = 0;
  const int n = 20000;
  float x[64], y[64];

  es_rng_init (&a, 11);
  for (int i = 0; i < n; i++) {
    double v = es_audio_rng_beta (&a, 0.4, 0.4);
    ck_assert (v >= 0.0 && v <= 1.0);
    sum += v;
    sum2 += v * v;
  }
  /* Beta(a, a): mean 1/2, variance 1 / (4 (2a + 1)) */
  ck_assert_double_eq_tol (sum / n, 0.5, 0.01);
  ck_assert_double_eq_tol (sum2 / n - 0.25, 1.0 / (4 * 1.8), 0.01);
  es_rng_init (&a, 5);
  es_rng_init (&b, 5);
  es_audio_noise (x, 64, ES_AUDIO_NOISE_PINK, &a);
  es_audio_noise (y, 64, ES_AUDIO_NOISE_PINK, &b);
  ck_assert (memcmp (x, y, sizeof x) == 0);
}
END_TEST

static Suite *
transform_suite (void)
{
  Suite *s = suite_create ("audio-transform");
  TCase *tc = tcase_create ("core");
  tcase_set_timeout (tc, 300);
  tcase_add_test (tc, test_levels);
  tcase_add_test (tc, test_names);
  tcase_add_test (tc, test_resample);
  tcase_add_test (tc, test_time_stretch);
  tcase_add_test (tc, test_pitch_shift);
  tcase_add_test (tc, test_stretch_short);
  tcase_add_test (tc, test_noise_snr);
  tcase_add_test (tc, test_noise_colour);
  tcase_add_test (tc, test_beta_and_determinism);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *runner = srunner_create (transform_suite ());
  int failed;
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
