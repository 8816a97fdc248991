/* Layer-level checks of the nn engine: finite-difference gradients of every
 * layer type and of the loss (input and parameter gradients, ggml
 * test-backend-ops style 4-point stencil, inputs placed away from kinks),
 * dropout behaviour, architecture validation errors, parameter naming and
 * initialisation, batch independence, optimisers, thread determinism, and
 * the fused inference forward against the layers run one by one. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "nn/net.h"
#include "nn/loss.h"
#include "nn/optim.h"
#include "nn-testutil.h"
#include "fixture.h"

/* ---- finite differences (nn_gradcheck, nn-testutil.c) --------------------- */

static const size_t shape_1d[] = { 3, 11 };
static const size_t shape_2d[] = { 2, 7, 6 };
static const size_t shape_flat[] = { 9 };

START_TEST (test_grad_conv1d)
{
  nn_gradcheck ("[{\"type\":\"conv1d\",\"out_channels\":4,\"kernel\":3,\"stride\":2,"
      "\"padding\":1}]", 2, shape_1d, 3, FALSE, NN_INPUT_SMOOTH);
  /* Batched GEMM path: many short examples share one GEMM. */
  nn_gradcheck ("[{\"type\":\"conv1d\",\"out_channels\":3,\"kernel\":2}]", 2, shape_1d,
      9, FALSE, NN_INPUT_SMOOTH);
}
END_TEST

START_TEST (test_grad_conv2d)
{
  nn_gradcheck ("[{\"type\":\"conv2d\",\"out_channels\":3,\"kernel\":[3,2],"
      "\"stride\":[2,1],\"padding\":[1,0]}]", 3, shape_2d, 2, FALSE, NN_INPUT_SMOOTH);
  nn_gradcheck ("[{\"type\":\"conv2d\",\"out_channels\":2,\"kernel\":3,\"padding\":1,"
      "\"bias\":false}]", 3, shape_2d, 3, FALSE, NN_INPUT_SMOOTH);
}
END_TEST

START_TEST (test_grad_batchnorm)
{
  const char *bn = "[{\"type\":\"batchnorm\"}]";
  nn_gradcheck (bn, 2, shape_1d, 3, TRUE, NN_INPUT_SMOOTH);
  nn_gradcheck (bn, 2, shape_1d, 3, FALSE, NN_INPUT_SMOOTH);
  nn_gradcheck (bn, 3, shape_2d, 2, TRUE, NN_INPUT_SMOOTH);
  nn_gradcheck (bn, 1, shape_flat, 5, TRUE, NN_INPUT_SMOOTH);
}
END_TEST

START_TEST (test_grad_activations)
{
  nn_gradcheck ("[{\"type\":\"relu\"}]", 2, shape_1d, 2, FALSE, NN_INPUT_SPREAD);
  nn_gradcheck ("[{\"type\":\"abs\"}]", 2, shape_1d, 2, FALSE, NN_INPUT_SPREAD);
  nn_gradcheck ("[{\"type\":\"tanh\"}]", 2, shape_1d, 2, FALSE, NN_INPUT_SMOOTH);
  nn_gradcheck ("[{\"type\":\"softplus\"}]", 2, shape_1d, 2, FALSE, NN_INPUT_SMOOTH);
  /* Both branches of PyTorch's threshold (beta x > threshold is linear). */
  nn_gradcheck ("[{\"type\":\"softplus\",\"beta\":4,\"threshold\":2}]", 2, shape_1d, 2,
      FALSE, NN_INPUT_SPREAD);
}
END_TEST

START_TEST (test_grad_pooling_and_reshape)
{
  nn_gradcheck ("[{\"type\":\"maxpool1d\",\"kernel\":3,\"stride\":2}]", 2, shape_1d, 2,
      FALSE, NN_INPUT_SPREAD);
  nn_gradcheck ("[{\"type\":\"maxpool2d\",\"kernel\":2}]", 3, shape_2d, 2, FALSE,
      NN_INPUT_SPREAD);
  nn_gradcheck ("[{\"type\":\"maxpool2d\",\"kernel\":[3,2],\"stride\":[2,2]}]", 3, shape_2d,
      2, FALSE, NN_INPUT_SPREAD);
  nn_gradcheck ("[{\"type\":\"global_mean\"}]", 2, shape_1d, 2, FALSE, NN_INPUT_SMOOTH);
  nn_gradcheck ("[{\"type\":\"global_mean\"}]", 3, shape_2d, 2, FALSE, NN_INPUT_SMOOTH);
  nn_gradcheck ("[{\"type\":\"flatten\"},{\"type\":\"dense\",\"out_features\":2}]", 3,
      shape_2d, 2, FALSE, NN_INPUT_SMOOTH);
  /* softargmax: with its position bias, and after a conv (no input grad) */
  nn_gradcheck ("[{\"type\":\"softargmax\"}]", 3, shape_2d, 2, FALSE, NN_INPUT_SPREAD);
  nn_gradcheck ("[{\"type\":\"softargmax\",\"beta\":4}]", 3, shape_2d, 2, FALSE, NN_INPUT_SMOOTH);
  nn_gradcheck ("[{\"type\":\"softargmax\",\"bias\":false}]", 3, shape_2d, 2, FALSE,
      NN_INPUT_SMOOTH);
  nn_gradcheck ("[{\"type\":\"conv2d\",\"out_channels\":2,\"kernel\":3,\"padding\":1},"
      "{\"type\":\"softargmax\"},{\"type\":\"flatten\"},"
      "{\"type\":\"dense\",\"out_features\":3}]", 3, shape_2d, 2, FALSE, NN_INPUT_SMOOTH);
  /* centroid: negative inputs weigh nothing (spread inputs stay clear of 0) */
  nn_gradcheck ("[{\"type\":\"centroid\"}]", 3, shape_2d, 2, FALSE, NN_INPUT_SPREAD);
  nn_gradcheck ("[{\"type\":\"centroid\",\"eps\":0.5}]", 3, shape_2d, 2, FALSE, NN_INPUT_SPREAD);
  nn_gradcheck ("[{\"type\":\"centroid\",\"bias\":false},{\"type\":\"flatten\"},"
      "{\"type\":\"dense\",\"out_features\":3}]", 3, shape_2d, 2, FALSE, NN_INPUT_SPREAD);
}
END_TEST

