/* Whole live pipelines on generated streams: the audio front-end feeding
 * cnnclassify windows, with a hand-weighted model (live-assets.c) and tone
 * bursts at known times; events, summary, resampling, gaps in the audio,
 * live sources. */
#include <math.h>
#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>

#include "live-assets.h"

static char *dir;

#define Q (GST_SECOND / 4)
#define FRONT_END "preemphasis ! hammingframe frame-size=400 hop-size=160 " \
  "! gammatonefb bands=16 fmin=50 fmax=8000"
#define PLAIN "average-windows=1 vote-k=1 vote-n=1 refractory=0 " \
  "on-threshold=0.6 off-threshold=0.4"

static void
setup (void)
{
  dir = g_dir_make_tmp ("es-live-XXXXXX", NULL);
  fail_unless (dir != NULL);
  fail_unless (live_assets_write (dir));
}

static void
remove_dir (const char *path)
{
  GDir *d = g_dir_open (path, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d)) != NULL) {
    char *file = g_build_filename (path, name, NULL);

    g_unlink (file);
    g_free (file);
  }
  if (d)
    g_dir_close (d);
  g_rmdir (path);
}

static void
teardown (void)
{
  remove_dir (dir);
  g_free (dir);
}

typedef struct
{
  GPtrArray *events;            /* GstStructure copies of cnnclassify-event */
  GstStructure *summary;
  gchar *error;
} Outcome;

static void
outcome_clear (Outcome * o)
{
  g_ptr_array_unref (o->events);
  if (o->summary)
    gst_structure_free (o->summary);
  g_free (o->error);
}

/* Runs the launch line (FILE and MODEL replaced) to EOS or an error. */
static Outcome
run_line (const char *line)
{
  Outcome o = { g_ptr_array_new_with_free_func ((GDestroyNotify)
        gst_structure_free), NULL, NULL
  };
  GError *err = NULL;
  GstElement *pipeline = gst_parse_launch (line, &err);
  GstBus *bus;
  gboolean done = FALSE;

  fail_unless (pipeline != NULL, "%s: %s", line, err ? err->message : "");
  bus = gst_element_get_bus (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  while (!done) {
    GstMessage *msg = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
        GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_ELEMENT);

    fail_unless (msg != NULL, "timed out: %s", line);
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
      gst_message_parse_error (msg, &err, NULL);
      o.error = g_strdup (err->message);
      g_clear_error (&err);
      done = TRUE;
    } else if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS) {
      done = TRUE;
    } else {
      const GstStructure *s = gst_message_get_structure (msg);

      if (gst_structure_has_name (s, "cnnclassify-event"))
        g_ptr_array_add (o.events, gst_structure_copy (s));
      else if (gst_structure_has_name (s, "cnnclassify-summary"))
        o.summary = gst_structure_copy (s);
    }
    gst_message_unref (msg);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  return o;
}

static char *
file_line (const char *file, unsigned rate, const char *model,
    const char *props)
{
  /* the models' front-end: 25 ms frames every 10 ms, 16 bands to rate/2 */
  return g_strdup_printf ("filesrc location=\"%s/%s\" ! wavparse "
      "! audioconvert ! audioresample ! audio/x-raw,format=F32LE,channels=1,"
      "rate=%u ! preemphasis ! hammingframe frame-size=%u hop-size=%u "
      "! gammatonefb bands=16 fmin=50 fmax=%u ! cnnclassify name=c "
      "model=\"%s/%s\" post-messages=false %s ! fakesink", dir, file, rate,
      rate / 40, rate / 100, rate / 2, dir, model, props);
}

static const GstStructure *
find_event (Outcome * o, const char *kind, const char *label, guint nth)
{
  for (guint i = 0; i < o->events->len; i++) {
    const GstStructure *s = g_ptr_array_index (o->events, i);

    if (g_str_equal (gst_structure_get_string (s, "event"), kind)
        && g_str_equal (gst_structure_get_string (s, "label"), label)
        && nth-- == 0)
      return s;
  }
  return NULL;
}

