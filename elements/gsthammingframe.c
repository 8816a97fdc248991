/* earshot: windowed framing element
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * SECTION:element-hammingframe
 * @title: hammingframe
 * @short_description: cut mono audio into overlapping windowed frames
 *
 * Cuts a mono 32-bit float audio stream into frames of
 * #GstHammingFrame:frame-size samples that start every
 * #GstHammingFrame:hop-size samples, multiplies each by the analysis window
 * (#GstHammingFrame:window, Hamming by default) and outputs them as
 * `application/x-earshot-frames`:
 *
 * |[
 * application/x-earshot-frames, rate=(int)R, frame-size=(int)N, hop-size=(int)H,
 *     window=(string){hamming,hann,rectangular}, framerate=(fraction)R/H
 * ]|
 *
 * An output buffer holds the whole frames (N float32 each, native endian)
 * completed by one input buffer; input buffers too short to complete a frame
 * produce no output. Samples are carried across buffers, so the frames are
 * identical whatever way the audio is split into buffers.
 *
 * Timestamps: frame k (counted from the last reset) gets
 * PTS = T0 + k·H/R (rounded down to the ns from the count alone, so nothing
 * accumulates: dsp/frame-time.h), where T0 is the PTS of the first buffer
 * after the reset; a buffer's duration covers its frames. Buffer offsets are
 * frame indices (OFFSET the first, OFFSET_END one past the last). The framing restarts (buffered samples are
 * dropped and T0 is taken again) on a DISCONT buffer, when a buffer's PTS
 * differs from the expected one by more than half a hop, on FLUSH_STOP, on a
 * caps change (e.g. a new sample rate) and on READY→PAUSED. A trailing
 * partial frame is never output, also not at EOS, with one exception: a
 * stream that ends before one window of a #cnnclassify downstream is
 * complete (and that no #preemphasis upstream completed) is completed with
 * digital silence to one window, framed like the audio, as `earshot
 * classify` and training pad short clips (docs/classify.md, "Short files";
 * #cnnclassify's pad-short property asks for it).
 *
 * Latency: a frame can only be output once its last sample has arrived, that
 * is up to N/R after its PTS, so the element adds N/R to the LATENCY query.
 *
 * The geometry can also be given as durations, which keep their meaning
 * whatever the sample rate: #GstHammingFrame:frame-duration and
 * #GstHammingFrame:hop-duration (nanoseconds, as the `interval` of
 * `spectrum` and `level`), when not 0, replace the sizes in samples; they are
 * converted at the negotiated rate, rounded to the nearest sample (25 ms is
 * 400 samples at 16 kHz and 1103 at 44.1 kHz). The caps always carry samples.
 *
 * Changing #GstHammingFrame:frame-size, #GstHammingFrame:hop-size, the
 * durations or #GstHammingFrame:window while streaming renegotiates the output
 * caps and restarts the framing.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 audiotestsrc num-buffers=100 ! audioconvert ! audio/x-raw,format=F32LE,rate=16000,channels=1 ! hammingframe ! fakesink
 * gst-launch-1.0 audiotestsrc num-buffers=100 ! audioconvert ! audioresample ! audio/x-raw,format=F32LE,rate=16000,channels=1 ! hammingframe frame-size=512 hop-size=256 window=hann ! fakesink silent=false -v
 * gst-launch-1.0 audiotestsrc num-buffers=100 ! audioconvert ! audio/x-raw,format=F32LE,rate=44100,channels=1 ! hammingframe frame-duration=25000000 hop-duration=10000000 ! fakesink -v
 * ]|
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/audio/audio.h>

#include "gsthammingframe.h"
#include "media-types.h"
#include "dsp/frame-time.h"
#include "window-padding.h"

GST_DEBUG_CATEGORY_STATIC (gst_hamming_frame_debug);
#define GST_CAT_DEFAULT gst_hamming_frame_debug

#define DEFAULT_FRAME_SIZE 400
#define DEFAULT_HOP_SIZE 160
#define DEFAULT_WINDOW GST_HAMMING_FRAME_WINDOW_HAMMING
#define MAX_FRAME_SIZE (1 << 20)
#define MAX_HOP_SIZE (1 << 20)
#define MAX_DURATION (10 * GST_SECOND)
/* Largest output buffer: frame-size 1048576 with hop-size 1 (both in range)
 * would turn one buffer of 4096 samples into 16 GiB of frames. */
#define MAX_OUTPUT_BYTES ((gsize) 256 << 20)

