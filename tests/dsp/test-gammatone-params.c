/* Learnable gammatone bank: bit for bit the static bank before training,
 * weights against NumPy after a step, bounds that hold for any raw value,
 * finite-difference checks of every gradient, clear refusals. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "dsp/gammatone-params.h"
#include "dsp/gammatone.h"
#include "dsp/compress.h"
#include "dsp-fixture.h"
#include "fd-check.h"

static EsGammatoneParams *
make_params (unsigned n_bands, double fmin, double fmax, size_t frame_size, unsigned rate,
    EsGammatoneBand **bands_out)
{
  EsGammatoneBand *bands = es_gammatone_bands_mel (n_bands, fmin, fmax,
      ES_GAMMATONE_DEFAULT_BANDWIDTH);
  EsGammatoneLimits limits;
  GError *error = NULL;
  EsGammatoneParams *p;

  es_gammatone_limits_init (&limits, fmin, rate);
  p = es_gammatone_params_new (bands, n_bands, frame_size, rate, &limits, &error);
  ck_assert_msg (p != NULL, "%s", error ? error->message : "?");
  if (bands_out)
    *bands_out = bands;
  else
    g_free (bands);
  return p;
}

START_TEST (test_init_is_the_static_bank)
{
  const struct {
    unsigned rate, n_bands;
    size_t frame_size;
    double fmin, fmax;
  } cases[] = {
    {16000, 64, 400, 50.0, 8000.0},
    {8000, 24, 200, 50.0, 4000.0},
    {22050, 40, 1024, 0.0, 11025.0},
    {16000, 128, 512, 20.0, 7600.0},
  };

  for (unsigned c = 0; c < G_N_ELEMENTS (cases); c++) {
    EsGammatoneBand *mel;
    EsGammatoneParams *p = make_params (cases[c].n_bands, cases[c].fmin, cases[c].fmax,
        cases[c].frame_size, cases[c].rate, &mel);
    EsGammatoneFb *stat = es_gammatone_fb_new (mel, cases[c].n_bands, cases[c].frame_size,
        cases[c].rate, NULL);
    size_t n_raw = es_gammatone_params_get_n_raw (p);
    float *zeros = g_new0 (float, n_raw);
    EsGammatoneFb *learn_null = es_gammatone_params_new_fb (p, NULL);
    EsGammatoneFb *learn_zero = es_gammatone_params_new_fb (p, zeros);
    size_t n_w = (size_t) cases[c].n_bands * es_gammatone_fb_get_n_bins (stat);

    ck_assert_uint_eq (n_raw, 3 * cases[c].n_bands);
    ck_assert_int_eq (memcmp (es_gammatone_fb_get_bands (learn_zero), mel,
            cases[c].n_bands * sizeof (EsGammatoneBand)), 0);
    ck_assert_msg (memcmp (es_gammatone_fb_get_weights (learn_zero),
            es_gammatone_fb_get_weights (stat), n_w * sizeof (float)) == 0,
        "case %u: initial weights differ from es_gammatone_fb_new", c);
    ck_assert_int_eq (memcmp (es_gammatone_fb_get_weights (learn_null),
            es_gammatone_fb_get_weights (stat), n_w * sizeof (float)), 0);

    /* A moved bank brought back to raw = 0 is the static bank again. */
    zeros[0] = 0.5f;
    zeros[n_raw - 1] = -0.5f;
    es_gammatone_params_update_fb (p, zeros, learn_zero);
    ck_assert (memcmp (es_gammatone_fb_get_weights (learn_zero),
            es_gammatone_fb_get_weights (stat), n_w * sizeof (float)) != 0);
    memset (zeros, 0, n_raw * sizeof (float));
    es_gammatone_params_update_fb (p, zeros, learn_zero);
    ck_assert_int_eq (memcmp (es_gammatone_fb_get_weights (learn_zero),
            es_gammatone_fb_get_weights (stat), n_w * sizeof (float)), 0);

    es_gammatone_fb_free (learn_null);
    es_gammatone_fb_free (learn_zero);
    es_gammatone_fb_free (stat);
    es_gammatone_params_free (p);
    g_free (zeros);
    g_free (mel);
  }
}
END_TEST

