/* gammatone: the learnable gammatone filterbank of dsp/gammatone-params.h as
 * a layer. Input per example: a window of power spectra [W frames, K bins],
 * frame-major as the front-end makes them (K = n_fft / 2 + 1, n_fft the
 * power of two >= frame_size). Output: band energies [bands, W] (channels =
 * bands, length = frames, so a conv1d can follow), or [1, bands, W] with
 * "image": true (for a conv2d). Band 0 (the lowest) is row 0.
 *
 * The bands start on the mel scale exactly as the front-end's (dsp/frontend.h:
 * es_gammatone_bands_mel (bands, fmin, fmax, bandwidth), centres kept inside
 * (fmin, rate / 2)), and the weights are always those of an EsGammatoneFb
 * applied with es_gammatone_fb_apply_frames, the gammatonefb element's code:
 * with the parameter at 0 (its initial value, or "trainable": false) the
 * layer gives the element's numbers bit for bit.
 *
 * Parameter "<i>.weight" [3, bands]: the raw offsets of centre, bandwidth and
 * gain per band (ES_GAMMATONE_RAW_*), 0 = the initial bands. */
#include "nn/layers/kernels.h"
#include "nn/audio-layers.h"

#include <math.h>
#include <string.h>

#include "dsp/fft.h"
#include "dsp/gammatone-params.h"

/* Bounds that keep a hostile model file from making the filterbank large:
 * the weight matrix (bands x bins floats) is allocated when the net is built. */
#define MAX_BANDS 1024
#define MAX_FRAME_SIZE ((gint64) 1 << 16)
#define MAX_WEIGHTS ((size_t) 1 << 22)

typedef struct {
  EsLayer base;
  EsGammatoneLayerConfig config;
  size_t n_bins, n_frames;
  size_t n_weights;             /* non-zero filterbank weights (for flops) */
  EsGammatoneParams *params;
  EsGammatoneFb *fb;            /* always on the bands of fb_raw */
  float *fb_raw;
  EsLayerParam *weight;
  /* Per batch: one example's energies and their gradient [W, bands], and
   * dL/dW of the filterbank [bands, K]. */
  float *energies, *denergies, *dweights;
} GammatoneLayer;

static gboolean
gammatone_configure (EsLayer *layer, const EsLayerArgs *a, GError **error)
{
  GammatoneLayer *l = (GammatoneLayer *) layer;
  EsGammatoneLayerConfig *c = &l->config;
  gint64 rate, frame_size, bands, unused;
  EsGammatoneBand *init;
  EsGammatoneLimits limits;
  GError *dsp_error = NULL;
  size_t shape[2];

  if (!es_layer_args_ints (a, "rate", TRUE, 0, 1, FALSE, &rate, &unused, error)
      || !es_layer_args_ints (a, "frame_size", TRUE, 0, 2, FALSE, &frame_size, &unused,
          error)
      || !es_layer_args_ints (a, "bands", FALSE, 64, 1, FALSE, &bands, &unused, error)
      || !es_layer_args_double (a, "fmin", ES_GAMMATONE_DEFAULT_FMIN, 0.0, rate / 2.0,
          FALSE, &c->fmin, error)
      || !es_layer_args_double (a, "fmax", rate / 2.0, 0.0, rate / 2.0, TRUE, &c->fmax,
          error)
      || !es_layer_args_double (a, "bandwidth", ES_GAMMATONE_DEFAULT_BANDWIDTH, 1e-3, 1e3,
          TRUE, &c->bandwidth, error)
      || !es_layer_args_bool (a, "image", FALSE, &c->image, error))
    return FALSE;
  if (frame_size > MAX_FRAME_SIZE || bands > MAX_BANDS)
    return es_layer_error (error, a, "at most %d bands and frames of %" G_GINT64_FORMAT
        " samples", MAX_BANDS, MAX_FRAME_SIZE);
  if (c->fmin >= c->fmax)
    return es_layer_error (error, a, "needs fmin (%g) < fmax (%g)", c->fmin, c->fmax);
  c->sample_rate = (unsigned) rate;
  c->frame_size = (size_t) frame_size;
  c->n_bands = (unsigned) bands;
  c->n_fft = es_next_pow2 (c->frame_size);
  l->n_bins = c->n_fft / 2 + 1;
  if (l->n_bins * c->n_bands > MAX_WEIGHTS)
    return es_layer_error (error, a, "%u bands of %zu bins is more than %zu filterbank "
        "weights", c->n_bands, l->n_bins, MAX_WEIGHTS);

  if (!es_layer_expect_rank (a, layer->in_ndim, 2, "[frames, bins]", error))
    return FALSE;
  if (layer->in_shape[1] != l->n_bins)
    return es_layer_error (error, a, "needs power spectra of %zu bins per frame "
        "(frame_size %zu: n_fft %zu), gets %zu", l->n_bins, c->frame_size, c->n_fft,
        layer->in_shape[1]);
  l->n_frames = layer->in_shape[0];

  init = es_gammatone_bands_mel (c->n_bands, c->fmin, c->fmax, c->bandwidth);
  es_gammatone_limits_init (&limits, c->fmin, c->sample_rate);
  l->params = es_gammatone_params_new (init, c->n_bands, c->frame_size, c->sample_rate,
      &limits, &dsp_error);
  g_free (init);
  if (l->params == NULL) {
    es_layer_error (error, a, "%s", dsp_error->message);
    g_error_free (dsp_error);
    return FALSE;
  }
  l->fb = es_gammatone_params_new_fb (l->params, NULL);
  l->fb_raw = g_new0 (float, ES_GAMMATONE_N_RAW_PER_BAND * c->n_bands);
  {
    const float *w = es_gammatone_fb_get_weights (l->fb);
    for (size_t i = 0; i < l->n_bins * c->n_bands; i++)
      l->n_weights += w[i] != 0.0f;
  }

  if (c->image) {
    layer->out_ndim = 3;
    layer->out_shape[0] = 1;
    layer->out_shape[1] = c->n_bands;
    layer->out_shape[2] = l->n_frames;
  } else {
    layer->out_shape[0] = c->n_bands;
    layer->out_shape[1] = l->n_frames;
  }
  shape[0] = ES_GAMMATONE_N_RAW_PER_BAND;
  shape[1] = c->n_bands;
  l->weight = es_layer_declare_param (layer, "weight", ES_LAYER_PARAM_TRAINABLE, 2, shape);
  return TRUE;
}

