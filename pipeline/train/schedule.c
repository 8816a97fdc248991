/* ReduceLROnPlateau and early stopping with best-weights restore. */
#include "train/schedule.h"

#include <math.h>
#include <string.h>

void
es_plateau_init (EsPlateau *p, const EsPlateauConfig *config)
{
  memset (p, 0, sizeof *p);
  p->config = *config;
  p->best = INFINITY;
}

double
es_plateau_step (EsPlateau *p, double metric, double lr)
{
  /* Same order of operations as torch.optim.lr_scheduler.ReduceLROnPlateau.step */
  if (metric < p->best * (1.0 - p->config.threshold)) {
    p->best = metric;
    p->num_bad_epochs = 0;
  } else {
    p->num_bad_epochs++;
  }
  if (p->cooldown_counter > 0) {
    p->cooldown_counter--;
    p->num_bad_epochs = 0;
  }
  if (p->num_bad_epochs > p->config.patience) {
    double new_lr = MAX (lr * p->config.factor, p->config.min_lr);
    if (lr - new_lr > 1e-8) {
      lr = new_lr;
      p->n_reductions++;
    }
    p->cooldown_counter = p->config.cooldown;
    p->num_bad_epochs = 0;
  }
  return lr;
}

static size_t
param_numel (const EsNetParam *param)
{
  size_t n = 1;
  for (int d = 0; d < param->value->ndim; d++)
    n *= param->value->shape[d];
  return n;
}

void
es_early_stop_init (EsEarlyStop *stop, int patience, double min_delta)
{
  memset (stop, 0, sizeof *stop);
  stop->patience = patience;
  stop->min_delta = min_delta;
  stop->best = INFINITY;
  stop->best_epoch = -1;
}

void
es_early_stop_clear (EsEarlyStop *stop)
{
  for (size_t i = 0; i < stop->n_tensors; i++)
    g_free (stop->snapshot[i]);
  g_free (stop->snapshot);
  g_free (stop->sizes);
  stop->snapshot = NULL;
  stop->sizes = NULL;
  stop->n_tensors = 0;
}

gboolean
es_early_stop_update (EsEarlyStop *stop, int epoch, double loss, EsNetParam *params,
    size_t n_params)
{
  if (loss < stop->best - stop->min_delta) {
    if (stop->n_tensors != n_params) {
      es_early_stop_clear (stop);
      stop->n_tensors = n_params;
      stop->snapshot = g_new0 (float *, n_params);
      stop->sizes = g_new0 (size_t, n_params);
    }
    for (size_t i = 0; i < n_params; i++) {
      size_t numel = param_numel (&params[i]);
      if (stop->sizes[i] != numel) {
        g_free (stop->snapshot[i]);
        stop->snapshot[i] = g_new (float, numel);
        stop->sizes[i] = numel;
      }
      memcpy (stop->snapshot[i], params[i].value->data, numel * sizeof (float));
    }
    stop->best = loss;
    stop->best_epoch = epoch;
    stop->bad_epochs = 0;
    return FALSE;
  }
  stop->bad_epochs++;
  return stop->patience > 0 && stop->bad_epochs >= stop->patience;
}

gboolean
es_early_stop_restore (const EsEarlyStop *stop, EsNetParam *params, size_t n_params)
{
  if (stop->best_epoch < 0 || stop->n_tensors != n_params)
    return FALSE;
  for (size_t i = 0; i < n_params; i++)
    if (param_numel (&params[i]) != stop->sizes[i])
      return FALSE;
  for (size_t i = 0; i < n_params; i++)
    memcpy (params[i].value->data, stop->snapshot[i], stop->sizes[i] * sizeof (float));
  return TRUE;
}