START_TEST (test_matches_numpy)
{
  DspFixture fx;
  unsigned rate, n_bands;
  size_t frame_size, n_bins;
  double fmin, fmax, beta0;
  float *raw;
  const double *fc, *beta, *gain, *expected;
  EsGammatoneBand *mel, *bands;
  EsGammatoneLimits limits;
  EsGammatoneParams *p;
  EsGammatoneFb *fb;
  double err;

  dsp_fixture_open (&fx, "dsp/learnable_gammatone.txt");
  rate = (unsigned) dsp_fixture_next (&fx);
  frame_size = (size_t) dsp_fixture_next (&fx);
  n_bands = (unsigned) dsp_fixture_next (&fx);
  fmin = dsp_fixture_next (&fx);
  fmax = dsp_fixture_next (&fx);
  beta0 = dsp_fixture_next (&fx);
  raw = dsp_fixture_take_floats (&fx, 3 * n_bands);
  fc = dsp_fixture_take (&fx, n_bands);
  beta = dsp_fixture_take (&fx, n_bands);
  gain = dsp_fixture_take (&fx, n_bands);

  mel = es_gammatone_bands_mel (n_bands, fmin, fmax, beta0);
  es_gammatone_limits_init (&limits, fmin, rate);
  p = es_gammatone_params_new (mel, n_bands, frame_size, rate, &limits, NULL);
  ck_assert_ptr_nonnull (p);
  bands = g_new (EsGammatoneBand, n_bands);
  es_gammatone_params_bands (p, raw, bands);
  for (unsigned b = 0; b < n_bands; b++) {
    ck_assert_double_eq_tol (bands[b].centre_hz, fc[b], 1e-9 * fc[b]);
    ck_assert_double_eq_tol (bands[b].bandwidth, beta[b], 1e-9 * beta[b]);
    ck_assert_double_eq_tol (bands[b].gain, gain[b], 1e-9 * gain[b]);
  }
  /* the pushed ones sit inside their bounds */
  ck_assert (bands[0].centre_hz > fmin && bands[0].centre_hz < fmin * 1.0001);
  ck_assert (bands[n_bands - 1].centre_hz < rate / 2.0);
  ck_assert (bands[3].bandwidth > limits.bandwidth_floor);

  fb = es_gammatone_params_new_fb (p, raw);
  n_bins = es_gammatone_fb_get_n_bins (fb);
  expected = dsp_fixture_take (&fx, n_bands * n_bins);
  ck_assert (dsp_fixture_at_end (&fx));
  err = es_max_rel_error (es_gammatone_fb_get_weights (fb), expected, n_bands * n_bins,
      1e-9);
  ck_assert_msg (err <= 1e-6, "weights differ from NumPy by %g (relative)", err);

  es_gammatone_fb_free (fb);
  es_gammatone_params_free (p);
  g_free (bands);
  g_free (mel);
  g_free (raw);
  dsp_fixture_close (&fx);
}
END_TEST

