/* Per-vector timestamps through the elements: the one formula of
 * dsp/frame-time.h, T0 + floor (k · step), exact after 10^6 frames.
 * hammingframe stamps every frame from its sample count; cnnclassify gives
 * vector k of a buffer the time hammingframe gave frame k (not the buffer's
 * duration split in equal parts, which is off by 1 ns at frame 10^6 + 3);
 * spectrogramimager stamps its images from its frame count. */
#include "es-check.h"

#include <gst/audio/audio.h>
#include <glib/gstdio.h>

#include "model/model.h"

#define SECOND G_GUINT64_CONSTANT (1000000000)

/* T0 + floor (k · num / den), computed here without the library */
static guint64
exact (guint64 t0, guint64 k, guint64 num, guint64 den)
{
  return t0 + (guint64) ((unsigned __int128) k * num / den);
}

/* 10^6 frames of one sample, hop 1, at 44100 Hz (22675.736... ns apart),
 * from input buffers of 4999 samples stamped exactly: every output buffer's
 * PTS, duration and offsets follow the sample count. */
GST_START_TEST (test_hammingframe_million_frames)
{
  const guint64 t0 = 3 * SECOND + 1, n_samples = 1000000 + 4999;
  const gsize chunk = 4999;
  GstHarness *h = gst_harness_new ("hammingframe");
  gfloat *x = g_new0 (gfloat, chunk);
  guint64 pushed = 0, next_frame = 0;

  g_object_set (h->element, "frame-size", 1, "hop-size", 1, NULL);
  gst_util_set_object_arg (G_OBJECT (h->element), "window", "rectangular");
  gst_harness_set_src_caps_str (h, "audio/x-raw, format=(string)"
      GST_AUDIO_NE (F32) ", rate=(int)44100, channels=(int)1, "
      "layout=(string)interleaved");
  while (pushed < n_samples) {
    GstBuffer *buf = es_buffer_new_copy (x, chunk, sizeof (gfloat)), *out;

    GST_BUFFER_PTS (buf) = exact (t0, pushed, SECOND, 44100);
    fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_OK);
    pushed += chunk;
    while ((out = gst_harness_try_pull (h)) != NULL) {
      guint64 start = GST_BUFFER_OFFSET (out), end = GST_BUFFER_OFFSET_END (out);

      fail_unless_equals_uint64 (start, next_frame);
      fail_unless_equals_uint64 (GST_BUFFER_PTS (out),
          exact (t0, start, SECOND, 44100));
      fail_unless_equals_uint64 (GST_BUFFER_DURATION (out),
          exact (t0, end, SECOND, 44100) - exact (t0, start, SECOND, 44100));
      next_frame = end;
      gst_buffer_unref (out);
    }
  }
  fail_unless (next_frame > 1000000);
  g_free (x);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* 8 inputs -> 3 classes (a window of one vector). */
static char *
make_features_model (const char *dir)
{
  static const char *const labels[] = { "a", "b", "c", NULL };
  size_t shape[2] = { 1, 8 };
  char *path = g_build_filename (dir, "features.safetensors", NULL);
  GError *err = NULL;
  EsModel *m = es_model_new ("frame-times",
      "[{\"type\":\"flatten\"},{\"type\":\"dense\",\"out_features\":3}]",
      ES_MODEL_INPUT_FEATURES, 2, shape, labels, &err);

  fail_unless (m != NULL, "%s", err ? err->message : "");
  fail_unless (es_model_save (m, path, &err), "%s", err ? err->message : "");
  es_model_free (m);
  return path;
}

/* Frames 10^6 .. 10^6 + 6 of 256 samples at 22050 Hz in one buffer, as
 * hammingframe ! gammatonefb give them (PTS, duration and offsets from the
 * frame count): each decision's timestamp and duration are those frames'
 * exact times. */
