/* earshot: gammatone filterbank element
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * SECTION:element-gammatonefb
 * @title: gammatonefb
 * @short_description: gammatone band energies (or cepstra) of audio frames
 *
 * Turns every windowed frame of an `application/x-earshot-frames` stream
 * (see #GstHammingFrame) into one feature vector:
 *
 * 1. real FFT of the frame zero-padded to the next power of two, power
 *    spectrum |X_k|²;
 * 2. #GstGammatoneFb:bands 4th-order gammatone filters applied as power
 *    weights w_b(f) = g·(1 + ((f − fc)/(β·ERB(fc)))²)^−4, with
 *    ERB(f) = 24.7·(4.37·f/1000 + 1); band energy E_b = Σ_k w_b(f_k)|X_k|²;
 * 3. log compression ln(max(E_b, #GstGammatoneFb:log-floor));
 * 4. optionally (#GstGammatoneFb:dct > 0) the first N coefficients of the
 *    orthonormal DCT-II of the log energies (cepstral features).
 *
 * The centre frequencies fc are spaced evenly on the mel scale strictly inside
 * [#GstGammatoneFb:fmin, #GstGammatoneFb:fmax], every band with bandwidth
 * factor β = #GstGammatoneFb:bandwidth and gain g = 1. These per-band
 * parameters are kept as data so that learned values (from a model file) can
 * replace them.
 *
 * Output caps:
 * |[
 * application/x-earshot-features, bands=(int)B, framerate=(fraction)F,
 *     scale=(string){gammatone,cepstrum}, rate=(int)R
 * ]|
 * where B is #GstGammatoneFb:bands, or #GstGammatoneFb:dct when the DCT is
 * on (scale is then "cepstrum"), F the frame rate and R the audio rate of the
 * input frames. A buffer holds one float32 vector per input frame, and keeps
 * the timestamps, duration and offsets of the input buffer.
 *
 * Non-finite input: a frame that contains a NaN or ±Inf sample, or samples so
 * large (above about 1e18) that their power overflows float32, gives a vector
 * of NaN (the FFT would spread it over every band anyway), and the element
 * posts one warning message per stream (again after a flush or restart).
 *
 * Invalid settings (fmin ≥ fmax, fmax above the Nyquist frequency of the
 * negotiated rate, dct > bands) fail the caps negotiation with an error
 * message that says which setting is wrong; the rules are those of the
 * library's front-end validator, which model files and the trainer obey too.
 *
 * ## Settings from a model
 *
 * With #GstGammatoneFb:model, the element computes the front-end a model
 * was trained with, from the model file's front-end description: bands,
 * fmin, fmax, bandwidth, compression (log with its floor, PCEN, or none) and
 * dct — and, for a model whose front-end was learned, the learned bands (and
 * PCEN values) stored as tensors of the file, so the model is served exactly
 * as it trained. The incoming frames must be the model's: rate, frame-size,
 * hop-size and window come from upstream (#GstHammingFrame) and any that
 * differ fail the negotiation with an error naming both values. A property
 * set explicitly next to model= must agree with the model (setting it to
 * the model's own value is allowed); a conflicting one is an error at
 * negotiation. A model that cannot be loaded fails the READY→PAUSED change.
 * `earshot model info NAME` prints the whole line a model needs.
 *
 * With compression PCEN, each band's smoother runs along the stream and
 * starts afresh after a flush, a discontinuity or a restart.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 audiotestsrc num-buffers=100 ! audioconvert ! audio/x-raw,format=F32LE,rate=16000,channels=1 ! preemphasis ! hammingframe ! gammatonefb ! fakesink
 * gst-launch-1.0 audiotestsrc wave=pink-noise num-buffers=100 ! audioconvert ! audioresample ! audio/x-raw,format=F32LE,rate=16000,channels=1 ! preemphasis ! hammingframe ! gammatonefb bands=64 dct=40 ! fakesink silent=false -v
 * gst-launch-1.0 filesrc location=clip.wav ! decodebin ! audioconvert ! audioresample ! audio/x-raw,format=F32LE,rate=16000,channels=1 ! preemphasis ! hammingframe frame-size=400 hop-size=160 ! gammatonefb model=MODEL ! cnnclassify model=MODEL ! fakesink
 * ]|
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <string.h>

#include "gstgammatonefb.h"
#include "media-types.h"
#include "dsp/fft.h"
#include "model/frontend-desc.h"

GST_DEBUG_CATEGORY_STATIC (gst_gammatone_fb_debug);
#define GST_CAT_DEFAULT gst_gammatone_fb_debug

#define DEFAULT_BANDS 64
#define DEFAULT_FMIN ES_GAMMATONE_DEFAULT_FMIN
#define DEFAULT_FMAX 0.0
#define DEFAULT_BANDWIDTH ES_GAMMATONE_DEFAULT_BANDWIDTH
#define DEFAULT_LOG_FLOOR ES_GAMMATONE_DEFAULT_LOG_FLOOR
#define DEFAULT_DCT 0
#define MAX_BANDS 4096
#define MAX_FREQUENCY 1000000.0

enum
{
  PROP_0,
  PROP_BANDS,
  PROP_FMIN,
  PROP_FMAX,
  PROP_BANDWIDTH,
  PROP_LOG_FLOOR,
  PROP_DCT,
  PROP_MODEL,
};

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (ES_FRAMES_MEDIA_TYPE ", rate = (int) [ 1, MAX ], "
        "frame-size = (int) [ 1, MAX ], hop-size = (int) [ 1, MAX ], "
        "window = (string) { hamming, hann, rectangular }, "
        "framerate = (fraction) [ 0/1, MAX ]"));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (ES_FEATURES_MEDIA_TYPE ", bands = (int) [ 1, MAX ], "
        "framerate = (fraction) [ 0/1, MAX ], "
        "scale = (string) { " ES_SCALE_GAMMATONE ", " ES_SCALE_CEPSTRUM " }, "
        "rate = (int) [ 1, MAX ]"));

#define gst_gammatone_fb_parent_class parent_class
G_DEFINE_TYPE (GstGammatoneFb, gst_gammatone_fb, GST_TYPE_BASE_TRANSFORM);
GST_ELEMENT_REGISTER_DEFINE (gammatonefb, "gammatonefb", GST_RANK_NONE,
    GST_TYPE_GAMMATONE_FB);

static void gst_gammatone_fb_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_gammatone_fb_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static void gst_gammatone_fb_finalize (GObject * object);

static GstCaps *gst_gammatone_fb_transform_caps (GstBaseTransform * trans,
    GstPadDirection direction, GstCaps * caps, GstCaps * filter);
static gboolean gst_gammatone_fb_set_caps (GstBaseTransform * trans,
    GstCaps * incaps, GstCaps * outcaps);
static gboolean gst_gammatone_fb_transform_size (GstBaseTransform * trans,
    GstPadDirection direction, GstCaps * caps, gsize size, GstCaps * othercaps,
    gsize * othersize);
static gboolean gst_gammatone_fb_start (GstBaseTransform * trans);
static gboolean gst_gammatone_fb_stop (GstBaseTransform * trans);
static gboolean gst_gammatone_fb_sink_event (GstBaseTransform * trans,
    GstEvent * event);
static GstFlowReturn gst_gammatone_fb_transform (GstBaseTransform * trans,
    GstBuffer * inbuf, GstBuffer * outbuf);

static void
gst_gammatone_fb_class_init (GstGammatoneFbClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_gammatone_fb_debug, "gammatonefb", 0,
      "earshot gammatone filterbank");

  gobject_class->set_property = gst_gammatone_fb_set_property;
  gobject_class->get_property = gst_gammatone_fb_get_property;
  gobject_class->finalize = gst_gammatone_fb_finalize;

  /**
   * GstGammatoneFb:bands:
   *
   * Number of gammatone filters (log energies per frame when the DCT is off).
   */
  g_object_class_install_property (gobject_class, PROP_BANDS,
      g_param_spec_uint ("bands", "Bands",
          "Number of gammatone filters (bands)", 1, MAX_BANDS, DEFAULT_BANDS,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));

  /**
   * GstGammatoneFb:fmin:
   *
   * Lower edge of the mel-spaced centre frequencies (the lowest centre lies
   * above it).
   */
  g_object_class_install_property (gobject_class, PROP_FMIN,
      g_param_spec_double ("fmin", "Minimum frequency",
          "Lower edge of the filterbank (Hz)", 0.0, MAX_FREQUENCY,
          DEFAULT_FMIN, G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));

  /**
   * GstGammatoneFb:fmax:
   *
   * Upper edge of the mel-spaced centre frequencies; 0 means half the sample
   * rate. Must not exceed half the sample rate.
   */
  g_object_class_install_property (gobject_class, PROP_FMAX,
      g_param_spec_double ("fmax", "Maximum frequency",
          "Upper edge of the filterbank (Hz, 0 = half the sample rate)", 0.0,
          MAX_FREQUENCY, DEFAULT_FMAX, G_PARAM_READWRITE |
          GST_PARAM_MUTABLE_PLAYING | G_PARAM_STATIC_STRINGS));

  /**
   * GstGammatoneFb:bandwidth:
   *
   * Bandwidth of every filter as a multiple of the equivalent rectangular
   * bandwidth ERB(fc) (1.019 for the classic 4th-order gammatone).
   */
  g_object_class_install_property (gobject_class, PROP_BANDWIDTH,
      g_param_spec_double ("bandwidth", "Bandwidth",
          "Filter bandwidth (multiple of the ERB at the centre frequency)",
          0.001, 100.0, DEFAULT_BANDWIDTH, G_PARAM_READWRITE |
          GST_PARAM_MUTABLE_PLAYING | G_PARAM_STATIC_STRINGS));

  /**
   * GstGammatoneFb:log-floor:
   *
   * Band energies below this value are raised to it before the natural
   * logarithm, so silence gives ln(floor) (−23.03 for 1e-10) instead of −Inf.
   */
  g_object_class_install_property (gobject_class, PROP_LOG_FLOOR,
      g_param_spec_double ("log-floor", "Log floor",
          "Floor applied to band energies before the natural logarithm "
          "(linear power, squared sample units)", 1e-30, 1.0,
          DEFAULT_LOG_FLOOR, G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));

  /**
   * GstGammatoneFb:dct:
   *
   * When > 0, output the first N coefficients of the orthonormal DCT-II of
   * the log band energies (cepstra; 40 is the usual choice) instead of the
   * energies. Must not exceed #GstGammatoneFb:bands.
   */
  g_object_class_install_property (gobject_class, PROP_DCT,
      g_param_spec_uint ("dct", "DCT coefficients",
          "Cepstral coefficients kept from a DCT-II of the log energies "
          "(count, 0 = off, e.g. 40; at most bands)", 0, MAX_BANDS,
          DEFAULT_DCT, G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));

  /**
   * GstGammatoneFb:model:
   *
   * A model file (path) or a model name on the model search path
   * (`ES_MODEL_PATH`, then the installed models): the filterbank then takes
   * every setting, and learned bands, from the model's front-end description
   * (see "Settings from a model" above). NULL (the default): the properties.
   */
  g_object_class_install_property (gobject_class, PROP_MODEL,
      g_param_spec_string ("model", "Model",
          "Model file path or name whose front-end to compute (its bands, "
          "range, compression, DCT and learned bands); NULL = the properties",
          NULL, G_PARAM_READWRITE | GST_PARAM_MUTABLE_READY |
          G_PARAM_STATIC_STRINGS));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "Gammatone filterbank", "Filter/Analyzer/Audio",
      "Log gammatone band energies (or cepstra) of windowed audio frames",
      "earshot developers <earshot@earshot.invalid>");

  trans_class->transform_caps =
      GST_DEBUG_FUNCPTR (gst_gammatone_fb_transform_caps);
  trans_class->set_caps = GST_DEBUG_FUNCPTR (gst_gammatone_fb_set_caps);
  trans_class->transform_size =
      GST_DEBUG_FUNCPTR (gst_gammatone_fb_transform_size);
  trans_class->start = GST_DEBUG_FUNCPTR (gst_gammatone_fb_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_gammatone_fb_stop);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_gammatone_fb_sink_event);
  trans_class->transform = GST_DEBUG_FUNCPTR (gst_gammatone_fb_transform);
  trans_class->passthrough_on_same_caps = FALSE;
}

