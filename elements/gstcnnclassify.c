/* earshot: CNN classifier element
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * SECTION:element-cnnclassify
 * @title: cnnclassify
 * @short_description: classify feature vectors, windows of a feature stream or images with an earshot model
 *
 * Runs an earshot model (a `.safetensors` file made by `earshot train`) on
 * what flows through it and posts the decisions; buffers pass through
 * unchanged. The model describes its own input:
 *
 * * a features model `[N]` or `[C, L]` with C·L = `bands`: one decision per
 *   feature vector (`application/x-earshot-features`, e.g. a measurement
 *   from #frsrc);
 * * a model taking windows of a feature stream, `[bands, W]` (1D: bands as
 *   channels, W frames of time) or `[1, bands, W]` (2D): one decision per
 *   window of W frames of a stream that has a frame rate (e.g. from
 *   #gammatonefb), every #GstCnnClassify:hop-frames frames; the window is
 *   given to the network channels × time, as the model was trained;
 * * an audio model whose front-end was learned (its network starts with
 *   `gammatone`, `log`/`pcen` and `dct` layers, the model's front-end
 *   description counts them): those layers are computed upstream by
 *   `gammatonefb model=` with the learned bands, and the element runs the
 *   network from the layer after them on windows of their output, `[bands,
 *   W]` or `[1, bands, W]` (the same numbers as the whole network on the
 *   clip's power spectra);
 * * an image model `[1, H, W]`: one decision per grey frame
 *   (`video/x-raw,format=GRAY8`, e.g. from #spectrogramimager); images of
 *   another size (a PNG or JPEG through `decodebin ! videoconvert`) are
 *   resampled to the model's size by area averaging, exactly as the trainer
 *   does; grey pixels are given as value / 255 (white is 1).
 *
 * When the model is loaded (READY→PAUSED) the element advertises the caps
 * it takes first, so an upstream imager negotiates the model's size by
 * itself; input that does not match fails with an error naming what the
 * model expects and what came.
 *
 * Timestamps: vector i of n in a buffer gets the time #hammingframe gave
 * that frame, T0 + (OFFSET + i)/F with F the caps' frame rate, when the
 * buffer's OFFSET .. OFFSET_END number its vectors; else it spans
 * [PTS + D·i/n, PTS + D·(i+1)/n) with D the buffer's duration (without a
 * duration, the caps' frame rate gives the step). One formula
 * (dsp/frame-time.h) computes all of them from counts, so nothing accumulates
 * rounding; a window spans from its first frame's start to its last frame's
 * end and its decision is timestamped to that span.
 *
 * ## Decisions, smoothing and events
 *
 * Each decision's class probabilities (softmax in double, the library's
 * decision path, the same numbers `earshot iem` prints) are smoothed, by a
 * moving average over #GstCnnClassify:average-windows decisions (1 = none;
 * by default 2 on a stream of frames and none on independent vectors or
 * pictures, a stream without a frame rate) or an exponential average with the time constant
 * #GstCnnClassify:time-constant (weights follow the actual time between
 * decisions, so a hole in the stream counts as time). The best smoothed
 * label is the decision: for every decision whose confidence reaches
 * #GstCnnClassify:threshold the element posts a `cnnclassify` message
 * (unless #GstCnnClassify:post-messages is FALSE) and, when the label
 * changes, sends a tag event downstream with `earshot-label` (and `genre` when
 * the model's task says its labels are genres: `earshot model info` shows it).
 *
 * Events: a label starts when k (#GstCnnClassify:vote-k) of the last n
 * (#GstCnnClassify:vote-n) smoothed decisions reach
 * #GstCnnClassify:on-threshold, is announced once it has lasted
 * #GstCnnClassify:min-duration, goes on while k of the last n stay at or
 * above #GstCnnClassify:off-threshold (on > off gives hysteresis) and cannot
 * start again within #GstCnnClassify:refractory after it ended. The
 * background label (#GstCnnClassify:background-label; by default the one the
 * model names, a live model's "nothing here" class) never starts an event.
 * Each start
 * and end is posted as a `cnnclassify-event` message, and at EOS a
 * `cnnclassify-summary` message gives the file-level decision (unless
 * #GstCnnClassify:post-events is FALSE). The rules, the defaults and how
 * they differ from TF micro_speech's recipe are in docs/live.md.
 *
 * State: a DISCONT buffer, a timestamp jump of more than half a vector, a
 * GAP event or new caps end the active events (reason `gap`, at their last
 * active window) and restart the windows and the smoothing (nothing is
 * averaged across missing audio); EOS ends them (reason `eos`) and posts the
 * summary; FLUSH_STOP and STREAM_START forget everything, the summary
 * included, without end messages.
 *
 * Short streams: a stream that ends before its first window is complete
 * would make no decision. With #GstCnnClassify:pad-short (the default),
 * #preemphasis (else #hammingframe) upstream asks this element at EOS how
 * long a window is and, while the stream has made no decision, completes
 * it with digital silence to one window through its own processing, as
 * `earshot classify` and training pad short clips (the rule of
 * `pipeline/decide/windows.h`); the element then decides on that window.
 * Without either element upstream nothing is added. See docs/classify.md,
 * "Short files".
 *
 * ## Messages
 *
 * `cnnclassify`, one per decision:
 *
 * * #GstClockTime `timestamp`: start of the classified vector/window/frame.
 * * #GstClockTime `stream-time`, `running-time`: the same as stream and running time.
 * * #GstClockTime `duration`: the span it covers (may be NONE).
 * * #gchararray `model`: the model's name.
 * * #gchararray `label`: the decided label.
 * * #gint `index`: the label's index in `labels`.
 * * #gdouble `confidence`: its probability (after smoothing), 0..1.
 * * #GstValueArray of #gchararray `labels`: every label, in model order.
 * * #GstValueArray of #gdouble `probabilities`: every class probability
 *   after smoothing, in the order of `labels`.
 * * #GstValueArray of #gchararray `top-labels`: the #GstCnnClassify:top-k most
 *   probable labels, best first.
 * * #GstValueArray of #gdouble `top-probabilities`: their probabilities.
 * * #GstClockTime `padding`: only on the window of a stream completed with
 *   silence (#GstCnnClassify:pad-short): the part of its span after the end
 *   of the audio.
 *
 * `cnnclassify-event`, when a label starts and when it ends:
 *
 * * #gchararray `event`: `start` or `end`.
 * * #gchararray `model`, `label`; #gint `index`.
 * * #GstClockTime `onset`: stream time the event began (the start of the
 *   part of the stream its first voting decision was the first to cover).
 * * #GstClockTime `offset`: `end` only: stream time it ended (the end of its
 *   last decision at or above the off-threshold); NONE in `start`.
 * * #GstClockTime `duration`: `end` only: offset − onset.
 * * #GstClockTime `timestamp`, `stream-time`, `running-time`: when it was
 *   decided, the end of the deciding window (the announcement; latency is
 *   this minus the true onset).
 * * #gdouble `confidence`: `start`: the smoothed probability that decided
 *   it; `end`: the mean over the event.
 * * #gdouble `peak-confidence`, `mean-confidence`: over the event's
 *   decisions so far.
 * * #guint `windows`: decisions in the event so far.
 * * #gchararray `reason`: `end` only: `decided`, `gap` or `eos`.
 *
 * `cnnclassify-summary`, at EOS:
 *
 * * #gchararray `model`; #guint64 `windows`: decisions made.
 * * #GstClockTime `duration`: stream time the decisions covered.
 * * #gchararray `label`, #gint `index`, #gdouble `confidence`: the
 *   file-level decision, the best of the mean probabilities (absent when
 *   no decision was made).
 * * #GstValueArray `labels`; #GstValueArray of #gdouble `probabilities`:
 *   the mean of the decisions' (unsmoothed) probabilities.
 * * #GstValueArray of #gdouble `shares`: each label's share of the time as
 *   the decision (sums to 1).
 * * #GstValueArray of #guint `events`: events started per label.
 * * #gboolean `shorter-than-window`: the stream ended before its first
 *   window and was completed with silence to one (#GstCnnClassify:pad-short).
 * * #GstClockTime `padding`: the silence added (0 when none).
 *
 * Non-finite input values (NaN, ±Inf) make no decision for the vectors or
 * windows that hold them: the element posts a warning message once per
 * stream (again after a flush or a new stream) and passes the data on.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 -m frsrc location=iem.csv ! cnnclassify model=iem-signature-1d ! fakesink
 * gst-launch-1.0 -m frsrc location=iem.csv ! spectrogramimager ! cnnclassify model=iem-signature-2d ! fakesink
 * gst-launch-1.0 -m filesrc location=graph.png ! decodebin ! videoconvert ! cnnclassify model=iem-signature-2d ! fakesink
 * gst-launch-1.0 -m autoaudiosrc ! audioconvert ! audioresample ! audio/x-raw,format=F32LE,channels=1,rate=16000 ! preemphasis ! hammingframe ! gammatonefb bands=64 ! cnnclassify model=esc10 post-messages=false ! fakesink
 * ]|
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <string.h>
#include <gst/tag/tag.h>

#include "gstcnnclassify.h"
#include "media-types.h"
#include "decide/decision.h"
#include "dsp/frame-time.h"
#include "io/resize.h"
#include "window-padding.h"

GST_DEBUG_CATEGORY_STATIC (gst_cnn_classify_debug);
#define GST_CAT_DEFAULT gst_cnn_classify_debug

#define DEFAULT_MODEL NULL
#define DEFAULT_TOP_K 3
#define DEFAULT_THRESHOLD 0.0
#define DEFAULT_POST_MESSAGES TRUE
#define DEFAULT_POST_EVENTS TRUE
#define DEFAULT_WINDOW_FRAMES 0
#define DEFAULT_HOP_FRAMES 0
#define MAX_FRAMES 100000
/* The hop when none is set: a quarter of a second of frames, the step of
 * the live recipes we compare with (docs/live.md). */
