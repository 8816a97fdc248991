/* Metrics against scikit-learn (tests/fixtures/train/metrics.txt, made by
 * make_metrics.py there). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "train/metrics.h"

START_TEST (test_metrics_vs_sklearn)
{
  size_t len, n, pos = 2;
  int k;
  double *v = es_fixture_load_doubles ("train/metrics.txt", &len);
  float *scores;
  int *labels;
  EsMetrics *m;

  n = (size_t) v[0];
  k = (int) v[1];
  ck_assert_uint_eq (len, 2 + n * (k + 1) + 3 + 3 * k + k * k);
  scores = g_new (float, n * k);
  labels = g_new (int, n);
  for (size_t i = 0; i < n; i++) {
    labels[i] = (int) v[pos++];
    for (int j = 0; j < k; j++)
      scores[i * k + j] = (float) v[pos++];
  }
  m = es_metrics_compute (scores, labels, n, k);
  ck_assert (m);
  ck_assert_double_eq_tol (m->accuracy, v[pos], 1e-12);
  ck_assert_double_eq_tol (m->macro_f1, v[pos + 1], 1e-12);
  ck_assert_double_eq_tol (m->map3, v[pos + 2], 1e-12);
  pos += 3;
  for (int c = 0; c < k; c++) {
    ck_assert_double_eq_tol (m->precision[c], v[pos + c], 1e-12);
    ck_assert_double_eq_tol (m->recall[c], v[pos + k + c], 1e-12);
    ck_assert_double_eq_tol (m->f1[c], v[pos + 2 * k + c], 1e-12);
  }
  pos += 3 * k;
  for (int i = 0; i < k * k; i++)
    ck_assert_uint_eq (m->confusion[i], (size_t) v[pos + i]);
  ck_assert (isnan (m->loss));
  es_metrics_free (m);
  g_free (scores);
  g_free (labels);
  g_free (v);
}
END_TEST

START_TEST (test_metrics_small_by_hand)
{
  /* 3 classes, class 2 absent everywhere: macro-F1 averages classes 0 and 1 */
  const float scores[] = {
    0.9f, 0.1f, 0.0f,     /* true 0, pred 0, rank 1 */
    0.2f, 0.7f, 0.1f,     /* true 0, pred 1, rank 2 */
    0.1f, 0.8f, 0.1f,     /* true 1, pred 1 */
    0.5f, 0.5f, 0.0f,     /* true 1, tie: pred 0, rank 2 */
  };
  const int labels[] = { 0, 0, 1, 1 };
  const int predicted[] = { 0, 1, 1, 0 };
  EsMetrics *m = es_metrics_compute (scores, labels, 4, 3);
  char *table;

  ck_assert_double_eq_tol (m->accuracy, 0.5, 1e-12);
  ck_assert_double_eq_tol (m->map3, (1 + 0.5 + 1 + 0.5) / 4.0, 1e-12);
  ck_assert_double_eq_tol (m->f1[0], 0.5, 1e-12);
  ck_assert_double_eq_tol (m->macro_f1, 0.5, 1e-12);
  ck_assert_uint_eq (m->support[2], 0);
  table = es_metrics_format_confusion (m, (const char *[]) { "A", "B", "C" }, TRUE);
  ck_assert_msg (strstr (table, "| **A** | 1 | 1 | 0 |"), "%s", table);
  g_free (table);
  es_metrics_free (m);

  m = es_metrics_compute_predicted (predicted, labels, 4, 3);
  ck_assert_double_eq_tol (m->accuracy, 0.5, 1e-12);
  ck_assert_double_eq_tol (m->map3, 0.5, 1e-12);
  es_metrics_free (m);
}
END_TEST

START_TEST (test_mean_std)
{
  const double v[] = { 0.9, 0.8, 1.0 };
  double mean, std;
  es_mean_std (v, 3, &mean, &std);
  ck_assert_double_eq_tol (mean, 0.9, 1e-12);
  ck_assert_double_eq_tol (std, 0.1, 1e-12);
  es_mean_std (v, 1, &mean, &std);
  ck_assert_double_eq (std, 0.0);
}
END_TEST

static Suite *
metrics_suite (void)
{
  Suite *s = suite_create ("metrics");
  TCase *tc = tcase_create ("core");
  tcase_add_test (tc, test_metrics_vs_sklearn);
  tcase_add_test (tc, test_metrics_small_by_hand);
  tcase_add_test (tc, test_mean_std);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (metrics_suite ());
  int failed;
  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
