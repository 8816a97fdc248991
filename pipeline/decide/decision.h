/* The one decision path: logits → class probabilities → top-k, the mean over
 * windows (a file-level decision) and smoothing state for live streams.
 * Everything is computed in double, so every caller (cnnclassify, earshot iem,
 * earshot eval) reports the same probabilities bit for bit. */
#ifndef ES_DECIDE_DECISION_H
#define ES_DECIDE_DECISION_H

#include <stddef.h>
#include <glib.h>

G_BEGIN_DECLS

/* Stable softmax in double: probs[k] = exp (logits[k] - max) / sum. */
void es_decision_probabilities (const float *logits, size_t n_labels,
    double *probs);

/* Index of the most probable label (the first of equals). */
size_t es_decision_best (const double *probs, size_t n_labels);

/* Writes the indices of the min (k, n_labels) most probable labels into
 * order, best first (equal probabilities keep label order); returns how many. */
size_t es_decision_top_k (const double *probs, size_t n_labels, size_t k,
    size_t *order);

/* The file-level decision: the mean of the probabilities of its windows. */
typedef struct _EsDecisionMean EsDecisionMean;

EsDecisionMean *es_decision_mean_new (size_t n_labels);
void es_decision_mean_free (EsDecisionMean * mean);
void es_decision_mean_reset (EsDecisionMean * mean);
void es_decision_mean_add (EsDecisionMean * mean, const double *probs);
size_t es_decision_mean_get_count (const EsDecisionMean * mean);
/* Writes the mean so far; FALSE (probs untouched) when nothing was added. */
gboolean es_decision_mean_get (const EsDecisionMean * mean, double *probs);

/* Smoothing of successive decisions on a live stream. */
typedef enum
{
  ES_SMOOTHING_MOVING_AVERAGE,  /* mean of the last N inputs (N = 1: none) */
  ES_SMOOTHING_EXPONENTIAL,     /* s = a * p + (1 - a) * s; first s = p */
} EsSmoothingKind;

typedef struct _EsSmoother EsSmoother;

/* window: N for a moving average (>= 1); alpha in (0, 1] for exponential. */
EsSmoother *es_smoother_new_moving_average (size_t n_labels, guint window);
EsSmoother *es_smoother_new_exponential (size_t n_labels, double alpha);
void es_smoother_free (EsSmoother * smoother);
EsSmoothingKind es_smoother_get_kind (const EsSmoother * smoother);
/* Exponential only: the weight of the next inputs, alpha in (0, 1] (a live
 * stream sets it from the time between windows and a time constant). */
void es_smoother_set_alpha (EsSmoother * smoother, double alpha);
/* Forgets the past (discontinuities, flushes, new streams). */
void es_smoother_reset (EsSmoother * smoother);
/* Adds one input's probabilities and writes the smoothed ones into out. */
void es_smoother_push (EsSmoother * smoother, const double *probs,
    double *out);

G_END_DECLS

#endif
