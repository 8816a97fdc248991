/* earshot: pre-emphasis filter element
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * SECTION:element-preemphasis
 * @title: preemphasis
 * @short_description: first-order pre-emphasis (high-pass) filter
 *
 * Applies y[n] = x[n] − a·x[n−1] to every channel of a raw float audio
 * stream, in place. It lifts the spectral tilt of speech and music before
 * framing and band analysis (see #GstHammingFrame and #GstGammatoneFb).
 *
 * The filter memory is one input sample per channel. It is kept across
 * buffers, and cleared (x[−1] = 0, so the first output sample equals the first
 * input sample) on a buffer flagged DISCONT, on FLUSH_STOP, on a caps change
 * and on the READY→PAUSED transition. With #GstPreemphasis:coefficient 0 the
 * element works in passthrough but still tracks the filter memory, so the
 * coefficient can be changed (or controlled) while playing without a click.
 *
 * Short streams: when the stream ends (EOS) before one window of a
 * #cnnclassify downstream is complete (counted since the last reset above),
 * the element completes it with digital silence, filtered like the audio,
 * and pushes it before EOS; #cnnclassify asks for it (its pad-short
 * property), and without a classifier downstream nothing is added. This is
 * the padding `earshot classify` and training apply (docs/classify.md,
 * "Short files").
 *
 * Non-finite input: the filter is linear and does not scan its input. A NaN
 * or ±Inf sample gives a non-finite output at its own position and at the
 * next sample of the same channel (the one-sample memory); later samples are
 * unaffected.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 audiotestsrc num-buffers=100 ! audioconvert ! audio/x-raw,format=F32LE ! preemphasis ! fakesink
 * gst-launch-1.0 audiotestsrc wave=pink-noise num-buffers=100 ! audioconvert ! audio/x-raw,format=F64LE,channels=2 ! preemphasis coefficient=0.95 ! audioconvert ! wavenc ! filesink location=emph.wav
 * ]|
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstpreemphasis.h"

#include "dsp/preemphasis.h"
#include "window-padding.h"

GST_DEBUG_CATEGORY_STATIC (gst_preemphasis_debug);
#define GST_CAT_DEFAULT gst_preemphasis_debug

#define ALLOWED_CAPS \
  GST_AUDIO_CAPS_MAKE ("{ " GST_AUDIO_NE (F32) ", " GST_AUDIO_NE (F64) " }") \
  ", layout = (string) interleaved"

#define DEFAULT_COEFFICIENT ES_PREEMPHASIS_DEFAULT_COEFFICIENT
#define MIN_COEFFICIENT -1.0
#define MAX_COEFFICIENT 1.0

enum
{
  PROP_0,
  PROP_COEFFICIENT,
};

#define gst_preemphasis_parent_class parent_class
G_DEFINE_TYPE (GstPreemphasis, gst_preemphasis, GST_TYPE_AUDIO_FILTER);
GST_ELEMENT_REGISTER_DEFINE (preemphasis, "preemphasis", GST_RANK_NONE,
    GST_TYPE_PREEMPHASIS);

static void gst_preemphasis_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_preemphasis_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static void gst_preemphasis_finalize (GObject * object);

static gboolean gst_preemphasis_setup (GstAudioFilter * filter,
    const GstAudioInfo * info);
static gboolean gst_preemphasis_start (GstBaseTransform * trans);
static gboolean gst_preemphasis_stop (GstBaseTransform * trans);
static gboolean gst_preemphasis_sink_event (GstBaseTransform * trans,
    GstEvent * event);
static void gst_preemphasis_before_transform (GstBaseTransform * trans,
    GstBuffer * buffer);
static GstFlowReturn gst_preemphasis_transform_ip (GstBaseTransform * trans,
    GstBuffer * buf);

static void
gst_preemphasis_class_init (GstPreemphasisClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstAudioFilterClass *filter_class = GST_AUDIO_FILTER_CLASS (klass);
  GstCaps *caps;

  GST_DEBUG_CATEGORY_INIT (gst_preemphasis_debug, "preemphasis", 0,
      "earshot pre-emphasis filter");

  gobject_class->set_property = gst_preemphasis_set_property;
  gobject_class->get_property = gst_preemphasis_get_property;
  gobject_class->finalize = gst_preemphasis_finalize;

  /**
   * GstPreemphasis:coefficient:
   *
   * The coefficient a of y[n] = x[n] − a·x[n−1]. 0.97 is the usual value for
   * speech and music front-ends; 0 disables the filter (passthrough); negative
   * values give a low-shelf (de-emphasis-like) tilt instead.
   */
  g_object_class_install_property (gobject_class, PROP_COEFFICIENT,
      g_param_spec_double ("coefficient", "Coefficient",
          "Pre-emphasis coefficient a in y[n] = x[n] - a*x[n-1] "
          "(dimensionless; 0 = passthrough)",
          MIN_COEFFICIENT, MAX_COEFFICIENT, DEFAULT_COEFFICIENT,
          G_PARAM_READWRITE | GST_PARAM_CONTROLLABLE |
          G_PARAM_STATIC_STRINGS));

  gst_element_class_set_static_metadata (element_class,
      "Pre-emphasis filter", "Filter/Effect/Audio",
      "First-order pre-emphasis y[n] = x[n] - a*x[n-1], per channel",
      "earshot developers <earshot@earshot.invalid>");

  caps = gst_caps_from_string (ALLOWED_CAPS);
  gst_audio_filter_class_add_pad_templates (filter_class, caps);
  gst_caps_unref (caps);

  trans_class->start = GST_DEBUG_FUNCPTR (gst_preemphasis_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_preemphasis_stop);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_preemphasis_sink_event);
  trans_class->before_transform =
      GST_DEBUG_FUNCPTR (gst_preemphasis_before_transform);
  trans_class->transform_ip = GST_DEBUG_FUNCPTR (gst_preemphasis_transform_ip);
  /* transform_ip also runs in passthrough (coefficient 0) to track the
   * filter memory; it then only reads the buffer. */
  trans_class->transform_ip_on_passthrough = TRUE;
  filter_class->setup = GST_DEBUG_FUNCPTR (gst_preemphasis_setup);
}

