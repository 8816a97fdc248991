/* maxpool1d and maxpool2d: no padding, floor mode, the first maximum wins
 * and a NaN propagates, like PyTorch's defaults. A 1-D pool is a 2-D one of
 * height 1. Max-pool stores no argmax: backward finds the kept element again
 * in the layer input. Windows of 2 (or 2x2) with stride = kernel take a fast
 * path and can be fused after a convolution at inference. */
#include "nn/layers/kernels.h"

#include <math.h>
#include <string.h>

typedef struct {
  EsLayer base;
  EsPoolWindow w;
} PoolLayer;

/* Windows of 2 (or 2x2) that do not overlap. */
static gboolean
pool_pairs (const PoolLayer *l)
{
  const EsPoolWindow *w = &l->w;
  return w->kernel_w == 2 && w->stride_w == 2
      && ((w->kernel_h == 1 && w->stride_h == 1) || (w->kernel_h == 2 && w->stride_h == 2));
}


/* Index (into one example) of the element a window keeps: the same scan
 * order and rule as the forward, so backward needs no stored argmax. */
static size_t
pool_argmax (const PoolLayer *l, const float *x, size_t c, size_t oh, size_t ow)
{
  const size_t H = l->w.in_h, W = l->w.in_w;
  size_t best = c * H * W + oh * l->w.stride_h * W + ow * l->w.stride_w;
  float v = x[best];

  for (size_t ki = 0; ki < l->w.kernel_h; ki++) {
    for (size_t kj = 0; kj < l->w.kernel_w; kj++) {
      size_t at = c * H * W + (oh * l->w.stride_h + ki) * W + ow * l->w.stride_w + kj;
      if (x[at] > v || isnan (x[at])) {
        v = x[at];
        best = at;
      }
    }
  }
  return best;
}

static void
maxpool_forward (const PoolLayer *l, const float *in, float *out, size_t batch)
{
  const size_t C = l->w.channels, H = l->w.in_h, W = l->w.in_w;
  const size_t OH = l->w.out_h, OW = l->w.out_w;
  const gboolean pairs = pool_pairs (l);

  for (size_t b = 0; b < batch; b++) {
    const float *x = in + b * l->base.in_size;
    float *y = out + b * l->base.out_size;
    for (size_t c = 0; c < C; c++) {
      for (size_t oh = 0; oh < OH; oh++) {
        float *yr = y + (c * OH + oh) * OW;
        if (pairs) {
          const float *r0 = x + (c * H + oh * l->w.stride_h) * W;
          es_pool_row_2 (r0, l->w.kernel_h == 2 ? r0 + W : NULL, yr, OW);
          continue;
        }
        for (size_t ow = 0; ow < OW; ow++)
          yr[ow] = x[pool_argmax (l, x, c, oh, ow)];
      }
    }
  }
}

static void
maxpool_backward (const PoolLayer *l, const float *in, const float *grad_out,
    float *grad_in, size_t batch)
{
  const size_t C = l->w.channels, H = l->w.in_h, W = l->w.in_w, OH = l->w.out_h, OW = l->w.out_w;

  memset (grad_in, 0, batch * l->base.in_size * sizeof (float));
  for (size_t b = 0; b < batch; b++) {
    const float *x = in + b * l->base.in_size;
    const float *dy = grad_out + b * l->base.out_size;
    float *dx = grad_in + b * l->base.in_size;
    if (pool_pairs (l)) {
      /* Windows of 2 (or 2x2) that do not overlap: route each gradient to
       * the element pool_row_2 keeps, with the same rule. */
      const gboolean two_rows = l->w.kernel_h == 2;
      for (size_t c = 0; c < C; c++) {
        for (size_t oh = 0; oh < OH; oh++) {
          const size_t r0 = (c * H + oh * l->w.stride_h) * W;
          const float *a = x + r0;
          const float *restrict g = dy + (c * OH + oh) * OW;
          float *restrict d = dx + r0;
          for (size_t ow = 0; ow < OW; ow++) {
            size_t best = 2 * ow;
            float m = a[best];
            if (a[2 * ow + 1] > m || isnan (a[2 * ow + 1])) {
              best = 2 * ow + 1;
              m = a[best];
            }
            if (two_rows) {
              if (a[W + 2 * ow] > m || isnan (a[W + 2 * ow])) {
                best = W + 2 * ow;
                m = a[best];
              }
              if (a[W + 2 * ow + 1] > m || isnan (a[W + 2 * ow + 1]))
                best = W + 2 * ow + 1;
            }
            d[best] = g[ow];
          }
        }
      }
      continue;
    }
    for (size_t c = 0; c < C; c++)
      for (size_t oh = 0; oh < OH; oh++)
        for (size_t ow = 0; ow < OW; ow++)
          dx[pool_argmax (l, x, c, oh, ow)] += dy[(c * OH + oh) * OW + ow];
  }
}