static void
gammatone_finalize (EsLayer *layer)
{
  GammatoneLayer *l = (GammatoneLayer *) layer;
  es_gammatone_params_free (l->params);
  es_gammatone_fb_free (l->fb);
  g_free (l->fb_raw);
}

static void
gammatone_reserve (EsLayer *layer, size_t batch)
{
  GammatoneLayer *l = (GammatoneLayer *) layer;
  const size_t n = l->n_frames * l->config.n_bands;
  (void) batch;
  l->energies = g_new (float, n);
  l->denergies = g_new (float, n);
  l->dweights = g_new (float, l->n_bins * l->config.n_bands);
}

static void
gammatone_release (EsLayer *layer)
{
  GammatoneLayer *l = (GammatoneLayer *) layer;
  g_clear_pointer (&l->energies, g_free);
  g_clear_pointer (&l->denergies, g_free);
  g_clear_pointer (&l->dweights, g_free);
}

static double
gammatone_flops (const EsLayer *layer)
{
  const GammatoneLayer *l = (const GammatoneLayer *) layer;
  return 2.0 * l->n_weights * l->n_frames;
}

static void
gammatone_describe (const EsLayer *layer, GString *out)
{
  const GammatoneLayer *l = (const GammatoneLayer *) layer;
  g_string_append_printf (out, " %u bands %g-%g Hz, %u Hz, n_fft %zu%s", l->config.n_bands,
      l->config.fmin, l->config.fmax, l->config.sample_rate, l->config.n_fft,
      l->config.image ? ", image" : "");
}

/* Move the filterbank to the bands of the current parameter (after an
 * optimiser step or a model load). FALSE if the parameter is not finite. */
static gboolean
gammatone_sync (GammatoneLayer *l)
{
  const size_t n = ES_GAMMATONE_N_RAW_PER_BAND * l->config.n_bands;
  const float *raw = l->weight->value->data;

  if (memcmp (raw, l->fb_raw, n * sizeof (float)) == 0)
    return TRUE;
  for (size_t i = 0; i < n; i++)
    if (!isfinite (raw[i]))
      return FALSE;
  es_gammatone_params_update_fb (l->params, raw, l->fb);
  memcpy (l->fb_raw, raw, n * sizeof (float));
  return TRUE;
}

