/* global_mean: the mean over the last axis, [C, L] -> [C] (and
 * [C, H, W] -> [C, H]); after a 1-D convolution it is global average pooling. */
#include "nn/layers/kernels.h"

static gboolean
global_mean_configure (EsLayer *l, const EsLayerArgs *a, GError **error)
{
  if (l->in_ndim < 2)
    return es_layer_error (error, a, "needs at least two axes ([C, L]) to "
        "average the last one, but gets %d", l->in_ndim);
  l->out_ndim = l->in_ndim - 1;
  return TRUE;
}

static void
global_mean_forward (EsLayer *l, const float *in_, float *out_, size_t batch,
    const EsLayerContext *ctx)
{
  const float *restrict in = in_;
  float *restrict out = out_;
  const size_t L = l->in_shape[l->in_ndim - 1], rows = batch * l->in_size / L;
  (void) ctx;
  for (size_t r = 0; r < rows; r++) {
    float s = 0.0f;
    for (size_t j = 0; j < L; j++)
      s += in[r * L + j];
    out[r] = s / (float) L;
  }
}

static void
global_mean_backward (EsLayer *l, const float *in, const float *out,
    const float *grad_out_, float *grad_in_, size_t batch, const EsLayerContext *ctx)
{
  const float *restrict grad_out = grad_out_;
  float *restrict grad_in = grad_in_;
  const size_t L = l->in_shape[l->in_ndim - 1], rows = batch * l->in_size / L;
  (void) in;
  (void) out;
  (void) ctx;
  if (grad_in == NULL)
    return;
  for (size_t r = 0; r < rows; r++) {
    const float g = grad_out[r] / (float) L;
    for (size_t j = 0; j < L; j++)
      grad_in[r * L + j] = g;
  }
}

static const char *const no_fields[] = { NULL };

const EsLayerOps es_layer_global_mean = {
  .name = "global_mean",
  .size = sizeof (EsLayer),
  .fields = no_fields,
  .configure = global_mean_configure,
  .forward = global_mean_forward,
  .backward = global_mean_backward,
};
