/* dense (PyTorch's Linear): y = W x + b on a flat [N] input, weight
 * [out, in]; SGEMM over the batch, SGEMV for one example. */
#include "nn/layers/kernels.h"

#include "nn/blas.h"
#include <string.h>

typedef struct {
  EsLayer base;
  EsLayerParam *weight, *bias;  /* bias NULL with "bias": false */
} DenseLayer;

static gboolean
dense_configure (EsLayer *layer, const EsLayerArgs *a, GError **error)
{
  DenseLayer *l = (DenseLayer *) layer;
  gint64 n;
  gboolean has_bias;
  size_t shape[2];

  if (!es_layer_args_ints (a, "out_features", TRUE, 0, 1, FALSE, &n, &n, error)
      || !es_layer_args_bool (a, "bias", TRUE, &has_bias, error))
    return FALSE;
  if (layer->in_ndim != 1)
    return es_layer_error (error, a, "needs a flat [N] input but gets %d axes; "
        "add a flatten or global_mean layer before it", layer->in_ndim);
  layer->out_shape[0] = (size_t) n;
  shape[0] = (size_t) n;
  shape[1] = layer->in_shape[0];
  l->weight = es_layer_declare_param (layer, "weight", ES_LAYER_PARAM_TRAINABLE, 2, shape);
  l->bias = has_bias ? es_layer_declare_param (layer, "bias", ES_LAYER_PARAM_TRAINABLE, 1,
      shape) : NULL;
  return TRUE;
}

static void
dense_init (EsLayer *layer, EsRng *rng)
{
  DenseLayer *l = (DenseLayer *) layer;
  es_layer_init_kaiming (rng, l->weight, l->bias);
}

static double
dense_flops (const EsLayer *l)
{
  return 2.0 * l->in_size * l->out_size;
}

static void
dense_describe (const EsLayer *l, GString *out)
{
  g_string_append_printf (out, " %zu", l->out_size);
}

static void
dense_forward (EsLayer *layer, const float *in, float *out, size_t batch,
    const EsLayerContext *ctx)
{
  const DenseLayer *l = (const DenseLayer *) layer;
  const size_t n_in = layer->in_size, n_out = layer->out_size;
  const float *bias = l->bias ? l->bias->value->data : NULL;
  const float *w = l->weight->value->data;
  (void) ctx;

  for (size_t b = 0; b < batch; b++) {
    if (bias)
      memcpy (out + b * n_out, bias, n_out * sizeof (float));
    else
      memset (out + b * n_out, 0, n_out * sizeof (float));
  }
  /* One example: a matrix-vector product (OpenBLAS's GEMM with M = 1 does
   * not stream W as fast). */
  if (batch == 1) {
    es_blas_sgemv (CblasRowMajor, CblasNoTrans, n_out, n_in, 1.0f, w, n_in, in, 1, 1.0f,
        out, 1);
    return;
  }
  /* Y [B, n_out] = X [B, n_in] x W^T [n_in, n_out] + Y */
  es_blas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, batch, n_out, n_in,
      1.0f, in, n_in, w, n_in, 1.0f, out, n_out);
}

static void
dense_backward (EsLayer *layer, const float *in, const float *out, const float *grad_out,
    float *grad_in, size_t batch, const EsLayerContext *ctx)
{
  const DenseLayer *l = (const DenseLayer *) layer;
  const size_t n_in = layer->in_size, n_out = layer->out_size;
  float *dw = es_layer_param_grad (l->weight), *db = es_layer_param_grad (l->bias);
  (void) out;
  (void) ctx;

  if (db) {
    for (size_t b = 0; b < batch; b++)
      for (size_t o = 0; o < n_out; o++)
        db[o] += grad_out[b * n_out + o];
  }
  /* dW [n_out, n_in] += dY^T [n_out, B] x X [B, n_in] */
  if (dw)
    es_blas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, n_out, n_in, batch,
        1.0f, grad_out, n_out, in, n_in, 1.0f, dw, n_in);
  /* dX [B, n_in] = dY [B, n_out] x W [n_out, n_in] */
  if (grad_in)
    es_blas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, batch, n_in, n_out,
        1.0f, grad_out, n_out, l->weight->value->data, n_in, 0.0f, grad_in, n_in);
}

static const char *const dense_fields[] = { "out_features", "bias", NULL };

const EsLayerOps es_layer_dense = {
  .name = "dense",
  .size = sizeof (DenseLayer),
  .fields = dense_fields,
  .configure = dense_configure,
  .init = dense_init,
  .flops = dense_flops,
  .describe = dense_describe,
  .forward = dense_forward,
  .backward = dense_backward,
};
