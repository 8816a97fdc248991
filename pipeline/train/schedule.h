/* Learning-rate schedule and early stopping.
 *
 * EsPlateau is PyTorch's ReduceLROnPlateau in mode "min" with a relative
 * threshold: a value counts as better when it is below best * (1 - threshold);
 * after more than `patience` epochs without improvement the rate is multiplied
 * by `factor` (not below `min_lr`, and only if it changes by more than 1e-8),
 * then `cooldown` epochs pass before bad epochs count again.
 *
 * EsEarlyStop watches the validation loss, keeps a copy of every network
 * tensor (weights and buffers such as batch-norm running statistics) from the
 * best epoch, says when `patience` epochs passed without an improvement larger
 * than `min_delta`, and puts the best copy back. */
#ifndef ES_TRAIN_SCHEDULE_H
#define ES_TRAIN_SCHEDULE_H

#include <stddef.h>
#include <glib.h>

#include "../nn/net.h"

G_BEGIN_DECLS

typedef struct {
  double factor;       /* 0 < factor < 1; PyTorch default 0.1 */
  int patience;        /* epochs; PyTorch default 10 */
  double threshold;    /* relative; PyTorch default 1e-4 */
  double min_lr;
  int cooldown;
} EsPlateauConfig;

#define ES_PLATEAU_CONFIG_DEFAULT { 0.1, 10, 1e-4, 0.0, 0 }

typedef struct {
  EsPlateauConfig config;
  double best;
  int num_bad_epochs;
  int cooldown_counter;
  int n_reductions;
} EsPlateau;

void es_plateau_init (EsPlateau *plateau, const EsPlateauConfig *config);
/* Feed one epoch's metric; returns the learning rate to use from now on. */
double es_plateau_step (EsPlateau *plateau, double metric, double lr);

typedef struct {
  int patience;           /* stop after this many epochs without improvement */
  double min_delta;       /* absolute improvement that counts */
  double best;            /* best loss so far (+inf at start) */
  int best_epoch;         /* -1 before the first update */
  int bad_epochs;
  size_t n_tensors;
  float **snapshot;       /* one copy per network tensor, from best_epoch */
  size_t *sizes;
} EsEarlyStop;

void es_early_stop_init (EsEarlyStop *stop, int patience, double min_delta);
void es_early_stop_clear (EsEarlyStop *stop);
/* Record epoch's validation loss; copies params when it is the best so far.
 * Returns TRUE when training should stop. A NaN loss never counts as better. */
gboolean es_early_stop_update (EsEarlyStop *stop, int epoch, double loss,
    EsNetParam *params, size_t n_params);
/* Copy the best epoch's tensors back into params (same network); FALSE if
 * nothing was recorded or the tensors do not match. */
gboolean es_early_stop_restore (const EsEarlyStop *stop, EsNetParam *params,
    size_t n_params);

G_END_DECLS

#endif