START_TEST (test_bounds_hold_for_any_raw)
{
  EsGammatoneParams *p = make_params (32, 50.0, 8000.0, 400, 16000, NULL);
  const EsGammatoneLimits *l = es_gammatone_params_get_limits (p);
  const EsGammatoneBand *init = es_gammatone_params_get_init_bands (p);
  size_t n_raw = es_gammatone_params_get_n_raw (p);
  float *raw = g_new (float, n_raw);
  EsGammatoneBand bands[32];
  const float extremes[] = { -1e30f, -1e6f, -50.0f, 50.0f, 1e6f, 1e30f };
  EsGammatoneFb *fb = es_gammatone_params_new_fb (p, NULL);
  GRand *rand = g_rand_new_with_seed (7);

  for (unsigned trial = 0; trial < 200; trial++) {
    for (size_t i = 0; i < n_raw; i++)
      raw[i] = trial < G_N_ELEMENTS (extremes) ? extremes[trial]
          : (float) g_rand_double_range (rand, -100.0, 100.0);
    es_gammatone_params_bands (p, raw, bands);
    for (unsigned b = 0; b < 32; b++) {
      ck_assert (bands[b].centre_hz > l->centre_min_hz);
      ck_assert (bands[b].centre_hz < l->centre_max_hz);
      ck_assert (bands[b].bandwidth > l->bandwidth_floor);
      ck_assert (bands[b].bandwidth < l->bandwidth_ceiling);
      ck_assert (bands[b].gain > init[b].gain / l->gain_range);
      ck_assert (bands[b].gain < init[b].gain * l->gain_range);
    }
    /* always a valid filterbank */
    es_gammatone_params_update_fb (p, raw, fb);
  }
  /* Near the start a raw step is a step in log units. */
  memset (raw, 0, n_raw * sizeof (float));
  raw[5] = 0.01f;
  es_gammatone_params_bands (p, raw, bands);
  ck_assert_double_eq_tol (log (bands[5].centre_hz / init[5].centre_hz), 0.01, 1e-6);

  g_rand_free (rand);
  es_gammatone_fb_free (fb);
  es_gammatone_params_free (p);
  g_free (raw);
}
END_TEST

/* ---- gradients ---------------------------------------------------------- */

typedef struct {
  EsGammatoneParams *p;
  EsGammatoneFb *fb;
  const float *coef;            /* n_bands x n_bins, or n_frames x n_bands */
  const float *power;           /* n_frames x n_bins */
  const float *raw;             /* fixed raw when x is the power */
  size_t n_frames;
} GradCase;

/* L = sum_bk c_bk W_bk (raw) */
static double
loss_weights (const float *raw, gpointer data)
{
  GradCase *g = data;
  size_t n = (size_t) es_gammatone_fb_get_n_bands (g->fb) * es_gammatone_fb_get_n_bins (g->fb);
  const float *w;
  double sum = 0.0;

  es_gammatone_params_update_fb (g->p, raw, g->fb);
  w = es_gammatone_fb_get_weights (g->fb);
  for (size_t i = 0; i < n; i++)
    sum += (double) g->coef[i] * w[i];
  return sum;
}

/* L = sum_tb c_tb log (max (E_tb, floor)), E = W (raw) P */
static double
loss_log_energies (const float *raw, const float *power, GradCase *g)
{
  unsigned n_bands = es_gammatone_fb_get_n_bands (g->fb);
  size_t n = g->n_frames * n_bands;
  float *e = g_new (float, n);
  double sum = 0.0;

  es_gammatone_params_update_fb (g->p, raw, g->fb);
  es_gammatone_fb_apply_frames (g->fb, power, g->n_frames, e);
  es_log_compress (e, n, (float) ES_GAMMATONE_DEFAULT_LOG_FLOOR);
  for (size_t i = 0; i < n; i++)
    sum += (double) g->coef[i] * e[i];
  g_free (e);
  return sum;
}

static double
loss_energies_of_raw (const float *raw, gpointer data)
{
  GradCase *g = data;
  return loss_log_energies (raw, g->power, g);
}

static double
loss_energies_of_power (const float *power, gpointer data)
{
  GradCase *g = data;
  return loss_log_energies (g->raw, power, g);
}

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