#define AUTO_HOP_SECONDS 0.25
#define MAX_DURATION (3600 * GST_SECOND)
#define AUTO_AVERAGE 0
#define DEFAULT_PAD_SHORT TRUE

enum
{
  PROP_0,
  PROP_MODEL,
  PROP_TOP_K,
  PROP_THRESHOLD,
  PROP_POST_MESSAGES,
  PROP_POST_EVENTS,
  PROP_WINDOW_FRAMES,
  PROP_HOP_FRAMES,
  PROP_SMOOTHING,
  PROP_AVERAGE_WINDOWS,
  PROP_TIME_CONSTANT,
  PROP_VOTE_K,
  PROP_VOTE_N,
  PROP_ON_THRESHOLD,
  PROP_OFF_THRESHOLD,
  PROP_MIN_DURATION,
  PROP_REFRACTORY,
  PROP_PAD_SHORT,
  PROP_BACKGROUND_LABEL,
};

#define ALLOWED_CAPS \
  ES_FEATURES_MEDIA_TYPE "; " \
  "video/x-raw, format = (string) GRAY8, width = (int) [ 1, MAX ], " \
  "height = (int) [ 1, MAX ], framerate = (fraction) [ 0/1, MAX ]"

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS (ALLOWED_CAPS));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS (ALLOWED_CAPS));

G_DEFINE_TYPE (GstCnnClassify, gst_cnn_classify, GST_TYPE_BASE_TRANSFORM);

GType
gst_cnn_classify_smoothing_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {ES_SMOOTHING_MOVING_AVERAGE,
        "Mean of the last average-windows decisions", "moving-average"},
    {ES_SMOOTHING_EXPONENTIAL,
        "Exponential average with time-constant", "exponential"},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstCnnClassifySmoothing", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

static gboolean
cnnclassify_element_init (GstPlugin * plugin)
{
  gst_tag_register (ES_TAG_LABEL, GST_TAG_FLAG_META, G_TYPE_STRING,
      "earshot label", "label decided by an earshot classifier", NULL);
  gst_tag_register (ES_TAG_CONFIDENCE, GST_TAG_FLAG_META, G_TYPE_DOUBLE,
      "earshot confidence", "probability of the earshot label (0-1)", NULL);
  return gst_element_register (plugin, "cnnclassify", GST_RANK_NONE,
      GST_TYPE_CNN_CLASSIFY);
}

GST_ELEMENT_REGISTER_DEFINE_CUSTOM (cnnclassify, cnnclassify_element_init);

static void gst_cnn_classify_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_cnn_classify_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static void gst_cnn_classify_finalize (GObject * object);
static gboolean gst_cnn_classify_start (GstBaseTransform * trans);
static gboolean gst_cnn_classify_stop (GstBaseTransform * trans);
static GstCaps *gst_cnn_classify_transform_caps (GstBaseTransform * trans,
    GstPadDirection direction, GstCaps * caps, GstCaps * filter);
static gboolean gst_cnn_classify_set_caps (GstBaseTransform * trans,
    GstCaps * incaps, GstCaps * outcaps);
static gboolean gst_cnn_classify_sink_event (GstBaseTransform * trans,
    GstEvent * event);
static GstFlowReturn gst_cnn_classify_transform_ip (GstBaseTransform * trans,
    GstBuffer * buf);
static gboolean gst_cnn_classify_query (GstBaseTransform * trans,
    GstPadDirection direction, GstQuery * query);