static void
gst_preemphasis_init (GstPreemphasis * self)
{
  self->coefficient = DEFAULT_COEFFICIENT;
  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
  gst_base_transform_set_passthrough (GST_BASE_TRANSFORM (self),
      DEFAULT_COEFFICIENT == 0.0);
}

static void
gst_preemphasis_free_state (GstPreemphasis * self)
{
  g_clear_pointer (&self->last_f32, g_free);
  g_clear_pointer (&self->last_f64, g_free);
  self->channels = 0;
}

/* Clear the one-sample memory of every channel (x[-1] = 0). */
static void
gst_preemphasis_reset (GstPreemphasis * self)
{
  if (self->last_f32)
    memset (self->last_f32, 0, self->channels * sizeof (gfloat));
  if (self->last_f64)
    memset (self->last_f64, 0, self->channels * sizeof (gdouble));
  self->samples_in = 0;
  self->start_ts = GST_CLOCK_TIME_NONE;
}

static void
gst_preemphasis_finalize (GObject * object)
{
  gst_preemphasis_free_state (GST_PREEMPHASIS (object));
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_preemphasis_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstPreemphasis *self = GST_PREEMPHASIS (object);

  switch (prop_id) {
    case PROP_COEFFICIENT:{
      gdouble c = g_value_get_double (value);

      GST_OBJECT_LOCK (self);
      self->coefficient = c;
      GST_OBJECT_UNLOCK (self);
      gst_base_transform_set_passthrough (GST_BASE_TRANSFORM (self), c == 0.0);
      break;
    }
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_preemphasis_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstPreemphasis *self = GST_PREEMPHASIS (object);

  switch (prop_id) {
    case PROP_COEFFICIENT:
      GST_OBJECT_LOCK (self);
      g_value_set_double (value, self->coefficient);
      GST_OBJECT_UNLOCK (self);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_preemphasis_process_f32 (GstPreemphasis * self, gpointer data,
    guint n_frames, gdouble coefficient)
{
  es_preemphasis_f32 (data, n_frames, self->channels, (gfloat) coefficient,
      self->last_f32);
}

static void
gst_preemphasis_process_f64 (GstPreemphasis * self, gpointer data,
    guint n_frames, gdouble coefficient)
{
  es_preemphasis_f64 (data, n_frames, self->channels, coefficient,
      self->last_f64);
}

/* Called on every caps change: pick the per-format function once and start
 * from a clean filter memory (a new format or channel layout is a new stream). */
static gboolean
gst_preemphasis_setup (GstAudioFilter * filter, const GstAudioInfo * info)
{
  GstPreemphasis *self = GST_PREEMPHASIS (filter);
  guint channels = GST_AUDIO_INFO_CHANNELS (info);

  gst_preemphasis_free_state (self);
  self->channels = channels;
  self->samples_in = 0;
  self->start_ts = GST_CLOCK_TIME_NONE;

  switch (GST_AUDIO_INFO_FORMAT (info)) {
    case GST_AUDIO_FORMAT_F32:
      self->last_f32 = g_new0 (gfloat, channels);
      self->process = gst_preemphasis_process_f32;
      break;
    case GST_AUDIO_FORMAT_F64:
      self->last_f64 = g_new0 (gdouble, channels);
      self->process = gst_preemphasis_process_f64;
      break;
    default:
      GST_ERROR_OBJECT (self, "unsupported format %s",
          GST_AUDIO_INFO_NAME (info));
      self->process = NULL;
      return FALSE;
  }

  GST_DEBUG_OBJECT (self, "configured for %s, %u channels, %d Hz",
      GST_AUDIO_INFO_NAME (info), channels, GST_AUDIO_INFO_RATE (info));
  return TRUE;
}

static gboolean
gst_preemphasis_start (GstBaseTransform * trans)
{
  gst_preemphasis_reset (GST_PREEMPHASIS (trans));
  return TRUE;
}

static gboolean
gst_preemphasis_stop (GstBaseTransform * trans)
{
  GstPreemphasis *self = GST_PREEMPHASIS (trans);

  gst_preemphasis_free_state (self);
  self->process = NULL;
  return TRUE;
}

/* EOS of a stream shorter than one window of a classifier downstream: the
 * digital silence that completes it, filtered like the audio (the filter's
 * memory gives its first sample -a·x[n-1], as training's padded clips have)
 * and pushed before EOS (window-padding.h). */
static void
gst_preemphasis_complete_window (GstPreemphasis * self)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  GstPad *srcpad = GST_BASE_TRANSFORM_SRC_PAD (trans);
  gint bpf = GST_AUDIO_FILTER_BPF (GST_AUDIO_FILTER (self));
  gint rate = GST_AUDIO_FILTER_RATE (GST_AUDIO_FILTER (self));
  GstClockTime pts, duration;
  guint64 padding;
  GstBuffer *buf;

  if (self->process == NULL || bpf <= 0)
    return;
  padding = es_window_padding_begin (srcpad, self->samples_in, self->start_ts,
      rate, 0, 0, &pts, &duration);
  if (padding == 0)
    return;
  buf = gst_buffer_new_allocate (NULL, padding * bpf, NULL);
  gst_buffer_memset (buf, 0, 0, padding * bpf);
  GST_BUFFER_PTS (buf) = pts;
  GST_BUFFER_DURATION (buf) = duration;
  if (gst_preemphasis_transform_ip (trans, buf) != GST_FLOW_OK) {
    gst_buffer_unref (buf);
    return;
  }
  gst_pad_push (srcpad, buf);
}

static gboolean
gst_preemphasis_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  if (GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP) {
    GST_DEBUG_OBJECT (trans, "flush: clearing filter memory");
    gst_preemphasis_reset (GST_PREEMPHASIS (trans));
  } else if (GST_EVENT_TYPE (event) == GST_EVENT_EOS) {
    gst_preemphasis_complete_window (GST_PREEMPHASIS (trans));
  }
  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

/* Runs before the passthrough decision for the buffer, so a controlled
 * coefficient reaching 0 (or leaving it) takes effect on this very buffer. */
static void
gst_preemphasis_before_transform (GstBaseTransform * trans, GstBuffer * buffer)
{
  GstClockTime ts = GST_BUFFER_PTS (buffer);

  if (GST_CLOCK_TIME_IS_VALID (ts)) {
    GstClockTime stream_time = gst_segment_to_stream_time (&trans->segment,
        GST_FORMAT_TIME, ts);

    if (GST_CLOCK_TIME_IS_VALID (stream_time))
      gst_object_sync_values (GST_OBJECT (trans), stream_time);
  }
}

static GstFlowReturn
gst_preemphasis_transform_ip (GstBaseTransform * trans, GstBuffer * buf)
{
  GstPreemphasis *self = GST_PREEMPHASIS (trans);
  GstAudioFilter *filter = GST_AUDIO_FILTER (trans);
  gint bpf = GST_AUDIO_FILTER_BPF (filter);
  gboolean filtering;
  gdouble coefficient;
  GstMapInfo map;
  guint n_frames;

  if (G_UNLIKELY (self->process == NULL || bpf <= 0))
    return GST_FLOW_NOT_NEGOTIATED;

  if (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DISCONT)) {
    GST_DEBUG_OBJECT (self, "discont: clearing filter memory");
    gst_preemphasis_reset (self);
  }

  GST_OBJECT_LOCK (self);
  coefficient = self->coefficient;
  GST_OBJECT_UNLOCK (self);

  /* In passthrough the buffer may be shared: only read it. */
  filtering = coefficient != 0.0 && !gst_base_transform_is_passthrough (trans)
      && gst_buffer_is_writable (buf);

  if (!gst_buffer_map (buf, &map, filtering ? GST_MAP_READWRITE : GST_MAP_READ)) {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, (NULL),
        ("failed to map input buffer"));
    return GST_FLOW_ERROR;
  }

  if (G_UNLIKELY (map.size % bpf != 0)) {
    gst_buffer_unmap (buf, &map);
    GST_ELEMENT_ERROR (self, STREAM, FORMAT, (NULL),
        ("buffer of %" G_GSIZE_FORMAT " bytes is not a whole number of "
            "%d-byte audio frames", map.size, bpf));
    return GST_FLOW_ERROR;
  }
  n_frames = map.size / bpf;
  if (self->samples_in == 0 && n_frames > 0)
    self->start_ts = GST_BUFFER_PTS (buf);
  self->samples_in += n_frames;

  if (n_frames > 0) {
    if (filtering) {
      self->process (self, map.data, n_frames, coefficient);
    } else {
      /* y = x: only remember the last input sample of each channel */
      gsize off = (gsize) (n_frames - 1) * self->channels;

      if (self->last_f32)
        memcpy (self->last_f32, (const gfloat *) map.data + off,
            self->channels * sizeof (gfloat));
      else
        memcpy (self->last_f64, (const gdouble *) map.data + off,
            self->channels * sizeof (gdouble));
    }
  }

  GST_LOG_OBJECT (self, "%s %u frames, a = %g",
      filtering ? "filtered" : "tracked", n_frames, coefficient);
  gst_buffer_unmap (buf, &map);
  return GST_FLOW_OK;
}
