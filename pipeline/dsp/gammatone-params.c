/* Learnable gammatone filterbank (see gammatone-params.h).
 *
 * Weight of band b on bin k (gammatone.h): w = g / D^4, D = 1 + x^2,
 * x = (f_k - fc) / (beta ERB (fc)), ERB (f) = 24.7 (4.37 f / 1000 + 1). So
 *     dw/dg    = 1 / D^4
 *     dw/dx    = -8 g x / D^5
 *     dx/dfc   = -1 / (beta ERB) - x ERB' / ERB,   ERB' = 24.7 * 4.37 / 1000
 *     dx/dbeta = -x / beta
 * and each physical value depends on its raw offset through soft-bound.h. All
 * in double precision; the float32 weights are treated as the doubles they
 * were rounded from. */
#include "dsp/gammatone-params.h"

#include <math.h>
#include <string.h>

#include "dsp/fft.h"
#include "dsp/soft-bound.h"

#define ERB_SLOPE (24.7 * 4.37 / 1000.0)

typedef struct {
  double lo, hi;              /* soft-bound gaps below and above the start */
} Gaps;

struct _EsGammatoneParams {
  unsigned n_bands;
  size_t frame_size;
  size_t n_fft;
  unsigned sample_rate;
  EsGammatoneLimits limits;
  EsGammatoneBand *init;
  Gaps *centre, *bandwidth, *gain;
};

void
es_gammatone_limits_init (EsGammatoneLimits *limits, double fmin, unsigned sample_rate)
{
  limits->centre_min_hz = fmin > 0.0 ? fmin : ES_GAMMATONE_MIN_CENTRE_HZ;
  limits->centre_max_hz = sample_rate / 2.0;
  limits->bandwidth_floor = ES_GAMMATONE_DEFAULT_BANDWIDTH_FLOOR;
  limits->bandwidth_ceiling = ES_GAMMATONE_DEFAULT_BANDWIDTH_CEILING;
  limits->gain_range = ES_GAMMATONE_DEFAULT_GAIN_RANGE;
}

static gboolean
check_limits (const EsGammatoneLimits *l, unsigned sample_rate, GError **error)
{
  const char *problem = NULL;

  if (!(l->centre_min_hz > 0.0 && l->centre_min_hz < l->centre_max_hz
          && l->centre_max_hz <= sample_rate / 2.0))
    problem = "need 0 < centre_min_hz < centre_max_hz <= sample_rate / 2";
  else if (!(l->bandwidth_floor > 0.0 && l->bandwidth_floor < l->bandwidth_ceiling
          && isfinite (l->bandwidth_ceiling)))
    problem = "need 0 < bandwidth_floor < bandwidth_ceiling < infinity";
  else if (!(l->gain_range > 1.0 && isfinite (l->gain_range)))
    problem = "need a finite gain_range > 1";
  if (problem) {
    g_set_error (error, ES_DSP_ERROR, ES_DSP_ERROR_INVALID_CONFIG,
        "learnable gammatone limits: %s", problem);
    return FALSE;
  }
  return TRUE;
}

static gboolean
check_inside (unsigned band, const char *what, double value, double min, double max,
    GError **error)
{
  if (value > min && value < max)
    return TRUE;
  g_set_error (error, ES_DSP_ERROR, ES_DSP_ERROR_INVALID_BAND,
      "learnable gammatone band %u: initial %s %g is not inside its limits (%g, %g)",
      band, what, value, min, max);
  return FALSE;
}

