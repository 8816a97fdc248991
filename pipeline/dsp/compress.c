/* Log and PCEN compression, forward and backward (see compress.h).
 *
 * PCEN derivatives at one frame, with Q = (eps + M)^-alpha, Z = E Q + delta,
 * y = Z^r - delta^r and A = dy/dZ = r Z^(r-1):
 *     dy/dE     = A Q                    dy/dM     = -alpha A E Q / (eps + M)
 *     dy/dalpha = -A E Q ln (eps + M)    dy/ddelta = A - r delta^(r-1)
 *     dy/dr     = Z^r ln Z - delta^r ln delta
 * The smoother M[t] = (1 - s) M[t-1] + s E[t] is walked back in time:
 * gM[t] = dL/dy[t] dy/dM[t] + (1 - s) gM[t+1] is everything M[t] influences,
 * which gives dL/dE[t] += s gM[t] and dL/ds += gM[t] (E[t] - M[t-1]); at a
 * start M[-1] = E[0], so E[0] also gets (1 - s) gM[0]. */
#include "dsp/compress.h"

#include <math.h>
#include <string.h>

#include "dsp/dsp-error.h"
#include "dsp/soft-bound.h"

typedef struct {
  const char *name;
  double min, max;
} Range;

/* In raw-row order. */
static const Range pcen_ranges[ES_PCEN_N_RAW_PER_BAND] = {
  {"alpha", 1e-3, 1.0},
  {"delta", 1e-3, 1e3},
  {"r", 0.01, 1.0},
  {"s", 1e-4, 1.0},
};

struct _EsPcen {
  unsigned n_bands;
  double eps;
  EsPcenBand *init;
  /* per raw row and band: soft-bound gaps below / above the start */
  double *lo, *hi;
};

void
es_log_compress_backward (const float *energies, const float *dy, size_t n, float floor,
    float *dx)
{
  for (size_t i = 0; i < n; i++) {
    float v = energies[i];
    /* NaN input: NaN gradient, as the forward pass passed it through */
    dx[i] = v > floor ? dy[i] / v : isnan (v) ? v : 0.0f;
  }
}

void
es_pcen_band_init (EsPcenBand *band)
{
  band->alpha = ES_PCEN_DEFAULT_ALPHA;
  band->delta = ES_PCEN_DEFAULT_DELTA;
  band->root = ES_PCEN_DEFAULT_ROOT;
  band->smooth = ES_PCEN_DEFAULT_SMOOTH;
}

static inline void
band_values (const EsPcenBand *band, double v[ES_PCEN_N_RAW_PER_BAND])
{
  v[ES_PCEN_RAW_ALPHA] = band->alpha;
  v[ES_PCEN_RAW_DELTA] = band->delta;
  v[ES_PCEN_RAW_ROOT] = band->root;
  v[ES_PCEN_RAW_SMOOTH] = band->smooth;
}

EsPcen *
es_pcen_new (const EsPcenBand *init, unsigned n_bands, double eps, GError **error)
{
  EsPcen *pcen;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (n_bands == 0 || !(eps > 0.0 && isfinite (eps))) {
    g_set_error (error, ES_DSP_ERROR, ES_DSP_ERROR_INVALID_CONFIG,
        "PCEN: needs at least one band and a finite eps > 0");
    return NULL;
  }
  for (unsigned b = 0; init && b < n_bands; b++) {
    double v[ES_PCEN_N_RAW_PER_BAND];
    band_values (&init[b], v);
    for (unsigned i = 0; i < ES_PCEN_N_RAW_PER_BAND; i++)
      if (!(v[i] > pcen_ranges[i].min && v[i] < pcen_ranges[i].max)) {
        g_set_error (error, ES_DSP_ERROR, ES_DSP_ERROR_INVALID_CONFIG,
            "PCEN band %u: %s = %g is not inside (%g, %g)", b, pcen_ranges[i].name, v[i],
            pcen_ranges[i].min, pcen_ranges[i].max);
        return NULL;
      }
  }

  pcen = g_new0 (EsPcen, 1);
  pcen->n_bands = n_bands;
  pcen->eps = eps;
  pcen->init = g_new (EsPcenBand, n_bands);
  pcen->lo = g_new (double, (size_t) ES_PCEN_N_RAW_PER_BAND * n_bands);
  pcen->hi = g_new (double, (size_t) ES_PCEN_N_RAW_PER_BAND * n_bands);
  for (unsigned b = 0; b < n_bands; b++) {
    double v[ES_PCEN_N_RAW_PER_BAND];
    if (init)
      pcen->init[b] = init[b];
    else
      es_pcen_band_init (&pcen->init[b]);
    band_values (&pcen->init[b], v);
    for (unsigned i = 0; i < ES_PCEN_N_RAW_PER_BAND; i++) {
      pcen->lo[i * n_bands + b] = log (v[i] / pcen_ranges[i].min);
      pcen->hi[i * n_bands + b] = log (pcen_ranges[i].max / v[i]);
    }
  }
  return pcen;
}

void
es_pcen_free (EsPcen *pcen)
{
  if (pcen == NULL)
    return;
  g_free (pcen->init);
  g_free (pcen->lo);
  g_free (pcen->hi);
  g_free (pcen);
}

unsigned
es_pcen_get_n_bands (const EsPcen *pcen)
{
  return pcen->n_bands;
}

size_t
es_pcen_get_n_raw (const EsPcen *pcen)
{
  return (size_t) ES_PCEN_N_RAW_PER_BAND * pcen->n_bands;
}

