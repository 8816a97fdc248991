/* centroid: [C, H, W] -> [C, W], the centre of mass of the rows per channel
 * and column (see centroid_columns). */
#include "nn/layers/kernels.h"

#include <math.h>
#include <string.h>

typedef struct {
  EsLayer base;
  double eps;
  size_t channels_in, in_h, in_w;
  EsLayerParam *bias;           /* [C, H], NULL with "bias": false */
  float *column_stats;          /* 3 W floats of per-column sums */
} ColumnLayer;

/* Centroid over the height of [C, H, W]: the same expected row position as
 * softargmax, but
 * with weights proportional to the (non-negative part of the) input times a
 * learnable per-row gain exp(bias), plus a prior mass eps at the middle:
 *   y = (sum_r g_r x_r pos_r + eps / 2) / (sum_r g_r x_r + eps).
 * Scaling a column scales both sums, so the height read from a map of "how
 * much curve is here" does not depend on how thick or dark the line was
 * drawn, which a softmax (or a linear read-out) does; an empty column reads
 * as the middle. */
static void
centroid_columns (const ColumnLayer *l, const float *restrict x, const float *restrict bias,
    float *restrict s, float *restrict ws)
{
  const size_t H = l->in_h, W = l->in_w;
  const float eps = (float) l->eps;
  for (size_t w = 0; w < W; w++) {
    s[w] = eps;
    ws[w] = 0.5f * eps;
  }
  for (size_t r = 0; r < H; r++) {
    const float g = bias ? expf (bias[r]) : 1.0f, pos = ((float) r + 0.5f) / (float) H;
    for (size_t w = 0; w < W; w++) {
      const float v = x[r * W + w] > 0.0f ? g * x[r * W + w] : 0.0f;
      s[w] += v;
      ws[w] += v * pos;
    }
  }
}

/* d y / d x[r] = g_r (pos[r] - y) / S where x[r] > 0 (else 0);
 * d y / d b[r] = x[r] times that. */
static void
centroid_backward (ColumnLayer *l, const float *in, const float *out,
    const float *grad_out, float *grad_in, size_t batch)
{
  const size_t C = l->channels_in, H = l->in_h, W = l->in_w;
  float *s = l->column_stats, *ws = s + W;
  float *db = es_layer_param_grad (l->bias);

  for (size_t bc = 0; bc < batch * C; bc++) {
    const size_t c = bc % C;
    const float *bias = l->bias ? l->bias->value->data + c * H : NULL;
    const float *x = in + bc * H * W, *y = out + bc * W, *g = grad_out + bc * W;
    centroid_columns (l, x, bias, s, ws);
    for (size_t w = 0; w < W; w++)
      s[w] = g[w] / s[w];               /* now g / S */
    for (size_t r = 0; r < H; r++) {
      const float gain = bias ? expf (bias[r]) : 1.0f, pos = ((float) r + 0.5f) / (float) H;
      double gb = 0.0;
      for (size_t w = 0; w < W; w++) {
        const float xv = x[r * W + w];
        const float d = xv > 0.0f ? gain * s[w] * (pos - y[w]) : 0.0f;
        if (grad_in)
          grad_in[bc * H * W + r * W + w] = d;
        gb += d * xv;
      }
      if (db)
        db[c * H + r] += (float) gb;
    }
  }
}

/* Forward: y = weighted sum / sum per column. */
static void
centroid_forward (EsLayer *layer, const float *in, float *out, size_t batch,
    const EsLayerContext *ctx)
{
  ColumnLayer *l = (ColumnLayer *) layer;
  const size_t C = l->channels_in, H = l->in_h, W = l->in_w;
  float *m = l->column_stats, *s = m + W, *ws = m + 2 * W;
  (void) ctx;

  for (size_t bc = 0; bc < batch * C; bc++) {
    const float *bias = l->bias ? l->bias->value->data + (bc % C) * H : NULL;
    centroid_columns (l, in + bc * H * W, bias, s, ws);
    for (size_t w = 0; w < W; w++)
      out[bc * W + w] = ws[w] / s[w];
  }
}

static void
centroid_layer_backward (EsLayer *layer, const float *in, const float *out,
    const float *grad_out, float *grad_in, size_t batch, const EsLayerContext *ctx)
{
  (void) ctx;
  centroid_backward ((ColumnLayer *) layer, in, out, grad_out, grad_in, batch);
}

static gboolean
centroid_configure (EsLayer *layer, const EsLayerArgs *a, GError **error)
{
  ColumnLayer *l = (ColumnLayer *) layer;
  const size_t *in_shape = layer->in_shape;
  gboolean has_bias;
  size_t shape[2];

  if (!es_layer_args_double (a, "eps", 1e-2, 1e-6, 1e3, TRUE, &l->eps, error)
      || !es_layer_expect_rank (a, layer->in_ndim, 3, "[C, H, W]", error)
      || !es_layer_args_bool (a, "bias", TRUE, &has_bias, error))
    return FALSE;
  l->channels_in = in_shape[0];
  l->in_h = in_shape[1];
  l->in_w = in_shape[2];
  layer->out_ndim = 2;
  layer->out_shape[0] = in_shape[0];
  layer->out_shape[1] = in_shape[2];
  /* one position bias per channel and row, starting at 0 (all rows alike) */
  shape[0] = l->channels_in;
  shape[1] = l->in_h;
  l->bias = has_bias ? es_layer_declare_param (layer, "bias", ES_LAYER_PARAM_TRAINABLE, 2,
      shape) : NULL;
  return TRUE;
}

static void
centroid_reserve (EsLayer *layer, size_t batch)
{
  ColumnLayer *l = (ColumnLayer *) layer;
  (void) batch;
  l->column_stats = g_new0 (float, 3 * l->in_w);
}

static void
centroid_release (EsLayer *layer)
{
  g_clear_pointer (&((ColumnLayer *) layer)->column_stats, g_free);
}

static double
centroid_flops (const EsLayer *layer)
{
  return 3.0 * layer->in_size;
}

static const char *const centroid_fields[] = { "eps", "bias", NULL };

const EsLayerOps es_layer_centroid = {
  .name = "centroid",
  .size = sizeof (ColumnLayer),
  .fields = centroid_fields,
  .configure = centroid_configure,
  .reserve = centroid_reserve,
  .release = centroid_release,
  .flops = centroid_flops,
  .forward = centroid_forward,
  .backward = centroid_layer_backward,
};
