/* Whole-clip front-end: equals the stages run by hand (bit for bit), matches a
 * NumPy/SciPy end-to-end reference, rejects bad settings. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "dsp/frontend.h"
#include "dsp/preemphasis.h"
#include "dsp/framer.h"
#include "dsp/dct.h"
#include "dsp-fixture.h"

/* The stages one by one, the way the elements chain them: pre-emphasis and
 * framing fed in buffers of `piece` samples, then energies, log, DCT. */
static float *
run_stages (const EsFrontendConfig *c, const float *samples, size_t n, size_t piece,
    size_t *n_frames)
{
  EsGammatoneBand *bands = c->bands ? NULL
      : es_gammatone_bands_mel (c->n_bands, c->fmin, c->fmax, c->bandwidth);
  EsGammatoneFb *fb = es_gammatone_fb_new (c->bands ? c->bands : bands, c->n_bands,
      c->frame_size, c->sample_rate, NULL);
  EsFramer *framer = es_framer_new (c->frame_size, c->hop_size, c->window);
  EsDct *dct = c->n_dct ? es_dct_new (c->n_bands, c->n_dct) : NULL;
  unsigned n_feat = c->n_dct ? c->n_dct : c->n_bands;
  size_t total = es_framer_frames_for (framer, n), done = 0;
  float *features = g_new (float, total * n_feat + 1);
  float last = 0.0f;

  for (size_t pos = 0; pos < n; pos += piece) {
    size_t len = MIN (piece, n - pos);
    float *buf = g_memdup2 (samples + pos, len * sizeof (float));
    float *frames = g_new (float, (es_framer_frames_for (framer, len) + 1) * c->frame_size);
    size_t got;
    float energies[256];

    es_preemphasis_f32 (buf, len, 1, (float) c->preemphasis, &last);
    got = es_framer_process (framer, buf, len, frames);
    for (size_t i = 0; i < got; i++, done++) {
      es_gammatone_fb_energies (fb, frames + i * c->frame_size, energies);
      es_log_compress (energies, c->n_bands, (float) c->log_floor);
      if (dct)
        es_dct_process (dct, energies, features + done * n_feat);
      else
        memcpy (features + done * n_feat, energies, c->n_bands * sizeof (float));
    }
    g_free (frames);
    g_free (buf);
  }
  ck_assert_uint_eq (done, total);
  *n_frames = total;
  es_dct_free (dct);
  es_framer_free (framer);
  es_gammatone_fb_free (fb);
  g_free (bands);
  return features;
}

static float *
test_clip (size_t n, guint32 seed)
{
  GRand *rand = g_rand_new_with_seed (seed);
  float *x = g_new (float, n);
  for (size_t i = 0; i < n; i++)
    x[i] = (float) (0.3 * sin (2.0 * G_PI * 523.0 * i / 16000.0)
        + g_rand_double_range (rand, -0.1, 0.1));
  g_rand_free (rand);
  return x;
}

START_TEST (test_defaults)
{
  EsFrontendConfig c;
  es_frontend_config_init (&c, 22050);
  ck_assert_uint_eq (c.sample_rate, 22050);
  ck_assert_double_eq (c.preemphasis, 0.97);
  ck_assert_uint_eq (c.frame_size, 400);
  ck_assert_uint_eq (c.hop_size, 160);
  ck_assert_int_eq (c.window, ES_WINDOW_HAMMING);
  ck_assert_uint_eq (c.n_bands, 64);
  ck_assert_double_eq (c.fmin, 50.0);
  ck_assert_double_eq (c.fmax, 11025.0);
  ck_assert_double_eq (c.bandwidth, 1.019);
  ck_assert_double_eq (c.log_floor, 1e-10);
  ck_assert_uint_eq (c.n_dct, 0);
  ck_assert_ptr_null (c.bands);
}
END_TEST

