/* pcen: per-channel energy normalisation (dsp/compress.h, es_pcen_*) of band
 * energies [bands, T] (or [1, bands, T]) with trainable per-band alpha, delta,
 * root and smoothing, all in double inside, as the front-end computes it.
 *
 * "warmup": P frames. The smoother M[t] = (1 - s) M[t-1] + s E[t] carries a
 * memory of about 1/s frames, so a window cut from a stream must not start it
 * afresh: the input window carries P extra leading frames that warm the
 * smoother up and are dropped from the output ([bands, T] -> [bands, T - P]).
 * A window at the start of a clip is padded by repeating its first frame:
 * the smoother then starts at E[0] as a fresh start does (M[-1] = E[0]), equal
 * to it up to the double rounding of (1 - s) E + s E.
 *
 * Parameter "<i>.weight" [4, bands]: raw offsets of alpha, delta, root and
 * smoothing (ES_PCEN_RAW_*), 0 = LEAF's initialisation. */
#include "nn/layers/kernels.h"
#include "nn/audio-layers.h"

#include <math.h>
#include <string.h>

#define MAX_BANDS 4096

typedef struct {
  EsLayer base;
  gboolean image;               /* [1, bands, T] */
  unsigned n_bands;
  size_t n_frames, warmup;      /* T (input) and P */
  EsPcen *pcen;
  EsLayerParam *weight;
  /* Per batch, one example frame-major [T, bands]: energies, output and the
   * output's gradient, the energies' gradient. */
  float *e, *y, *dy, *de;
} PcenLayer;

static gboolean
pcen_configure (EsLayer *layer, const EsLayerArgs *a, GError **error)
{
  PcenLayer *l = (PcenLayer *) layer;
  const int nd = layer->in_ndim;
  const size_t *s = layer->in_shape;
  double eps;
  gint64 warmup, unused;
  GError *dsp_error = NULL;
  size_t shape[2];

  if (!es_layer_args_double (a, "eps", ES_PCEN_DEFAULT_EPS, 1e-12, 1.0, TRUE, &eps, error)
      || !es_layer_args_ints (a, "warmup", FALSE, 0, 0, FALSE, &warmup, &unused, error))
    return FALSE;
  if (!(nd == 2 || (nd == 3 && s[0] == 1)))
    return es_layer_error (error, a, "needs band energies [bands, frames] or "
        "[1, bands, frames]");
  l->image = nd == 3;
  if (s[nd - 2] > MAX_BANDS)
    return es_layer_error (error, a, "at most %d bands", MAX_BANDS);
  l->n_bands = (unsigned) s[nd - 2];
  l->n_frames = s[nd - 1];
  if ((size_t) warmup >= l->n_frames)
    return es_layer_error (error, a, "a warm-up of %" G_GINT64_FORMAT " frames leaves "
        "nothing of a window of %zu frames", warmup, l->n_frames);
  l->warmup = (size_t) warmup;
  l->pcen = es_pcen_new (NULL, l->n_bands, eps, &dsp_error);
  if (l->pcen == NULL) {
    es_layer_error (error, a, "%s", dsp_error->message);
    g_error_free (dsp_error);
    return FALSE;
  }
  layer->out_shape[nd - 1] = l->n_frames - l->warmup;
  shape[0] = ES_PCEN_N_RAW_PER_BAND;
  shape[1] = l->n_bands;
  l->weight = es_layer_declare_param (layer, "weight", ES_LAYER_PARAM_TRAINABLE, 2, shape);
  return TRUE;
}

static void
pcen_finalize (EsLayer *layer)
{
  es_pcen_free (((PcenLayer *) layer)->pcen);
}

static void
pcen_reserve (EsLayer *layer, size_t batch)
{
  PcenLayer *l = (PcenLayer *) layer;
  const size_t n = l->n_frames * l->n_bands;
  (void) batch;
  l->e = g_new (float, n);
  l->y = g_new (float, n);
  l->dy = g_new (float, n);
  l->de = g_new (float, n);
}

static void
pcen_release (EsLayer *layer)
{
  PcenLayer *l = (PcenLayer *) layer;
  g_clear_pointer (&l->e, g_free);
  g_clear_pointer (&l->y, g_free);
  g_clear_pointer (&l->dy, g_free);
  g_clear_pointer (&l->de, g_free);
}