static void
gst_gammatone_fb_init (GstGammatoneFb * self)
{
  self->bands = DEFAULT_BANDS;
  self->fmin = DEFAULT_FMIN;
  self->fmax = DEFAULT_FMAX;
  self->bandwidth = DEFAULT_BANDWIDTH;
  self->log_floor = DEFAULT_LOG_FLOOR;
  self->dct = DEFAULT_DCT;
}

static void
gst_gammatone_fb_free_bank (GstGammatoneFb * self)
{
  g_clear_pointer (&self->fb, es_gammatone_fb_free);
  g_clear_pointer (&self->dct_plan, es_dct_free);
  g_clear_pointer (&self->pcen, es_pcen_free);
  g_clear_pointer (&self->pcen_state, g_free);
  g_clear_pointer (&self->pcen_raw, g_free);
  g_clear_pointer (&self->band_params, g_free);
  g_clear_pointer (&self->energies, g_free);
}

static void
gst_gammatone_fb_finalize (GObject * object)
{
  GstGammatoneFb *self = GST_GAMMATONE_FB (object);

  gst_gammatone_fb_free_bank (self);
  g_clear_pointer (&self->model, es_model_free);
  g_clear_error (&self->model_error);
  g_free (self->model_location);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

/* Load model= (object lock held): the front-end description is needed as
 * soon as caps are asked for, so it is read when the property is set; a
 * failure is kept and reported when the element starts. */
static void
gst_gammatone_fb_load_model (GstGammatoneFb * self)
{
  g_clear_pointer (&self->model, es_model_free);
  g_clear_error (&self->model_error);
  if (self->model_location == NULL)
    return;
  self->model = es_model_load (self->model_location, &self->model_error);
  if (self->model && es_model_get_frontend_desc (self->model)->source !=
      ES_FRONTEND_SOURCE_AUDIO) {
    g_set_error (&self->model_error, ES_MODEL_ERROR, ES_MODEL_ERROR_FRONTEND,
        "model '%s' has no audio front-end (its source is %s)",
        es_model_get_name (self->model),
        es_frontend_source_name (es_model_get_frontend_desc (self->model)->source));
    g_clear_pointer (&self->model, es_model_free);
  }
}

static void
gst_gammatone_fb_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstGammatoneFb *self = GST_GAMMATONE_FB (object);
  gboolean renegotiate = FALSE;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_BANDS:
      self->bands = g_value_get_uint (value);
      renegotiate = TRUE;
      break;
    case PROP_FMIN:
      self->fmin = g_value_get_double (value);
      break;
    case PROP_FMAX:
      self->fmax = g_value_get_double (value);
      break;
    case PROP_BANDWIDTH:
      self->bandwidth = g_value_get_double (value);
      break;
    case PROP_LOG_FLOOR:
      self->log_floor = g_value_get_double (value);
      break;
    case PROP_DCT:
      self->dct = g_value_get_uint (value);
      renegotiate = TRUE;
      break;
    case PROP_MODEL:
      g_free (self->model_location);
      self->model_location = g_value_dup_string (value);
      gst_gammatone_fb_load_model (self);
      renegotiate = TRUE;
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  /* set by the user: with model= it must agree with the model */
  self->explicit_props |= 1u << prop_id;
  /* rebuilt before the next frame (log-floor is read per buffer) */
  if (prop_id != PROP_LOG_FLOOR)
    self->dirty = TRUE;
  GST_OBJECT_UNLOCK (self);

  /* bands and dct change the output caps */
  if (renegotiate)
    gst_base_transform_reconfigure_src (GST_BASE_TRANSFORM (self));
}

