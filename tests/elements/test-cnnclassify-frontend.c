/* cnnclassify serving a model whose audio front-end was learned: the chain
 *   preemphasis ! hammingframe ! gammatonefb model=M ! cnnclassify model=M
 * computes the front-end layers in gammatonefb (learned bands) and runs the
 * rest of the net from the layer after them, and must give the very
 * probabilities the library gives running the WHOLE net (front-end layers
 * included) on the clip's power spectra, window by window, and the same
 * file-level mean. The models are made here, with random weights and
 * learned bands moved away from their mel start (so a static filterbank
 * would not match). */
#include "es-check.h"

#include <glib/gstdio.h>
#include <gst/app/gstappsrc.h>

#include "decide/decision.h"
#include "dsp/fft.h"
#include "dsp/framer.h"
#include "dsp/preemphasis.h"
#include "model/model.h"

#define RATE 16000
#define FRAME 400
#define HOP 160
#define N_FFT 512
#define N_BINS (N_FFT / 2 + 1)
#define BANDS 16
#define W 20                    /* frames per window */
#define WINDOW_HOP 7            /* frames between windows (the model's) */
#define N_SAMPLES (RATE * 3 / 2)        /* 1.5 s: 148 frames, 19 windows */

static char *tmpdir;

static void
setup (void)
{
  tmpdir = g_dir_make_tmp ("es-cnn-fe-XXXXXX", NULL);
}

static void
teardown (void)
{
  GDir *d = g_dir_open (tmpdir, 0, NULL);
  const char *name;
  while ((name = g_dir_read_name (d))) {
    char *path = g_build_filename (tmpdir, name, NULL);
    g_unlink (path);
    g_free (path);
  }
  g_dir_close (d);
  g_rmdir (tmpdir);
  g_free (tmpdir);
}

/* A model over windows of W power spectra whose first layers are the
 * front-end `front` (a gammatone layer, its compression, ...; n_front
 * layers) followed by `back`. Random weights; the gammatone layer's raw
 * offsets random too (learned bands). Returns the file's path. */
static char *
make_model (const char *name, const char *front, guint n_front, const char *back,
    const char *fe_extra)
{
  static const char *const labels[] = { "low", "mid", "high", NULL };
  size_t shape[2] = { W, N_BINS };
  char *arch = g_strdup_printf ("[%s,%s]", front, back);
  char *fe = g_strdup_printf ("{\"source\":\"audio\",\"bands\":%d,\"frontend_layers\":%u,"
      "\"window_hop\":%d%s}", BANDS, n_front, WINDOW_HOP, fe_extra);
  char *path = g_strdup_printf ("%s/%s.safetensors", tmpdir, name);
  GError *err = NULL;
  EsModel *m = es_model_new (name, arch, ES_MODEL_INPUT_FEATURES, 2, shape, labels, &err);
  EsNetParam *bands;
  GRand *rand = g_rand_new_with_seed (7);

  fail_unless (m != NULL, "%s", err ? err->message : "");
  es_net_init_weights (es_model_get_net (m), 3);
  bands = es_net_find_param (es_model_get_net (m), "0.weight");
  fail_unless (bands != NULL);
  for (size_t i = 0; i < es_tensor_numel (bands->value); i++)
    bands->value->data[i] = (float) g_rand_double_range (rand, -0.3, 0.3);
  fail_unless (es_model_set_frontend (m, fe, &err), "%s", err ? err->message : "");
  fail_unless (es_model_save (m, path, &err), "%s", err ? err->message : "");
  es_model_free (m);
  g_rand_free (rand);
  g_free (fe);
  g_free (arch);
  return path;
}

/* The clip's power spectra as the data kind computes them: pre-emphasis
 * 0.97, Hamming frames of 400 every 160, |FFT 512|^2. */
