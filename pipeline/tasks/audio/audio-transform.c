/* Waveform transforms for audio training data (see audio-transform.h). */
#include "tasks/audio/audio-transform.h"

#include <math.h>
#include <string.h>
#include <soxr.h>

#include "train/train-error.h"

static const char *const normalize_names[] = { "none", "rms", "peak" };
static const char *const colour_names[] = { "white", "pink" };

const char *
es_audio_normalize_name (EsAudioNormalize mode)
{
  return (unsigned) mode < G_N_ELEMENTS (normalize_names) ? normalize_names[mode] : NULL;
}

gboolean
es_audio_normalize_from_name (const char *name, EsAudioNormalize *mode)
{
  for (unsigned i = 0; i < G_N_ELEMENTS (normalize_names); i++)
    if (name && g_ascii_strcasecmp (name, normalize_names[i]) == 0) {
      *mode = (EsAudioNormalize) i;
      return TRUE;
    }
  return FALSE;
}

const char *
es_audio_noise_colour_name (EsAudioNoiseColour colour)
{
  return (unsigned) colour < G_N_ELEMENTS (colour_names) ? colour_names[colour] : NULL;
}

gboolean
es_audio_noise_colour_from_name (const char *name, EsAudioNoiseColour *colour)
{
  for (unsigned i = 0; i < G_N_ELEMENTS (colour_names); i++)
    if (name && g_ascii_strcasecmp (name, colour_names[i]) == 0) {
      *colour = (EsAudioNoiseColour) i;
      return TRUE;
    }
  return FALSE;
}

/* ---- level ------------------------------------------------------------------ */

static double
sum_squares (const float *x, size_t n)
{
  double s = 0.0;
  for (size_t i = 0; i < n; i++)
    s += (double) x[i] * x[i];
  return s;
}

double
es_audio_rms (const float *x, size_t n)
{
  return n ? sqrt (sum_squares (x, n) / n) : 0.0;
}

double
es_audio_peak (const float *x, size_t n)
{
  double p = 0.0;
  for (size_t i = 0; i < n; i++)
    p = MAX (p, fabs ((double) x[i]));
  return p;
}

static void
scale (float *x, size_t n, double g)
{
  for (size_t i = 0; i < n; i++)
    x[i] = (float) (x[i] * g);
}

void
es_audio_gain_db (float *x, size_t n, double gain_db)
{
  scale (x, n, pow (10.0, gain_db / 20.0));
}

gboolean
es_audio_normalize (float *x, size_t n, EsAudioNormalize mode, double target_db)
{
  double level;

  if (mode == ES_AUDIO_NORMALIZE_NONE)
    return TRUE;
  level = mode == ES_AUDIO_NORMALIZE_RMS ? es_audio_rms (x, n) : es_audio_peak (x, n);
  if (!(level > 0.0) || !isfinite (level))
    return FALSE;
  scale (x, n, pow (10.0, target_db / 20.0) / level);
  return TRUE;
}

/* ---- resampling (libsoxr) -------------------------------------------------- */

float *
es_audio_resample (const float *x, size_t n, double ratio, size_t *n_out, GError **error)
{
  size_t want, done = 0;
  soxr_io_spec_t io;
  soxr_quality_spec_t quality;
  soxr_runtime_spec_t runtime;
  soxr_error_t err;
  float *out;

  *n_out = 0;
  if (!(ratio >= 1.0 / 256 && ratio <= 256.0)) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
        "resampling ratio %g is outside 1/256 .. 256", ratio);
    return NULL;
  }
  want = (size_t) llround (n * ratio);
  *n_out = want;
  out = g_new0 (float, want + 1);
  if (n == 0 || want == 0)
    return out;
  io = soxr_io_spec (SOXR_FLOAT32_I, SOXR_FLOAT32_I);
  quality = soxr_quality_spec (SOXR_HQ, 0);
  /* one thread: training decides how cores are used, not the resampler */
  runtime = soxr_runtime_spec (1);
  err = soxr_oneshot (1.0, ratio, 1, x, n, NULL, out, want, &done, &io, &quality, &runtime);
  if (err) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA, "resampling: %s", err);
    g_free (out);
    *n_out = 0;
    return NULL;
  }
  /* soxr_oneshot flushes the resampler, so the output is complete and
   * time-aligned with the input; a shortfall of the last sample stays zero */
  return out;
}

/* ---- WSOLA time stretch --------------------------------------------------- */

