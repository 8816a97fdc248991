/* Compression: log backward, PCEN forward against NumPy, streaming equals one
 * call, finite-difference checks of every gradient, stability for any raw
 * value and extreme energies, refusals. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "dsp/compress.h"
#include "dsp/gammatone.h"
#include "dsp-fixture.h"
#include "fd-check.h"

static float *
random_floats (GRand *rand, size_t n, double lo, double hi)
{
  float *x = g_new (float, n);
  for (size_t i = 0; i < n; i++)
    x[i] = (float) g_rand_double_range (rand, lo, hi);
  return x;
}

static size_t *
all_indices (size_t n)
{
  size_t *idx = g_new (size_t, n);
  for (size_t i = 0; i < n; i++)
    idx[i] = i;
  return idx;
}

/* ---- log ------------------------------------------------------------------ */

typedef struct {
  const float *coef;
  size_t n;
  float floor;
} LogCase;

static double
loss_log (const float *x, gpointer data)
{
  LogCase *c = data;
  float *y = g_memdup2 (x, c->n * sizeof (float));
  double sum = 0.0;

  es_log_compress (y, c->n, c->floor);
  for (size_t i = 0; i < c->n; i++)
    sum += (double) c->coef[i] * y[i];
  g_free (y);
  return sum;
}

START_TEST (test_log_backward)
{
  GRand *rand = g_rand_new_with_seed (1410);
  const size_t n = 40;
  float *x = random_floats (rand, n, 0.5, 5.0);
  float *coef = random_floats (rand, n, -1.0, 1.0);
  float *dx = g_new (float, n);
  LogCase c = { coef, n, 1e-3f };
  size_t *idx = all_indices (n);
  size_t n_idx = 0;

  x[3] = 1e-5f;                 /* below the floor: constant */
  x[7] = 0.0f;
  es_log_compress_backward (x, coef, n, c.floor, dx);
  ck_assert_float_eq (dx[3], 0.0f);
  ck_assert_float_eq (dx[7], 0.0f);
  ck_assert_float_eq_tol (dx[0], coef[0] / x[0], 1e-7);
  /* away from the kink at the floor */
  for (size_t i = 0; i < n; i++)
    if (i != 3 && i != 7)
      idx[n_idx++] = i;
  fd_check ("d log / dE", loss_log, x, idx, n_idx, dx, 1e-2, 1e-3, 1e-5, &c);

  x[1] = NAN;
  es_log_compress_backward (x, coef, n, c.floor, dx);
  ck_assert (isnan (dx[1]));

  g_free (idx);
  g_free (dx);
  g_free (coef);
  g_free (x);
  g_rand_free (rand);
}
END_TEST

/* ---- PCEN ----------------------------------------------------------------- */

START_TEST (test_pcen_matches_numpy)
{
  DspFixture fx;
  size_t n_frames, n;
  unsigned n_bands;
  double eps;
  const double *a0, *d0, *r0, *s0, *y_init, *y_raw;
  EsPcenBand *init;
  EsPcen *pcen;
  float *raw, *energies, *out;
  GError *error = NULL;
  double err;

  dsp_fixture_open (&fx, "dsp/pcen.txt");
  n_frames = (size_t) dsp_fixture_next (&fx);
  n_bands = (unsigned) dsp_fixture_next (&fx);
  eps = dsp_fixture_next (&fx);
  a0 = dsp_fixture_take (&fx, n_bands);
  d0 = dsp_fixture_take (&fx, n_bands);
  r0 = dsp_fixture_take (&fx, n_bands);
  s0 = dsp_fixture_take (&fx, n_bands);
  raw = dsp_fixture_take_floats (&fx, 4 * n_bands);
  n = n_frames * n_bands;
  energies = dsp_fixture_take_floats (&fx, n);
  y_init = dsp_fixture_take (&fx, n);
  y_raw = dsp_fixture_take (&fx, n);
  ck_assert (dsp_fixture_at_end (&fx));

  init = g_new (EsPcenBand, n_bands);
  for (unsigned b = 0; b < n_bands; b++) {
    init[b].alpha = a0[b];
    init[b].delta = d0[b];
    init[b].root = r0[b];
    init[b].smooth = s0[b];
  }
  pcen = es_pcen_new (init, n_bands, eps, &error);
  ck_assert_msg (pcen != NULL, "%s", error ? error->message : "?");
  out = g_new (float, n);
  es_pcen_forward (pcen, NULL, energies, n_frames, NULL, out);
  err = es_max_rel_error (out, y_init, n, 1e-6);
  ck_assert_msg (err <= 1e-5, "PCEN (initial) differs from NumPy by %g", err);
  es_pcen_forward (pcen, raw, energies, n_frames, NULL, out);
  err = es_max_rel_error (out, y_raw, n, 1e-6);
  ck_assert_msg (err <= 1e-5, "PCEN (moved) differs from NumPy by %g", err);

  es_pcen_free (pcen);
  g_free (out);
  g_free (init);
  g_free (energies);
  g_free (raw);
  dsp_fixture_close (&fx);
}
END_TEST

