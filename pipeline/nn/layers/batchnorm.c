/* batchnorm with PyTorch's semantics, 1-D or 2-D from the input rank
 * ([C], [C, L], [C, H, W]): in training the batch statistics (two-pass, in
 * double) and running statistics updated as PyTorch does; in inference the
 * running statistics as a per-channel scale and shift, which a fused
 * convolution applies in its epilogue. */
#include "nn/layers/kernels.h"

#include <math.h>
#include <string.h>

typedef struct {
  EsLayer base;
  double momentum, eps;
  size_t channels_in;
  size_t in_h, in_w;            /* in_h * in_w: values per channel */
  EsLayerParam *weight, *bias, *running_mean, *running_var;
  /* Per-batch state: statistics the last forward used and its affine. */
  double *mean, *inv_std;
  float *scale, *shift;
} BatchNormLayer;

static void
batchnorm_set_channel (BatchNormLayer *l, size_t c, double mean, double inv_std)
{
  const float *gamma = l->weight->value->data, *beta = l->bias->value->data;

  l->mean[c] = mean;
  l->inv_std[c] = inv_std;
  l->scale[c] = (float) (gamma[c] * inv_std);
  l->shift[c] = (float) (beta[c] - mean * gamma[c] * inv_std);
}

static void
batchnorm_prepare_inference (BatchNormLayer *l)
{
  const float *rm = l->running_mean->value->data, *rv = l->running_var->value->data;

  for (size_t c = 0; c < l->channels_in; c++)
    batchnorm_set_channel (l, c, rm[c], 1.0 / sqrt ((double) rv[c] + l->eps));
}

static void
batchnorm_forward (BatchNormLayer *l, const float *in, float *out, size_t batch,
    gboolean training)
{
  const size_t C = l->channels_in, S = l->in_h * l->in_w;
  float *rm = l->running_mean->value->data, *rv = l->running_var->value->data;

  if (!training)
    batchnorm_prepare_inference (l);
  for (size_t c = 0; c < C; c++) {
    float scale, shift;
    if (training) {
      const double n = (double) batch * S;
      double sum = 0.0, sq = 0.0, var, mean;
      for (size_t b = 0; b < batch; b++)
        sum += es_sum_d (in + b * l->base.in_size + c * S, S);
      mean = sum / n;
      /* Two passes: the centred sum of squares does not cancel. */
      for (size_t b = 0; b < batch; b++)
        sq += es_sum_centred_d (in + b * l->base.in_size + c * S, NULL, S, mean);
      var = sq / n;
      batchnorm_set_channel (l, c, mean, 1.0 / sqrt (var + l->eps));
      /* PyTorch: running = (1 - m) running + m batch, variance unbiased. */
      rm[c] = (float) ((1.0 - l->momentum) * rm[c] + l->momentum * mean);
      rv[c] = (float) ((1.0 - l->momentum) * rv[c]
          + l->momentum * (n > 1 ? sq / (n - 1) : var));
    }
    scale = l->scale[c];
    shift = l->shift[c];
    for (size_t b = 0; b < batch; b++) {
      const float *restrict x = in + b * l->base.in_size + c * S;
      float *restrict y = out + b * l->base.in_size + c * S;
      for (size_t s = 0; s < S; s++)
        y[s] = x[s] * scale + shift;
    }
  }
}

static void
batchnorm_backward (BatchNormLayer *l, const float *in, const float *grad_out,
    float *grad_in, size_t batch, gboolean training)
{
  const size_t C = l->channels_in, S = l->in_h * l->in_w;
  const double n = (double) batch * S;
  const float *gamma = l->weight->value->data;
  float *dgamma = es_layer_param_grad (l->weight), *dbeta = es_layer_param_grad (l->bias);

  for (size_t c = 0; c < C; c++) {
    const double mean = l->mean[c], inv_std = l->inv_std[c];
    double sum_dy = 0.0, sum_dy_xhat = 0.0;
    for (size_t b = 0; b < batch; b++) {
      const float *x = in + b * l->base.in_size + c * S;
      const float *dy = grad_out + b * l->base.in_size + c * S;
      sum_dy += es_sum_d (dy, S);
      sum_dy_xhat += es_sum_centred_d (x, dy, S, mean);
    }
    sum_dy_xhat *= inv_std;
    if (dgamma) {
      dgamma[c] += (float) sum_dy_xhat;
      dbeta[c] += (float) sum_dy;
    }
    if (grad_in == NULL)
      continue;
    if (training) {
      /* dx = gamma inv_std (dy - mean(dy) - xhat mean(dy xhat)) */
      const double k = gamma[c] * inv_std;
      const double mdy = sum_dy / n, mdyx = sum_dy_xhat / n;
      for (size_t b = 0; b < batch; b++) {
        const float *x = in + b * l->base.in_size + c * S;
        const float *dy = grad_out + b * l->base.in_size + c * S;
        float *dx = grad_in + b * l->base.in_size + c * S;
        for (size_t s = 0; s < S; s++) {
          double xhat = (x[s] - mean) * inv_std;
          dx[s] = (float) (k * (dy[s] - mdy - xhat * mdyx));
        }
      }
    } else {
      const float k = (float) (gamma[c] * inv_std);
      for (size_t b = 0; b < batch; b++) {
        const float *dy = grad_out + b * l->base.in_size + c * S;
        float *dx = grad_in + b * l->base.in_size + c * S;
        for (size_t s = 0; s < S; s++)
          dx[s] = dy[s] * k;
      }
    }
  }
}