/* x[i], or 0 outside [0, n) */
static inline float
at (const float *x, size_t n, ptrdiff_t i)
{
  return i >= 0 && (size_t) i < n ? x[i] : 0.0f;
}

/* sum over i in [0, len) of x[a + i] * x[b + i], x taken as 0 outside [0, n) */
static double
correlate (const float *x, size_t n, ptrdiff_t a, ptrdiff_t b, size_t len)
{
  double s = 0.0;
  if (a >= 0 && b >= 0 && (size_t) a + len <= n && (size_t) b + len <= n) {
    const float *pa = x + a, *pb = x + b;
    float acc[8] = { 0 };
    size_t i = 0;
    /* eight running sums: the compiler turns them into one SIMD register */
    for (; i + 8 <= len; i += 8)
      for (int k = 0; k < 8; k++)
        acc[k] += pa[i + k] * pb[i + k];
    for (; i < len; i++)
      s += (double) pa[i] * pb[i];
    for (int k = 0; k < 8; k++)
      s += acc[k];
    return s;
  }
  for (size_t i = 0; i < len; i++)
    s += (double) at (x, n, a + (ptrdiff_t) i) * at (x, n, b + (ptrdiff_t) i);
  return s;
}

float *
es_audio_time_stretch (const float *x, size_t n, size_t n_out, unsigned sample_rate,
    GError **error)
{
  size_t len, hop, tolerance;
  float *window, *out;
  double *weight;
  ptrdiff_t prev = 0;

  len = 2 * MAX ((size_t) 8, (size_t) llround (0.016 * sample_rate));   /* 32 ms, even */
  hop = len / 2;
  tolerance = len / 4;
  if (n == 0 || n_out == 0)
    return g_new0 (float, MAX (n_out, 1));
  if (n < 2 * len) {
    size_t got;
    return es_audio_resample (x, n, (double) n_out / n, &got, error);
  }

  window = g_new (float, len);
  /* raised cosine shifted half a sample: never zero, and copies spaced len/2
   * apart still sum to exactly 1 */
  for (size_t i = 0; i < len; i++)
    window[i] = (float) (0.5 - 0.5 * cos (2.0 * G_PI * (i + 0.5) / len));
  out = g_new0 (float, n_out + len);
  weight = g_new0 (double, n_out + len);

  for (size_t k = 0; k * hop < n_out; k++) {
    ptrdiff_t nominal = (ptrdiff_t) llround ((double) k * hop * n / n_out);
    ptrdiff_t pos = nominal;

    if (k > 0) {
      /* the input that would naturally follow the previous frame */
      ptrdiff_t natural = prev + (ptrdiff_t) hop;
      ptrdiff_t lo = nominal - (ptrdiff_t) tolerance, hi = nominal + (ptrdiff_t) tolerance;
      ptrdiff_t best = nominal, coarse;
      double best_c = -INFINITY;

      lo = MAX (lo, 0);
      hi = MIN (hi, (ptrdiff_t) n - 1);
      if (hi < lo)
        lo = hi = MIN (MAX (nominal, 0), (ptrdiff_t) n - 1);
      for (ptrdiff_t p = lo; p <= hi; p += 4) {
        double c = correlate (x, n, p, natural, hop);
        if (c > best_c) {
          best_c = c;
          best = p;
        }
      }
      coarse = best;
      best_c = -INFINITY;
      for (ptrdiff_t p = MAX (lo, coarse - 3); p <= MIN (hi, coarse + 3); p++) {
        double c = correlate (x, n, p, natural, hop);
        if (c > best_c) {
          best_c = c;
          best = p;
        }
      }
      pos = best;
    }
    for (size_t i = 0; i < len; i++) {
      out[k * hop + i] += window[i] * at (x, n, pos + (ptrdiff_t) i);
      weight[k * hop + i] += window[i];
    }
    prev = pos;
  }
  for (size_t i = 0; i < n_out; i++)
    out[i] = weight[i] > 0.0 ? (float) (out[i] / weight[i]) : 0.0f;
  g_free (window);
  g_free (weight);
  return out;
}

float *
es_audio_pitch_shift (const float *x, size_t n, double semitones, size_t n_out,
    unsigned sample_rate, GError **error)
{
  size_t n_resampled;
  float *resampled, *out;

  resampled = es_audio_resample (x, n, pow (2.0, -semitones / 12.0), &n_resampled, error);
  if (!resampled)
    return NULL;
  out = es_audio_time_stretch (resampled, n_resampled, n_out, sample_rate, error);
  g_free (resampled);
  return out;
}

/* ---- noise ------------------------------------------------------------------ */