static void
gst_cnn_classify_class_init (GstCnnClassifyClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  EsEventConfig d;

  es_event_config_init (&d);
  GST_DEBUG_CATEGORY_INIT (gst_cnn_classify_debug, "cnnclassify", 0,
      "earshot CNN classifier");

  gobject_class->set_property = gst_cnn_classify_set_property;
  gobject_class->get_property = gst_cnn_classify_get_property;
  gobject_class->finalize = gst_cnn_classify_finalize;

  /**
   * GstCnnClassify:model:
   *
   * The model: a path to a `.safetensors` file, or a short name such as
   * `iem-signature-1d` looked up in `$ES_MODEL_PATH`, the source tree's
   * `models/` and the installed models directory.
   */
  g_object_class_install_property (gobject_class, PROP_MODEL,
      g_param_spec_string ("model", "Model",
          "Model file path or short name (e.g. iem-signature-1d)",
          DEFAULT_MODEL, G_PARAM_READWRITE | GST_PARAM_MUTABLE_READY |
          G_PARAM_STATIC_STRINGS));
  /**
   * GstCnnClassify:top-k:
   *
   * How many of the most probable labels the message lists in `top-labels`
   * (capped at the model's label count).
   */
  g_object_class_install_property (gobject_class, PROP_TOP_K,
      g_param_spec_uint ("top-k", "Top k",
          "Number of best labels listed in each message", 1, 1000,
          DEFAULT_TOP_K, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  /**
   * GstCnnClassify:threshold:
   *
   * Minimum confidence (smoothed probability of the best label, 0–1) for a
   * `cnnclassify` message and a tag; below it nothing is posted or tagged
   * for that decision. Events have their own thresholds.
   */
  g_object_class_install_property (gobject_class, PROP_THRESHOLD,
      g_param_spec_double ("threshold", "Threshold",
          "Minimum probability (0-1) of the best label for a decision message",
          0.0, 1.0, DEFAULT_THRESHOLD,
          G_PARAM_READWRITE | GST_PARAM_CONTROLLABLE |
          G_PARAM_STATIC_STRINGS));
  /**
   * GstCnnClassify:post-messages:
   *
   * Post a `cnnclassify` element message on the bus for each decision.
   */
  g_object_class_install_property (gobject_class, PROP_POST_MESSAGES,
      g_param_spec_boolean ("post-messages", "Post messages",
          "Post an element message for each decision", DEFAULT_POST_MESSAGES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  /**
   * GstCnnClassify:post-events:
   *
   * Post `cnnclassify-event` messages when a label starts and ends, and the
   * `cnnclassify-summary` message at EOS.
   */
  g_object_class_install_property (gobject_class, PROP_POST_EVENTS,
      g_param_spec_boolean ("post-events", "Post events",
          "Post event start/end messages and the summary at EOS",
          DEFAULT_POST_EVENTS, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  /**
   * GstCnnClassify:window-frames:
   *
   * Frames per window for a model that takes windows of a feature stream;
   * 0 takes the model's own (W of its input `[bands, W]`). A model is built
   * for one window length: another value is refused with an error.
   */
  g_object_class_install_property (gobject_class, PROP_WINDOW_FRAMES,
      g_param_spec_uint ("window-frames", "Window frames",
          "Frames per window (0 = the model's input length)", 0, MAX_FRAMES,
          DEFAULT_WINDOW_FRAMES, G_PARAM_READWRITE | GST_PARAM_MUTABLE_READY |
          G_PARAM_STATIC_STRINGS));
  /**
   * GstCnnClassify:hop-frames:
   *
   * Frames between the starts of successive windows. 0: the hop of an
   * audio model's front-end description (`window_hop`, the grid it was
   * evaluated on) when it gives one, else about a quarter of a second
   * (round (0.25 s × frame rate), at least 1), and 1 for models that take
   * single vectors.
   */
  g_object_class_install_property (gobject_class, PROP_HOP_FRAMES,
      g_param_spec_uint ("hop-frames", "Hop frames",
          "Frames between window starts (0 = the model's, else about 0.25 s)",
          0, MAX_FRAMES,
          DEFAULT_HOP_FRAMES, G_PARAM_READWRITE | GST_PARAM_MUTABLE_READY |
          G_PARAM_STATIC_STRINGS));
  /**
   * GstCnnClassify:smoothing:
   *
   * How decisions are smoothed before they are posted and voted on: a
   * moving average over #GstCnnClassify:average-windows decisions, or an
   * exponential average with #GstCnnClassify:time-constant. Smoothing
   * restarts on discontinuities, gaps and flushes.
   */
  g_object_class_install_property (gobject_class, PROP_SMOOTHING,
      g_param_spec_enum ("smoothing", "Smoothing",
          "Smoothing of the probabilities", GST_TYPE_CNN_CLASSIFY_SMOOTHING,
          d.smoothing, G_PARAM_READWRITE | GST_PARAM_MUTABLE_READY |
          G_PARAM_STATIC_STRINGS));
  /**
   * GstCnnClassify:average-windows:
   *
   * Decisions averaged by the moving average (1 = no smoothing). 0: 2 on a
   * stream of frames (one with a frame rate), 1 on a stream of independent
   * vectors or pictures (no frame rate), whose decisions must not mix.
   */
  g_object_class_install_property (gobject_class, PROP_AVERAGE_WINDOWS,
      g_param_spec_uint ("average-windows", "Average windows",
          "Decisions in the moving average (1 = none; 0 = 2 on a stream of "
          "frames, 1 on independent vectors or pictures)", 0,
          ES_EVENT_MAX_AVERAGE_WINDOWS, AUTO_AVERAGE,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_READY |
          G_PARAM_STATIC_STRINGS));
  /**
   * GstCnnClassify:time-constant:
   *
   * Time constant of the exponential average (nanoseconds): a decision Δt
   * after the previous one weighs 1 − exp (−Δt / time-constant).
   */
  g_object_class_install_property (gobject_class, PROP_TIME_CONSTANT,
      g_param_spec_uint64 ("time-constant", "Time constant",
          "Time constant of the exponential smoothing (ns)", 1, MAX_DURATION,
          d.time_constant, G_PARAM_READWRITE | GST_PARAM_MUTABLE_READY |
          G_PARAM_STATIC_STRINGS));
  /**
   * GstCnnClassify:vote-k:
   *
   * k of k-of-n: decisions among the last #GstCnnClassify:vote-n that must
   * reach the on-threshold to start an event (and stay at or above the
   * off-threshold to keep it going).
   */
  g_object_class_install_property (gobject_class, PROP_VOTE_K,
      g_param_spec_uint ("vote-k", "Vote k",
          "Decisions of the last vote-n that must agree (k of n)", 1,
          ES_EVENT_MAX_VOTE_N, d.vote_k, G_PARAM_READWRITE |
          GST_PARAM_MUTABLE_READY | G_PARAM_STATIC_STRINGS));
  /**
   * GstCnnClassify:vote-n:
   *
   * n of k-of-n: how many of the latest decisions are counted (>= vote-k).
   */
  g_object_class_install_property (gobject_class, PROP_VOTE_N,
      g_param_spec_uint ("vote-n", "Vote n",
          "Latest decisions counted for k of n (>= vote-k)", 1,
          ES_EVENT_MAX_VOTE_N, d.vote_n, G_PARAM_READWRITE |
          GST_PARAM_MUTABLE_READY | G_PARAM_STATIC_STRINGS));
  /**
   * GstCnnClassify:on-threshold:
   *
   * Smoothed probability (0–1) at which a decision votes to start an event.
   */
  g_object_class_install_property (gobject_class, PROP_ON_THRESHOLD,
      g_param_spec_double ("on-threshold", "On threshold",
          "Probability at which a label votes to start an event", 0.001, 1.0,
          d.on_threshold, G_PARAM_READWRITE | GST_PARAM_CONTROLLABLE |
          G_PARAM_STATIC_STRINGS));
  /**
   * GstCnnClassify:off-threshold:
   *
   * Smoothed probability (0–1, at most the on-threshold) a decision must
   * keep to keep an event going.
   */
  g_object_class_install_property (gobject_class, PROP_OFF_THRESHOLD,
      g_param_spec_double ("off-threshold", "Off threshold",
          "Probability that keeps an event going (<= on-threshold)", 0.0, 1.0,
          d.off_threshold, G_PARAM_READWRITE | GST_PARAM_CONTROLLABLE |
          G_PARAM_STATIC_STRINGS));
  /**
   * GstCnnClassify:min-duration:
   *
   * An event is announced only once it has lasted this long (ns); shorter
   * ones are never posted.
   */
  g_object_class_install_property (gobject_class, PROP_MIN_DURATION,
      g_param_spec_uint64 ("min-duration", "Minimum duration",
          "Minimum event duration before it is announced (ns)", 0,
          MAX_DURATION, d.min_duration, G_PARAM_READWRITE |
          GST_PARAM_MUTABLE_READY | G_PARAM_STATIC_STRINGS));
  /**
   * GstCnnClassify:refractory:
   *
   * After an event ends, no event of the same label starts within this
   * time (ns) of its end.
   */
  g_object_class_install_property (gobject_class, PROP_REFRACTORY,
      g_param_spec_uint64 ("refractory", "Refractory time",
          "Time after an event's end before the label can start again (ns)",
          0, MAX_DURATION, d.refractory, G_PARAM_READWRITE |
          GST_PARAM_MUTABLE_READY | G_PARAM_STATIC_STRINGS));

  /**
   * GstCnnClassify:pad-short:
   *
   * Complete a stream that ends before its first window of frames is
   * complete with digital silence to one window, as `earshot classify` and
   * training do (the audio at the window's start): #preemphasis (else
   * #hammingframe) upstream adds the silence at EOS, so it goes through the
   * same front-end, and this element decides on that window. Its messages
   * then carry `padding` (the silence's part of the window) and the summary
   * `shorter-than-window`. A stream that held one window is never padded.
   * FALSE: a short stream makes no decision.
   */
  g_object_class_install_property (gobject_class, PROP_PAD_SHORT,
      g_param_spec_boolean ("pad-short", "Pad short streams",
          "Complete a stream shorter than one window with silence (added "
          "upstream by preemphasis or hammingframe) and decide on it",
          DEFAULT_PAD_SHORT, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  /**
   * GstCnnClassify:background-label:
   *
   * The label that means "nothing here": it never starts an event (it still
   * counts in the decisions, tags and summary). NULL (the default): the
   * label the model names as its background (`earshot model info` shows it;
   * models trained with `[data] background_clips`), none if it names none;
   * "" : none, every label starts events; else one of the model's labels
   * (another name is an error when the model is loaded).
   */
  g_object_class_install_property (gobject_class, PROP_BACKGROUND_LABEL,
      g_param_spec_string ("background-label", "Background label",
          "Label that never starts an event (NULL: the model's background "
          "label; \"\": none)", NULL, G_PARAM_READWRITE |
          GST_PARAM_MUTABLE_READY | G_PARAM_STATIC_STRINGS));

  gst_element_class_set_static_metadata (element_class,
      "CNN classifier", "Filter/Analyzer/Audio/Video",
      "Classifies feature vectors, windows of a feature stream or images "
      "with an earshot model and posts decisions, events and a summary as "
      "messages and tags", "earshot developers <earshot@earshot.invalid>");

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_type_mark_as_plugin_api (GST_TYPE_CNN_CLASSIFY_SMOOTHING, 0);

  trans_class->start = GST_DEBUG_FUNCPTR (gst_cnn_classify_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_cnn_classify_stop);
  trans_class->transform_caps =
      GST_DEBUG_FUNCPTR (gst_cnn_classify_transform_caps);
  trans_class->set_caps = GST_DEBUG_FUNCPTR (gst_cnn_classify_set_caps);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_cnn_classify_sink_event);
  trans_class->transform_ip = GST_DEBUG_FUNCPTR (gst_cnn_classify_transform_ip);
  trans_class->query = GST_DEBUG_FUNCPTR (gst_cnn_classify_query);
  trans_class->passthrough_on_same_caps = TRUE;
  trans_class->transform_ip_on_passthrough = TRUE;
}

static void
gst_cnn_classify_init (GstCnnClassify * self)
{
  self->model_location = g_strdup (DEFAULT_MODEL);
  self->top_k = DEFAULT_TOP_K;
  self->threshold = DEFAULT_THRESHOLD;
  self->post_messages = DEFAULT_POST_MESSAGES;
  self->post_events = DEFAULT_POST_EVENTS;
  self->window_frames = DEFAULT_WINDOW_FRAMES;
  self->hop_frames = DEFAULT_HOP_FRAMES;
  self->pad_short = DEFAULT_PAD_SHORT;
  self->padding_start = self->padding_duration = GST_CLOCK_TIME_NONE;
  es_event_config_init (&self->events);
  self->events.average_windows = AUTO_AVERAGE;
  self->last_tagged = -1;
  self->next_pts = GST_CLOCK_TIME_NONE;
  gst_base_transform_set_passthrough (GST_BASE_TRANSFORM (self), TRUE);
}

static void
gst_cnn_classify_free_state (GstCnnClassify * self)
{
  g_clear_pointer (&self->model, es_model_free);
  g_clear_pointer (&self->windows, es_frame_windows_free);
  g_clear_pointer (&self->detector, es_event_detector_free);
  g_clear_pointer (&self->frame, g_free);
  g_clear_pointer (&self->batch, g_free);
  g_clear_pointer (&self->batch_info, g_free);
  g_clear_pointer (&self->probs, g_free);
  g_clear_pointer (&self->smoothed, g_free);
  self->batch_capacity = 0;
  self->first_layer = 0;
  self->input_ndim = 0;
  self->input_size = 0;
  self->n_labels = 0;
  self->frame_values = 0;
  self->last_tagged = -1;
  self->warned_non_finite = FALSE;
  self->next_pts = GST_CLOCK_TIME_NONE;
  self->untimed_frames = 0;
  self->padding_start = self->padding_duration = GST_CLOCK_TIME_NONE;
}

static void
gst_cnn_classify_finalize (GObject * object)
{
  GstCnnClassify *self = GST_CNN_CLASSIFY (object);

  gst_cnn_classify_free_state (self);
  g_free (self->model_location);
  g_free (self->background_label);
  G_OBJECT_CLASS (gst_cnn_classify_parent_class)->finalize (object);
}

static void
gst_cnn_classify_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstCnnClassify *self = GST_CNN_CLASSIFY (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODEL:
      g_free (self->model_location);
      self->model_location = g_value_dup_string (value);
      break;
    case PROP_TOP_K:
      self->top_k = g_value_get_uint (value);
      break;
    case PROP_THRESHOLD:
      self->threshold = g_value_get_double (value);
      break;
    case PROP_POST_MESSAGES:
      self->post_messages = g_value_get_boolean (value);
      break;
    case PROP_POST_EVENTS:
      self->post_events = g_value_get_boolean (value);
      break;
    case PROP_WINDOW_FRAMES:
      self->window_frames = g_value_get_uint (value);
      break;
    case PROP_HOP_FRAMES:
      self->hop_frames = g_value_get_uint (value);
      break;
    case PROP_SMOOTHING:
      self->events.smoothing = g_value_get_enum (value);
      break;
    case PROP_AVERAGE_WINDOWS:
      self->events.average_windows = g_value_get_uint (value);
      break;
    case PROP_TIME_CONSTANT:
      self->events.time_constant = g_value_get_uint64 (value);
      break;
    case PROP_VOTE_K:
      self->events.vote_k = g_value_get_uint (value);
      break;
    case PROP_VOTE_N:
      self->events.vote_n = g_value_get_uint (value);
      break;
    case PROP_ON_THRESHOLD:
      self->events.on_threshold = g_value_get_double (value);
      break;
    case PROP_OFF_THRESHOLD:
      self->events.off_threshold = g_value_get_double (value);
      break;
    case PROP_MIN_DURATION:
      self->events.min_duration = g_value_get_uint64 (value);
      break;
    case PROP_REFRACTORY:
      self->events.refractory = g_value_get_uint64 (value);
      break;
    case PROP_BACKGROUND_LABEL:
      g_free (self->background_label);
      self->background_label = g_value_dup_string (value);
      break;
    case PROP_PAD_SHORT:
      self->pad_short = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_cnn_classify_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstCnnClassify *self = GST_CNN_CLASSIFY (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODEL:
      g_value_set_string (value, self->model_location);
      break;
    case PROP_TOP_K:
      g_value_set_uint (value, self->top_k);
      break;
    case PROP_THRESHOLD:
      g_value_set_double (value, self->threshold);
      break;
    case PROP_POST_MESSAGES:
      g_value_set_boolean (value, self->post_messages);
      break;
    case PROP_POST_EVENTS:
      g_value_set_boolean (value, self->post_events);
      break;
    case PROP_WINDOW_FRAMES:
      g_value_set_uint (value, self->window_frames);
      break;
    case PROP_HOP_FRAMES:
      g_value_set_uint (value, self->hop_frames);
      break;
    case PROP_SMOOTHING:
      g_value_set_enum (value, self->events.smoothing);
      break;
    case PROP_AVERAGE_WINDOWS:
      g_value_set_uint (value, self->events.average_windows);
      break;
    case PROP_TIME_CONSTANT:
      g_value_set_uint64 (value, self->events.time_constant);
      break;
    case PROP_VOTE_K:
      g_value_set_uint (value, self->events.vote_k);
      break;
    case PROP_VOTE_N:
      g_value_set_uint (value, self->events.vote_n);
      break;
    case PROP_ON_THRESHOLD:
      g_value_set_double (value, self->events.on_threshold);
      break;
    case PROP_OFF_THRESHOLD:
      g_value_set_double (value, self->events.off_threshold);
      break;
    case PROP_MIN_DURATION:
      g_value_set_uint64 (value, self->events.min_duration);
      break;
    case PROP_REFRACTORY:
      g_value_set_uint64 (value, self->events.refractory);
      break;
    case PROP_BACKGROUND_LABEL:
      g_value_set_string (value, self->background_label);
      break;
    case PROP_PAD_SHORT:
      g_value_set_boolean (value, self->pad_short);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static gboolean
gst_cnn_classify_start (GstBaseTransform * trans)
{
  GstCnnClassify *self = GST_CNN_CLASSIFY (trans);
  GError *err = NULL;
  gchar *location, *background;
  EsEventConfig config;
  const EsFrontendDesc *fe;
  size_t shape[3];
  int ndim;

  gst_cnn_classify_free_state (self);

  GST_OBJECT_LOCK (self);
  location = g_strdup (self->model_location);
  config = self->events;
  GST_OBJECT_UNLOCK (self);

  if (location == NULL || *location == '\0') {
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
        ("No model given: set the \"model\" property to a model file or name."),
        (NULL));
    g_free (location);
    return FALSE;
  }

  self->model = es_model_load (location, &err);
  if (self->model == NULL) {
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
        ("Could not load model \"%s\": %s", location, err->message), (NULL));
    g_error_free (err);
    g_free (location);
    return FALSE;
  }
  g_free (location);

  /* A learned audio front-end (its gammatone, compression and DCT layers)
   * is computed upstream by gammatonefb model=: the net runs from the layer
   * after it, on windows of that layer's input (bands x W frames). */
  fe = es_model_get_frontend_desc (self->model);
  if (fe->source == ES_FRONTEND_SOURCE_AUDIO && fe->frontend_layers > 0) {
    EsNet *net = es_model_get_net (self->model);

    self->first_layer = fe->frontend_layers;
    ndim = es_net_get_layer_input_shape (net, self->first_layer, shape);
    if (ndim < 1 || ndim > 3 || self->first_layer >= es_net_get_n_layers (net)) {
      GST_ELEMENT_ERROR (self, LIBRARY, SETTINGS,
          ("Model \"%s\": the network after its %zu front-end layers takes "
              "%d-dimensional input; windows of a feature stream are 2- or "
              "3-dimensional.", es_model_get_name (self->model),
              self->first_layer, ndim), (NULL));
      return FALSE;
    }
  } else {
    self->first_layer = 0;
    ndim = es_model_get_input_shape (self->model, shape);
  }
  self->input_ndim = ndim;
  self->input_size = 1;
  for (int i = 0; i < ndim; i++) {
    self->input_shape[i] = shape[i];
    self->input_size *= shape[i];
  }
  if (es_model_get_input_kind (self->model) == ES_MODEL_INPUT_IMAGE
      && (ndim != 3 || shape[0] != 1)) {
    GST_ELEMENT_ERROR (self, LIBRARY, SETTINGS,
        ("Model \"%s\" takes %zu-channel images; only grey (1-channel) "
            "images are supported.", es_model_get_name (self->model),
            ndim == 3 ? shape[0] : 0), (NULL));
    return FALSE;
  }
  self->n_labels = es_model_get_n_labels (self->model);
  self->background_index = es_model_get_background_index (self->model);
  GST_OBJECT_LOCK (self);
  background = g_strdup (self->background_label);
  GST_OBJECT_UNLOCK (self);
  if (background && background[0] == '\0') {
    self->background_index = -1;
  } else if (background) {
    self->background_index = es_model_get_label_index (self->model, background);
    if (self->background_index < 0) {
      char *known = g_strjoinv (", ", (char **) es_model_get_labels (self->model));
      GST_ELEMENT_ERROR (self, LIBRARY, SETTINGS,
          ("background-label \"%s\" is not one of model \"%s\"'s labels (%s).",
              background, es_model_get_name (self->model), known), (NULL));
      g_free (known);
      g_free (background);
      return FALSE;
    }
  }
  g_free (background);
  self->probs = g_new0 (double, self->n_labels);
  self->smoothed = g_new0 (double, self->n_labels);

  /* the detector is made at caps time (the automatic average depends on
   * the stream); refuse contradicting settings now */
  if (config.average_windows == AUTO_AVERAGE)
    config.average_windows = ES_EVENT_DEFAULT_AVERAGE_WINDOWS;
  if (!es_event_config_check (&config, &err)) {
    GST_ELEMENT_ERROR (self, LIBRARY, SETTINGS,
        ("Invalid event settings: %s.", err->message), (NULL));
    g_error_free (err);
    return FALSE;
  }

  GST_INFO_OBJECT (self, "model %s: %s input of %zu values from layer %zu, "
      "%zu labels", es_model_get_name (self->model),
      es_model_input_kind_name (es_model_get_input_kind (self->model)),
      self->input_size, self->first_layer, self->n_labels);
  return TRUE;
}

static gboolean
gst_cnn_classify_stop (GstBaseTransform * trans)
{
  gst_cnn_classify_free_state (GST_CNN_CLASSIFY (trans));
  return TRUE;
}

/* Caps the loaded model accepts, preferred first, or NULL when no model is
 * loaded yet. */
static GstCaps *
gst_cnn_classify_model_caps (GstCnnClassify * self)
{
  size_t shape[3];
  int ndim;
  GstCaps *caps;

  if (self->model == NULL)
    return NULL;
  ndim = self->input_ndim;
  memcpy (shape, self->input_shape, sizeof shape);
  if (es_model_get_input_kind (self->model) == ES_MODEL_INPUT_IMAGE)
    return gst_caps_new_simple ("video/x-raw",
        "format", G_TYPE_STRING, "GRAY8",
        "width", G_TYPE_INT, (gint) shape[2],
        "height", G_TYPE_INT, (gint) shape[1], NULL);
  caps = gst_caps_new_simple (ES_FEATURES_MEDIA_TYPE,
      "bands", G_TYPE_INT, (gint) self->input_size, NULL);
  /* windows of a feature stream: [bands, W] */
  if (ndim == 2 && shape[0] != self->input_size)
    gst_caps_append (caps, gst_caps_new_simple (ES_FEATURES_MEDIA_TYPE,
            "bands", G_TYPE_INT, (gint) shape[0], NULL));
  return caps;
}

static GstCaps *
gst_cnn_classify_transform_caps (GstBaseTransform * trans,
    GstPadDirection direction, GstCaps * caps, GstCaps * filter)
{
  GstCnnClassify *self = GST_CNN_CLASSIFY (trans);
  GstCaps *res = gst_caps_ref (caps);
  GstCaps *model_caps = gst_cnn_classify_model_caps (self);

  /* Passthrough: the other side carries the same caps, narrowed to what the
   * model takes so an upstream imager picks the model's size by itself. */
  if (model_caps) {
    GstCaps *tmp = gst_caps_intersect_full (res, model_caps,
        GST_CAPS_INTERSECT_FIRST);
    /* Keep the unrestricted caps too (after the preferred ones) so a wrong
     * stream still links and fails in set_caps with a message that says what
     * is wrong, instead of a bare not-negotiated. */
    gst_caps_unref (model_caps);
    res = gst_caps_merge (tmp, res);
  }
  if (filter) {
    GstCaps *tmp = gst_caps_intersect_full (filter, res,
        GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref (res);
    res = tmp;
  }
  return res;
}

/* ---- posting (never under the object lock) ------------------------------ */

static GValue *
value_array_of_strings (GValue * array, const char *const *strings, guint n)
{
  g_value_init (array, GST_TYPE_ARRAY);
  for (guint i = 0; i < n; i++) {
    GValue v = G_VALUE_INIT;
    g_value_init (&v, G_TYPE_STRING);
    g_value_set_string (&v, strings[i]);
    gst_value_array_append_and_take_value (array, &v);
  }
  return array;
}

static GValue *
value_array_of_doubles (GValue * array, const double *values, guint n)
{
  g_value_init (array, GST_TYPE_ARRAY);
  for (guint i = 0; i < n; i++) {
    GValue v = G_VALUE_INIT;
    g_value_init (&v, G_TYPE_DOUBLE);
    g_value_set_double (&v, values[i]);
    gst_value_array_append_and_take_value (array, &v);
  }
  return array;
}

static GstClockTime
gst_cnn_classify_stream_time (GstCnnClassify * self, GstClockTime t)
{
  if (!GST_CLOCK_TIME_IS_VALID (t))
    return GST_CLOCK_TIME_NONE;
  return gst_segment_to_stream_time (&GST_BASE_TRANSFORM (self)->segment,
      GST_FORMAT_TIME, t);
}

static GstClockTime
gst_cnn_classify_running_time (GstCnnClassify * self, GstClockTime t)
{
  if (!GST_CLOCK_TIME_IS_VALID (t))
    return GST_CLOCK_TIME_NONE;
  return gst_segment_to_running_time (&GST_BASE_TRANSFORM (self)->segment,
      GST_FORMAT_TIME, t);
}

static void
gst_cnn_classify_post (GstCnnClassify * self, GstStructure * s)
{
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), s));
}

static void
gst_cnn_classify_post_decision (GstCnnClassify * self, GstClockTime start,
    GstClockTime end, size_t best, guint top_k)
{
  const char *const *labels = es_model_get_labels (self->model);
  guint n_labels = (guint) self->n_labels;
  GValue labels_v = G_VALUE_INIT, probs_v = G_VALUE_INIT;
  GValue top_l = G_VALUE_INIT, top_p = G_VALUE_INIT;
  size_t *order = g_newa (size_t, n_labels);
  size_t n_top;
  GstStructure *s;

  n_top = es_decision_top_k (self->smoothed, n_labels, top_k, order);
  value_array_of_strings (&labels_v, labels, n_labels);
  value_array_of_doubles (&probs_v, self->smoothed, n_labels);
  g_value_init (&top_l, GST_TYPE_ARRAY);
  g_value_init (&top_p, GST_TYPE_ARRAY);
  for (size_t i = 0; i < n_top; i++) {
    GValue v = G_VALUE_INIT, p = G_VALUE_INIT;
    g_value_init (&v, G_TYPE_STRING);
    g_value_set_string (&v, labels[order[i]]);
    gst_value_array_append_and_take_value (&top_l, &v);
    g_value_init (&p, G_TYPE_DOUBLE);
    g_value_set_double (&p, self->smoothed[order[i]]);
    gst_value_array_append_and_take_value (&top_p, &p);
  }

  s = gst_structure_new (ES_CNN_CLASSIFY_MESSAGE,
      "timestamp", G_TYPE_UINT64, start,
      "stream-time", G_TYPE_UINT64, gst_cnn_classify_stream_time (self, start),
      "running-time", G_TYPE_UINT64,
      gst_cnn_classify_running_time (self, start),
      "duration", G_TYPE_UINT64,
      GST_CLOCK_TIME_IS_VALID (start) && GST_CLOCK_TIME_IS_VALID (end)
      && end >= start ? end - start : GST_CLOCK_TIME_NONE,
      "model", G_TYPE_STRING, es_model_get_name (self->model),
      "label", G_TYPE_STRING, labels[best],
      "index", G_TYPE_INT, (gint) best,
      "confidence", G_TYPE_DOUBLE, self->smoothed[best], NULL);
  gst_structure_take_value (s, "labels", &labels_v);
  gst_structure_take_value (s, "probabilities", &probs_v);
  gst_structure_take_value (s, "top-labels", &top_l);
  gst_structure_take_value (s, "top-probabilities", &top_p);
  /* the window of a stream completed with silence says how much of its
   * span is silence (0 when the silence lies in its last frame only) */
  if (GST_CLOCK_TIME_IS_VALID (self->padding_start)
      && GST_CLOCK_TIME_IS_VALID (start) && GST_CLOCK_TIME_IS_VALID (end))
    gst_structure_set (s, "padding", G_TYPE_UINT64,
        end > self->padding_start ? end - MAX (start, self->padding_start)
        : (guint64) 0, NULL);
  gst_cnn_classify_post (self, s);
}

static const char *
end_reason_name (EsEventEndReason reason)
{
  switch (reason) {
    case ES_EVENT_END_GAP:
      return "gap";
    case ES_EVENT_END_EOS:
      return "eos";
    case ES_EVENT_END_DECIDED:
    default:
      return "decided";
  }
}

/* Post the detector's queued events (all of them are read either way). */
static void
gst_cnn_classify_post_events (GstCnnClassify * self, gboolean post)
{
  const char *const *labels = es_model_get_labels (self->model);
  EsEvent e;

  while (es_event_detector_pop (self->detector, &e)) {
    GstStructure *s;
    gboolean end = e.kind == ES_EVENT_END;

    GST_DEBUG_OBJECT (self, "%s %s: onset %" GST_TIME_FORMAT " offset %"
        GST_TIME_FORMAT " decided %" GST_TIME_FORMAT " (%.3f)",
        end ? "end" : "start", labels[e.label], GST_TIME_ARGS (e.onset),
        GST_TIME_ARGS (e.offset), GST_TIME_ARGS (e.decided), e.confidence);
    if (!post)
      continue;
    s = gst_structure_new (ES_CNN_CLASSIFY_EVENT_MESSAGE,
        "event", G_TYPE_STRING, end ? "end" : "start",
        "model", G_TYPE_STRING, es_model_get_name (self->model),
        "label", G_TYPE_STRING, labels[e.label],
        "index", G_TYPE_INT, (gint) e.label,
        "onset", G_TYPE_UINT64, gst_cnn_classify_stream_time (self, e.onset),
        "offset", G_TYPE_UINT64, gst_cnn_classify_stream_time (self,
            e.offset),
        "timestamp", G_TYPE_UINT64, e.decided,
        "stream-time", G_TYPE_UINT64,
        gst_cnn_classify_stream_time (self, e.decided),
        "running-time", G_TYPE_UINT64,
        gst_cnn_classify_running_time (self, e.decided),
        "confidence", G_TYPE_DOUBLE, e.confidence,
        "peak-confidence", G_TYPE_DOUBLE, e.peak,
        "mean-confidence", G_TYPE_DOUBLE, e.mean,
        "windows", G_TYPE_UINT, e.windows, NULL);
    if (end) {
      gst_structure_set (s,
          "duration", G_TYPE_UINT64,
          GST_CLOCK_TIME_IS_VALID (e.onset) && GST_CLOCK_TIME_IS_VALID
          (e.offset) ? e.offset - e.onset : GST_CLOCK_TIME_NONE,
          "reason", G_TYPE_STRING, end_reason_name (e.reason), NULL);
    }
    gst_cnn_classify_post (self, s);
  }
}

static void
gst_cnn_classify_post_summary (GstCnnClassify * self)
{
  const char *const *labels = es_model_get_labels (self->model);
  guint n_labels = (guint) self->n_labels;
  double *mean = g_newa (double, n_labels);
  double *shares = g_newa (double, n_labels);
  GValue labels_v = G_VALUE_INIT, mean_v = G_VALUE_INIT;
  GValue shares_v = G_VALUE_INIT, events_v = G_VALUE_INIT;
  GstStructure *s;

  s = gst_structure_new (ES_CNN_CLASSIFY_SUMMARY_MESSAGE,
      "model", G_TYPE_STRING, es_model_get_name (self->model),
      "windows", G_TYPE_UINT64, es_event_detector_get_windows (self->detector),
      "duration", G_TYPE_UINT64,
      es_event_detector_get_covered (self->detector),
      "shorter-than-window", G_TYPE_BOOLEAN,
      GST_CLOCK_TIME_IS_VALID (self->padding_start),
      "padding", G_TYPE_UINT64,
      GST_CLOCK_TIME_IS_VALID (self->padding_duration) ?
      self->padding_duration : (guint64) 0, NULL);
  if (!es_event_detector_get_mean (self->detector, mean)) {
    memset (mean, 0, n_labels * sizeof (double));
    memset (shares, 0, n_labels * sizeof (double));
  } else {
    size_t best = es_decision_best (mean, n_labels);

    es_event_detector_get_shares (self->detector, shares);
    gst_structure_set (s, "label", G_TYPE_STRING, labels[best],
        "index", G_TYPE_INT, (gint) best,
        "confidence", G_TYPE_DOUBLE, mean[best], NULL);
  }
  value_array_of_strings (&labels_v, labels, n_labels);
  value_array_of_doubles (&mean_v, mean, n_labels);
  value_array_of_doubles (&shares_v, shares, n_labels);
  g_value_init (&events_v, GST_TYPE_ARRAY);
  for (guint i = 0; i < n_labels; i++) {
    GValue v = G_VALUE_INIT;
    g_value_init (&v, G_TYPE_UINT);
    g_value_set_uint (&v, es_event_detector_get_event_count (self->detector,
            i));
    gst_value_array_append_and_take_value (&events_v, &v);
  }
  gst_structure_take_value (s, "labels", &labels_v);
  gst_structure_take_value (s, "probabilities", &mean_v);
  gst_structure_take_value (s, "shares", &shares_v);
  gst_structure_take_value (s, "events", &events_v);
  gst_cnn_classify_post (self, s);
}

static gboolean
gst_cnn_classify_is_genre_model (GstCnnClassify * self)
{
  return es_model_get_tag (self->model) == ES_MODEL_TAG_GENRE;
}

static void
gst_cnn_classify_send_tag (GstCnnClassify * self, size_t best)
{
  const char *label = es_model_get_labels (self->model)[best];
  GstTagList *tags = gst_tag_list_new (ES_TAG_LABEL, label,
      ES_TAG_CONFIDENCE, self->smoothed[best], NULL);

  if (gst_cnn_classify_is_genre_model (self))
    gst_tag_list_add (tags, GST_TAG_MERGE_APPEND, GST_TAG_GENRE, label, NULL);
  gst_pad_push_event (GST_BASE_TRANSFORM_SRC_PAD (self),
      gst_event_new_tag (tags));
  self->last_tagged = (gint) best;
}

static gboolean
gst_cnn_classify_posts_events (GstCnnClassify * self)
{
  gboolean post;

  GST_OBJECT_LOCK (self);
  post = self->post_events;
  GST_OBJECT_UNLOCK (self);
  return post;
}

/* A discontinuity, gap, new caps or EOS: active events end, windows and
 * smoothing start again. */
static void
gst_cnn_classify_break (GstCnnClassify * self, EsEventEndReason reason)
{
  if (self->windows)
    es_frame_windows_reset (self->windows);
  self->next_pts = GST_CLOCK_TIME_NONE;
  self->untimed_frames = 0;
  if (self->detector == NULL)
    return;
  es_event_detector_break (self->detector, reason);
  gst_cnn_classify_post_events (self, gst_cnn_classify_posts_events (self));
}

/* A flush or a new stream: everything is forgotten. */
static void
gst_cnn_classify_reset (GstCnnClassify * self)
{
  if (self->windows)
    es_frame_windows_reset (self->windows);
  if (self->detector)
    es_event_detector_reset (self->detector);
  self->next_pts = GST_CLOCK_TIME_NONE;
  self->untimed_frames = 0;
  self->last_tagged = -1;
  self->warned_non_finite = FALSE;
  self->padding_start = self->padding_duration = GST_CLOCK_TIME_NONE;
}

/* ---- caps: what one decision is made of -------------------------------- */

/* Window length W for a feature stream of `bands` values per vector, or 0
 * (error posted). The shape is what the net takes where it starts: after a
 * learned front-end, the input of its first layer past it. */
static guint
gst_cnn_classify_feature_window (GstCnnClassify * self, guint bands,
    GstCaps * incaps)
{
  const size_t *shape = self->input_shape;
  int ndim = self->input_ndim;
  gboolean image = es_model_get_input_kind (self->model) ==
      ES_MODEL_INPUT_IMAGE;
  guint window = 0;

  if (!image && bands == self->input_size)
    window = 1;
  else if (!image && ndim == 2 && shape[0] == bands)
    window = (guint) shape[1];
  else if (ndim == 3 && shape[0] == 1 && shape[1] == bands)
    window = (guint) shape[2];

  if (window == 0) {
    if (image)
      GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
          ("Model \"%s\" takes images (%s), got feature vectors of %u values.",
              es_model_get_name (self->model),
              es_model_get_input_media (self->model), bands), (NULL));
    else
      GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
          ("Model \"%s\" takes vectors of %zu values, got bands=%u.",
              es_model_get_name (self->model), self->input_size, bands),
          ("model input: %s; stream: %" GST_PTR_FORMAT,
              es_model_get_input_media (self->model), incaps));
    return 0;
  }
  if (window > 1 && self->fps_n <= 0) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("Model \"%s\" takes windows of %u frames of %u values; the stream "
            "has no frame rate (a single vector, not a stream of frames).",
            es_model_get_name (self->model), window, bands),
        ("stream: %" GST_PTR_FORMAT, incaps));
    return 0;
  }
  return window;
}

/* The detector for this stream's settings; kept (with its summary) while
 * they stay the same. */
static gboolean
gst_cnn_classify_make_detector (GstCnnClassify * self)
{
  EsEventConfig config;
  GError *err = NULL;

  GST_OBJECT_LOCK (self);
  config = self->events;
  GST_OBJECT_UNLOCK (self);
  config.background_label = self->background_index;
  if (config.average_windows == AUTO_AVERAGE)
    config.average_windows = self->fps_n > 0
        ? ES_EVENT_DEFAULT_AVERAGE_WINDOWS : 1;
  if (self->detector && self->detector_average == config.average_windows)
    return TRUE;
  g_clear_pointer (&self->detector, es_event_detector_free);
  self->detector = es_event_detector_new (self->n_labels, &config, &err);
  if (self->detector == NULL) {
    GST_ELEMENT_ERROR (self, LIBRARY, SETTINGS,
        ("Invalid event settings: %s.", err->message), (NULL));
    g_error_free (err);
    return FALSE;
  }
  self->detector_average = config.average_windows;
  self->active_on = config.on_threshold;
  self->active_off = config.off_threshold;
  return TRUE;
}

static gboolean
gst_cnn_classify_set_caps (GstBaseTransform * trans, GstCaps * incaps,
    GstCaps * outcaps)
{
  GstCnnClassify *self = GST_CNN_CLASSIFY (trans);
  GstStructure *s = gst_caps_get_structure (incaps, 0);
  guint window = 1, hop = 1, want_window, want_hop;
  const EsFrontendDesc *fe;
  size_t shape[3];

  if (self->model == NULL)
    return FALSE;
  memcpy (shape, self->input_shape, sizeof shape);
  GST_OBJECT_LOCK (self);
  want_window = self->window_frames;
  want_hop = self->hop_frames;
  GST_OBJECT_UNLOCK (self);

  if (gst_structure_has_name (s, "video/x-raw")) {
    if (es_model_get_input_kind (self->model) != ES_MODEL_INPUT_IMAGE) {
      GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
          ("Model \"%s\" takes feature vectors of %zu values (%s), got images.",
              es_model_get_name (self->model), self->input_size,
              es_model_get_input_media (self->model)), (NULL));
      return FALSE;
    }
    if (!gst_video_info_from_caps (&self->vinfo, incaps))
      return FALSE;
    if ((size_t) GST_VIDEO_INFO_WIDTH (&self->vinfo) != shape[2]
        || (size_t) GST_VIDEO_INFO_HEIGHT (&self->vinfo) != shape[1])
      GST_INFO_OBJECT (self, "resampling %dx%d images to the model's %zux%zu",
          GST_VIDEO_INFO_WIDTH (&self->vinfo),
          GST_VIDEO_INFO_HEIGHT (&self->vinfo), shape[2], shape[1]);
    self->image_input = TRUE;
    self->fps_n = GST_VIDEO_INFO_FPS_N (&self->vinfo);
    self->fps_d = GST_VIDEO_INFO_FPS_D (&self->vinfo);
    self->frame_values = self->input_size;
  } else {
    gint bands = 0;

    if (!gst_structure_get_int (s, "bands", &bands) || bands <= 0) {
      GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
          ("Feature caps without a positive \"bands\" field: %" GST_PTR_FORMAT,
              incaps), (NULL));
      return FALSE;
    }
    self->image_input = FALSE;
    if (!gst_structure_get_fraction (s, "framerate", &self->fps_n,
            &self->fps_d) || self->fps_d <= 0) {
      self->fps_n = 0;
      self->fps_d = 1;
    }
    window = gst_cnn_classify_feature_window (self, (guint) bands, incaps);
    if (window == 0)
      return FALSE;
    self->bands = (guint) bands;
    self->frame_values = (size_t) bands;
  }
  if (want_window != 0 && want_window != window) {
    GST_ELEMENT_ERROR (self, LIBRARY, SETTINGS,
        ("Model \"%s\" takes windows of %u frames; window-frames=%u cannot be "
            "used with it (0 takes the model's).",
            es_model_get_name (self->model), window, want_window), (NULL));
    return FALSE;
  }
  fe = es_model_get_frontend_desc (self->model);
  if (want_hop != 0)
    hop = want_hop;
  else if (window > 1 && fe->source == ES_FRONTEND_SOURCE_AUDIO
      && fe->window_hop > 0)
    hop = fe->window_hop;       /* the hop the model was evaluated with */
  else if (window > 1)
    hop = MAX (1, (guint) lround (AUTO_HOP_SECONDS * self->fps_n /
            self->fps_d));

  /* new caps mean new frames: nothing carries over the change */
  gst_cnn_classify_break (self, ES_EVENT_END_GAP);
  if (!gst_cnn_classify_make_detector (self))
    return FALSE;
  g_clear_pointer (&self->windows, es_frame_windows_free);
  self->windows = es_frame_windows_new (self->frame_values, window, hop);
  g_free (self->frame);
  self->frame = g_new0 (float, self->frame_values);
  GST_INFO_OBJECT (self, "one decision every %u of %s, on windows of %u",
      hop, self->image_input ? "frames" : "vectors", window);
  return TRUE;
}

