/* Tests for the hammingframe element. */
#include "es-check.h"

#include <gst/audio/audio.h>

#define AUDIO_CAPS(rate) "audio/x-raw, format=(string)" GST_AUDIO_NE (F32) \
  ", rate=(int)" #rate ", channels=(int)1, layout=(string)interleaved"

static GstHarness *
setup (guint frame_size, guint hop, const gchar * window, const gchar * caps)
{
  GstHarness *h = gst_harness_new ("hammingframe");

  gst_util_set_object_arg (G_OBJECT (h->element), "window", window);
  g_object_set (h->element, "frame-size", frame_size, "hop-size", hop, NULL);
  gst_harness_set_src_caps_str (h, caps);
  return h;
}

static GstFlowReturn
push_samples (GstHarness * h, const gfloat * x, gsize n, GstClockTime pts,
    GstBufferFlags flags)
{
  GstBuffer *buf = es_buffer_new_copy (x, n, sizeof (gfloat));

  GST_BUFFER_PTS (buf) = pts;
  GST_BUFFER_FLAG_SET (buf, flags);
  return gst_harness_push (h, buf);
}

static gdouble
window_ref (const gchar * window, guint n, guint size)
{
  if (size == 1 || g_str_equal (window, "rectangular"))
    return 1.0;
  if (g_str_equal (window, "hann"))
    return 0.5 - 0.5 * cos (2 * G_PI * n / (size - 1));
  return 0.54 - 0.46 * cos (2 * G_PI * n / (size - 1));
}

/* Frames of x computed here; compare to got (n_frames * size floats). */
static void
check_frames (const gfloat * got, gsize n_frames, const gfloat * x, gsize n,
    guint size, guint hop, const gchar * window)
{
  gsize k, i;

  fail_unless_equals_int (n_frames, n >= size ? (n - size) / hop + 1 : 0);
  for (k = 0; k < n_frames; k++)
    for (i = 0; i < size; i++) {
      gdouble ref = x[k * hop + i] * window_ref (window, i, size);
      gdouble v = got[k * size + i];

      fail_unless (fabs (v - ref) <= 1e-6 * MAX (fabs (ref), 1e-3),
          "%s frame %" G_GSIZE_FORMAT " sample %" G_GSIZE_FORMAT ": %g vs %g",
          window, k, i, v, ref);
    }
}