double
es_audio_rng_gaussian (EsRng *rng)
{
  double u1 = 1.0 - es_rng_uniform (rng);      /* (0, 1] */
  double u2 = es_rng_uniform (rng);
  return sqrt (-2.0 * log (u1)) * cos (2.0 * G_PI * u2);
}

static double
rng_gamma (EsRng *rng, double a)
{
  /* Marsaglia & Tsang (2000); a < 1 through Gamma(a + 1) * U^(1/a) */
  double d, c;
  if (a < 1.0) {
    double u = 1.0 - es_rng_uniform (rng);
    return rng_gamma (rng, a + 1.0) * pow (u, 1.0 / a);
  }
  d = a - 1.0 / 3.0;
  c = 1.0 / sqrt (9.0 * d);
  for (;;) {
    double z = es_audio_rng_gaussian (rng), v = 1.0 + c * z, u;
    if (v <= 0.0)
      continue;
    v = v * v * v;
    u = 1.0 - es_rng_uniform (rng);
    if (log (u) < 0.5 * z * z + d - d * v + d * log (v))
      return d * v;
  }
}

double
es_audio_rng_beta (EsRng *rng, double a, double b)
{
  double x = rng_gamma (rng, a), y = rng_gamma (rng, b);
  return x + y > 0.0 ? x / (x + y) : 0.5;
}

void
es_audio_noise (float *out, size_t n, EsAudioNoiseColour colour, EsRng *rng)
{
  double b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0, rms, spare = 0.0;

  for (size_t i = 0; i < n; i++) {
    double w;
    /* Marsaglia's polar method: two independent normals per accepted point
     * of the unit disc, no trigonometry; both are used */
    if (i % 2 == 0) {
      double u, v, q;
      do {
        u = 2.0 * es_rng_uniform (rng) - 1.0;
        v = 2.0 * es_rng_uniform (rng) - 1.0;
        q = u * u + v * v;
      } while (q >= 1.0 || q == 0.0);
      q = sqrt (-2.0 * log (q) / q);
      w = u * q;
      spare = v * q;
    } else {
      w = spare;
    }
    if (colour == ES_AUDIO_NOISE_PINK) {
      /* Paul Kellet's refined pink filter: within 0.05 dB of -3 dB/octave
       * above 0.0002 of the sample rate */
      b0 = 0.99886 * b0 + w * 0.0555179;
      b1 = 0.99332 * b1 + w * 0.0750759;
      b2 = 0.96900 * b2 + w * 0.1538520;
      b3 = 0.86650 * b3 + w * 0.3104856;
      b4 = 0.55000 * b4 + w * 0.5329522;
      b5 = -0.7616 * b5 - w * 0.0168980;
      out[i] = (float) (b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362);
      b6 = w * 0.115926;
    } else {
      out[i] = (float) w;
    }
  }
  rms = es_audio_rms (out, n);
  if (rms > 0.0)
    scale (out, n, 1.0 / rms);
}

gboolean
es_audio_add_noise (float *x, size_t n, double snr_db, EsAudioNoiseColour colour,
    EsRng *rng)
{
  double signal = sum_squares (x, n), noise_power, g;
  float *noise;

  if (!(signal > 0.0) || !isfinite (signal))
    return FALSE;
  noise = g_new (float, n);
  es_audio_noise (noise, n, colour, rng);
  noise_power = sum_squares (noise, n);
  g = sqrt (signal / (noise_power * pow (10.0, snr_db / 10.0)));
  for (size_t i = 0; i < n; i++)
    x[i] = (float) (x[i] + g * noise[i]);
  g_free (noise);
  return TRUE;
}

/* ---- generated background ------------------------------------------------ */

static double
log_uniform (EsRng *rng, double lo, double hi)
{
  return exp (log (lo) + (log (hi) - log (lo)) * es_rng_uniform (rng));
}

