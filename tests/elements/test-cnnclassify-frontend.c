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
#include "tasks/audio/audio-set.h"

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
  guint64 first_start, first_duration;  /* the first window's times */
  guint64 window_padding;       /* its `padding` field, 0 when absent */
  gboolean shorter;             /* the summary's shorter-than-window */
  guint64 padding;              /* and its padding */
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

/* Runs `line` (an appsrc named src, then the chain) on the clip in buffers
 * of `chunk` samples and collects the per-window and the summary
 * probabilities. */
static void
run_line_discont (const char *line, const float *clip, size_t n, size_t chunk,
    size_t discont_at, Collected * c);

static void
run_line (const char *line, const float *clip, size_t n, size_t chunk, Collected * c)
{
  run_line_discont (line, clip, n, chunk, 0, c);
}

/* ... with the buffer that starts at sample discont_at (> 0) flagged
 * DISCONT and a second later. */
static void
run_line_discont (const char *line, const float *clip, size_t n, size_t chunk,
    size_t discont_at, Collected * c)
{
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
  c->first_start = c->first_duration = GST_CLOCK_TIME_NONE;
  c->window_padding = 0;
  c->shorter = FALSE;
  c->padding = G_MAXUINT64;
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  for (size_t at = 0; at < n; at += chunk) {
    size_t len = MIN (chunk, n - at);
    GstBuffer *buf = es_buffer_new_copy (clip + at, len, sizeof (float));

    GST_BUFFER_PTS (buf) = gst_util_uint64_scale (at, GST_SECOND, RATE);
    GST_BUFFER_DURATION (buf) = gst_util_uint64_scale (len, GST_SECOND, RATE);
    if (discont_at > 0 && at >= discont_at) {
      GST_BUFFER_PTS (buf) += GST_SECOND;
      if (at == discont_at)
        GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
    }
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
        if (c->n_windows++ == 0) {
          gst_structure_get_uint64 (s, "timestamp", &c->first_start);
          gst_structure_get_uint64 (s, "duration", &c->first_duration);
          gst_structure_get_uint64 (s, "padding", &c->window_padding);
        }
      } else if (gst_structure_has_name (s, "cnnclassify-summary")) {
        read_doubles (s, "probabilities", c->mean);
        fail_unless (gst_structure_get_boolean (s, "shorter-than-window", &c->shorter));
        fail_unless (gst_structure_get_uint64 (s, "padding", &c->padding));
      }
    }
    gst_message_unref (msg);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (src);
  gst_object_unref (pipeline);
}