START_TEST (test_grad_dense_dropout)
{
  nn_gradcheck ("[{\"type\":\"dense\",\"out_features\":5}]", 1, shape_flat, 4, FALSE,
      NN_INPUT_SMOOTH);
  nn_gradcheck ("[{\"type\":\"dense\",\"out_features\":3,\"bias\":false}]", 1, shape_flat,
      2, FALSE, NN_INPUT_SMOOTH);
  /* Training-mode dropout with a fixed mask is linear in its input. */
  nn_gradcheck ("[{\"type\":\"dropout\",\"p\":0.3},{\"type\":\"dense\",\"out_features\":4}]",
      1, shape_flat, 4, TRUE, NN_INPUT_SMOOTH);
}
END_TEST

START_TEST (test_grad_composite)
{
  nn_gradcheck ("[{\"type\":\"conv1d\",\"out_channels\":4,\"kernel\":3,\"padding\":1},"
      "{\"type\":\"batchnorm\"},{\"type\":\"tanh\"},"
      "{\"type\":\"conv1d\",\"out_channels\":5,\"kernel\":3,\"stride\":2},"
      "{\"type\":\"softplus\"},{\"type\":\"global_mean\"},"
      "{\"type\":\"dense\",\"out_features\":3}]", 2, shape_1d, 4, TRUE, NN_INPUT_SMOOTH);
  nn_gradcheck ("[{\"type\":\"conv2d\",\"out_channels\":3,\"kernel\":3,\"padding\":1},"
      "{\"type\":\"batchnorm\"},{\"type\":\"tanh\"},{\"type\":\"flatten\"},"
      "{\"type\":\"batchnorm\"},{\"type\":\"dense\",\"out_features\":2}]", 3, shape_2d,
      3, TRUE, NN_INPUT_SMOOTH);
}
END_TEST

/* A loss of the logits z (B x C), its gradient written to grad when not NULL */
typedef struct {
  size_t B, C;
  const int *labels;
  const float *class_weights;   /* hard loss */
  const float *targets;         /* soft loss when not NULL */
} LogitLoss;

static double
logit_loss (const LogitLoss *l, const float *z, float *grad)
{
  if (l->targets)
    return es_cross_entropy_soft (z, l->targets, l->B, l->C, grad);
  return es_cross_entropy (z, l->labels, l->B, l->C, l->class_weights, grad);
}

/* the analytic logit gradient against five-point finite differences */
static void
check_logit_grad (const LogitLoss *l, float *z)
{
  float grad[64];
  double worst = 0.0;

  ck_assert_uint_le (l->B * l->C, G_N_ELEMENTS (grad));
  logit_loss (l, z, grad);
  for (size_t i = 0; i < l->B * l->C; i++) {
    const float z0 = z[i];
    double f[4];
    const double steps[4] = { -2, -1, 1, 2 };
    for (int k = 0; k < 4; k++) {
      z[i] = z0 + (float) (steps[k] * NN_FD_STEP);
      f[k] = logit_loss (l, z, NULL);
    }
    z[i] = z0;
    nn_expect_close ("dlogits", i, grad[i],
        (8.0 * (f[2] - f[1]) - (f[3] - f[0])) / (12.0 * NN_FD_STEP), &worst);
  }
}

START_TEST (test_grad_cross_entropy)
{
  const size_t B = 5, C = 4;
  float z[20];
  const int labels[5] = { 0, 3, 1, 1, 2 };
  const float weights[4] = { 1.0f, 2.0f, 0.5f, 1.5f };

  for (int weighted = 0; weighted < 2; weighted++) {
    const LogitLoss l = { B, C, labels, weighted ? weights : NULL, NULL };
    for (size_t i = 0; i < B * C; i++)
      z[i] = 3.0f * nn_hash_uniform (3, (uint32_t) i);
    check_logit_grad (&l, z);
  }
  /* Known value: uniform logits give log(C). */
  memset (z, 0, sizeof z);
  ck_assert_double_eq_tol (es_cross_entropy (z, labels, B, C, weights, NULL),
      log ((double) C), 1e-6);
}
END_TEST

/* Soft targets: gradient by finite differences, one-hot rows equal the hard
 * loss, and a known value (uniform logits: log C whatever the targets). */