START_TEST (test_clip_equals_stages)
{
  const size_t n = 40000;
  float *x = test_clip (n, 21);
  const unsigned dcts[] = { 0, 40, 13 };
  const size_t pieces[] = { 1024, 333, 40000 };

  for (unsigned d = 0; d < G_N_ELEMENTS (dcts); d++) {
    EsFrontendConfig c;
    EsFrontend *fe;
    GError *error = NULL;
    size_t n_frames, n_manual;
    float *features, *manual;

    es_frontend_config_init (&c, 16000);
    c.n_dct = dcts[d];
    if (d == 2) {
      c.hop_size = 500;     /* hop > frame */
      c.window = ES_WINDOW_HANN;
      c.n_bands = 40;
    }
    fe = es_frontend_new (&c, &error);
    ck_assert_msg (fe != NULL, "%s", error ? error->message : "?");
    ck_assert_uint_eq (es_frontend_get_n_features (fe), dcts[d] ? dcts[d] : c.n_bands);
    ck_assert_uint_eq (es_gammatone_fb_get_n_bands (es_frontend_get_filterbank (fe)),
        c.n_bands);
    features = es_frontend_process_clip (fe, x, n, &n_frames);
    manual = run_stages (&c, x, n, pieces[d], &n_manual);
    ck_assert_uint_eq (n_frames, n_manual);
    ck_assert_uint_eq (n_frames, 1 + (n - c.frame_size) / c.hop_size);
    ck_assert_msg (memcmp (features, manual,
            n_frames * es_frontend_get_n_features (fe) * sizeof (float)) == 0,
        "front-end (dct %u) differs from the stages run by hand", dcts[d]);

    /* A second clip starts from reset: same numbers again. */
    g_free (features);
    features = es_frontend_process_clip (fe, x, n, &n_frames);
    ck_assert_int_eq (memcmp (features, manual,
            n_frames * es_frontend_get_n_features (fe) * sizeof (float)), 0);
    g_free (features);
    g_free (manual);
    es_frontend_free (fe);
  }
  g_free (x);
}
END_TEST

START_TEST (test_custom_bands)
{
  /* Bands given as data are used as they are (copied: the caller's array may go). */
  EsFrontendConfig c;
  EsGammatoneBand *bands = es_gammatone_bands_mel (8, 100.0, 6000.0, 2.0);
  EsFrontend *fe;
  const EsGammatoneBand *used;

  es_frontend_config_init (&c, 16000);
  bands[3].gain = 0.5;
  c.bands = bands;
  c.n_bands = 8;
  fe = es_frontend_new (&c, NULL);
  ck_assert_ptr_nonnull (fe);
  memset (bands, 0, 8 * sizeof (EsGammatoneBand));
  g_free (bands);
  used = es_gammatone_fb_get_bands (es_frontend_get_filterbank (fe));
  ck_assert_double_eq (used[3].gain, 0.5);
  ck_assert_double_eq (used[0].bandwidth, 2.0);
  es_frontend_free (fe);
}
END_TEST

START_TEST (test_matches_numpy_reference)
{
  DspFixture fx;
  EsFrontendConfig c;
  EsFrontend *fe_log, *fe_cep;
  size_t n_samples, n_frames, got;
  float *samples, *logs, *cep;
  const double *ref_logs, *ref_cep;
  double worst = 0.0;

  dsp_fixture_open (&fx, "dsp/frontend_16k.txt");
  es_frontend_config_init (&c, (unsigned) dsp_fixture_next (&fx));
  c.frame_size = (size_t) dsp_fixture_next (&fx);
  c.hop_size = (size_t) dsp_fixture_next (&fx);
  c.n_bands = (unsigned) dsp_fixture_next (&fx);
  c.n_dct = (unsigned) dsp_fixture_next (&fx);
  n_samples = (size_t) dsp_fixture_next (&fx);
  n_frames = (size_t) dsp_fixture_next (&fx);
  samples = dsp_fixture_take_floats (&fx, n_samples);
  ref_logs = dsp_fixture_take (&fx, n_frames * c.n_bands);
  ref_cep = dsp_fixture_take (&fx, n_frames * c.n_dct);

  fe_cep = es_frontend_new (&c, NULL);
  c.n_dct = 0;
  fe_log = es_frontend_new (&c, NULL);
  logs = es_frontend_process_clip (fe_log, samples, n_samples, &got);
  ck_assert_uint_eq (got, n_frames);
  cep = es_frontend_process_clip (fe_cep, samples, n_samples, &got);
  ck_assert_uint_eq (got, n_frames);

  /* Log energies: an absolute error of 1e-4 is a relative energy error of 1e-4. */
  for (size_t i = 0; i < n_frames * c.n_bands; i++)
    worst = MAX (worst, fabs (logs[i] - ref_logs[i]));
  ck_assert_msg (worst <= 1e-4, "log energies differ by %g", worst);
  worst = 0.0;
  for (size_t i = 0; i < n_frames * es_frontend_get_n_features (fe_cep); i++)
    worst = MAX (worst, fabs (cep[i] - ref_cep[i]));
  ck_assert_msg (worst <= 1e-3, "cepstra differ by %g", worst);

  g_free (logs);
  g_free (cep);
  g_free (samples);
  es_frontend_free (fe_log);
  es_frontend_free (fe_cep);
  dsp_fixture_close (&fx);
}
END_TEST

