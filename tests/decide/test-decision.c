/* decide/decision: softmax, top-k, window mean and smoothing against NumPy. */
#include <math.h>
#include <check.h>
#include "decide/decision.h"
#include "../fixtures/decide/decision.h"

static void
near (const double *got, const double *want, size_t n, double tol)
{
  for (size_t k = 0; k < n; k++)
    ck_assert_msg (fabs (got[k] - want[k]) <= tol * MAX (1e-300, fabs (want[k]))
        || fabs (got[k] - want[k]) < 1e-300, "k=%zu: %.17g vs %.17g", k,
        got[k], want[k]);
}

START_TEST (test_softmax_and_mean)
{
  double p[5][4], out[4];
  EsDecisionMean *mean = es_decision_mean_new (4);

  ck_assert (!es_decision_mean_get (mean, out));
  for (int i = 0; i < 5; i++) {
    es_decision_probabilities (fx_logits[i], 4, p[i]);
    near (p[i], fx_probs[i], 4, 1e-12);
    es_decision_mean_add (mean, p[i]);
  }
  ck_assert (es_decision_mean_get (mean, out));
  ck_assert_uint_eq (es_decision_mean_get_count (mean), 5);
  near (out, fx_mean, 4, 1e-12);
  es_decision_mean_reset (mean);
  ck_assert (!es_decision_mean_get (mean, out));
  es_decision_mean_free (mean);
}
END_TEST

START_TEST (test_top_k_and_best)
{
  const double p[5] = { 0.1, 0.3, 0.05, 0.3, 0.25 };
  size_t order[5];

  ck_assert_uint_eq (es_decision_best (p, 5), 1);
  ck_assert_uint_eq (es_decision_top_k (p, 5, 3, order), 3);
  ck_assert_uint_eq (order[0], 1);
  ck_assert_uint_eq (order[1], 3);
  ck_assert_uint_eq (order[2], 4);
  ck_assert_uint_eq (es_decision_top_k (p, 5, 9, order), 5);
  ck_assert_uint_eq (order[4], 2);
}
END_TEST

START_TEST (test_smoothing)
{
  double p[5][4], out[4];
  EsSmoother *ma = es_smoother_new_moving_average (4, 3);
  EsSmoother *one = es_smoother_new_moving_average (4, 1);
  EsSmoother *ex = es_smoother_new_exponential (4, 0.5);

  for (int i = 0; i < 5; i++) {
    es_decision_probabilities (fx_logits[i], 4, p[i]);
    es_smoother_push (ma, p[i], out);
    es_smoother_push (one, p[i], out);
    for (int k = 0; k < 4; k++)
      ck_assert (out[k] == p[i][k]);   /* N = 1 is no smoothing, bit for bit */
  }
  es_smoother_push (ma, p[4], out);     /* ring now holds p3, p4, p4 */
  es_smoother_reset (ma);
  es_smoother_push (ma, p[2], out);
  es_smoother_push (ma, p[3], out);
  es_smoother_push (ma, p[4], out);
  near (out, fx_ma3_last, 4, 1e-12);
  es_smoother_push (ex, p[0], out);
  near (out, p[0], 4, 0);
  es_smoother_push (ex, p[1], out);
  for (int k = 0; k < 4; k++)
    ck_assert (fabs (out[k] - 0.5 * (p[0][k] + p[1][k])) < 1e-15);
  ck_assert_int_eq (es_smoother_get_kind (ex), ES_SMOOTHING_EXPONENTIAL);
  es_smoother_free (ma);
  es_smoother_free (one);
  es_smoother_free (ex);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("decision");
  TCase *tc = tcase_create ("decision");
  SRunner *sr;
  int failed;

  tcase_add_test (tc, test_softmax_and_mean);
  tcase_add_test (tc, test_top_k_and_best);
  tcase_add_test (tc, test_smoothing);
  suite_add_tcase (s, tc);
  sr = srunner_create (s);
  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? 1 : 0;
}