static float *
power_spectra (const float *clip, size_t n, size_t *n_frames)
{
  float *x = g_memdup2 (clip, n * sizeof (float));
  float last = 0.0f;
  EsFramer *framer = es_framer_new (FRAME, HOP, ES_WINDOW_HAMMING);
  EsFftPower *fft = es_fft_power_new (N_FFT);
  float *frames, *power;

  es_preemphasis_f32 (x, n, 1, (float) ES_PREEMPHASIS_DEFAULT_COEFFICIENT, &last);
  *n_frames = es_framer_frames_for (framer, n);
  frames = g_new (float, *n_frames * FRAME);
  fail_unless_equals_int (es_framer_process (framer, x, n, frames), *n_frames);
  power = g_new (float, *n_frames * N_BINS);
  for (size_t f = 0; f < *n_frames; f++)
    es_fft_power_process (fft, frames + f * FRAME, FRAME, power + f * N_BINS);
  es_fft_power_free (fft);
  es_framer_free (framer);
  g_free (frames);
  g_free (x);
  return power;
}

/* Probabilities of every grid window (frames j*hop .. j*hop+W-1) through
 * the whole net, from layer 0; *n_windows of them. */
static double *
library_probabilities (const char *path, const float *clip, size_t n, size_t *n_windows)
{
  GError *err = NULL;
  EsModel *m = es_model_load (path, &err);
  size_t n_frames, n_labels;
  float *power;
  const float *logits;
  double *probs;

  fail_unless (m != NULL, "%s", err ? err->message : "");
  n_labels = es_model_get_n_labels (m);
  power = power_spectra (clip, n, &n_frames);
  *n_windows = n_frames >= W ? (n_frames - W) / WINDOW_HOP + 1 : 0;
  probs = g_new (double, *n_windows * n_labels);
  for (size_t j = 0; j < *n_windows; j++) {
    /* one window at a time, frame-major rows of the cached spectra */
    logits = es_net_forward (es_model_get_net (m), power + j * WINDOW_HOP * N_BINS, 1);
    es_decision_probabilities (logits, n_labels, probs + j * n_labels);
  }
  g_free (power);
  es_model_free (m);
  return probs;
}

typedef struct {
  GArray *probs;                /* doubles, window after window */
  guint n_windows;
  GArray *mean;                 /* the summary's */
  gboolean error;
} Collected;

static void
read_doubles (const GstStructure * s, const char *field, GArray * out)
{
  const GValue *array = gst_structure_get_value (s, field);

  fail_unless (array != NULL && GST_VALUE_HOLDS_ARRAY (array), "no %s", field);
  for (guint i = 0; i < gst_value_array_get_size (array); i++) {
    double v = g_value_get_double (gst_value_array_get_value (array, i));
    g_array_append_val (out, v);
  }
}

/* Runs the element chain on the clip in buffers of `chunk` samples and
 * collects the per-window and the summary probabilities. */
static void
run_chain (const char *path, const float *clip, size_t n, size_t chunk, Collected * c)
{
  char *line = g_strdup_printf ("appsrc name=src format=time caps=audio/x-raw,"
      "format=F32LE,rate=%d,channels=1,layout=interleaved ! preemphasis ! hammingframe ! "
      "gammatonefb model=\"%s\" ! cnnclassify model=\"%s\" average-windows=1 ! "
      "fakesink", RATE, path, path);
  GError *err = NULL;
  GstElement *pipeline = gst_parse_launch (line, &err);
  GstElement *src;
  GstBus *bus;
  gboolean done = FALSE;

  fail_unless (pipeline != NULL, "%s", err ? err->message : "");
  src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  bus = gst_element_get_bus (pipeline);
  c->probs = g_array_new (FALSE, FALSE, sizeof (double));
  c->mean = g_array_new (FALSE, FALSE, sizeof (double));
  c->n_windows = 0;
  c->error = FALSE;
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  for (size_t at = 0; at < n; at += chunk) {
    size_t len = MIN (chunk, n - at);
    GstBuffer *buf = es_buffer_new_copy (clip + at, len, sizeof (float));

    GST_BUFFER_PTS (buf) = gst_util_uint64_scale (at, GST_SECOND, RATE);
    GST_BUFFER_DURATION (buf) = gst_util_uint64_scale (len, GST_SECOND, RATE);
    fail_unless_equals_int (gst_app_src_push_buffer (GST_APP_SRC (src), buf), GST_FLOW_OK);
  }
  gst_app_src_end_of_stream (GST_APP_SRC (src));
  while (!done) {
    GstMessage *msg = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND,
        GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_ELEMENT);
    const GstStructure *s;

    fail_unless (msg != NULL, "pipeline timed out");
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
      GError *e = NULL;
      gst_message_parse_error (msg, &e, NULL);
      fail ("pipeline error: %s", e->message);
    } else if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS) {
      done = TRUE;
    } else if ((s = gst_message_get_structure (msg))) {
      if (gst_structure_has_name (s, "cnnclassify")) {
        read_doubles (s, "probabilities", c->probs);
        c->n_windows++;
      } else if (gst_structure_has_name (s, "cnnclassify-summary")) {
        read_doubles (s, "probabilities", c->mean);
      }
    }
    gst_message_unref (msg);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (src);
  gst_object_unref (pipeline);
  g_free (line);
}

