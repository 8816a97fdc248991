/* Gammatone filterbank applied in the frequency domain (formulas in gammatone.h).
 *
 * The weight matrix is computed once in double precision. Each band keeps the
 * bin range outside which its weights are below ES_GAMMATONE_WEIGHT_CUTOFF of
 * its gain; applying the bank is then one SIMD dot product per band over that
 * range, for blocks of frames at once (see apply_block). That skips the empty
 * ends of the low bands, and avoids a dense cblas_sgemv, which OpenBLAS may
 * spread over threads for a 64 x 257 product (the elements must stay on one
 * core and allocation-free). */
#include "dsp/gammatone.h"

#include <math.h>
#include <string.h>

#include "dsp/fft.h"
#include "dsp/simd.h"

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
  /* The kernel's copy of the weights: each band's range widened to whole
   * aligned 8-bin vectors [first8, end8) (zero padded past n_bins, so no row
   * needs a scalar tail), the bands' ranges packed one after the other from
   * kernel_offset[b] (32-byte aligned). Packed, the rows the kernel streams
   * for every block of frames take a fifth less cache (52 instead of 68 KB at
   * 64 bands, 512-point FFT). Room for n_bands full rows, so
   * es_gammatone_fb_set_bands never allocates. */
  size_t stride;        /* n_bins rounded up to 8 */
  float *kernel_weights;
  size_t *kernel_offset;
  size_t *first8;
  size_t *end8;
  EsFftPower *fft;
  float *power;         /* ES_GAMMATONE_BLOCK rows of `stride`, aligned: nothing allocates per frame */
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
  size_t packed = 0;

  memset (fb->weights, 0, (size_t) fb->n_bands * fb->n_bins * sizeof (float));
  memset (fb->kernel_weights, 0, (size_t) fb->n_bands * fb->stride * sizeof (float));
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
    fb->first8[b] = fb->first_bin[b] / 8 * 8;
    fb->end8[b] = (fb->end_bin[b] + 7) / 8 * 8;
    fb->kernel_offset[b] = packed;
    memcpy (fb->kernel_weights + packed, row + fb->first8[b],
        (MIN (fb->end8[b], fb->n_bins) - fb->first8[b]) * sizeof (float));
    packed += fb->end8[b] - fb->first8[b];
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
  fb->stride = (fb->n_bins + 7) / 8 * 8;
  fb->kernel_weights = g_aligned_alloc0 ((size_t) n_bands * fb->stride, sizeof (float), 32);
  fb->kernel_offset = g_new (size_t, n_bands);
  fb->first8 = g_new (size_t, n_bands);
  fb->end8 = g_new (size_t, n_bands);
  fb->fft = es_fft_power_new (fb->n_fft);
  fb->power = g_aligned_alloc0 (ES_GAMMATONE_BLOCK * fb->stride, sizeof (float), 32);

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
  g_aligned_free (fb->kernel_weights);
  g_free (fb->kernel_offset);
  g_free (fb->first8);
  g_free (fb->end8);
  g_aligned_free (fb->power);
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

/* Applying the bank: each band is a dot product over its bin range, taken
 * as whole 8-bin vectors aligned to multiples of 8 (the widening only adds
 * exact zero weights), with one partial sum per lane (lane j takes bins
 * first8 + j, first8 + j + 8, ...), reduced in a fixed order. The kernel runs
 * up to ES_GAMMATONE_BLOCK frames at once: each weight vector is loaded once
 * for all of them, the weight rows stream through the cache once per block
 * instead of once per frame, and the independent sums keep the adders busy
 * (one frame alone waits on the latency of its own accumulator). Every
 * (frame, band) is summed in exactly the same order whatever the block, so
 * the energies do not depend on how frames are grouped: a buffer of 13 frames,
 * a chunk of 32 and frame-by-frame calls give the same bits. No FMA
 * (dsp/simd.h), so the AVX2 and SSE2 versions agree too. */

/* The kernel's loops are a handful of instructions bound by the latency of
 * their adds; where such a loop straddles a 32-byte boundary, Zen 3 ran the
 * one-frame kernel 50 % slower (same instructions), so align them. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC push_options
#pragma GCC optimize ("align-loops=32")
#endif

/* The lane sums of one band are reduced in a fixed order,
 *     ((l0 + l4) + (l1 + l5)) + ((l2 + l6) + (l3 + l7)).
 * This does it for eight bands' vectors at once: an 8 x 8 transpose makes
 * column j hold lane j of every vector, and the columns are added in that
 * order, so sums[b] is the reduction of v[b] (eight horizontal reductions
 * cost a tenth of the kernel's instructions). */