START_TEST (test_grad_cross_entropy_soft)
{
  const size_t B = 3, C = 4;
  float z[12], grad[12], hard_grad[12];
  const float targets[12] = { 0.7f, 0.3f, 0.0f, 0.0f,  0.25f, 0.25f, 0.25f, 0.25f,
    0.0f, 0.0f, 0.1f, 0.9f };
  float one_hot[12] = { 0 };
  const int labels[3] = { 2, 0, 3 };
  const LogitLoss l = { B, C, NULL, NULL, targets };

  for (size_t i = 0; i < B * C; i++)
    z[i] = 3.0f * nn_hash_uniform (5, (uint32_t) i);
  check_logit_grad (&l, z);
  for (size_t b = 0; b < B; b++)
    one_hot[b * C + labels[b]] = 1.0f;
  ck_assert_double_eq_tol (es_cross_entropy_soft (z, one_hot, B, C, grad),
      es_cross_entropy (z, labels, B, C, NULL, hard_grad), 1e-9);
  for (size_t i = 0; i < B * C; i++)
    ck_assert_float_eq_tol (grad[i], hard_grad[i], 1e-7f);
  memset (z, 0, sizeof z);
  ck_assert_double_eq_tol (es_cross_entropy_soft (z, targets, B, C, NULL),
      log ((double) C), 1e-6);
}
END_TEST

/* Label smoothing = PyTorch's CrossEntropyLoss (label_smoothing = eps): loss
 * and gradient of es_smooth_targets + es_cross_entropy_soft against
 * tests/fixtures/nn/label-smoothing.txt (make_label_smoothing.py, the same
 * logits and labels). */
START_TEST (test_label_smoothing_torch)
{
  const float z[12] = { 1.5f, -0.25f, 2.0f, 0.125f,  -3.0f, 0.5f, 0.0f, 4.0f,
    0.75f, 0.75f, -1.0f, 2.5f };
  const int labels[3] = { 2, 0, 3 };
  char *path = es_fixture_path ("nn/label-smoothing.txt"), *text = NULL;
  char **lines;
  int rows = 0;

  ck_assert_msg (g_file_get_contents (path, &text, NULL, NULL), "%s", path);
  lines = g_strsplit (text, "\n", -1);
  for (char **line = lines; *line; line++) {
    char **v;
    float targets[12] = { 0 }, grad[12];
    double eps, loss;
    if (**line == '#' || **line == '\0')
      continue;
    v = g_strsplit (*line, " ", -1);
    ck_assert_uint_eq (g_strv_length (v), 14);
    eps = g_ascii_strtod (v[0], NULL);
    for (int b = 0; b < 3; b++)
      targets[b * 4 + labels[b]] = 1.0f;
    es_smooth_targets (targets, 3, 4, eps);
    loss = es_cross_entropy_soft (z, targets, 3, 4, grad);
    ck_assert_msg (fabs (loss - g_ascii_strtod (v[1], NULL)) < 1e-6, "eps %g: %.9f", eps, loss);
    for (int i = 0; i < 12; i++)
      ck_assert_msg (fabs (grad[i] - g_ascii_strtod (v[2 + i], NULL)) < 1e-7,
          "eps %g grad %d: %.9f", eps, i, grad[i]);
    g_strfreev (v);
    rows++;
  }
  ck_assert_int_eq (rows, 3);
  g_strfreev (lines);
  g_free (text);
  g_free (path);
}
END_TEST

START_TEST (test_softmax)
{
  const float z[6] = { 1000.0f, 1001.0f, 999.0f, -3.0f, 0.0f, 2.0f };
  float p[6];
  es_softmax (z, 2, 3, p);
  for (int b = 0; b < 2; b++)
    ck_assert_float_eq_tol (p[3 * b] + p[3 * b + 1] + p[3 * b + 2], 1.0f, 1e-6f);
  /* Large logits do not overflow: shifted by the row maximum. */
  ck_assert_float_eq_tol (p[1], (float) (1.0 / (1.0 + exp (-1.0) + exp (-2.0))), 1e-6f);
  ck_assert_float_eq_tol (p[5], (float) (exp (2.0) / (exp (-3.0) + 1.0 + exp (2.0))),
      1e-6f);
}
END_TEST

/* ---- dropout ------------------------------------------------------------ */

START_TEST (test_dropout)
{
  const size_t shape[1] = { 20000 };
  const size_t n = 2 * shape[0];
  EsNet *net = es_net_new ("[{\"type\":\"dropout\",\"p\":0.3}]", 1, shape, NULL);
  float *x = g_new (float, n), *y1, *grad;
  const float *y, *gi;
  size_t dropped = 0;

  ck_assert (net != NULL);
  for (size_t i = 0; i < n; i++)
    x[i] = 1.0f + nn_hash_uniform (1, (uint32_t) i);   /* never 0 */

  /* Inference: identity. */
  y = es_net_forward (net, x, 2);
  ck_assert (memcmp (y, x, n * sizeof (float)) == 0);

  es_net_set_training (net, TRUE);
  es_net_set_seed (net, 5);
  y = es_net_forward (net, x, 2);
  for (size_t i = 0; i < n; i++) {
    if (y[i] == 0.0f)
      dropped++;
    else
      ck_assert_float_eq_tol (y[i], x[i] / 0.7f, 1e-6f * fabsf (y[i]));
  }
  /* Binomial(40000, 0.3): sd 0.0023; 0.01 is over 4 sd. */
  ck_assert_msg (fabs ((double) dropped / n - 0.3) < 0.01, "dropped fraction %g",
      (double) dropped / n);
  y1 = g_memdup2 (y, n * sizeof (float));

  /* Backward uses the same mask and scale. */
  grad = g_new (float, n);
  for (size_t i = 0; i < n; i++)
    grad[i] = 2.0f;
  es_net_backward (net, grad);
  gi = es_net_get_input_grad (net);
  for (size_t i = 0; i < n; i++)
    ck_assert_float_eq_tol (gi[i], y1[i] == 0.0f ? 0.0f : 2.0f / 0.7f, 1e-6f);

  /* Same seed, same mask; the next forward draws a new mask. */
  es_net_set_seed (net, 5);
  y = es_net_forward (net, x, 2);
  ck_assert (memcmp (y, y1, n * sizeof (float)) == 0);
  y = es_net_forward (net, x, 2);
  ck_assert (memcmp (y, y1, n * sizeof (float)) != 0);

  g_free (y1);
  g_free (grad);
  g_free (x);
  es_net_free (net);
}
END_TEST

