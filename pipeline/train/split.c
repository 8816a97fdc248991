/* Seeded shuffles and stratified / grouped splits. */
#include "train/split.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ES_SPLIT_MAX_PARTS 1024

typedef struct {
  size_t id;          /* dense group index */
  size_t size;
  size_t position;    /* place after the seeded shuffle: breaks size ties */
} GroupOrder;

/* Sample indices by (group, class). */
typedef struct {
  const size_t *dense;
  const int *labels;
} SampleKey;

static gint
compare_samples (gconstpointer pa, gconstpointer pb, gpointer data)
{
  const SampleKey *k = data;
  size_t a = *(const size_t *) pa, b = *(const size_t *) pb;

  if (k->dense[a] != k->dense[b])
    return k->dense[a] < k->dense[b] ? -1 : 1;
  return (k->labels[a] > k->labels[b]) - (k->labels[a] < k->labels[b]);
}

static int
compare_group_order (const void *pa, const void *pb)
{
  const GroupOrder *a = pa, *b = pb;
  if (a->size != b->size)
    return a->size > b->size ? -1 : 1;
  return a->position < b->position ? -1 : a->position > b->position;
}

/* A group's class counts, sparse: the classes it holds, ascending. Millions
 * of groups (a stratified split is a group per sample) times thousands of
 * classes would not fit as a dense matrix. */
typedef struct {
  int cls;
  size_t count;
} ClassCount;

/* Change of the squared distance to the targets if a group with class counts
 * gc[0, n_gc) (size gs) joins part p. Classes the group does not hold add 0
 * to the sum, so only its own are visited, in ascending order as a dense loop
 * would: the same sum, bit for bit. `used`: classes present in the data. */
static double
placement_cost (const size_t *cnt_p, size_t size_p, double f, const ClassCount *gc,
    size_t n_gc, size_t gs, const size_t *class_total, int used, size_t n)
{
  double class_term = 0.0, size_term;
  for (size_t k = 0; k < n_gc; k++) {
    int c = gc[k].cls;
    double a = (double) cnt_p[c] / class_total[c] - f;
    double x = (double) gc[k].count / class_total[c];
    class_term += 2.0 * a * x + x * x;
  }
  {
    double a = (double) size_p / n - f, x = (double) gs / n;
    size_term = 2.0 * a * x + x * x;
  }
  return (used ? class_term / used : 0.0) + size_term;
}