static void
gst_gammatone_fb_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstGammatoneFb *self = GST_GAMMATONE_FB (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_BANDS:
      g_value_set_uint (value, self->bands);
      break;
    case PROP_FMIN:
      g_value_set_double (value, self->fmin);
      break;
    case PROP_FMAX:
      g_value_set_double (value, self->fmax);
      break;
    case PROP_BANDWIDTH:
      g_value_set_double (value, self->bandwidth);
      break;
    case PROP_LOG_FLOOR:
      g_value_set_double (value, self->log_floor);
      break;
    case PROP_DCT:
      g_value_set_uint (value, self->dct);
      break;
    case PROP_MODEL:
      g_value_set_string (value, self->model_location);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static GstCaps *
gst_gammatone_fb_transform_caps (GstBaseTransform * trans,
    GstPadDirection direction, GstCaps * caps, GstCaps * filter)
{
  GstGammatoneFb *self = GST_GAMMATONE_FB (trans);
  GstStructure *ours;
  GstCaps *res;
  guint n_out, i;
  gboolean cepstrum;

  GST_OBJECT_LOCK (self);
  if (self->model) {
    const EsFrontendDesc *fe = es_model_get_frontend_desc (self->model);
    cepstrum = fe->dct > 0;
    n_out = es_frontend_desc_n_features (fe);
  } else {
    cepstrum = self->dct > 0;
    n_out = cepstrum ? self->dct : self->bands;
  }
  GST_OBJECT_UNLOCK (self);

  /* The vectors this element produces with its current properties. */
  ours = gst_structure_new (ES_FEATURES_MEDIA_TYPE,
      "bands", G_TYPE_INT, (gint) n_out,
      "scale", G_TYPE_STRING, cepstrum ? ES_SCALE_CEPSTRUM : ES_SCALE_GAMMATONE,
      NULL);

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
    const GValue *framerate = gst_structure_get_value (s, "framerate");
    GstStructure *out;

    if (direction == GST_PAD_SINK) {
      out = gst_structure_copy (ours);
    } else {
      GstStructure *feat = gst_structure_intersect (s, ours);

      if (feat == NULL)
        continue;
      gst_structure_free (feat);
      out = gst_structure_new_empty (ES_FRAMES_MEDIA_TYPE);
    }
    if (rate)
      gst_structure_set_value (out, "rate", rate);
    else
      gst_structure_set (out, "rate", GST_TYPE_INT_RANGE, 1, G_MAXINT, NULL);
    if (framerate)
      gst_structure_set_value (out, "framerate", framerate);
    else
      gst_structure_set (out, "framerate", GST_TYPE_FRACTION_RANGE, 0, 1,
          G_MAXINT, 1, NULL);
    res = gst_caps_merge_structure (res, out);
  }
  gst_structure_free (ours);
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
differs (gdouble a, gdouble b)
{
  return fabs (a - b) > 1e-9 * MAX (fabs (a), fabs (b));
}

/* A property set next to model= that disagrees with the model (object lock
 * held), as a message; NULL if none does. */
static gchar *
gst_gammatone_fb_conflict (GstGammatoneFb * self, const EsFrontendDesc * fe)
{
  guint set = self->explicit_props;
  gdouble fmax = self->fmax > 0.0 ? self->fmax : fe->rate / 2.0;
  const gchar *name = es_model_get_name (self->model);

  if ((set & (1u << PROP_BANDS)) && self->bands != fe->bands)
    return g_strdup_printf ("bands=%u conflicts with model '%s', which has %u bands",
        self->bands, name, fe->bands);
  if ((set & (1u << PROP_DCT)) && self->dct != fe->dct)
    return g_strdup_printf ("dct=%u conflicts with model '%s', which keeps %u "
        "coefficients", self->dct, name, fe->dct);
  if ((set & (1u << PROP_FMIN)) && differs (self->fmin, fe->fmin))
    return g_strdup_printf ("fmin=%g conflicts with model '%s', whose bands start at "
        "%g Hz", self->fmin, name, fe->fmin);
  if ((set & (1u << PROP_FMAX)) && differs (fmax, fe->fmax))
    return g_strdup_printf ("fmax=%g conflicts with model '%s', whose bands end at %g Hz",
        self->fmax, name, fe->fmax);
  if ((set & (1u << PROP_BANDWIDTH)) && differs (self->bandwidth, fe->bandwidth))
    return g_strdup_printf ("bandwidth=%g conflicts with model '%s', whose bands have "
        "%g", self->bandwidth, name, fe->bandwidth);
  if ((set & (1u << PROP_LOG_FLOOR)) && (fe->compression != ES_FRONTEND_COMPRESSION_LOG
          || differs (self->log_floor, fe->log_floor)))
    return fe->compression == ES_FRONTEND_COMPRESSION_LOG ?
        g_strdup_printf ("log-floor=%g conflicts with model '%s', whose floor is %g",
        self->log_floor, name, fe->log_floor) :
        g_strdup_printf ("log-floor=%g conflicts with model '%s', whose compression is "
        "%s", self->log_floor, name, es_frontend_compression_name (fe->compression));
  return NULL;
}

/* (Re)build filterbank, compression, DCT and scratch for the negotiated
 * frames (rate, frame_size, n_bands, n_dct) and the settings: the model's
 * front-end, or the properties. Every setting goes through the library's
 * one front-end validator. */
static gboolean
gst_gammatone_fb_rebuild (GstGammatoneFb * self)
{
  EsFrontendDesc fe;
  gchar *problem = NULL;
  GError *err = NULL;
  gboolean from_model;

  gst_gammatone_fb_free_bank (self);

  GST_OBJECT_LOCK (self);
  self->dirty = FALSE;
  from_model = self->model != NULL;
  if (from_model) {
    es_frontend_desc_copy (&fe, es_model_get_frontend_desc (self->model));
    problem = gst_gammatone_fb_conflict (self, &fe);
    if (!problem && (fe.rate != (guint) self->rate
            || fe.frame_size != (guint) self->frame_size
            || fe.hop_size != (guint) self->hop_size
            || g_strcmp0 (es_window_type_name (fe.window), self->window) != 0))
      problem = g_strdup_printf ("model '%s' takes %s frames of %u samples every %u at "
          "%u Hz, the input has %s frames of %d every %d at %d Hz (set hammingframe and "
          "the audio rate as `earshot model info %s` shows)",
          es_model_get_name (self->model), es_window_type_name (fe.window),
          fe.frame_size, fe.hop_size, fe.rate, self->window ? self->window : "?",
          self->frame_size, self->hop_size, self->rate, es_model_get_name (self->model));
    if (!problem && !(self->band_params = es_model_get_frontend_bands (self->model, &err)))
      problem = g_strdup (err->message);
    if (!problem && es_model_get_frontend_pcen (self->model))
      self->pcen_raw = g_memdup2 (es_model_get_frontend_pcen (self->model),
          sizeof (gfloat) * ES_PCEN_N_RAW_PER_BAND * fe.bands);
  } else {
    es_frontend_desc_init (&fe, ES_FRONTEND_SOURCE_AUDIO);
    fe.bands = self->n_bands;
    fe.dct = self->n_dct;
    fe.fmin = self->fmin;
    fe.fmax = self->fmax > 0.0 ? self->fmax : self->rate / 2.0;
    fe.bandwidth = self->bandwidth;
    fe.log_floor = self->log_floor;
  }
  GST_OBJECT_UNLOCK (self);
  g_clear_error (&err);

  if (!from_model) {
    /* the geometry of the frames that come */
    fe.rate = self->rate;
    fe.frame_size = self->frame_size;
    fe.hop_size = self->hop_size;
    es_window_type_from_name (self->window, &fe.window);
    fe.n_fft = (guint) MAX (es_next_pow2 (fe.frame_size), 2);
  }
  if (!problem && !es_frontend_desc_validate (&fe, &err)) {
    problem = g_strdup (err->message);
    g_clear_error (&err);
  }
  if (problem) {
    GST_ELEMENT_ERROR (self, LIBRARY, SETTINGS, ("%s", problem), (NULL));
    g_free (problem);
    es_frontend_desc_clear (&fe);
    gst_gammatone_fb_free_bank (self);
    return FALSE;
  }

  self->n_bands = fe.bands;
  self->n_dct = fe.dct;
  self->compression = fe.compression;
  if (!self->band_params)
    self->band_params = es_gammatone_bands_mel (fe.bands, fe.fmin, fe.fmax, fe.bandwidth);
  self->fb = es_gammatone_fb_new (self->band_params, self->n_bands,
      self->frame_size, self->rate, &err);
  if (self->fb == NULL) {
    GST_ELEMENT_ERROR (self, LIBRARY, SETTINGS,
        ("invalid gammatone filterbank: %s", err ? err->message : "?"),
        (NULL));
    g_clear_error (&err);
    es_frontend_desc_clear (&fe);
    gst_gammatone_fb_free_bank (self);
    return FALSE;
  }
  if (fe.compression == ES_FRONTEND_COMPRESSION_PCEN) {
    self->pcen = es_pcen_new (NULL, fe.bands, ES_PCEN_DEFAULT_EPS, NULL);
    self->pcen_state = g_new (gdouble, fe.bands);
    for (guint b = 0; b < fe.bands; b++)
      self->pcen_state[b] = NAN;      /* start afresh */
  }
  if (self->n_dct > 0)
    self->dct_plan = es_dct_new (self->n_bands, self->n_dct);
  self->energies = g_new (gfloat, self->n_bands);

  GST_INFO_OBJECT (self, "%u bands %g-%g Hz (ERB x %g%s), %s, frames of %d at %d Hz,"
      " FFT %" G_GSIZE_FORMAT ", dct %u", self->n_bands, fe.fmin, fe.fmax, fe.bandwidth,
      from_model ? (fe.frontend_layers ? ", learned" : ", from the model") : "",
      es_frontend_compression_name (fe.compression), self->frame_size, self->rate,
      es_gammatone_fb_get_n_fft (self->fb), self->n_dct);
  es_frontend_desc_clear (&fe);
  return TRUE;
}

static gboolean
gst_gammatone_fb_set_caps (GstBaseTransform * trans, GstCaps * incaps,
    GstCaps * outcaps)
{
  GstGammatoneFb *self = GST_GAMMATONE_FB (trans);
  GstStructure *in = gst_caps_get_structure (incaps, 0);
  GstStructure *out = gst_caps_get_structure (outcaps, 0);
  gint rate, frame_size, hop_size, n_out;
  const gchar *scale, *window;
  guint bands;

  if (!gst_structure_get_int (in, "rate", &rate) || rate < 1
      || !gst_structure_get_int (in, "frame-size", &frame_size)
      || frame_size < 1) {
    GST_ERROR_OBJECT (self, "invalid input caps %" GST_PTR_FORMAT, incaps);
    return FALSE;
  }
  if (!gst_structure_get_int (in, "hop-size", &hop_size) || hop_size < 1)
    hop_size = frame_size;
  if (!(window = gst_structure_get_string (in, "window")))
    window = "hamming";
  if (!gst_structure_get_int (out, "bands", &n_out) || n_out < 1
      || !(scale = gst_structure_get_string (out, "scale"))) {
    GST_ERROR_OBJECT (self, "invalid output caps %" GST_PTR_FORMAT, outcaps);
    return FALSE;
  }

  GST_OBJECT_LOCK (self);
  bands = self->model ? es_model_get_frontend_desc (self->model)->bands : self->bands;
  GST_OBJECT_UNLOCK (self);

  self->rate = rate;
  self->frame_size = frame_size;
  self->hop_size = hop_size;
  self->window = g_intern_string (window);
  if (g_str_equal (scale, ES_SCALE_CEPSTRUM)) {
    self->n_bands = bands;
    self->n_dct = n_out;
  } else {
    self->n_bands = n_out;
    self->n_dct = 0;
  }
  return gst_gammatone_fb_rebuild (self);
}

static gboolean
gst_gammatone_fb_transform_size (GstBaseTransform * trans,
    GstPadDirection direction, GstCaps * caps, gsize size, GstCaps * othercaps,
    gsize * othersize)
{
  GstGammatoneFb *self = GST_GAMMATONE_FB (trans);
  gsize frame_bytes = (gsize) self->frame_size * sizeof (gfloat);
  gsize vector_bytes = (gsize) (self->n_dct ? self->n_dct : self->n_bands) *
      sizeof (gfloat);
  gsize unit = direction == GST_PAD_SINK ? frame_bytes : vector_bytes;
  gsize other = direction == GST_PAD_SINK ? vector_bytes : frame_bytes;

  if (unit == 0)
    return FALSE;
  if (size % unit != 0) {
    if (direction == GST_PAD_SINK)
      GST_ELEMENT_ERROR (self, STREAM, FORMAT, (NULL),
          ("buffer of %" G_GSIZE_FORMAT " bytes is not a whole number of "
              "%d-sample frames", size, self->frame_size));
    return FALSE;
  }
  *othersize = size / unit * other;
  return TRUE;
}

static gboolean
gst_gammatone_fb_start (GstBaseTransform * trans)
{
  GstGammatoneFb *self = GST_GAMMATONE_FB (trans);
  gchar *problem = NULL;

  self->warned_non_finite = FALSE;
  GST_OBJECT_LOCK (self);
  if (self->model_error)
    problem = g_strdup (self->model_error->message);
  GST_OBJECT_UNLOCK (self);
  if (problem) {
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND, ("%s", problem), (NULL));
    g_free (problem);
    return FALSE;
  }
  return TRUE;
}

