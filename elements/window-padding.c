/* earshot: completing a stream shorter than one window; see window-padding.h
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "window-padding.h"

#include "decide/windows.h"
#include "dsp/frame-time.h"

/* 64 Mi samples (256 MB of float32, over an hour at 16 kHz) */
#define MAX_PADDING_SAMPLES ((guint64) 1 << 26)

GST_DEBUG_CATEGORY_STATIC (es_window_padding_debug);
#define GST_CAT_DEFAULT es_window_padding_debug

static void
es_window_padding_debug_init (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    GST_DEBUG_CATEGORY_INIT (es_window_padding_debug, "earshot-window-padding",
        0, "earshot: completing streams shorter than one window");
    g_once_init_leave (&done, 1);
  }
}

gboolean
es_window_query_is (GstQuery * query)
{
  const GstStructure *s;

  if (GST_QUERY_TYPE (query) != GST_QUERY_CUSTOM)
    return FALSE;
  s = gst_query_get_structure (query);
  return s != NULL && gst_structure_has_name (s, ES_WINDOW_QUERY);
}

gboolean
es_window_query_run (GstPad * srcpad, guint * frames, guint * frame_size,
    guint * hop_size)
{
  GstQuery *query = gst_query_new_custom (GST_QUERY_CUSTOM,
      gst_structure_new_empty (ES_WINDOW_QUERY));
  const GstStructure *s;
  gboolean answered;

  *frames = *frame_size = *hop_size = 0;
  answered = gst_pad_peer_query (srcpad, query);
  s = gst_query_get_structure (query);
  answered = answered && gst_structure_get_uint (s, "frames", frames)
      && *frames > 0;
  if (answered && (!gst_structure_get_uint (s, "frame-size", frame_size)
          || !gst_structure_get_uint (s, "hop-size", hop_size)))
    *frame_size = *hop_size = 0;
  gst_query_unref (query);
  return answered;
}

void
es_window_query_set_frames (GstQuery * query, guint frames)
{
  gst_structure_set (gst_query_writable_structure (query), "frames",
      G_TYPE_UINT, frames, NULL);
}

void
es_window_query_set_framing (GstQuery * query, guint frame_size,
    guint hop_size)
{
  gst_structure_set (gst_query_writable_structure (query), "frame-size",
      G_TYPE_UINT, frame_size, "hop-size", G_TYPE_UINT, hop_size, NULL);
}

guint64
es_window_padding_begin (GstPad * srcpad, guint64 n_samples, GstClockTime t0,
    gint rate, guint frame_size, guint hop_size, GstClockTime * pts,
    GstClockTime * duration)
{
  guint frames, answer_frame, answer_hop;
  guint64 padding;
  GstClockTime end;

  es_window_padding_debug_init ();
  *pts = *duration = GST_CLOCK_TIME_NONE;
  if (n_samples == 0 || rate <= 0
      || !es_window_query_run (srcpad, &frames, &answer_frame, &answer_hop))
    return 0;
  if (frame_size == 0 || hop_size == 0) {
    frame_size = answer_frame;
    hop_size = answer_hop;
  }
  if (frame_size == 0 || hop_size == 0)
    return 0;                   /* nothing frames the audio downstream */
  padding = es_window_padding (n_samples, frames, frame_size, hop_size);
  if (padding == 0)
    return 0;
  if (padding > MAX_PADDING_SAMPLES) {
    /* a window of absurd length (a hand-made model): no decision, rather
     * than gigabytes of zeros */
    GST_WARNING_OBJECT (srcpad, "one window of %u frames is %" G_GUINT64_FORMAT
        " samples: not completing the stream", frames, n_samples + padding);
    return 0;
  }
  /* times from the sample count alone, as hammingframe stamps its frames */
  *pts = es_frame_time (t0, n_samples, GST_SECOND, (guint64) rate);
  end = es_frame_time (t0, n_samples + padding, GST_SECOND, (guint64) rate);
  if (GST_CLOCK_TIME_IS_VALID (*pts) && GST_CLOCK_TIME_IS_VALID (end))
    *duration = end - *pts;
  GST_DEBUG_OBJECT (srcpad, "%" G_GUINT64_FORMAT " samples are shorter than "
      "one window of %u frames: %" G_GUINT64_FORMAT " samples of silence from %"
      GST_TIME_FORMAT, n_samples, frames, padding, GST_TIME_ARGS (*pts));
  gst_pad_push_event (srcpad, gst_event_new_custom (GST_EVENT_CUSTOM_DOWNSTREAM,
          gst_structure_new (ES_WINDOW_PADDING_EVENT,
              "start", G_TYPE_UINT64, *pts,
              "duration", G_TYPE_UINT64, *duration,
              "samples", G_TYPE_UINT64, padding, NULL)));
  return padding;
}

gboolean
es_window_padding_parse (GstEvent * event, GstClockTime * start,
    GstClockTime * duration)
{
  const GstStructure *s;

  if (GST_EVENT_TYPE (event) != GST_EVENT_CUSTOM_DOWNSTREAM)
    return FALSE;
  s = gst_event_get_structure (event);
  if (s == NULL || !gst_structure_has_name (s, ES_WINDOW_PADDING_EVENT))
    return FALSE;
  *start = *duration = GST_CLOCK_TIME_NONE;
  gst_structure_get_uint64 (s, "start", start);
  gst_structure_get_uint64 (s, "duration", duration);
  return TRUE;
}