START_TEST (test_weight_gradients)
{
  GRand *rand = g_rand_new_with_seed (1401);
  GradCase g = { 0 };
  size_t n_raw, n_w;
  float *raw, *draw, *dw;
  size_t *idx;

  g.p = make_params (16, 50.0, 8000.0, 400, 16000, NULL);
  n_raw = es_gammatone_params_get_n_raw (g.p);
  raw = random_floats (rand, n_raw, -0.4, 0.4);
  g.fb = es_gammatone_params_new_fb (g.p, raw);
  n_w = 16 * es_gammatone_fb_get_n_bins (g.fb);
  dw = random_floats (rand, n_w, -1.0, 1.0);
  g.coef = dw;

  /* accumulates: start from a known non-zero value */
  draw = g_new (float, n_raw);
  for (size_t i = 0; i < n_raw; i++)
    draw[i] = 1.0f;
  es_gammatone_params_update_fb (g.p, raw, g.fb);
  es_gammatone_params_backward (g.p, raw, g.fb, dw, draw);
  for (size_t i = 0; i < n_raw; i++)
    draw[i] -= 1.0f;
  idx = all_indices (n_raw);
  fd_check ("dL/draw of the weights", loss_weights, raw, idx, n_raw, draw, 2e-3, 1e-3,
      1e-4, &g);

  g_free (idx);
  g_free (draw);
  g_free (dw);
  g_free (raw);
  es_gammatone_fb_free (g.fb);
  es_gammatone_params_free (g.p);
  g_rand_free (rand);
}
END_TEST

START_TEST (test_energy_gradients)
{
  /* Through the element's kernel and the log: raw -> W -> E -> log E -> L,
   * and the power spectra's gradient. */
  GRand *rand = g_rand_new_with_seed (1402);
  GradCase g = { 0 };
  const unsigned n_bands = 12;
  size_t n_raw, n_bins, n_e;
  float *raw, *power, *coef, *energies, *dlog, *de, *dw, *draw, *dpower;
  size_t *idx;

  g.p = make_params (n_bands, 100.0, 7000.0, 256, 16000, NULL);
  g.n_frames = 5;
  n_raw = es_gammatone_params_get_n_raw (g.p);
  raw = random_floats (rand, n_raw, -0.3, 0.3);
  g.fb = es_gammatone_params_new_fb (g.p, raw);
  n_bins = es_gammatone_fb_get_n_bins (g.fb);
  power = random_floats (rand, g.n_frames * n_bins, 0.1, 2.0);
  n_e = g.n_frames * n_bands;
  coef = random_floats (rand, n_e, -1.0, 1.0);
  g.coef = coef;
  g.power = power;
  g.raw = raw;

  energies = g_new (float, n_e);
  de = g_new (float, n_e);
  dlog = coef;
  es_gammatone_fb_apply_frames (g.fb, power, g.n_frames, energies);
  es_log_compress_backward (energies, dlog, n_e, (float) ES_GAMMATONE_DEFAULT_LOG_FLOOR, de);
  dw = g_new0 (float, n_bands * n_bins);
  dpower = g_new (float, g.n_frames * n_bins);
  es_gammatone_fb_apply_frames_backward (g.fb, power, g.n_frames, de, dw, dpower);
  draw = g_new0 (float, n_raw);
  es_gammatone_params_backward (g.p, raw, g.fb, dw, draw);

  idx = all_indices (n_raw);
  fd_check ("dL/draw through energies and log", loss_energies_of_raw, raw, idx, n_raw, draw,
      2e-3, 1e-3, 1e-4, &g);
  g_free (idx);
  idx = all_indices (g.n_frames * n_bins);
  fd_check ("dL/dpower", loss_energies_of_power, power, idx, g.n_frames * n_bins, dpower,
      1e-2, 1e-3, 1e-4, &g);

  g_free (idx);
  g_free (draw);
  g_free (dpower);
  g_free (dw);
  g_free (de);
  g_free (energies);
  g_free (coef);
  g_free (power);
  g_free (raw);
  es_gammatone_fb_free (g.fb);
  es_gammatone_params_free (g.p);
  g_rand_free (rand);
}
END_TEST