static gboolean
batchnorm_configure (EsLayer *layer, const EsLayerArgs *a, GError **error)
{
  BatchNormLayer *l = (BatchNormLayer *) layer;
  const int nd = layer->in_ndim;
  const size_t *in_shape = layer->in_shape;

  if (!es_layer_args_double (a, "momentum", 0.1, 0.0, 1.0, TRUE, &l->momentum, error)
      || !es_layer_args_double (a, "eps", 1e-5, 1e-12, 1.0, TRUE, &l->eps, error))
    return FALSE;
  if (nd < 1 || nd > 3)
    return es_layer_error (error, a, "needs a [C], [C, L] or [C, H, W] input "
        "but gets %d axes", nd);
  l->channels_in = in_shape[0];
  l->in_h = nd == 3 ? in_shape[1] : 1;
  l->in_w = nd == 3 ? in_shape[2] : nd == 2 ? in_shape[1] : 1;
  l->weight = es_layer_declare_param (layer, "weight", ES_LAYER_PARAM_TRAINABLE, 1, in_shape);
  l->bias = es_layer_declare_param (layer, "bias", ES_LAYER_PARAM_TRAINABLE, 1, in_shape);
  l->running_mean = es_layer_declare_param (layer, "running_mean", ES_LAYER_PARAM_BUFFER,
      1, in_shape);
  l->running_var = es_layer_declare_param (layer, "running_var", ES_LAYER_PARAM_BUFFER,
      1, in_shape);
  return TRUE;
}

static void
batchnorm_init (EsLayer *layer, EsRng *rng)
{
  BatchNormLayer *l = (BatchNormLayer *) layer;
  (void) rng;
  for (size_t c = 0; c < l->channels_in; c++) {
    l->weight->value->data[c] = 1.0f;
    l->bias->value->data[c] = 0.0f;
    l->running_mean->value->data[c] = 0.0f;
    l->running_var->value->data[c] = 1.0f;
  }
}

static void
batchnorm_release (EsLayer *layer)
{
  BatchNormLayer *l = (BatchNormLayer *) layer;
  g_clear_pointer (&l->mean, g_free);
  g_clear_pointer (&l->inv_std, g_free);
  g_clear_pointer (&l->scale, g_free);
  g_clear_pointer (&l->shift, g_free);
}

static void
batchnorm_reserve (EsLayer *layer, size_t batch)
{
  BatchNormLayer *l = (BatchNormLayer *) layer;
  (void) batch;
  l->mean = g_new0 (double, l->channels_in);
  l->inv_std = g_new0 (double, l->channels_in);
  l->scale = g_new0 (float, l->channels_in);
  l->shift = g_new0 (float, l->channels_in);
}

static double
batchnorm_flops (const EsLayer *layer)
{
  return 2.0 * layer->in_size;
}

static void
batchnorm_describe (const EsLayer *layer, GString *out)
{
  g_string_append_printf (out, " %zu", ((const BatchNormLayer *) layer)->channels_in);
}

static void
batchnorm_layer_forward (EsLayer *layer, const float *in, float *out, size_t batch,
    const EsLayerContext *ctx)
{
  batchnorm_forward ((BatchNormLayer *) layer, in, out, batch, ctx->training);
}

static void
batchnorm_layer_backward (EsLayer *layer, const float *in, const float *out,
    const float *grad_out, float *grad_in, size_t batch, const EsLayerContext *ctx)
{
  (void) out;
  batchnorm_backward ((BatchNormLayer *) layer, in, grad_out, grad_in, batch, ctx->training);
}

/* In a fused chain: the running statistics as a per-channel affine. */
static gboolean
batchnorm_epilogue (EsLayer *layer, EsEpilogueOp *op)
{
  BatchNormLayer *l = (BatchNormLayer *) layer;
  batchnorm_prepare_inference (l);
  *op = (EsEpilogueOp) { ES_EPILOGUE_AFFINE, l->scale, l->shift };
  return TRUE;
}

static const char *const batchnorm_fields[] = { "momentum", "eps", NULL };

const EsLayerOps es_layer_batchnorm = {
  .name = "batchnorm",
  .size = sizeof (BatchNormLayer),
  .fields = batchnorm_fields,
  .configure = batchnorm_configure,
  .init = batchnorm_init,
  .reserve = batchnorm_reserve,
  .release = batchnorm_release,
  .flops = batchnorm_flops,
  .describe = batchnorm_describe,
  .forward = batchnorm_layer_forward,
  .backward = batchnorm_layer_backward,
  .epilogue = batchnorm_epilogue,
};