static guint64
field_time (const GstStructure * s, const char *name)
{
  guint64 t = 0;

  fail_unless (gst_structure_get_uint64 (s, name, &t), "no %s", name);
  return t;
}

static void
expect_times (Outcome * o, const char *label, guint nth, guint64 onset,
    guint64 offset, guint64 tolerance)
{
  const GstStructure *start = find_event (o, "start", label, nth);
  const GstStructure *end = find_event (o, "end", label, nth);
  gint64 d_on, d_off;

  fail_unless (start != NULL && end != NULL, "no %s event %u", label, nth);
  d_on = (gint64) field_time (start, "onset") - (gint64) onset;
  d_off = (gint64) field_time (end, "offset") - (gint64) offset;
  fail_unless (ABS (d_on) <= (gint64) tolerance, "%s onset %" GST_TIME_FORMAT
      ", expected %" GST_TIME_FORMAT, label,
      GST_TIME_ARGS (field_time (start, "onset")), GST_TIME_ARGS (onset));
  fail_unless (ABS (d_off) <= (gint64) tolerance, "%s offset %"
      GST_TIME_FORMAT ", expected %" GST_TIME_FORMAT, label,
      GST_TIME_ARGS (field_time (end, "offset")), GST_TIME_ARGS (offset));
}

/* The tone is on from 1.0 to 2.0 s; windows of 0.5 s every 0.25 s; a window
 * at least ~30 % tone says "low". Without smoothing or voting the first such
 * window is [0.75, 1.25) s, whose new span starts at 1.0 s, and the last one
 * is [1.75, 2.25) s: the event is exactly [1.0, 2.25) s. */
GST_START_TEST (test_burst_exact_times)
{
  char *line = file_line ("burst.wav", 16000, "tiny-live.safetensors", PLAIN);
  Outcome o = run_line (line);
  guint64 windows = 0;

  fail_unless (o.error == NULL, "%s", o.error);
  expect_times (&o, "low", 0, 4 * Q, 9 * Q, 0);
  fail_unless (find_event (&o, "start", "low", 1) == NULL);
  fail_unless (find_event (&o, "start", "high", 0) == NULL);
  fail_unless (gst_structure_get_uint64 (find_event (&o, "start", "low", 0),
          "stream-time", &windows));
  fail_unless_equals_uint64 (windows, 5 * Q);   /* decided at its end */
  /* the summary: 3.5 s make 12 whole windows, the last ending at 3.25 s */
  fail_unless (o.summary != NULL);
  fail_unless (gst_structure_get_uint64 (o.summary, "windows", &windows));
  fail_unless_equals_uint64 (windows, 12);
  fail_unless_equals_uint64 (field_time (o.summary, "duration"), 13 * Q);
  fail_unless_equals_string (gst_structure_get_string (o.summary, "label"),
      "quiet");
  outcome_clear (&o);
  g_free (line);
}

GST_END_TEST;

/* The defaults (moving average of 2, on 0.8, off 0.5): a hop later. */
GST_START_TEST (test_burst_defaults)
{
  char *line = file_line ("burst.wav", 16000, "tiny-live.safetensors", "");
  Outcome o = run_line (line);

  fail_unless (o.error == NULL, "%s", o.error);
  /* [0.75, 1.25) says low but averages to 0.5 with the window before; with
   * [1.0, 1.5) the mean is 0.99: onset at its new span (1.25 s), decided at
   * its end. [2.0, 2.5) brings the mean to 0.48, above the off-threshold
   * 0.3: the event ends at 2.5 s, the end of that last window at or above it */
  expect_times (&o, "low", 0, 5 * Q, 10 * Q, 0);
  fail_unless_equals_uint64 (field_time (find_event (&o, "start", "low", 0),
          "stream-time"), 6 * Q);
  fail_unless (find_event (&o, "start", "low", 1) == NULL);
  outcome_clear (&o);
  g_free (line);
}

GST_END_TEST;

/* The same audio at 44.1 kHz stereo, and a model at 8 kHz: resampled and
 * downmixed to the model's rate, the same event within a hop. */
