/* Seeded shuffles and data splits: stratified and grouped train/validation/test
 * splits and k-fold cross-validation.
 *
 * Every function is deterministic for its seed on every platform (nn/rng.h:
 * no libc rand, no floating-point ordering issues).
 *
 * Grouped splits never put one group on two sides. They are stratified as far
 * as the groups allow, with the greedy assignment of scikit-learn's
 * StratifiedGroupKFold: groups are shuffled, then taken largest first, each put
 * on the side whose class proportions and size move closest to their targets.
 * Ungrouped (stratified) splits are the same procedure with one group per
 * sample, which reaches the per-class proportions to within one sample. */
#ifndef ES_TRAIN_SPLIT_H
#define ES_TRAIN_SPLIT_H

#include <stddef.h>
#include <glib.h>

#include "../nn/rng.h"
#include "train-error.h"

G_BEGIN_DECLS

typedef enum {
  ES_SPLIT_TRAIN = 0,
  ES_SPLIT_VALIDATION = 1,
  ES_SPLIT_TEST = 2,
} EsSplitSide;

/* Assign each of n samples to train, validation or test.
 * @labels: class of each sample, in [0, n_classes).
 * @groups: group id of each sample (any int), or NULL for a stratified split.
 * @validation_fraction, @test_fraction: targets in [0, 1), sum < 1; a side
 *   with fraction 0 stays empty, a side with fraction > 0 gets at least one
 *   group.
 * @side: out, n entries of EsSplitSide.
 * Fails (ES_TRAIN_ERROR_SPLIT) on bad fractions, labels out of range, or fewer
 * groups than non-empty sides. */
gboolean es_split_assign (const int *labels, const int *groups, size_t n, int n_classes,
    double validation_fraction, double test_fraction, guint64 seed, int *side,
    GError **error);

/* Assign each sample to one of k folds (k >= 2) for cross-validation: fold i
 * is the test part of round i, so every sample is tested exactly once.
 * @groups: NULL for stratified k-fold, else grouped (StratifiedGroupKFold-like).
 * @fold: out, n entries in [0, k).
 * Fails if there are fewer than k groups (or samples). */
gboolean es_kfold_assign (const int *labels, const int *groups, size_t n, int n_classes,
    int k, guint64 seed, int *fold, GError **error);

/* The general form of both: n_parts parts with target fractions (summing to
 * 1; a part with fraction 0 stays empty). */
gboolean es_split_parts (const int *labels, const int *groups, size_t n, int n_classes,
    int n_parts, const double *fractions, guint64 seed, int *part, GError **error);

G_END_DECLS

#endif