/* ---- architecture validation --------------------------------------------- */

static void
expect_arch_error (const char *arch, int ndim, const size_t *shape,
    const char *needle1, const char *needle2)
{
  GError *error = NULL;
  EsNet *net = es_net_new (arch, ndim, shape, &error);
  ck_assert_msg (net == NULL, "accepted %s", arch);
  ck_assert (error != NULL);
  ck_assert (error->domain == ES_NN_ERROR);
  ck_assert_msg (strstr (error->message, needle1) && (!needle2
          || strstr (error->message, needle2)), "%s: message \"%s\" lacks \"%s\"/\"%s\"",
      arch, error->message, needle1, needle2 ? needle2 : "");
  g_error_free (error);
}

START_TEST (test_architecture_errors)
{
  const size_t s1[2] = { 1, 8 }, s2[3] = { 1, 8, 8 }, bad[2] = { 0, 8 };
  GError *error = NULL;

  expect_arch_error ("not json", 2, s1, "not valid JSON", NULL);
  expect_arch_error ("{\"type\":\"relu\"}", 2, s1, "JSON array", NULL);
  expect_arch_error ("[]", 2, s1, "between 1 and", NULL);
  expect_arch_error ("[{\"type\":\"relu\"}, 3]", 2, s1, "layer 1", "JSON object");
  expect_arch_error ("[{\"kernel\":3}]", 2, s1, "layer 0", "\"type\"");
  expect_arch_error ("[{\"type\":\"lstm\"}]", 2, s1, "layer 0", "unknown layer type \"lstm\"");
  expect_arch_error ("[{\"type\":\"relu\"},{\"type\":\"conv1d\",\"out_channels\":4,"
      "\"kernal\":3}]", 2, s1, "layer 1 (conv1d)", "unknown field \"kernal\"");
  expect_arch_error ("[{\"type\":\"conv1d\",\"out_channels\":4}]", 2, s1, "layer 0",
      "missing \"kernel\"");
  expect_arch_error ("[{\"type\":\"conv1d\",\"out_channels\":4,\"kernel\":0}]", 2, s1,
      "\"kernel\"", "between 1");
  expect_arch_error ("[{\"type\":\"conv1d\",\"out_channels\":4,\"kernel\":2.5}]", 2, s1,
      "\"kernel\"", "integer");
  expect_arch_error ("[{\"type\":\"conv1d\",\"out_channels\":4,\"kernel\":9}]", 2, s1,
      "layer 0", "larger than the padded input");
  expect_arch_error ("[{\"type\":\"conv1d\",\"out_channels\":4,\"kernel\":3,"
      "\"padding\":-1}]", 2, s1, "\"padding\"", NULL);
  expect_arch_error ("[{\"type\":\"conv1d\",\"out_channels\":4,\"kernel\":[3,3]}]", 2, s1,
      "\"kernel\"", "an integer");
  expect_arch_error ("[{\"type\":\"conv2d\",\"out_channels\":4,\"kernel\":3}]", 2, s1,
      "layer 0 (conv2d)", "[C, H, W]");
  /* A shape that shrinks to nothing deep in the net names the right layer. */
  expect_arch_error ("[{\"type\":\"maxpool2d\",\"kernel\":2},{\"type\":\"maxpool2d\","
      "\"kernel\":2},{\"type\":\"maxpool2d\",\"kernel\":2},{\"type\":\"maxpool2d\","
      "\"kernel\":2}]", 3, s2, "layer 3 (maxpool2d)", "output would be empty");
  expect_arch_error ("[{\"type\":\"dense\",\"out_features\":3}]", 2, s1, "layer 0 (dense)",
      "flatten");
  expect_arch_error ("[{\"type\":\"dropout\",\"p\":1}]", 2, s1, "\"p\"", NULL);
  expect_arch_error ("[{\"type\":\"batchnorm\",\"momentum\":\"x\"}]", 2, s1, "\"momentum\"",
      "number");
  expect_arch_error ("[{\"type\":\"flatten\"},{\"type\":\"global_mean\"}]", 2, s1,
      "layer 1 (global_mean)", NULL);
  expect_arch_error ("[{\"type\":\"dense\",\"out_features\":100000},{\"type\":\"dense\","
      "\"out_features\":100000}]", 1, s1, "parameters", NULL);

  ck_assert (es_net_new ("[{\"type\":\"relu\"}]", 2, bad, &error) == NULL);
  ck_assert_int_eq (error->code, ES_NN_ERROR_SHAPE);
  g_clear_error (&error);
  ck_assert (es_net_new ("[{\"type\":\"relu\"}]", 4, s2, &error) == NULL);
  ck_assert_int_eq (error->code, ES_NN_ERROR_SHAPE);
  g_clear_error (&error);
}
END_TEST

/* ---- parameters, init, shapes ------------------------------------------ */

