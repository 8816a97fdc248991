/* Optimisers over an EsNet's parameter list, with PyTorch 1.13 semantics
 * (torch.optim.Adam / AdamW / SGD, single-tensor path). Entries whose grad is
 * NULL (batch-norm running statistics) are skipped. The optimiser keeps a
 * pointer to the parameter array, which must outlive it (the array returned by
 * es_net_get_params lives as long as the net). */
#ifndef ES_NN_OPTIM_H
#define ES_NN_OPTIM_H

#include <stddef.h>
#include <glib.h>

#include "net.h"

G_BEGIN_DECLS

typedef struct _EsOptimizer EsOptimizer;

typedef enum {
  ES_OPTIMIZER_SGD,
  ES_OPTIMIZER_ADAM,
} EsOptimizerKind;

/* Adam: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 * p -= lr (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps).
 * weight_decay adds weight_decay * p to g (torch.optim.Adam's L2) unless
 * `decoupled`, which instead scales p by (1 - lr weight_decay) first
 * (torch.optim.AdamW). PyTorch defaults: lr 1e-3, betas 0.9/0.999, eps 1e-8. */
EsOptimizer *es_optimizer_new_adam (EsNetParam *params, size_t n_params,
    double lr, double beta1, double beta2, double eps, double weight_decay,
    gboolean decoupled);

/* SGD: g += weight_decay p; with momentum mu: buf = g on the first step, then
 * buf = mu buf + (1 - dampening) g; the step uses g + mu buf (nesterov) or
 * buf; p -= lr step. Nesterov needs momentum > 0 and dampening 0. */
EsOptimizer *es_optimizer_new_sgd (EsNetParam *params, size_t n_params,
    double lr, double momentum, double dampening, double weight_decay,
    gboolean nesterov);

void es_optimizer_free (EsOptimizer *opt);

/* One update from the current gradients (does not zero them). */
void es_optimizer_step (EsOptimizer *opt);

/* Learning rate, e.g. for a scheduler such as ReduceLROnPlateau. */
void es_optimizer_set_lr (EsOptimizer *opt, double lr);
double es_optimizer_get_lr (const EsOptimizer *opt);

EsOptimizerKind es_optimizer_get_kind (const EsOptimizer *opt);
/* Steps taken since creation or the last reset. */
guint64 es_optimizer_get_step_count (const EsOptimizer *opt);
/* Forget moments / momentum buffers and the step count. */
void es_optimizer_reset (EsOptimizer *opt);

G_END_DECLS

#endif
