/* Helpers for the nn tests (see nn-testutil.h). */
#include "nn-testutil.h"

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
