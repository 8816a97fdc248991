/* earshot: CNN classifier element
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * SECTION:element-cnnclassify
 * @title: cnnclassify
 * @short_description: classify feature vectors or images with an earshot model
 *
 * Runs an earshot model (a `.safetensors` file made by `earshot train`) on
 * every feature vector (`application/x-earshot-features`, e.g. from #frsrc)
 * or every grey image (`video/x-raw,format=GRAY8`, e.g. from
 * #spectrogramimager) that flows through it. Buffers pass through unchanged.
 *
 * The model describes its own input: a features model needs `bands` equal to
 * its input size, an image model a fixed width and height. When the model is
 * loaded (READY→PAUSED) the element advertises those caps first, so an
 * upstream imager negotiates the model's size by itself; feature input that
 * does not match fails with an error naming what the model expects and what
 * came. Grey images of any other size (a PNG or JPEG graph through
 * `decodebin ! videoconvert`) are resampled to the model's size by area
 * averaging, exactly as the trainer does. Grey pixels are given to the
 * network as value / 255 (white is 1).
 *
 * For every decision whose confidence reaches #GstCnnClassify:threshold the
 * element posts an element message (unless #GstCnnClassify:post-messages is
 * FALSE) and, when the label changes, sends a tag event downstream with
 * `earshot-label` (and `genre` when the model's task says its labels are
 * genres: `earshot model info` shows it).
 *
 * The message is a structure named `cnnclassify` with these fields:
 *
 * * #GstClockTime `timestamp`: the timestamp of the classified vector/frame.
 * * #GstClockTime `stream-time`: its stream time.
 * * #GstClockTime `running-time`: its running time.
 * * #GstClockTime `duration`: the duration it covers (may be NONE).
 * * #gchararray `model`: the model's name.
 * * #gchararray `label`: the decided label.
 * * #gint `index`: the label's index in `labels`.
 * * #gdouble `confidence`: its probability (after smoothing), 0..1.
 * * #GstValueArray of #gchararray `labels`: every label, in model order.
 * * #GstValueArray of #gdouble `probabilities`: every class probability, in
 *   the order of `labels`.
 * * #GstValueArray of #gchararray `top-labels`: the #GstCnnClassify:top-k most
 *   probable labels, best first.
 * * #GstValueArray of #gdouble `top-probabilities`: their probabilities.
 *
 * Non-finite input values (NaN, ±Inf) make no decision: the element posts a
 * warning message once per stream (again after a flush or a new stream) and
 * passes the data on.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 -m frsrc location=iem.csv ! cnnclassify model=iem-signature-1d ! fakesink
 * gst-launch-1.0 -m frsrc location=iem.csv ! spectrogramimager ! cnnclassify model=iem-signature-2d ! fakesink
 * gst-launch-1.0 -m filesrc location=graph.png ! decodebin ! videoconvert ! cnnclassify model=iem-signature-2d ! fakesink
 * ]|
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <string.h>
#include <gst/tag/tag.h>

#include "gstcnnclassify.h"
#include "decide/decision.h"
#include "es-caps.h"
#include "io/resize.h"
#include "nn/loss.h"

GST_DEBUG_CATEGORY_STATIC (gst_cnn_classify_debug);
#define GST_CAT_DEFAULT gst_cnn_classify_debug

#define DEFAULT_MODEL NULL
#define DEFAULT_TOP_K 3
#define DEFAULT_THRESHOLD 0.0
#define DEFAULT_POST_MESSAGES TRUE
#define DEFAULT_SMOOTHING 1
#define MAX_SMOOTHING 1000

enum
{
  PROP_0,
  PROP_MODEL,
  PROP_TOP_K,
  PROP_THRESHOLD,
  PROP_POST_MESSAGES,
  PROP_SMOOTHING,
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

static void
gst_cnn_classify_class_init (GstCnnClassifyClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);

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
   * Minimum confidence (probability of the best label, 0–1) for a decision;
   * below it nothing is posted or tagged for that vector/frame.
   */
  g_object_class_install_property (gobject_class, PROP_THRESHOLD,
      g_param_spec_double ("threshold", "Threshold",
          "Minimum probability (0-1) of the best label for a decision",
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
   * GstCnnClassify:smoothing:
   *
   * Number of consecutive vectors/frames whose class probabilities are
   * averaged before deciding (1 = no smoothing). Steadies decisions on live
   * streams; the average restarts on DISCONT and flushes.
   */
  g_object_class_install_property (gobject_class, PROP_SMOOTHING,
      g_param_spec_uint ("smoothing", "Smoothing",
          "Decisions averaged over this many consecutive inputs (1 = none)",
          1, MAX_SMOOTHING, DEFAULT_SMOOTHING,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_READY |
          G_PARAM_STATIC_STRINGS));

  gst_element_class_set_static_metadata (element_class,
      "CNN classifier", "Filter/Analyzer/Audio/Video",
      "Classifies feature vectors or images with an earshot model and posts "
      "the decisions as messages and tags",
      "earshot developers <earshot@earshot.invalid>");

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);

  trans_class->start = GST_DEBUG_FUNCPTR (gst_cnn_classify_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_cnn_classify_stop);
  trans_class->transform_caps =
      GST_DEBUG_FUNCPTR (gst_cnn_classify_transform_caps);
  trans_class->set_caps = GST_DEBUG_FUNCPTR (gst_cnn_classify_set_caps);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_cnn_classify_sink_event);
  trans_class->transform_ip = GST_DEBUG_FUNCPTR (gst_cnn_classify_transform_ip);
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
  self->smoothing = DEFAULT_SMOOTHING;
  self->last_tagged = -1;
  gst_base_transform_set_passthrough (GST_BASE_TRANSFORM (self), TRUE);
}

