/* The audio layers of the nn engine and the net API audio models need:
 * finite-difference gradients of gammatone, log, pcen, dct and the shape
 * layers (avgpool, global_avgpool, reshape) alone and in front-end nets; the
 * gammatone + log (+ dct) layers against the front-end (es_frontend_process_clip,
 * the elements' code) bit for bit; the static twin ("trainable": false) staying
 * bit-identical through optimiser steps; learned bands read back as a
 * filterbank; PCEN's warm-up frames; running a net from layer k; layer
 * queries; bad configurations refused with a message naming the layer. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "nn/net.h"
#include "nn/audio-layers.h"
#include "nn/optim.h"
#include "dsp/fft.h"
#include "dsp/framer.h"
#include "dsp/gammatone-params.h"
#include "dsp/frontend.h"
#include "dsp/preemphasis.h"
#include "nn-testutil.h"

/* 8 kHz, frames of 64 samples: n_fft 64, 33 bins; 6 frames per window. */
#define GT_SMALL "{\"type\":\"gammatone\",\"rate\":8000,\"frame_size\":64,\"bands\":5," \
    "\"fmin\":100}"
static const size_t spectra_small[2] = { 6, 33 };

/* ---- finite differences -------------------------------------------------- */

START_TEST (test_grad_gammatone)
{
  /* input (power) and the raw band parameters (nn_fill_params moves them off 0) */
  nn_gradcheck_step ("[" GT_SMALL "]", 2, spectra_small, 2, FALSE, NN_INPUT_POSITIVE,
      2e-2);
  nn_gradcheck_step ("[{\"type\":\"gammatone\",\"rate\":8000,\"frame_size\":50,"
      "\"bands\":4,\"fmin\":0,\"fmax\":3000,\"bandwidth\":2,\"image\":true}]", 2,
      spectra_small, 3, FALSE, NN_INPUT_POSITIVE, 2e-2);
}
END_TEST

START_TEST (test_grad_compression)
{
  const size_t bands_frames[2] = { 5, 9 }, image[3] = { 1, 5, 9 };
  nn_gradcheck ("[{\"type\":\"log\",\"floor\":0.05}]", 2, bands_frames, 2, FALSE,
      NN_INPUT_POSITIVE);
  nn_gradcheck ("[{\"type\":\"pcen\"}]", 2, bands_frames, 2, FALSE, NN_INPUT_POSITIVE);
  nn_gradcheck ("[{\"type\":\"pcen\",\"warmup\":3,\"eps\":1e-3}]", 2, bands_frames, 2,
      FALSE, NN_INPUT_POSITIVE);
  nn_gradcheck ("[{\"type\":\"pcen\",\"warmup\":2}]", 3, image, 2, FALSE,
      NN_INPUT_POSITIVE);
  nn_gradcheck ("[{\"type\":\"dct\",\"coefficients\":4}]", 2, bands_frames, 2, FALSE,
      NN_INPUT_SMOOTH);
  nn_gradcheck ("[{\"type\":\"dct\",\"coefficients\":5}]", 2, bands_frames, 1, FALSE,
      NN_INPUT_SMOOTH);
}
END_TEST

START_TEST (test_grad_pooling_reshape)
{
  const size_t s1[2] = { 3, 11 }, s2[3] = { 2, 7, 6 }, flat[1] = { 12 };
  const size_t small1[2] = { 3, 4 }, small2[3] = { 2, 2, 3 };
  nn_gradcheck ("[{\"type\":\"avgpool1d\",\"kernel\":3,\"stride\":2}]", 2, s1, 2, FALSE,
      NN_INPUT_SMOOTH);
  nn_gradcheck ("[{\"type\":\"avgpool2d\",\"kernel\":2}]", 3, s2, 2, FALSE,
      NN_INPUT_SMOOTH);
  nn_gradcheck ("[{\"type\":\"avgpool2d\",\"kernel\":[3,2],\"stride\":[1,2]}]", 3, s2, 2,
      FALSE, NN_INPUT_SMOOTH);
  /* few positions per channel, so dL/dx = r / positions is large enough */
  nn_gradcheck ("[{\"type\":\"global_avgpool\"}]", 2, small1, 2, FALSE, NN_INPUT_SMOOTH);
  nn_gradcheck ("[{\"type\":\"global_avgpool\"}]", 3, small2, 3, FALSE, NN_INPUT_SMOOTH);
  nn_gradcheck ("[{\"type\":\"reshape\",\"shape\":[2,6]},{\"type\":\"conv1d\","
      "\"out_channels\":2,\"kernel\":3},{\"type\":\"flatten\"}]", 1, flat, 2, FALSE,
      NN_INPUT_SMOOTH);
}
END_TEST