static void
gammatone_forward (EsLayer *layer, const float *in, float *out, size_t batch,
    const EsLayerContext *ctx)
{
  GammatoneLayer *l = (GammatoneLayer *) layer;
  const size_t W = l->n_frames, B = l->config.n_bands;
  (void) ctx;

  if (!gammatone_sync (l)) {
    /* A diverged parameter: say so in the output rather than abort. */
    for (size_t i = 0; i < batch * layer->out_size; i++)
      out[i] = NAN;
    return;
  }
  for (size_t e = 0; e < batch; e++) {
    float *y = out + e * layer->out_size;
    es_gammatone_fb_apply_frames (l->fb, in + e * layer->in_size, W, l->energies);
    /* [W, bands] -> [bands, W] */
    for (size_t t = 0; t < W; t++)
      for (size_t b = 0; b < B; b++)
        y[b * W + t] = l->energies[t * B + b];
  }
}

static void
gammatone_backward (EsLayer *layer, const float *in, const float *out,
    const float *grad_out, float *grad_in, size_t batch, const EsLayerContext *ctx)
{
  GammatoneLayer *l = (GammatoneLayer *) layer;
  const size_t W = l->n_frames, B = l->config.n_bands;
  float *draw = es_layer_param_grad (l->weight);
  (void) out;
  (void) ctx;

  if (draw == NULL && grad_in == NULL)
    return;
  if (draw)
    memset (l->dweights, 0, l->n_bins * B * sizeof (float));
  for (size_t e = 0; e < batch; e++) {
    const float *dy = grad_out + e * layer->out_size;
    for (size_t t = 0; t < W; t++)
      for (size_t b = 0; b < B; b++)
        l->denergies[t * B + b] = dy[b * W + t];
    es_gammatone_fb_apply_frames_backward (l->fb, in + e * layer->in_size, W,
        l->denergies, draw ? l->dweights : NULL,
        grad_in ? grad_in + e * layer->in_size : NULL);
  }
  if (draw)
    es_gammatone_params_backward (l->params, l->fb_raw, l->fb, l->dweights, draw);
}

static const char *const gammatone_fields[] =
    { "rate", "frame_size", "bands", "fmin", "fmax", "bandwidth", "image", NULL };

const EsLayerOps es_layer_gammatone = {
  .name = "gammatone",
  .size = sizeof (GammatoneLayer),
  .fields = gammatone_fields,
  .frontend = ES_LAYER_FRONTEND_SOURCE,
  .configure = gammatone_configure,
  .finalize = gammatone_finalize,
  .reserve = gammatone_reserve,
  .release = gammatone_release,
  .flops = gammatone_flops,
  .describe = gammatone_describe,
  .forward = gammatone_forward,
  .backward = gammatone_backward,
};

/* ---- queries (nn/audio-layers.h) ------------------------------------------ */

static GammatoneLayer *
gammatone_layer (EsNet *net, size_t index, GError **error)
{
  EsLayer *l = es_net_get_layer (net, index);
  if (l == NULL || l->ops != &es_layer_gammatone) {
    g_set_error (error, ES_NN_ERROR, ES_NN_ERROR_ARCHITECTURE,
        "layer %zu is not a gammatone layer", index);
    return NULL;
  }
  return (GammatoneLayer *) l;
}

gboolean
es_net_get_gammatone_config (EsNet *net, size_t layer, EsGammatoneLayerConfig *config,
    GError **error)
{
  GammatoneLayer *l = gammatone_layer (net, layer, error);
  if (l == NULL)
    return FALSE;
  *config = l->config;
  return TRUE;
}

EsGammatoneBand *
es_net_get_gammatone_bands (EsNet *net, size_t layer, unsigned *n_bands, GError **error)
{
  GammatoneLayer *l = gammatone_layer (net, layer, error);
  const float *raw;
  EsGammatoneBand *bands;

  if (l == NULL)
    return NULL;
  raw = l->weight->value->data;
  for (size_t i = 0; i < ES_GAMMATONE_N_RAW_PER_BAND * l->config.n_bands; i++)
    if (!isfinite (raw[i])) {
      g_set_error (error, ES_NN_ERROR, ES_NN_ERROR_FORMAT,
          "layer %zu (gammatone): parameter %zu is not finite", layer, i);
      return NULL;
    }
  bands = g_new (EsGammatoneBand, l->config.n_bands);
  es_gammatone_params_bands (l->params, raw, bands);
  if (n_bands)
    *n_bands = l->config.n_bands;
  return bands;
}