START_TEST (test_short_and_bad_input)
{
  EsFrontendConfig c;
  EsFrontend *fe;
  float x[399] = { 0 };
  float *features;
  size_t n_frames = 123;

  es_frontend_config_init (&c, 16000);
  fe = es_frontend_new (&c, NULL);
  ck_assert_ptr_null (es_frontend_process_clip (fe, x, 399, &n_frames));
  ck_assert_uint_eq (n_frames, 0);
  ck_assert_ptr_null (es_frontend_process_clip (fe, NULL, 0, &n_frames));
  ck_assert_uint_eq (n_frames, 0);

  /* Silence hits the floor; NaN samples give NaN features, never a crash. */
  {
    float y[400] = { 0 };
    features = es_frontend_process_clip (fe, y, 400, &n_frames);
    ck_assert_uint_eq (n_frames, 1);
    ck_assert_float_eq_tol (features[0], logf (1e-10f), 1e-5f);
    g_free (features);
    y[10] = NAN;
    features = es_frontend_process_clip (fe, y, 400, &n_frames);
    ck_assert (isnan (features[0]));
    g_free (features);
  }
  es_frontend_free (fe);
  es_frontend_free (NULL);
}
END_TEST

START_TEST (test_invalid_config)
{
  for (unsigned i = 0; i < 13; i++) {
    EsFrontendConfig c;
    GError *error = NULL;
    EsGammatoneBand bad_band = { 9000.0, 1.0, 1.0 };

    es_frontend_config_init (&c, 16000);
    switch (i) {
      case 0: c.sample_rate = 0; break;
      case 1: c.frame_size = 0; break;
      case 2: c.hop_size = 0; break;
      case 3: c.n_bands = 0; break;
      case 4: c.fmin = 5000.0; c.fmax = 4000.0; break;
      case 5: c.fmax = 9000.0; break;
      case 6: c.bandwidth = 0.0; break;
      case 7: c.log_floor = 0.0; break;
      case 8: c.n_dct = 65; break;
      case 9: c.preemphasis = NAN; break;
      case 10: c.window = (EsWindowType) 9; break;
      case 11: c.fmin = NAN; break;
      case 12: c.bands = &bad_band; c.n_bands = 1; break;
    }
    ck_assert_ptr_null (es_frontend_new (&c, &error));
    ck_assert_msg (error != NULL && error->domain == ES_DSP_ERROR, "case %u: no error", i);
    g_error_free (error);
  }
}
END_TEST

static Suite *
frontend_suite (void)
{
  Suite *s = suite_create ("dsp-frontend");
  TCase *tc = tcase_create ("core");
  tcase_add_test (tc, test_defaults);
  tcase_add_test (tc, test_clip_equals_stages);
  tcase_add_test (tc, test_custom_bands);
  tcase_add_test (tc, test_matches_numpy_reference);
  tcase_add_test (tc, test_short_and_bad_input);
  tcase_add_test (tc, test_invalid_config);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *runner = srunner_create (frontend_suite ());
  int failed;
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
