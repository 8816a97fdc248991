/* Decoding an audio file into memory for the CLI (audio-decode.h). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audio-decode.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <gst/app/gstappsink.h>

/* Nothing from the pipeline (no sample, no message) for this long is a hang. */
#define STALL_SECONDS 60

G_DEFINE_QUARK (es-audio-decode-error-quark, es_audio_decode_error)

typedef struct {
  GstElement *convert;
  gint audio_linked;           /* set on the streaming thread: atomic */
} Decode;

static gboolean
caps_are_audio (GstCaps *caps)
{
  if (caps == NULL || gst_caps_is_empty (caps) || gst_caps_is_any (caps))
    return FALSE;
  return g_str_has_prefix (gst_structure_get_name (gst_caps_get_structure (caps, 0)), "audio/");
}

static void
on_pad_added (GstElement *decodebin, GstPad *pad, gpointer user_data)
{
  Decode *d = user_data;
  GstCaps *caps;
  GstPad *sinkpad;
  gboolean is_audio;

  caps = gst_pad_get_current_caps (pad);
  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  is_audio = caps_are_audio (caps);
  if (caps)
    gst_caps_unref (caps);
  if (!is_audio || g_atomic_int_get (&d->audio_linked)) {
    /* other streams (the video of a film, a second audio track) are
     * discarded: left unlinked they would stop the pipeline */
    GstElement *sink = gst_element_factory_make ("fakesink", NULL);
    GstElement *bin = GST_ELEMENT (gst_element_get_parent (decodebin));
    if (sink && bin) {
      g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
      gst_bin_add (GST_BIN (bin), sink);
      gst_element_sync_state_with_parent (sink);
      sinkpad = gst_element_get_static_pad (sink, "sink");
      gst_pad_link (pad, sinkpad);
      gst_object_unref (sinkpad);
    } else if (sink) {
      gst_object_unref (sink);
    }
    if (bin)
      gst_object_unref (bin);
    return;
  }
  sinkpad = gst_element_get_static_pad (d->convert, "sink");
  if (gst_pad_link (pad, sinkpad) == GST_PAD_LINK_OK)
    g_atomic_int_set (&d->audio_linked, TRUE);
  gst_object_unref (sinkpad);
}

static void
on_no_more_pads (GstElement *decodebin, gpointer user_data)
{
  Decode *d = user_data;
  if (!g_atomic_int_get (&d->audio_linked))
    GST_ELEMENT_ERROR (decodebin, STREAM, WRONG_TYPE, ("no audio stream in the file"), (NULL));
}

static guint32
le32 (const guint8 *p)
{
  return p[0] | p[1] << 8 | p[2] << 16 | (guint32) p[3] << 24;
}

/* For a RIFF/WAVE file: TRUE and the bytes its data chunk promises and the
 * bytes the file holds after the chunk header. Other files: FALSE. */
static gboolean
wave_data_sizes (const char *path, guint64 *promised, guint64 *present)
{
  FILE *f = g_fopen (path, "rb");
  guint8 head[12], chunk[8];
  guint64 size, pos = 12;
  gboolean found = FALSE;
  GStatBuf st;

  if (!f)
    return FALSE;
  if (g_stat (path, &st) != 0 || fread (head, 1, 12, f) != 12 || memcmp (head, "RIFF", 4) != 0
      || memcmp (head + 8, "WAVE", 4) != 0) {
    fclose (f);
    return FALSE;
  }
  size = (guint64) st.st_size;
  /* walk the chunks to "data" (bounded: a chunk header costs 8 bytes) */
  for (int i = 0; i < 1024 && pos + 8 <= size; i++) {
    guint32 len;
    if (fseek (f, (long) pos, SEEK_SET) != 0 || fread (chunk, 1, 8, f) != 8)
      break;
    len = le32 (chunk + 4);
    if (memcmp (chunk, "data", 4) == 0) {
      /* 0 and 0xffffffff mean "unknown" (streamed or RF64 files) */
      if (len != 0 && len != 0xffffffffu) {
        *promised = len;
        *present = size - (pos + 8);
        found = TRUE;
      }
      break;
    }
    pos += 8 + (guint64) len + (len & 1);
  }
  fclose (f);
  return found;
}