START_TEST (test_refusals)
{
  EsGammatoneBand *mel = es_gammatone_bands_mel (8, 50.0, 8000.0, 1.019);
  EsGammatoneLimits limits;
  GError *error = NULL;
  EsGammatoneFb *fb;
  float saved;

  es_gammatone_limits_init (&limits, 50.0, 16000);
  ck_assert_double_eq (limits.centre_min_hz, 50.0);
  ck_assert_double_eq (limits.centre_max_hz, 8000.0);
  es_gammatone_limits_init (&limits, 0.0, 16000);
  ck_assert_double_eq (limits.centre_min_hz, ES_GAMMATONE_MIN_CENTRE_HZ);

  /* a centre below the lower limit */
  es_gammatone_limits_init (&limits, 300.0, 16000);  /* band 0 is at 285 Hz */
  ck_assert_ptr_null (es_gammatone_params_new (mel, 8, 400, 16000, &limits, &error));
  ck_assert (g_error_matches (error, ES_DSP_ERROR, ES_DSP_ERROR_INVALID_BAND));
  ck_assert_msg (strstr (error->message, "band 0") && strstr (error->message, "centre"),
      "%s", error->message);
  g_clear_error (&error);

  /* a bandwidth at the floor */
  es_gammatone_limits_init (&limits, 50.0, 16000);
  limits.bandwidth_floor = 1.019;
  ck_assert_ptr_null (es_gammatone_params_new (mel, 8, 400, 16000, &limits, &error));
  ck_assert (strstr (error->message, "bandwidth") != NULL);
  g_clear_error (&error);

  /* inconsistent limits */
  es_gammatone_limits_init (&limits, 50.0, 16000);
  limits.centre_max_hz = 9000.0;
  ck_assert_ptr_null (es_gammatone_params_new (mel, 8, 400, 16000, &limits, &error));
  ck_assert (g_error_matches (error, ES_DSP_ERROR, ES_DSP_ERROR_INVALID_CONFIG));
  g_clear_error (&error);
  es_gammatone_limits_init (&limits, 50.0, 16000);
  limits.gain_range = 1.0;
  ck_assert_ptr_null (es_gammatone_params_new (mel, 8, 400, 16000, &limits, &error));
  g_clear_error (&error);

  /* gain 0 cannot be learned in log units */
  es_gammatone_limits_init (&limits, 50.0, 16000);
  mel[2].gain = 0.0;
  ck_assert_ptr_null (es_gammatone_params_new (mel, 8, 400, 16000, &limits, &error));
  ck_assert (strstr (error->message, "gain") != NULL);
  g_clear_error (&error);
  mel[2].gain = 1.0;

  /* es_gammatone_fb_set_bands refuses a bad band and leaves the bank as it was */
  fb = es_gammatone_fb_new (mel, 8, 400, 16000, NULL);
  saved = es_gammatone_fb_get_weights (fb)[100];
  mel[4].centre_hz = 9000.0;
  ck_assert (!es_gammatone_fb_set_bands (fb, mel, &error));
  ck_assert (g_error_matches (error, ES_DSP_ERROR, ES_DSP_ERROR_INVALID_BAND));
  g_clear_error (&error);
  ck_assert_float_eq (es_gammatone_fb_get_weights (fb)[100], saved);
  ck_assert (es_gammatone_fb_get_bands (fb)[4].centre_hz < 8000.0);

  es_gammatone_fb_free (fb);
  g_free (mel);
}
END_TEST

static Suite *
suite (void)
{
  Suite *s = suite_create ("gammatone-params");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_init_is_the_static_bank);
  tcase_add_test (tc, test_matches_numpy);
  tcase_add_test (tc, test_bounds_hold_for_any_raw);
  tcase_add_test (tc, test_weight_gradients);
  tcase_add_test (tc, test_energy_gradients);
  tcase_add_test (tc, test_refusals);
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