static inline EsF8
reduce8_x8 (const EsF8 *v)
{
  EsF8 t0 = ES_F8_SHUFFLE (v[0], v[1], 0, 8, 1, 9, 4, 12, 5, 13);
  EsF8 t1 = ES_F8_SHUFFLE (v[0], v[1], 2, 10, 3, 11, 6, 14, 7, 15);
  EsF8 t2 = ES_F8_SHUFFLE (v[2], v[3], 0, 8, 1, 9, 4, 12, 5, 13);
  EsF8 t3 = ES_F8_SHUFFLE (v[2], v[3], 2, 10, 3, 11, 6, 14, 7, 15);
  EsF8 t4 = ES_F8_SHUFFLE (v[4], v[5], 0, 8, 1, 9, 4, 12, 5, 13);
  EsF8 t5 = ES_F8_SHUFFLE (v[4], v[5], 2, 10, 3, 11, 6, 14, 7, 15);
  EsF8 t6 = ES_F8_SHUFFLE (v[6], v[7], 0, 8, 1, 9, 4, 12, 5, 13);
  EsF8 t7 = ES_F8_SHUFFLE (v[6], v[7], 2, 10, 3, 11, 6, 14, 7, 15);
  /* u0 = lanes 0 and 4 of v0..v3, u1 = lanes 1 and 5, u2 = 2 and 6, u3 = 3 and 7 */
  EsF8 u0 = ES_F8_SHUFFLE (t0, t2, 0, 1, 8, 9, 4, 5, 12, 13);
  EsF8 u1 = ES_F8_SHUFFLE (t0, t2, 2, 3, 10, 11, 6, 7, 14, 15);
  EsF8 u2 = ES_F8_SHUFFLE (t1, t3, 0, 1, 8, 9, 4, 5, 12, 13);
  EsF8 u3 = ES_F8_SHUFFLE (t1, t3, 2, 3, 10, 11, 6, 7, 14, 15);
  EsF8 u4 = ES_F8_SHUFFLE (t4, t6, 0, 1, 8, 9, 4, 5, 12, 13);
  EsF8 u5 = ES_F8_SHUFFLE (t4, t6, 2, 3, 10, 11, 6, 7, 14, 15);
  EsF8 u6 = ES_F8_SHUFFLE (t5, t7, 0, 1, 8, 9, 4, 5, 12, 13);
  EsF8 u7 = ES_F8_SHUFFLE (t5, t7, 2, 3, 10, 11, 6, 7, 14, 15);
  /* c[j][b] = v[b][j] */
  EsF8 c0 = ES_F8_SHUFFLE (u0, u4, 0, 1, 2, 3, 8, 9, 10, 11);
  EsF8 c4 = ES_F8_SHUFFLE (u0, u4, 4, 5, 6, 7, 12, 13, 14, 15);
  EsF8 c1 = ES_F8_SHUFFLE (u1, u5, 0, 1, 2, 3, 8, 9, 10, 11);
  EsF8 c5 = ES_F8_SHUFFLE (u1, u5, 4, 5, 6, 7, 12, 13, 14, 15);
  EsF8 c2 = ES_F8_SHUFFLE (u2, u6, 0, 1, 2, 3, 8, 9, 10, 11);
  EsF8 c6 = ES_F8_SHUFFLE (u2, u6, 4, 5, 6, 7, 12, 13, 14, 15);
  EsF8 c3 = ES_F8_SHUFFLE (u3, u7, 0, 1, 2, 3, 8, 9, 10, 11);
  EsF8 c7 = ES_F8_SHUFFLE (u3, u7, 4, 5, 6, 7, 12, 13, 14, 15);

  return ((c0 + c4) + (c1 + c5)) + ((c2 + c6) + (c3 + c7));
}

/* The bank on `width` frames at once: where inlined with a constant width,
 * the loops over frames unroll into `width` independent accumulators. p[t] and
 * last[t] are frame t's power row and its zero-padded final vector. The lane
 * sums of eight bands are kept and reduced together (reduce8_x8). */
static inline __attribute__((always_inline)) void
apply_width (const EsGammatoneFb *fb, const float *const *p, const EsF8 *last,
    size_t width, float *energies)
{
  const size_t whole = fb->n_bins / 8 * 8;
  const unsigned n_bands = fb->n_bands;

  for (unsigned b0 = 0; b0 < n_bands; b0 += 8) {
    const unsigned group = MIN (8, n_bands - b0);
    EsF8 lanes[ES_GAMMATONE_BLOCK][8];    /* [frame][band - b0] */

    for (unsigned g = 0; g < group; g++) {
      const unsigned b = b0 + g;
      const size_t first = fb->first8[b], end = MIN (fb->end8[b], whole);
      const float *w = fb->kernel_weights + fb->kernel_offset[b];   /* bin first */
      EsF8 acc[ES_GAMMATONE_BLOCK];

#pragma GCC unroll 8
      for (size_t t = 0; t < width; t++)
        acc[t] = es_f8_splat (0.0f);
      for (size_t k = first; k < end; k += 8) {
        EsF8 wk = es_f8_load (w + (k - first));
#pragma GCC unroll 8
        for (size_t t = 0; t < width; t++)
          acc[t] += wk * es_f8_load (p[t] + k);
      }
      if (fb->end8[b] > whole) {
        EsF8 wk = es_f8_load (w + (whole - first));
#pragma GCC unroll 8
        for (size_t t = 0; t < width; t++)
          acc[t] += wk * last[t];
      }
#pragma GCC unroll 8
      for (size_t t = 0; t < width; t++)
        lanes[t][g] = acc[t];
    }
    for (unsigned g = group; g < 8; g++)
      for (size_t t = 0; t < width; t++)
        lanes[t][g] = es_f8_splat (0.0f);
    for (size_t t = 0; t < width; t++) {
      EsF8 sums = reduce8_x8 (lanes[t]);

      if (group == 8) {
        es_f8_store (energies + t * n_bands + b0, sums);
      } else {
        float tmp[8];

        es_f8_store (tmp, sums);
        memcpy (energies + t * n_bands + b0, tmp, group * sizeof (float));
      }
    }
  }
}

