/* Helpers for the nn tests (see nn-testutil.h). */
#include "nn-testutil.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

uint32_t
nn_fmix32 (uint32_t h)
{
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  return h ^ (h >> 16);
}

float
nn_hash_uniform (uint32_t seed, uint32_t i)
{
  uint32_t h = nn_fmix32 (i * 0x9e3779b1u + nn_fmix32 (seed));
  int32_t k = (int32_t) (h >> 8) - (1 << 23);
  return (float) k * (1.0f / 8388608.0f);
}

void
nn_fill_params (EsNet *net)
{
  size_t n_params;
  EsNetParam *params = es_net_get_params (net, &n_params);

  for (size_t p = 0; p < n_params; p++) {
    EsTensor *t = params[p].value;
    const size_t n = es_tensor_numel (t);
    char **parts = g_strsplit (params[p].name, ".", 2);
    const uint32_t index = (uint32_t) atoi (parts[0]);
    const char *kind = parts[1];
    uint32_t salt = g_str_equal (kind, "weight") ? 0 : g_str_equal (kind, "bias") ? 1
        : g_str_equal (kind, "running_mean") ? 2 : 3;
    for (size_t i = 0; i < n; i++) {
      float v = nn_hash_uniform (index * 16 + salt, (uint32_t) i);
      if (salt == 0 && t->ndim > 1)
        v *= (float) (1.5 / sqrt ((double) (n / t->shape[0])));
      else if (salt == 0)
        v = 1.0f + 0.25f * v;
      else if (salt == 1 || salt == 2)
        v = 0.1f * v;
      else
        v = 1.0f + 0.5f * v;
      t->data[i] = v;
    }
    g_strfreev (parts);
  }
}

static void
tensor_free (gpointer p)
{
  NnFixtureTensor *t = p;
  g_free (t->index);
  g_free (t->value);
  g_free (t);
}

NnFixture *
nn_fixture_load (const char *name)
{
  char *path = es_fixture_path (name);
  char *text = NULL, **lines;
  GError *err = NULL;
  NnFixture *fx = g_new0 (NnFixture, 1);

  if (!g_file_get_contents (path, &text, NULL, &err)) {
    fprintf (stderr, "fixture %s: %s\n", path, err->message);
    abort ();
  }
  fx->tensors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, tensor_free);
  lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l; l++) {
    if (**l == '#' || **l == '\0')
      continue;
    if (g_str_has_prefix (*l, "input ")) {
      char **tok = g_strsplit (*l, " ", -1);
      int n = 1;
      while (tok[n] && !g_str_equal (tok[n], "batch")) {
        fx->in_shape[fx->in_ndim++] = strtoul (tok[n], NULL, 10);
        n++;
      }
      g_assert (tok[n] && tok[n + 1] && tok[n + 2] && tok[n + 3]);
      fx->batch = strtoul (tok[n + 1], NULL, 10);
      fx->classes = strtoul (tok[n + 3], NULL, 10);
      g_strfreev (tok);
    } else if (g_str_has_prefix (*l, "arch eval ")) {
      fx->arch_eval = g_strdup (*l + strlen ("arch eval "));
    } else if (g_str_has_prefix (*l, "arch train ")) {
      fx->arch_train = g_strdup (*l + strlen ("arch train "));
    } else {
      NnFixtureTensor *t = g_new0 (NnFixtureTensor, 1);
      char key[256];
      if (sscanf (*l, "%255s %zu %zu", key, &t->numel, &t->count) != 3) {
        fprintf (stderr, "fixture %s: bad line \"%.40s\"\n", path, *l);
        abort ();
      }
      t->index = g_new (size_t, t->count);
      t->value = g_new (double, t->count);
      for (size_t i = 0; i < t->count; i++) {
        char *end;
        l++;
        g_assert (*l != NULL);
        t->index[i] = strtoul (*l, &end, 10);
        t->value[i] = g_ascii_strtod (end, NULL);
        g_assert (t->index[i] < t->numel);
      }
      g_hash_table_insert (fx->tensors, g_strdup (key), t);
    }
  }
  g_strfreev (lines);
  g_free (text);
  g_free (path);
  g_assert (fx->arch_eval && fx->arch_train && fx->batch > 0);
  return fx;
}

void
nn_fixture_free (NnFixture *fx)
{
  if (fx == NULL)
    return;
  g_hash_table_destroy (fx->tensors);
  g_free (fx->arch_eval);
  g_free (fx->arch_train);
  g_free (fx);
}

const NnFixtureTensor *
nn_fixture_get (const NnFixture *fx, const char *key)
{
  const NnFixtureTensor *t = g_hash_table_lookup (fx->tensors, key);
  if (t == NULL) {
    fprintf (stderr, "fixture has no tensor \"%s\"\n", key);
    abort ();
  }
  return t;
}

double
nn_fixture_compare (const NnFixtureTensor *t, const float *a, double floor)
{
  double worst = 0.0, scale = floor;
  for (size_t i = 0; i < t->count; i++)
    scale = MAX (scale, fabs (t->value[i]));
  for (size_t i = 0; i < t->count; i++) {
    double e = fabs ((double) a[t->index[i]] - t->value[i]);
    if (isnan (e))
      return INFINITY;
    worst = MAX (worst, e);
  }
  return worst / scale;
}

/* ---- finite differences ------------------------------------------------ */