/* The two issue-14 shapes in small, end to end through the front-end layers. */
START_TEST (test_grad_audio_nets)
{
  /* the seed: cepstra averaged over time -> 1-D CNN */
  nn_gradcheck ("[" GT_SMALL ",{\"type\":\"log\",\"floor\":1e-3},"
      "{\"type\":\"dct\",\"coefficients\":4},{\"type\":\"global_mean\"},"
      "{\"type\":\"reshape\",\"shape\":[1,4]},"
      "{\"type\":\"conv1d\",\"out_channels\":3,\"kernel\":2},{\"type\":\"batchnorm\"},"
      "{\"type\":\"tanh\"},{\"type\":\"flatten\"},{\"type\":\"dense\",\"out_features\":3}]",
      2, spectra_small, 4, TRUE, NN_INPUT_POSITIVE);
  /* SpectNet-style: gammatone image -> PCEN -> 2-D CNN with global average pooling */
  nn_gradcheck ("[{\"type\":\"gammatone\",\"rate\":8000,\"frame_size\":64,\"bands\":5,"
      "\"fmin\":100,\"image\":true},{\"type\":\"pcen\",\"warmup\":1},"
      "{\"type\":\"conv2d\",\"out_channels\":3,\"kernel\":3,\"padding\":1},"
      "{\"type\":\"batchnorm\"},{\"type\":\"softplus\"},{\"type\":\"avgpool2d\",\"kernel\":[1,2]},"
      "{\"type\":\"global_avgpool\"},{\"type\":\"dense\",\"out_features\":3}]",
      2, spectra_small, 3, TRUE, NN_INPUT_POSITIVE);
}
END_TEST

/* ---- the front-end, bit for bit ------------------------------------------- */

/* A clip with tones, a chirp and hashed noise. */
static float *
make_clip (size_t n, unsigned rate)
{
  float *x = g_new (float, n);
  for (size_t i = 0; i < n; i++) {
    const double t = (double) i / rate;
    x[i] = (float) (0.3 * sin (2 * G_PI * 440 * t) + 0.2 * sin (2 * G_PI * (200 + 3000 * t) * t)
        + 0.05 * nn_hash_uniform (3, (uint32_t) i));
  }
  return x;
}

/* Power spectra [frames, bins] of a clip, computed stage by stage as the
 * element chain does (preemphasis ! hammingframe ! the FFT of gammatonefb). */
static float *
power_spectra (const float *clip, size_t n, const EsFrontendConfig *c, size_t *n_frames,
    size_t *n_bins)
{
  float *x = g_memdup2 (clip, n * sizeof (float)), *frames, *power, state = 0.0f;
  EsFramer *framer = es_framer_new (c->frame_size, c->hop_size, c->window);
  EsFftPower *fft = es_fft_power_new (es_next_pow2 (c->frame_size));
  size_t got;

  es_preemphasis_f32 (x, n, 1, (float) c->preemphasis, &state);
  frames = g_new (float, es_framer_frames_for (framer, n) * c->frame_size);
  got = es_framer_process (framer, x, n, frames);
  *n_bins = es_fft_power_get_n_bins (fft);
  power = g_new (float, got * *n_bins);
  for (size_t t = 0; t < got; t++)
    es_fft_power_process (fft, frames + t * c->frame_size, c->frame_size,
        power + t * *n_bins);
  *n_frames = got;
  es_fft_power_free (fft);
  es_framer_free (framer);
  g_free (frames);
  g_free (x);
  return power;
}

/* gammatone + log [+ dct] on the power spectra equals es_frontend_process_clip
 * exactly, also for two windows in one batch and in training mode. */
