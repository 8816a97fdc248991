/* Splits: groups never straddle sides, stratified proportions, k-fold covers
 * every sample once, determinism for a seed, clear errors. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "train/split.h"

#define N 1200
#define N_CLASSES 4

/* Imbalanced labels (50/30/15/5 %) and groups of 1-12 samples whose members
 * share mostly one label, like measurements of one reviewer or one IEM. */
static void
make_data (int *labels, int *groups, guint64 seed)
{
  EsRng rng;
  int group = 1000, left = 0, group_label = 0;
  es_rng_init (&rng, seed);
  for (int i = 0; i < N; i++) {
    double u = es_rng_uniform (&rng);
    int l = u < 0.5 ? 0 : u < 0.8 ? 1 : u < 0.95 ? 2 : 3;
    if (left == 0) {
      left = 1 + (int) es_rng_below (&rng, 12);
      group += 7;                /* arbitrary, sparse ids */
      group_label = l;
    }
    labels[i] = es_rng_uniform (&rng) < 0.7 ? group_label : l;
    groups[i] = group;
    left--;
  }
}

START_TEST (test_rng_deterministic)
{
  EsRng a, b;
  size_t idx[50], idx2[50];
  es_rng_init (&a, 42);
  es_rng_init (&b, 42);
  for (int i = 0; i < 100; i++)
    ck_assert_uint_eq (es_rng_next (&a), es_rng_next (&b));
  for (int i = 0; i < 1000; i++) {
    double u = es_rng_uniform (&a);
    ck_assert (u >= 0.0 && u < 1.0);
    ck_assert_uint_lt (es_rng_below (&a, 7), 7);
  }
  for (size_t i = 0; i < 50; i++)
    idx[i] = idx2[i] = i;
  es_rng_init (&a, 1);
  es_rng_shuffle (&a, idx, 50);
  es_rng_init (&a, 2);
  es_rng_shuffle (&a, idx2, 50);
  ck_assert (memcmp (idx, idx2, sizeof idx) != 0);
  /* still a permutation */
  {
    int seen[50] = { 0 };
    for (size_t i = 0; i < 50; i++)
      seen[idx[i]]++;
    for (size_t i = 0; i < 50; i++)
      ck_assert_int_eq (seen[i], 1);
  }
}
END_TEST

START_TEST (test_stratified_proportions)
{
  int labels[N], groups[N], side[N];
  size_t count[3][N_CLASSES] = { {0} }, total[N_CLASSES] = { 0 };
  const double frac[3] = { 0.7, 0.15, 0.15 };
  GError *err = NULL;

  make_data (labels, groups, 3);
  ck_assert (es_split_assign (labels, NULL, N, N_CLASSES, 0.15, 0.15, 9, side, &err));
  for (int i = 0; i < N; i++) {
    ck_assert_int_ge (side[i], 0);
    ck_assert_int_le (side[i], 2);
    count[side[i]][labels[i]]++;
    total[labels[i]]++;
  }
  /* every class within one sample of its target on every side */
  for (int s = 0; s < 3; s++)
    for (int c = 0; c < N_CLASSES; c++)
      ck_assert_msg (fabs (count[s][c] - frac[s] * total[c]) <= 1.0 + 1e-9,
          "side %d class %d: %zu of %zu", s, c, count[s][c], total[c]);
}
END_TEST

START_TEST (test_grouped_never_straddles)
{
  int labels[N], groups[N], side[N];
  size_t count[3] = { 0 };
  GError *err = NULL;

  make_data (labels, groups, 5);
  ck_assert (es_split_assign (labels, groups, N, N_CLASSES, 0.2, 0.2, 11, side, &err));
  for (int i = 0; i < N; i++) {
    count[side[i]]++;
    for (int j = 0; j < N; j++)
      if (groups[j] == groups[i])
        ck_assert_int_eq (side[i], side[j]);
  }
  /* sizes close to the targets: groups hold at most 12 samples */
  ck_assert (fabs (count[0] - 0.6 * N) <= 24);
  ck_assert (fabs (count[1] - 0.2 * N) <= 24);
  ck_assert (fabs (count[2] - 0.2 * N) <= 24);
}
END_TEST

START_TEST (test_grouped_stratified)
{
  /* per-class shares on the test side within a few points of the overall ones */
  int labels[N], groups[N], side[N];
  size_t count[N_CLASSES] = { 0 }, total[N_CLASSES] = { 0 }, n_test = 0;
  GError *err = NULL;

  make_data (labels, groups, 6);
  ck_assert (es_split_assign (labels, groups, N, N_CLASSES, 0.0, 0.25, 1, side, &err));
  for (int i = 0; i < N; i++) {
    total[labels[i]]++;
    ck_assert_int_ne (side[i], ES_SPLIT_VALIDATION);
    if (side[i] == ES_SPLIT_TEST) {
      count[labels[i]]++;
      n_test++;
    }
  }
  for (int c = 0; c < N_CLASSES; c++)
    ck_assert_msg (fabs ((double) count[c] / total[c] - 0.25) < 0.05,
        "class %d: %zu of %zu on the test side", c, count[c], total[c]);
}
END_TEST

