/* The audio front-end layers of a net as dsp objects: what serving needs to
 * run a trained front-end outside the net (the gammatonefb element applies
 * the learned bands with the same pipeline/dsp code the layers train
 * through, and cnnclassify runs the rest of the net with
 * es_net_forward_from).
 *
 * Layers (architecture JSON, see docs/nn.md):
 *   gammatone  power spectra [W, K] -> band energies [bands, W]
 *              ([1, bands, W] with "image": true); parameter "<i>.weight"
 *              [3, bands], the raw offsets of dsp/gammatone-params.h
 *   log        es_log_compress with "floor"
 *   pcen       [bands, T] -> [bands, T - warmup]; parameter "<i>.weight"
 *              [4, bands], the raw offsets of dsp/compress.h
 *   dct        [bands, T] -> [coefficients, T], dsp/dct.h */
#ifndef ES_NN_AUDIO_LAYERS_H
#define ES_NN_AUDIO_LAYERS_H

#include <stddef.h>
#include <glib.h>

#include "net.h"
#include "../dsp/gammatone.h"
#include "../dsp/compress.h"

G_BEGIN_DECLS

/* The settings of a gammatone layer (its JSON fields, with defaults filled). */
typedef struct {
  unsigned sample_rate;       /* "rate", Hz */
  size_t frame_size;          /* "frame_size", samples per frame */
  size_t n_fft;               /* es_next_pow2 (frame_size): K = n_fft / 2 + 1 bins */
  unsigned n_bands;           /* "bands" (64) */
  double fmin, fmax;          /* "fmin" (50), "fmax" (rate / 2), Hz */
  double bandwidth;           /* "bandwidth" (1.019), ERB factor of the initial bands */
  gboolean image;             /* "image" (false): output [1, bands, W] */
} EsGammatoneLayerConfig;

/* Settings of gammatone layer `layer`; FALSE (ES_NN_ERROR_ARCHITECTURE) if it
 * is not one. */
gboolean es_net_get_gammatone_config (EsNet *net, size_t layer,
    EsGammatoneLayerConfig *config, GError **error);
/* The bands of gammatone layer `layer` at its current parameter (newly
 * allocated, *n_bands of them; g_free): es_gammatone_fb_new on them gives the
 * layer's filterbank bit for bit. NULL with an error if the layer is not a
 * gammatone layer or its parameter is not finite. */
EsGammatoneBand *es_net_get_gammatone_bands (EsNet *net, size_t layer, unsigned *n_bands,
    GError **error);
/* The per-band values of pcen layer `layer` at its current parameter (newly
 * allocated), its eps and warm-up frames (each output may be NULL). */
EsPcenBand *es_net_get_pcen_bands (EsNet *net, size_t layer, unsigned *n_bands,
    double *eps, size_t *warmup, GError **error);

G_END_DECLS

#endif