static gboolean
gst_cnn_classify_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstCnnClassify *self = GST_CNN_CLASSIFY (trans);

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_FLUSH_STOP:
    case GST_EVENT_STREAM_START:
      gst_cnn_classify_reset (self);
      break;
    case GST_EVENT_GAP:
      GST_DEBUG_OBJECT (self, "gap: active events end, windows restart");
      gst_cnn_classify_break (self, ES_EVENT_END_GAP);
      break;
    case GST_EVENT_CUSTOM_DOWNSTREAM:{
      GstClockTime start, duration;

      /* the silence upstream adds to complete a short stream comes next */
      if (es_window_padding_parse (event, &start, &duration)) {
        GST_DEBUG_OBJECT (self, "shorter than a window: %" GST_TIME_FORMAT
            " of silence from %" GST_TIME_FORMAT, GST_TIME_ARGS (duration),
            GST_TIME_ARGS (start));
        self->padding_start = start;
        self->padding_duration = duration;
      }
      break;
    }
    case GST_EVENT_EOS:
      if (self->detector) {
        gst_cnn_classify_break (self, ES_EVENT_END_EOS);
        if (gst_cnn_classify_posts_events (self))
          gst_cnn_classify_post_summary (self);
      }
      break;
    default:
      break;
  }
  return GST_BASE_TRANSFORM_CLASS (gst_cnn_classify_parent_class)->sink_event
      (trans, event);
}

