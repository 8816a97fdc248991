/* Exponential moving average of a network's tensors. */
#include "train/ema.h"

struct _EsEma {
  double decay;
  guint64 updates;
  size_t n;
  float **shadow;
  size_t *sizes;
};

EsEma *
es_ema_new (const EsNetParam *params, size_t n_params, double decay)
{
  EsEma *ema = g_new0 (EsEma, 1);

  ema->decay = decay;
  ema->n = n_params;
  ema->shadow = g_new0 (float *, n_params);
  ema->sizes = g_new0 (size_t, n_params);
  for (size_t i = 0; i < n_params; i++) {
    ema->sizes[i] = es_tensor_numel (params[i].value);
    ema->shadow[i] = g_memdup2 (params[i].value->data, ema->sizes[i] * sizeof (float));
  }
  return ema;
}

void
es_ema_free (EsEma *ema)
{
  if (!ema)
    return;
  for (size_t i = 0; i < ema->n; i++)
    g_free (ema->shadow[i]);
  g_free (ema->shadow);
  g_free (ema->sizes);
  g_free (ema);
}

double
es_ema_next_decay (const EsEma *ema)
{
  double warm = (1.0 + ema->updates) / (10.0 + ema->updates);

  return MIN (ema->decay, warm);
}

void
es_ema_update (EsEma *ema, const EsNetParam *params, size_t n_params)
{
  float d = (float) es_ema_next_decay (ema), rest = 1.0f - d;

  g_return_if_fail (n_params == ema->n);
  for (size_t i = 0; i < n_params; i++) {
    const float *v = params[i].value->data;
    float *s = ema->shadow[i];

    for (size_t j = 0; j < ema->sizes[i]; j++)
      s[j] = d * s[j] + rest * v[j];
  }
  ema->updates++;
}

void
es_ema_swap (EsEma *ema, EsNetParam *params, size_t n_params)
{
  g_return_if_fail (n_params == ema->n);
  /* the live tensors' storage stays where layers point: swap contents */
  for (size_t i = 0; i < n_params; i++) {
    float *v = params[i].value->data, *s = ema->shadow[i];

    for (size_t j = 0; j < ema->sizes[i]; j++) {
      float t = v[j];
      v[j] = s[j];
      s[j] = t;
    }
  }
}
