/* train/ema.h: the moving-average arithmetic, the warm-up of the decay, swaps,
 * and es_train keeping the averaged network. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "train/ema.h"
#include "train/train.h"

/* Two tensors (a weight with a gradient, a buffer without) over caller data. */
static void
make_params (EsNetParam params[2], float *w, float *buf)
{
  size_t shape_w[1] = { 3 }, shape_b[1] = { 2 };

  params[0].name = (char *) "w";
  params[0].value = es_tensor_new_view (1, shape_w, w);
  params[0].grad = NULL;
  params[1].name = (char *) "running_mean";
  params[1].value = es_tensor_new_view (1, shape_b, buf);
  params[1].grad = NULL;
}

START_TEST (test_ema_arithmetic)
{
  float w[3] = { 1, -2, 4 }, buf[2] = { 0.5f, 8 };
  double ref_w[3] = { 1, -2, 4 }, ref_b[2] = { 0.5, 8 };
  EsNetParam params[2];
  EsEma *ema;

  make_params (params, w, buf);
  ema = es_ema_new (params, 2, 0.5);
  /* warm-up: (1 + t) / (10 + t) until it reaches the decay */
  ck_assert_double_eq_tol (es_ema_next_decay (ema), 0.1, 1e-12);
  for (int t = 0; t < 12; t++) {
    double d = MIN (0.5, (1.0 + t) / (10.0 + t));

    ck_assert_double_eq_tol (es_ema_next_decay (ema), d, 1e-12);
    /* the live tensors move; the shadow follows */
    for (int i = 0; i < 3; i++)
      w[i] += (float) (0.25 * (i + 1) * (t % 3 - 1));
    buf[0] *= 1.5f;
    buf[1] -= 1.0f;
    es_ema_update (ema, params, 2);
    for (int i = 0; i < 3; i++)
      ref_w[i] = d * ref_w[i] + (1 - d) * w[i];
    for (int i = 0; i < 2; i++)
      ref_b[i] = d * ref_b[i] + (1 - d) * buf[i];
  }
  ck_assert_double_eq_tol (es_ema_next_decay (ema), 0.5, 1e-12);

  /* swap: the live tensors hold the averages, and back */
  {
    float live_w[3], live_b[2];

    memcpy (live_w, w, sizeof w);
    memcpy (live_b, buf, sizeof buf);
    es_ema_swap (ema, params, 2);
    for (int i = 0; i < 3; i++)
      ck_assert_msg (fabs (w[i] - ref_w[i]) <= 1e-5 * (1 + fabs (ref_w[i])),
          "w[%d] %g vs %g", i, w[i], ref_w[i]);
    for (int i = 0; i < 2; i++)
      ck_assert_msg (fabs (buf[i] - ref_b[i]) <= 1e-5 * (1 + fabs (ref_b[i])),
          "buffer[%d] %g vs %g", i, buf[i], ref_b[i]);
    es_ema_swap (ema, params, 2);
    ck_assert (memcmp (w, live_w, sizeof w) == 0);
    ck_assert (memcmp (buf, live_b, sizeof buf) == 0);
  }
  es_ema_free (ema);
  es_tensor_free (params[0].value);
  es_tensor_free (params[1].value);
}
END_TEST

/* A linearly separable table: class = the largest of the first 4 features. */
static EsDataset *
make_table (size_t n)
{
  const char *names[] = { "a", "b", "c", "d", NULL };
  EsDataset *d = es_dataset_new (n, 6, names);
  EsRng rng;

  es_rng_init (&rng, 3);
  for (size_t i = 0; i < n; i++) {
    int best = 0;
    for (int j = 0; j < 6; j++)
      d->x[i * 6 + j] = (float) es_rng_uniform (&rng);
    for (int j = 1; j < 4; j++)
      if (d->x[i * 6 + j] > d->x[i * 6 + best])
        best = j;
    d->labels[i] = best;
    d->sample_names[i] = g_strdup_printf ("row %zu", i);
  }
  return d;
}

static const char *net_json =
    "[{\"type\":\"dense\",\"out_features\":16},{\"type\":\"batchnorm\"},{\"type\":\"relu\"},"
    "{\"type\":\"dense\",\"out_features\":4}]";

static EsNet *
train_table (const EsDataset *d, int epochs, size_t batch, double ema_decay)
{
  size_t shape[1] = { 6 };
  EsTrainConfig c;
  GError *err = NULL;
  EsNet *net = es_train_build_net (net_json, 1, shape, 4, 5, &err);

  ck_assert_msg (net, "%s", err ? err->message : "");
  es_train_config_init (&c);
  c.max_epochs = epochs;
  c.batch_size = batch;
  c.learning_rate = 0.01;
  c.plateau_factor = 0;
  c.ema_decay = ema_decay;
  ck_assert_msg (es_train (net, d, NULL, &c, NULL, &err), "%s", err ? err->message : "");
  return net;
}

/* One step (the whole table is one batch): the kept network is
 * 0.1 * initial + 0.9 * stepped, tensor by tensor, running statistics too. */
START_TEST (test_train_keeps_average)
{
  EsDataset *d = make_table (64);
  size_t shape[1] = { 6 }, n0, n1, na;
  EsNet *initial = es_train_build_net (net_json, 1, shape, 4, 5, NULL);
  EsNet *stepped = train_table (d, 1, 64, 0.0);
  EsNet *averaged = train_table (d, 1, 64, 0.999);
  EsNetParam *p0 = es_net_get_params (initial, &n0), *p1 = es_net_get_params (stepped, &n1);
  EsNetParam *pa = es_net_get_params (averaged, &na);
  gboolean moved = FALSE;

  ck_assert_uint_eq (n0, na);
  for (size_t i = 0; i < na; i++) {
    for (size_t j = 0; j < es_tensor_numel (pa[i].value); j++) {
      double want = 0.1 * p0[i].value->data[j] + 0.9 * p1[i].value->data[j];
      double got = pa[i].value->data[j];

      ck_assert_msg (fabs (got - want) <= 1e-6 * (1 + fabs (want)), "%s[%zu]: %g vs %g",
          pa[i].name, j, got, want);
      moved |= p0[i].value->data[j] != p1[i].value->data[j];
    }
  }
  ck_assert (moved);
  es_net_free (initial);
  es_net_free (stepped);
  es_net_free (averaged);
  es_dataset_free (d);
}
END_TEST

/* Averaging still learns the table, and reruns are bit-identical. */
START_TEST (test_train_with_ema)
{
  EsDataset *d = make_table (400);
  EsNet *a = train_table (d, 25, 16, 0.99), *b = train_table (d, 25, 16, 0.99);
  EsMetrics *m = es_evaluate (a, d, 64);
  size_t na, nb;
  EsNetParam *pa = es_net_get_params (a, &na), *pb = es_net_get_params (b, &nb);

  ck_assert_msg (m->accuracy >= 0.95, "accuracy %.3f", m->accuracy);
  for (size_t i = 0; i < na; i++)
    ck_assert (memcmp (pa[i].value->data, pb[i].value->data,
            es_tensor_numel (pa[i].value) * sizeof (float)) == 0);
  es_metrics_free (m);
  es_net_free (a);
  es_net_free (b);
  es_dataset_free (d);
}
END_TEST

static Suite *
ema_suite (void)
{
  Suite *s = suite_create ("ema");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_ema_arithmetic);
  tcase_add_test (tc, test_train_keeps_average);
  tcase_add_test (tc, test_train_with_ema);
  tcase_set_timeout (tc, 120);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (ema_suite ());
  int failed;

  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? 1 : 0;
}