/* energies[t * n_bands + b] for 1 <= n_frames <= ES_GAMMATONE_BLOCK power rows
 * of n_bins values, `row_stride` apart, with a kernel exactly n_frames wide. */
ES_SIMD_CLONES static void
apply_block (const EsGammatoneFb *fb, const float *power, size_t row_stride,
    size_t n_frames, float *energies)
{
  const size_t n_bins = fb->n_bins;
  const size_t whole = n_bins / 8 * 8;     /* vectors below this lie inside a row */
  const float *p[ES_GAMMATONE_BLOCK];
  EsF8 last[ES_GAMMATONE_BLOCK];           /* the row's final partial vector, zero padded */

  for (size_t t = 0; t < n_frames; t++) {
    float pad[8] = { 0 };

    p[t] = power + t * row_stride;
    memcpy (pad, p[t] + whole, (n_bins - whole) * sizeof (float));
    last[t] = es_f8_load (pad);
  }
  switch (n_frames) {
    case 1: apply_width (fb, p, last, 1, energies); break;
    case 2: apply_width (fb, p, last, 2, energies); break;
    case 3: apply_width (fb, p, last, 3, energies); break;
    case 4: apply_width (fb, p, last, 4, energies); break;
    case 5: apply_width (fb, p, last, 5, energies); break;
    case 6: apply_width (fb, p, last, 6, energies); break;
    case 7: apply_width (fb, p, last, 7, energies); break;
    default: apply_width (fb, p, last, 8, energies); break;
  }
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC pop_options
#endif

void
es_gammatone_fb_apply (const EsGammatoneFb *fb, const float *power, float *energies)
{
  apply_block (fb, power, fb->n_bins, 1, energies);
}

void
es_gammatone_fb_energies_frames (EsGammatoneFb *fb, const float *frames, size_t n_frames,
    float *energies)
{
  /* Blocks of near-equal size, at most ES_GAMMATONE_BLOCK: a buffer of 13
   * frames runs as 7 + 6, not 8 + 5 (the kernel's time per block hardly
   * depends on its width, so fewer, fuller blocks are faster). */
  size_t n_blocks = (n_frames + ES_GAMMATONE_BLOCK - 1) / ES_GAMMATONE_BLOCK;

  while (n_frames > 0) {
    size_t n = (n_frames + n_blocks - 1) / n_blocks;

    for (size_t t = 0; t < n; t++)
      es_fft_power_process (fb->fft, frames + t * fb->frame_size, fb->frame_size,
          fb->power + t * fb->stride);
    apply_block (fb, fb->power, fb->stride, n, energies);
    frames += n * fb->frame_size;
    energies += n * fb->n_bands;
    n_frames -= n;
    n_blocks--;
  }
}

void
es_gammatone_fb_energies (EsGammatoneFb *fb, const float *frame, float *energies)
{
  es_gammatone_fb_energies_frames (fb, frame, 1, energies);
}

/* ln of eight lanes as es_log_compress defines it. */
static inline EsF8
log_compress8 (EsF8 v, float floor, float log_floor)
{
  EsI8 above = v > es_f8_splat (floor);
  EsI8 finite = v < es_f8_splat (INFINITY);
  EsI8 nan = v != v;
  EsF8 r = es_f8_log (es_f8_select (above & finite, v, es_f8_splat (1.0f)));

  /* v > floor: ln v (+Inf stays +Inf); NaN stays NaN; else ln floor. */
  r = es_f8_select (finite, r, v);
  return es_f8_select (above | nan, r, es_f8_splat (log_floor));
}

/* Vectorised (libm's logf is a call per value; it took a fifth of the
 * filterbank's time). */
ES_SIMD_CLONES void
es_log_compress (float *x, size_t n, float floor)
{
  const float log_floor = logf (floor);
  size_t i = 0;

  for (; i + 8 <= n; i += 8)
    es_f8_store (x + i, log_compress8 (es_f8_load (x + i), floor, log_floor));
  if (i < n) {
    /* The tail through the same lanes, so no value depends on the split. */
    float pad[8] = { 1, 1, 1, 1, 1, 1, 1, 1 };

    memcpy (pad, x + i, (n - i) * sizeof (float));
    es_f8_store (pad, log_compress8 (es_f8_load (pad), floor, log_floor));
    memcpy (x + i, pad, (n - i) * sizeof (float));
  }
}
