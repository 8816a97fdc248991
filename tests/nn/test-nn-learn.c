/* The engine learns: a small CNN trained with Adam on a separable synthetic
 * problem (three tones at random phase and amplitude in noise) reaches
 * >= 99 % accuracy on held-out examples, with fixed seeds. The full trainer
 * lives in train/train; this loop is the minimum to exercise forward, loss,
 * backward and the optimiser together in training mode. */
#include <check.h>
#include <math.h>
#include <stdio.h>

#include "nn/net.h"
#include "nn/loss.h"
#include "nn/optim.h"
#include "nn-testutil.h"

#define LEN 32
#define CLASSES 3

static void
make_example (uint32_t id, float *x, int *label)
{
  static const double cycles[CLASSES] = { 2.0, 5.0, 9.0 };
  const int k = (int) (nn_fmix32 (id * 3 + 1) % CLASSES);
  const double phase = M_PI * (1.0 + nn_hash_uniform (id, 0));
  const double amp = 1.0 + 0.5 * nn_hash_uniform (id, 1);
  for (int t = 0; t < LEN; t++)
    x[t] = (float) (amp * sin (2.0 * M_PI * cycles[k] * t / LEN + phase)
        + 0.3 * nn_hash_uniform (id, 2 + t));
  *label = k;
}

static double
accuracy (EsNet *net, const float *x, const int *y, size_t n)
{
  const float *logits = es_net_forward (net, x, n);
  size_t correct = 0;
  for (size_t i = 0; i < n; i++) {
    int best = 0;
    for (int k = 1; k < CLASSES; k++)
      if (logits[i * CLASSES + k] > logits[i * CLASSES + best])
        best = k;
    correct += best == y[i];
  }
  return (double) correct / n;
}

START_TEST (test_learns_separable_problem)
{
  const size_t shape[2] = { 1, LEN }, n_train = 640, n_test = 300, batch = 32;
  const char *arch = "[{\"type\":\"conv1d\",\"out_channels\":8,\"kernel\":5,\"padding\":2},"
      "{\"type\":\"batchnorm\"},{\"type\":\"relu\"},{\"type\":\"maxpool1d\",\"kernel\":2},"
      "{\"type\":\"conv1d\",\"out_channels\":8,\"kernel\":3,\"padding\":1},"
      "{\"type\":\"relu\"},{\"type\":\"dropout\",\"p\":0.1},{\"type\":\"global_mean\"},"
      "{\"type\":\"dense\",\"out_features\":3}]";
  GError *error = NULL;
  EsNet *net = es_net_new (arch, 2, shape, &error);
  float *x = g_new (float, (n_train + n_test) * LEN), *grad = g_new (float, batch * CLASSES);
  int *y = g_new (int, n_train + n_test);
  size_t n_params;
  EsNetParam *params;
  EsOptimizer *opt;
  double before, after, loss = 0.0;

  ck_assert_msg (net != NULL, "%s", error ? error->message : "");
  for (size_t i = 0; i < n_train + n_test; i++)
    make_example ((uint32_t) i, x + i * LEN, &y[i]);
  es_net_init_weights (net, 1);
  es_net_set_seed (net, 2);
  es_net_set_need_input_grad (net, FALSE);
  params = es_net_get_params (net, &n_params);
  opt = es_optimizer_new_adam (params, n_params, 1e-2, 0.9, 0.999, 1e-8, 0.0, FALSE);
  before = accuracy (net, x + n_train * LEN, y + n_train, n_test);

  for (int epoch = 0; epoch < 20; epoch++) {
    es_net_set_training (net, TRUE);
    loss = 0.0;
    for (size_t b0 = 0; b0 < n_train; b0 += batch) {
      const float *logits = es_net_forward (net, x + b0 * LEN, batch);
      loss += es_cross_entropy (logits, y + b0, batch, CLASSES, NULL, grad);
      es_net_zero_grad (net);
      es_net_backward (net, grad);
      es_optimizer_step (opt);
    }
    es_net_set_training (net, FALSE);
  }
  after = accuracy (net, x + n_train * LEN, y + n_train, n_test);
  printf ("held-out accuracy %.1f %% before training, %.1f %% after (last epoch loss %.4f)\n",
      100 * before, 100 * after, loss / (n_train / batch));
  ck_assert_msg (before < 0.6, "untrained accuracy %g is suspiciously high", before);
  ck_assert_msg (after >= 0.99, "held-out accuracy %g < 0.99", after);

  es_optimizer_free (opt);
  g_free (x);
  g_free (y);
  g_free (grad);
  es_net_free (net);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("nn-learn");
  TCase *tc = tcase_create ("learn");
  SRunner *runner;
  int failed;

  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_learns_separable_problem);
  suite_add_tcase (s, tc);
  runner = srunner_create (s);
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