float *
es_audio_decode_file (const char *path, unsigned sample_rate, size_t max_samples,
    size_t *n_samples, GError **error)
{
  GstElement *pipeline, *src, *decode, *resample, *filter, *sink;
  GstCaps *caps;
  GstBus *bus;
  GArray *samples = NULL;
  Decode d = { 0 };
  GStatBuf st;
  gboolean done = FALSE, too_long = FALSE, bad_sample = FALSE;
  gint64 idle_since = g_get_monotonic_time ();
  guint64 promised = 0, present = 0;
  float *out = NULL;
  GError *failure = NULL;

  *n_samples = 0;
  g_return_val_if_fail (path != NULL && sample_rate > 0, NULL);
  if (max_samples == 0)
    max_samples = (size_t) ES_AUDIO_DECODE_DEFAULT_MAX_SECONDS * sample_rate;

  if (g_stat (path, &st) != 0) {
    int e = errno;
    g_set_error (error, ES_AUDIO_DECODE_ERROR, ES_AUDIO_DECODE_ERROR_MISSING, "%s",
        g_strerror (e));
    return NULL;
  }
  if (!S_ISREG (st.st_mode)) {
    g_set_error (error, ES_AUDIO_DECODE_ERROR, ES_AUDIO_DECODE_ERROR_NOT_FILE,
        S_ISDIR (st.st_mode) ? "a folder, not an audio file" : "not a regular file");
    return NULL;
  }
  if (st.st_size == 0) {
    g_set_error (error, ES_AUDIO_DECODE_ERROR, ES_AUDIO_DECODE_ERROR_NOT_AUDIO,
        "an empty file, not audio");
    return NULL;
  }
  if (wave_data_sizes (path, &promised, &present) && present < promised) {
    g_set_error (error, ES_AUDIO_DECODE_ERROR, ES_AUDIO_DECODE_ERROR_TRUNCATED,
        "truncated: its WAVE header promises %" G_GUINT64_FORMAT " bytes of samples, "
        "the file holds %" G_GUINT64_FORMAT, promised, present);
    return NULL;
  }

  pipeline = gst_pipeline_new ("audio-decode");
  src = gst_element_factory_make ("filesrc", NULL);
  decode = gst_element_factory_make ("decodebin", NULL);
  d.convert = gst_element_factory_make ("audioconvert", NULL);
  resample = gst_element_factory_make ("audioresample", NULL);
  filter = gst_element_factory_make ("capsfilter", NULL);
  sink = gst_element_factory_make ("appsink", NULL);
  if (!src || !decode || !d.convert || !resample || !filter || !sink) {
    g_set_error (error, ES_AUDIO_DECODE_ERROR, ES_AUDIO_DECODE_ERROR_FAILED,
        "a GStreamer element is missing (filesrc, decodebin, audioconvert, audioresample, "
        "capsfilter, appsink: gstreamer1.0-plugins-base)");
    gst_clear_object (&src);
    gst_clear_object (&decode);
    gst_clear_object (&d.convert);
    gst_clear_object (&resample);
    gst_clear_object (&filter);
    gst_clear_object (&sink);
    gst_object_unref (pipeline);
    return NULL;
  }
  g_object_set (src, "location", path, NULL);
  caps = gst_caps_new_simple ("audio/x-raw", "format", G_TYPE_STRING, "F32LE",
      "layout", G_TYPE_STRING, "interleaved", "channels", G_TYPE_INT, 1,
      "rate", G_TYPE_INT, (int) sample_rate, NULL);
  g_object_set (filter, "caps", caps, NULL);
  gst_caps_unref (caps);
  g_object_set (sink, "sync", FALSE, "max-buffers", 16, "drop", FALSE, NULL);
  gst_bin_add_many (GST_BIN (pipeline), src, decode, d.convert, resample, filter, sink, NULL);
  if (!gst_element_link (src, decode)
      || !gst_element_link_many (d.convert, resample, filter, sink, NULL)) {
    g_set_error (error, ES_AUDIO_DECODE_ERROR, ES_AUDIO_DECODE_ERROR_FAILED,
        "could not build the decoding pipeline");
    gst_object_unref (pipeline);
    return NULL;
  }
  g_signal_connect (decode, "pad-added", G_CALLBACK (on_pad_added), &d);
  g_signal_connect (decode, "no-more-pads", G_CALLBACK (on_no_more_pads), &d);

  samples = g_array_new (FALSE, FALSE, sizeof (float));
  bus = gst_element_get_bus (pipeline);
  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    GstMessage *m = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    if (!m) {
      g_set_error (&failure, ES_AUDIO_DECODE_ERROR, ES_AUDIO_DECODE_ERROR_MISSING,
          "could not be opened");
      done = TRUE;
    } else {
      /* handled by the loop below */
      gst_bus_post (bus, m);
    }
  }

  while (!done) {
    GstSample *sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 20 * GST_MSECOND);
    GstMessage *m;

    if (sample) {
      GstBuffer *buffer = gst_sample_get_buffer (sample);
      GstMapInfo map;
      idle_since = g_get_monotonic_time ();
      if (buffer && gst_buffer_map (buffer, &map, GST_MAP_READ)) {
        size_t n = map.size / sizeof (float);
        const float *v = (const float *) map.data;
        if (samples->len + n > max_samples) {
          too_long = TRUE;
          done = TRUE;
        } else {
          for (size_t i = 0; i < n; i++)
            if (!isfinite (v[i]))
              bad_sample = TRUE;
          g_array_append_vals (samples, v, n);
        }
        gst_buffer_unmap (buffer, &map);
      }
      gst_sample_unref (sample);
      if (bad_sample)
        done = TRUE;
      continue;
    }
    if (gst_app_sink_is_eos (GST_APP_SINK (sink)))
      break;
    m = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    if (m) {
      GError *err = NULL;
      gchar *debug = NULL;
      gst_message_parse_error (m, &err, &debug);
      if (!g_atomic_int_get (&d.audio_linked)) {
        gboolean opened = !(err->domain == GST_RESOURCE_ERROR);
        g_set_error (&failure, ES_AUDIO_DECODE_ERROR,
            opened ? ES_AUDIO_DECODE_ERROR_NOT_AUDIO : ES_AUDIO_DECODE_ERROR_MISSING,
            opened ? "not an audio file (%s)" : "%s", err->message);
      } else {
        g_set_error (&failure, ES_AUDIO_DECODE_ERROR, ES_AUDIO_DECODE_ERROR_FAILED,
            "decoding failed after %.2f s: %s", (double) samples->len / sample_rate,
            err->message);
      }
      g_error_free (err);
      g_free (debug);
      gst_message_unref (m);
      break;
    }
    if (g_get_monotonic_time () - idle_since > (gint64) STALL_SECONDS * G_USEC_PER_SEC) {
      g_set_error (&failure, ES_AUDIO_DECODE_ERROR, ES_AUDIO_DECODE_ERROR_FAILED,
          "decoding stalled (nothing for %d s)", STALL_SECONDS);
      break;
    }
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);

  if (failure) {
    g_propagate_error (error, failure);
    g_array_free (samples, TRUE);
    return NULL;
  }
  if (too_long) {
    g_set_error (error, ES_AUDIO_DECODE_ERROR, ES_AUDIO_DECODE_ERROR_TOO_LONG,
        "longer than the maximum of %.1f s", (double) max_samples / sample_rate);
  } else if (bad_sample) {
    g_set_error (error, ES_AUDIO_DECODE_ERROR, ES_AUDIO_DECODE_ERROR_BAD_SAMPLES,
        "holds samples that are not finite numbers (NaN or infinity)");
  } else if (samples->len == 0) {
    g_set_error (error, ES_AUDIO_DECODE_ERROR, ES_AUDIO_DECODE_ERROR_EMPTY,
        "no audio samples in the file");
  } else {
    *n_samples = samples->len;
    out = (float *) g_array_free (samples, FALSE);
    return out;
  }
  g_array_free (samples, TRUE);
  return NULL;
}

float *
es_audio_decode_func (const char *path, unsigned sample_rate, size_t max_samples,
    size_t *n_samples, gpointer user_data, GError **error)
{
  return es_audio_decode_file (path, sample_rate, max_samples, n_samples, error);
}