/* Upstream (preemphasis, hammingframe) asks at EOS how many frames one
 * window is, to complete a stream shorter than that (window-padding.h):
 * answered for windows of a frame stream when pad-short is on and the
 * stream has made no decision yet (a short piece after a discontinuity in a
 * stream that was decided on is left alone). */
static gboolean
gst_cnn_classify_query (GstBaseTransform * trans, GstPadDirection direction,
    GstQuery * query)
{
  GstCnnClassify *self = GST_CNN_CLASSIFY (trans);

  if (direction == GST_PAD_SINK && es_window_query_is (query)) {
    gboolean pad_short;

    GST_OBJECT_LOCK (self);
    pad_short = self->pad_short;
    GST_OBJECT_UNLOCK (self);
    if (!pad_short || self->windows == NULL || self->image_input
        || self->fps_n <= 0 || self->detector == NULL
        || es_event_detector_get_windows (self->detector) > 0)
      return FALSE;
    es_window_query_set_frames (query,
        es_frame_windows_get_window (self->windows));
    return TRUE;
  }
  return GST_BASE_TRANSFORM_CLASS (gst_cnn_classify_parent_class)->query
      (trans, direction, query);
}

/* ---- streaming ---------------------------------------------------------- */

/* Frame i of n in buf spans [*start, *end), from the frame count
 * (dsp/frame-time.h): for feature vectors with the caps' frame rate in a
 * buffer whose OFFSET .. OFFSET_END numbers its n frames (hammingframe,
 * gammatonefb), exactly the times hammingframe gave those frames; else
 * the buffer's duration in n equal steps; without a PTS, frames counted
 * from the last reset. */