static void
check_frontend_case (unsigned n_bands, double fmin, double fmax, double bandwidth,
    unsigned n_dct, const char *extra)
{
  EsFrontendConfig c;
  EsFrontend *fe;
  const size_t n = 8000;
  float *clip = make_clip (n, 16000), *features, *power, *batch2;
  size_t T, T2, K, F;
  char *arch, *dct;
  EsNet *net;
  GError *error = NULL;
  size_t shape[2];

  es_frontend_config_init (&c, 16000);
  c.n_bands = n_bands;
  c.fmin = fmin;
  c.fmax = fmax;
  c.bandwidth = bandwidth;
  c.n_dct = n_dct;
  fe = es_frontend_new (&c, &error);
  ck_assert_msg (fe != NULL, "%s", error ? error->message : "");
  features = es_frontend_process_clip (fe, clip, n, &T);
  F = es_frontend_get_n_features (fe);
  power = power_spectra (clip, n, &c, &T2, &K);
  ck_assert_uint_eq (T, T2);
  ck_assert_uint_eq (K, 257);

  dct = n_dct ? g_strdup_printf (",{\"type\":\"dct\",\"coefficients\":%u}", n_dct)
      : g_strdup ("");
  arch = g_strdup_printf ("[{\"type\":\"gammatone\",\"rate\":16000,\"frame_size\":400,"
      "\"bands\":%u,\"fmin\":%.17g,\"fmax\":%.17g,\"bandwidth\":%.17g%s},"
      "{\"type\":\"log\"}%s]", n_bands, fmin, fmax, bandwidth, extra, dct);
  g_free (dct);
  shape[0] = T / 2;             /* two windows of T/2 frames */
  shape[1] = K;
  net = es_net_new (arch, 2, shape, &error);
  ck_assert_msg (net != NULL, "%s: %s", arch, error ? error->message : "");
  ck_assert_uint_eq (es_net_get_output_size (net), F * (T / 2));
  ck_assert_uint_eq (es_net_get_n_frontend_layers (net), n_dct ? 3 : 2);

  for (int training = 0; training < 2; training++) {
    const float *y;
    es_net_set_training (net, training);
    y = es_net_forward (net, power, 2);
    batch2 = g_new (float, 2 * F * (T / 2));
    /* [F, W] per window -> [W, F] rows of the whole clip */
    for (size_t e = 0; e < 2; e++)
      for (size_t f = 0; f < F; f++)
        for (size_t t = 0; t < T / 2; t++)
          batch2[(e * (T / 2) + t) * F + f] = y[e * F * (T / 2) + f * (T / 2) + t];
    ck_assert_msg (memcmp (batch2, features, 2 * (T / 2) * F * sizeof (float)) == 0,
        "%s differs from es_frontend_process_clip", arch);
    g_free (batch2);
  }
  es_net_free (net);
  g_free (arch);
  g_free (power);
  g_free (features);
  g_free (clip);
  es_frontend_free (fe);
}

START_TEST (test_frontend_bit_identical)
{
  check_frontend_case (64, 50, 8000, 1.019, 0, "");
  check_frontend_case (40, 100, 7000, 1.5, 13, "");
  check_frontend_case (32, 0, 8000, 1.019, 0, ",\"trainable\":false");
}
END_TEST

/* The static twin ("trainable": false) keeps its bands through training: no
 * gradient tensor, the optimiser leaves them at 0 (so the layer stays the
 * front-end's filterbank, test_frontend_bit_identical). The learnable one
 * starts at the same 0 and moves. */
START_TEST (test_static_twin)
{
  const size_t shape[2] = { 6, 33 };
  float x[2 * 6 * 33];
  const float grad[6] = { 1, -1, 0.5f, -0.25f, 0.75f, -2 };

  for (size_t i = 0; i < G_N_ELEMENTS (x); i++)
    x[i] = 1.1f + nn_hash_uniform (21, (uint32_t) i);
  for (int trainable = 0; trainable < 2; trainable++) {
    char *arch = g_strdup_printf ("[{\"type\":\"gammatone\",\"rate\":8000,\"frame_size\":64,"
        "\"bands\":5,\"fmin\":100,\"trainable\":%s},{\"type\":\"log\"},"
        "{\"type\":\"flatten\"},{\"type\":\"dense\",\"out_features\":3}]",
        trainable ? "true" : "false");
    EsNet *net = es_net_new (arch, 2, shape, NULL);
    EsNetParam *w = es_net_get_layer_param (net, 0, "weight"), *params;
    EsOptimizer *opt;
    size_t n_params;
    double moved = 0.0;

    ck_assert (net != NULL && w != NULL);
    ck_assert_int_eq (es_net_get_layer_trainable (net, 0), trainable);
    ck_assert (trainable ? w->grad != NULL : w->grad == NULL);
    ck_assert_uint_eq (es_net_count_trainable (net), 30 * 3 + 3 + (trainable ? 15 : 0));
    params = es_net_get_params (net, &n_params);
    opt = es_optimizer_new_adam (params, n_params, 0.05, 0.9, 0.999, 1e-8, 0.01, FALSE);
    es_net_set_training (net, TRUE);
    for (int step = 0; step < 3; step++) {
      es_net_forward (net, x, 2);
      es_net_zero_grad (net);
      es_net_backward (net, grad);
      es_optimizer_step (opt);
    }
    for (size_t i = 0; i < 15; i++)
      moved += fabs (w->value->data[i]);
    if (trainable)
      ck_assert_msg (moved > 0.01, "the learnable bands did not move (%g)", moved);
    else
      ck_assert_msg (moved == 0.0, "the frozen bands moved (%g)", moved);
    es_optimizer_free (opt);
    es_net_free (net);
    g_free (arch);
  }
}
END_TEST

/* es_net_get_gammatone_bands gives bands whose filterbank (es_gammatone_fb_new,
 * what gammatonefb builds) is the layer's own, bit for bit. */
