/* Helpers for the nn tests: the deterministic weight/input formula shared with
 * tests/fixtures/nn/make_nn_fixtures.py, and the parity fixture reader. */
#ifndef ES_NN_TESTUTIL_H
#define ES_NN_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "nn/net.h"

G_BEGIN_DECLS

/* v_i in [-1, 1) from a 32-bit hash of (seed, i); identical to hash_uniform()
 * in make_nn_fixtures.py, bit for bit. */
float nn_hash_uniform (uint32_t seed, uint32_t i);
uint32_t nn_fmix32 (uint32_t h);

/* Set every parameter and buffer of net like make_nn_fixtures.py's
 * param_values(): seed = layer index * 16 + kind. */
void nn_fill_params (EsNet *net);

typedef struct {
  size_t numel, count;
  size_t *index;
  double *value;
} NnFixtureTensor;

typedef struct {
  int in_ndim;
  size_t in_shape[3];
  size_t batch, classes;
  char *arch_eval, *arch_train;
  GHashTable *tensors;    /* key -> NnFixtureTensor* */
} NnFixture;

NnFixture *nn_fixture_load (const char *name);
void nn_fixture_free (NnFixture *fx);
/* The tensor stored under key; aborts the test if absent. */
const NnFixtureTensor *nn_fixture_get (const NnFixture *fx, const char *key);

/* max_i |a[index_i] - b_i| / max (max_i |b_i|, floor): the error relative to
 * the tensor's largest magnitude, over the stored entries. */
double nn_fixture_compare (const NnFixtureTensor *t, const float *a, double floor);

G_END_DECLS

#endif