static void
gst_cnn_classify_reset_history (GstCnnClassify * self)
{
  self->history_len = 0;
  self->history_pos = 0;
}

static void
gst_cnn_classify_free_state (GstCnnClassify * self)
{
  g_clear_pointer (&self->model, es_model_free);
  g_clear_pointer (&self->batch, g_free);
  g_clear_pointer (&self->batch_finite, g_free);
  g_clear_pointer (&self->history, g_free);
  g_clear_pointer (&self->probs, g_free);
  g_clear_pointer (&self->scratch, g_free);
  self->batch_capacity = 0;
  self->input_size = 0;
  self->last_tagged = -1;
  self->warned_non_finite = FALSE;
  gst_cnn_classify_reset_history (self);
}

static void
gst_cnn_classify_finalize (GObject * object)
{
  GstCnnClassify *self = GST_CNN_CLASSIFY (object);

  gst_cnn_classify_free_state (self);
  g_free (self->model_location);
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
    case PROP_SMOOTHING:
      self->smoothing = g_value_get_uint (value);
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
    case PROP_SMOOTHING:
      g_value_set_uint (value, self->smoothing);
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
  gchar *location;
  size_t shape[3];
  int ndim;
  size_t n_labels;

  gst_cnn_classify_free_state (self);

  GST_OBJECT_LOCK (self);
  location = g_strdup (self->model_location);
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

  ndim = es_model_get_input_shape (self->model, shape);
  self->input_size = 1;
  for (int i = 0; i < ndim; i++)
    self->input_size *= shape[i];
  self->image_input =
      es_model_get_input_kind (self->model) == ES_MODEL_INPUT_IMAGE;
  if (self->image_input && (ndim != 3 || shape[0] != 1)) {
    GST_ELEMENT_ERROR (self, LIBRARY, SETTINGS,
        ("Model \"%s\" takes %zu-channel images; only grey (1-channel) "
            "images are supported.", es_model_get_name (self->model),
            ndim == 3 ? shape[0] : 0), (NULL));
    return FALSE;
  }
  n_labels = es_model_get_n_labels (self->model);
  self->probs = g_new0 (double, n_labels);
  self->scratch = g_new0 (float, n_labels);
  self->history = g_new0 (double, n_labels * self->smoothing);

  GST_INFO_OBJECT (self, "model %s: %s input of %zu values, %zu labels",
      es_model_get_name (self->model),
      es_model_input_kind_name (es_model_get_input_kind (self->model)),
      self->input_size, n_labels);
  return TRUE;
}

static gboolean
gst_cnn_classify_stop (GstBaseTransform * trans)
{
  gst_cnn_classify_free_state (GST_CNN_CLASSIFY (trans));
  return TRUE;
}