START_TEST (test_learned_bands)
{
  const size_t shape[2] = { 6, 33 };
  EsNet *net = es_net_new ("[" GT_SMALL "]", 2, shape, NULL);
  EsGammatoneLayerConfig c;
  EsGammatoneBand *bands, *mel;
  EsGammatoneFb *fb;
  unsigned n_bands;
  float x[6 * 33], e[6 * 5];
  const float *y;
  GError *error = NULL;

  for (size_t i = 0; i < G_N_ELEMENTS (x); i++)
    x[i] = 1.1f + nn_hash_uniform (22, (uint32_t) i);
  ck_assert (es_net_get_gammatone_config (net, 0, &c, NULL));
  ck_assert_uint_eq (c.sample_rate, 8000);
  ck_assert_uint_eq (c.frame_size, 64);
  ck_assert_uint_eq (c.n_fft, 64);
  ck_assert_uint_eq (c.n_bands, 5);
  ck_assert_double_eq (c.fmin, 100.0);
  ck_assert_double_eq (c.fmax, 4000.0);
  ck_assert_double_eq (c.bandwidth, ES_GAMMATONE_DEFAULT_BANDWIDTH);
  ck_assert (!c.image);

  /* untrained: the mel bands of the front-end */
  bands = es_net_get_gammatone_bands (net, 0, &n_bands, NULL);
  mel = es_gammatone_bands_mel (5, 100, 4000, ES_GAMMATONE_DEFAULT_BANDWIDTH);
  ck_assert_uint_eq (n_bands, 5);
  ck_assert (memcmp (bands, mel, 5 * sizeof (EsGammatoneBand)) == 0);
  g_free (bands);
  g_free (mel);

  nn_fill_params (net);         /* "learned" offsets */
  y = es_net_forward (net, x, 1);
  bands = es_net_get_gammatone_bands (net, 0, &n_bands, NULL);
  fb = es_gammatone_fb_new (bands, n_bands, 64, 8000, NULL);
  es_gammatone_fb_apply_frames (fb, x, 6, e);
  for (size_t t = 0; t < 6; t++)
    for (size_t b = 0; b < 5; b++)
      ck_assert_msg (y[b * 6 + t] == e[t * 5 + b], "band %zu frame %zu", b, t);
  es_gammatone_fb_free (fb);
  g_free (bands);

  ck_assert (es_net_get_gammatone_bands (net, 1, &n_bands, &error) == NULL);
  ck_assert (error != NULL);
  g_clear_error (&error);
  es_net_get_layer_param (net, 0, "weight")->value->data[2] = NAN;
  ck_assert (es_net_get_gammatone_bands (net, 0, &n_bands, &error) == NULL);
  ck_assert (strstr (error->message, "not finite"));
  g_clear_error (&error);
  /* a diverged parameter gives NaN, not an abort */
  y = es_net_forward (net, x, 1);
  ck_assert (isnan (y[0]));
  es_net_free (net);
}
END_TEST

/* ---- PCEN warm-up ------------------------------------------------------- */

static double
max_rel_diff (const float *a, const float *b, size_t n)
{
  double m = 0.0;
  for (size_t i = 0; i < n; i++)
    m = MAX (m, fabs ((double) a[i] - b[i]) / (1e-6 + fabs ((double) b[i])));
  return m;
}

/* A window with P warm-up frames reproduces the continuous stream; a window
 * at a clip start padded with its first frame reproduces a fresh start. */
START_TEST (test_pcen_warmup)
{
  enum { B = 8, TOTAL = 400, W = 20 };
  float *energies = g_new (float, TOTAL * B), *stream = g_new (float, TOTAL * B);
  EsPcen *pcen = es_pcen_new (NULL, B, ES_PCEN_DEFAULT_EPS, NULL);
  const size_t warmups[3] = { 0, 30, 150 };
  double err[3];

  for (size_t t = 0; t < TOTAL; t++)
    for (size_t b = 0; b < B; b++)
      energies[t * B + b] = (float) (1.0 + 0.5 * sin (0.05 * t * (b + 1))
          + 0.3 * nn_hash_uniform (5, (uint32_t) (t * B + b)) + 0.5);
  es_pcen_forward (pcen, NULL, energies, TOTAL, NULL, stream);

  for (int k = 0; k < 3; k++) {
    const size_t P = warmups[k], t0 = 200;
    size_t shape[2] = { B, W + P };
    char *arch = g_strdup_printf ("[{\"type\":\"pcen\",\"warmup\":%zu}]", P);
    EsNet *net = es_net_new (arch, 2, shape, NULL);
    float *x = g_new (float, B * (W + P)), *want = g_new (float, B * W);
    const float *y;

    ck_assert (net != NULL);
    ck_assert_uint_eq (es_net_get_output_size (net), B * W);
    /* mid-stream window [t0 - P, t0 + W) against the stream's [t0, t0 + W) */
    for (size_t b = 0; b < B; b++) {
      for (size_t t = 0; t < W + P; t++)
        x[b * (W + P) + t] = energies[(t0 - P + t) * B + b];
      for (size_t t = 0; t < W; t++)
        want[b * W + t] = stream[(t0 + t) * B + b];
    }
    y = es_net_forward (net, x, 1);
    err[k] = max_rel_diff (y, want, B * W);
    /* clip start: P copies of frame 0, then [0, W): a fresh start */
    for (size_t b = 0; b < B; b++) {
      for (size_t t = 0; t < W + P; t++)
        x[b * (W + P) + t] = energies[(t < P ? 0 : t - P) * B + b];
      for (size_t t = 0; t < W; t++)
        want[b * W + t] = stream[t * B + b];
    }
    y = es_net_forward (net, x, 1);
    ck_assert_msg (max_rel_diff (y, want, B * W) <= 1e-6,
        "padded clip start differs from a fresh start by %g", max_rel_diff (y, want, B * W));
    printf ("pcen warm-up %zu frames: window vs stream %.2g (relative)\n", P, err[k]);
    g_free (x);
    g_free (want);
    g_free (arch);
    es_net_free (net);
  }
  /* s = 0.04: the start's error decays as 0.96^P */
  ck_assert (err[0] > 1e-2);
  ck_assert (err[1] < err[0] && err[2] < err[1]);
  ck_assert_msg (err[2] < 1e-2, "150 warm-up frames: %g", err[2]);
  es_pcen_free (pcen);
  g_free (energies);
  g_free (stream);
}
END_TEST