static void
gst_cnn_classify_frame_span (GstCnnClassify * self, GstBuffer * buf, gsize i,
    gsize n, GstClockTime * start, GstClockTime * end)
{
  GstClockTime pts = GST_BUFFER_PTS (buf);
  GstClockTime dur = GST_BUFFER_DURATION (buf);
  guint64 first = GST_BUFFER_OFFSET (buf);
  guint64 step = (guint64) self->fps_d * GST_SECOND;

  *start = *end = GST_CLOCK_TIME_NONE;
  if (!self->image_input && self->fps_n > 0 && GST_CLOCK_TIME_IS_VALID (pts)
      && GST_BUFFER_OFFSET_IS_VALID (buf) && GST_BUFFER_OFFSET_END_IS_VALID (buf)
      && GST_BUFFER_OFFSET_END (buf) - first == n) {
    *start = es_frame_time_in_buffer (pts, first, i, step, self->fps_n);
    *end = es_frame_time_in_buffer (pts, first, i + 1, step, self->fps_n);
  }
  if (GST_CLOCK_TIME_IS_VALID (*start) && GST_CLOCK_TIME_IS_VALID (*end))
    return;
  if (GST_CLOCK_TIME_IS_VALID (pts) && GST_CLOCK_TIME_IS_VALID (dur)) {
    *start = es_frame_time (pts, i, dur, n);
    *end = es_frame_time (pts, i + 1, dur, n);
  } else if (self->fps_n > 0) {
    guint64 k = i;

    /* without a PTS, count frames from the last reset */
    if (!GST_CLOCK_TIME_IS_VALID (pts)) {
      pts = 0;
      k = self->untimed_frames + i;
    }
    *start = es_frame_time (pts, k, step, self->fps_n);
    *end = es_frame_time (pts, k + 1, step, self->fps_n);
  } else if (GST_CLOCK_TIME_IS_VALID (pts)) {
    *start = *end = pts;
  }
}