static gboolean
maxpool1d_configure (EsLayer *layer, const EsLayerArgs *a, GError **error)
{
  return es_layer_configure_pool (layer, a, FALSE, &((PoolLayer *) layer)->w, error);
}

static gboolean
maxpool2d_configure (EsLayer *layer, const EsLayerArgs *a, GError **error)
{
  return es_layer_configure_pool (layer, a, TRUE, &((PoolLayer *) layer)->w, error);
}

static void
pool_reserve (EsLayer *layer, size_t batch)
{
  const PoolLayer *l = (const PoolLayer *) layer;
  g_assert (layer->in_size == l->w.channels * l->w.in_h * l->w.in_w);
  g_assert (layer->out_size == l->w.channels * l->w.out_h * l->w.out_w);
  (void) batch;
}

static double
pool_flops (const EsLayer *layer)
{
  const PoolLayer *l = (const PoolLayer *) layer;
  return (double) layer->out_size * l->w.kernel_h * l->w.kernel_w;
}

static void
pool_describe (const EsLayer *layer, GString *out)
{
  const PoolLayer *l = (const PoolLayer *) layer;
  if (l->w.two_d)
    g_string_append_printf (out, " k%zux%zu s%zux%zu", l->w.kernel_h, l->w.kernel_w,
        l->w.stride_h, l->w.stride_w);
  else
    g_string_append_printf (out, " k%zu s%zu", l->w.kernel_w, l->w.stride_w);
}

static void
pool_layer_forward (EsLayer *layer, const float *in, float *out, size_t batch,
    const EsLayerContext *ctx)
{
  (void) ctx;
  maxpool_forward ((const PoolLayer *) layer, in, out, batch);
}

static void
pool_layer_backward (EsLayer *layer, const float *in, const float *out,
    const float *grad_out, float *grad_in, size_t batch, const EsLayerContext *ctx)
{
  (void) out;
  (void) ctx;
  if (grad_in)
    maxpool_backward ((const PoolLayer *) layer, in, grad_out, grad_in, batch);
}

static gboolean
pool_fused (const EsLayer *layer, EsFusedPool *pool)
{
  const PoolLayer *l = (const PoolLayer *) layer;
  if (!pool_pairs (l))
    return FALSE;
  pool->kernel_h = l->w.kernel_h;
  pool->stride_h = l->w.stride_h;
  pool->out_h = l->w.out_h;
  pool->out_w = l->w.out_w;
  pool->out_size = layer->out_size;
  return TRUE;
}

static const char *const pool_fields[] = { "kernel", "stride", NULL };

#define POOL_OPS(type_name, configure_fn) { \
    .name = type_name, \
    .size = sizeof (PoolLayer), \
    .fields = pool_fields, \
    .configure = configure_fn, \
    .reserve = pool_reserve, \
    .flops = pool_flops, \
    .describe = pool_describe, \
    .forward = pool_layer_forward, \
    .backward = pool_layer_backward, \
    .fused_pool = pool_fused, \
  }

const EsLayerOps es_layer_maxpool1d = POOL_OPS ("maxpool1d", maxpool1d_configure);
const EsLayerOps es_layer_maxpool2d = POOL_OPS ("maxpool2d", maxpool2d_configure);
