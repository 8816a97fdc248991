/* Decoding audio files for the CLI (see audio-decode.h). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <gst/app/gstappsink.h>

#include "audio-decode.h"

typedef struct {
  GstElement *convert;
  gboolean linked;
} DecodeLink;

/* Link the first audio stream decodebin exposes; others stay unlinked. */
static void
on_pad_added (GstElement * decodebin, GstPad * pad, gpointer user_data)
{
  DecodeLink *link = user_data;
  GstCaps *caps;
  gboolean audio = FALSE;

  if (link->linked)
    return;
  caps = gst_pad_get_current_caps (pad);
  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  if (caps && !gst_caps_is_empty (caps) && !gst_caps_is_any (caps))
    audio = g_str_has_prefix (gst_structure_get_name (gst_caps_get_structure (caps, 0)),
        "audio/");
  if (caps)
    gst_caps_unref (caps);
  if (audio) {
    GstPad *sinkpad = gst_element_get_static_pad (link->convert, "sink");
    link->linked = gst_pad_link (pad, sinkpad) == GST_PAD_LINK_OK;
    gst_object_unref (sinkpad);
  }
}

/* Without an audio stream nothing would reach the sink: fail, do not wait. */
static void
on_no_more_pads (GstElement * decodebin, gpointer user_data)
{
  DecodeLink *link = user_data;

  if (!link->linked)
    GST_ELEMENT_ERROR (decodebin, STREAM, WRONG_TYPE, ("no audio stream in the file"),
        (NULL));
}

gboolean
es_cli_decode_audio (const char *path, int rate, gsize max_samples, float **samples,
    gsize * n_samples, guint * n_warnings, GError ** error)
{
  GstElement *pipeline, *src, *decode, *convert, *resample, *filter, *sink;
  DecodeLink link = { NULL, FALSE };
  GByteArray *data = NULL;
  GstCaps *caps;
  GstBus *bus;
  GStatBuf st;
  gboolean ok = TRUE, done = FALSE;
  guint warnings = 0;

  *samples = NULL;
  *n_samples = 0;
  if (g_stat (path, &st) != 0) {
    int e = errno;
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "%s", g_strerror (e));
    return FALSE;
  }
  /* a FIFO or device would block or never end */
  if (!S_ISREG (st.st_mode)) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "not a regular file");
    return FALSE;
  }

  pipeline = gst_pipeline_new ("decode");
  src = gst_element_factory_make ("filesrc", NULL);
  decode = gst_element_factory_make ("decodebin", NULL);
  convert = gst_element_factory_make ("audioconvert", NULL);
  resample = gst_element_factory_make ("audioresample", NULL);
  filter = gst_element_factory_make ("capsfilter", NULL);
  sink = gst_element_factory_make ("appsink", NULL);
  if (!src || !decode || !convert || !resample || !filter || !sink) {
    GstElement *all[] = { src, decode, convert, resample, filter, sink };
    for (gsize i = 0; i < G_N_ELEMENTS (all); i++)
      if (all[i])
        gst_object_unref (gst_object_ref_sink (all[i]));
    gst_object_unref (pipeline);
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
        "GStreamer's decoders are missing (install gstreamer1.0-plugins-base)");
    return FALSE;
  }
  gst_bin_add_many (GST_BIN (pipeline), src, decode, convert, resample, filter, sink, NULL);
  g_object_set (src, "location", path, NULL);
  caps = gst_caps_new_simple ("audio/x-raw", "format", G_TYPE_STRING, "F32LE",
      "channels", G_TYPE_INT, 1, "rate", G_TYPE_INT, rate,
      "layout", G_TYPE_STRING, "interleaved", NULL);
  g_object_set (filter, "caps", caps, NULL);
  gst_caps_unref (caps);
  /* pull as fast as possible, a bounded queue in between */
  g_object_set (sink, "sync", FALSE, "max-buffers", 64, "drop", FALSE, NULL);
  gst_element_link (src, decode);
  gst_element_link_many (convert, resample, filter, sink, NULL);
  link.convert = convert;
  g_signal_connect (decode, "pad-added", G_CALLBACK (on_pad_added), &link);
  g_signal_connect (decode, "no-more-pads", G_CALLBACK (on_no_more_pads), &link);

  data = g_byte_array_new ();
  bus = gst_element_get_bus (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  while (!done) {
    GstSample *sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink),
        100 * GST_MSECOND);
    GstMessage *msg;

    if (sample) {
      GstBuffer *buffer = gst_sample_get_buffer (sample);
      GstMapInfo map;
      if (buffer && gst_buffer_map (buffer, &map, GST_MAP_READ)) {
        if ((data->len + map.size) / sizeof (float) > max_samples) {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
              "longer than %.0f s, the most this command reads at %d Hz",
              (double) max_samples / rate, rate);
          ok = FALSE;
          done = TRUE;
        } else {
          g_byte_array_append (data, map.data, (guint) map.size);
        }
        gst_buffer_unmap (buffer, &map);
      }
      gst_sample_unref (sample);
    } else if (gst_app_sink_is_eos (GST_APP_SINK (sink))) {
      done = TRUE;
    }
    while (!done && (msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR
                | GST_MESSAGE_WARNING))) {
      if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
        GError *err = NULL;
        gst_message_parse_error (msg, &err, NULL);
        if (err && g_error_matches (err, GST_STREAM_ERROR, GST_STREAM_ERROR_TYPE_NOT_FOUND))
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
              "not an audio file GStreamer can decode (%s)", err->message);
        else
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "cannot decode: %s",
              err ? err->message : "unknown error");
        g_clear_error (&err);
        ok = FALSE;
        done = TRUE;
      } else {
        warnings++;
      }
      gst_message_unref (msg);
    }
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);

  if (n_warnings)
    *n_warnings = warnings;
  if (!ok) {
    g_byte_array_free (data, TRUE);
    return FALSE;
  }
  *n_samples = data->len / sizeof (float);
  *samples = *n_samples > 0 ? (float *) g_byte_array_free (data, FALSE)
      : (g_byte_array_free (data, TRUE), NULL);
  return TRUE;
}