void
es_audio_background (float *out, size_t n, unsigned rate, EsRng *rng)
{
  float *part;
  double w_white = log_uniform (rng, 0.05, 1.0), w_pink = log_uniform (rng, 0.05, 1.0);
  double w_brown = log_uniform (rng, 0.05, 1.0), rms, level, depth, peak;
  double lp = 0.0, lp_state = 0.0, brown = 0.0, brown_rms;
  double *mix;
  size_t next_point = 0;
  double gain_a = 0.0, gain_b = 0.0;
  size_t seg_start = 0, seg_len = 1;

  if (n == 0)
    return;
  mix = g_new0 (double, n);
  part = g_new (float, n);
  es_audio_noise (part, n, ES_AUDIO_NOISE_WHITE, rng);
  for (size_t i = 0; i < n; i++)
    mix[i] = w_white * part[i];
  es_audio_noise (part, n, ES_AUDIO_NOISE_PINK, rng);
  for (size_t i = 0; i < n; i++)
    mix[i] += w_pink * part[i];
  /* brown: a leaky integral of white (pole 0.998: flat below ~5 Hz at 16 kHz) */
  es_audio_noise (part, n, ES_AUDIO_NOISE_WHITE, rng);
  for (size_t i = 0; i < n; i++) {
    brown = 0.998 * brown + part[i];
    part[i] = (float) brown;
  }
  brown_rms = es_audio_rms (part, n);
  for (size_t i = 0; i < n; i++)
    mix[i] += brown_rms > 0 ? w_brown * part[i] / brown_rms : 0.0;
  if (es_rng_uniform (rng) < 0.5) {
    double fc = MIN (log_uniform (rng, 300.0, 6000.0), 0.45 * rate);
    lp = 1.0 - exp (-2.0 * G_PI * fc / rate);
    for (size_t i = 0; i < n; i++) {
      lp_state += lp * (mix[i] - lp_state);
      mix[i] = lp_state;
    }
  }
  {
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
      s += mix[i] * mix[i];
    rms = sqrt (s / n);
    if (rms > 0)
      for (size_t i = 0; i < n; i++)
        mix[i] /= rms;
  }
  if (es_rng_uniform (rng) < 0.5) {
    double f0 = es_rng_uniform (rng) < 0.5 ? 50.0 : 60.0;
    unsigned harmonics = 1 + (unsigned) es_rng_below (rng, 5);
    double fall = 3.0 + 9.0 * es_rng_uniform (rng);
    double hum_db = -(6.0 + 24.0 * es_rng_uniform (rng)), norm = 0.0;
    for (unsigned h = 0; h <= harmonics; h++)
      norm += pow (10.0, -fall * h / 10.0);
    for (unsigned h = 0; h <= harmonics && f0 * (h + 1) < rate / 2.0; h++) {
      /* amplitudes so the hum's power is hum_db below the noise's (1) */
      double a = sqrt (2.0 * pow (10.0, hum_db / 10.0) * pow (10.0, -fall * h / 10.0) / norm);
      double phase = 2.0 * G_PI * es_rng_uniform (rng), w = 2.0 * G_PI * f0 * (h + 1) / rate;
      for (size_t i = 0; i < n; i++)
        mix[i] += a * sin (w * (double) i + phase);
    }
  }
  if (es_rng_uniform (rng) < 1.0 / 3.0) {
    double f = log_uniform (rng, 100.0, 4000.0), drift = 0.05 * es_rng_uniform (rng);
    double period = 1.0 + 5.0 * es_rng_uniform (rng);
    double a = sqrt (2.0) * pow (10.0, -(10.0 + 20.0 * es_rng_uniform (rng)) / 20.0);
    double phase = 0.0;
    for (size_t i = 0; i < n; i++) {
      double fi = f * (1.0 + drift * sin (2.0 * G_PI * (double) i / (period * rate)));
      phase += 2.0 * G_PI * MIN (fi, 0.45 * rate) / rate;
      mix[i] += a * sin (phase);
    }
  }
  /* level: -60..-20 dBFS, wandering by up to +-depth dB */
  level = -60.0 + 40.0 * es_rng_uniform (rng);
  depth = 12.0 * es_rng_uniform (rng);
  gain_b = depth * (2.0 * es_rng_uniform (rng) - 1.0);
  peak = 0.0;
  for (size_t i = 0; i < n; i++) {
    double t, g;
    if (i == next_point) {
      gain_a = gain_b;
      gain_b = depth * (2.0 * es_rng_uniform (rng) - 1.0);
      seg_start = i;
      seg_len = MAX ((size_t) 1, (size_t) ((0.3 + 2.7 * es_rng_uniform (rng)) * rate));
      next_point = i + seg_len;
    }
    t = (double) (i - seg_start) / seg_len;
    g = level + gain_a + (gain_b - gain_a) * t;
    mix[i] *= pow (10.0, g / 20.0);
    peak = MAX (peak, fabs (mix[i]));
  }
  for (size_t i = 0; i < n; i++)
    out[i] = (float) (peak > 0.99 ? mix[i] * 0.99 / peak : mix[i]);
  g_free (part);
  g_free (mix);
}