GST_START_TEST (test_caps)
{
  GstHarness *h = gst_harness_new ("hammingframe");
  GstCaps *caps;
  GstStructure *s;
  gint v, num, den;

  fail_unless (es_harness_accepts (h, AUDIO_CAPS (16000)));
  fail_unless (es_harness_accepts (h, AUDIO_CAPS (44100)));
  fail_if (es_harness_accepts (h, "audio/x-raw, format=(string)"
          GST_AUDIO_NE (F32) ", rate=(int)16000, channels=(int)2, "
          "layout=(string)interleaved"));
  fail_if (es_harness_accepts (h, "audio/x-raw, format=(string)"
          GST_AUDIO_NE (F64) ", rate=(int)16000, channels=(int)1, "
          "layout=(string)interleaved"));
  fail_if (es_harness_accepts (h, "audio/x-raw, format=(string)S16LE, "
          "rate=(int)16000, channels=(int)1, layout=(string)interleaved"));

  /* downstream that only takes another geometry: the audio cannot negotiate */
  gst_harness_set_sink_caps_str (h, "application/x-earshot-frames, "
      "frame-size=(int)512");
  fail_unless (es_harness_caps_refused (h, AUDIO_CAPS (16000)));
  gst_harness_teardown (h);

  h = setup (400, 160, "hamming", AUDIO_CAPS (16000));
  fail_unless_equals_int (push_samples (h, (gfloat[400]) { 0 }, 400, 0, 0),
      GST_FLOW_OK);
  caps = gst_pad_get_current_caps (h->sinkpad);
  s = gst_caps_get_structure (caps, 0);
  fail_unless (gst_structure_has_name (s, "application/x-earshot-frames"));
  fail_unless (gst_structure_get_int (s, "rate", &v) && v == 16000);
  fail_unless (gst_structure_get_int (s, "frame-size", &v) && v == 400);
  fail_unless (gst_structure_get_int (s, "hop-size", &v) && v == 160);
  fail_unless_equals_string (gst_structure_get_string (s, "window"),
      "hamming");
  fail_unless (gst_structure_get_fraction (s, "framerate", &num, &den));
  fail_unless_equals_int (num, 100);
  fail_unless_equals_int (den, 1);
  gst_caps_unref (caps);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_window_values)
{
  const gchar *windows[] = { "hamming", "hann", "rectangular" };
  const gsize n = 2000;
  gfloat *x = es_test_signal (n, 16000, 3);
  guint w;

  for (w = 0; w < G_N_ELEMENTS (windows); w++) {
    GstHarness *h = setup (400, 160, windows[w], AUDIO_CAPS (16000));
    GByteArray *out;

    fail_unless_equals_int (push_samples (h, x, n, 0, 0), GST_FLOW_OK);
    out = es_harness_pull_all_bytes (h, NULL);
    check_frames ((const gfloat *) out->data, out->len / (400 *
            sizeof (gfloat)), x, n, 400, 160, windows[w]);
    g_byte_array_unref (out);
    gst_harness_teardown (h);
  }

  /* hop larger than the frame: samples between frames are skipped */
  {
    GstHarness *h = setup (100, 250, "hann", AUDIO_CAPS (16000));
    GByteArray *out;

    fail_unless_equals_int (push_samples (h, x, n, 0, 0), GST_FLOW_OK);
    out = es_harness_pull_all_bytes (h, NULL);
    check_frames ((const gfloat *) out->data, out->len / (100 *
            sizeof (gfloat)), x, n, 100, 250, "hann");
    g_byte_array_unref (out);
    gst_harness_teardown (h);
  }
  g_free (x);
}

GST_END_TEST;

/* Same frames and same frame timestamps whatever the buffer sizes. */
GST_START_TEST (test_split_invariance)
{
  const gsize n = 16000;
  const gint rate = 16000;
  gfloat *x = es_test_signal (n, rate, 11);
  GstHarness *h = setup (400, 160, "hamming", AUDIO_CAPS (16000));
  GByteArray *whole;
  guint32 seed;

  fail_unless_equals_int (push_samples (h, x, n, 0, 0), GST_FLOW_OK);
  whole = es_harness_pull_all_bytes (h, NULL);
  fail_unless_equals_int (whole->len, ((n - 400) / 160 + 1) * 400 * 4);
  gst_harness_teardown (h);

  for (seed = 1; seed <= 8; seed++) {
    GArray *lens = es_random_splits (n, seed % 2 ? 97 : 1200, seed);
    GByteArray *split = g_byte_array_new ();
    guint64 next_frame = 0;
    gsize off = 0;
    guint i;

    h = setup (400, 160, "hamming", AUDIO_CAPS (16000));
    for (i = 0; i < lens->len; i++) {
      gsize len = g_array_index (lens, gsize, i);
      GstBuffer *out;

      fail_unless_equals_int (push_samples (h, x + off, len,
              gst_util_uint64_scale_int (off, GST_SECOND, rate), 0),
          GST_FLOW_OK);
      off += len;
      while ((out = gst_harness_try_pull (h)) != NULL) {
        gsize frames = gst_buffer_get_size (out) / (400 * sizeof (gfloat));
        GstMapInfo map;

        fail_unless_equals_uint64 (GST_BUFFER_OFFSET (out), next_frame);
        fail_unless_equals_uint64 (GST_BUFFER_PTS (out),
            gst_util_uint64_scale_int (next_frame * 160, GST_SECOND, rate));
        next_frame += frames;
        gst_buffer_map (out, &map, GST_MAP_READ);
        g_byte_array_append (split, map.data, map.size);
        gst_buffer_unmap (out, &map);
        gst_buffer_unref (out);
      }
    }
    fail_unless_equals_int (split->len, whole->len);
    fail_unless (memcmp (split->data, whole->data, whole->len) == 0,
        "seed %u: split output differs", seed);
    g_byte_array_unref (split);
    g_array_unref (lens);
    gst_harness_teardown (h);
  }
  g_byte_array_unref (whole);
  g_free (x);
}

