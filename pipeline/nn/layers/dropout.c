/* dropout: inverted (kept values x 1/(1-p)) with a mask from the net's seeded
 * xoshiro256**, the identity at inference (so a fused chain skips it). */
#include "nn/layers/kernels.h"

#include <string.h>

typedef struct {
  EsLayer base;
  double p;
  float *mask;                  /* per batch: 0 or 1/(1-p) per element */
} DropoutLayer;

static gboolean
dropout_configure (EsLayer *layer, const EsLayerArgs *a, GError **error)
{
  return es_layer_args_double (a, "p", 0.5, 0.0, 1.0, FALSE, &((DropoutLayer *) layer)->p,
      error);
}

static void
dropout_reserve (EsLayer *layer, size_t batch)
{
  DropoutLayer *l = (DropoutLayer *) layer;
  l->mask = g_new (float, batch * layer->in_size);
}

static void
dropout_release (EsLayer *layer)
{
  g_clear_pointer (&((DropoutLayer *) layer)->mask, g_free);
}

static void
dropout_describe (const EsLayer *layer, GString *out)
{
  g_string_append_printf (out, " p=%g", ((const DropoutLayer *) layer)->p);
}

static void
dropout_forward (EsLayer *layer, const float *in_, float *out_, size_t batch,
    const EsLayerContext *ctx)
{
  DropoutLayer *l = (DropoutLayer *) layer;
  const float *restrict in = in_;
  float *restrict out = out_;
  const size_t n = batch * layer->in_size;

  if (ctx->training && l->p > 0.0) {
    const float keep_scale = (float) (1.0 / (1.0 - l->p));
    const double p = l->p;
    float *restrict mask = l->mask;
    for (size_t i = 0; i < n; i++)
      mask[i] = es_rng_uniform (ctx->rng) < p ? 0.0f : keep_scale;
    for (size_t i = 0; i < n; i++)
      out[i] = in[i] * mask[i];
  } else {
    memcpy (out, in, n * sizeof (float));
  }
}

static void
dropout_backward (EsLayer *layer, const float *in, const float *out,
    const float *grad_out_, float *grad_in_, size_t batch, const EsLayerContext *ctx)
{
  const DropoutLayer *l = (const DropoutLayer *) layer;
  const float *restrict grad_out = grad_out_;
  float *restrict grad_in = grad_in_;
  const size_t n = batch * layer->in_size;
  (void) in;
  (void) out;

  if (grad_in == NULL)
    return;
  if (ctx->training && l->p > 0.0) {
    const float *restrict mask = l->mask;
    for (size_t i = 0; i < n; i++)
      grad_in[i] = grad_out[i] * mask[i];
  } else {
    memcpy (grad_in, grad_out, n * sizeof (float));
  }
}

static gboolean
dropout_epilogue (EsLayer *layer, EsEpilogueOp *op)
{
  (void) layer;
  *op = (EsEpilogueOp) { ES_EPILOGUE_IDENTITY, NULL, NULL };
  return TRUE;
}

static const char *const dropout_fields[] = { "p", NULL };

const EsLayerOps es_layer_dropout = {
  .name = "dropout",
  .size = sizeof (DropoutLayer),
  .fields = dropout_fields,
  .configure = dropout_configure,
  .reserve = dropout_reserve,
  .release = dropout_release,
  .describe = dropout_describe,
  .forward = dropout_forward,
  .backward = dropout_backward,
  .epilogue = dropout_epilogue,
};