/* ---- running from layer k, layer queries -------------------------------- */

START_TEST (test_forward_from)
{
  const size_t shape[2] = { 12, 33 };
  const char *front = "[" GT_SMALL ",{\"type\":\"log\"}]";
  const char *arch = "[" GT_SMALL ",{\"type\":\"log\"},"
      "{\"type\":\"conv1d\",\"out_channels\":4,\"kernel\":3,\"padding\":1},"
      "{\"type\":\"batchnorm\"},{\"type\":\"relu\"},{\"type\":\"maxpool1d\",\"kernel\":2},"
      "{\"type\":\"dropout\",\"p\":0.3},{\"type\":\"flatten\"},"
      "{\"type\":\"dense\",\"out_features\":3}]";
  EsNet *net = es_net_new (arch, 2, shape, NULL), *fe = es_net_new (front, 2, shape, NULL);
  const size_t B = 3, n_in = 12 * 33, n_feat = 5 * 12;
  float x[3 * 12 * 33], *features, *whole, grad[9];
  size_t n_params, s[3];
  EsNetParam *params;
  float **grads_whole;

  ck_assert (net && fe);
  nn_fill_params (net);
  memcpy (es_net_get_layer_param (fe, 0, "weight")->value->data,
      es_net_get_layer_param (net, 0, "weight")->value->data, 15 * sizeof (float));
  for (size_t i = 0; i < B * n_in; i++)
    x[i] = 1.1f + nn_hash_uniform (23, (uint32_t) i);
  for (size_t i = 0; i < 9; i++)
    grad[i] = nn_hash_uniform (24, (uint32_t) i);
  ck_assert_uint_eq (es_net_get_n_frontend_layers (net), 2);
  ck_assert_uint_eq (es_net_get_layer_input_size (net, 2), n_feat);
  ck_assert_int_eq (es_net_get_layer_input_shape (net, 2, s), 2);
  ck_assert (s[0] == 5 && s[1] == 12);
  features = g_memdup2 (es_net_forward (fe, x, B), B * n_feat * sizeof (float));

  for (int training = 0; training < 2; training++) {
    /* the whole net, then the same from layer 2 on the front-end's output */
    es_net_set_training (net, training);
    es_net_set_seed (net, 9);
    whole = g_memdup2 (es_net_forward (net, x, B), B * 3 * sizeof (float));
    es_net_zero_grad (net);
    es_net_backward (net, grad);
    params = es_net_get_params (net, &n_params);
    grads_whole = g_new0 (float *, n_params);
    for (size_t p = 0; p < n_params; p++)
      if (params[p].grad)
        grads_whole[p] = g_memdup2 (params[p].grad->data,
            es_tensor_numel (params[p].grad) * sizeof (float));

    es_net_set_seed (net, 9);
    ck_assert (memcmp (es_net_forward_from (net, 2, features, B), whole,
            B * 3 * sizeof (float)) == 0);
    es_net_zero_grad (net);
    es_net_backward (net, grad);
    for (size_t p = 0; p < n_params; p++) {
      if (!params[p].grad)
        continue;
      if (g_str_has_prefix (params[p].name, "0."))
        /* the front-end did not run: no gradient reaches it */
        ck_assert_float_eq (params[p].grad->data[0], 0.0f);
      else
        ck_assert_msg (memcmp (params[p].grad->data, grads_whole[p],
                es_tensor_numel (params[p].grad) * sizeof (float)) == 0, "%s",
            params[p].name);
    }
    /* dL/dfeatures: finite, and the whole forward's input gradient is its
     * image through the front-end (not checked here: see the gradchecks) */
    for (size_t i = 0; i < B * n_feat; i++)
      ck_assert (isfinite (es_net_get_input_grad (net)[i]));
    for (size_t p = 0; p < n_params; p++)
      g_free (grads_whole[p]);
    g_free (grads_whole);
    g_free (whole);
  }
  /* back to a whole forward */
  ck_assert (es_net_forward (net, x, B) != NULL);
  g_free (features);
  es_net_free (net);
  es_net_free (fe);
}
END_TEST