enum
{
  PROP_0,
  PROP_FRAME_SIZE,
  PROP_HOP_SIZE,
  PROP_WINDOW,
  PROP_FRAME_DURATION,
  PROP_HOP_DURATION,
};

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("audio/x-raw, format = (string) " GST_AUDIO_NE (F32) ", "
        "rate = (int) [ 1, MAX ], channels = (int) 1, "
        "layout = (string) interleaved"));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (ES_FRAMES_MEDIA_TYPE ", rate = (int) [ 1, MAX ], "
        "frame-size = (int) [ 1, MAX ], hop-size = (int) [ 1, MAX ], "
        "window = (string) { hamming, hann, rectangular }, "
        "framerate = (fraction) [ 0/1, MAX ]"));

GType
gst_hamming_frame_window_get_type (void)
{
  static GType type = 0;

  if (g_once_init_enter (&type)) {
    static const GEnumValue values[] = {
      {GST_HAMMING_FRAME_WINDOW_HAMMING,
          "Hamming window: 0.54 - 0.46 cos(2 pi n / (N - 1))", "hamming"},
      {GST_HAMMING_FRAME_WINDOW_HANN,
          "Hann window: 0.5 - 0.5 cos(2 pi n / (N - 1))", "hann"},
      {GST_HAMMING_FRAME_WINDOW_RECTANGULAR,
          "Rectangular window (no tapering)", "rectangular"},
      {0, NULL, NULL},
    };
    GType t = g_enum_register_static ("GstHammingFrameWindow", values);

    g_once_init_leave (&type, t);
  }
  return type;
}

#define gst_hamming_frame_parent_class parent_class
G_DEFINE_TYPE (GstHammingFrame, gst_hamming_frame, GST_TYPE_BASE_TRANSFORM);
GST_ELEMENT_REGISTER_DEFINE (hammingframe, "hammingframe", GST_RANK_NONE,
    GST_TYPE_HAMMING_FRAME);

static void gst_hamming_frame_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_hamming_frame_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static void gst_hamming_frame_finalize (GObject * object);

static GstCaps *gst_hamming_frame_transform_caps (GstBaseTransform * trans,
    GstPadDirection direction, GstCaps * caps, GstCaps * filter);
static gboolean gst_hamming_frame_set_caps (GstBaseTransform * trans,
    GstCaps * incaps, GstCaps * outcaps);
static gboolean gst_hamming_frame_start (GstBaseTransform * trans);
static gboolean gst_hamming_frame_stop (GstBaseTransform * trans);
static gboolean gst_hamming_frame_sink_event (GstBaseTransform * trans,
    GstEvent * event);
static gboolean gst_hamming_frame_query (GstBaseTransform * trans,
    GstPadDirection direction, GstQuery * query);
static GstFlowReturn gst_hamming_frame_generate_output (GstBaseTransform *
    trans, GstBuffer ** outbuf);