GST_START_TEST (test_cnnclassify_frame_times)
{
  const guint64 t0 = 7 * SECOND + 3, step = 256 * SECOND, rate = 22050;
  const guint64 start = 1000000, n = 7;
  char *dir = g_dir_make_tmp ("es-frame-times-XXXXXX", NULL);
  char *model = make_features_model (dir);
  char *launch = g_strdup_printf ("cnnclassify model=\"%s\" average-windows=1",
      model);
  GstHarness *h = gst_harness_new_parse (launch);
  GstBus *bus = gst_bus_new ();
  GstBuffer *buf = gst_buffer_new_allocate (NULL, n * 8 * sizeof (float), NULL);
  GstMessage *msg;
  guint64 k = start;

  gst_element_set_bus (h->element, bus);
  gst_harness_set_src_caps_str (h, "application/x-earshot-features, "
      "bands=(int)8, framerate=(fraction)22050/256, scale=(string)gammatone, "
      "rate=(int)22050");
  gst_buffer_memset (buf, 0, 0, n * 8 * sizeof (float));
  GST_BUFFER_PTS (buf) = exact (t0, start, step, rate);
  GST_BUFFER_DURATION (buf) = exact (t0, start + n, step, rate)
      - exact (t0, start, step, rate);
  GST_BUFFER_OFFSET (buf) = start;
  GST_BUFFER_OFFSET_END (buf) = start + n;
  /* the case the equal split gets wrong (so this test can tell) */
  fail_if (GST_BUFFER_PTS (buf) + GST_BUFFER_DURATION (buf) * 3 / n
      == exact (t0, start + 3, step, rate));
  gst_buffer_unref (gst_harness_push_and_pull (h, buf));

  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT)) != NULL) {
    const GstStructure *s = gst_message_get_structure (msg);
    guint64 ts = 0, dur = 0;

    if (gst_structure_has_name (s, "cnnclassify")) {
      fail_unless (gst_structure_get_uint64 (s, "timestamp", &ts));
      fail_unless (gst_structure_get_uint64 (s, "duration", &dur));
      fail_unless_equals_uint64 (ts, exact (t0, k, step, rate));
      fail_unless_equals_uint64 (dur, exact (t0, k + 1, step, rate)
          - exact (t0, k, step, rate));
      k++;
    }
    gst_message_unref (msg);
  }
  fail_unless_equals_uint64 (k, start + n);

  gst_element_set_bus (h->element, NULL);
  gst_harness_teardown (h);
  gst_object_unref (bus);
  g_unlink (model);
  g_rmdir (dir);
  g_free (model);
  g_free (launch);
  g_free (dir);
}

GST_END_TEST;

/* 10^6 one-band frames at 22050/256 in buffers of 1000, stamped as the
 * front-end stamps them: image i (1000 frames each) is at frame 1000·i's
 * exact time and lasts exactly its 1000 frames. */
GST_START_TEST (test_spectrogramimager_million_frames)
{
  const guint64 t0 = 5 * SECOND + 9, step = 256 * SECOND, rate = 22050;
  const guint64 per_buffer = 1000, n_frames = 1000000;
  GstHarness *h = gst_harness_new ("spectrogramimager");
  float *values = g_new0 (float, per_buffer);
  guint64 images = 0;

  g_object_set (h->element, "window-frames", (guint) per_buffer,
      "hop-frames", (guint) per_buffer, NULL);
  gst_harness_set_sink_caps_str (h, "video/x-raw, format=(string)GRAY8");
  gst_harness_set_src_caps_str (h, "application/x-earshot-features, "
      "bands=(int)1, framerate=(fraction)22050/256, scale=(string)gammatone, "
      "rate=(int)22050");
  for (guint64 start = 0; start < n_frames; start += per_buffer) {
    GstBuffer *buf = es_buffer_new_copy (values, per_buffer, sizeof (float)), *out;

    GST_BUFFER_PTS (buf) = exact (t0, start, step, rate);
    GST_BUFFER_DURATION (buf) = exact (t0, start + per_buffer, step, rate)
        - GST_BUFFER_PTS (buf);
    GST_BUFFER_OFFSET (buf) = start;
    GST_BUFFER_OFFSET_END (buf) = start + per_buffer;
    fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_OK);
    while ((out = gst_harness_try_pull (h)) != NULL) {
      guint64 k = images * per_buffer;

      fail_unless_equals_uint64 (GST_BUFFER_PTS (out), exact (t0, k, step, rate));
      fail_unless_equals_uint64 (GST_BUFFER_DURATION (out),
          exact (t0, k + per_buffer, step, rate) - exact (t0, k, step, rate));
      images++;
      gst_buffer_unref (out);
    }
  }
  fail_unless_equals_uint64 (images, n_frames / per_buffer);
  g_free (values);
  gst_harness_teardown (h);
}

GST_END_TEST;

static Suite *
frame_times_suite (void)
{
  Suite *s = suite_create ("frame-times");
  TCase *tc = tcase_create ("general");

  tcase_add_test (tc, test_hammingframe_million_frames);
  tcase_add_test (tc, test_cnnclassify_frame_times);
  tcase_add_test (tc, test_spectrogramimager_million_frames);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (frame_times);