START_TEST (test_layer_queries)
{
  const size_t shape[2] = { 6, 33 };
  EsNet *net = es_net_new ("[" GT_SMALL ",{\"type\":\"pcen\",\"warmup\":2,\"eps\":1e-4},"
      "{\"type\":\"dct\",\"coefficients\":3},{\"type\":\"global_mean\"},"
      "{\"type\":\"reshape\",\"shape\":[1,3]},"
      "{\"type\":\"conv1d\",\"out_channels\":2,\"kernel\":2,\"trainable\":false},"
      "{\"type\":\"flatten\"},{\"type\":\"dense\",\"out_features\":2}]", 2, shape, NULL);
  size_t s[3], warmup;
  double eps;
  unsigned n_bands;
  EsPcenBand *pcen, def;
  char *text;

  ck_assert (net != NULL);
  ck_assert_uint_eq (es_net_get_n_layers (net), 8);
  ck_assert_str_eq (es_net_get_layer_type (net, 0), "gammatone");
  ck_assert_str_eq (es_net_get_layer_type (net, 1), "pcen");
  ck_assert_str_eq (es_net_get_layer_type (net, 7), "dense");
  ck_assert (es_net_get_layer_type (net, 8) == NULL);
  ck_assert (strstr (es_net_get_layer_config (net, 0), "\"bands\":5"));
  ck_assert (strstr (es_net_get_layer_config (net, 1), "\"warmup\":2"));
  ck_assert (es_net_get_layer_config (net, 9) == NULL);
  ck_assert_uint_eq (es_net_get_n_frontend_layers (net), 3);
  ck_assert (es_net_get_layer_trainable (net, 0));
  {
    /* log/pcen/dct count only after a gammatone layer */
    const size_t energies[2] = { 5, 6 };
    EsNet *other = es_net_new ("[{\"type\":\"log\"},{\"type\":\"dct\",\"coefficients\":2},"
        "{\"type\":\"flatten\"}]", 2, energies, NULL);
    ck_assert_uint_eq (es_net_get_n_frontend_layers (other), 0);
    es_net_free (other);
  }
  ck_assert (!es_net_get_layer_trainable (net, 5));
  ck_assert (es_net_get_layer_param (net, 5, "weight")->grad == NULL);
  ck_assert (es_net_get_layer_param (net, 5, "bias")->grad == NULL);
  ck_assert (es_net_get_layer_param (net, 3, "weight") == NULL);
  ck_assert_int_eq (es_net_get_layer_param (net, 0, "weight")->value->shape[0], 3);
  ck_assert_int_eq (es_net_get_layer_param (net, 1, "weight")->value->shape[0], 4);
  /* shapes along the net: [6,33] [5,6] [5,4] [3,4] [3] [1,3] [2,2] [4] -> [2] */
  ck_assert_int_eq (es_net_get_layer_input_shape (net, 1, s), 2);
  ck_assert (s[0] == 5 && s[1] == 6);
  ck_assert_int_eq (es_net_get_layer_input_shape (net, 2, s), 2);
  ck_assert (s[0] == 5 && s[1] == 4);
  ck_assert_int_eq (es_net_get_layer_input_shape (net, 5, s), 2);
  ck_assert (s[0] == 1 && s[1] == 3);
  ck_assert_int_eq (es_net_get_layer_input_shape (net, 8, s), 1);
  ck_assert_uint_eq (s[0], 2);
  ck_assert_int_eq (es_net_get_layer_input_shape (net, 9, s), 0);
  ck_assert_uint_eq (es_net_get_layer_input_size (net, 0), 6 * 33);
  ck_assert_uint_eq (es_net_get_layer_input_size (net, 9), 0);

  pcen = es_net_get_pcen_bands (net, 1, &n_bands, &eps, &warmup, NULL);
  es_pcen_band_init (&def);
  ck_assert_uint_eq (n_bands, 5);
  ck_assert_double_eq (eps, 1e-4);
  ck_assert_uint_eq (warmup, 2);
  ck_assert_double_eq_tol (pcen[4].alpha, def.alpha, 1e-12);
  ck_assert_double_eq_tol (pcen[4].smooth, def.smooth, 1e-12);
  g_free (pcen);
  ck_assert (es_net_get_pcen_bands (net, 0, NULL, NULL, NULL, NULL) == NULL);

  text = es_net_describe (net);
  ck_assert_msg (strstr (text, "gammatone 5 bands") && strstr (text, "(frozen)"), "%s", text);
  g_free (text);
  es_net_free (net);
}
END_TEST

