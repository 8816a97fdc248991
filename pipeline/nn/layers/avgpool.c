/* avgpool1d and avgpool2d: the mean of each window, no padding, floor mode,
 * stride defaulting to the kernel (PyTorch's AvgPool1d / AvgPool2d defaults).
 * The window is summed in float in row order, then divided by its size. */
#include "nn/layers/kernels.h"

#include <string.h>

typedef struct {
  EsLayer base;
  EsPoolWindow w;
} AvgPoolLayer;

static gboolean
avgpool1d_configure (EsLayer *layer, const EsLayerArgs *a, GError **error)
{
  return es_layer_configure_pool (layer, a, FALSE, &((AvgPoolLayer *) layer)->w, error);
}

static gboolean
avgpool2d_configure (EsLayer *layer, const EsLayerArgs *a, GError **error)
{
  return es_layer_configure_pool (layer, a, TRUE, &((AvgPoolLayer *) layer)->w, error);
}

static double
avgpool_flops (const EsLayer *layer)
{
  const EsPoolWindow *w = &((const AvgPoolLayer *) layer)->w;
  return (double) layer->out_size * w->kernel_h * w->kernel_w;
}

static void
avgpool_describe (const EsLayer *layer, GString *out)
{
  const EsPoolWindow *w = &((const AvgPoolLayer *) layer)->w;
  if (w->two_d)
    g_string_append_printf (out, " k%zux%zu s%zux%zu", w->kernel_h, w->kernel_w,
        w->stride_h, w->stride_w);
  else
    g_string_append_printf (out, " k%zu s%zu", w->kernel_w, w->stride_w);
}

static void
avgpool_forward (EsLayer *layer, const float *in, float *out, size_t batch,
    const EsLayerContext *ctx)
{
  const EsPoolWindow *w = &((const AvgPoolLayer *) layer)->w;
  const size_t H = w->in_h, W = w->in_w, OH = w->out_h, OW = w->out_w;
  const float size = (float) (w->kernel_h * w->kernel_w);
  (void) ctx;

  for (size_t bc = 0; bc < batch * w->channels; bc++) {
    const float *x = in + bc * H * W;
    float *y = out + bc * OH * OW;
    for (size_t oh = 0; oh < OH; oh++)
      for (size_t ow = 0; ow < OW; ow++) {
        float s = 0.0f;
        for (size_t ki = 0; ki < w->kernel_h; ki++)
          for (size_t kj = 0; kj < w->kernel_w; kj++)
            s += x[(oh * w->stride_h + ki) * W + ow * w->stride_w + kj];
        y[oh * OW + ow] = s / size;
      }
  }
}

static void
avgpool_backward (EsLayer *layer, const float *in, const float *out,
    const float *grad_out, float *grad_in, size_t batch, const EsLayerContext *ctx)
{
  const EsPoolWindow *w = &((const AvgPoolLayer *) layer)->w;
  const size_t H = w->in_h, W = w->in_w, OH = w->out_h, OW = w->out_w;
  const float size = (float) (w->kernel_h * w->kernel_w);
  (void) in;
  (void) out;
  (void) ctx;

  if (grad_in == NULL)
    return;
  memset (grad_in, 0, batch * layer->in_size * sizeof (float));
  for (size_t bc = 0; bc < batch * w->channels; bc++) {
    float *dx = grad_in + bc * H * W;
    const float *dy = grad_out + bc * OH * OW;
    for (size_t oh = 0; oh < OH; oh++)
      for (size_t ow = 0; ow < OW; ow++) {
        const float g = dy[oh * OW + ow] / size;
        for (size_t ki = 0; ki < w->kernel_h; ki++)
          for (size_t kj = 0; kj < w->kernel_w; kj++)
            dx[(oh * w->stride_h + ki) * W + ow * w->stride_w + kj] += g;
      }
  }
}

static const char *const avgpool_fields[] = { "kernel", "stride", NULL };

#define AVGPOOL_OPS(type_name, configure_fn) { \
    .name = type_name, \
    .size = sizeof (AvgPoolLayer), \
    .fields = avgpool_fields, \
    .configure = configure_fn, \
    .flops = avgpool_flops, \
    .describe = avgpool_describe, \
    .forward = avgpool_forward, \
    .backward = avgpool_backward, \
  }

const EsLayerOps es_layer_avgpool1d = AVGPOOL_OPS ("avgpool1d", avgpool1d_configure);
const EsLayerOps es_layer_avgpool2d = AVGPOOL_OPS ("avgpool2d", avgpool2d_configure);
