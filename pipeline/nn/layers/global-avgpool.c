/* global_avgpool: the mean of each channel over all its positions,
 * [C, L] or [C, H, W] -> [C] (PyTorch's AdaptiveAvgPool to 1 then flatten),
 * summed in double. The head of SpectNet-style nets: any input width gives
 * the same number of features. */
#include "nn/layers/kernels.h"

typedef struct {
  EsLayer base;
  size_t channels, positions;
} GlobalAvgPoolLayer;

static gboolean
global_avgpool_configure (EsLayer *layer, const EsLayerArgs *a, GError **error)
{
  GlobalAvgPoolLayer *l = (GlobalAvgPoolLayer *) layer;
  if (layer->in_ndim < 2)
    return es_layer_error (error, a, "needs a [C, L] or [C, H, W] input, gets %d axes",
        layer->in_ndim);
  l->channels = layer->in_shape[0];
  l->positions = layer->in_shape[1] * (layer->in_ndim == 3 ? layer->in_shape[2] : 1);
  layer->out_ndim = 1;
  return TRUE;
}

static void
global_avgpool_forward (EsLayer *layer, const float *in, float *out, size_t batch,
    const EsLayerContext *ctx)
{
  const GlobalAvgPoolLayer *l = (const GlobalAvgPoolLayer *) layer;
  const size_t S = l->positions;
  (void) ctx;
  for (size_t r = 0; r < batch * l->channels; r++)
    out[r] = (float) (es_sum_d (in + r * S, S) / (double) S);
}

static void
global_avgpool_backward (EsLayer *layer, const float *in, const float *out,
    const float *grad_out, float *grad_in_, size_t batch, const EsLayerContext *ctx)
{
  const GlobalAvgPoolLayer *l = (const GlobalAvgPoolLayer *) layer;
  const size_t S = l->positions;
  float *restrict grad_in = grad_in_;
  (void) in;
  (void) out;
  (void) ctx;
  if (grad_in == NULL)
    return;
  for (size_t r = 0; r < batch * l->channels; r++) {
    const float g = (float) (grad_out[r] / (double) S);
    for (size_t s = 0; s < S; s++)
      grad_in[r * S + s] = g;
  }
}

static const char *const no_fields[] = { NULL };

const EsLayerOps es_layer_global_avgpool = {
  .name = "global_avgpool",
  .size = sizeof (GlobalAvgPoolLayer),
  .fields = no_fields,
  .configure = global_avgpool_configure,
  .forward = global_avgpool_forward,
  .backward = global_avgpool_backward,
};