/* A frozen layer in the middle: no gradient of its own, but the gradient
 * still flows through it; the optimiser leaves it. */
START_TEST (test_frozen_layer)
{
  const size_t shape[2] = { 2, 9 };
  EsNet *net = es_net_new ("[{\"type\":\"conv1d\",\"out_channels\":3,\"kernel\":3},"
      "{\"type\":\"conv1d\",\"out_channels\":2,\"kernel\":3,\"trainable\":false},"
      "{\"type\":\"batchnorm\",\"trainable\":false},"
      "{\"type\":\"flatten\"},{\"type\":\"dense\",\"out_features\":2}]", 2, shape, NULL);
  EsNetParam *params;
  size_t n_params;
  float x[2 * 18], g[4] = { 1, -1, 0.5f, 2 }, *frozen_before, *trained_before;
  EsOptimizer *opt;

  ck_assert (net != NULL);
  params = es_net_get_params (net, &n_params);
  ck_assert_uint_eq (es_net_count_trainable (net), 3 * 2 * 3 + 3 + 2 * 10 + 2);
  for (size_t i = 0; i < G_N_ELEMENTS (x); i++)
    x[i] = nn_hash_uniform (30, (uint32_t) i);
  frozen_before = g_memdup2 (es_net_find_param (net, "1.weight")->value->data,
      18 * sizeof (float));
  trained_before = g_memdup2 (params[0].value->data, 18 * sizeof (float));
  opt = es_optimizer_new_adam (params, n_params, 0.1, 0.9, 0.999, 1e-8, 0.0, FALSE);
  es_net_set_training (net, TRUE);
  es_net_forward (net, x, 2);
  es_net_zero_grad (net);
  es_net_backward (net, g);
  es_optimizer_step (opt);
  ck_assert (memcmp (frozen_before, es_net_find_param (net, "1.weight")->value->data,
          18 * sizeof (float)) == 0);
  ck_assert (memcmp (trained_before, params[0].value->data, 18 * sizeof (float)) != 0);
  /* frozen batch norm still tracks its running statistics (as PyTorch's
   * requires_grad = False does) */
  ck_assert (es_net_find_param (net, "2.running_mean")->value->data[0] != 0.0f);
  es_optimizer_free (opt);
  g_free (frozen_before);
  g_free (trained_before);
  es_net_free (net);

  /* the whole gradient check holds with a frozen layer inside */
  nn_gradcheck ("[{\"type\":\"conv1d\",\"out_channels\":3,\"kernel\":3},"
      "{\"type\":\"conv1d\",\"out_channels\":2,\"kernel\":3,\"trainable\":false},"
      "{\"type\":\"tanh\"},{\"type\":\"flatten\"},{\"type\":\"dense\",\"out_features\":2,"
      "\"trainable\":false}]", 2, shape, 2, FALSE, NN_INPUT_SMOOTH);
}
END_TEST

/* ---- bad configurations ------------------------------------------------- */

static void
expect_error (const char *arch, int ndim, const size_t *shape, const char *needle1,
    const char *needle2)
{
  GError *error = NULL;
  EsNet *net = es_net_new (arch, ndim, shape, &error);
  ck_assert_msg (net == NULL, "accepted %s", arch);
  ck_assert (error != NULL && error->domain == ES_NN_ERROR);
  ck_assert_msg (strstr (error->message, needle1) && (!needle2
          || strstr (error->message, needle2)), "%s: \"%s\" lacks \"%s\"/\"%s\"", arch,
      error->message, needle1, needle2 ? needle2 : "");
  g_error_free (error);
}