static void
gst_hamming_frame_class_init (GstHammingFrameClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_hamming_frame_debug, "hammingframe", 0,
      "earshot windowed framing");

  gobject_class->set_property = gst_hamming_frame_set_property;
  gobject_class->get_property = gst_hamming_frame_get_property;
  gobject_class->finalize = gst_hamming_frame_finalize;

  /**
   * GstHammingFrame:frame-size:
   *
   * Samples per frame (400 = 25 ms at 16 kHz).
   */
  g_object_class_install_property (gobject_class, PROP_FRAME_SIZE,
      g_param_spec_uint ("frame-size", "Frame size",
          "Length of one frame (samples)", 1, MAX_FRAME_SIZE,
          DEFAULT_FRAME_SIZE, G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));

  /**
   * GstHammingFrame:hop-size:
   *
   * Samples between the starts of consecutive frames (160 = 10 ms at
   * 16 kHz). May exceed the frame size; the samples between frames are
   * then skipped.
   */
  g_object_class_install_property (gobject_class, PROP_HOP_SIZE,
      g_param_spec_uint ("hop-size", "Hop size",
          "Distance between the starts of consecutive frames (samples)", 1,
          MAX_HOP_SIZE, DEFAULT_HOP_SIZE, G_PARAM_READWRITE |
          GST_PARAM_MUTABLE_PLAYING | G_PARAM_STATIC_STRINGS));

  /**
   * GstHammingFrame:window:
   *
   * Analysis window multiplied into every frame.
   */
  g_object_class_install_property (gobject_class, PROP_WINDOW,
      g_param_spec_enum ("window", "Window",
          "Analysis window applied to each frame", GST_TYPE_HAMMING_FRAME_WINDOW,
          DEFAULT_WINDOW, G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));

  /**
   * GstHammingFrame:frame-duration:
   *
   * Length of one frame in nanoseconds (25000000 = 25 ms). When not 0 it
   * replaces #GstHammingFrame:frame-size: the frame holds the number of
   * samples nearest to this duration at the negotiated rate (at least 1, at
   * most 1048576).
   */
  g_object_class_install_property (gobject_class, PROP_FRAME_DURATION,
      g_param_spec_uint64 ("frame-duration", "Frame duration",
          "Length of one frame (ns); 0 = use frame-size", 0, MAX_DURATION, 0,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));

  /**
   * GstHammingFrame:hop-duration:
   *
   * Time between the starts of consecutive frames in nanoseconds
   * (10000000 = 10 ms). When not 0 it replaces #GstHammingFrame:hop-size,
   * converted as #GstHammingFrame:frame-duration is.
   */
  g_object_class_install_property (gobject_class, PROP_HOP_DURATION,
      g_param_spec_uint64 ("hop-duration", "Hop duration",
          "Distance between the starts of consecutive frames (ns); 0 = use "
          "hop-size", 0, MAX_DURATION, 0, G_PARAM_READWRITE |
          GST_PARAM_MUTABLE_PLAYING | G_PARAM_STATIC_STRINGS));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "Windowed audio framer", "Filter/Converter/Audio",
      "Cuts mono audio into overlapping windowed frames (Hamming, Hann or "
      "rectangular)", "earshot developers <earshot@earshot.invalid>");

  trans_class->transform_caps =
      GST_DEBUG_FUNCPTR (gst_hamming_frame_transform_caps);
  trans_class->set_caps = GST_DEBUG_FUNCPTR (gst_hamming_frame_set_caps);
  trans_class->start = GST_DEBUG_FUNCPTR (gst_hamming_frame_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_hamming_frame_stop);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_hamming_frame_sink_event);
  trans_class->query = GST_DEBUG_FUNCPTR (gst_hamming_frame_query);
  trans_class->generate_output =
      GST_DEBUG_FUNCPTR (gst_hamming_frame_generate_output);
  trans_class->passthrough_on_same_caps = FALSE;

  gst_type_mark_as_plugin_api (GST_TYPE_HAMMING_FRAME_WINDOW, 0);
}

static void
gst_hamming_frame_init (GstHammingFrame * self)
{
  self->frame_size = DEFAULT_FRAME_SIZE;
  self->hop_size = DEFAULT_HOP_SIZE;
  self->window = DEFAULT_WINDOW;
  self->start_ts = GST_CLOCK_TIME_NONE;
}

/* Forget buffered samples; the next buffer re-anchors the timestamps. */
static void
gst_hamming_frame_reset (GstHammingFrame * self)
{
  if (self->framer)
    es_framer_reset (self->framer);
  self->start_ts = GST_CLOCK_TIME_NONE;
  self->samples_in = 0;
  self->anchored = FALSE;
  self->discont = TRUE;
}