gboolean
es_split_parts (const int *labels, const int *groups, size_t n, int n_classes,
    int n_parts, const double *fractions, guint64 seed, int *part, GError **error)
{
  GHashTable *group_ids = NULL;
  size_t *dense = NULL, *group_start = NULL, *part_counts = NULL, *part_size = NULL;
  ClassCount *group_counts = NULL;
  int used_classes = 0;
  size_t *class_total = NULL, *group_part = NULL;
  GroupOrder *order = NULL;
  size_t n_groups = 0;
  int n_used_parts = 0;
  double fraction_sum = 0.0;
  gboolean ok = FALSE;
  EsRng rng;

  if (n == 0 || n_classes <= 0) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_SPLIT,
        "cannot split an empty data set");
    return FALSE;
  }
  if (n > G_MAXINT) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_SPLIT,
        "cannot split %zu samples (at most %d)", n, G_MAXINT);
    return FALSE;
  }
  if (n_parts < 1 || n_parts > ES_SPLIT_MAX_PARTS) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_SPLIT,
        "cannot split into %d parts (1 to %d)", n_parts, ES_SPLIT_MAX_PARTS);
    return FALSE;
  }
  for (int p = 0; p < n_parts; p++) {
    if (!(fractions[p] >= 0.0 && fractions[p] <= 1.0)) {
      g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_SPLIT,
          "split fraction %g is outside [0, 1]", fractions[p]);
      return FALSE;
    }
    fraction_sum += fractions[p];
    if (fractions[p] > 0.0)
      n_used_parts++;
  }
  if (fabs (fraction_sum - 1.0) > 1e-6) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_SPLIT,
        "split fractions sum to %g, not 1", fraction_sum);
    return FALSE;
  }
  for (size_t i = 0; i < n; i++)
    if (labels[i] < 0 || labels[i] >= n_classes) {
      g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_SPLIT,
          "label %d of sample %zu is outside [0, %d)", labels[i], i, n_classes);
      return FALSE;
    }

  /* Dense group ids in order of first appearance (never hash-table order, so
   * the result cannot depend on the hash function). */
  dense = g_new (size_t, n);
  if (groups) {
    group_ids = g_hash_table_new (g_int_hash, g_int_equal);
    for (size_t i = 0; i < n; i++) {
      gpointer v;
      if (g_hash_table_lookup_extended (group_ids, &groups[i], NULL, &v)) {
        dense[i] = GPOINTER_TO_SIZE (v);
      } else {
        dense[i] = n_groups;
        g_hash_table_insert (group_ids, (gpointer) & groups[i], GSIZE_TO_POINTER (n_groups));
        n_groups++;
      }
    }
  } else {
    for (size_t i = 0; i < n; i++)
      dense[i] = i;
    n_groups = n;
  }
  if (n_groups < (size_t) n_used_parts) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_SPLIT,
        "%zu %s cannot fill %d parts: each part needs at least one",
        n_groups, groups ? "groups" : "samples", n_used_parts);
    goto out;
  }

  class_total = g_new0 (size_t, n_classes);
  order = g_new0 (GroupOrder, n_groups);
  for (size_t i = 0; i < n; i++) {
    class_total[labels[i]]++;
    order[dense[i]].size++;
  }
  for (int c = 0; c < n_classes; c++)
    used_classes += class_total[c] > 0;
  {
    /* each group's classes: samples sorted by (group, class), then runs */
    size_t *by_group = g_new (size_t, n), n_counts = 0;
    SampleKey key = { dense, labels };

    for (size_t i = 0; i < n; i++)
      by_group[i] = i;
    g_qsort_with_data (by_group, (gint) n, sizeof (size_t), compare_samples, &key);
    group_counts = g_new (ClassCount, n);
    group_start = g_new0 (size_t, n_groups + 1);
    for (size_t k = 0; k < n; k++) {
      size_t i = by_group[k];
      if (k > 0 && dense[by_group[k - 1]] == dense[i] && labels[by_group[k - 1]] == labels[i]) {
        group_counts[n_counts - 1].count++;
        continue;
      }
      group_counts[n_counts].cls = labels[i];
      group_counts[n_counts].count = 1;
      group_start[dense[i] + 1] = ++n_counts;
    }
    /* a group's entries end where the next one's start */
    for (size_t g = 1; g <= n_groups; g++)
      group_start[g] = MAX (group_start[g], group_start[g - 1]);
    g_free (by_group);
  }
  {
    size_t *perm = g_new (size_t, n_groups);
    for (size_t g = 0; g < n_groups; g++)
      perm[g] = g;
    es_rng_init (&rng, seed);
    es_rng_shuffle (&rng, perm, n_groups);
    for (size_t k = 0; k < n_groups; k++) {
      order[perm[k]].id = perm[k];
      order[perm[k]].position = k;
    }
    g_free (perm);
  }
  /* Largest groups first: they are the hardest to place, and small ones then
   * even out what they left. */
  qsort (order, n_groups, sizeof (GroupOrder), compare_group_order);

  part_counts = g_new0 (size_t, (size_t) n_parts * n_classes);
  part_size = g_new0 (size_t, n_parts);
  group_part = g_new (size_t, n_groups);
  for (size_t k = 0; k < n_groups; k++) {
    size_t g = order[k].id;
    const ClassCount *gc = group_counts + group_start[g];
    size_t n_gc = group_start[g + 1] - group_start[g];
    int best = -1;
    double best_cost = 0.0, best_fill = 0.0;
    for (int p = 0; p < n_parts; p++) {
      double cost, fill;
      if (fractions[p] <= 0.0)
        continue;
      cost = placement_cost (part_counts + (size_t) p * n_classes, part_size[p],
          fractions[p], gc, n_gc, order[k].size, class_total, used_classes, n);
      fill = part_size[p] / (fractions[p] * n);
      if (best < 0 || cost < best_cost - 1e-12
          || (cost <= best_cost + 1e-12 && fill < best_fill)) {
        best = p;
        best_cost = cost;
        best_fill = fill;
      }
    }
    group_part[g] = best;
    part_size[best] += order[k].size;
    for (size_t j = 0; j < n_gc; j++)
      part_counts[(size_t) best * n_classes + gc[j].cls] += gc[j].count;
  }

  /* A part with a small target can stay empty when every group is large; give
   * it the smallest group of the part holding the most groups. */
  for (int p = 0; p < n_parts; p++) {
    size_t *groups_in = g_new0 (size_t, n_parts);
    if (fractions[p] <= 0.0 || part_size[p] > 0) {
      g_free (groups_in);
      continue;
    }
    for (size_t g = 0; g < n_groups; g++)
      groups_in[group_part[g]]++;
    {
      int donor = 0;
      for (int q = 1; q < n_parts; q++)
        if (groups_in[q] > groups_in[donor])
          donor = q;
      /* order is largest first: the last group of the donor is its smallest */
      for (size_t k = n_groups; k-- > 0;) {
        size_t g = order[k].id;
        if ((int) group_part[g] == donor) {
          group_part[g] = p;
          part_size[donor] -= order[k].size;
          part_size[p] += order[k].size;
          break;
        }
      }
    }
    g_free (groups_in);
  }

  for (size_t i = 0; i < n; i++)
    part[i] = (int) group_part[dense[i]];
  ok = TRUE;