static double
pcen_flops (const EsLayer *layer)
{
  /* smoother, two pow, a division and the offsets */
  return 10.0 * layer->in_size;
}

static void
pcen_describe (const EsLayer *layer, GString *out)
{
  const PcenLayer *l = (const PcenLayer *) layer;
  g_string_append_printf (out, " %u bands eps=%g warmup=%zu", l->n_bands,
      es_pcen_get_eps (l->pcen), l->warmup);
}

/* x [bands, T] (band-major, the net's layout) -> t [T, bands] and back. */
static void
to_frames (const float *x, size_t B, size_t T, float *t)
{
  for (size_t b = 0; b < B; b++)
    for (size_t f = 0; f < T; f++)
      t[f * B + b] = x[b * T + f];
}

static void
pcen_forward (EsLayer *layer, const float *in, float *out, size_t batch,
    const EsLayerContext *ctx)
{
  PcenLayer *l = (PcenLayer *) layer;
  const size_t B = l->n_bands, T = l->n_frames, P = l->warmup, T_out = T - P;
  const float *raw = l->weight->value->data;
  (void) ctx;

  for (size_t e = 0; e < batch; e++) {
    float *y = out + e * layer->out_size;
    to_frames (in + e * layer->in_size, B, T, l->e);
    es_pcen_forward (l->pcen, raw, l->e, T, NULL, l->y);
    for (size_t b = 0; b < B; b++)
      for (size_t f = 0; f < T_out; f++)
        y[b * T_out + f] = l->y[(f + P) * B + b];
  }
}

static void
pcen_backward (EsLayer *layer, const float *in, const float *out,
    const float *grad_out, float *grad_in, size_t batch, const EsLayerContext *ctx)
{
  PcenLayer *l = (PcenLayer *) layer;
  const size_t B = l->n_bands, T = l->n_frames, P = l->warmup, T_out = T - P;
  const float *raw = l->weight->value->data;
  float *draw = es_layer_param_grad (l->weight);
  (void) out;
  (void) ctx;

  if (draw == NULL && grad_in == NULL)
    return;
  /* the warm-up frames have no output, so no gradient of their own */
  memset (l->dy, 0, P * B * sizeof (float));
  for (size_t e = 0; e < batch; e++) {
    const float *g = grad_out + e * layer->out_size;
    to_frames (in + e * layer->in_size, B, T, l->e);
    for (size_t b = 0; b < B; b++)
      for (size_t f = 0; f < T_out; f++)
        l->dy[(f + P) * B + b] = g[b * T_out + f];
    es_pcen_backward (l->pcen, raw, l->e, T, l->dy, grad_in ? l->de : NULL, draw);
    if (grad_in) {
      float *dx = grad_in + e * layer->in_size;
      for (size_t b = 0; b < B; b++)
        for (size_t f = 0; f < T; f++)
          dx[b * T + f] = l->de[f * B + b];
    }
  }
}

static const char *const pcen_fields[] = { "eps", "warmup", NULL };

const EsLayerOps es_layer_pcen = {
  .name = "pcen",
  .size = sizeof (PcenLayer),
  .fields = pcen_fields,
  .frontend = ES_LAYER_FRONTEND_STAGE,
  .configure = pcen_configure,
  .finalize = pcen_finalize,
  .reserve = pcen_reserve,
  .release = pcen_release,
  .flops = pcen_flops,
  .describe = pcen_describe,
  .forward = pcen_forward,
  .backward = pcen_backward,
};

/* ---- queries (nn/audio-layers.h) ------------------------------------------ */

EsPcenBand *
es_net_get_pcen_bands (EsNet *net, size_t layer, unsigned *n_bands, double *eps,
    size_t *warmup, GError **error)
{
  EsLayer *base = es_net_get_layer (net, layer);
  PcenLayer *l;
  EsPcenBand *bands;

  if (base == NULL || base->ops != &es_layer_pcen) {
    g_set_error (error, ES_NN_ERROR, ES_NN_ERROR_ARCHITECTURE,
        "layer %zu is not a pcen layer", layer);
    return NULL;
  }
  l = (PcenLayer *) base;
  bands = g_new (EsPcenBand, l->n_bands);
  es_pcen_bands (l->pcen, l->weight->value->data, bands);
  if (n_bands)
    *n_bands = l->n_bands;
  if (eps)
    *eps = es_pcen_get_eps (l->pcen);
  if (warmup)
    *warmup = l->warmup;
  return bands;
}