/* Caps the loaded model accepts, or NULL when no model is loaded yet. */
static GstCaps *
gst_cnn_classify_model_caps (GstCnnClassify * self)
{
  size_t shape[3];

  if (self->model == NULL)
    return NULL;
  if (self->image_input) {
    es_model_get_input_shape (self->model, shape);
    return gst_caps_new_simple ("video/x-raw",
        "format", G_TYPE_STRING, "GRAY8",
        "width", G_TYPE_INT, (gint) shape[2],
        "height", G_TYPE_INT, (gint) shape[1], NULL);
  }
  return gst_caps_new_simple (ES_FEATURES_MEDIA_TYPE,
      "bands", G_TYPE_INT, (gint) self->input_size, NULL);
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

static gboolean
gst_cnn_classify_set_caps (GstBaseTransform * trans, GstCaps * incaps,
    GstCaps * outcaps)
{
  GstCnnClassify *self = GST_CNN_CLASSIFY (trans);
  GstStructure *s = gst_caps_get_structure (incaps, 0);
  size_t shape[3];

  if (self->model == NULL)
    return FALSE;
  es_model_get_input_shape (self->model, shape);

  if (gst_structure_has_name (s, "video/x-raw")) {
    if (!self->image_input) {
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
    self->fps_n = GST_VIDEO_INFO_FPS_N (&self->vinfo);
    self->fps_d = GST_VIDEO_INFO_FPS_D (&self->vinfo);
  } else {
    gint bands = 0;

    if (self->image_input) {
      GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
          ("Model \"%s\" takes images (%s), got feature vectors.",
              es_model_get_name (self->model),
              es_model_get_input_media (self->model)), (NULL));
      return FALSE;
    }
    if (!gst_structure_get_int (s, "bands", &bands) || bands <= 0) {
      GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
          ("Feature caps without a positive \"bands\" field: %" GST_PTR_FORMAT,
              incaps), (NULL));
      return FALSE;
    }
    if ((size_t) bands != self->input_size) {
      GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
          ("Model \"%s\" takes vectors of %zu values, got bands=%d.",
              es_model_get_name (self->model), self->input_size, bands),
          ("model input: %s; stream: %" GST_PTR_FORMAT,
              es_model_get_input_media (self->model), incaps));
      return FALSE;
    }
    self->bands = bands;
    if (!gst_structure_get_fraction (s, "framerate", &self->fps_n,
            &self->fps_d)) {
      self->fps_n = 0;
      self->fps_d = 1;
    }
  }
  gst_cnn_classify_reset_history (self);
  return TRUE;
}

static gboolean
gst_cnn_classify_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstCnnClassify *self = GST_CNN_CLASSIFY (trans);

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_FLUSH_STOP:
      gst_cnn_classify_reset_history (self);
      self->last_tagged = -1;
      self->warned_non_finite = FALSE;
      break;
    case GST_EVENT_STREAM_START:
      self->last_tagged = -1;
      self->warned_non_finite = FALSE;
      break;
    default:
      break;
  }
  return GST_BASE_TRANSFORM_CLASS (gst_cnn_classify_parent_class)->sink_event
      (trans, event);
}

static gboolean
gst_cnn_classify_is_genre_model (GstCnnClassify * self)
{
  return es_model_get_tag (self->model) == ES_MODEL_TAG_GENRE;
}

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

