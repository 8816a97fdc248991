/* Decisions from logits; see decision.h. */
#include "decide/decision.h"

#include <math.h>
#include <string.h>

void
es_decision_probabilities (const float *logits, size_t n_labels,
    double *probs)
{
  double max, sum = 0;

  if (n_labels == 0)
    return;
  max = logits[0];
  for (size_t k = 1; k < n_labels; k++)
    max = MAX (max, logits[k]);
  for (size_t k = 0; k < n_labels; k++)
    sum += probs[k] = exp ((double) logits[k] - max);
  for (size_t k = 0; k < n_labels; k++)
    probs[k] /= sum;
}

size_t
es_decision_best (const double *probs, size_t n_labels)
{
  size_t best = 0;

  for (size_t k = 1; k < n_labels; k++)
    if (probs[k] > probs[best])
      best = k;
  return best;
}

size_t
es_decision_top_k (const double *probs, size_t n_labels, size_t k,
    size_t *order)
{
  k = MIN (k, n_labels);
  /* selection: label counts are small */
  for (size_t i = 0; i < k; i++) {
    size_t arg = n_labels;

    for (size_t j = 0; j < n_labels; j++) {
      gboolean taken = FALSE;

      for (size_t t = 0; t < i && !taken; t++)
        taken = order[t] == j;
      if (!taken && (arg == n_labels || probs[j] > probs[arg]))
        arg = j;
    }
    order[i] = arg;
  }
  return k;
}

struct _EsDecisionMean
{
  size_t n_labels;
  size_t count;
  double *sum;
};

EsDecisionMean *
es_decision_mean_new (size_t n_labels)
{
  EsDecisionMean *mean = g_new0 (EsDecisionMean, 1);

  mean->n_labels = n_labels;
  mean->sum = g_new0 (double, MAX (n_labels, 1));
  return mean;
}

void
es_decision_mean_free (EsDecisionMean * mean)
{
  if (mean == NULL)
    return;
  g_free (mean->sum);
  g_free (mean);
}

void
es_decision_mean_reset (EsDecisionMean * mean)
{
  mean->count = 0;
  memset (mean->sum, 0, mean->n_labels * sizeof (double));
}

void
es_decision_mean_add (EsDecisionMean * mean, const double *probs)
{
  for (size_t k = 0; k < mean->n_labels; k++)
    mean->sum[k] += probs[k];
  mean->count++;
}

size_t
es_decision_mean_get_count (const EsDecisionMean * mean)
{
  return mean->count;
}

gboolean
es_decision_mean_get (const EsDecisionMean * mean, double *probs)
{
  if (mean->count == 0)
    return FALSE;
  for (size_t k = 0; k < mean->n_labels; k++)
    probs[k] = mean->sum[k] / mean->count;
  return TRUE;
}

struct _EsSmoother
{
  EsSmoothingKind kind;
  size_t n_labels;
  guint window;                 /* moving average: ring of window inputs */
  guint pos, len;
  double *history;
  double alpha;                 /* exponential */
  double *state;
};

EsSmoother *
es_smoother_new_moving_average (size_t n_labels, guint window)
{
  EsSmoother *s;

  g_return_val_if_fail (window >= 1, NULL);
  s = g_new0 (EsSmoother, 1);
  s->kind = ES_SMOOTHING_MOVING_AVERAGE;
  s->n_labels = n_labels;
  s->window = window;
  s->history = g_new0 (double, MAX (n_labels * window, 1));
  return s;
}

EsSmoother *
es_smoother_new_exponential (size_t n_labels, double alpha)
{
  EsSmoother *s;

  g_return_val_if_fail (alpha > 0 && alpha <= 1, NULL);
  s = g_new0 (EsSmoother, 1);
  s->kind = ES_SMOOTHING_EXPONENTIAL;
  s->n_labels = n_labels;
  s->alpha = alpha;
  s->state = g_new0 (double, MAX (n_labels, 1));
  return s;
}

void
es_smoother_free (EsSmoother * s)
{
  if (s == NULL)
    return;
  g_free (s->history);
  g_free (s->state);
  g_free (s);
}

EsSmoothingKind
es_smoother_get_kind (const EsSmoother * s)
{
  return s->kind;
}

void
es_smoother_set_alpha (EsSmoother * s, double alpha)
{
  g_return_if_fail (s->kind == ES_SMOOTHING_EXPONENTIAL);
  g_return_if_fail (alpha > 0 && alpha <= 1);
  s->alpha = alpha;
}

void
es_smoother_reset (EsSmoother * s)
{
  s->pos = 0;
  s->len = 0;
}

void
es_smoother_push (EsSmoother * s, const double *probs, double *out)
{
  size_t n = s->n_labels;

  if (s->kind == ES_SMOOTHING_EXPONENTIAL) {
    for (size_t k = 0; k < n; k++)
      s->state[k] = s->len == 0 ? probs[k]
          : s->alpha * probs[k] + (1 - s->alpha) * s->state[k];
    s->len = 1;
    memcpy (out, s->state, n * sizeof (double));
    return;
  }
  memcpy (s->history + (size_t) s->pos * n, probs, n * sizeof (double));
  s->pos = (s->pos + 1) % s->window;
  s->len = MIN (s->len + 1, s->window);
  /* summed oldest slot first in ring order, so N = 1 returns probs exactly */
  for (size_t k = 0; k < n; k++) {
    double acc = 0;

    for (guint h = 0; h < s->len; h++)
      acc += s->history[(size_t) h * n + k];
    out[k] = acc / s->len;
  }
}
