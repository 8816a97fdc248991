/* ReduceLROnPlateau against PyTorch (tests/fixtures/train/plateau.txt, made by
 * make_plateau.py there) and early stopping restoring the best tensors. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "train/schedule.h"

START_TEST (test_plateau_vs_pytorch)
{
  size_t len, pos = 0;
  double *v = es_fixture_load_doubles ("train/plateau.txt", &len);
  int configs = 0;

  while (pos < len) {
    EsPlateauConfig config = { v[pos], (int) v[pos + 1], v[pos + 2], v[pos + 3],
      (int) v[pos + 4]
    };
    size_t n = (size_t) v[pos + 5];
    EsPlateau plateau;
    double lr = 0.01;
    pos += 6;
    es_plateau_init (&plateau, &config);
    for (size_t i = 0; i < n; i++, pos += 2) {
      lr = es_plateau_step (&plateau, v[pos], lr);
      ck_assert_msg (fabs (lr - v[pos + 1]) <= 1e-15 * v[pos + 1],
          "config %d epoch %zu: lr %.17g, PyTorch %.17g", configs, i, lr, v[pos + 1]);
    }
    ck_assert_int_gt (plateau.n_reductions, 1);
    configs++;
  }
  ck_assert_int_eq (configs, 2);
  g_free (v);
}
END_TEST

START_TEST (test_plateau_reduces_after_patience)
{
  EsPlateauConfig config = { 0.5, 2, 1e-4, 0.0, 0 };
  EsPlateau plateau;
  double lr = 1.0;
  es_plateau_init (&plateau, &config);
  lr = es_plateau_step (&plateau, 1.0, lr);     /* best */
  lr = es_plateau_step (&plateau, 1.0, lr);     /* bad 1 */
  lr = es_plateau_step (&plateau, 0.99995, lr); /* within threshold: bad 2 */
  ck_assert_double_eq (lr, 1.0);
  lr = es_plateau_step (&plateau, 1.0, lr);     /* bad 3 > patience */
  ck_assert_double_eq (lr, 0.5);
  lr = es_plateau_step (&plateau, 0.5, lr);     /* improvement resets */
  lr = es_plateau_step (&plateau, 0.6, lr);
  lr = es_plateau_step (&plateau, 0.6, lr);
  ck_assert_double_eq (lr, 0.5);
}
END_TEST

/* A two-tensor "network": a weight with a gradient and a running-statistics
 * buffer without one, as EsNet exposes them. */
typedef struct {
  float w[6], running[3], grad[6];
  EsTensor tw, tr, tg;
  EsNetParam params[2];
} FakeNet;

static void
fake_net_init (FakeNet *f)
{
  memset (f, 0, sizeof *f);
  f->tw.ndim = 2;
  f->tw.shape[0] = 2;
  f->tw.shape[1] = 3;
  f->tw.data = f->w;
  f->tw.view = TRUE;
  f->tg = f->tw;
  f->tg.data = f->grad;
  f->tr.ndim = 1;
  f->tr.shape[0] = 3;
  f->tr.data = f->running;
  f->tr.view = TRUE;
  f->params[0].name = (char *) "0.weight";
  f->params[0].value = &f->tw;
  f->params[0].grad = &f->tg;
  f->params[1].name = (char *) "1.running_mean";
  f->params[1].value = &f->tr;
}

static void
fake_net_set (FakeNet *f, float x)
{
  for (int i = 0; i < 6; i++)
    f->w[i] = x + i;
  for (int i = 0; i < 3; i++)
    f->running[i] = -x - i;
}

START_TEST (test_early_stop_restores_best)
{
  const double losses[] = { 1.0, 0.8, 0.6, 0.65, 0.7, 0.61, 0.9 };
  EsEarlyStop stop;
  FakeNet f;
  int stopped_at = -1;

  fake_net_init (&f);
  es_early_stop_init (&stop, 3, 0.0);
  ck_assert (!es_early_stop_restore (&stop, f.params, 2));
  for (int e = 0; e < (int) G_N_ELEMENTS (losses); e++) {
    fake_net_set (&f, (float) (10 * e));
    if (es_early_stop_update (&stop, e, losses[e], f.params, 2)) {
      stopped_at = e;
      break;
    }
  }
  /* best at epoch 2; epochs 3, 4, 5 are worse: stop after epoch 5 */
  ck_assert_int_eq (stopped_at, 5);
  ck_assert_int_eq (stop.best_epoch, 2);
  ck_assert (es_early_stop_restore (&stop, f.params, 2));
  for (int i = 0; i < 6; i++)
    ck_assert_float_eq (f.w[i], 20.0f + i);
  for (int i = 0; i < 3; i++)
    ck_assert_float_eq (f.running[i], -20.0f - i);
  /* a mismatched network is refused, not overrun */
  ck_assert (!es_early_stop_restore (&stop, f.params, 1));
  es_early_stop_clear (&stop);
}
END_TEST

START_TEST (test_early_stop_nan_and_min_delta)
{
  EsEarlyStop stop;
  FakeNet f;
  fake_net_init (&f);
  es_early_stop_init (&stop, 2, 0.05);
  ck_assert (!es_early_stop_update (&stop, 0, 1.0, f.params, 2));
  ck_assert (!es_early_stop_update (&stop, 1, NAN, f.params, 2));
  ck_assert (es_early_stop_update (&stop, 2, 0.97, f.params, 2));  /* < min_delta */
  ck_assert_int_eq (stop.best_epoch, 0);
  es_early_stop_clear (&stop);
}
END_TEST

static Suite *
schedule_suite (void)
{
  Suite *s = suite_create ("schedule");
  TCase *tc = tcase_create ("core");
  tcase_add_test (tc, test_plateau_vs_pytorch);
  tcase_add_test (tc, test_plateau_reduces_after_patience);
  tcase_add_test (tc, test_early_stop_restores_best);
  tcase_add_test (tc, test_early_stop_nan_and_min_delta);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (schedule_suite ());
  int failed;
  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