GST_END_TEST;

GST_START_TEST (test_timestamps)
{
  const gint rate = 16000;
  const GstClockTime t0 = 1 * GST_SECOND + 123 * GST_USECOND;
  gfloat *x = es_test_signal (1280, rate, 5);
  GstHarness *h = setup (400, 160, "hamming", AUDIO_CAPS (16000));
  GstBuffer *out;
  guint64 k;

  /* 1280 samples -> frames 0..5 (frame 5 ends at 1200) */
  fail_unless_equals_int (push_samples (h, x, 1280, t0, 0), GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless_equals_int (gst_buffer_get_size (out), 6 * 400 * 4);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), t0);
  fail_unless_equals_uint64 (GST_BUFFER_DURATION (out), 60 * GST_MSECOND);
  fail_unless_equals_uint64 (GST_BUFFER_OFFSET (out), 0);
  fail_unless_equals_uint64 (GST_BUFFER_OFFSET_END (out), 6);
  fail_unless (GST_BUFFER_FLAG_IS_SET (out, GST_BUFFER_FLAG_DISCONT));
  gst_buffer_unref (out);

  /* next 320 samples complete frames 6 and 7 */
  fail_unless_equals_int (push_samples (h, x, 320, t0 + 80 * GST_MSECOND, 0),
      GST_FLOW_OK);
  out = gst_harness_pull (h);
  k = GST_BUFFER_OFFSET (out);
  fail_unless_equals_uint64 (k, 6);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), t0 + 60 * GST_MSECOND);
  fail_unless_equals_uint64 (GST_BUFFER_DURATION (out), 20 * GST_MSECOND);
  fail_if (GST_BUFFER_FLAG_IS_SET (out, GST_BUFFER_FLAG_DISCONT));
  gst_buffer_unref (out);

  /* a small jitter (< half a hop) is tolerated: no restart */
  fail_unless_equals_int (push_samples (h, x, 160, t0 + 100 * GST_MSECOND +
          2 * GST_MSECOND, 0), GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless_equals_uint64 (GST_BUFFER_OFFSET (out), 8);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), t0 + 80 * GST_MSECOND);
  gst_buffer_unref (out);
  g_free (x);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* After a restart the frames equal those of the new audio alone, stamped
 * from the new buffer's PTS. */
static void
check_restart (GstBufferFlags flags, GstClockTime t1,
    void (*between) (GstHarness * h))
{
  const gint rate = 16000;
  gfloat *x = es_test_signal (3000, rate, 21);
  GstHarness *h = setup (400, 160, "hamming", AUDIO_CAPS (16000));
  GstBuffer *out;
  GstMapInfo map;

  /* 700 samples: frame 0 out, frame 1 half filled */
  fail_unless_equals_int (push_samples (h, x, 700, 0, 0), GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (h));
  if (between)
    between (h);
  fail_unless_equals_int (push_samples (h, x + 1000, 2000, t1, flags),
      GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), t1);
  fail_unless_equals_uint64 (GST_BUFFER_OFFSET (out), 0);
  fail_unless (GST_BUFFER_FLAG_IS_SET (out, GST_BUFFER_FLAG_DISCONT));
  gst_buffer_map (out, &map, GST_MAP_READ);
  check_frames ((const gfloat *) map.data, map.size / 1600, x + 1000, 2000,
      400, 160, "hamming");
  gst_buffer_unmap (out, &map);
  gst_buffer_unref (out);
  g_free (x);
  gst_harness_teardown (h);
}

static void
flush (GstHarness * h)
{
  es_harness_flush (h);
}

