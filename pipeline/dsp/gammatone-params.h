/* Learnable gammatone filterbank: the bands of dsp/gammatone.h as trainable
 * parameters, and the gradients that train them.
 *
 * Each band has three raw parameters, offsets from its initial band
 * (fc0, beta0, g0) in log units, all 0 at initialisation:
 *     fc   = fc0   * exp (phi_c (u_c))  kept inside (centre_min_hz, centre_max_hz)
 *     beta = beta0 * exp (phi_b (u_b))  kept inside (bandwidth_floor, bandwidth_ceiling)
 *     g    = g0    * exp (phi_g (u_g))  kept inside (g0 / gain_range, g0 * gain_range)
 * where phi is the smooth bounded identity of dsp/soft-bound.h: near the start
 * a raw step of 0.01 moves the centre, bandwidth or gain by about 1 %, and no
 * step, however large, can leave the bounds. Raw = 0 gives the initial bands
 * exactly, so a bank initialised from the static mel bands has, before
 * training, bit for bit the weights of es_gammatone_fb_new on those bands.
 *
 * The weights themselves are always those of an EsGammatoneFb (the element's
 * code): es_gammatone_params_update_fb () moves a filterbank to the bands of
 * the current raw values, and the backward pass turns dL/dW (bands x bins, the
 * layout of es_gammatone_fb_get_weights) into dL/draw. Weights stored as 0
 * (below ES_GAMMATONE_WEIGHT_CUTOFF) have no gradient, as in the forward pass.
 *
 * Raw layout: 3 * n_bands floats, rows of n_bands: centres, bandwidths, gains
 * (ES_GAMMATONE_RAW_CENTRE / _BANDWIDTH / _GAIN). */
#ifndef ES_DSP_GAMMATONE_PARAMS_H
#define ES_DSP_GAMMATONE_PARAMS_H

#include <stddef.h>
#include <glib.h>

#include "gammatone.h"

G_BEGIN_DECLS

#define ES_GAMMATONE_RAW_CENTRE 0
#define ES_GAMMATONE_RAW_BANDWIDTH 1
#define ES_GAMMATONE_RAW_GAIN 2
#define ES_GAMMATONE_N_RAW_PER_BAND 3

/* Defaults of EsGammatoneLimits. A quarter of an ERB is already far narrower
 * than an auditory filter; 20 ERBs spans most of the spectrum at 16 kHz. */
#define ES_GAMMATONE_DEFAULT_BANDWIDTH_FLOOR 0.25
#define ES_GAMMATONE_DEFAULT_BANDWIDTH_CEILING 20.0
#define ES_GAMMATONE_DEFAULT_GAIN_RANGE 1e6
/* Lowest centre when the front-end's fmin is 0 (Hz). */
#define ES_GAMMATONE_MIN_CENTRE_HZ 10.0

typedef struct {
  double centre_min_hz;       /* exclusive, > 0 */
  double centre_max_hz;       /* exclusive, <= sample_rate / 2 */
  double bandwidth_floor;     /* exclusive, > 0 */
  double bandwidth_ceiling;   /* exclusive */
  double gain_range;          /* > 1 */
} EsGammatoneLimits;

/* Limits for a front-end with this fmin (0 allowed) and rate: centres inside
 * (fmin or ES_GAMMATONE_MIN_CENTRE_HZ, rate / 2), the default bandwidth and
 * gain ranges above. */
void es_gammatone_limits_init (EsGammatoneLimits *limits, double fmin, unsigned sample_rate);

typedef struct _EsGammatoneParams EsGammatoneParams;

/* A learnable bank starting at `init` (copied) for frames of frame_size samples
 * at sample_rate (as es_gammatone_fb_new). Fails (ES_DSP_ERROR_INVALID_BAND or
 * _INVALID_CONFIG) when a band is invalid for es_gammatone_fb_new, lies on or
 * outside the limits, has gain 0, or the limits themselves are inconsistent. */
EsGammatoneParams *es_gammatone_params_new (const EsGammatoneBand *init, unsigned n_bands,
    size_t frame_size, unsigned sample_rate, const EsGammatoneLimits *limits,
    GError **error);
void es_gammatone_params_free (EsGammatoneParams *params);

unsigned es_gammatone_params_get_n_bands (const EsGammatoneParams *params);
/* 3 * n_bands. */
size_t es_gammatone_params_get_n_raw (const EsGammatoneParams *params);
const EsGammatoneBand *es_gammatone_params_get_init_bands (const EsGammatoneParams *params);
const EsGammatoneLimits *es_gammatone_params_get_limits (const EsGammatoneParams *params);

/* The bands of raw (n_raw values; NULL = all 0, the initial bands). Always
 * valid for es_gammatone_fb_new, whatever the (finite) raw values. */
void es_gammatone_params_bands (const EsGammatoneParams *params, const float *raw,
    EsGammatoneBand *bands);
/* A filterbank on the bands of raw (es_gammatone_fb_free). */
EsGammatoneFb *es_gammatone_params_new_fb (const EsGammatoneParams *params, const float *raw);
/* Move fb (made by es_gammatone_params_new_fb) to the bands of raw, in place. */
void es_gammatone_params_update_fb (const EsGammatoneParams *params, const float *raw,
    EsGammatoneFb *fb);

/* Backward of the weights: draw[i] += dL/draw[i] given dweights = dL/dW
 * (n_bands x n_bins) for fb's current weights, which must be those of raw. */
void es_gammatone_params_backward (const EsGammatoneParams *params, const float *raw,
    const EsGammatoneFb *fb, const float *dweights, float *draw);

/* Band energies of n_frames power spectra (rows of n_bins), E[t][b], through the
 * element's kernel (es_gammatone_fb_apply on each row). */
void es_gammatone_fb_apply_frames (const EsGammatoneFb *fb, const float *power,
    size_t n_frames, float *energies);
/* Backward of es_gammatone_fb_apply_frames: dweights[b][k] += sum_t dE[t][b] P[t][k]
 * over the bins fb keeps (NULL to skip); dpower[t][k] = sum_b W[b][k] dE[t][b]
 * (written; NULL to skip). */
void es_gammatone_fb_apply_frames_backward (const EsGammatoneFb *fb, const float *power,
    size_t n_frames, const float *denergies, float *dweights, float *dpower);

G_END_DECLS

#endif