/* PCEN smoothers start afresh (after a flush, a discontinuity, a restart). */
static void
gst_gammatone_fb_reset_compression (GstGammatoneFb * self)
{
  if (self->pcen_state)
    for (guint b = 0; b < self->n_bands; b++)
      self->pcen_state[b] = NAN;
}

static gboolean
gst_gammatone_fb_stop (GstBaseTransform * trans)
{
  GstGammatoneFb *self = GST_GAMMATONE_FB (trans);

  gst_gammatone_fb_free_bank (self);
  self->rate = 0;
  self->frame_size = 0;
  self->hop_size = 0;
  self->window = NULL;
  self->n_bands = 0;
  self->n_dct = 0;
  return TRUE;
}

static gboolean
gst_gammatone_fb_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  /* Frames are independent: no history to clear, but a flushed stream may
   * warn again about non-finite input. */
  if (GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP) {
    GST_GAMMATONE_FB (trans)->warned_non_finite = FALSE;
    gst_gammatone_fb_reset_compression (GST_GAMMATONE_FB (trans));
  }
  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

static gboolean
frame_is_finite (const gfloat * x, gsize n)
{
  gsize i;

  for (i = 0; i < n; i++)
    if (!isfinite (x[i]))
      return FALSE;
  return TRUE;
}

