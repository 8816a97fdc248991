/* Adam / AdamW and SGD following torch/optim/adam.py and sgd.py
 * (_single_tensor_adam, _single_tensor_sgd) of PyTorch 1.13, so a step here
 * matches a step there to float rounding. */
#include "nn/optim.h"

#include <math.h>
#include <string.h>

struct _EsOptimizer {
  EsOptimizerKind kind;
  EsNetParam *params;
  size_t n_params;
  double lr, weight_decay;
  /* Adam */
  double beta1, beta2, eps;
  gboolean decoupled;
  /* SGD */
  double momentum, dampening;
  gboolean nesterov;

  guint64 step;
  float **state_a;      /* Adam: exp_avg; SGD: momentum buffer */
  float **state_b;      /* Adam: exp_avg_sq */
};

static EsOptimizer *
optimizer_new (EsOptimizerKind kind, EsNetParam *params, size_t n_params, double lr)
{
  EsOptimizer *opt = g_new0 (EsOptimizer, 1);
  opt->kind = kind;
  opt->params = params;
  opt->n_params = n_params;
  opt->lr = lr;
  opt->state_a = g_new0 (float *, MAX (n_params, 1));
  opt->state_b = g_new0 (float *, MAX (n_params, 1));
  for (size_t i = 0; i < n_params; i++) {
    size_t n;
    if (params[i].grad == NULL)
      continue;
    n = es_tensor_numel (params[i].value);
    opt->state_a[i] = g_new0 (float, n);
    if (kind == ES_OPTIMIZER_ADAM)
      opt->state_b[i] = g_new0 (float, n);
  }
  return opt;
}

EsOptimizer *
es_optimizer_new_adam (EsNetParam *params, size_t n_params, double lr,
    double beta1, double beta2, double eps, double weight_decay, gboolean decoupled)
{
  EsOptimizer *opt;
  g_return_val_if_fail (lr >= 0.0 && eps >= 0.0 && weight_decay >= 0.0, NULL);
  g_return_val_if_fail (beta1 >= 0.0 && beta1 < 1.0 && beta2 >= 0.0 && beta2 < 1.0, NULL);
  opt = optimizer_new (ES_OPTIMIZER_ADAM, params, n_params, lr);
  opt->beta1 = beta1;
  opt->beta2 = beta2;
  opt->eps = eps;
  opt->weight_decay = weight_decay;
  opt->decoupled = decoupled;
  return opt;
}

EsOptimizer *
es_optimizer_new_sgd (EsNetParam *params, size_t n_params, double lr,
    double momentum, double dampening, double weight_decay, gboolean nesterov)
{
  EsOptimizer *opt;
  g_return_val_if_fail (lr >= 0.0 && momentum >= 0.0 && weight_decay >= 0.0, NULL);
  g_return_val_if_fail (!nesterov || (momentum > 0.0 && dampening == 0.0), NULL);
  opt = optimizer_new (ES_OPTIMIZER_SGD, params, n_params, lr);
  opt->momentum = momentum;
  opt->dampening = dampening;
  opt->weight_decay = weight_decay;
  opt->nesterov = nesterov;
  return opt;
}

void
es_optimizer_free (EsOptimizer *opt)
{
  if (opt == NULL)
    return;
  for (size_t i = 0; i < opt->n_params; i++) {
    g_free (opt->state_a[i]);
    g_free (opt->state_b[i]);
  }
  g_free (opt->state_a);
  g_free (opt->state_b);
  g_free (opt);
}

void
es_optimizer_reset (EsOptimizer *opt)
{
  for (size_t i = 0; i < opt->n_params; i++) {
    size_t n = es_tensor_numel (opt->params[i].value) * sizeof (float);
    if (opt->state_a[i])
      memset (opt->state_a[i], 0, n);
    if (opt->state_b[i])
      memset (opt->state_b[i], 0, n);
  }
  opt->step = 0;
}

static void
adam_step (EsOptimizer *opt)
{
  const float b1 = (float) opt->beta1, b2 = (float) opt->beta2;
  const float wd = (float) opt->weight_decay;
  const double bc1 = 1.0 - pow (opt->beta1, (double) opt->step);
  const double bc2 = 1.0 - pow (opt->beta2, (double) opt->step);
  const float step_size = (float) (opt->lr / bc1);
  const float bc2_sqrt = (float) sqrt (bc2);
  const float eps = (float) opt->eps;
  const float decay = (float) (1.0 - opt->lr * opt->weight_decay);

  for (size_t i = 0; i < opt->n_params; i++) {
    float *p, *m = opt->state_a[i], *v = opt->state_b[i];
    const float *g;
    size_t n;
    if (opt->params[i].grad == NULL)
      continue;
    p = opt->params[i].value->data;
    g = opt->params[i].grad->data;
    n = es_tensor_numel (opt->params[i].value);
    for (size_t k = 0; k < n; k++) {
      float gk = g[k];
      if (opt->decoupled)
        p[k] *= decay;
      else if (wd != 0.0f)
        gk += wd * p[k];
      m[k] += (gk - m[k]) * (1.0f - b1);          /* torch's lerp_ */
      v[k] = v[k] * b2 + (1.0f - b2) * gk * gk;
      p[k] -= step_size * m[k] / (sqrtf (v[k]) / bc2_sqrt + eps);
    }
  }
}

static void
sgd_step (EsOptimizer *opt)
{
  const float lr = (float) opt->lr, wd = (float) opt->weight_decay;
  const float mu = (float) opt->momentum, damp = (float) opt->dampening;

  for (size_t i = 0; i < opt->n_params; i++) {
    float *p, *buf = opt->state_a[i];
    const float *g;
    size_t n;
    if (opt->params[i].grad == NULL)
      continue;
    p = opt->params[i].value->data;
    g = opt->params[i].grad->data;
    n = es_tensor_numel (opt->params[i].value);
    for (size_t k = 0; k < n; k++) {
      float d = g[k] + wd * p[k];
      if (mu != 0.0f) {
        buf[k] = opt->step == 1 ? d : buf[k] * mu + (1.0f - damp) * d;
        d = opt->nesterov ? d + mu * buf[k] : buf[k];
      }
      p[k] -= lr * d;
    }
  }
}

void
es_optimizer_step (EsOptimizer *opt)
{
  opt->step++;
  if (opt->kind == ES_OPTIMIZER_ADAM)
    adam_step (opt);
  else
    sgd_step (opt);
}

void
es_optimizer_set_lr (EsOptimizer *opt, double lr)
{
  opt->lr = lr;
}

double
es_optimizer_get_lr (const EsOptimizer *opt)
{
  return opt->lr;
}

EsOptimizerKind
es_optimizer_get_kind (const EsOptimizer *opt)
{
  return opt->kind;
}

guint64
es_optimizer_get_step_count (const EsOptimizer *opt)
{
  return opt->step;
}