GST_START_TEST (test_rates_and_channels)
{
  const char *files[] = { "burst.wav", "burst-44k-stereo.wav" };

  for (guint f = 0; f < G_N_ELEMENTS (files); f++) {
    for (guint m = 0; m < 3; m++) {
      const char *model = m == 0 ? "tiny-live.safetensors"
          : m == 1 ? "tiny-live-8k.safetensors" : "tiny-live-2d.safetensors";
      char *line = file_line (files[f], m == 1 ? 8000 : 16000, model, PLAIN);
      Outcome o = run_line (line);

      fail_unless (o.error == NULL, "%s: %s", line, o.error);
      expect_times (&o, "low", 0, 4 * Q, 9 * Q, Q);
      fail_unless (find_event (&o, "start", "high", 0) == NULL);
      outcome_clear (&o);
      g_free (line);
    }
  }
}

GST_END_TEST;

GST_START_TEST (test_two_labels)
{
  char *line = file_line ("two-tones.wav", 16000, "tiny-live.safetensors",
      PLAIN);
  Outcome o = run_line (line);

  fail_unless (o.error == NULL, "%s", o.error);
  /* 300 Hz 0.5-1.5 s, 2500 Hz 2.0-3.0 s */
  expect_times (&o, "low", 0, 2 * Q, 7 * Q, 0);
  expect_times (&o, "high", 0, 8 * Q, 13 * Q, 0);
  outcome_clear (&o);
  g_free (line);
}

GST_END_TEST;

/* Audio lost after 1.5 s (an xrun: wavparse's buffer starting between 1.5
 * and 1.6 s is dropped): the front-end restarts its
 * framing, cnnclassify ends the event there (reason gap) and starts a new
 * one once a window after the hole says "low" again. */
static GstClockTime hole_end;

static GstPadProbeReturn
drop_probe (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  GstClockTime pts = GST_BUFFER_PTS (buf);

  if (pts >= 1500 * GST_MSECOND && pts < 1600 * GST_MSECOND) {
    hole_end = pts + GST_BUFFER_DURATION (buf);
    return GST_PAD_PROBE_DROP;
  }
  return GST_PAD_PROBE_OK;
}

GST_START_TEST (test_gap_in_audio)
{
  char *line = g_strdup_printf ("filesrc location=\"%s/burst.wav\" ! wavparse "
      "! identity name=hole ! audioconvert "
      "! audio/x-raw,format=F32LE,channels=1,rate=16000 "
      "! " FRONT_END " ! cnnclassify model=\"%s/tiny-live.safetensors\" "
      "post-messages=false " PLAIN " ! fakesink", dir, dir);
  GError *err = NULL;
  GstElement *pipeline = gst_parse_launch (line, &err);
  GstElement *hole;
  GstPad *pad;
  GstBus *bus;
  GstMessage *msg;
  const GstStructure *first_end = NULL, *second = NULL;
  guint n_starts = 0;
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_structure_free);

  fail_unless (pipeline != NULL, "%s", err ? err->message : "");
  hole = gst_bin_get_by_name (GST_BIN (pipeline), "hole");
  pad = gst_element_get_static_pad (hole, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, drop_probe, NULL, NULL);
  gst_object_unref (pad);
  gst_object_unref (hole);
  bus = gst_element_get_bus (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  while ((msg = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
              GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_ELEMENT))) {
    gboolean stop = GST_MESSAGE_TYPE (msg) != GST_MESSAGE_ELEMENT;

    fail_if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR);
    if (!stop && gst_structure_has_name (gst_message_get_structure (msg),
            "cnnclassify-event"))
      g_ptr_array_add (events, gst_structure_copy (gst_message_get_structure
              (msg)));
    gst_message_unref (msg);
    if (stop)
      break;
  }
  for (guint i = 0; i < events->len; i++) {
    const GstStructure *s = g_ptr_array_index (events, i);

    if (!g_str_equal (gst_structure_get_string (s, "label"), "low"))
      continue;
    if (g_str_equal (gst_structure_get_string (s, "event"), "start")) {
      if (++n_starts == 2)
        second = s;
    } else if (first_end == NULL) {
      first_end = s;
    }
  }
  fail_unless (first_end != NULL);
  fail_unless_equals_string (gst_structure_get_string (first_end, "reason"),
      "gap");
  /* the last whole window before the hole is [1.0, 1.5) s */
  fail_unless_equals_uint64 (field_time (first_end, "offset"), 6 * Q);
  /* after the hole, windows count from its end; the first (0.5 s from
   * there, still over half tone) starts the second event */
  fail_unless (hole_end > 1500 * GST_MSECOND && hole_end < 1800 * GST_MSECOND);
  fail_unless (second != NULL);
  fail_unless_equals_uint64 (field_time (second, "onset"), hole_end);
  g_ptr_array_unref (events);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  g_free (line);
}