static void
check_kfold (gboolean grouped)
{
  int labels[N], groups[N], fold[N], fold2[N];
  size_t size[5] = { 0 };
  GError *err = NULL;

  make_data (labels, groups, 8);
  ck_assert (es_kfold_assign (labels, grouped ? groups : NULL, N, N_CLASSES, 5, 4, fold,
          &err));
  for (int i = 0; i < N; i++) {
    ck_assert_int_ge (fold[i], 0);
    ck_assert_int_lt (fold[i], 5);
    size[fold[i]]++;
  }
  /* each sample in exactly one fold (one value per sample), every fold used,
   * folds of similar size */
  for (int f = 0; f < 5; f++)
    ck_assert_msg (fabs (size[f] - N / 5.0) <= (grouped ? 24 : 1), "fold %d: %zu", f,
        size[f]);
  if (grouped)
    for (int i = 0; i < N; i++)
      for (int j = i + 1; j < N; j++)
        if (groups[i] == groups[j])
          ck_assert_int_eq (fold[i], fold[j]);
  /* deterministic for a seed, different for another */
  ck_assert (es_kfold_assign (labels, grouped ? groups : NULL, N, N_CLASSES, 5, 4, fold2,
          &err));
  ck_assert (memcmp (fold, fold2, sizeof fold) == 0);
  ck_assert (es_kfold_assign (labels, grouped ? groups : NULL, N, N_CLASSES, 5, 5, fold2,
          &err));
  ck_assert (memcmp (fold, fold2, sizeof fold) != 0);
}

START_TEST (test_kfold_stratified)
{
  check_kfold (FALSE);
}
END_TEST

START_TEST (test_kfold_grouped)
{
  check_kfold (TRUE);
}
END_TEST

START_TEST (test_split_deterministic)
{
  int labels[N], groups[N], a[N], b[N];
  make_data (labels, groups, 2);
  ck_assert (es_split_assign (labels, groups, N, N_CLASSES, 0.1, 0.2, 77, a, NULL));
  ck_assert (es_split_assign (labels, groups, N, N_CLASSES, 0.1, 0.2, 77, b, NULL));
  ck_assert (memcmp (a, b, sizeof a) == 0);
  ck_assert (es_split_assign (labels, groups, N, N_CLASSES, 0.1, 0.2, 78, b, NULL));
  ck_assert (memcmp (a, b, sizeof a) != 0);
}
END_TEST

START_TEST (test_small_part_gets_a_group)
{
  /* three big groups and a 5 % validation target: validation still gets one */
  int labels[30], groups[30], side[30];
  gboolean seen_val = FALSE;
  for (int i = 0; i < 30; i++) {
    labels[i] = i % 2;
    groups[i] = i / 10;
  }
  ck_assert (es_split_assign (labels, groups, 30, 2, 0.05, 0.3, 1, side, NULL));
  for (int i = 0; i < 30; i++)
    seen_val |= side[i] == ES_SPLIT_VALIDATION;
  ck_assert (seen_val);
}
END_TEST

START_TEST (test_split_errors)
{
  int labels[6] = { 0, 1, 0, 1, 0, 1 }, groups[6] = { 1, 1, 1, 2, 2, 2 }, out[6];
  GError *err = NULL;

  ck_assert (!es_split_assign (labels, groups, 6, 2, 0.2, 0.2, 1, out, &err));
  ck_assert_int_eq (err->code, ES_TRAIN_ERROR_SPLIT);
  ck_assert_msg (strstr (err->message, "2 groups"), "%s", err->message);
  g_clear_error (&err);

  ck_assert (!es_split_assign (labels, NULL, 6, 2, 0.6, 0.5, 1, out, &err));
  ck_assert_msg (strstr (err->message, "fraction"), "%s", err->message);
  g_clear_error (&err);

  ck_assert (!es_kfold_assign (labels, groups, 6, 2, 3, 1, out, &err));
  ck_assert_int_eq (err->domain, ES_TRAIN_ERROR);
  g_clear_error (&err);

  ck_assert (!es_kfold_assign (labels, NULL, 6, 2, 1, 1, out, &err));
  ck_assert_msg (strstr (err->message, "folds"), "%s", err->message);
  g_clear_error (&err);

  labels[3] = 2;
  ck_assert (!es_kfold_assign (labels, NULL, 6, 2, 2, 1, out, &err));
  ck_assert_msg (strstr (err->message, "label 2 of sample 3"), "%s", err->message);
  g_clear_error (&err);
}
END_TEST

static Suite *
split_suite (void)
{
  Suite *s = suite_create ("split");
  TCase *tc = tcase_create ("core");
  tcase_add_test (tc, test_rng_deterministic);
  tcase_add_test (tc, test_stratified_proportions);
  tcase_add_test (tc, test_grouped_never_straddles);
  tcase_add_test (tc, test_grouped_stratified);
  tcase_add_test (tc, test_kfold_stratified);
  tcase_add_test (tc, test_kfold_grouped);
  tcase_add_test (tc, test_split_deterministic);
  tcase_add_test (tc, test_small_part_gets_a_group);
  tcase_add_test (tc, test_split_errors);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (split_suite ());
  int failed;
  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
