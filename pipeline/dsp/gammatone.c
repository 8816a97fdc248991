/* Gammatone filterbank applied in the frequency domain (formulas in gammatone.h).
 *
 * The weight matrix is computed once in double precision. Each band keeps the
 * bin range outside which its weights are below ES_GAMMATONE_WEIGHT_CUTOFF of
 * its gain; applying the bank is then one short SIMD dot product per band. That
 * skips the empty ends of the low bands, and avoids a dense cblas_sgemv, which
 * OpenBLAS may spread over threads for a 64 x 257 product (the elements must
 * stay on one core and allocation-free). */
#include "dsp/gammatone.h"

#include <math.h>
#include <string.h>

#include "dsp/fft.h"

struct _EsGammatoneFb {
  unsigned n_bands;
  size_t frame_size;
  size_t n_fft;
  size_t n_bins;
  unsigned sample_rate;
  EsGammatoneBand *bands;
  float *weights;       /* n_bands x n_bins */
  size_t *first_bin;    /* per band: weights outside [first_bin, end_bin) are 0 */
  size_t *end_bin;
  EsFftPower *fft;
  float *power;         /* n_bins scratch, so es_gammatone_fb_energies never allocates */
};

double
es_erb_hz (double f)
{
  return 24.7 * (4.37 * f / 1000.0 + 1.0);
}

double
es_hz_to_mel (double hz)
{
  return 2595.0 * log10 (1.0 + hz / 700.0);
}

double
es_mel_to_hz (double mel)
{
  return 700.0 * (pow (10.0, mel / 2595.0) - 1.0);
}

double
es_gammatone_weight (const EsGammatoneBand *band, double f)
{
  double x = (f - band->centre_hz) / (band->bandwidth * es_erb_hz (band->centre_hz));
  double d = 1.0 + x * x;
  double d2 = d * d;
  return band->gain / (d2 * d2);
}

EsGammatoneBand *
es_gammatone_bands_mel (unsigned n_bands, double fmin, double fmax, double bandwidth)
{
  EsGammatoneBand *bands;
  double mel_lo, mel_hi, step;

  if (n_bands == 0)
    return NULL;
  mel_lo = es_hz_to_mel (fmin);
  mel_hi = es_hz_to_mel (fmax);
  step = (mel_hi - mel_lo) / (double) (n_bands + 1);
  bands = g_new (EsGammatoneBand, n_bands);
  for (unsigned b = 0; b < n_bands; b++) {
    bands[b].centre_hz = es_mel_to_hz (mel_lo + step * (double) (b + 1));
    bands[b].bandwidth = bandwidth;
    bands[b].gain = 1.0;
  }
  return bands;
}

static gboolean
check_band (const EsGammatoneBand *band, unsigned index, double nyquist, GError **error)
{
  if (!isfinite (band->centre_hz) || band->centre_hz <= 0.0 || band->centre_hz >= nyquist) {
    g_set_error (error, ES_DSP_ERROR, ES_DSP_ERROR_INVALID_BAND,
        "gammatone band %u: centre frequency %g Hz is not inside (0, %g) Hz",
        index, band->centre_hz, nyquist);
    return FALSE;
  }
  if (!isfinite (band->bandwidth) || band->bandwidth <= 0.0) {
    g_set_error (error, ES_DSP_ERROR, ES_DSP_ERROR_INVALID_BAND,
        "gammatone band %u: bandwidth factor %g must be finite and > 0",
        index, band->bandwidth);
    return FALSE;
  }
  if (!isfinite (band->gain) || band->gain < 0.0) {
    g_set_error (error, ES_DSP_ERROR, ES_DSP_ERROR_INVALID_BAND,
        "gammatone band %u: gain %g must be finite and >= 0", index, band->gain);
    return FALSE;
  }
  return TRUE;
}

/* The weight rows and their kept bin ranges, from bands already checked. */
static void
fill_weights (EsGammatoneFb *fb, const EsGammatoneBand *bands)
{
  memset (fb->weights, 0, (size_t) fb->n_bands * fb->n_bins * sizeof (float));
  for (unsigned b = 0; b < fb->n_bands; b++) {
    float *row = fb->weights + (size_t) b * fb->n_bins;
    double cutoff = ES_GAMMATONE_WEIGHT_CUTOFF * bands[b].gain;
    size_t first = fb->n_bins, end = 0;

    for (size_t k = 0; k < fb->n_bins; k++) {
      double f = (double) k * fb->sample_rate / (double) fb->n_fft;
      double w = es_gammatone_weight (&bands[b], f);
      if (w > 0.0 && w >= cutoff) {
        row[k] = (float) w;
        if (k < first)
          first = k;
        end = k + 1;
      }
    }
    /* The response is unimodal, so the kept bins are contiguous. */
    fb->first_bin[b] = first < end ? first : 0;
    fb->end_bin[b] = first < end ? end : 0;
  }
}