static void
check_same_as_library (const char *path, size_t chunk)
{
  float *clip = es_test_signal (N_SAMPLES, RATE, 11);
  size_t n_windows;
  double *expected = library_probabilities (path, clip, N_SAMPLES, &n_windows);
  EsDecisionMean *mean = es_decision_mean_new (3);
  double expected_mean[3];
  Collected c;

  fail_unless (n_windows >= 10);
  run_chain (path, clip, N_SAMPLES, chunk, &c);
  fail_unless_equals_int (c.n_windows, n_windows);
  fail_unless_equals_int (c.probs->len, n_windows * 3);
  for (size_t i = 0; i < n_windows * 3; i++)
    fail_unless (g_array_index (c.probs, double, i) == expected[i],
        "window %zu label %zu: element %.17g, library %.17g", i / 3, i % 3,
        g_array_index (c.probs, double, i), expected[i]);

  /* the file-level decision: the mean of the windows' probabilities */
  for (size_t j = 0; j < n_windows; j++)
    es_decision_mean_add (mean, expected + j * 3);
  fail_unless (es_decision_mean_get (mean, expected_mean));
  fail_unless_equals_int (c.mean->len, 3);
  fail_unless (memcmp (c.mean->data, expected_mean, sizeof expected_mean) == 0);

  es_decision_mean_free (mean);
  g_array_unref (c.probs);
  g_array_unref (c.mean);
  g_free (expected);
  g_free (clip);
}

#define GAMMATONE_2D "{\"type\":\"gammatone\",\"rate\":16000,\"frame_size\":400," \
  "\"bands\":16,\"image\":true}"
#define CNN_2D "{\"type\":\"conv2d\",\"out_channels\":4,\"kernel\":3,\"padding\":1}," \
  "{\"type\":\"batchnorm\"},{\"type\":\"relu\"},{\"type\":\"maxpool2d\",\"kernel\":2}," \
  "{\"type\":\"conv2d\",\"out_channels\":6,\"kernel\":3,\"padding\":1}," \
  "{\"type\":\"relu\"},{\"type\":\"global_avgpool\"},{\"type\":\"dense\",\"out_features\":3}"

/* The SpectNet-like shape: gammatone image, log, 2D CNN, global average
 * pooling; the clip in buffers of odd sizes. */
GST_START_TEST (test_learned_log_2d)
{
  char *path = make_model ("learned2d", GAMMATONE_2D ",{\"type\":\"log\"}", 2, CNN_2D, "");

  check_same_as_library (path, 1234);
  check_same_as_library (path, N_SAMPLES);
  g_free (path);
}

GST_END_TEST;

/* Cepstra: gammatone, log, DCT (3 front-end layers), then a 1D CNN over
 * [coefficients, W]. */
GST_START_TEST (test_learned_dct_1d)
{
  char *path = make_model ("learned1d", "{\"type\":\"gammatone\",\"rate\":16000,"
      "\"frame_size\":400,\"bands\":16},{\"type\":\"log\"},{\"type\":\"dct\",\"coefficients\":10}", 3,
      "{\"type\":\"conv1d\",\"out_channels\":5,\"kernel\":3,\"padding\":1},"
      "{\"type\":\"relu\"},{\"type\":\"global_mean\"},{\"type\":\"dense\",\"out_features\":3}",
      ",\"dct\":10");

  check_same_as_library (path, 4000);
  g_free (path);
}

GST_END_TEST;

/* PCEN front-end: the net's input holds 10 warm-up frames before the W the
 * pcen layer keeps; served, the smoother runs along the stream in
 * gammatonefb (from the start of the file), so the classifier takes windows
 * of W frames of its output: a decision per grid window, probabilities
 * that sum to 1 (not bit-identical with the per-window warm-up). */