EsGammatoneParams *
es_gammatone_params_new (const EsGammatoneBand *init, unsigned n_bands, size_t frame_size,
    unsigned sample_rate, const EsGammatoneLimits *limits, GError **error)
{
  EsGammatoneParams *p;
  EsGammatoneFb *probe;

  g_return_val_if_fail (limits != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* The filterbank's own checks first (rate, frame size, every band). */
  probe = es_gammatone_fb_new (init, n_bands, frame_size, sample_rate, error);
  if (probe == NULL)
    return NULL;
  es_gammatone_fb_free (probe);
  if (!check_limits (limits, sample_rate, error))
    return NULL;
  for (unsigned b = 0; b < n_bands; b++) {
    if (!check_inside (b, "centre (Hz)", init[b].centre_hz, limits->centre_min_hz,
            limits->centre_max_hz, error)
        || !check_inside (b, "bandwidth factor", init[b].bandwidth,
            limits->bandwidth_floor, limits->bandwidth_ceiling, error))
      return NULL;
    if (!(init[b].gain > 0.0)) {
      g_set_error (error, ES_DSP_ERROR, ES_DSP_ERROR_INVALID_BAND,
          "learnable gammatone band %u: gain must be > 0 to be learned in log units", b);
      return NULL;
    }
  }

  p = g_new0 (EsGammatoneParams, 1);
  p->n_bands = n_bands;
  p->frame_size = frame_size;
  p->n_fft = MAX (2, es_next_pow2 (frame_size));
  p->sample_rate = sample_rate;
  p->limits = *limits;
  p->init = g_memdup2 (init, n_bands * sizeof (EsGammatoneBand));
  p->centre = g_new (Gaps, n_bands);
  p->bandwidth = g_new (Gaps, n_bands);
  p->gain = g_new (Gaps, n_bands);
  for (unsigned b = 0; b < n_bands; b++) {
    p->centre[b].lo = log (init[b].centre_hz / limits->centre_min_hz);
    p->centre[b].hi = log (limits->centre_max_hz / init[b].centre_hz);
    p->bandwidth[b].lo = log (init[b].bandwidth / limits->bandwidth_floor);
    p->bandwidth[b].hi = log (limits->bandwidth_ceiling / init[b].bandwidth);
    p->gain[b].lo = p->gain[b].hi = log (limits->gain_range);
  }
  return p;
}

void
es_gammatone_params_free (EsGammatoneParams *params)
{
  if (params == NULL)
    return;
  g_free (params->init);
  g_free (params->centre);
  g_free (params->bandwidth);
  g_free (params->gain);
  g_free (params);
}

unsigned
es_gammatone_params_get_n_bands (const EsGammatoneParams *params)
{
  return params->n_bands;
}

size_t
es_gammatone_params_get_n_raw (const EsGammatoneParams *params)
{
  return (size_t) ES_GAMMATONE_N_RAW_PER_BAND * params->n_bands;
}

const EsGammatoneBand *
es_gammatone_params_get_init_bands (const EsGammatoneParams *params)
{
  return params->init;
}

const EsGammatoneLimits *
es_gammatone_params_get_limits (const EsGammatoneParams *params)
{
  return &params->limits;
}

/* Band b of raw, with d(fc, beta, g)/d(raw) in deriv[3]. */
static void
band_of_raw (const EsGammatoneParams *p, const float *raw, unsigned b,
    EsGammatoneBand *band, double deriv[3])
{
  const EsGammatoneLimits *l = &p->limits;
  const EsGammatoneBand *b0 = &p->init[b];
  const unsigned n = p->n_bands;
  double u_c = raw ? raw[ES_GAMMATONE_RAW_CENTRE * n + b] : 0.0;
  double u_b = raw ? raw[ES_GAMMATONE_RAW_BANDWIDTH * n + b] : 0.0;
  double u_g = raw ? raw[ES_GAMMATONE_RAW_GAIN * n + b] : 0.0;

  band->centre_hz = es_soft_bound_value (b0->centre_hz, u_c, p->centre[b].lo,
      p->centre[b].hi, l->centre_min_hz, l->centre_max_hz, &deriv[0]);
  band->bandwidth = es_soft_bound_value (b0->bandwidth, u_b, p->bandwidth[b].lo,
      p->bandwidth[b].hi, l->bandwidth_floor, l->bandwidth_ceiling, &deriv[1]);
  band->gain = es_soft_bound_value (b0->gain, u_g, p->gain[b].lo, p->gain[b].hi,
      b0->gain / l->gain_range, b0->gain * l->gain_range, &deriv[2]);
}

void
es_gammatone_params_bands (const EsGammatoneParams *params, const float *raw,
    EsGammatoneBand *bands)
{
  double deriv[3];

  for (unsigned b = 0; b < params->n_bands; b++)
    band_of_raw (params, raw, b, &bands[b], deriv);
}

EsGammatoneFb *
es_gammatone_params_new_fb (const EsGammatoneParams *params, const float *raw)
{
  EsGammatoneBand *bands = g_new (EsGammatoneBand, params->n_bands);
  EsGammatoneFb *fb;
  GError *error = NULL;

  es_gammatone_params_bands (params, raw, bands);
  fb = es_gammatone_fb_new (bands, params->n_bands, params->frame_size,
      params->sample_rate, &error);
  /* Bands inside the limits are valid by construction (checked at creation). */
  if (fb == NULL)
    g_error ("es_gammatone_params_new_fb: %s", error->message);
  g_free (bands);
  return fb;
}

void
es_gammatone_params_update_fb (const EsGammatoneParams *params, const float *raw,
    EsGammatoneFb *fb)
{
  EsGammatoneBand *bands;
  GError *error = NULL;

  g_return_if_fail (es_gammatone_fb_get_n_bands (fb) == params->n_bands);
  bands = g_new (EsGammatoneBand, params->n_bands);
  es_gammatone_params_bands (params, raw, bands);
  if (!es_gammatone_fb_set_bands (fb, bands, &error))
    g_error ("es_gammatone_params_update_fb: %s", error->message);
  g_free (bands);
}

void
es_gammatone_params_backward (const EsGammatoneParams *params, const float *raw,
    const EsGammatoneFb *fb, const float *dweights, float *draw)
{
  const unsigned n = params->n_bands;
  const size_t n_bins = es_gammatone_fb_get_n_bins (fb);
  const float *weights = es_gammatone_fb_get_weights (fb);

  g_return_if_fail (es_gammatone_fb_get_n_bands (fb) == n);
  g_return_if_fail (es_gammatone_fb_get_n_fft (fb) == params->n_fft);

  for (unsigned b = 0; b < n; b++) {
    const float *row = weights + (size_t) b * n_bins;
    const float *drow = dweights + (size_t) b * n_bins;
    EsGammatoneBand band;
    double deriv[3], erb, bw, d_fc = 0.0, d_beta = 0.0, d_gain = 0.0;

    band_of_raw (params, raw, b, &band, deriv);
    erb = es_erb_hz (band.centre_hz);
    bw = band.bandwidth * erb;
    for (size_t k = 0; k < n_bins; k++) {
      double f, x, d, d4, dw_dx;
      if (row[k] == 0.0f || drow[k] == 0.0f)
        continue;               /* a cut tail: constant 0 in the forward pass */
      f = (double) k * params->sample_rate / (double) params->n_fft;
      x = (f - band.centre_hz) / bw;
      d = 1.0 + x * x;
      d4 = (d * d) * (d * d);
      dw_dx = -8.0 * band.gain * x / (d4 * d);
      d_gain += drow[k] / d4;
      d_fc += drow[k] * dw_dx * (-1.0 / bw - x * ERB_SLOPE / erb);
      d_beta += drow[k] * dw_dx * (-x / band.bandwidth);
    }
    draw[ES_GAMMATONE_RAW_CENTRE * n + b] += (float) (d_fc * deriv[0]);
    draw[ES_GAMMATONE_RAW_BANDWIDTH * n + b] += (float) (d_beta * deriv[1]);
    draw[ES_GAMMATONE_RAW_GAIN * n + b] += (float) (d_gain * deriv[2]);
  }
}

void
es_gammatone_fb_apply_frames (const EsGammatoneFb *fb, const float *power, size_t n_frames,
    float *energies)
{
  const size_t n_bins = es_gammatone_fb_get_n_bins (fb);
  const unsigned n_bands = es_gammatone_fb_get_n_bands (fb);

  for (size_t t = 0; t < n_frames; t++)
    es_gammatone_fb_apply (fb, power + t * n_bins, energies + t * n_bands);
}

void
es_gammatone_fb_apply_frames_backward (const EsGammatoneFb *fb, const float *power,
    size_t n_frames, const float *denergies, float *dweights, float *dpower)
{
  const size_t n_bins = es_gammatone_fb_get_n_bins (fb);
  const unsigned n_bands = es_gammatone_fb_get_n_bands (fb);
  const float *weights = es_gammatone_fb_get_weights (fb);

  if (dpower)
    memset (dpower, 0, n_frames * n_bins * sizeof (float));
  for (unsigned b = 0; b < n_bands; b++) {
    const float *row = weights + (size_t) b * n_bins;
    size_t first = 0, end = n_bins;

    /* The kept bins are contiguous (gammatone.c): skip the zero ends. */
    while (first < n_bins && row[first] == 0.0f)
      first++;
    while (end > first && row[end - 1] == 0.0f)
      end--;
    for (size_t t = 0; t < n_frames; t++) {
      const float g = denergies[t * n_bands + b];
      const float *p = power + t * n_bins;
      if (g == 0.0f)
        continue;
      if (dweights) {
        float *drow = dweights + (size_t) b * n_bins;
        for (size_t k = first; k < end; k++)
          drow[k] += g * p[k];
      }
      if (dpower) {
        float *dp = dpower + t * n_bins;
        for (size_t k = first; k < end; k++)
          dp[k] += g * row[k];
      }
    }
  }
}