static void
fill_input (float *x, size_t n, NnInputKind kind, uint32_t seed)
{
  for (size_t i = 0; i < n; i++)
    x[i] = 2.0f * nn_hash_uniform (seed, (uint32_t) i);
  if (kind == NN_INPUT_SPREAD) {
    /* A hash-ordered permutation of an evenly spaced grid. */
    size_t *order = g_new (size_t, n);
    for (size_t i = 0; i < n; i++)
      order[i] = i;
    for (size_t i = n; i-- > 1;) {
      size_t j = nn_fmix32 ((uint32_t) (i + seed)) % (i + 1), t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    for (size_t i = 0; i < n; i++)
      x[order[i]] = ((float) i - (float) (n / 2)) * 0.05f + 0.025f;
    g_free (order);
  } else if (kind == NN_INPUT_POSITIVE) {
    for (size_t i = 0; i < n; i++)
      x[i] = 1.1f + 0.5f * x[i];
  }
}

/* L = sum_j r_j y_j in double. The dropout seed is reset before each forward
 * so the mask is the same in every evaluation. */
static double
probe_loss (EsNet *net, const float *x, size_t batch, const float *r)
{
  const float *y;
  size_t n = batch * es_net_get_output_size (net);
  double loss = 0.0;
  es_net_set_seed (net, 1234);
  y = es_net_forward (net, x, batch);
  for (size_t j = 0; j < n; j++)
    loss += (double) r[j] * y[j];
  return loss;
}

static double
numeric_derivative (EsNet *net, float *x, size_t batch, const float *r, float *v,
    double step)
{
  const float v0 = *v;
  double f[4];
  const double steps[4] = { -2, -1, 1, 2 };
  for (int k = 0; k < 4; k++) {
    *v = v0 + (float) (steps[k] * step);
    f[k] = probe_loss (net, x, batch, r);
  }
  *v = v0;
  return (8.0 * (f[2] - f[1]) - (f[3] - f[0])) / (12.0 * step);
}

void
nn_expect_close (const char *what, size_t i, double analytic, double numeric,
    double *worst)
{
  double err = fabs (analytic - numeric) / (1e-2 + fabs (numeric));
  *worst = MAX (*worst, err);
  ck_assert_msg (err <= 1e-2, "%s[%zu]: analytic %.6g, finite difference %.6g",
      what, i, analytic, numeric);
}

/* Gradient check of a whole net: input gradient and every parameter. At most
 * `samples` entries per tensor are probed. */
void
nn_gradcheck_step (const char *arch, int ndim, const size_t *shape, size_t batch,
    gboolean training, NnInputKind kind, double input_step)
{
  GError *error = NULL;
  EsNet *net = es_net_new (arch, ndim, shape, &error);
  size_t n_in, n_out, n_params;
  float *x, *r, *input_grad;
  EsNetParam *params;
  double worst = 0.0, largest = 0.0;
  const size_t samples = 48;

  ck_assert_msg (net != NULL, "%s: %s", arch, error ? error->message : "");
  es_nn_set_threads (1);
  nn_fill_params (net);
  es_net_set_training (net, training);
  n_in = batch * es_net_get_input_size (net);
  n_out = batch * es_net_get_output_size (net);
  x = g_new (float, n_in);
  r = g_new (float, n_out);
  fill_input (x, n_in, kind, 11);
  for (size_t j = 0; j < n_out; j++)
    r[j] = nn_hash_uniform (99, (uint32_t) j);

  probe_loss (net, x, batch, r);
  es_net_zero_grad (net);
  es_net_backward (net, r);
  input_grad = g_memdup2 (es_net_get_input_grad (net), n_in * sizeof (float));

  for (size_t s = 0; s < MIN (samples, n_in); s++) {
    size_t i = n_in <= samples ? s : nn_fmix32 ((uint32_t) s + 5) % n_in;
    double num = numeric_derivative (net, x, batch, r, &x[i], input_step);
    nn_expect_close ("input", i, input_grad[i], num, &worst);
    largest = MAX (largest, fabs (num));
  }
  params = es_net_get_params (net, &n_params);
  for (size_t p = 0; p < n_params; p++) {
    size_t n;
    float *g;
    if (params[p].grad == NULL)
      continue;
    n = es_tensor_numel (params[p].value);
    g = params[p].grad->data;
    for (size_t s = 0; s < MIN (samples, n); s++) {
      size_t i = n <= samples ? s : nn_fmix32 ((uint32_t) s + 17) % n;
      double num = numeric_derivative (net, x, batch, r, &params[p].value->data[i],
          NN_FD_STEP);
      nn_expect_close (params[p].name, i, g[i], num, &worst);
      largest = MAX (largest, fabs (num));
    }
  }
  /* A check is only meaningful if some gradients are far above the floor. */
  ck_assert_msg (largest > 0.05, "%s: gradients too small to check (%g)", arch, largest);
  printf ("gradcheck %s%s: worst relative error %.2g\n", arch,
      training ? " (training)" : "", worst);
  g_free (input_grad);
  g_free (x);
  g_free (r);
  es_net_free (net);
}

void
nn_gradcheck (const char *arch, int ndim, const size_t *shape, size_t batch,
    gboolean training, NnInputKind kind)
{
  nn_gradcheck_step (arch, ndim, shape, batch, training, kind, NN_FD_STEP);
}