static void
gst_cnn_classify_post_decision (GstCnnClassify * self, GstClockTime ts,
    GstClockTime duration, guint best, guint top_k)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  const char *const *labels = es_model_get_labels (self->model);
  guint n_labels = es_model_get_n_labels (self->model);
  GValue labels_v = G_VALUE_INIT, probs_v = G_VALUE_INIT;
  GValue top_l = G_VALUE_INIT, top_p = G_VALUE_INIT;
  guint order[1000];
  GstStructure *s;

  /* top-k by selection: label counts are small */
  for (guint i = 0; i < n_labels && i < G_N_ELEMENTS (order); i++)
    order[i] = i;
  top_k = MIN (top_k, MIN (n_labels, G_N_ELEMENTS (order)));
  for (guint i = 0; i < top_k; i++) {
    guint arg = i, t;
    for (guint j = i + 1; j < n_labels && j < G_N_ELEMENTS (order); j++)
      if (self->probs[order[j]] > self->probs[order[arg]])
        arg = j;
    t = order[i];
    order[i] = order[arg];
    order[arg] = t;
  }

  value_array_of_strings (&labels_v, labels, n_labels);
  g_value_init (&probs_v, GST_TYPE_ARRAY);
  g_value_init (&top_l, GST_TYPE_ARRAY);
  g_value_init (&top_p, GST_TYPE_ARRAY);
  for (guint i = 0; i < n_labels; i++) {
    GValue v = G_VALUE_INIT;
    g_value_init (&v, G_TYPE_DOUBLE);
    g_value_set_double (&v, self->probs[i]);
    gst_value_array_append_and_take_value (&probs_v, &v);
  }
  for (guint i = 0; i < top_k; i++) {
    GValue v = G_VALUE_INIT, p = G_VALUE_INIT;
    g_value_init (&v, G_TYPE_STRING);
    g_value_set_string (&v, labels[order[i]]);
    gst_value_array_append_and_take_value (&top_l, &v);
    g_value_init (&p, G_TYPE_DOUBLE);
    g_value_set_double (&p, self->probs[order[i]]);
    gst_value_array_append_and_take_value (&top_p, &p);
  }

  s = gst_structure_new ("cnnclassify",
      "timestamp", G_TYPE_UINT64, ts,
      "stream-time", G_TYPE_UINT64,
      gst_segment_to_stream_time (&trans->segment, GST_FORMAT_TIME, ts),
      "running-time", G_TYPE_UINT64,
      gst_segment_to_running_time (&trans->segment, GST_FORMAT_TIME, ts),
      "duration", G_TYPE_UINT64, duration,
      "model", G_TYPE_STRING, es_model_get_name (self->model),
      "label", G_TYPE_STRING, labels[best],
      "index", G_TYPE_INT, (gint) best,
      "confidence", G_TYPE_DOUBLE, self->probs[best], NULL);
  gst_structure_take_value (s, "labels", &labels_v);
  gst_structure_take_value (s, "probabilities", &probs_v);
  gst_structure_take_value (s, "top-labels", &top_l);
  gst_structure_take_value (s, "top-probabilities", &top_p);

  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), s));
}

static void
gst_cnn_classify_send_tag (GstCnnClassify * self, guint best)
{
  const char *label = es_model_get_labels (self->model)[best];
  GstTagList *tags = gst_tag_list_new (ES_TAG_LABEL, label,
      ES_TAG_CONFIDENCE, self->probs[best], NULL);

  if (gst_cnn_classify_is_genre_model (self))
    gst_tag_list_add (tags, GST_TAG_MERGE_APPEND, GST_TAG_GENRE, label, NULL);
  gst_pad_push_event (GST_BASE_TRANSFORM_SRC_PAD (self),
      gst_event_new_tag (tags));
  self->last_tagged = best;
}

/* Copy example i of the buffer into row i of the batch; FALSE if it holds a
 * non-finite value. */
static gboolean
gst_cnn_classify_fill_example (GstCnnClassify * self, const guint8 * data,
    gsize i, float *row)
{
  gboolean finite = TRUE;

  if (self->image_input) {
    size_t shape[3];
    const guint8 *frame = data + i * GST_VIDEO_INFO_SIZE (&self->vinfo);

    es_model_get_input_shape (self->model, shape);
    es_resize_gray8_to_float (frame, GST_VIDEO_INFO_WIDTH (&self->vinfo),
        GST_VIDEO_INFO_HEIGHT (&self->vinfo),
        GST_VIDEO_INFO_PLANE_STRIDE (&self->vinfo, 0), row, shape[2],
        shape[1]);
  } else {
    memcpy (row, data + i * self->input_size * sizeof (float),
        self->input_size * sizeof (float));
    for (size_t k = 0; k < self->input_size; k++)
      finite &= isfinite (row[k]);
  }
  return finite;
}