START_TEST (test_bad_configs)
{
  const size_t spectra[2] = { 10, 257 }, bands[2] = { 5, 9 }, img[3] = { 2, 5, 9 };
  const size_t s1[2] = { 3, 11 };

  expect_error ("[{\"type\":\"gammatone\",\"frame_size\":400}]", 2, spectra,
      "layer 0 (gammatone)", "missing \"rate\"");
  expect_error ("[{\"type\":\"gammatone\",\"rate\":16000}]", 2, spectra,
      "layer 0 (gammatone)", "missing \"frame_size\"");
  expect_error ("[{\"type\":\"gammatone\",\"rate\":16000,\"frame_size\":1024}]", 2,
      spectra, "needs power spectra of 513 bins", "gets 257");
  expect_error ("[{\"type\":\"gammatone\",\"rate\":16000,\"frame_size\":400,"
      "\"fmin\":5000,\"fmax\":4000}]", 2, spectra, "fmin", NULL);
  expect_error ("[{\"type\":\"gammatone\",\"rate\":16000,\"frame_size\":400,"
      "\"fmax\":9000}]", 2, spectra, "\"fmax\"", "outside");
  expect_error ("[{\"type\":\"gammatone\",\"rate\":16000,\"frame_size\":400,"
      "\"bands\":5000}]", 2, spectra, "at most", NULL);
  expect_error ("[{\"type\":\"gammatone\",\"rate\":16000,\"frame_size\":400,"
      "\"bandwidth\":50}]", 2, spectra, "layer 0 (gammatone)", NULL);
  expect_error ("[{\"type\":\"gammatone\",\"rate\":16000,\"frame_size\":400,"
      "\"image\":\"yes\"}]", 2, spectra, "\"image\"", "true or false");
  expect_error ("[{\"type\":\"gammatone\",\"rate\":16000,\"frame_size\":400,"
      "\"band\":40}]", 2, spectra, "unknown field \"band\"", NULL);
  expect_error ("[{\"type\":\"gammatone\",\"rate\":16000,\"frame_size\":400}]", 3, img,
      "[frames, bins]", NULL);
  expect_error ("[{\"type\":\"log\",\"floor\":0}]", 2, bands, "\"floor\"", NULL);
  expect_error ("[{\"type\":\"pcen\",\"warmup\":9}]", 2, bands, "layer 0 (pcen)",
      "warm-up of 9 frames");
  expect_error ("[{\"type\":\"pcen\",\"warmup\":-1}]", 2, bands, "\"warmup\"", NULL);
  expect_error ("[{\"type\":\"pcen\"}]", 3, img, "band energies", NULL);
  expect_error ("[{\"type\":\"pcen\",\"eps\":0}]", 2, bands, "\"eps\"", NULL);
  expect_error ("[{\"type\":\"dct\",\"coefficients\":6}]", 2, bands, "layer 0 (dct)",
      "at most as many as bands");
  expect_error ("[{\"type\":\"dct\"}]", 2, bands, "missing \"coefficients\"", NULL);
  expect_error ("[{\"type\":\"dct\",\"coefficients\":2}]", 3, img, "[bands, frames]", NULL);
  expect_error ("[{\"type\":\"reshape\",\"shape\":[2,3]}]", 2, s1, "as many values",
      "[3, 11]");
  expect_error ("[{\"type\":\"reshape\",\"shape\":[]}]", 2, s1, "\"shape\"", NULL);
  expect_error ("[{\"type\":\"reshape\",\"shape\":[33,\"x\"]}]", 2, s1, "\"shape\"", NULL);
  expect_error ("[{\"type\":\"reshape\"}]", 2, s1, "missing \"shape\"", NULL);
  expect_error ("[{\"type\":\"avgpool1d\",\"kernel\":12}]", 2, s1, "layer 0 (avgpool1d)",
      "output would be empty");
  expect_error ("[{\"type\":\"avgpool2d\",\"kernel\":2}]", 2, s1, "[C, H, W]", NULL);
  expect_error ("[{\"type\":\"global_avgpool\"},{\"type\":\"global_avgpool\"}]", 2, s1,
      "layer 1 (global_avgpool)", NULL);
  /* refused after the layer allocated its filterbank (freed: ASan) */
  expect_error ("[{\"type\":\"gammatone\",\"rate\":16000,\"frame_size\":400,"
      "\"trainable\":\"no\"}]", 2, spectra, "\"trainable\"", "true or false");
  expect_error ("[{\"type\":\"gammatone\",\"rate\":16000,\"frame_size\":400},"
      "{\"type\":\"pcen\",\"warmup\":3},{\"type\":\"dct\",\"coefficients\":65}]", 2,
      spectra, "layer 2 (dct)", NULL);
  expect_error ("[{\"type\":\"relu\",\"trainable\":false}]", 2, s1, "layer 0 (relu)",
      "no parameters");
  expect_error ("[{\"type\":\"conv1d\",\"out_channels\":2,\"kernel\":3,\"trainable\":1}]",
      2, s1, "\"trainable\"", "true or false");
}
END_TEST

static Suite *
audio_suite (void)
{
  Suite *s = suite_create ("nn-audio");
  TCase *grad = tcase_create ("gradients");
  TCase *beh = tcase_create ("behaviour");

  tcase_set_timeout (grad, 120);
  tcase_add_test (grad, test_grad_gammatone);
  tcase_add_test (grad, test_grad_compression);
  tcase_add_test (grad, test_grad_pooling_reshape);
  tcase_add_test (grad, test_grad_audio_nets);
  suite_add_tcase (s, grad);
  tcase_add_test (beh, test_frontend_bit_identical);
  tcase_add_test (beh, test_static_twin);
  tcase_add_test (beh, test_learned_bands);
  tcase_add_test (beh, test_pcen_warmup);
  tcase_add_test (beh, test_forward_from);
  tcase_add_test (beh, test_layer_queries);
  tcase_add_test (beh, test_frozen_layer);
  tcase_add_test (beh, test_bad_configs);
  suite_add_tcase (s, beh);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (audio_suite ());
  int failed;
  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? 1 : 0;
}