EsGammatoneFb *
es_gammatone_fb_new (const EsGammatoneBand *bands, unsigned n_bands,
    size_t frame_size, unsigned sample_rate, GError **error)
{
  EsGammatoneFb *fb;
  double nyquist = sample_rate / 2.0;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (sample_rate == 0) {
    g_set_error (error, ES_DSP_ERROR, ES_DSP_ERROR_INVALID_CONFIG,
        "gammatone filterbank: sample rate must be > 0");
    return NULL;
  }
  if (frame_size < 1 || frame_size > (size_t) G_MAXINT / 2) {
    g_set_error (error, ES_DSP_ERROR, ES_DSP_ERROR_INVALID_CONFIG,
        "gammatone filterbank: frame size %zu is not in [1, %d]", frame_size,
        G_MAXINT / 2);
    return NULL;
  }
  if (n_bands == 0 || bands == NULL) {
    g_set_error (error, ES_DSP_ERROR, ES_DSP_ERROR_INVALID_CONFIG,
        "gammatone filterbank: needs at least one band");
    return NULL;
  }
  for (unsigned b = 0; b < n_bands; b++)
    if (!check_band (&bands[b], b, nyquist, error))
      return NULL;

  fb = g_new0 (EsGammatoneFb, 1);
  fb->n_bands = n_bands;
  fb->frame_size = frame_size;
  /* A one-sample frame still gets a real two-point transform. */
  fb->n_fft = MAX (2, es_next_pow2 (frame_size));
  fb->n_bins = fb->n_fft / 2 + 1;
  fb->sample_rate = sample_rate;
  fb->bands = g_memdup2 (bands, n_bands * sizeof (EsGammatoneBand));
  fb->weights = g_new0 (float, (size_t) n_bands * fb->n_bins);
  fb->first_bin = g_new (size_t, n_bands);
  fb->end_bin = g_new (size_t, n_bands);
  fb->fft = es_fft_power_new (fb->n_fft);
  fb->power = g_new (float, fb->n_bins);

  fill_weights (fb, bands);
  return fb;
}

gboolean
es_gammatone_fb_set_bands (EsGammatoneFb *fb, const EsGammatoneBand *bands, GError **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (unsigned b = 0; b < fb->n_bands; b++)
    if (!check_band (&bands[b], b, fb->sample_rate / 2.0, error))
      return FALSE;
  memcpy (fb->bands, bands, fb->n_bands * sizeof (EsGammatoneBand));
  fill_weights (fb, bands);
  return TRUE;
}

void
es_gammatone_fb_free (EsGammatoneFb *fb)
{
  if (fb == NULL)
    return;
  es_fft_power_free (fb->fft);
  g_free (fb->bands);
  g_free (fb->weights);
  g_free (fb->first_bin);
  g_free (fb->end_bin);
  g_free (fb->power);
  g_free (fb);
}

unsigned
es_gammatone_fb_get_n_bands (const EsGammatoneFb *fb)
{
  return fb->n_bands;
}

size_t
es_gammatone_fb_get_n_fft (const EsGammatoneFb *fb)
{
  return fb->n_fft;
}

size_t
es_gammatone_fb_get_n_bins (const EsGammatoneFb *fb)
{
  return fb->n_bins;
}

const EsGammatoneBand *
es_gammatone_fb_get_bands (const EsGammatoneFb *fb)
{
  return fb->bands;
}

const float *
es_gammatone_fb_get_weights (const EsGammatoneFb *fb)
{
  return fb->weights;
}

/* Dot product with eight independent partial sums: the compiler turns the
 * fixed inner loop into SIMD, and the sum is less sensitive to rounding than
 * one running total. */
#if defined(__GNUC__) && defined(__x86_64__) && defined(__has_attribute)
#if __has_attribute(target_clones)
/* AVX2 doubles the vector width where the CPU has it (picked once at load time).
 * No FMA: the lanes then round exactly like the SSE2 build, so features do not
 * depend on the machine. */
#define ES_DOT_CLONES __attribute__((target_clones ("avx2", "default")))
#endif
#endif
#ifndef ES_DOT_CLONES
#define ES_DOT_CLONES
#endif

ES_DOT_CLONES static float
dot_f32 (const float *restrict a, const float *restrict b, size_t n)
{
  float acc[8] = { 0 };
  float tail = 0.0f;
  size_t i = 0;

  for (; i + 8 <= n; i += 8)
    for (unsigned j = 0; j < 8; j++)
      acc[j] += a[i + j] * b[i + j];
  for (; i < n; i++)
    tail += a[i] * b[i];
  return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]))
      + tail;
}

void
es_gammatone_fb_apply (const EsGammatoneFb *fb, const float *power, float *energies)
{
  for (unsigned b = 0; b < fb->n_bands; b++) {
    size_t first = fb->first_bin[b];
    const float *row = fb->weights + (size_t) b * fb->n_bins;
    energies[b] = dot_f32 (row + first, power + first, fb->end_bin[b] - first);
  }
}

void
es_gammatone_fb_energies (EsGammatoneFb *fb, const float *frame, float *energies)
{
  es_fft_power_process (fb->fft, frame, fb->frame_size, fb->power);
  es_gammatone_fb_apply (fb, fb->power, energies);
}

void
es_log_compress (float *x, size_t n, float floor)
{
  const float log_floor = logf (floor);

  for (size_t i = 0; i < n; i++) {
    float v = x[i];
    if (v > floor)
      x[i] = logf (v);
    else if (!isnan (v))
      x[i] = log_floor;
  }
}
