/* Gammatone filterbank applied in the frequency domain.
 *
 * Band b has a centre frequency fc, a bandwidth factor beta (multiplying the
 * Glasberg & Moore ERB, ERB(f) = 24.7 (4.37 f / 1000 + 1)) and a linear gain g.
 * Its power weight on an FFT bin at frequency f is the squared magnitude of a
 * 4th-order gammatone filter:
 *     w_b(f) = g * (1 + ((f - fc) / (beta * ERB(fc)))^2)^-4
 * and the band energy of a frame is E_b = sum_k w_b(f_k) |X_k|^2 over the
 * n_fft/2 + 1 bins of the zero-padded real FFT.
 * The band parameters are data (EsGammatoneBand), so a model file can carry
 * learned values; es_gammatone_bands_mel() gives the default initialisation. */
#ifndef ES_DSP_GAMMATONE_H
#define ES_DSP_GAMMATONE_H

#include <stddef.h>
#include <glib.h>

#include "dsp-error.h"

G_BEGIN_DECLS

#define ES_GAMMATONE_ORDER 4
#define ES_GAMMATONE_DEFAULT_BANDWIDTH 1.019
#define ES_GAMMATONE_DEFAULT_FMIN 50.0
/* Floor applied before the logarithm: log(max(E, floor)). */
#define ES_GAMMATONE_DEFAULT_LOG_FLOOR 1e-10

typedef struct {
  double centre_hz;   /* fc, 0 < fc < rate / 2 */
  double bandwidth;   /* beta, > 0: multiple of ERB(fc) */
  double gain;        /* g, linear power gain, >= 0 */
} EsGammatoneBand;

/* Equivalent rectangular bandwidth (Hz) of the auditory filter at f Hz. */
double es_erb_hz (double f);
/* HTK mel scale: 2595 log10(1 + f / 700), and its inverse. */
double es_hz_to_mel (double hz);
double es_mel_to_hz (double mel);

/* Power weight of one band at frequency f (formula above). */
double es_gammatone_weight (const EsGammatoneBand *band, double f);

/* Default bands: n_bands centres equally spaced on the mel scale strictly inside
 * [fmin, fmax] (the n_bands interior points of n_bands + 2 mel-equidistant points),
 * bandwidth factor `bandwidth`, gain 1. Returns a newly allocated array (g_free). */
EsGammatoneBand *es_gammatone_bands_mel (unsigned n_bands, double fmin, double fmax,
    double bandwidth);

typedef struct _EsGammatoneFb EsGammatoneFb;

/* Weights below this fraction of a band's gain are stored as exact zeros and
 * skipped when the filterbank is applied, so each band only touches its own bin
 * range. The 4th-order tails fall to it about 31 bandwidths from the centre; a
 * larger cutoff (1e-9) already costs 2e-4 relative error in quiet bands next to
 * a loud tone, this one stays below the float32 FFT's own rounding. */
#define ES_GAMMATONE_WEIGHT_CUTOFF 1e-12

/* A filterbank for frames of frame_size samples at sample_rate Hz; the FFT size is
 * es_next_pow2 (frame_size) (at least 2). Returns NULL and sets error if a band is invalid
 * (non-finite, fc outside (0, rate/2), bandwidth <= 0, gain < 0). */
EsGammatoneFb *es_gammatone_fb_new (const EsGammatoneBand *bands, unsigned n_bands,
    size_t frame_size, unsigned sample_rate, GError **error);
void es_gammatone_fb_free (EsGammatoneFb *fb);
/* Replace the n_bands bands of fb (same count, checked as in es_gammatone_fb_new)
 * and recompute its weights in place, without allocating: the learnable front-end
 * (dsp/gammatone-params.h) moves its bands here after each step, so training and
 * the element apply the very same weights. On error fb is unchanged. */
gboolean es_gammatone_fb_set_bands (EsGammatoneFb *fb, const EsGammatoneBand *bands,
    GError **error);

unsigned es_gammatone_fb_get_n_bands (const EsGammatoneFb *fb);
size_t es_gammatone_fb_get_n_fft (const EsGammatoneFb *fb);
size_t es_gammatone_fb_get_n_bins (const EsGammatoneFb *fb);
const EsGammatoneBand *es_gammatone_fb_get_bands (const EsGammatoneFb *fb);
/* The weight matrix, n_bands rows of n_bins (row-major), w_b(k rate / n_fft)
 * with the negligible tail zeroed (see ES_GAMMATONE_WEIGHT_CUTOFF): energies
 * are exactly this matrix times the power spectrum. */
const float *es_gammatone_fb_get_weights (const EsGammatoneFb *fb);

/* Band energies E_b of one frame (frame_size samples, already windowed).
 * Allocation-free; uses scratch inside fb, so one thread at a time per fb. */
void es_gammatone_fb_energies (EsGammatoneFb *fb, const float *frame, float *energies);
/* The same for n_frames consecutive frames (rows of frame_size samples), into
 * energies[t * n_bands + b]. Bit-identical to es_gammatone_fb_energies on each
 * frame, whatever n_frames; faster, as the weights are applied to blocks of
 * ES_GAMMATONE_BLOCK frames at a time. */
#define ES_GAMMATONE_BLOCK 8
void es_gammatone_fb_energies_frames (EsGammatoneFb *fb, const float *frames,
    size_t n_frames, float *energies);
/* Energies of an already computed power spectrum (n_bins values). */
void es_gammatone_fb_apply (const EsGammatoneFb *fb, const float *power, float *energies);

/* x[i] = ln(max(x[i], floor)); NaN stays NaN. */
void es_log_compress (float *x, size_t n, float floor);

G_END_DECLS

#endif