out:
  if (group_ids)
    g_hash_table_destroy (group_ids);
  g_free (dense);
  g_free (group_counts);
  g_free (group_start);
  g_free (class_total);
  g_free (order);
  g_free (part_counts);
  g_free (part_size);
  g_free (group_part);
  return ok;
}

gboolean
es_split_assign (const int *labels, const int *groups, size_t n, int n_classes,
    double validation_fraction, double test_fraction, guint64 seed, int *side,
    GError **error)
{
  double fractions[3];
  if (!(validation_fraction >= 0.0 && validation_fraction < 1.0)
      || !(test_fraction >= 0.0 && test_fraction < 1.0)
      || validation_fraction + test_fraction >= 1.0) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_SPLIT,
        "validation fraction %g and test fraction %g must each be in [0, 1) "
        "and leave some data to train on", validation_fraction, test_fraction);
    return FALSE;
  }
  fractions[ES_SPLIT_TRAIN] = 1.0 - validation_fraction - test_fraction;
  fractions[ES_SPLIT_VALIDATION] = validation_fraction;
  fractions[ES_SPLIT_TEST] = test_fraction;
  return es_split_parts (labels, groups, n, n_classes, 3, fractions, seed, side, error);
}

gboolean
es_kfold_assign (const int *labels, const int *groups, size_t n, int n_classes,
    int k, guint64 seed, int *fold, GError **error)
{
  double *fractions;
  gboolean ok;
  if (k < 2 || k > ES_SPLIT_MAX_PARTS) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_SPLIT,
        "cross-validation needs 2 to %d folds, not %d", ES_SPLIT_MAX_PARTS, k);
    return FALSE;
  }
  fractions = g_new (double, k);
  for (int i = 0; i < k; i++)
    fractions[i] = 1.0 / k;
  ok = es_split_parts (labels, groups, n, n_classes, k, fractions, seed, fold, error);
  g_free (fractions);
  return ok;
}