static void
restart_states (GstHarness * h)
{
  fail_unless (gst_element_set_state (h->element, GST_STATE_READY) ==
      GST_STATE_CHANGE_SUCCESS);
  fail_unless (gst_element_set_state (h->element, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_SUCCESS);
}

GST_START_TEST (test_discont_and_flush)
{
  /* DISCONT flag, timestamp continuous */
  check_restart (GST_BUFFER_FLAG_DISCONT, 700 * GST_SECOND / 16000, NULL);
  /* DISCONT flag and a new time */
  check_restart (GST_BUFFER_FLAG_DISCONT, 5 * GST_SECOND, NULL);
  /* no flag, but a timestamp jump of more than half a hop */
  check_restart (0, 700 * GST_SECOND / 16000 + 6 * GST_MSECOND, NULL);
  /* flush */
  check_restart (0, 2 * GST_SECOND, flush);
  /* READY -> PAUSED */
  check_restart (0, 2 * GST_SECOND, restart_states);
}

GST_END_TEST;

GST_START_TEST (test_rate_change)
{
  gfloat *x = es_test_signal (2000, 8000, 2);
  GstHarness *h = setup (400, 160, "hamming", AUDIO_CAPS (16000));
  GstCaps *caps;
  GstBuffer *out;
  GstMapInfo map;
  gint rate, num, den;

  fail_unless_equals_int (push_samples (h, x, 500, 0, 0), GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (h));

  gst_harness_set_src_caps_str (h, AUDIO_CAPS (8000));
  fail_unless_equals_int (push_samples (h, x, 2000, GST_SECOND, 0),
      GST_FLOW_OK);
  out = gst_harness_pull (h);
  caps = gst_pad_get_current_caps (h->sinkpad);
  fail_unless (gst_structure_get_int (gst_caps_get_structure (caps, 0),
          "rate", &rate));
  fail_unless_equals_int (rate, 8000);
  fail_unless (gst_structure_get_fraction (gst_caps_get_structure (caps, 0),
          "framerate", &num, &den));
  fail_unless_equals_int (num, 50);
  fail_unless_equals_int (den, 1);
  gst_caps_unref (caps);

  /* framing restarted at the new rate: frame k at 1 s + k * 20 ms */
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), GST_SECOND);
  fail_unless_equals_uint64 (GST_BUFFER_DURATION (out),
      gst_buffer_get_size (out) / 1600 * 20 * GST_MSECOND);
  gst_buffer_map (out, &map, GST_MAP_READ);
  check_frames ((const gfloat *) map.data, map.size / 1600, x, 2000, 400, 160,
      "hamming");
  gst_buffer_unmap (out, &map);
  gst_buffer_unref (out);
  g_free (x);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_short_and_empty)
{
  gfloat *x = es_test_signal (400, 16000, 4);
  GstHarness *h = setup (400, 160, "hamming", AUDIO_CAPS (16000));
  GstBuffer *odd, *out;
  guint i;

  /* empty buffers and buffers shorter than a frame: no output, no error */
  fail_unless_equals_int (gst_harness_push (h, gst_buffer_new ()),
      GST_FLOW_OK);
  fail_unless_equals_int (push_samples (h, x, 1, 0, 0), GST_FLOW_OK);
  fail_unless_equals_int (push_samples (h, x + 1, 398,
          gst_util_uint64_scale_int (1, GST_SECOND, 16000), 0), GST_FLOW_OK);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 0);
  /* the 400th sample completes frame 0 */
  fail_unless_equals_int (push_samples (h, x + 399, 1,
          gst_util_uint64_scale_int (399, GST_SECOND, 16000), 0), GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless_equals_int (gst_buffer_get_size (out), 1600);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), 0);
  fail_unless_equals_uint64 (GST_BUFFER_DURATION (out), 10 * GST_MSECOND);
  gst_buffer_unref (out);

  /* EOS passes through; the trailing partial frame is not output */
  for (i = 0; i < 3; i++)
    fail_unless_equals_int (push_samples (h, x, 50, GST_CLOCK_TIME_NONE, 0),
        GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 0);
  {
    GstEvent *ev;
    gboolean eos = FALSE;

    while ((ev = gst_harness_try_pull_event (h)) != NULL) {
      eos |= GST_EVENT_TYPE (ev) == GST_EVENT_EOS;
      gst_event_unref (ev);
    }
    fail_unless (eos);
  }
  gst_harness_teardown (h);

  /* a buffer that is not whole F32 samples: error, no crash */
  h = setup (400, 160, "hamming", AUDIO_CAPS (16000));
  odd = gst_buffer_new_allocate (NULL, 7, NULL);
  gst_buffer_memset (odd, 0, 0, 7);
  fail_unless_equals_int (gst_harness_push (h, odd), GST_FLOW_ERROR);
  gst_harness_teardown (h);
  g_free (x);
}

