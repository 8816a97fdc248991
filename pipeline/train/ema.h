/* Exponential moving average of a network's tensors (Polyak averaging).
 *
 * With a small batch and augmented data the weights after the last step of
 * an epoch are one noisy draw; validating (and keeping) an average of the
 * recent steps instead gives steadier validation curves and usually a better
 * model. After every optimiser step each tensor, batch-norm running
 * statistics included (as timm's ModelEmaV2 does), moves towards the live
 * value:
 *
 *   shadow = d * shadow + (1 - d) * value,  d = min (decay, (1 + t) / (10 + t))
 *
 * where t counts the updates, so early shadows are not dominated by the
 * random initialisation. es_ema_swap exchanges shadow and live tensors, to
 * evaluate or keep the averaged network and then go back to training. */
#ifndef ES_TRAIN_EMA_H
#define ES_TRAIN_EMA_H

#include <stddef.h>
#include <glib.h>

#include "../nn/net.h"

G_BEGIN_DECLS

typedef struct _EsEma EsEma;

/* Shadow copies of @params (all tensors, trainable or not), starting equal. */
EsEma *es_ema_new (const EsNetParam *params, size_t n_params, double decay);
void es_ema_free (EsEma *ema);
/* One update after an optimiser step. */
void es_ema_update (EsEma *ema, const EsNetParam *params, size_t n_params);
/* Exchange the shadow and the live tensors (call twice to go back). */
void es_ema_swap (EsEma *ema, EsNetParam *params, size_t n_params);
/* The decay used by the next update. */
double es_ema_next_decay (const EsEma *ema);

G_END_DECLS

#endif