double
es_pcen_get_eps (const EsPcen *pcen)
{
  return pcen->eps;
}

/* The values of band b (raw-row order) and their derivatives w.r.t. raw. */
static void
values_of_raw (const EsPcen *pcen, const float *raw, unsigned b,
    double v[ES_PCEN_N_RAW_PER_BAND], double dv[ES_PCEN_N_RAW_PER_BAND])
{
  const unsigned n = pcen->n_bands;
  double v0[ES_PCEN_N_RAW_PER_BAND];

  band_values (&pcen->init[b], v0);
  for (unsigned i = 0; i < ES_PCEN_N_RAW_PER_BAND; i++)
    v[i] = es_soft_bound_value (v0[i], raw ? raw[i * n + b] : 0.0, pcen->lo[i * n + b],
        pcen->hi[i * n + b], pcen_ranges[i].min, pcen_ranges[i].max, &dv[i]);
}

void
es_pcen_bands (const EsPcen *pcen, const float *raw, EsPcenBand *bands)
{
  for (unsigned b = 0; b < pcen->n_bands; b++) {
    double v[ES_PCEN_N_RAW_PER_BAND], dv[ES_PCEN_N_RAW_PER_BAND];
    values_of_raw (pcen, raw, b, v, dv);
    bands[b].alpha = v[ES_PCEN_RAW_ALPHA];
    bands[b].delta = v[ES_PCEN_RAW_DELTA];
    bands[b].root = v[ES_PCEN_RAW_ROOT];
    bands[b].smooth = v[ES_PCEN_RAW_SMOOTH];
  }
}

void
es_pcen_forward (const EsPcen *pcen, const float *raw, const float *energies,
    size_t n_frames, double *state, float *out)
{
  const unsigned n = pcen->n_bands;
  const double eps = pcen->eps;

  if (n_frames == 0)
    return;
  for (unsigned b = 0; b < n; b++) {
    double v[ES_PCEN_N_RAW_PER_BAND], dv[ES_PCEN_N_RAW_PER_BAND];
    double alpha, delta, r, s, delta_r, m;

    values_of_raw (pcen, raw, b, v, dv);
    alpha = v[ES_PCEN_RAW_ALPHA];
    delta = v[ES_PCEN_RAW_DELTA];
    r = v[ES_PCEN_RAW_ROOT];
    s = v[ES_PCEN_RAW_SMOOTH];
    delta_r = pow (delta, r);
    m = state && !isnan (state[b]) ? state[b] : energies[b];
    for (size_t t = 0; t < n_frames; t++) {
      double e = energies[t * n + b];
      m = (1.0 - s) * m + s * e;
      out[t * n + b] = (float) (pow (e * pow (eps + m, -alpha) + delta, r) - delta_r);
    }
    if (state)
      state[b] = m;
  }
}

void
es_pcen_backward (const EsPcen *pcen, const float *raw, const float *energies,
    size_t n_frames, const float *dout, float *denergies, float *draw)
{
  const unsigned n = pcen->n_bands;
  const double eps = pcen->eps;
  double *m;

  if (n_frames == 0)
    return;
  m = g_new (double, n_frames);
  for (unsigned b = 0; b < n; b++) {
    double v[ES_PCEN_N_RAW_PER_BAND], dv[ES_PCEN_N_RAW_PER_BAND];
    double alpha, delta, r, s, delta_r, g_m = 0.0;
    double g_alpha = 0.0, g_delta = 0.0, g_r = 0.0, g_s = 0.0;
    double prev = energies[b];

    values_of_raw (pcen, raw, b, v, dv);
    alpha = v[ES_PCEN_RAW_ALPHA];
    delta = v[ES_PCEN_RAW_DELTA];
    r = v[ES_PCEN_RAW_ROOT];
    s = v[ES_PCEN_RAW_SMOOTH];
    delta_r = pow (delta, r);

    for (size_t t = 0; t < n_frames; t++) {
      prev = (1.0 - s) * prev + s * energies[t * n + b];
      m[t] = prev;
    }
    for (size_t t = n_frames; t-- > 0;) {
      double e = energies[t * n + b];
      double gy = dout[t * n + b];
      double em = eps + m[t];
      double q = pow (em, -alpha);
      double z = e * q + delta;
      double z_r = pow (z, r);
      double a = r * z_r / z;
      double m_prev = t > 0 ? m[t - 1] : energies[b];

      g_m = gy * (-alpha * a * e * q / em) + (1.0 - s) * g_m;
      if (denergies)
        denergies[t * n + b] = (float) (gy * a * q + s * g_m
            + (t == 0 ? (1.0 - s) * g_m : 0.0));
      g_alpha += gy * (-a * e * q * log (em));
      g_delta += gy * (a - r * delta_r / delta);
      g_r += gy * (z_r * log (z) - delta_r * log (delta));
      g_s += g_m * (e - m_prev);
    }
    if (draw) {
      draw[ES_PCEN_RAW_ALPHA * n + b] += (float) (g_alpha * dv[ES_PCEN_RAW_ALPHA]);
      draw[ES_PCEN_RAW_DELTA * n + b] += (float) (g_delta * dv[ES_PCEN_RAW_DELTA]);
      draw[ES_PCEN_RAW_ROOT * n + b] += (float) (g_r * dv[ES_PCEN_RAW_ROOT]);
      draw[ES_PCEN_RAW_SMOOTH * n + b] += (float) (g_s * dv[ES_PCEN_RAW_SMOOTH]);
    }
  }
  g_free (m);
}
