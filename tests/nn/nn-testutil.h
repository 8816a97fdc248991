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

/* ---- finite-difference gradient checks (ggml test-backend-ops style) ----- */

typedef enum {
  NN_INPUT_SMOOTH,    /* hash values in [-2, 2) */
  NN_INPUT_SPREAD,    /* distinct values >= 0.05 apart and >= 0.025 from 0, so a
                       * 2h = 0.02 perturbation never crosses a ReLU/abs kink or
                       * changes a max-pool winner */
  NN_INPUT_POSITIVE,  /* in [0.1, 2.1): power spectra, energies */
} NnInputKind;

/* Small enough that the curvature of a BN + tanh composite does not matter,
 * large enough that float rounding of the loss stays below 1e-5 relative. */
#define NN_FD_STEP 3e-3

/* Asserts |analytic - numeric| <= 1e-2 (1e-2 + |numeric|); keeps the worst. */
void nn_expect_close (const char *what, size_t i, double analytic, double numeric,
    double *worst);
/* Gradient check of a whole net on L = sum r_j y_j: the input gradient and
 * every trainable parameter (frozen ones have none), 4-point stencil, at most
 * 48 entries per tensor. Parameters are set by nn_fill_params. */
void nn_gradcheck (const char *arch, int ndim, const size_t *shape, size_t batch,
    gboolean training, NnInputKind kind);
/* The same with another step for the input: a layer that is linear in its
 * input (the filterbank) has no curvature there, and a larger step keeps the
 * loss's float rounding out of its small derivatives. */
void nn_gradcheck_step (const char *arch, int ndim, const size_t *shape, size_t batch,
    gboolean training, NnInputKind kind, double input_step);

G_END_DECLS

#endif