/* A DISCONT flag, or a PTS more than half a frame away from where the last
 * buffer ended, is a hole in the stream. */
static gboolean
gst_cnn_classify_is_discont (GstCnnClassify * self, GstBuffer * buf, gsize n)
{
  GstClockTime pts = GST_BUFFER_PTS (buf), frame = GST_CLOCK_TIME_NONE;
  GstClockTimeDiff diff;

  if (GST_BUFFER_IS_DISCONT (buf))
    return TRUE;
  if (!GST_CLOCK_TIME_IS_VALID (pts)
      || !GST_CLOCK_TIME_IS_VALID (self->next_pts))
    return FALSE;
  if (self->fps_n > 0)
    frame = gst_util_uint64_scale (GST_SECOND, self->fps_d, self->fps_n);
  else if (GST_BUFFER_DURATION_IS_VALID (buf) && n > 0)
    frame = GST_BUFFER_DURATION (buf) / n;
  if (!GST_CLOCK_TIME_IS_VALID (frame) || frame == 0)
    return FALSE;
  diff = GST_CLOCK_DIFF (self->next_pts, pts);
  if (ABS (diff) <= (GstClockTimeDiff) (frame / 2))
    return FALSE;
  GST_DEBUG_OBJECT (self, "timestamp jump of %" GST_STIME_FORMAT
      ": treated as a gap", GST_STIME_ARGS (diff));
  return TRUE;
}