static GstFlowReturn
gst_cnn_classify_transform_ip (GstBaseTransform * trans, GstBuffer * buf)
{
  GstCnnClassify *self = GST_CNN_CLASSIFY (trans);
  GstMapInfo map;
  gsize example_bytes, n, n_labels;
  guint top_k, smoothing;
  gdouble threshold;
  gboolean post;
  const float *logits;
  GstClockTime pts, step;

  if (self->model == NULL || self->input_size == 0)
    return GST_FLOW_NOT_NEGOTIATED;

  /* threshold is controllable */
  if (GST_BUFFER_PTS_IS_VALID (buf))
    gst_object_sync_values (GST_OBJECT (self),
        gst_segment_to_stream_time (&trans->segment, GST_FORMAT_TIME,
            GST_BUFFER_PTS (buf)));

  GST_OBJECT_LOCK (self);
  top_k = self->top_k;
  threshold = self->threshold;
  post = self->post_messages;
  smoothing = self->smoothing;
  GST_OBJECT_UNLOCK (self);

  if (GST_BUFFER_IS_DISCONT (buf))
    gst_cnn_classify_reset_history (self);

  example_bytes = self->image_input ? GST_VIDEO_INFO_SIZE (&self->vinfo)
      : self->input_size * sizeof (float);
  if (!gst_buffer_map (buf, &map, GST_MAP_READ))
    return GST_FLOW_ERROR;
  if (map.size % example_bytes != 0) {
    gst_buffer_unmap (buf, &map);
    GST_ELEMENT_ERROR (self, STREAM, FORMAT,
        ("Buffer of %" G_GSIZE_FORMAT " bytes is not a whole number of "
            "%" G_GSIZE_FORMAT "-byte inputs.", map.size, example_bytes),
        (NULL));
    return GST_FLOW_ERROR;
  }
  n = map.size / example_bytes;
  if (n == 0) {
    gst_buffer_unmap (buf, &map);
    return GST_FLOW_OK;
  }
  if (n > self->batch_capacity) {
    g_free (self->batch);
    g_free (self->batch_finite);
    self->batch = g_new (float, n * self->input_size);
    self->batch_finite = g_new (gboolean, n);
    self->batch_capacity = n;
  }

  for (gsize i = 0; i < n; i++) {
    self->batch_finite[i] = gst_cnn_classify_fill_example (self, map.data, i,
        self->batch + i * self->input_size);
    if (!self->batch_finite[i]) {
      /* a zero row keeps the batch computable; its result is skipped */
      memset (self->batch + i * self->input_size, 0,
          self->input_size * sizeof (float));
      /* once per stream, so a live NaN source cannot flood the bus */
      if (!self->warned_non_finite) {
        GST_ELEMENT_WARNING (self, STREAM, DECODE,
            ("Input holds non-finite values (NaN or Inf); no decision made."),
            ("example %" G_GSIZE_FORMAT " of buffer %" GST_PTR_FORMAT
                " (warned once per stream)", i, buf));
        self->warned_non_finite = TRUE;
      } else {
        GST_DEBUG_OBJECT (self, "non-finite example %" G_GSIZE_FORMAT
            " of buffer %" GST_PTR_FORMAT, i, buf);
      }
    }
  }
  gst_buffer_unmap (buf, &map);

  logits = es_net_forward (es_model_get_net (self->model), self->batch, n);
  n_labels = es_model_get_n_labels (self->model);

  pts = GST_BUFFER_PTS (buf);
  step = GST_CLOCK_TIME_NONE;
  if (GST_BUFFER_DURATION_IS_VALID (buf))
    step = GST_BUFFER_DURATION (buf) / n;
  else if (self->fps_n > 0)
    step = gst_util_uint64_scale_int (GST_SECOND, self->fps_d, self->fps_n);

  for (gsize i = 0; i < n; i++) {
    double *slot;
    guint best = 0;
    GstClockTime ts = GST_CLOCK_TIME_NONE;

    if (!self->batch_finite[i])
      continue;
    if (GST_CLOCK_TIME_IS_VALID (pts))
      ts = pts + (GST_CLOCK_TIME_IS_VALID (step) ? i * step : 0);

    /* probabilities (decide/decision.h, as earshot iem computes them) into
     * the history ring, then average the ring */
    slot = self->history + self->history_pos * n_labels;
    es_decision_probabilities (logits + i * n_labels, n_labels, slot);
    self->history_pos = (self->history_pos + 1) % smoothing;
    self->history_len = MIN (self->history_len + 1, smoothing);
    for (gsize k = 0; k < n_labels; k++) {
      double acc = 0;
      for (guint h = 0; h < self->history_len; h++)
        acc += self->history[h * n_labels + k];
      self->probs[k] = acc / self->history_len;
      if (self->probs[k] > self->probs[best])
        best = k;
    }

    GST_LOG_OBJECT (self, "%" GST_TIME_FORMAT ": %s (%.3f)",
        GST_TIME_ARGS (ts), es_model_get_labels (self->model)[best],
        self->probs[best]);
    if (self->probs[best] < threshold)
      continue;
    if (post)
      gst_cnn_classify_post_decision (self, ts, step, best, top_k);
    if ((gint) best != self->last_tagged)
      gst_cnn_classify_send_tag (self, best);
  }
  return GST_FLOW_OK;
}
