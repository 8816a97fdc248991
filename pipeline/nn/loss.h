/* Softmax + cross-entropy (PyTorch nn.CrossEntropyLoss, mean reduction). */
#ifndef ES_NN_LOSS_H
#define ES_NN_LOSS_H

#include <stddef.h>
#include <glib.h>

G_BEGIN_DECLS

/* Row-wise softmax of batch x n_classes logits into probs (may alias logits). */
void es_softmax (const float *logits, size_t batch, size_t n_classes, float *probs);

/* Loss = sum_i w[y_i] * (-log softmax(z_i)[y_i]) / sum_i w[y_i]; class_weights
 * NULL means all 1. If grad is not NULL it receives dLoss/dlogits. */
double es_cross_entropy (const float *logits, const int *labels, size_t batch,
    size_t n_classes, const float *class_weights, float *grad);

/* Cross-entropy against target distributions (batch x n_classes rows that
 * sum to 1): Loss = mean_i sum_k -t_ik log softmax(z_i)_k; grad (if not NULL)
 * = (softmax(z_i) - t_i) / batch. One-hot rows give es_cross_entropy. */
double es_cross_entropy_soft (const float *logits, const float *targets, size_t batch,
    size_t n_classes, float *grad);

/* Label smoothing in place: t = (1 - eps) t + eps / n_classes for each of
 * the batch x n_classes target rows (rows summing to 1 still do). With one-hot
 * rows, es_cross_entropy_soft on the result is PyTorch's
 * CrossEntropyLoss (label_smoothing = eps). */
void es_smooth_targets (float *targets, size_t batch, size_t n_classes, double eps);

G_END_DECLS

#endif