START_TEST (test_pcen_stream_equals_one_call)
{
  GRand *rand = g_rand_new_with_seed (1411);
  const unsigned n_bands = 5;
  const size_t n_frames = 77;
  float *e = random_floats (rand, n_frames * n_bands, 0.0, 100.0);
  float *raw = random_floats (rand, 4 * n_bands, -0.5, 0.5);
  float *whole = g_new (float, n_frames * n_bands);
  float *parts = g_new (float, n_frames * n_bands);
  double state[5];
  EsPcen *pcen = es_pcen_new (NULL, n_bands, ES_PCEN_DEFAULT_EPS, NULL);
  const size_t cuts[] = { 0, 1, 30, 30, 76, 77 };

  es_pcen_forward (pcen, raw, e, n_frames, NULL, whole);
  for (unsigned b = 0; b < n_bands; b++)
    state[b] = NAN;
  for (unsigned i = 0; i + 1 < G_N_ELEMENTS (cuts); i++)
    es_pcen_forward (pcen, raw, e + cuts[i] * n_bands, cuts[i + 1] - cuts[i], state,
        parts + cuts[i] * n_bands);
  ck_assert_int_eq (memcmp (whole, parts, n_frames * n_bands * sizeof (float)), 0);

  es_pcen_free (pcen);
  g_free (parts);
  g_free (whole);
  g_free (raw);
  g_free (e);
  g_rand_free (rand);
}
END_TEST

typedef struct {
  EsPcen *pcen;
  const float *coef;
  const float *energies;        /* fixed energies when x is raw */
  const float *raw;             /* fixed raw when x is the energies */
  size_t n_frames;
} PcenCase;

static double
pcen_loss (PcenCase *c, const float *raw, const float *energies)
{
  size_t n = c->n_frames * es_pcen_get_n_bands (c->pcen);
  float *y = g_new (float, n);
  double sum = 0.0;

  es_pcen_forward (c->pcen, raw, energies, c->n_frames, NULL, y);
  for (size_t i = 0; i < n; i++)
    sum += (double) c->coef[i] * y[i];
  g_free (y);
  return sum;
}

static double
loss_pcen_of_raw (const float *raw, gpointer data)
{
  PcenCase *c = data;
  return pcen_loss (c, raw, c->energies);
}

static double
loss_pcen_of_energies (const float *energies, gpointer data)
{
  PcenCase *c = data;
  return pcen_loss (c, c->raw, energies);
}

START_TEST (test_pcen_gradients)
{
  GRand *rand = g_rand_new_with_seed (1412);
  const unsigned n_bands = 4;
  EsPcenBand init[4];
  PcenCase c = { 0 };
  size_t n, n_raw;
  float *raw, *energies, *coef, *de, *draw;
  size_t *idx;

  for (unsigned b = 0; b < n_bands; b++)
    es_pcen_band_init (&init[b]);
  init[1].smooth = 0.3;
  init[2].root = 0.8;
  init[3].alpha = 0.5;
  c.pcen = es_pcen_new (init, n_bands, ES_PCEN_DEFAULT_EPS, NULL);
  c.n_frames = 12;
  n = c.n_frames * n_bands;
  n_raw = es_pcen_get_n_raw (c.pcen);
  raw = random_floats (rand, n_raw, -0.5, 0.5);
  energies = random_floats (rand, n, 1.0, 10.0);
  coef = random_floats (rand, n, -1.0, 1.0);
  c.coef = coef;
  c.energies = energies;
  c.raw = raw;

  de = g_new (float, n);
  draw = g_new (float, n_raw);
  for (size_t i = 0; i < n_raw; i++)
    draw[i] = 0.25f;            /* accumulates */
  es_pcen_backward (c.pcen, raw, energies, c.n_frames, coef, de, draw);
  for (size_t i = 0; i < n_raw; i++)
    draw[i] -= 0.25f;

  idx = all_indices (n_raw);
  fd_check ("dPCEN/draw", loss_pcen_of_raw, raw, idx, n_raw, draw, 1e-3, 2e-3, 1e-5, &c);
  g_free (idx);
  idx = all_indices (n);
  fd_check ("dPCEN/dE", loss_pcen_of_energies, energies, idx, n, de, 1e-2, 1e-3, 2e-5, &c);

  /* NULL outputs are skipped */
  es_pcen_backward (c.pcen, raw, energies, c.n_frames, coef, NULL, NULL);

  g_free (idx);
  g_free (draw);
  g_free (de);
  g_free (coef);
  g_free (energies);
  g_free (raw);
  es_pcen_free (c.pcen);
  g_rand_free (rand);
}
END_TEST

