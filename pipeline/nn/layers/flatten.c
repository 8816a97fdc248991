/* flatten: [C, ...] -> [C * ...] (a copy: buffers never alias). */
#include "nn/layers/kernels.h"

#include <string.h>

static gboolean
flatten_configure (EsLayer *l, const EsLayerArgs *a, GError **error)
{
  (void) a;
  (void) error;
  l->out_ndim = 1;
  es_shape_numel (l->in_ndim, l->in_shape, &l->out_shape[0]);
  return TRUE;
}

static double
flatten_flops (const EsLayer *l)
{
  (void) l;
  return 0.0;
}

static void
flatten_forward (EsLayer *l, const float *in, float *out, size_t batch,
    const EsLayerContext *ctx)
{
  (void) ctx;
  memcpy (out, in, batch * l->in_size * sizeof (float));
}

static void
flatten_backward (EsLayer *l, const float *in, const float *out, const float *grad_out,
    float *grad_in, size_t batch, const EsLayerContext *ctx)
{
  (void) in;
  (void) out;
  (void) ctx;
  if (grad_in)
    memcpy (grad_in, grad_out, batch * l->in_size * sizeof (float));
}

static const char *const no_fields[] = { NULL };

const EsLayerOps es_layer_flatten = {
  .name = "flatten",
  .size = sizeof (EsLayer),
  .fields = no_fields,
  .configure = flatten_configure,
  .flops = flatten_flops,
  .forward = flatten_forward,
  .backward = flatten_backward,
};