static void
gst_hamming_frame_finalize (GObject * object)
{
  GstHammingFrame *self = GST_HAMMING_FRAME (object);

  g_clear_pointer (&self->framer, es_framer_free);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_hamming_frame_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstHammingFrame *self = GST_HAMMING_FRAME (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_FRAME_SIZE:
      self->frame_size = g_value_get_uint (value);
      break;
    case PROP_HOP_SIZE:
      self->hop_size = g_value_get_uint (value);
      break;
    case PROP_WINDOW:
      self->window = g_value_get_enum (value);
      break;
    case PROP_FRAME_DURATION:
      self->frame_duration = g_value_get_uint64 (value);
      break;
    case PROP_HOP_DURATION:
      self->hop_duration = g_value_get_uint64 (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);

  /* The frame geometry is part of the output caps: renegotiate (which
   * restarts the framing in set_caps) before the next buffer. */
  gst_base_transform_reconfigure_src (GST_BASE_TRANSFORM (self));
}

static void
gst_hamming_frame_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstHammingFrame *self = GST_HAMMING_FRAME (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_FRAME_SIZE:
      g_value_set_uint (value, self->frame_size);
      break;
    case PROP_HOP_SIZE:
      g_value_set_uint (value, self->hop_size);
      break;
    case PROP_WINDOW:
      g_value_set_enum (value, self->window);
      break;
    case PROP_FRAME_DURATION:
      g_value_set_uint64 (value, self->frame_duration);
      break;
    case PROP_HOP_DURATION:
      g_value_set_uint64 (value, self->hop_duration);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

/* The frame geometry as set by the properties (read under the object lock). */
typedef struct
{
  guint frame_size, hop_size;
  GstClockTime frame_duration, hop_duration;
  const gchar *window;
} FrameSettings;

/* Samples nearest to @duration at @rate, within [1, @max]. */
static gint
samples_for_duration (GstClockTime duration, gint rate, guint max)
{
  guint64 n = gst_util_uint64_scale_int_round (duration, rate, GST_SECOND);

  return (gint) CLAMP (n, 1, max);
}

/* Sets @field to the size in samples: fixed when given in samples or when the
 * rate is known, else any size (a duration at a rate still open). */
static void
set_frames_size (GstStructure * s, const gchar * field, guint size,
    GstClockTime duration, gint rate, guint max)
{
  if (duration == 0)
    gst_structure_set (s, field, G_TYPE_INT, (gint) size, NULL);
  else if (rate > 0)
    gst_structure_set (s, field, G_TYPE_INT,
        samples_for_duration (duration, rate, max), NULL);
  else
    gst_structure_set (s, field, GST_TYPE_INT_RANGE, 1, (gint) max, NULL);
}

/* The frames this element produces from audio at @rate (a fixed rate, a
 * range or list, or NULL for any). */
static GstStructure *
frames_structure (const FrameSettings * fs, const GValue * rate)
{
  GstStructure *s = gst_structure_new_empty (ES_FRAMES_MEDIA_TYPE);
  gint r = rate != NULL && G_VALUE_HOLDS_INT (rate) ? g_value_get_int (rate) : 0;
  gint hop;

  set_frames_size (s, "frame-size", fs->frame_size, fs->frame_duration, r,
      MAX_FRAME_SIZE);
  set_frames_size (s, "hop-size", fs->hop_size, fs->hop_duration, r,
      MAX_HOP_SIZE);
  gst_structure_set (s, "window", G_TYPE_STRING, fs->window, NULL);
  if (rate)
    gst_structure_set_value (s, "rate", rate);
  else
    gst_structure_set (s, "rate", GST_TYPE_INT_RANGE, 1, G_MAXINT, NULL);
  if (r > 0 && gst_structure_get_int (s, "hop-size", &hop))
    gst_structure_set (s, "framerate", GST_TYPE_FRACTION, r, hop, NULL);
  return s;
}

/* Narrows @rate (in/out) to the rates at which @duration rounds to the
 * @field samples that @frames fixes, if it does; FALSE when no rate does.
 * Rounding is samples_for_duration's: n = floor ((d r + s/2) / s). */
static gboolean
narrow_rate_for_size (const GstStructure * frames, const gchar * field,
    GstClockTime duration, guint max, GValue * rate)
{
  GValue range = G_VALUE_INIT, narrowed = G_VALUE_INIT;
  guint64 lo, hi;
  gint size;
  gboolean ok;

  if (duration == 0 || !gst_structure_get_int (frames, field, &size))
    return TRUE;
  if (size < 1 || (guint) size > max)
    return FALSE;
  /* smallest rate reaching size, then the last one below size + 1 */
  lo = size == 1 ? 1 : ((guint64) size * GST_SECOND - GST_SECOND / 2 +
      duration - 1) / duration;
  hi = (guint) size == max ? G_MAXINT : (((guint64) size + 1) * GST_SECOND -
      GST_SECOND / 2 + duration - 1) / duration - 1;
  if (lo >= G_MAXINT || lo >= hi) {
    /* a single rate (or none): an int range needs lo < hi */
    if (lo > hi || lo > G_MAXINT)
      return FALSE;
    g_value_init (&range, G_TYPE_INT);
    g_value_set_int (&range, (gint) lo);
  } else {
    g_value_init (&range, GST_TYPE_INT_RANGE);
    gst_value_set_int_range (&range, (gint) lo, (gint) MIN (hi, G_MAXINT));
  }
  ok = gst_value_intersect (&narrowed, rate, &range);
  g_value_unset (&range);
  if (ok) {
    g_value_unset (rate);
    *rate = narrowed;
  }
  return ok;
}

static GstCaps *
gst_hamming_frame_transform_caps (GstBaseTransform * trans,
    GstPadDirection direction, GstCaps * caps, GstCaps * filter)
{
  GstHammingFrame *self = GST_HAMMING_FRAME (trans);
  FrameSettings fs;
  GstCaps *res;
  guint i;

  GST_OBJECT_LOCK (self);
  fs.frame_size = self->frame_size;
  fs.hop_size = self->hop_size;
  fs.frame_duration = self->frame_duration;
  fs.hop_duration = self->hop_duration;
  fs.window = es_window_type_name ((EsWindowType) self->window);
  GST_OBJECT_UNLOCK (self);

  /* ANY (e.g. an unrestricted peer) means: anything our template allows */
  if (gst_caps_is_any (caps))
    caps = gst_pad_get_pad_template_caps (direction == GST_PAD_SINK ?
        GST_BASE_TRANSFORM_SINK_PAD (trans) : GST_BASE_TRANSFORM_SRC_PAD (trans));
  else
    gst_caps_ref (caps);

  res = gst_caps_new_empty ();
  for (i = 0; i < gst_caps_get_size (caps); i++) {
    const GstStructure *s = gst_caps_get_structure (caps, i);
    const GValue *rate = gst_structure_get_value (s, "rate");
    GstStructure *out;

    if (direction == GST_PAD_SINK) {
      out = frames_structure (&fs, rate);
    } else {
      GValue audio_rate = G_VALUE_INIT;
      GstStructure *ours, *frames = NULL;

      if (rate) {
        g_value_init (&audio_rate, G_VALUE_TYPE (rate));
        g_value_copy (rate, &audio_rate);
      } else {
        g_value_init (&audio_rate, GST_TYPE_INT_RANGE);
        gst_value_set_int_range (&audio_rate, 1, G_MAXINT);
      }
      /* a size downstream fixes, given a duration here, fixes the rates */
      if (narrow_rate_for_size (s, "frame-size", fs.frame_duration,
              MAX_FRAME_SIZE, &audio_rate)
          && narrow_rate_for_size (s, "hop-size", fs.hop_duration,
              MAX_HOP_SIZE, &audio_rate)) {
        ours = frames_structure (&fs, &audio_rate);
        frames = gst_structure_intersect (s, ours);
        gst_structure_free (ours);
      }
      /* downstream wants a geometry we do not produce */
      if (frames == NULL) {
        g_value_unset (&audio_rate);
        continue;
      }
      gst_structure_free (frames);
      out = gst_structure_new ("audio/x-raw",
          "format", G_TYPE_STRING, GST_AUDIO_NE (F32),
          "channels", G_TYPE_INT, 1,
          "layout", G_TYPE_STRING, "interleaved", NULL);
      gst_structure_take_value (out, "rate", &audio_rate);
    }
    res = gst_caps_merge_structure (res, out);
  }
  gst_caps_unref (caps);

  if (filter) {
    GstCaps *tmp = gst_caps_intersect_full (filter, res,
        GST_CAPS_INTERSECT_FIRST);

    gst_caps_unref (res);
    res = tmp;
  }
  GST_DEBUG_OBJECT (self, "%s caps transform to %" GST_PTR_FORMAT,
      direction == GST_PAD_SINK ? "sink" : "src", res);
  return res;
}

static gboolean
gst_hamming_frame_set_caps (GstBaseTransform * trans, GstCaps * incaps,
    GstCaps * outcaps)
{
  GstHammingFrame *self = GST_HAMMING_FRAME (trans);
  GstStructure *s = gst_caps_get_structure (outcaps, 0);
  GstAudioInfo info;
  gint frame_size, hop_size;
  const gchar *window_name;
  EsWindowType window;
  gboolean latency_changed;

  if (!gst_audio_info_from_caps (&info, incaps)
      || GST_AUDIO_INFO_FORMAT (&info) != GST_AUDIO_FORMAT_F32
      || GST_AUDIO_INFO_CHANNELS (&info) != 1) {
    GST_ERROR_OBJECT (self, "invalid input caps %" GST_PTR_FORMAT, incaps);
    return FALSE;
  }
  if (!gst_structure_get_int (s, "frame-size", &frame_size) || frame_size < 1
      || !gst_structure_get_int (s, "hop-size", &hop_size) || hop_size < 1
      || !(window_name = gst_structure_get_string (s, "window"))
      || !es_window_type_from_name (window_name, &window)) {
    GST_ERROR_OBJECT (self, "invalid output caps %" GST_PTR_FORMAT, outcaps);
    return FALSE;
  }

  latency_changed = self->framer == NULL || self->rate != info.rate
      || es_framer_get_frame_size (self->framer) != (gsize) frame_size;

  g_clear_pointer (&self->framer, es_framer_free);
  self->framer = es_framer_new (frame_size, hop_size, window);
  self->rate = info.rate;
  GST_OBJECT_LOCK (self);
  self->active_frame_size = frame_size;
  GST_OBJECT_UNLOCK (self);
  gst_hamming_frame_reset (self);

  GST_INFO_OBJECT (self, "%d Hz: frames of %d samples every %d, %s window",
      self->rate, frame_size, hop_size, window_name);

  if (latency_changed)
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_latency (GST_OBJECT (self)));
  return TRUE;
}

static gboolean
gst_hamming_frame_start (GstBaseTransform * trans)
{
  gst_hamming_frame_reset (GST_HAMMING_FRAME (trans));
  return TRUE;
}

static gboolean
gst_hamming_frame_stop (GstBaseTransform * trans)
{
  GstHammingFrame *self = GST_HAMMING_FRAME (trans);

  g_clear_pointer (&self->framer, es_framer_free);
  self->rate = 0;
  GST_OBJECT_LOCK (self);
  self->active_frame_size = 0;
  GST_OBJECT_UNLOCK (self);
  gst_hamming_frame_reset (self);
  return TRUE;
}

static GstFlowReturn gst_hamming_frame_frame (GstHammingFrame * self,
    GstBuffer * inbuf, GstBuffer ** outbuf);

/* EOS of a stream shorter than one window of a classifier downstream (and
 * not completed upstream, by preemphasis): the digital silence that
 * completes it, framed like the audio (window-padding.h). */
static void
gst_hamming_frame_complete_window (GstHammingFrame * self)
{
  GstPad *srcpad = GST_BASE_TRANSFORM_SRC_PAD (self);
  GstClockTime pts, duration;
  GstBuffer *zeros, *out = NULL;
  guint64 padding;

  if (self->framer == NULL || !self->anchored)
    return;
  padding = es_window_padding_begin (srcpad, self->samples_in, self->start_ts,
      self->rate, (guint) es_framer_get_frame_size (self->framer),
      (guint) es_framer_get_hop_size (self->framer), &pts, &duration);
  if (padding == 0)
    return;
  zeros = gst_buffer_new_allocate (NULL, padding * sizeof (gfloat), NULL);
  gst_buffer_memset (zeros, 0, 0, padding * sizeof (gfloat));
  GST_BUFFER_PTS (zeros) = pts;
  GST_BUFFER_DURATION (zeros) = duration;
  if (gst_hamming_frame_frame (self, zeros, &out) == GST_FLOW_OK && out)
    gst_pad_push (srcpad, out);
}

static gboolean
gst_hamming_frame_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  if (GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP) {
    GST_DEBUG_OBJECT (trans, "flush: restarting the framing");
    gst_hamming_frame_reset (GST_HAMMING_FRAME (trans));
  } else if (GST_EVENT_TYPE (event) == GST_EVENT_EOS) {
    /* a trailing partial frame is dropped, unless a short stream is
     * completed to one window */
    gst_hamming_frame_complete_window (GST_HAMMING_FRAME (trans));
  }
  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

static gboolean
gst_hamming_frame_query (GstBaseTransform * trans, GstPadDirection direction,
    GstQuery * query)
{
  GstHammingFrame *self = GST_HAMMING_FRAME (trans);

  if (direction == GST_PAD_SRC && GST_QUERY_TYPE (query) == GST_QUERY_LATENCY) {
    GstClockTime min, max, ours = 0;
    gboolean live;

    if (!gst_pad_peer_query (GST_BASE_TRANSFORM_SINK_PAD (trans), query))
      return FALSE;
    gst_query_parse_latency (query, &live, &min, &max);

    GST_OBJECT_LOCK (self);
    if (self->rate > 0 && self->active_frame_size > 0)
      ours = gst_util_uint64_scale_int_ceil (self->active_frame_size,
          GST_SECOND, self->rate);
    GST_OBJECT_UNLOCK (self);

    min += ours;
    if (GST_CLOCK_TIME_IS_VALID (max))
      max += ours;
    GST_DEBUG_OBJECT (self, "latency: own %" GST_TIME_FORMAT ", total min %"
        GST_TIME_FORMAT, GST_TIME_ARGS (ours), GST_TIME_ARGS (min));
    gst_query_set_latency (query, live, min, max);
    return TRUE;
  }
  if (direction == GST_PAD_SINK && es_window_query_is (query)) {
    /* upstream (preemphasis) asks how many samples one window of a
     * classifier downstream spans: its frames, and our framing */
    if (!gst_pad_peer_query (GST_BASE_TRANSFORM_SRC_PAD (trans), query))
      return FALSE;
    if (self->framer)
      es_window_query_set_framing (query,
          (guint) es_framer_get_frame_size (self->framer),
          (guint) es_framer_get_hop_size (self->framer));
    return TRUE;
  }
  return GST_BASE_TRANSFORM_CLASS (parent_class)->query (trans, direction,
      query);
}

static GstClockTime
gst_hamming_frame_frame_pts (GstHammingFrame * self, guint64 index)
{
  return es_frame_time (self->start_ts, index,
      (guint64) es_framer_get_hop_size (self->framer) * GST_SECOND, self->rate);
}

/* Restart on DISCONT or a timestamp jump, and anchor T0 after a reset. */
static void
gst_hamming_frame_track_timestamps (GstHammingFrame * self, GstBuffer * inbuf)
{
  GstClockTime pts = GST_BUFFER_PTS (inbuf);

  if (GST_BUFFER_FLAG_IS_SET (inbuf, GST_BUFFER_FLAG_DISCONT) && self->anchored) {
    GST_DEBUG_OBJECT (self, "discont: restarting the framing");
    gst_hamming_frame_reset (self);
  } else if (self->anchored && GST_CLOCK_TIME_IS_VALID (pts)) {
    GstClockTime elapsed =
        es_frame_time (0, self->samples_in, GST_SECOND, self->rate);

    if (GST_CLOCK_TIME_IS_VALID (self->start_ts)) {
      GstClockTime expected = self->start_ts + elapsed;
      GstClockTime tolerance =
          gst_util_uint64_scale_int (es_framer_get_hop_size (self->framer),
          GST_SECOND, 2 * self->rate);
      GstClockTimeDiff diff = GST_CLOCK_DIFF (expected, pts);

      if (ABS (diff) > (GstClockTimeDiff) tolerance) {
        GST_DEBUG_OBJECT (self, "timestamp jump of %" GST_STIME_FORMAT
            " (expected %" GST_TIME_FORMAT ", got %" GST_TIME_FORMAT
            "): restarting the framing", GST_STIME_ARGS (diff),
            GST_TIME_ARGS (expected), GST_TIME_ARGS (pts));
        gst_hamming_frame_reset (self);
      }
    } else if (pts >= elapsed) {
      /* stream started without timestamps: anchor on the first one */
      self->start_ts = pts - elapsed;
    }
  }

  if (!self->anchored) {
    self->start_ts = pts;
    self->samples_in = 0;
    self->anchored = TRUE;
    GST_DEBUG_OBJECT (self, "anchored at %" GST_TIME_FORMAT,
        GST_TIME_ARGS (pts));
  }
}

/* Memory for @n_frames frames, or NULL after an element error saying why:
 * over MAX_OUTPUT_BYTES, or not available (never an abort). */
static GstBuffer *
gst_hamming_frame_allocate (GstHammingFrame * self, gsize n_frames,
    gsize frame_size, gsize n_in)
{
  gsize frame_bytes = frame_size * sizeof (gfloat), bytes;
  gpointer memory;

  if (n_frames > MAX_OUTPUT_BYTES / frame_bytes) {
    GST_ELEMENT_ERROR (self, STREAM, FAILED,
        ("frame-size %" G_GSIZE_FORMAT " with hop-size %" G_GSIZE_FORMAT
            " makes %" G_GSIZE_FORMAT " frames (%" G_GUINT64_FORMAT " MiB) of "
            "one input buffer of %" G_GSIZE_FORMAT " samples; one output buffer "
            "holds at most %" G_GSIZE_FORMAT " MiB: use a larger hop-size or "
            "smaller input buffers", frame_size,
            es_framer_get_hop_size (self->framer), n_frames,
            (guint64) n_frames * frame_bytes >> 20, n_in,
            MAX_OUTPUT_BYTES >> 20), (NULL));
    return NULL;
  }
  bytes = n_frames * frame_bytes;
  memory = g_try_malloc (bytes);
  if (memory == NULL) {
    GST_ELEMENT_ERROR (self, RESOURCE, FAILED,
        ("cannot allocate %" G_GSIZE_FORMAT " MiB for %" G_GSIZE_FORMAT
            " frames of %" G_GSIZE_FORMAT " samples", bytes >> 20, n_frames,
            frame_size), (NULL));
    return NULL;
  }
  return gst_buffer_new_wrapped_full (0, memory, bytes, 0, bytes, memory, g_free);
}

/* Frames the samples of inbuf (taken) completes into *outbuf (NULL: none). */
static GstFlowReturn
gst_hamming_frame_frame (GstHammingFrame * self, GstBuffer * inbuf,
    GstBuffer ** outbuf)
{
  GstMapInfo in_map, out_map;
  GstBuffer *out = NULL;
  gsize n_in, n_frames, frame_size;
  guint64 first;
  GstClockTime pts, end;

  *outbuf = NULL;

  if (G_UNLIKELY (self->framer == NULL)) {
    gst_buffer_unref (inbuf);
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
        ("received audio before caps"));
    return GST_FLOW_NOT_NEGOTIATED;
  }

  if (!gst_buffer_map (inbuf, &in_map, GST_MAP_READ)) {
    gst_buffer_unref (inbuf);
    GST_ELEMENT_ERROR (self, STREAM, FAILED, (NULL), ("failed to map buffer"));
    return GST_FLOW_ERROR;
  }
  if (G_UNLIKELY (in_map.size % sizeof (gfloat) != 0)) {
    gsize size = in_map.size;

    gst_buffer_unmap (inbuf, &in_map);
    gst_buffer_unref (inbuf);
    GST_ELEMENT_ERROR (self, STREAM, FORMAT, (NULL),
        ("buffer of %" G_GSIZE_FORMAT " bytes is not a whole number of F32 "
            "samples", size));
    return GST_FLOW_ERROR;
  }
  n_in = in_map.size / sizeof (gfloat);

  if (n_in == 0) {
    /* nothing to frame; a DISCONT on it still restarts the framing */
    if (GST_BUFFER_FLAG_IS_SET (inbuf, GST_BUFFER_FLAG_DISCONT))
      gst_hamming_frame_reset (self);
    gst_buffer_unmap (inbuf, &in_map);
    gst_buffer_unref (inbuf);
    return GST_FLOW_OK;
  }

  gst_hamming_frame_track_timestamps (self, inbuf);

  frame_size = es_framer_get_frame_size (self->framer);
  n_frames = es_framer_frames_for (self->framer, n_in);
  first = es_framer_next_frame_index (self->framer);

  if (n_frames > 0) {
    out = gst_hamming_frame_allocate (self, n_frames, frame_size, n_in);
    if (out == NULL) {
      gst_buffer_unmap (inbuf, &in_map);
      gst_buffer_unref (inbuf);
      return GST_FLOW_ERROR;
    }
    gst_buffer_map (out, &out_map, GST_MAP_WRITE);
    n_frames = es_framer_process (self->framer, (const gfloat *) in_map.data,
        n_in, (gfloat *) out_map.data);
    gst_buffer_unmap (out, &out_map);
    gst_buffer_set_size (out, n_frames * frame_size * sizeof (gfloat));
  } else {
    gfloat unused;              /* no frame completes: nothing is written */

    es_framer_process (self->framer, (const gfloat *) in_map.data, n_in,
        &unused);
  }
  self->samples_in += n_in;
  gst_buffer_unmap (inbuf, &in_map);
  gst_buffer_unref (inbuf);

  if (out == NULL || n_frames == 0) {
    g_clear_pointer (&out, gst_buffer_unref);
    GST_LOG_OBJECT (self, "%" G_GSIZE_FORMAT " samples buffered, no frame",
        n_in);
    return GST_FLOW_OK;
  }

  pts = gst_hamming_frame_frame_pts (self, first);
  end = gst_hamming_frame_frame_pts (self, first + n_frames);
  GST_BUFFER_PTS (out) = pts;
  GST_BUFFER_DTS (out) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION (out) = GST_CLOCK_TIME_IS_VALID (pts) ? end - pts :
      es_frame_time (0, n_frames,
      (guint64) es_framer_get_hop_size (self->framer) * GST_SECOND, self->rate);
  GST_BUFFER_OFFSET (out) = first;
  GST_BUFFER_OFFSET_END (out) = first + n_frames;
  if (self->discont) {
    GST_BUFFER_FLAG_SET (out, GST_BUFFER_FLAG_DISCONT);
    self->discont = FALSE;
  }

  GST_LOG_OBJECT (self, "%" G_GSIZE_FORMAT " frames from %" G_GUINT64_FORMAT
      " at %" GST_TIME_FORMAT, n_frames, first, GST_TIME_ARGS (pts));
  *outbuf = out;
  return GST_FLOW_OK;
}

static GstFlowReturn
gst_hamming_frame_generate_output (GstBaseTransform * trans,
    GstBuffer ** outbuf)
{
  GstBuffer *inbuf = trans->queued_buf;

  *outbuf = NULL;
  if (inbuf == NULL)
    return GST_FLOW_OK;
  trans->queued_buf = NULL;
  return gst_hamming_frame_frame (GST_HAMMING_FRAME (trans), inbuf, outbuf);
}
