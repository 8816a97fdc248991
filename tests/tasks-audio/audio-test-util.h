/* Helpers shared by the audio task tests: test signals and measurements made
 * independently of the code under test (a direct DFT, not FFTW). */
#ifndef ES_TEST_AUDIO_UTIL_H
#define ES_TEST_AUDIO_UTIL_H

#include <math.h>
#include <glib.h>

/* A sine of f Hz, amplitude a, n samples at rate. */
static inline float *
test_tone (double f, double a, size_t n, unsigned rate)
{
  float *x = g_new (float, n);
  for (size_t i = 0; i < n; i++)
    x[i] = (float) (a * sin (2.0 * G_PI * f * i / rate));
  return x;
}

/* |DFT|^2 of the Hann-windowed x[0 .. len) at f Hz (a rotating phasor, in double). */
static inline double
test_dft_power (const float *x, size_t len, unsigned rate, double f)
{
  double re = 0.0, im = 0.0, c = 1.0, s = 0.0;
  double dc = cos (2.0 * G_PI * f / rate), ds = -sin (2.0 * G_PI * f / rate);
  double wc = 1.0, ws = 0.0, wdc = cos (2.0 * G_PI / (len - 1)), wds = sin (2.0 * G_PI / (len - 1));
  for (size_t i = 0; i < len; i++) {
    double w = 0.5 - 0.5 * wc, t;
    re += w * x[i] * c;
    im += w * x[i] * s;
    t = c * dc - s * ds;
    s = c * ds + s * dc;
    c = t;
    t = wc * wdc - ws * wds;
    ws = wc * wds + ws * wdc;
    wc = t;
  }
  return re * re + im * im;
}

/* Frequency (Hz) of the strongest component of x[start .. start + len) between
 * lo and hi Hz: a Hann-windowed DFT on a 1 Hz grid, refined by a parabola
 * through the log power around the peak (well below 0.05 % for a pure tone). */
static inline double
test_peak_hz (const float *x, size_t start, size_t len, unsigned rate, double lo, double hi)
{
  double best = -1.0, best_f = lo, p[3], d;
  for (double f = lo; f <= hi; f += 1.0) {
    double v = test_dft_power (x + start, len, rate, f);
    if (v > best) {
      best = v;
      best_f = f;
    }
  }
  for (int k = -1; k <= 1; k++)
    p[k + 1] = log (test_dft_power (x + start, len, rate, best_f + k) + 1e-300);
  d = p[0] - 2 * p[1] + p[2];
  return best_f + (d != 0.0 ? 0.5 * (p[0] - p[2]) / d : 0.0);
}

#endif
