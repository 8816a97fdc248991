/* softargmax: [C, H, W] -> [C, W], the expected row position per channel and
 * column under a softmax over the rows (see softargmax_columns). */
#include "nn/layers/kernels.h"

#include <math.h>
#include <string.h>

typedef struct {
  EsLayer base;
  double beta;
  size_t channels_in, in_h, in_w;
  EsLayerParam *bias;           /* [C, H], NULL with "bias": false */
  float *column_stats;          /* per column: running max, sum, weighted sum (W each) */
} ColumnLayer;

/* Soft-argmax over the height of [C, H, W]: for each channel and column, the
 * expected row position under softmax(beta (x[c, :, w] + bias[c, :])), positions
 * (r + 0.5) / H, so 0 is the top edge and 1 the bottom one. It turns a map of
 * "where the curve is" into the curve's height per column, normalised whatever
 * the line's width or contrast (DSNT / integral regression, Nibali 2018,
 * Sun 2018). beta (inverse temperature) makes the softmax sharp from the
 * first step, so the net need not first grow large weights; the learnable
 * per-row bias lets the net ignore fixed rows such as
 * a graph's frame. The per-column running max, sum and weighted sum are kept
 * in W-long rows so the inner loops run along memory. */
static void
softargmax_columns (const ColumnLayer *l, const float *restrict x, const float *restrict bias,
    float *restrict m, float *restrict s, float *restrict ws)
{
  const size_t H = l->in_h, W = l->in_w;
  const float beta = (float) l->beta;
  for (size_t w = 0; w < W; w++)
    m[w] = -INFINITY;
  for (size_t r = 0; r < H; r++) {
    const float b = bias ? bias[r] : 0.0f;
    for (size_t w = 0; w < W; w++) {
      const float v = beta * (x[r * W + w] + b);
      m[w] = v > m[w] ? v : m[w];
    }
  }
  memset (s, 0, W * sizeof (float));
  memset (ws, 0, W * sizeof (float));
  for (size_t r = 0; r < H; r++) {
    const float b = bias ? bias[r] : 0.0f, pos = ((float) r + 0.5f) / (float) H;
    for (size_t w = 0; w < W; w++) {
      const float e = expf (beta * (x[r * W + w] + b) - m[w]);
      s[w] += e;
      ws[w] += e * pos;
    }
  }
}

/* d y / d x[r] = p[r] (pos[r] - y); the bias gradient is the same summed
 * over examples and columns. */
static void
softargmax_backward (ColumnLayer *l, const float *in, const float *out,
    const float *grad_out, float *grad_in, size_t batch)
{
  const size_t C = l->channels_in, H = l->in_h, W = l->in_w;
  const float beta = (float) l->beta;
  float *m = l->column_stats, *s = m + W, *ws = m + 2 * W;
  float *db = es_layer_param_grad (l->bias);

  for (size_t bc = 0; bc < batch * C; bc++) {
    const size_t c = bc % C;
    const float *bias = l->bias ? l->bias->value->data + c * H : NULL;
    const float *x = in + bc * H * W, *y = out + bc * W, *g = grad_out + bc * W;
    softargmax_columns (l, x, bias, m, s, ws);
    for (size_t w = 0; w < W; w++)
      s[w] = beta * g[w] / s[w];        /* now beta g / sum */
    for (size_t r = 0; r < H; r++) {
      const float b = bias ? bias[r] : 0.0f, pos = ((float) r + 0.5f) / (float) H;
      double gb = 0.0;
      for (size_t w = 0; w < W; w++) {
        const float d = expf (beta * (x[r * W + w] + b) - m[w]) * s[w] * (pos - y[w]);
        if (grad_in)
          grad_in[bc * H * W + r * W + w] = d;
        gb += d;
      }
      if (db)
        db[c * H + r] += (float) gb;
    }
  }
}

/* Forward: y = weighted sum / sum per column. */
static void
softargmax_forward (EsLayer *layer, const float *in, float *out, size_t batch,
    const EsLayerContext *ctx)
{
  ColumnLayer *l = (ColumnLayer *) layer;
  const size_t C = l->channels_in, H = l->in_h, W = l->in_w;
  float *m = l->column_stats, *s = m + W, *ws = m + 2 * W;
  (void) ctx;

  for (size_t bc = 0; bc < batch * C; bc++) {
    const float *bias = l->bias ? l->bias->value->data + (bc % C) * H : NULL;
    softargmax_columns (l, in + bc * H * W, bias, m, s, ws);
    for (size_t w = 0; w < W; w++)
      out[bc * W + w] = ws[w] / s[w];
  }
}

static void
softargmax_layer_backward (EsLayer *layer, const float *in, const float *out,
    const float *grad_out, float *grad_in, size_t batch, const EsLayerContext *ctx)
{
  (void) ctx;
  softargmax_backward ((ColumnLayer *) layer, in, out, grad_out, grad_in, batch);
}

static gboolean
softargmax_configure (EsLayer *layer, const EsLayerArgs *a, GError **error)
{
  ColumnLayer *l = (ColumnLayer *) layer;
  const size_t *in_shape = layer->in_shape;
  gboolean has_bias;
  size_t shape[2];

  if (!es_layer_args_double (a, "beta", 1.0, 1e-3, 1e3, TRUE, &l->beta, error)
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
softargmax_reserve (EsLayer *layer, size_t batch)
{
  ColumnLayer *l = (ColumnLayer *) layer;
  (void) batch;
  l->column_stats = g_new0 (float, 3 * l->in_w);
}

static void
softargmax_release (EsLayer *layer)
{
  g_clear_pointer (&((ColumnLayer *) layer)->column_stats, g_free);
}

static double
softargmax_flops (const EsLayer *layer)
{
  return 5.0 * layer->in_size;
}

static const char *const softargmax_fields[] = { "beta", "bias", NULL };

const EsLayerOps es_layer_softargmax = {
  .name = "softargmax",
  .size = sizeof (ColumnLayer),
  .fields = softargmax_fields,
  .configure = softargmax_configure,
  .reserve = softargmax_reserve,
  .release = softargmax_release,
  .flops = softargmax_flops,
  .forward = softargmax_forward,
  .backward = softargmax_layer_backward,
};