static void
gst_cnn_classify_ensure_batch (GstCnnClassify * self, size_t rows)
{
  if (rows <= self->batch_capacity)
    return;
  g_free (self->batch);
  g_free (self->batch_info);
  self->batch = g_new (float, rows * self->input_size);
  self->batch_info = g_new (EsWindowInfo, rows);
  self->batch_capacity = rows;
}

/* The values of frame i of the buffer, as the windows take them. */
static const float *
gst_cnn_classify_frame_values (GstCnnClassify * self, const guint8 * data,
    gsize i)
{
  size_t shape[3];
  const guint8 *frame;

  if (!self->image_input)
    return (const float *) data + i * self->frame_values;
  frame = data + i * GST_VIDEO_INFO_SIZE (&self->vinfo);
  memcpy (shape, self->input_shape, sizeof shape);
  es_resize_gray8_to_float (frame, GST_VIDEO_INFO_WIDTH (&self->vinfo),
      GST_VIDEO_INFO_HEIGHT (&self->vinfo),
      GST_VIDEO_INFO_PLANE_STRIDE (&self->vinfo, 0), self->frame, shape[2],
      shape[1]);
  return self->frame;
}

static void
gst_cnn_classify_warn_non_finite (GstCnnClassify * self, GstBuffer * buf,
    const EsWindowInfo * info)
{
  /* once per stream, so a live NaN source cannot flood the bus */
  if (!self->warned_non_finite) {
    GST_ELEMENT_WARNING (self, STREAM, DECODE,
        ("Input holds non-finite values (NaN or Inf); no decision made."),
        ("window %" G_GUINT64_FORMAT " (from frame %" G_GUINT64_FORMAT
            ") of buffer %" GST_PTR_FORMAT " (warned once per stream)",
            info->index, info->first_frame, buf));
    self->warned_non_finite = TRUE;
  } else {
    GST_DEBUG_OBJECT (self, "non-finite window %" G_GUINT64_FORMAT,
        info->index);
  }
}

static GstFlowReturn
gst_cnn_classify_transform_ip (GstBaseTransform * trans, GstBuffer * buf)
{
  GstCnnClassify *self = GST_CNN_CLASSIFY (trans);
  GstMapInfo map;
  gsize frame_bytes, n;
  size_t n_windows = 0;
  guint top_k;
  gdouble threshold, on, off;
  gboolean post, post_events, per_window;
  const float *logits = NULL;
  EsNet *net;
  GstClockTime start = GST_CLOCK_TIME_NONE, end = GST_CLOCK_TIME_NONE;

  if (self->model == NULL || self->windows == NULL || self->detector == NULL)
    return GST_FLOW_NOT_NEGOTIATED;

  /* thresholds are controllable */
  if (GST_BUFFER_PTS_IS_VALID (buf))
    gst_object_sync_values (GST_OBJECT (self),
        gst_segment_to_stream_time (&trans->segment, GST_FORMAT_TIME,
            GST_BUFFER_PTS (buf)));

  GST_OBJECT_LOCK (self);
  top_k = self->top_k;
  threshold = self->threshold;
  post = self->post_messages;
  post_events = self->post_events;
  on = self->events.on_threshold;
  off = self->events.off_threshold;
  GST_OBJECT_UNLOCK (self);

  if (on != self->active_on || off != self->active_off) {
    if (es_event_detector_set_thresholds (self->detector, on, off))
      GST_DEBUG_OBJECT (self, "thresholds now on %g, off %g", on, off);
    else
      GST_WARNING_OBJECT (self, "off-threshold %g above on-threshold %g: "
          "keeping on %g, off %g", off, on, self->active_on, self->active_off);
    self->active_on = on;
    self->active_off = off;
  }

  frame_bytes = self->image_input ? GST_VIDEO_INFO_SIZE (&self->vinfo)
      : self->frame_values * sizeof (float);
  if (!gst_buffer_map (buf, &map, GST_MAP_READ))
    return GST_FLOW_ERROR;
  if (map.size % frame_bytes != 0) {
    gst_buffer_unmap (buf, &map);
    GST_ELEMENT_ERROR (self, STREAM, FORMAT,
        ("Buffer of %" G_GSIZE_FORMAT " bytes is not a whole number of "
            "%" G_GSIZE_FORMAT "-byte inputs.", map.size, frame_bytes),
        (NULL));
    return GST_FLOW_ERROR;
  }
  n = map.size / frame_bytes;
  if (gst_cnn_classify_is_discont (self, buf, n))
    gst_cnn_classify_break (self, ES_EVENT_END_GAP);
  if (n == 0) {
    gst_buffer_unmap (buf, &map);
    return GST_FLOW_OK;
  }

  /* frames into windows; complete windows land in the batch */
  gst_cnn_classify_ensure_batch (self,
      n / es_frame_windows_get_hop (self->windows) + 1);
  for (gsize i = 0; i < n; i++) {
    EsWindowInfo *info = &self->batch_info[n_windows];

    gst_cnn_classify_frame_span (self, buf, i, n, &start, &end);
    if (!es_frame_windows_push (self->windows,
            gst_cnn_classify_frame_values (self, map.data, i), start, end,
            self->batch + n_windows * self->input_size, info))
      continue;
    if (!info->finite) {
      gst_cnn_classify_warn_non_finite (self, buf, info);
      continue;
    }
    n_windows++;
  }
  gst_buffer_unmap (buf, &map);
  if (!GST_BUFFER_PTS_IS_VALID (buf))
    self->untimed_frames += n;
  self->next_pts = end;
  if (n_windows == 0)
    return GST_FLOW_OK;

  /* Windows of a frame stream go through the net one at a time: a batched
   * GEMM rounds differently with the batch, and a decision must not depend
   * on how the stream was cut into buffers (nor differ from the library
   * running the model on the same window). Independent vectors and images
   * are batched per buffer. */
  per_window = es_frame_windows_get_window (self->windows) > 1;
  net = es_model_get_net (self->model);
  if (!per_window)
    logits = es_net_forward_from (net, self->first_layer, self->batch,
        n_windows);
  for (size_t w = 0; w < n_windows; w++) {
    const EsWindowInfo *info = &self->batch_info[w];
    const float *row;
    size_t best;

    if (per_window)
      row = es_net_forward_from (net, self->first_layer,
          self->batch + w * self->input_size, 1);
    else
      row = logits + w * self->n_labels;
    es_decision_probabilities (row, self->n_labels, self->probs);
    es_event_detector_push (self->detector, self->probs, info->start,
        info->end, self->smoothed);
    best = es_decision_best (self->smoothed, self->n_labels);
    GST_LOG_OBJECT (self, "%" GST_TIME_FORMAT ": %s (%.3f)",
        GST_TIME_ARGS (info->start), es_model_get_labels (self->model)[best],
        self->smoothed[best]);
    if (self->smoothed[best] >= threshold) {
      if (post)
        gst_cnn_classify_post_decision (self, info->start, info->end, best,
            top_k);
      if ((gint) best != self->last_tagged)
        gst_cnn_classify_send_tag (self, best);
    }
    gst_cnn_classify_post_events (self, post_events);
  }
  return GST_FLOW_OK;
}
