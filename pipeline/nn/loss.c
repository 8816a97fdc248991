/* Softmax and cross-entropy with optional class weights, accumulated in
 * double (log-sum-exp with the row maximum subtracted). */
#include "nn/loss.h"

#include <math.h>

void
es_softmax (const float *logits, size_t batch, size_t n_classes, float *probs)
{
  for (size_t b = 0; b < batch; b++) {
    const float *z = logits + b * n_classes;
    float *p = probs + b * n_classes;
    float zmax = z[0];
    double sum = 0.0;
    for (size_t k = 1; k < n_classes; k++)
      zmax = z[k] > zmax ? z[k] : zmax;
    for (size_t k = 0; k < n_classes; k++) {
      double e = exp ((double) z[k] - zmax);
      p[k] = (float) e;
      sum += e;
    }
    for (size_t k = 0; k < n_classes; k++)
      p[k] = (float) (p[k] / sum);
  }
}

/* log sum_k exp z_k, with the row maximum taken out so nothing overflows */
static double
log_sum_exp (const float *z, size_t n)
{
  double zmax = z[0], sum = 0.0;
  for (size_t k = 1; k < n; k++)
    zmax = z[k] > zmax ? z[k] : zmax;
  for (size_t k = 0; k < n; k++)
    sum += exp (z[k] - zmax);
  return zmax + log (sum);
}

double
es_cross_entropy (const float *logits, const int *labels, size_t batch,
    size_t n_classes, const float *class_weights, float *grad)
{
  double total = 0.0, weight_sum = 0.0;

  for (size_t b = 0; b < batch; b++) {
    const int y = labels[b];
    g_return_val_if_fail (y >= 0 && (size_t) y < n_classes, NAN);
    weight_sum += class_weights ? class_weights[y] : 1.0;
  }
  for (size_t b = 0; b < batch; b++) {
    const float *z = logits + b * n_classes;
    const int y = labels[b];
    const double w = class_weights ? class_weights[y] : 1.0;
    const double log_norm = log_sum_exp (z, n_classes);
    total += w * (log_norm - z[y]);
    if (grad) {
      /* d/dz_k = w_y (softmax_k - [k == y]) / sum_i w_{y_i} */
      float *g = grad + b * n_classes;
      for (size_t k = 0; k < n_classes; k++) {
        double p = exp (z[k] - log_norm);
        g[k] = (float) (w * (p - (k == (size_t) y ? 1.0 : 0.0)) / weight_sum);
      }
    }
  }
  return weight_sum > 0.0 ? total / weight_sum : 0.0;
}

double
es_cross_entropy_soft (const float *logits, const float *targets, size_t batch,
    size_t n_classes, float *grad)
{
  double total = 0.0;

  for (size_t b = 0; b < batch; b++) {
    const float *z = logits + b * n_classes, *t = targets + b * n_classes;
    const double log_norm = log_sum_exp (z, n_classes);
    for (size_t k = 0; k < n_classes; k++) {
      /* 0 * log p is 0 even where p underflows */
      if (t[k] != 0.0f)
        total += t[k] * (log_norm - z[k]);
      if (grad)
        grad[b * n_classes + k] = (float) ((exp (z[k] - log_norm) - t[k]) / batch);
    }
  }
  return batch ? total / batch : 0.0;
}

void
es_smooth_targets (float *targets, size_t batch, size_t n_classes, double eps)
{
  const double floor = eps / (double) n_classes;
  for (size_t i = 0; i < batch * n_classes; i++)
    targets[i] = (float) ((1.0 - eps) * targets[i] + floor);
}