/* The served chain: preemphasis ! hammingframe ! gammatonefb ! cnnclassify. */
static void
run_chain (const char *path, const float *clip, size_t n, size_t chunk, Collected * c)
{
  char *line = g_strdup_printf ("appsrc name=src format=time caps=audio/x-raw,"
      "format=F32LE,rate=%d,channels=1,layout=interleaved ! preemphasis ! hammingframe ! "
      "gammatonefb model=\"%s\" ! cnnclassify model=\"%s\" average-windows=1 ! "
      "fakesink", RATE, path, path);

  run_line (line, clip, n, chunk, c);
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
static char *
make_pcen_model (void)
{
  static const char *const labels[] = { "low", "mid", "high", NULL };
  size_t shape[2] = { W + 10, N_BINS };
  char *path = g_strdup_printf ("%s/pcen.safetensors", tmpdir);
  GError *err = NULL;
  EsModel *m = es_model_new ("pcen", "[{\"type\":\"gammatone\",\"rate\":16000,"
      "\"frame_size\":400,\"bands\":16},{\"type\":\"pcen\",\"warmup\":10},"
      "{\"type\":\"conv1d\",\"out_channels\":4,\"kernel\":3,\"padding\":1},"
      "{\"type\":\"relu\"},{\"type\":\"global_mean\"},{\"type\":\"dense\",\"out_features\":3}]",
      ES_MODEL_INPUT_FEATURES, 2, shape, labels, &err);

  fail_unless (m != NULL, "%s", err ? err->message : "");
  es_net_init_weights (es_model_get_net (m), 9);
  fail_unless (es_model_set_frontend (m, "{\"source\":\"audio\",\"bands\":16,"
          "\"compression\":\"pcen\",\"frontend_layers\":2,\"window_hop\":7}", &err),
      "%s", err ? err->message : "");
  fail_unless (es_model_save (m, path, &err), "%s", err ? err->message : "");
  es_model_free (m);
  return path;
}

GST_START_TEST (test_learned_pcen)
{
  char *path = make_pcen_model ();
  float *clip = es_test_signal (N_SAMPLES, RATE, 5);
  Collected c;

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

/* ---- streams shorter than one window -------------------------------------
 * A stream that ends before one window is complete is completed with
 * silence to one window at EOS (preemphasis, else hammingframe, at
 * cnnclassify's request): the one decision must be the very one the audio
 * data kind's padded window gives (training, earshot eval), and a stream of
 * one window or more must be left as it was. */

#define ONE_WINDOW ((W - 1) * HOP + FRAME)      /* 3440 samples, 0.215 s */

static void
collected_clear (Collected * c)
{
  g_array_unref (c->probs);
  g_array_unref (c->mean);
}

/* The probabilities of the evaluation window the audio data kind makes of a
 * clip shorter than a window (silence after it: tasks/audio/audio-set.h),
 * through the whole net from layer 0. */
static void
data_kind_probabilities (const char *path, const float *clip, size_t n,
    double preemphasis, double *probs)
{
  EsFrontendConfig fe;
  EsAudioSpectra spectra;
  GError *err = NULL;
  EsModel *m = es_model_load (path, &err);
  float *window = g_new (float, W * N_BINS);

  fail_unless (m != NULL, "%s", err ? err->message : "");
  es_frontend_config_init (&fe, RATE);
  fe.frame_size = FRAME;
  fe.hop_size = HOP;
  fe.preemphasis = preemphasis;
  fail_unless (es_audio_spectra_compute (&fe, clip, n, W, &spectra, &err), "%s",
      err ? err->message : "");
  fail_unless (spectra.audio_frames < W);
  es_audio_spectra_window (&spectra, N_BINS, spectra.origin, W, 0, window);
  es_decision_probabilities (es_net_forward (es_model_get_net (m), window, 1),
      es_model_get_n_labels (m), probs);
  es_audio_spectra_clear (&spectra);
  g_free (window);
  es_model_free (m);
}

static void
expect_same (const Collected * c, const double *expected, const char *what)
{
  fail_unless_equals_int (c->probs->len, 3);
  for (int k = 0; k < 3; k++)
    fail_unless (g_array_index (c->probs, double, k) == expected[k],
        "%s, label %d: element %.17g, expected %.17g", what, k,
        g_array_index (c->probs, double, k), expected[k]);
  /* the file-level decision is that one window's */
  fail_unless (memcmp (c->mean->data, c->probs->data, 3 * sizeof (double)) == 0);
}

/* Clips one sample short of a window, half a window and shorter than one
 * frame, in one buffer or several: one decision, the data kind's to the
 * last bit, its times those of the whole window and what of it is silence
 * said in the message and the summary. */
GST_START_TEST (test_short_clip_as_training)
{
  char *path = make_model ("short2d", GAMMATONE_2D ",{\"type\":\"log\"}", 2, CNN_2D, "");
  const size_t lengths[] = { ONE_WINDOW - 1, ONE_WINDOW / 2, 100 };
  float *clip = es_test_signal (ONE_WINDOW, RATE, 13);

  for (guint i = 0; i < G_N_ELEMENTS (lengths); i++) {
    size_t n = lengths[i];
    guint64 audio_end = gst_util_uint64_scale (n, GST_SECOND, RATE);
    guint64 window_end = gst_util_uint64_scale (W * HOP, GST_SECOND, RATE);
    double expected[3];

    data_kind_probabilities (path, clip, n, ES_PREEMPHASIS_DEFAULT_COEFFICIENT, expected);
    for (size_t chunk = 1000; chunk <= n + 1000; chunk += n) {
      Collected c;

      run_chain (path, clip, n, chunk, &c);
      fail_unless_equals_int (c.n_windows, 1);
      expect_same (&c, expected, "short clip");
      fail_unless (c.shorter, "%zu samples: not said shorter than a window", n);
      fail_unless_equals_uint64 (c.padding,
          gst_util_uint64_scale (ONE_WINDOW, GST_SECOND, RATE) - audio_end);
      /* the window spans its W frames (hop-long spans from 0); the part
       * after the audio is silence */
      fail_unless_equals_uint64 (c.first_start, 0);
      fail_unless_equals_uint64 (c.first_duration, window_end);
      fail_unless_equals_uint64 (c.window_padding,
          window_end > audio_end ? window_end - audio_end : 0);
      collected_clear (&c);
    }
  }
  g_free (clip);
  g_free (path);
}

GST_END_TEST;

/* Exactly one window (W frames), W + 1 frames and W frames plus a partial
 * one: nothing added, the decisions the library gives on the clip itself,
 * with pad-short on or off. */
GST_START_TEST (test_full_window_unchanged)
{
  char *path = make_model ("full2d", GAMMATONE_2D ",{\"type\":\"log\"}", 2, CNN_2D, "");
  const size_t lengths[] = { ONE_WINDOW, ONE_WINDOW + HOP, ONE_WINDOW + HOP - 1 };
  float *clip = es_test_signal (ONE_WINDOW + HOP, RATE, 17);
  char *off = g_strdup_printf ("appsrc name=src format=time caps=audio/x-raw,"
      "format=F32LE,rate=%d,channels=1,layout=interleaved ! preemphasis ! hammingframe ! "
      "gammatonefb model=\"%s\" ! cnnclassify model=\"%s\" average-windows=1 "
      "pad-short=false ! fakesink", RATE, path, path);

  for (guint i = 0; i < G_N_ELEMENTS (lengths); i++) {
    size_t n = lengths[i], n_windows;
    double *expected = library_probabilities (path, clip, n, &n_windows);
    Collected c, c_off;

    fail_unless_equals_int (n_windows, 1);
    run_chain (path, clip, n, 1000, &c);
    fail_unless_equals_int (c.n_windows, 1);
    expect_same (&c, expected, "one window");
    fail_unless (!c.shorter);
    fail_unless_equals_uint64 (c.padding, 0);
    fail_unless_equals_uint64 (c.window_padding, 0);
    run_line (off, clip, n, 1000, &c_off);
    expect_same (&c_off, expected, "pad-short=false");
    collected_clear (&c);
    collected_clear (&c_off);
    g_free (expected);
  }
  g_free (off);
  g_free (clip);
  g_free (path);
}

GST_END_TEST;

/* A stream decided on, then a discontinuity and less than a window: the
 * tail is not completed (only a stream that made no decision is). */
GST_START_TEST (test_short_tail_after_discont)
{
  char *path = make_model ("tail2d", GAMMATONE_2D ",{\"type\":\"log\"}", 2, CNN_2D, "");
  char *line = g_strdup_printf ("appsrc name=src format=time caps=audio/x-raw,"
      "format=F32LE,rate=%d,channels=1,layout=interleaved ! preemphasis ! hammingframe ! "
      "gammatonefb model=\"%s\" ! cnnclassify model=\"%s\" average-windows=1 ! "
      "fakesink", RATE, path, path);
  float *clip = es_test_signal (2 * ONE_WINDOW, RATE, 31);
  size_t n_windows;
  double *expected = library_probabilities (path, clip, ONE_WINDOW, &n_windows);
  Collected c;

  run_line_discont (line, clip, ONE_WINDOW + 1000, ONE_WINDOW / 4, ONE_WINDOW, &c);
  fail_unless_equals_int (c.n_windows, 1);
  expect_same (&c, expected, "before the discontinuity");
  fail_unless (!c.shorter);
  collected_clear (&c);
  g_free (expected);
  g_free (clip);
  g_free (line);
  g_free (path);
}

GST_END_TEST;

/* pad-short=false: a short stream makes no decision (the summary says so,
 * with no window). */
GST_START_TEST (test_short_clip_pad_short_off)
{
  char *path = make_model ("off2d", GAMMATONE_2D ",{\"type\":\"log\"}", 2, CNN_2D, "");
  char *line = g_strdup_printf ("appsrc name=src format=time caps=audio/x-raw,"
      "format=F32LE,rate=%d,channels=1,layout=interleaved ! preemphasis ! hammingframe ! "
      "gammatonefb model=\"%s\" ! cnnclassify model=\"%s\" pad-short=false ! "
      "fakesink", RATE, path, path);
  float *clip = es_test_signal (ONE_WINDOW - 1, RATE, 19);
  Collected c;

  run_line (line, clip, ONE_WINDOW - 1, 1000, &c);
  fail_unless_equals_int (c.n_windows, 0);
  fail_unless (!c.shorter);
  fail_unless_equals_uint64 (c.padding, 0);
  collected_clear (&c);
  g_free (clip);
  g_free (line);
  g_free (path);
}

GST_END_TEST;

/* Without preemphasis (a model trained without it) hammingframe completes
 * the stream: the data kind's window without pre-emphasis. */
GST_START_TEST (test_short_clip_without_preemphasis)
{
  char *path = make_model ("nopre", GAMMATONE_2D ",{\"type\":\"log\"}", 2, CNN_2D, "");
  char *line = g_strdup_printf ("appsrc name=src format=time caps=audio/x-raw,"
      "format=F32LE,rate=%d,channels=1,layout=interleaved ! hammingframe ! "
      "gammatonefb model=\"%s\" ! cnnclassify model=\"%s\" average-windows=1 ! "
      "fakesink", RATE, path, path);
  float *clip = es_test_signal (ONE_WINDOW, RATE, 23);
  double expected[3];
  Collected c;

  data_kind_probabilities (path, clip, 2000, 0.0, expected);
  run_line (line, clip, 2000, 700, &c);
  fail_unless_equals_int (c.n_windows, 1);
  expect_same (&c, expected, "hammingframe's padding");
  fail_unless (c.shorter);
  collected_clear (&c);
  g_free (clip);
  g_free (line);
  g_free (path);
}

GST_END_TEST;

/* PCEN runs along the stream in gammatonefb: the silence goes through it
 * like audio, so the decision is the one on the clip followed by zeros in
 * the stream itself, bit for bit. */
GST_START_TEST (test_short_clip_pcen)
{
  char *path = make_pcen_model ();
  float *clip = es_test_signal (ONE_WINDOW, RATE, 29);
  const size_t n = 2500;
  Collected c, zeros;

  run_chain (path, clip, n, 1000, &c);
  memset (clip + n, 0, (ONE_WINDOW - n) * sizeof (float));
  run_chain (path, clip, ONE_WINDOW, 1000, &zeros);
  fail_unless_equals_int (c.n_windows, 1);
  fail_unless_equals_int (zeros.n_windows, 1);
  expect_same (&c, (const double *) zeros.probs->data, "PCEN, padded by the elements");
  fail_unless (c.shorter && !zeros.shorter);
  collected_clear (&c);
  collected_clear (&zeros);
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
  tcase_add_test (tc, test_short_clip_as_training);
  tcase_add_test (tc, test_full_window_unchanged);
  tcase_add_test (tc, test_short_clip_pad_short_off);
  tcase_add_test (tc, test_short_tail_after_discont);
  tcase_add_test (tc, test_short_clip_without_preemphasis);
  tcase_add_test (tc, test_short_clip_pcen);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (cnnclassify_frontend);