GST_END_TEST;

/* A live source (audiotestsrc is-live, 1 kHz is neither tone: quiet), at
 * 44.1 kHz stereo into a 16 kHz model; EOS sent to the pipeline as
 * `earshot listen` does on Ctrl-C ends the open event and brings the
 * summary. */
GST_START_TEST (test_live_source_eos)
{
  char *line = g_strdup_printf ("audiotestsrc is-live=true wave=sine "
      "freq=300 volume=0.3 ! audio/x-raw,rate=44100,channels=2 ! queue "
      "! audioconvert ! audioresample ! audio/x-raw,format=F32LE,channels=1,"
      "rate=16000 ! " FRONT_END " ! cnnclassify model=\"%s/tiny-live."
      "safetensors\" post-messages=false ! fakesink sync=false", dir);
  GError *err = NULL;
  GstElement *pipeline = gst_parse_launch (line, &err);
  GstBus *bus;
  GstMessage *msg;
  gboolean saw_start = FALSE, saw_end = FALSE, saw_summary = FALSE;

  fail_unless (pipeline != NULL, "%s", err ? err->message : "");
  bus = gst_element_get_bus (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  while (!saw_start && (msg = gst_bus_timed_pop_filtered (bus,
              10 * GST_SECOND, GST_MESSAGE_ELEMENT | GST_MESSAGE_ERROR))) {
    fail_if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR);
    saw_start = gst_structure_has_name (gst_message_get_structure (msg),
        "cnnclassify-event");
    gst_message_unref (msg);
  }
  fail_unless (saw_start);
  fail_unless (gst_element_send_event (pipeline, gst_event_new_eos ()));
  while ((msg = gst_bus_timed_pop_filtered (bus, 10 * GST_SECOND,
              GST_MESSAGE_ELEMENT | GST_MESSAGE_EOS | GST_MESSAGE_ERROR))) {
    const GstStructure *s = gst_message_get_structure (msg);
    gboolean eos = GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS;

    fail_if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR);
    if (!eos && gst_structure_has_name (s, "cnnclassify-event")) {
      saw_end |= g_str_equal (gst_structure_get_string (s, "event"), "end")
          && g_str_equal (gst_structure_get_string (s, "reason"), "eos")
          && g_str_equal (gst_structure_get_string (s, "label"), "low");
    }
    if (!eos && gst_structure_has_name (s, "cnnclassify-summary")) {
      saw_summary = TRUE;
      fail_unless_equals_string (gst_structure_get_string (s, "label"),
          "low");
    }
    gst_message_unref (msg);
    if (eos)
      break;
  }
  fail_unless (saw_end);
  fail_unless (saw_summary);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  g_free (line);
}

GST_END_TEST;

static Suite *
live_suite (void)
{
  Suite *s = suite_create ("live-pipeline");
  TCase *tc = tcase_create ("pipelines");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_burst_exact_times);
  tcase_add_test (tc, test_burst_defaults);
  tcase_add_test (tc, test_rates_and_channels);
  tcase_add_test (tc, test_two_labels);
  tcase_add_test (tc, test_gap_in_audio);
  tcase_add_test (tc, test_live_source_eos);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (live);