/* Finite, with one branch at the end: the largest exponent field of the
 * values is all ones only if one of them is NaN or infinite. */
static gboolean
vector_is_finite (const gfloat * x, gsize n)
{
  guint32 lanes[8] = { 0 }, bits[8], max_exponent = 0;
  gsize i = 0;
  guint j;

  /* eight independent lanes, which the compiler turns into one SIMD max */
  for (; i + 8 <= n; i += 8) {
    memcpy (bits, x + i, sizeof (bits));
    for (j = 0; j < 8; j++)
      lanes[j] = MAX (lanes[j], bits[j] & 0x7f800000u);
  }
  for (; i < n; i++) {
    memcpy (bits, x + i, sizeof (bits[0]));
    max_exponent = MAX (max_exponent, bits[0] & 0x7f800000u);
  }
  for (j = 0; j < 8; j++)
    max_exponent = MAX (max_exponent, lanes[j]);
  return max_exponent != 0x7f800000u;
}

static GstFlowReturn
gst_gammatone_fb_transform (GstBaseTransform * trans, GstBuffer * inbuf,
    GstBuffer * outbuf)
{
  GstGammatoneFb *self = GST_GAMMATONE_FB (trans);
  GstMapInfo in_map, out_map;
  const gfloat *frames;
  gfloat *out;
  gsize n_frames, f, non_finite = 0, first_bad = 0;
  guint n_out;
  gfloat log_floor;
  gboolean dirty;

  GST_OBJECT_LOCK (self);
  dirty = self->dirty;
  log_floor = (gfloat) (self->model ?
      es_model_get_frontend_desc (self->model)->log_floor : self->log_floor);
  GST_OBJECT_UNLOCK (self);

  if (G_UNLIKELY (dirty || self->fb == NULL)) {
    if (self->rate == 0)
      return GST_FLOW_NOT_NEGOTIATED;
    if (!gst_gammatone_fb_rebuild (self))
      return GST_FLOW_ERROR;
  }

  n_out = self->n_dct ? self->n_dct : self->n_bands;
  if (GST_BUFFER_IS_DISCONT (inbuf))
    gst_gammatone_fb_reset_compression (self);
  gst_buffer_map (inbuf, &in_map, GST_MAP_READ);
  n_frames = in_map.size / ((gsize) self->frame_size * sizeof (gfloat));
  if (n_frames == 0) {
    gst_buffer_unmap (inbuf, &in_map);
    return GST_BASE_TRANSFORM_FLOW_DROPPED;
  }
  gst_buffer_map (outbuf, &out_map, GST_MAP_WRITE);
  g_assert (out_map.size >= n_frames * n_out * sizeof (gfloat));
  frames = (const gfloat *) in_map.data;
  out = (gfloat *) out_map.data;

  if (self->compression == ES_FRONTEND_COMPRESSION_LOG && self->dct_plan == NULL) {
    /* All frames of the buffer in one call: the filterbank works on blocks of
     * frames, with the same numbers as frame by frame. */
    es_gammatone_fb_energies_frames (self->fb, frames, n_frames, out);
    es_log_compress (out, n_frames * n_out, log_floor);
  } else {
    /* Frame by frame: PCEN's smoother runs along the stream, so a frame with
     * a non-finite sample is left out before it reaches the compression. */
    for (f = 0; f < n_frames; f++) {
      const gfloat *frame = frames + f * self->frame_size;
      gfloat *vec = out + f * n_out;
      guint b;

      if (G_UNLIKELY (!frame_is_finite (frame, self->frame_size))) {
        for (b = 0; b < n_out; b++)
          vec[b] = NAN;
        continue;
      }
      es_gammatone_fb_energies (self->fb, frame, self->energies);
      if (self->compression == ES_FRONTEND_COMPRESSION_LOG)
        es_log_compress (self->energies, self->n_bands, log_floor);
      else if (self->pcen)
        es_pcen_forward (self->pcen, self->pcen_raw, self->energies, 1,
            self->pcen_state, self->energies);
      if (self->dct_plan)
        es_dct_process (self->dct_plan, self->energies, vec);
      else
        memcpy (vec, self->energies, n_out * sizeof (gfloat));
    }
  }

  /* A non-finite sample makes its whole vector non-finite (the FFT spreads it
   * over every bin), and so does a frame whose power overflows: one check
   * per vector finds both. */
  for (f = 0; f < n_frames; f++) {
    gfloat *vec = out + f * n_out;
    guint b;

    if (G_LIKELY (vector_is_finite (vec, n_out)))
      continue;
    if (non_finite++ == 0)
      first_bad = f;
    for (b = 0; b < n_out; b++)
      vec[b] = NAN;
  }

  gst_buffer_unmap (outbuf, &out_map);
  gst_buffer_unmap (inbuf, &in_map);

  if (G_UNLIKELY (non_finite > 0)) {
    GST_DEBUG_OBJECT (self, "%" G_GSIZE_FORMAT " non-finite frames", non_finite);
    if (!self->warned_non_finite) {
      self->warned_non_finite = TRUE;
      GST_ELEMENT_WARNING (self, STREAM, FORMAT,
          ("Input frames contain NaN or infinite samples, or samples so "
              "large that their power overflows; their feature vectors are "
              "NaN."),
          ("first at frame %" G_GSIZE_FORMAT " of buffer %" GST_TIME_FORMAT
              ", %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " frames there",
              first_bad, GST_TIME_ARGS (GST_BUFFER_PTS (inbuf)), non_finite,
              n_frames));
    }
  }
  return GST_FLOW_OK;
}
