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
 * message that says which setting is wrong.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 audiotestsrc num-buffers=100 ! audioconvert ! audio/x-raw,format=F32LE,rate=16000,channels=1 ! preemphasis ! hammingframe ! gammatonefb ! fakesink
 * gst-launch-1.0 audiotestsrc wave=pink-noise num-buffers=100 ! audioconvert ! audioresample ! audio/x-raw,format=F32LE,rate=16000,channels=1 ! preemphasis ! hammingframe ! gammatonefb bands=64 dct=40 ! fakesink silent=false -v
 * ]|
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <string.h>

#include "gstgammatonefb.h"
#include "es-caps.h"

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
  g_clear_pointer (&self->band_params, g_free);
  g_clear_pointer (&self->energies, g_free);
}

static void
gst_gammatone_fb_finalize (GObject * object)
{
  gst_gammatone_fb_free_bank (GST_GAMMATONE_FB (object));
  G_OBJECT_CLASS (parent_class)->finalize (object);
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
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
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
  cepstrum = self->dct > 0;
  n_out = cepstrum ? self->dct : self->bands;
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

/* The per-band parameters from the properties: n_bands centres on the mel
 * scale in (fmin, fmax), one bandwidth factor, gain 1. This is the one place
 * that decides the band data; a model file would supply its own array. */
static EsGammatoneBand *
gst_gammatone_fb_make_bands (GstGammatoneFb * self, guint n_bands,
    gdouble fmin, gdouble fmax, gdouble bandwidth)
{
  return es_gammatone_bands_mel (n_bands, fmin, fmax, bandwidth);
}

/* (Re)build filterbank, DCT and scratch for the negotiated geometry
 * (rate, frame_size, n_bands, n_dct) and the current band properties. */
static gboolean
gst_gammatone_fb_rebuild (GstGammatoneFb * self)
{
  gdouble fmin, fmax, bandwidth, nyquist = self->rate / 2.0;
  GError *err = NULL;

  GST_OBJECT_LOCK (self);
  fmin = self->fmin;
  fmax = self->fmax > 0.0 ? self->fmax : nyquist;
  bandwidth = self->bandwidth;
  self->dirty = FALSE;
  GST_OBJECT_UNLOCK (self);

  gst_gammatone_fb_free_bank (self);

  if (fmax > nyquist) {
    GST_ELEMENT_ERROR (self, LIBRARY, SETTINGS,
        ("fmax %g Hz is above the Nyquist frequency %g Hz of the %d Hz input",
            fmax, nyquist, self->rate), (NULL));
    return FALSE;
  }
  if (fmin >= fmax) {
    GST_ELEMENT_ERROR (self, LIBRARY, SETTINGS,
        ("fmin %g Hz must be below fmax %g Hz", fmin, fmax), (NULL));
    return FALSE;
  }
  if (self->n_dct > self->n_bands) {
    GST_ELEMENT_ERROR (self, LIBRARY, SETTINGS,
        ("dct %u is larger than bands %u", self->n_dct, self->n_bands),
        (NULL));
    return FALSE;
  }

  self->band_params = gst_gammatone_fb_make_bands (self, self->n_bands, fmin,
      fmax, bandwidth);
  self->fb = es_gammatone_fb_new (self->band_params, self->n_bands,
      self->frame_size, self->rate, &err);
  if (self->fb == NULL) {
    GST_ELEMENT_ERROR (self, LIBRARY, SETTINGS,
        ("invalid gammatone filterbank: %s", err ? err->message : "?"),
        (NULL));
    g_clear_error (&err);
    gst_gammatone_fb_free_bank (self);
    return FALSE;
  }
  if (self->n_dct > 0)
    self->dct_plan = es_dct_new (self->n_bands, self->n_dct);
  self->energies = g_new (gfloat, self->n_bands);

  GST_INFO_OBJECT (self, "%u bands %g-%g Hz (ERB x %g), frames of %d at %d Hz,"
      " FFT %" G_GSIZE_FORMAT ", dct %u", self->n_bands, fmin, fmax, bandwidth,
      self->frame_size, self->rate, es_gammatone_fb_get_n_fft (self->fb),
      self->n_dct);
  return TRUE;
}

static gboolean
gst_gammatone_fb_set_caps (GstBaseTransform * trans, GstCaps * incaps,
    GstCaps * outcaps)
{
  GstGammatoneFb *self = GST_GAMMATONE_FB (trans);
  GstStructure *in = gst_caps_get_structure (incaps, 0);
  GstStructure *out = gst_caps_get_structure (outcaps, 0);
  gint rate, frame_size, n_out;
  const gchar *scale;
  guint bands;

  if (!gst_structure_get_int (in, "rate", &rate) || rate < 1
      || !gst_structure_get_int (in, "frame-size", &frame_size)
      || frame_size < 1) {
    GST_ERROR_OBJECT (self, "invalid input caps %" GST_PTR_FORMAT, incaps);
    return FALSE;
  }
  if (!gst_structure_get_int (out, "bands", &n_out) || n_out < 1
      || !(scale = gst_structure_get_string (out, "scale"))) {
    GST_ERROR_OBJECT (self, "invalid output caps %" GST_PTR_FORMAT, outcaps);
    return FALSE;
  }

  GST_OBJECT_LOCK (self);
  bands = self->bands;
  GST_OBJECT_UNLOCK (self);

  self->rate = rate;
  self->frame_size = frame_size;
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
  GST_GAMMATONE_FB (trans)->warned_non_finite = FALSE;
  return TRUE;
}

static gboolean
gst_gammatone_fb_stop (GstBaseTransform * trans)
{
  GstGammatoneFb *self = GST_GAMMATONE_FB (trans);

  gst_gammatone_fb_free_bank (self);
  self->rate = 0;
  self->frame_size = 0;
  self->n_bands = 0;
  self->n_dct = 0;
  return TRUE;
}

static gboolean
gst_gammatone_fb_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  /* Frames are independent: no history to clear, but a flushed stream may
   * warn again about non-finite input. */
  if (GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP)
    GST_GAMMATONE_FB (trans)->warned_non_finite = FALSE;
  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
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
  log_floor = (gfloat) self->log_floor;
  GST_OBJECT_UNLOCK (self);

  if (G_UNLIKELY (dirty || self->fb == NULL)) {
    if (self->rate == 0)
      return GST_FLOW_NOT_NEGOTIATED;
    if (!gst_gammatone_fb_rebuild (self))
      return GST_FLOW_ERROR;
  }

  n_out = self->n_dct ? self->n_dct : self->n_bands;
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

  /* All frames of the buffer in one call: the filterbank works on blocks of
   * frames, with the same numbers as frame by frame. */
  if (self->dct_plan == NULL) {
    es_gammatone_fb_energies_frames (self->fb, frames, n_frames, out);
    es_log_compress (out, n_frames * n_out, log_floor);
  } else {
    for (f = 0; f < n_frames; f++) {
      es_gammatone_fb_energies (self->fb, frames + f * self->frame_size,
          self->energies);
      es_log_compress (self->energies, self->n_bands, log_floor);
      es_dct_process (self->dct_plan, self->energies, out + f * n_out);
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