GST_END_TEST;

GST_START_TEST (test_non_finite)
{
  gfloat x[600];
  GstHarness *h = setup (400, 160, "rectangular", AUDIO_CAPS (16000));
  GstBuffer *out;
  gfloat y[2 * 400];
  guint i;

  for (i = 0; i < 600; i++)
    x[i] = 0.5f;
  x[100] = NAN;
  x[450] = INFINITY;
  fail_unless_equals_int (push_samples (h, x, 600, 0, 0), GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless_equals_int (gst_buffer_get_size (out), sizeof (y));
  gst_buffer_extract (out, 0, y, sizeof (y));
  gst_buffer_unref (out);
  /* frames carry the values through unchanged (gammatonefb handles them) */
  fail_unless (isnan (y[100]));
  fail_unless (isinf (y[400 + 450 - 160]));
  fail_unless (isnan (y[400 + 100 - 160]) == FALSE);
  fail_unless_equals_float (y[0], 0.5f);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_latency)
{
  GstHarness *h = setup (400, 160, "hamming", AUDIO_CAPS (16000));

  gst_harness_set_upstream_latency (h, 5 * GST_MSECOND);
  fail_unless_equals_int (push_samples (h, (gfloat[400]) { 0 }, 400, 0, 0),
      GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (h));
  /* own latency = frame-size / rate = 25 ms */
  fail_unless_equals_uint64 (gst_harness_query_latency (h),
      30 * GST_MSECOND);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_properties)
{
  GstElement *e = gst_element_factory_make ("hammingframe", NULL);
  GObjectClass *klass = G_OBJECT_GET_CLASS (e);
  GParamSpecUInt *fs =
      G_PARAM_SPEC_UINT (g_object_class_find_property (klass, "frame-size"));
  GParamSpecUInt *hs =
      G_PARAM_SPEC_UINT (g_object_class_find_property (klass, "hop-size"));
  GParamSpecEnum *win =
      G_PARAM_SPEC_ENUM (g_object_class_find_property (klass, "window"));
  GParamSpecUInt64 *fd = G_PARAM_SPEC_UINT64 (g_object_class_find_property
      (klass, "frame-duration"));
  GParamSpecUInt64 *hd = G_PARAM_SPEC_UINT64 (g_object_class_find_property
      (klass, "hop-duration"));

  fail_unless_equals_int (fs->default_value, 400);
  fail_unless_equals_int (fs->minimum, 1);
  fail_unless_equals_int (hs->default_value, 160);
  fail_unless_equals_int (hs->minimum, 1);
  fail_unless_equals_uint64 (fd->default_value, 0);
  fail_unless_equals_uint64 (hd->default_value, 0);
  fail_unless (g_enum_get_value_by_nick (win->enum_class, "hamming"));
  fail_unless (g_enum_get_value_by_nick (win->enum_class, "hann"));
  fail_unless (g_enum_get_value_by_nick (win->enum_class, "rectangular"));
  fail_unless_equals_int (win->default_value,
      g_enum_get_value_by_nick (win->enum_class, "hamming")->value);
  gst_object_unref (e);
}

GST_END_TEST;

/* Changing the geometry while streaming renegotiates and restarts. */
GST_START_TEST (test_runtime_property_change)
{
  gfloat *x = es_test_signal (1000, 16000, 9);
  GstHarness *h = setup (400, 160, "hamming", AUDIO_CAPS (16000));
  GstCaps *caps;
  GstBuffer *out;
  gint v;

  fail_unless_equals_int (push_samples (h, x, 500, 0, 0), GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (h));
  g_object_set (h->element, "frame-size", 200, "hop-size", 100, NULL);
  fail_unless_equals_int (push_samples (h, x, 1000, 500 * GST_SECOND / 16000,
          0), GST_FLOW_OK);
  out = gst_harness_pull (h);
  caps = gst_pad_get_current_caps (h->sinkpad);
  fail_unless (gst_structure_get_int (gst_caps_get_structure (caps, 0),
          "frame-size", &v));
  fail_unless_equals_int (v, 200);
  gst_caps_unref (caps);
  fail_unless_equals_int (gst_buffer_get_size (out), 9 * 200 * 4);
  gst_buffer_unref (out);
  g_free (x);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Durations keep their meaning at any rate; the caps carry samples. */
GST_START_TEST (test_durations)
{
  static const struct
  {
    const gchar *caps;
    gint rate, frame_size, hop_size;
  } cases[] = {
    {AUDIO_CAPS (16000), 16000, 400, 160},
    {AUDIO_CAPS (44100), 44100, 1103, 441},    /* 1102.5 rounds up */
    {AUDIO_CAPS (8000), 8000, 200, 80},
  };
  guint c;

  for (c = 0; c < G_N_ELEMENTS (cases); c++) {
    GstHarness *h = gst_harness_new ("hammingframe");
    gfloat *x = es_test_signal (4000, 16000, c);
    GstCaps *caps;
    GstStructure *s;
    GstBuffer *out;
    GstMapInfo map;
    gint v, num, den;

    /* frame-size/hop-size set too: the durations win */
    g_object_set (h->element, "frame-size", 7, "hop-size", 3,
        "frame-duration", 25 * GST_MSECOND, "hop-duration", 10 * GST_MSECOND,
        NULL);
    gst_harness_set_src_caps_str (h, cases[c].caps);
    fail_unless_equals_int (push_samples (h, x, 4000, 0, 0), GST_FLOW_OK);
    out = gst_harness_pull (h);
    caps = gst_pad_get_current_caps (h->sinkpad);
    s = gst_caps_get_structure (caps, 0);
    fail_unless (gst_structure_get_int (s, "frame-size", &v));
    fail_unless_equals_int (v, cases[c].frame_size);
    fail_unless (gst_structure_get_int (s, "hop-size", &v));
    fail_unless_equals_int (v, cases[c].hop_size);
    fail_unless (gst_structure_get_fraction (s, "framerate", &num, &den));
    fail_unless_equals_int (num, 100);
    fail_unless_equals_int (den, 1);
    gst_caps_unref (caps);

    gst_buffer_map (out, &map, GST_MAP_READ);
    check_frames ((const gfloat *) map.data,
        map.size / (cases[c].frame_size * sizeof (gfloat)), x, 4000,
        cases[c].frame_size, cases[c].hop_size, "hamming");
    gst_buffer_unmap (out, &map);
    gst_buffer_unref (out);

    /* latency is the negotiated frame, not the frame-size property */
    fail_unless_equals_uint64 (gst_harness_query_latency (h),
        gst_util_uint64_scale_int_ceil (cases[c].frame_size, GST_SECOND,
            cases[c].rate));
    g_free (x);
    gst_harness_teardown (h);
  }
}

GST_END_TEST;

/* A duration at a rate downstream fixes in samples: only the matching rate
 * negotiates. */
GST_START_TEST (test_duration_caps)
{
  GstHarness *h = gst_harness_new ("hammingframe");

  g_object_set (h->element, "frame-duration", 32 * GST_MSECOND, NULL);
  gst_harness_set_sink_caps_str (h, "application/x-earshot-frames, "
      "frame-size=(int)512");
  fail_if (es_harness_caps_refused (h, AUDIO_CAPS (16000)));
  fail_unless (es_harness_caps_refused (h, AUDIO_CAPS (44100)));
  /* 32 ms rounds to 512 samples from 15985 Hz (511.52) to 16015 Hz (512.48) */
  fail_if (es_harness_caps_refused (h, AUDIO_CAPS (15985)));
  fail_if (es_harness_caps_refused (h, AUDIO_CAPS (16015)));
  fail_unless (es_harness_caps_refused (h, AUDIO_CAPS (15984)));
  fail_unless (es_harness_caps_refused (h, AUDIO_CAPS (16016)));
  gst_harness_teardown (h);

  /* both sizes fixed downstream: the rates must satisfy both */
  h = gst_harness_new ("hammingframe");
  g_object_set (h->element, "frame-duration", 25 * GST_MSECOND,
      "hop-duration", 10 * GST_MSECOND, NULL);
  gst_harness_set_sink_caps_str (h, "application/x-earshot-frames, "
      "frame-size=(int)400, hop-size=(int)160");
  fail_if (es_harness_caps_refused (h, AUDIO_CAPS (16000)));
  fail_unless (es_harness_caps_refused (h, AUDIO_CAPS (16060)));
  gst_harness_teardown (h);

  /* back to samples when the duration is 0 again */
  h = gst_harness_new ("hammingframe");
  g_object_set (h->element, "frame-duration", 32 * GST_MSECOND, NULL);
  g_object_set (h->element, "frame-duration", (guint64) 0, NULL);
  gst_harness_set_sink_caps_str (h, "application/x-earshot-frames, "
      "frame-size=(int)400");
  fail_if (es_harness_caps_refused (h, AUDIO_CAPS (44100)));
  gst_harness_teardown (h);
}

GST_END_TEST;

/* In-range settings whose output cannot be held: frame-size 1048576 and
 * hop-size 1 make 65537 frames of 4 MiB (256 GiB) from one buffer. The
 * element used to abort the process on the allocation; now it posts a clear
 * element error and returns GST_FLOW_ERROR. */
GST_START_TEST (test_huge_output)
{
  GstHarness *h = setup (1 << 20, 1, "hamming", AUDIO_CAPS (16000));
  GstBus *bus = es_harness_bus (h);
  gsize n = (1 << 20) + 65536;
  gfloat *x = g_new0 (gfloat, n);
  GstMessage *msg;
  GError *err = NULL;

  fail_unless_equals_int (push_samples (h, x, n, 0, 0), GST_FLOW_ERROR);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL);
  gst_message_parse_error (msg, &err, NULL);
  fail_unless (strstr (err->message, "65537 frames") != NULL
      && strstr (err->message, "use a larger hop-size") != NULL, "%s", err->message);
  g_error_free (err);
  gst_message_unref (msg);
  /* the other messages (latency) hold the element: drop them */
  gst_bus_set_flushing (bus, TRUE);
  gst_object_unref (bus);
  g_free (x);
  gst_harness_teardown (h);

  /* the same settings work where the output fits: 16 frames of 4 MiB */
  h = setup (1 << 20, 1, "rectangular", AUDIO_CAPS (16000));
  n = (1 << 20) + 15;
  x = g_new0 (gfloat, n);
  x[n - 1] = 1.0f;
  fail_unless_equals_int (push_samples (h, x, n, 0, 0), GST_FLOW_OK);
  {
    GstBuffer *out = gst_harness_pull (h);
    GstMapInfo map;

    fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
    fail_unless_equals_int (map.size, 16 * ((gsize) 1 << 20) * sizeof (gfloat));
    fail_unless_equals_float (((gfloat *) map.data)[map.size / sizeof (gfloat) - 1], 1.0f);
    gst_buffer_unmap (out, &map);
    gst_buffer_unref (out);
  }
  g_free (x);
  gst_harness_teardown (h);
}

GST_END_TEST;

static Suite *
hammingframe_suite (void)
{
  Suite *s = suite_create ("hammingframe");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_caps);
  tcase_add_test (tc, test_window_values);
  tcase_add_test (tc, test_split_invariance);
  tcase_add_test (tc, test_timestamps);
  tcase_add_test (tc, test_discont_and_flush);
  tcase_add_test (tc, test_rate_change);
  tcase_add_test (tc, test_short_and_empty);
  tcase_add_test (tc, test_non_finite);
  tcase_add_test (tc, test_latency);
  tcase_add_test (tc, test_properties);
  tcase_add_test (tc, test_runtime_property_change);
  tcase_add_test (tc, test_durations);
  tcase_add_test (tc, test_duration_caps);
  tcase_add_test (tc, test_huge_output);
  return s;
}

GST_CHECK_MAIN (hammingframe);