START_TEST (test_pcen_stable)
{
  /* Any raw value, energies from silence to huge: finite outputs and
   * gradients, every parameter inside its range. */
  GRand *rand = g_rand_new_with_seed (1413);
  const unsigned n_bands = 8;
  const size_t n_frames = 200;
  EsPcen *pcen = es_pcen_new (NULL, n_bands, ES_PCEN_DEFAULT_EPS, NULL);
  size_t n = n_frames * n_bands, n_raw = es_pcen_get_n_raw (pcen);
  float *e = g_new (float, n), *y = g_new (float, n), *de = g_new (float, n);
  float *coef = random_floats (rand, n, -1.0, 1.0);
  float *raw = g_new (float, n_raw), *draw = g_new (float, n_raw);
  EsPcenBand bands[8];

  for (size_t i = 0; i < n; i++) {
    double decade = g_rand_double_range (rand, -12.0, 12.0);
    e[i] = (i / n_bands) % 50 < 10 ? 0.0f : (float) pow (10.0, decade);
  }
  for (unsigned trial = 0; trial < 40; trial++) {
    for (size_t i = 0; i < n_raw; i++)
      raw[i] = trial < 4 ? (trial % 2 ? 1e30f : -1e30f) * (i % 3 ? 1.0f : -1.0f)
          : (float) g_rand_double_range (rand, -60.0, 60.0);
    es_pcen_bands (pcen, raw, bands);
    for (unsigned b = 0; b < n_bands; b++) {
      ck_assert (bands[b].alpha > 0.0 && bands[b].alpha < 1.0);
      ck_assert (bands[b].delta > 0.0 && bands[b].delta < 1e3);
      ck_assert (bands[b].root > 0.0 && bands[b].root < 1.0);
      ck_assert (bands[b].smooth > 0.0 && bands[b].smooth < 1.0);
    }
    es_pcen_forward (pcen, raw, e, n_frames, NULL, y);
    memset (draw, 0, n_raw * sizeof (float));
    es_pcen_backward (pcen, raw, e, n_frames, coef, de, draw);
    for (size_t i = 0; i < n; i++) {
      ck_assert_msg (isfinite (y[i]), "trial %u: y[%zu] = %g", trial, i, y[i]);
      ck_assert_msg (isfinite (de[i]), "trial %u: dE[%zu] = %g", trial, i, de[i]);
    }
    for (size_t i = 0; i < n_raw; i++)
      ck_assert_msg (isfinite (draw[i]), "trial %u: draw[%zu] = %g", trial, i, draw[i]);
  }
  g_free (draw);
  g_free (raw);
  g_free (coef);
  g_free (de);
  g_free (y);
  g_free (e);
  es_pcen_free (pcen);
  g_rand_free (rand);
}
END_TEST

START_TEST (test_pcen_refusals)
{
  EsPcenBand band;
  GError *error = NULL;

  ck_assert_ptr_null (es_pcen_new (NULL, 0, 1e-6, &error));
  g_clear_error (&error);
  ck_assert_ptr_null (es_pcen_new (NULL, 4, 0.0, &error));
  g_clear_error (&error);
  es_pcen_band_init (&band);
  band.smooth = 1.0;
  ck_assert_ptr_null (es_pcen_new (&band, 1, 1e-6, &error));
  ck_assert (g_error_matches (error, ES_DSP_ERROR, ES_DSP_ERROR_INVALID_CONFIG));
  ck_assert_msg (strstr (error->message, "s = 1") != NULL, "%s", error->message);
  g_clear_error (&error);
  es_pcen_band_init (&band);
  band.delta = -1.0;
  ck_assert_ptr_null (es_pcen_new (&band, 1, 1e-6, &error));
  ck_assert (strstr (error->message, "delta") != NULL);
  g_clear_error (&error);
}
END_TEST

static Suite *
suite (void)
{
  Suite *s = suite_create ("compress");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_log_backward);
  tcase_add_test (tc, test_pcen_matches_numpy);
  tcase_add_test (tc, test_pcen_stream_equals_one_call);
  tcase_add_test (tc, test_pcen_gradients);
  tcase_add_test (tc, test_pcen_stable);
  tcase_add_test (tc, test_pcen_refusals);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (suite ());
  int failed;

  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? 1 : 0;
}
