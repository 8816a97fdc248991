/* Elementwise activations: relu, tanh, abs, and softplus (PyTorch's, with
 * beta and the linear threshold). Shape-preserving, no parameters. */
#include "nn/layers/kernels.h"

#include <math.h>
#include <string.h>

typedef struct {
  EsLayer base;
  float beta, threshold;        /* softplus */
} ActivationLayer;

static gboolean
activation_configure (EsLayer *layer, const EsLayerArgs *a, GError **error)
{
  (void) layer;
  (void) a;
  (void) error;
  return TRUE;
}

/* ---- relu ---------------------------------------------------------------- */

static void
relu_forward (EsLayer *l, const float *in_, float *out_, size_t batch,
    const EsLayerContext *ctx)
{
  const float *restrict in = in_;
  float *restrict out = out_;
  const size_t n = batch * l->in_size;
  (void) ctx;
  for (size_t i = 0; i < n; i++)
    out[i] = in[i] > 0.0f ? in[i] : 0.0f;
}

static void
relu_backward (EsLayer *l, const float *in, const float *out_, const float *grad_out_,
    float *grad_in_, size_t batch, const EsLayerContext *ctx)
{
  const float *restrict out = out_;
  const float *restrict grad_out = grad_out_;
  float *restrict grad_in = grad_in_;
  const size_t n = batch * l->in_size;
  (void) in;
  (void) ctx;
  if (grad_in == NULL)
    return;
  for (size_t i = 0; i < n; i++) {
    const float g = grad_out[i];        /* loaded unconditionally: vectorises */
    grad_in[i] = out[i] > 0.0f ? g : 0.0f;
  }
}

static gboolean
relu_epilogue (EsLayer *l, EsEpilogueOp *op)
{
  (void) l;
  *op = (EsEpilogueOp) { ES_EPILOGUE_RELU, NULL, NULL };
  return TRUE;
}

static const char *const no_fields[] = { NULL };

const EsLayerOps es_layer_relu = {
  .name = "relu",
  .size = sizeof (ActivationLayer),
  .fields = no_fields,
  .configure = activation_configure,
  .forward = relu_forward,
  .backward = relu_backward,
  .epilogue = relu_epilogue,
};

/* ---- tanh ---------------------------------------------------------------- */

static void
tanh_forward (EsLayer *l, const float *in_, float *out_, size_t batch,
    const EsLayerContext *ctx)
{
  const float *restrict in = in_;
  float *restrict out = out_;
  const size_t n = batch * l->in_size;
  (void) ctx;
  for (size_t i = 0; i < n; i++)
    out[i] = tanhf (in[i]);
}

static void
tanh_backward (EsLayer *l, const float *in, const float *out_, const float *grad_out_,
    float *grad_in_, size_t batch, const EsLayerContext *ctx)
{
  const float *restrict out = out_;
  const float *restrict grad_out = grad_out_;
  float *restrict grad_in = grad_in_;
  const size_t n = batch * l->in_size;
  (void) in;
  (void) ctx;
  if (grad_in == NULL)
    return;
  for (size_t i = 0; i < n; i++)
    grad_in[i] = grad_out[i] * (1.0f - out[i] * out[i]);
}

const EsLayerOps es_layer_tanh = {
  .name = "tanh",
  .size = sizeof (ActivationLayer),
  .fields = no_fields,
  .configure = activation_configure,
  .forward = tanh_forward,
  .backward = tanh_backward,
};

/* ---- abs ----------------------------------------------------------------- */

static void
abs_forward (EsLayer *l, const float *in_, float *out_, size_t batch,
    const EsLayerContext *ctx)
{
  const float *restrict in = in_;
  float *restrict out = out_;
  const size_t n = batch * l->in_size;
  (void) ctx;
  for (size_t i = 0; i < n; i++)
    out[i] = fabsf (in[i]);
}

static void
abs_backward (EsLayer *l, const float *in_, const float *out, const float *grad_out_,
    float *grad_in_, size_t batch, const EsLayerContext *ctx)
{
  const float *restrict in = in_;
  const float *restrict grad_out = grad_out_;
  float *restrict grad_in = grad_in_;
  const size_t n = batch * l->in_size;
  (void) out;
  (void) ctx;
  if (grad_in == NULL)
    return;
  for (size_t i = 0; i < n; i++)
    grad_in[i] = in[i] > 0.0f ? grad_out[i] : in[i] < 0.0f ? -grad_out[i] : 0.0f;
}

const EsLayerOps es_layer_abs = {
  .name = "abs",
  .size = sizeof (ActivationLayer),
  .fields = no_fields,
  .configure = activation_configure,
  .forward = abs_forward,
  .backward = abs_backward,
};

/* ---- softplus: log(1 + exp(beta x)) / beta, linear where beta x > threshold */

static gboolean
softplus_configure (EsLayer *layer, const EsLayerArgs *a, GError **error)
{
  ActivationLayer *l = (ActivationLayer *) layer;
  double beta, threshold;

  if (!es_layer_args_double (a, "beta", 1.0, 1e-6, 1e6, TRUE, &beta, error)
      || !es_layer_args_double (a, "threshold", 20.0, 0.0, 1e6, TRUE, &threshold, error))
    return FALSE;
  l->beta = (float) beta;
  l->threshold = (float) threshold;
  return TRUE;
}

static void
softplus_forward (EsLayer *layer, const float *in_, float *out_, size_t batch,
    const EsLayerContext *ctx)
{
  const ActivationLayer *l = (const ActivationLayer *) layer;
  const float *restrict in = in_;
  float *restrict out = out_;
  const size_t n = batch * layer->in_size;
  const float beta = l->beta, threshold = l->threshold;
  (void) ctx;
  for (size_t i = 0; i < n; i++) {
    const float bx = in[i] * beta;
    out[i] = bx > threshold ? in[i] : log1pf (expf (bx)) / beta;
  }
}

static void
softplus_backward (EsLayer *layer, const float *in_, const float *out,
    const float *grad_out_, float *grad_in_, size_t batch, const EsLayerContext *ctx)
{
  const ActivationLayer *l = (const ActivationLayer *) layer;
  const float *restrict in = in_;
  const float *restrict grad_out = grad_out_;
  float *restrict grad_in = grad_in_;
  const size_t n = batch * layer->in_size;
  const float beta = l->beta, threshold = l->threshold;
  (void) out;
  (void) ctx;
  if (grad_in == NULL)
    return;
  for (size_t i = 0; i < n; i++) {
    const float bx = in[i] * beta;
    if (bx > threshold) {
      grad_in[i] = grad_out[i];
    } else {
      const float z = expf (bx);
      grad_in[i] = grad_out[i] * z / (z + 1.0f);
    }
  }
}

static const char *const softplus_fields[] = { "beta", "threshold", NULL };

const EsLayerOps es_layer_softplus = {
  .name = "softplus",
  .size = sizeof (ActivationLayer),
  .fields = softplus_fields,
  .configure = softplus_configure,
  .forward = softplus_forward,
  .backward = softplus_backward,
};
