/* Compression of band energies, forward and backward: the log of today's
 * front-end (es_log_compress in dsp/gammatone.h) and per-channel energy
 * normalisation (PCEN, Wang et al. 2017) with trainable per-band parameters.
 *
 * Energies are n_frames rows of n_bands (the front-end's layout, frame after
 * frame). Backward functions write input gradients and accumulate (+=)
 * parameter gradients, as the network engine's layers do.
 *
 * PCEN, per band, frame t:
 *     M[t] = (1 - s) M[t-1] + s E[t]              (smoother; M[-1] = E[0] at a start)
 *     y[t] = (E[t] / (eps + M[t])^alpha + delta)^r - delta^r
 * Trainable per band: alpha (gain normalisation strength), delta (bias), r
 * (root) and s (smoothing coefficient). Stored as raw offsets from their
 * initial values in log units (0 at initialisation, dsp/soft-bound.h), which
 * keep every value inside the range where the formula is finite and smooth:
 * alpha in (1e-3, 1), delta in (1e-3, 1e3), r in (0.01, 1), s in (1e-4, 1).
 * That is what keeps training stable: unconstrained exp-parametrised PCEN
 * (s > 1 makes the smoother diverge or go negative, delta -> 0 with r < 1 makes
 * dy/d(delta) blow up) is where trainable PCEN layers are reported to NaN. eps
 * is a fixed floor, so eps + M > 0 for non-negative energies. Sums and the
 * recursion run in double precision.
 *
 * Raw layout: 4 * n_bands floats, rows of n_bands: alpha, delta, r, s
 * (ES_PCEN_RAW_*). */
#ifndef ES_DSP_COMPRESS_H
#define ES_DSP_COMPRESS_H

#include <stddef.h>
#include <glib.h>

G_BEGIN_DECLS

/* Backward of es_log_compress (x, n, floor) given its input energies:
 * dx[i] = dy[i] / x[i] where x[i] > floor, else 0 (the floor is constant). */
void es_log_compress_backward (const float *energies, const float *dy, size_t n,
    float floor, float *dx);

/* LEAF's initialisation (Zeghidour et al. 2021). */
#define ES_PCEN_DEFAULT_ALPHA 0.96
#define ES_PCEN_DEFAULT_DELTA 2.0
#define ES_PCEN_DEFAULT_ROOT 0.5
#define ES_PCEN_DEFAULT_SMOOTH 0.04
#define ES_PCEN_DEFAULT_EPS 1e-6

#define ES_PCEN_RAW_ALPHA 0
#define ES_PCEN_RAW_DELTA 1
#define ES_PCEN_RAW_ROOT 2
#define ES_PCEN_RAW_SMOOTH 3
#define ES_PCEN_N_RAW_PER_BAND 4

typedef struct {
  double alpha;     /* in (1e-3, 1) */
  double delta;     /* in (1e-3, 1e3) */
  double root;      /* r, in (0.01, 1) */
  double smooth;    /* s, in (1e-4, 1) */
} EsPcenBand;

/* The defaults above. */
void es_pcen_band_init (EsPcenBand *band);

typedef struct _EsPcen EsPcen;

/* PCEN over n_bands bands starting at `init` (copied; NULL = the defaults for
 * every band) with floor eps > 0. Fails (ES_DSP_ERROR_INVALID_CONFIG) on a
 * value outside its range. */
EsPcen *es_pcen_new (const EsPcenBand *init, unsigned n_bands, double eps, GError **error);
void es_pcen_free (EsPcen *pcen);
unsigned es_pcen_get_n_bands (const EsPcen *pcen);
size_t es_pcen_get_n_raw (const EsPcen *pcen);      /* 4 * n_bands */
double es_pcen_get_eps (const EsPcen *pcen);

/* The bands of raw (NULL = all 0, the initial values). */
void es_pcen_bands (const EsPcen *pcen, const float *raw, EsPcenBand *bands);

/* y = PCEN (E) of n_frames frames. state: NULL to start at energies' first
 * frame (M[-1] = E[0]); else n_bands smoother values M[-1] carried from the
 * previous call and updated (a NaN entry starts that band afresh), so a stream
 * split into calls gives the numbers of one call. Non-finite energies give NaN
 * from that frame on in their band (the smoother carries them) until the state
 * is reset. */
void es_pcen_forward (const EsPcen *pcen, const float *raw, const float *energies,
    size_t n_frames, double *state, float *out);

/* Backward of es_pcen_forward with state NULL: denergies = dL/dE (written, NULL
 * to skip), draw += dL/draw (NULL to skip). The smoother is recomputed. */
void es_pcen_backward (const EsPcen *pcen, const float *raw, const float *energies,
    size_t n_frames, const float *dout, float *denergies, float *draw);

G_END_DECLS

#endif