START_TEST (test_params_and_init)
{
  const size_t shape[2] = { 1, 128 };
  const char *arch = "[{\"type\":\"conv1d\",\"out_channels\":32,\"kernel\":3,\"padding\":1},"
      "{\"type\":\"batchnorm\"},{\"type\":\"relu\"},{\"type\":\"maxpool1d\",\"kernel\":2},"
      "{\"type\":\"flatten\"},{\"type\":\"dense\",\"out_features\":4}]";
  EsNet *a = es_net_new (arch, 2, shape, NULL), *b = es_net_new (arch, 2, shape, NULL);
  const char *names[] = { "0.weight", "0.bias", "1.weight", "1.bias", "5.weight",
    "5.bias", "1.running_mean", "1.running_var" };
  size_t n, in_shape[3];
  EsNetParam *pa, *pb;
  double sum = 0.0, sq = 0.0, bound;
  char *desc;

  ck_assert (a && b);
  pa = es_net_get_params (a, &n);
  ck_assert_uint_eq (n, G_N_ELEMENTS (names));
  for (size_t i = 0; i < n; i++) {
    ck_assert_str_eq (pa[i].name, names[i]);
    ck_assert ((pa[i].grad == NULL) == (i >= 6));
  }
  ck_assert (es_net_find_param (a, "5.weight") == &pa[4]);
  ck_assert (es_net_find_param (a, "2.weight") == NULL);
  ck_assert_uint_eq (pa[4].value->shape[0], 4);
  ck_assert_uint_eq (pa[4].value->shape[1], 32 * 64);
  ck_assert_uint_eq (es_net_count_trainable (a), 32 * 3 + 32 + 64 + 4 * 2048 + 4);
  ck_assert_int_eq (es_net_get_input_shape (a, in_shape), 2);
  ck_assert_uint_eq (in_shape[1], 128);
  ck_assert_uint_eq (es_net_get_output_size (a), 4);

  es_net_init_weights (a, 7);
  es_net_init_weights (b, 7);
  pb = es_net_get_params (b, &n);
  for (size_t i = 0; i < n; i++)
    ck_assert (memcmp (pa[i].value->data, pb[i].value->data,
            es_tensor_numel (pa[i].value) * sizeof (float)) == 0);
  es_net_init_weights (b, 8);
  ck_assert (memcmp (pa[4].value->data, pb[4].value->data, 4 * sizeof (float)) != 0);

  /* kaiming_uniform(a = sqrt 5): U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
  bound = 1.0 / sqrt (2048.0);
  for (size_t i = 0; i < 4 * 2048; i++) {
    double v = pa[4].value->data[i];
    ck_assert (fabs (v) <= bound);
    sum += v;
    sq += v * v;
  }
  ck_assert (fabs (sum / 8192) < 0.05 * bound);
  ck_assert (fabs (sq / 8192 / (bound * bound / 3.0) - 1.0) < 0.05);
  for (size_t i = 0; i < 32; i++) {
    ck_assert (fabs (pa[1].value->data[i]) <= 1.0 / sqrt (3.0));
    ck_assert_float_eq (pa[2].value->data[i], 1.0f);
    ck_assert_float_eq (pa[3].value->data[i], 0.0f);
    ck_assert_float_eq (pa[6].value->data[i], 0.0f);
    ck_assert_float_eq (pa[7].value->data[i], 1.0f);
  }

  desc = es_net_describe (a);
  ck_assert_msg (strstr (desc, "conv1d 32 k3 s1 p1 -> [32, 128]") != NULL, "%s", desc);
  ck_assert (strstr (desc, "dense 4 -> [4]") != NULL);
  g_free (desc);
  es_net_free (a);
  es_net_free (b);
}
END_TEST

/* Each example's output must not depend on the rest of the batch (inference),
 * whichever GEMM grouping the batch size leads to. */
START_TEST (test_batch_independence)
{
  const size_t shape1[2] = { 2, 40 }, shape2[3] = { 1, 12, 12 };
  const char *arch1 = "[{\"type\":\"conv1d\",\"out_channels\":8,\"kernel\":5},"
      "{\"type\":\"batchnorm\"},{\"type\":\"relu\"},{\"type\":\"maxpool1d\",\"kernel\":2},"
      "{\"type\":\"conv1d\",\"out_channels\":6,\"kernel\":3,\"stride\":2,\"padding\":2},"
      "{\"type\":\"flatten\"},{\"type\":\"dense\",\"out_features\":3}]";
  const char *arch2 = "[{\"type\":\"conv2d\",\"out_channels\":4,\"kernel\":3,\"padding\":1},"
      "{\"type\":\"relu\"},{\"type\":\"maxpool2d\",\"kernel\":2},{\"type\":\"flatten\"},"
      "{\"type\":\"dense\",\"out_features\":3}]";
  const char *archs[2] = { arch1, arch2 };
  const size_t *shapes[2] = { shape1, shape2 };

  for (int a = 0; a < 2; a++) {
    EsNet *net = es_net_new (archs[a], a == 0 ? 2 : 3, shapes[a], NULL);
    const size_t batch = 150, n_in = es_net_get_input_size (net);
    float *x = g_new (float, batch * n_in), *all;
    es_net_init_weights (net, 3);
    for (size_t i = 0; i < batch * n_in; i++)
      x[i] = nn_hash_uniform (2, (uint32_t) i);
    all = g_memdup2 (es_net_forward (net, x, batch), batch * 3 * sizeof (float));
    for (size_t b = 0; b < batch; b += 37) {
      const float *one = es_net_forward (net, x + b * n_in, 1);
      for (int k = 0; k < 3; k++)
        ck_assert_float_eq_tol (one[k], all[b * 3 + k], 1e-5f * (1.0f + fabsf (one[k])));
    }
    g_free (all);
    g_free (x);
    es_net_free (net);
  }
}
END_TEST

START_TEST (test_batchnorm_running_stats)
{
  const size_t shape[2] = { 1, 4 };
  EsNet *net = es_net_new ("[{\"type\":\"batchnorm\",\"momentum\":0.25}]", 2, shape, NULL);
  /* Batch of 2 x 4 values of one channel: mean 2.5, biased var 1.25, unbiased 10/7. */
  const float x[8] = { 1, 2, 3, 4, 4, 3, 2, 1 };
  const float *y;
  EsNetParam *rm = es_net_find_param (net, "0.running_mean");
  EsNetParam *rv = es_net_find_param (net, "0.running_var");

  es_net_set_training (net, TRUE);
  y = es_net_forward (net, x, 2);
  ck_assert_float_eq_tol (y[0], (float) ((1 - 2.5) / sqrt (1.25 + 1e-5)), 1e-6f);
  ck_assert_float_eq_tol (rm->value->data[0], 0.25f * 2.5f, 1e-6f);
  ck_assert_float_eq_tol (rv->value->data[0], 0.75f + 0.25f * (10.0f / 7.0f), 1e-6f);
  es_net_set_training (net, FALSE);
  y = es_net_forward (net, x, 1);
  ck_assert_float_eq_tol (y[0], (float) ((1 - 0.625) / sqrt (0.75 + 2.5 / 7 + 1e-5)), 1e-6f);
  es_net_free (net);
}
END_TEST

/* ---- optimisers ---------------------------------------------------------- */

START_TEST (test_optimizers)
{
  const size_t shape[1] = { 2 };
  EsNet *net = es_net_new ("[{\"type\":\"dense\",\"out_features\":1},"
      "{\"type\":\"batchnorm\"}]", 1, shape, NULL);
  size_t n;
  EsNetParam *p = es_net_get_params (net, &n);
  EsOptimizer *opt;
  float rv_before;

  /* Plain SGD: p -= lr (g + wd p). */
  p[0].value->data[0] = 1.0f;
  p[0].grad->data[0] = 0.5f;
  rv_before = es_net_find_param (net, "1.running_var")->value->data[0];
  opt = es_optimizer_new_sgd (p, n, 0.1, 0.0, 0.0, 0.2, FALSE);
  ck_assert (es_optimizer_get_kind (opt) == ES_OPTIMIZER_SGD);
  es_optimizer_step (opt);
  ck_assert_float_eq_tol (p[0].value->data[0], 1.0f - 0.1f * (0.5f + 0.2f), 1e-7f);
  /* Buffers (grad NULL) are never touched. */
  ck_assert_float_eq (es_net_find_param (net, "1.running_var")->value->data[0], rv_before);
  es_optimizer_set_lr (opt, 0.5);
  ck_assert_double_eq (es_optimizer_get_lr (opt), 0.5);
  es_optimizer_free (opt);

  /* Adam's first step is lr * sign(g) (bias correction makes m/sqrt(v) = g/|g|). */
  p[0].value->data[0] = 1.0f;
  p[0].grad->data[0] = -3.0f;
  opt = es_optimizer_new_adam (p, n, 0.01, 0.9, 0.999, 1e-8, 0.0, FALSE);
  es_optimizer_step (opt);
  ck_assert_float_eq_tol (p[0].value->data[0], 1.01f, 1e-6f);
  ck_assert_uint_eq (es_optimizer_get_step_count (opt), 1);
  es_optimizer_reset (opt);
  ck_assert_uint_eq (es_optimizer_get_step_count (opt), 0);
  es_optimizer_free (opt);

  /* AdamW with zero gradient only decays: p (1 - lr wd). */
  p[0].value->data[0] = 2.0f;
  p[0].grad->data[0] = 0.0f;
  opt = es_optimizer_new_adam (p, n, 0.1, 0.9, 0.999, 1e-8, 0.5, TRUE);
  es_optimizer_step (opt);
  ck_assert_float_eq_tol (p[0].value->data[0], 2.0f * (1.0f - 0.05f), 1e-6f);
  es_optimizer_free (opt);
  es_net_free (net);
}
END_TEST

/* Results are identical from run to run for a given thread count, and equal
 * within float rounding across thread counts. */
START_TEST (test_threads_deterministic)
{
  const size_t shape[3] = { 1, 64, 64 };
  const char *arch = "[{\"type\":\"conv2d\",\"out_channels\":32,\"kernel\":3,\"padding\":1},"
      "{\"type\":\"relu\"},{\"type\":\"conv2d\",\"out_channels\":32,\"kernel\":3},"
      "{\"type\":\"global_mean\"},{\"type\":\"flatten\"},{\"type\":\"dense\",\"out_features\":5}]";
  EsNet *net = es_net_new (arch, 3, shape, NULL);
  const size_t batch = 8, n_in = 64 * 64;
  float *x = g_new (float, batch * n_in), *first, *one_thread;

  for (size_t i = 0; i < batch * n_in; i++)
    x[i] = nn_hash_uniform (4, (uint32_t) i);
  es_nn_set_threads (2);
  ck_assert_int_eq (es_nn_get_threads (), 2);
  first = g_memdup2 (es_net_forward (net, x, batch), batch * 5 * sizeof (float));
  for (int r = 0; r < 3; r++)
    ck_assert (memcmp (es_net_forward (net, x, batch), first, batch * 5 * sizeof (float)) == 0);
  es_nn_set_threads (1);
  one_thread = g_memdup2 (es_net_forward (net, x, batch), batch * 5 * sizeof (float));
  for (size_t i = 0; i < batch * 5; i++)
    ck_assert_float_eq_tol (one_thread[i], first[i], 1e-5f * (1.0f + fabsf (first[i])));
  g_free (first);
  g_free (one_thread);
  g_free (x);
  es_net_free (net);
}
END_TEST

/* Inference fuses a convolution with the batch norm / ReLU / dropout layers
 * after it and a 2-wide max-pool (band by band for large outputs, on the
 * grouped GEMM for small ones). The result must equal running each layer as
 * a net of its own, and a backward after it must work (the net recomputes
 * the activations). */
typedef struct {
  int in_ndim;
  size_t in_shape[3];
  const char *layers[10];     /* NULL-terminated */
  size_t shapes[10][3];       /* input shape of each layer (same rank as in_shape
                               * until a flatten, then [N]) */
  int ndims[10];
} FusedCase;

static const FusedCase fused_cases[] = {
  /* Several bands (K = 72, 30 columns: 14 rows per band), an odd height
   * (floor-mode pooling drops the last row), dropout inside the chain. */
  { 3, { 8, 41, 30 },
    { "{\"type\":\"conv2d\",\"out_channels\":6,\"kernel\":3,\"padding\":1}",
      "{\"type\":\"batchnorm\"}", "{\"type\":\"relu\"}",
      "{\"type\":\"dropout\",\"p\":0.3}", "{\"type\":\"maxpool2d\",\"kernel\":2}",
      "{\"type\":\"flatten\"}", "{\"type\":\"dense\",\"out_features\":3}", NULL },
    { { 8, 41, 30 }, { 6, 41, 30 }, { 6, 41, 30 }, { 6, 41, 30 }, { 6, 41, 30 },
      { 6, 20, 15 }, { 1800 } },
    { 3, 3, 3, 3, 3, 3, 1 } },
  /* Grouped 1-D GEMMs, ReLU before batch norm, odd length, a chain ended by
   * a layer that is not fused (tanh), a conv without bias. */
  { 2, { 3, 51 },
    { "{\"type\":\"conv1d\",\"out_channels\":8,\"kernel\":5,\"padding\":2}",
      "{\"type\":\"relu\"}", "{\"type\":\"batchnorm\"}",
      "{\"type\":\"maxpool1d\",\"kernel\":2}",
      "{\"type\":\"conv1d\",\"out_channels\":4,\"kernel\":3,\"bias\":false}",
      "{\"type\":\"batchnorm\"}", "{\"type\":\"tanh\"}", "{\"type\":\"flatten\"}",
      "{\"type\":\"dense\",\"out_features\":3}", NULL },
    { { 3, 51 }, { 8, 51 }, { 8, 51 }, { 8, 51 }, { 8, 25 }, { 4, 23 }, { 4, 23 },
      { 4, 23 }, { 92 } },
    { 2, 2, 2, 2, 2, 2, 2, 2, 1 } },
  /* A pool that is not fused (kernel 3), strided conv, one large band. */
  { 3, { 2, 40, 36 },
    { "{\"type\":\"conv2d\",\"out_channels\":4,\"kernel\":3,\"stride\":[1,2],\"padding\":1}",
      "{\"type\":\"relu\"}", "{\"type\":\"maxpool2d\",\"kernel\":3}",
      "{\"type\":\"flatten\"}", "{\"type\":\"dense\",\"out_features\":3}", NULL },
    { { 2, 40, 36 }, { 4, 40, 18 }, { 4, 40, 18 }, { 4, 13, 6 }, { 312 } },
    { 3, 3, 3, 3, 1 } },
  /* Direct convolution (one input channel, 3x3): 12 output channels (a
   * group of 8 and 4 more), 36 columns (4 past the last group of 8). */
  { 3, { 1, 40, 36 },
    { "{\"type\":\"conv2d\",\"out_channels\":12,\"kernel\":3,\"padding\":1}",
      "{\"type\":\"relu\"}", "{\"type\":\"batchnorm\"}",
      "{\"type\":\"maxpool2d\",\"kernel\":2}", "{\"type\":\"flatten\"}",
      "{\"type\":\"dense\",\"out_features\":3}", NULL },
    { { 1, 40, 36 }, { 12, 40, 36 }, { 12, 40, 36 }, { 12, 40, 36 }, { 12, 20, 18 },
      { 4320 } },
    { 3, 3, 3, 3, 3, 1 } },
  /* Direct convolution with two input channels (generic tap count), no
   * bias, no pool after it. */
  { 3, { 2, 30, 21 },
    { "{\"type\":\"conv2d\",\"out_channels\":9,\"kernel\":3,\"padding\":1,\"bias\":false}",
      "{\"type\":\"batchnorm\"}", "{\"type\":\"relu\"}", "{\"type\":\"flatten\"}",
      "{\"type\":\"dense\",\"out_features\":3}", NULL },
    { { 2, 30, 21 }, { 9, 30, 21 }, { 9, 30, 21 }, { 9, 30, 21 }, { 5670 } },
    { 3, 3, 3, 3, 1 } },
};

START_TEST (test_fused_inference)
{
  const FusedCase *fc = &fused_cases[_i];
  const size_t batches[2] = { 1, 13 };
  GString *arch = g_string_new ("[");
  size_t n_layers = 0;

  for (; fc->layers[n_layers]; n_layers++)
    g_string_append_printf (arch, "%s%s", n_layers ? "," : "", fc->layers[n_layers]);
  g_string_append (arch, "]");

  for (int bi = 0; bi < 2; bi++) {
    const size_t batch = batches[bi];
    EsNet *net = es_net_new (arch->str, fc->in_ndim, fc->in_shape, NULL);
    const size_t n_in = es_net_get_input_size (net), n_out = es_net_get_output_size (net);
    float *x = g_new (float, batch * n_in), *fused, *cur, *grad, *dx_fused;
    ck_assert (net != NULL);
    nn_fill_params (net);
    es_net_set_training (net, FALSE);
    for (size_t i = 0; i < batch * n_in; i++)
      x[i] = 2.0f * nn_hash_uniform (7, (uint32_t) i);
    fused = g_memdup2 (es_net_forward (net, x, batch), batch * n_out * sizeof (float));

    /* Reference: every layer as a net of its own, same parameters. */
    cur = g_memdup2 (x, batch * n_in * sizeof (float));
    for (size_t k = 0; k < n_layers; k++) {
      char *one = g_strdup_printf ("[%s]", fc->layers[k]);
      EsNet *ln = es_net_new (one, fc->ndims[k], fc->shapes[k], NULL);
      size_t n_params;
      EsNetParam *params;
      ck_assert_msg (ln != NULL, "layer %zu", k);
      params = es_net_get_params (ln, &n_params);
      for (size_t p = 0; p < n_params; p++) {
        char *name = g_strdup_printf ("%zu.%s", k, strchr (params[p].name, '.') + 1);
        EsNetParam *src = es_net_find_param (net, name);
        ck_assert (src != NULL);
        memcpy (params[p].value->data, src->value->data,
            es_tensor_numel (src->value) * sizeof (float));
        g_free (name);
      }
      /* A convolution alone would take the fused path too: run it in
       * training mode (the same maths, the plain im2col + GEMM kernel). */
      es_net_set_training (ln, strstr (fc->layers[k], "conv") != NULL);
      {
        const float *y = es_net_forward (ln, cur, batch);
        const size_t n = batch * es_net_get_output_size (ln);
        g_free (cur);
        cur = g_memdup2 (y, n * sizeof (float));
      }
      es_net_free (ln);
      g_free (one);
    }
    for (size_t i = 0; i < batch * n_out; i++)
      ck_assert_msg (fabsf (fused[i] - cur[i]) <= 1e-5f * (1.0f + fabsf (cur[i])),
          "case %d batch %zu output %zu: fused %g, layer by layer %g", _i, batch, i,
          fused[i], cur[i]);

    /* Backward after a fused forward recomputes the activations layer by
     * layer: it leaves the logits as returned, and gives the same input
     * gradient each time (the parity test checks its values). */
    grad = g_new (float, batch * n_out);
    for (size_t i = 0; i < batch * n_out; i++)
      grad[i] = nn_hash_uniform (8, (uint32_t) i);
    es_net_backward (net, grad);
    dx_fused = g_memdup2 (es_net_get_input_grad (net), batch * n_in * sizeof (float));
    /* The logits buffer is unchanged by the recompute. */
    ck_assert (memcmp (es_net_forward (net, x, batch), fused, batch * n_out * sizeof (float)) == 0);
    es_net_zero_grad (net);
    es_net_backward (net, grad);
    ck_assert (memcmp (es_net_get_input_grad (net), dx_fused,
            batch * n_in * sizeof (float)) == 0);
    for (size_t i = 0; i < batch * n_in; i++)
      ck_assert (isfinite (dx_fused[i]));

    g_free (grad);
    g_free (dx_fused);
    g_free (fused);
    g_free (cur);
    g_free (x);
    es_net_free (net);
  }
  g_string_free (arch, TRUE);
}
END_TEST

static Suite *
layers_suite (void)
{
  Suite *s = suite_create ("nn-layers");
  TCase *grad = tcase_create ("gradients");
  TCase *beh = tcase_create ("behaviour");
  tcase_set_timeout (grad, 120);
  tcase_add_test (grad, test_grad_conv1d);
  tcase_add_test (grad, test_grad_conv2d);
  tcase_add_test (grad, test_grad_batchnorm);
  tcase_add_test (grad, test_grad_activations);
  tcase_add_test (grad, test_grad_pooling_and_reshape);
  tcase_add_test (grad, test_grad_dense_dropout);
  tcase_add_test (grad, test_grad_composite);
  tcase_add_test (grad, test_grad_cross_entropy);
  tcase_add_test (grad, test_grad_cross_entropy_soft);
  tcase_add_test (grad, test_label_smoothing_torch);
  suite_add_tcase (s, grad);
  tcase_add_test (beh, test_softmax);
  tcase_add_test (beh, test_dropout);
  tcase_add_test (beh, test_architecture_errors);
  tcase_add_test (beh, test_params_and_init);
  tcase_add_test (beh, test_batch_independence);
  tcase_add_test (beh, test_batchnorm_running_stats);
  tcase_add_test (beh, test_optimizers);
  tcase_add_test (beh, test_threads_deterministic);
  tcase_add_loop_test (beh, test_fused_inference, 0, G_N_ELEMENTS (fused_cases));
  suite_add_tcase (s, beh);
  return s;
}

int
main (void)
{
  SRunner *runner = srunner_create (layers_suite ());
  int failed;
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