GST_START_TEST (test_learned_pcen)
{
  static const char *const labels[] = { "low", "mid", "high", NULL };
  size_t shape[2] = { W + 10, N_BINS };
  char *path = g_strdup_printf ("%s/pcen.safetensors", tmpdir);
  float *clip = es_test_signal (N_SAMPLES, RATE, 5);
  GError *err = NULL;
  EsModel *m = es_model_new ("pcen", "[{\"type\":\"gammatone\",\"rate\":16000,"
      "\"frame_size\":400,\"bands\":16},{\"type\":\"pcen\",\"warmup\":10},"
      "{\"type\":\"conv1d\",\"out_channels\":4,\"kernel\":3,\"padding\":1},"
      "{\"type\":\"relu\"},{\"type\":\"global_mean\"},{\"type\":\"dense\",\"out_features\":3}]",
      ES_MODEL_INPUT_FEATURES, 2, shape, labels, &err);
  Collected c;

  fail_unless (m != NULL, "%s", err ? err->message : "");
  es_net_init_weights (es_model_get_net (m), 9);
  fail_unless (es_model_set_frontend (m, "{\"source\":\"audio\",\"bands\":16,"
          "\"compression\":\"pcen\",\"frontend_layers\":2,\"window_hop\":7}", &err),
      "%s", err ? err->message : "");
  fail_unless (es_model_save (m, path, &err), "%s", err ? err->message : "");
  es_model_free (m);

  run_chain (path, clip, N_SAMPLES, 3000, &c);
  /* 148 frames: windows of 20 every 7 */
  fail_unless_equals_int (c.n_windows, (148 - W) / WINDOW_HOP + 1);
  for (guint w = 0; w < c.n_windows; w++) {
    double sum = 0;
    for (int k = 0; k < 3; k++)
      sum += g_array_index (c.probs, double, w * 3 + k);
    fail_unless (fabs (sum - 1) < 1e-12, "window %u sums to %g", w, sum);
  }
  g_array_unref (c.probs);
  g_array_unref (c.mean);
  g_free (clip);
  g_free (path);
}

GST_END_TEST;

/* The network after the front-end takes [bands, W]: a stream of other
 * bands is refused with a message naming both. */
GST_START_TEST (test_wrong_bands_refused)
{
  char *path = make_model ("learnedbad", GAMMATONE_2D ",{\"type\":\"log\"}", 2, CNN_2D, "");
  char *line = g_strdup_printf ("appsrc name=src format=time caps=audio/x-raw,"
      "format=F32LE,rate=16000,channels=1,layout=interleaved ! preemphasis ! hammingframe ! "
      "gammatonefb bands=24 ! cnnclassify model=\"%s\" ! fakesink", path);
  GstElement *pipeline = gst_parse_launch (line, NULL);
  GstElement *src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  GstBus *bus = gst_element_get_bus (pipeline);
  float *clip = es_test_signal (4000, RATE, 3);
  GstMessage *msg;
  GError *err = NULL;

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  gst_app_src_push_buffer (GST_APP_SRC (src), es_buffer_new_copy (clip, 4000, sizeof (float)));
  gst_app_src_end_of_stream (GST_APP_SRC (src));
  msg = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND, GST_MESSAGE_ERROR | GST_MESSAGE_EOS);
  fail_unless (msg != NULL && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR);
  gst_message_parse_error (msg, &err, NULL);
  fail_unless (strstr (err->message, "bands=24") != NULL, "%s", err->message);
  g_error_free (err);
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (src);
  gst_object_unref (pipeline);
  g_free (clip);
  g_free (line);
  g_free (path);
}

GST_END_TEST;

static Suite *
cnnclassify_frontend_suite (void)
{
  Suite *s = suite_create ("cnnclassify-frontend");
  TCase *tc = tcase_create ("general");

  tcase_set_timeout (tc, 120);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_learned_log_2d);
  tcase_add_test (tc, test_learned_dct_1d);
  tcase_add_test (tc, test_learned_pcen);
  tcase_add_test (tc, test_wrong_bands_refused);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (cnnclassify_frontend);
