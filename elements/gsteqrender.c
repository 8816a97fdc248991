/* earshot: parametric equaliser element
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * SECTION:element-eqrender
 * @title: eqrender
 * @short_description: parametric equaliser: RBJ biquads with Q, preamp,
 * AutoEq ParametricEQ.txt files, presets and headphone correction
 *
 * A parametric equaliser for raw float audio (F32 or F64, interleaved, any
 * rate and channel count), in place. Each band is a child object
 * (#GstEqRenderBand, "band0", "band1", ... through #GstChildProxy) with a
 * #GstEqRenderBand:type (peaking, low-shelf, high-shelf, low-pass,
 * high-pass, notch), a #GstEqRenderBand:freq in Hz, a #GstEqRenderBand:gain
 * in dB and a #GstEqRenderBand:q, the Audio EQ Cookbook sections that AutoEq,
 * Equalizer APO and PipeWire use; #GstEqRender:preamp is applied after them.
 * Every band property and the preamp are controllable: changes ramp the
 * coefficients sample by sample over #GstEqRender:ramp-time (20 ms), so
 * moving a gain or a frequency while playing does not click.
 *
 * By default there are ten flat peaking bands at the octave centres 31.5 Hz
 * to 16 kHz (Q 1.41, one octave); while every band is flat and the preamp is
 * 0 dB the element works in passthrough.
 *
 * Three ways to fill the bands besides setting them one by one:
 *
 * - #GstEqRender:parametric-eq reads an AutoEq / Equalizer APO
 *   ParametricEQ.txt (`Preamp: -6.1 dB`, `Filter 1: ON LSC Fc 105 Hz Gain
 *   6.4 dB Q 0.70`, ...), setting the bands and the preamp;
 * - presets (#GstPreset): `flat`, `bass`, `treble` and `vocal` ship in
 *   `$datadir/gstreamer-1.0/presets/GstEqRender.prs` (`@preset=bass` in a
 *   launch line; GST_PRESET_PATH adds directories);
 * - #GstEqRender:measurement and #GstEqRender:target fit a correction for a
 *   headphone or IEM measurement when the rate is known (the fit of
 *   `earshot eq fit`: shelves and peaks, AutoEq-style, at most
 *   #GstEqRender:max-filters, with the preamp that keeps it from clipping),
 *   and post an element message `eqrender` with the fit's residual-db,
 *   max-error-db, preamp-db, filters and rate.
 *
 * #GstEqRender:auto-preamp replaces the preamp by minus the largest gain of
 * the bands' combined response (AutoEq's rule), so a boost never clips.
 *
 * A band frequency at or above the Nyquist frequency of the negotiated rate
 * is an error (the message names the band and the rate); a flat peaking or
 * shelf band is unity at any rate and is not checked. The filter state (double
 * precision, transposed direct form II) is cleared on FLUSH_STOP, on a
 * buffer flagged DISCONT, on a caps change and when stopping. A NaN or
 * infinite input sample comes out as silence and resets its channel's state,
 * so it cannot poison later output; the first one of a stream posts a
 * warning.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 audiotestsrc wave=pink-noise num-buffers=100 ! audioconvert ! eqrender band0::gain=6 band9::gain=-3 ! audioconvert ! autoaudiosink
 * gst-launch-1.0 filesrc location=song.flac ! decodebin ! audioconvert ! eqrender parametric-eq=ParametricEQ.txt ! audioconvert ! autoaudiosink
 * gst-launch-1.0 audiotestsrc num-buffers=100 ! audioconvert ! eqrender @preset=bass ! fakesink
 * gst-launch-1.0 -m audiotestsrc num-buffers=100 ! audio/x-raw,rate=48000 ! audioconvert ! eqrender measurement=iem.csv target=harman-in-ear ! fakesink
 * gst-launch-1.0 audiotestsrc num-buffers=100 ! audioconvert ! eqrender num-bands=2 band0::type=high-pass band0::freq=80 band0::q=0.71 band1::freq=3000 band1::gain=-4 band1::q=2 auto-preamp=true ! fakesink
 * ]|
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <string.h>

#include "gsteqrender.h"

#include "eq/fit.h"
#include "eq/target.h"
#include "io/parametric-eq.h"

GST_DEBUG_CATEGORY_STATIC (gst_eq_render_debug);
#define GST_CAT_DEFAULT gst_eq_render_debug

#define ALLOWED_CAPS \
  GST_AUDIO_CAPS_MAKE ("{ " GST_AUDIO_NE (F32) ", " GST_AUDIO_NE (F64) " }") \
  ", layout = (string) interleaved"

/* As many as a ParametricEQ.txt may hold (io/parametric-eq.c). */
#define MAX_BANDS 1024
#define DEFAULT_NUM_BANDS 10
#define DEFAULT_PREAMP 0.0
#define MIN_PREAMP -60.0
#define MAX_PREAMP 40.0
#define DEFAULT_AUTO_PREAMP FALSE
#define DEFAULT_RAMP_TIME (20 * GST_MSECOND)
#define MAX_RAMP_TIME GST_SECOND
#define DEFAULT_MAX_FILTERS 10

#define DEFAULT_BAND_TYPE GST_EQ_RENDER_BAND_PEAKING
#define DEFAULT_BAND_FREQ 1000.0
#define DEFAULT_BAND_GAIN 0.0
#define DEFAULT_BAND_Q 1.41            /* one octave */
#define MIN_BAND_FREQ 1.0
#define MAX_BAND_FREQ 384000.0
#define MIN_BAND_Q 0.001
#define MAX_BAND_Q 1000.0

/* The default layout: ISO octave centres (a 10-band graphic equaliser). */
static const gdouble octave_centres[DEFAULT_NUM_BANDS] = {
  31.5, 63.0, 125.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0, 16000.0,
};

/* ------------------------------------------------------------------------ */
/* band type enum                                                            */

GType
gst_eq_render_band_type_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_EQ_RENDER_BAND_PEAKING, "Peaking (bell): gain at freq, width from Q",
        "peaking"},
    {GST_EQ_RENDER_BAND_LOW_SHELF, "Low shelf: gain below freq, Q sets the slope",
        "low-shelf"},
    {GST_EQ_RENDER_BAND_HIGH_SHELF,
        "High shelf: gain above freq, Q sets the slope", "high-shelf"},
    {GST_EQ_RENDER_BAND_LOW_PASS, "Low-pass, 12 dB/octave (gain unused)",
        "low-pass"},
    {GST_EQ_RENDER_BAND_HIGH_PASS, "High-pass, 12 dB/octave (gain unused)",
        "high-pass"},
    {GST_EQ_RENDER_BAND_NOTCH, "Notch at freq, width from Q (gain unused)",
        "notch"},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstEqRenderBandType", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

/* ------------------------------------------------------------------------ */
/* band child object                                                         */

enum
{
  PROP_BAND_0,
  PROP_BAND_TYPE,
  PROP_BAND_FREQ,
  PROP_BAND_GAIN,
  PROP_BAND_Q,
};

G_DEFINE_TYPE (GstEqRenderBand, gst_eq_render_band, GST_TYPE_OBJECT);

static void gst_eq_render_mark_changed (GstEqRender * self);

static void
gst_eq_render_band_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstEqRenderBand *band = GST_EQ_RENDER_BAND (object);
  GstObject *parent;

  GST_OBJECT_LOCK (band);
  switch (prop_id) {
    case PROP_BAND_TYPE:
      band->type = g_value_get_enum (value);
      break;
    case PROP_BAND_FREQ:
      band->freq = g_value_get_double (value);
      break;
    case PROP_BAND_GAIN:
      band->gain = g_value_get_double (value);
      break;
    case PROP_BAND_Q:
      band->q = g_value_get_double (value);
      break;
    default:
      GST_OBJECT_UNLOCK (band);
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
  }
  GST_OBJECT_UNLOCK (band);

  /* the streaming thread picks the change up at its next buffer */
  parent = gst_object_get_parent (GST_OBJECT (band));
  if (parent) {
    gst_eq_render_mark_changed (GST_EQ_RENDER (parent));
    gst_object_unref (parent);
  }
}

static void
gst_eq_render_band_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstEqRenderBand *band = GST_EQ_RENDER_BAND (object);

  GST_OBJECT_LOCK (band);
  switch (prop_id) {
    case PROP_BAND_TYPE:
      g_value_set_enum (value, band->type);
      break;
    case PROP_BAND_FREQ:
      g_value_set_double (value, band->freq);
      break;
    case PROP_BAND_GAIN:
      g_value_set_double (value, band->gain);
      break;
    case PROP_BAND_Q:
      g_value_set_double (value, band->q);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (band);
}

static void
gst_eq_render_band_class_init (GstEqRenderBandClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | GST_PARAM_CONTROLLABLE |
      GST_PARAM_MUTABLE_PLAYING | G_PARAM_STATIC_STRINGS;

  gobject_class->set_property = gst_eq_render_band_set_property;
  gobject_class->get_property = gst_eq_render_band_get_property;

  /**
   * GstEqRenderBand:type:
   *
   * The filter section of the band.
   */
  g_object_class_install_property (gobject_class, PROP_BAND_TYPE,
      g_param_spec_enum ("type", "Type",
          "Filter type: peaking, low-shelf, high-shelf, low-pass, high-pass "
          "or notch", GST_TYPE_EQ_RENDER_BAND_TYPE, DEFAULT_BAND_TYPE, flags));
  /**
   * GstEqRenderBand:freq:
   *
   * Centre frequency (peaking, notch), corner frequency (shelves, where the
   * gain is half its dB value) or cut-off (low-pass, high-pass), in Hz. It
   * must lie below the Nyquist frequency of the stream.
   */
  g_object_class_install_property (gobject_class, PROP_BAND_FREQ,
      g_param_spec_double ("freq", "Frequency",
          "Centre, corner or cut-off frequency in Hz (below Nyquist)",
          MIN_BAND_FREQ, MAX_BAND_FREQ, DEFAULT_BAND_FREQ, flags));
  /**
   * GstEqRenderBand:gain:
   *
   * Gain in dB of a peaking or shelf band (unused by low-pass, high-pass
   * and notch). A peaking or shelf band at 0 dB is exactly unity.
   */
  g_object_class_install_property (gobject_class, PROP_BAND_GAIN,
      g_param_spec_double ("gain", "Gain",
          "Gain in dB (peaking and shelves; 0 = flat)",
          -ES_BIQUAD_MAX_GAIN_DB, ES_BIQUAD_MAX_GAIN_DB, DEFAULT_BAND_GAIN,
          flags));
  /**
   * GstEqRenderBand:q:
   *
   * Quality factor (dimensionless). For a peaking band, Q = f / bandwidth
   * (1.41 is one octave, 0.67 two octaves); for shelves the cookbook's Q, as
   * AutoEq and Equalizer APO use it (0.71 is the steepest slope without an
   * overshoot); for low- and high-pass filters 0.71 is Butterworth.
   */
  g_object_class_install_property (gobject_class, PROP_BAND_Q,
      g_param_spec_double ("q", "Q",
          "Quality factor (peaking: centre / bandwidth, 1.41 = one octave; "
          "shelves and passes: 0.71 = Butterworth)",
          MIN_BAND_Q, MAX_BAND_Q, DEFAULT_BAND_Q, flags));
}

static void
gst_eq_render_band_init (GstEqRenderBand * band)
{
  band->type = DEFAULT_BAND_TYPE;
  band->freq = DEFAULT_BAND_FREQ;
  band->gain = DEFAULT_BAND_GAIN;
  band->q = DEFAULT_BAND_Q;
}

static void
band_get_params (GstEqRenderBand * band, EsBiquadParams * p)
{
  GST_OBJECT_LOCK (band);
  p->type = (EsBiquadType) band->type;
  p->freq = band->freq;
  p->gain_db = band->gain;
  p->q = band->q;
  GST_OBJECT_UNLOCK (band);
}

/* ------------------------------------------------------------------------ */
/* the element                                                               */

enum
{
  PROP_0,
  PROP_NUM_BANDS,
  PROP_PREAMP,
  PROP_AUTO_PREAMP,
  PROP_RAMP_TIME,
  PROP_PARAMETRIC_EQ,
  PROP_MEASUREMENT,
  PROP_TARGET,
  PROP_MAX_FILTERS,
};

static void gst_eq_render_child_proxy_init (gpointer g_iface,
    gpointer iface_data);
static void gst_eq_render_preset_init (gpointer g_iface, gpointer iface_data);

#define gst_eq_render_parent_class parent_class
G_DEFINE_TYPE_WITH_CODE (GstEqRender, gst_eq_render, GST_TYPE_AUDIO_FILTER,
    G_IMPLEMENT_INTERFACE (GST_TYPE_CHILD_PROXY, gst_eq_render_child_proxy_init)
    G_IMPLEMENT_INTERFACE (GST_TYPE_PRESET, gst_eq_render_preset_init));
GST_ELEMENT_REGISTER_DEFINE (eqrender, "eqrender", GST_RANK_NONE,
    GST_TYPE_EQ_RENDER);

static void gst_eq_render_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_eq_render_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static void gst_eq_render_dispose (GObject * object);
static void gst_eq_render_finalize (GObject * object);

static gboolean gst_eq_render_setup (GstAudioFilter * filter,
    const GstAudioInfo * info);
static gboolean gst_eq_render_start (GstBaseTransform * trans);
static gboolean gst_eq_render_stop (GstBaseTransform * trans);
static gboolean gst_eq_render_sink_event (GstBaseTransform * trans,
    GstEvent * event);
static void gst_eq_render_before_transform (GstBaseTransform * trans,
    GstBuffer * buffer);
static GstFlowReturn gst_eq_render_transform_ip (GstBaseTransform * trans,
    GstBuffer * buf);

static void
gst_eq_render_class_init (GstEqRenderClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstAudioFilterClass *filter_class = GST_AUDIO_FILTER_CLASS (klass);
  GstCaps *caps;

  GST_DEBUG_CATEGORY_INIT (gst_eq_render_debug, "eqrender", 0,
      "earshot parametric equaliser");

  gobject_class->set_property = gst_eq_render_set_property;
  gobject_class->get_property = gst_eq_render_get_property;
  gobject_class->dispose = gst_eq_render_dispose;
  gobject_class->finalize = gst_eq_render_finalize;

  /**
   * GstEqRender:num-bands:
   *
   * Number of bands (children band0 ... band(N-1)). Bands added get the
   * default layout's values for their index (a flat peaking band at the
   * octave centre for the first ten, 1 kHz after that); bands removed are
   * dropped after ramping to flat. Set by #GstEqRender:parametric-eq and by
   * the measurement fit.
   */
  g_object_class_install_property (gobject_class, PROP_NUM_BANDS,
      g_param_spec_uint ("num-bands", "Number of bands",
          "Number of bands (children band0, band1, ...)", 0, MAX_BANDS,
          DEFAULT_NUM_BANDS, G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));
  /**
   * GstEqRender:preamp:
   *
   * Gain in dB applied after the bands (negative to make headroom for a
   * boost). Ignored while #GstEqRender:auto-preamp is on.
   */
  g_object_class_install_property (gobject_class, PROP_PREAMP,
      g_param_spec_double ("preamp", "Preamp",
          "Gain in dB applied after the bands (ignored with auto-preamp)",
          MIN_PREAMP, MAX_PREAMP, DEFAULT_PREAMP,
          G_PARAM_READWRITE | GST_PARAM_CONTROLLABLE |
          GST_PARAM_MUTABLE_PLAYING | G_PARAM_STATIC_STRINGS));
  /**
   * GstEqRender:auto-preamp:
   *
   * Use minus the largest gain of the bands' combined response (10 Hz to
   * Nyquist, 0 dB when nothing is boosted, rounded down to 0.1 dB) as the
   * preamp, so a boost never clips: AutoEq's rule, the same value a fit
   * writes as `Preamp:`.
   */
  g_object_class_install_property (gobject_class, PROP_AUTO_PREAMP,
      g_param_spec_boolean ("auto-preamp", "Automatic preamp",
          "Preamp = minus the largest gain of the bands (no boost can clip)",
          DEFAULT_AUTO_PREAMP, G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));
  /**
   * GstEqRender:ramp-time:
   *
   * How long a change of any band or of the preamp takes, in nanoseconds:
   * the coefficients move linearly, sample by sample, from the old to the
   * new values, so changes do not click. 0 switches at once.
   */
  g_object_class_install_property (gobject_class, PROP_RAMP_TIME,
      g_param_spec_uint64 ("ramp-time", "Ramp time",
          "Time in ns over which a parameter change is ramped (0 = at once)",
          0, MAX_RAMP_TIME, DEFAULT_RAMP_TIME, G_PARAM_READWRITE |
          GST_PARAM_MUTABLE_PLAYING | G_PARAM_STATIC_STRINGS));
  /**
   * GstEqRender:parametric-eq:
   *
   * An AutoEq / Equalizer APO ParametricEQ.txt to load: its filters become
   * the bands (PK, LSC, HSC, LP, HP, NO; in file order) and its `Preamp:`
   * the preamp. The file is read when the property is set; an unreadable
   * or malformed file (the message names the line) is an error when the
   * element starts.
   */
  g_object_class_install_property (gobject_class, PROP_PARAMETRIC_EQ,
      g_param_spec_string ("parametric-eq", "ParametricEQ.txt",
          "AutoEq / Equalizer APO ParametricEQ.txt file to load into the bands "
          "and the preamp", NULL, G_PARAM_READWRITE |
          GST_PARAM_MUTABLE_PLAYING | G_PARAM_STATIC_STRINGS));
  /**
   * GstEqRender:measurement:
   *
   * A headphone or IEM frequency-response measurement (any CSV `frsrc`
   * reads, covering 20 Hz-20 kHz). With #GstEqRender:target, the bands and
   * the preamp are fitted when the rate is known so that measurement + EQ
   * matches the target (the fit of `earshot eq fit`); this replaces any
   * bands set before. Needs at least 40 kHz audio.
   */
  g_object_class_install_property (gobject_class, PROP_MEASUREMENT,
      g_param_spec_string ("measurement", "Measurement",
          "Frequency-response CSV of the headphone/IEM to correct (with target)",
          NULL, G_PARAM_READWRITE | GST_PARAM_MUTABLE_READY |
          G_PARAM_STATIC_STRINGS));
  /**
   * GstEqRender:target:
   *
   * The curve the measurement is corrected to: a shipped target name
   * (`harman-in-ear`, `neutral`, `flat`; see `earshot eq fit --help`) or a
   * CSV file in any measurement format.
   */
  g_object_class_install_property (gobject_class, PROP_TARGET,
      g_param_spec_string ("target", "Target",
          "Target curve for the measurement: a shipped name or a CSV file",
          NULL, G_PARAM_READWRITE | GST_PARAM_MUTABLE_READY |
          G_PARAM_STATIC_STRINGS));
  /**
   * GstEqRender:max-filters:
   *
   * At most this many filters in the measurement fit, shelves included.
   */
  g_object_class_install_property (gobject_class, PROP_MAX_FILTERS,
      g_param_spec_uint ("max-filters", "Maximum filters",
          "Filters at most in the measurement fit, shelves included", 1,
          ES_EQ_FIT_MAX_FILTERS, DEFAULT_MAX_FILTERS, G_PARAM_READWRITE |
          GST_PARAM_MUTABLE_READY | G_PARAM_STATIC_STRINGS));

  gst_element_class_set_static_metadata (element_class,
      "Parametric equaliser", "Filter/Effect/Audio",
      "Parametric EQ (RBJ biquads with Q, preamp, ramped changes); reads "
      "AutoEq ParametricEQ.txt and fits headphone/IEM corrections",
      "earshot developers <earshot@earshot.invalid>");

  caps = gst_caps_from_string (ALLOWED_CAPS);
  gst_audio_filter_class_add_pad_templates (filter_class, caps);
  gst_caps_unref (caps);

  trans_class->start = GST_DEBUG_FUNCPTR (gst_eq_render_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_eq_render_stop);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_eq_render_sink_event);
  trans_class->before_transform =
      GST_DEBUG_FUNCPTR (gst_eq_render_before_transform);
  trans_class->transform_ip = GST_DEBUG_FUNCPTR (gst_eq_render_transform_ip);
  /* flat: the samples are not touched (by default GstBaseTransform calls
   * transform_ip in passthrough too, which would run the cascade's identity
   * sections and map a possibly shared buffer for writing) */
  trans_class->transform_ip_on_passthrough = FALSE;
  filter_class->setup = GST_DEBUG_FUNCPTR (gst_eq_render_setup);

  gst_type_mark_as_plugin_api (GST_TYPE_EQ_RENDER_BAND, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_EQ_RENDER_BAND_TYPE, 0);
}

static void
gst_eq_render_mark_changed (GstEqRender * self)
{
  g_atomic_int_set (&self->changed, 1);
}

/* Band index i of the default layout. */
static void
default_band_params (guint i, EsBiquadParams * p)
{
  p->type = (EsBiquadType) DEFAULT_BAND_TYPE;
  p->freq = i < DEFAULT_NUM_BANDS ? octave_centres[i] : DEFAULT_BAND_FREQ;
  p->gain_db = DEFAULT_BAND_GAIN;
  p->q = DEFAULT_BAND_Q;
}

/* Resize the band list. Children are parented and announced without the
 * object lock held (a deep-notify handler may take it, e.g. gst-launch -v);
 * resize_lock keeps two resizes apart. */
static void
gst_eq_render_set_num_bands (GstEqRender * self, guint n)
{
  GPtrArray *changed = g_ptr_array_new ();
  guint cur, i;

  g_rec_mutex_lock (&self->resize_lock);
  GST_OBJECT_LOCK (self);
  cur = self->bands->len;
  GST_OBJECT_UNLOCK (self);

  if (n > cur) {
    for (i = cur; i < n; i++) {
      EsBiquadParams p;
      gchar *name = g_strdup_printf ("band%u", i);
      GstEqRenderBand *band = g_object_new (GST_TYPE_EQ_RENDER_BAND,
          "name", name, NULL);

      g_free (name);
      default_band_params (i, &p);
      band->type = (GstEqRenderBandType) p.type;
      band->freq = p.freq;
      band->gain = p.gain_db;
      band->q = p.q;
      /* sinks the floating reference: the element owns the band */
      gst_object_set_parent (GST_OBJECT (band), GST_OBJECT (self));
      g_ptr_array_add (changed, band);
    }
    GST_OBJECT_LOCK (self);
    for (i = 0; i < changed->len; i++)
      g_ptr_array_add (self->bands, g_ptr_array_index (changed, i));
    GST_OBJECT_UNLOCK (self);
    for (i = 0; i < changed->len; i++) {
      GstObject *band = g_ptr_array_index (changed, i);
      gst_child_proxy_child_added (GST_CHILD_PROXY (self), G_OBJECT (band),
          GST_OBJECT_NAME (band));
    }
  } else if (n < cur) {
    GST_OBJECT_LOCK (self);
    for (i = n; i < cur; i++)
      g_ptr_array_add (changed, g_ptr_array_index (self->bands, i));
    g_ptr_array_set_size (self->bands, n);
    GST_OBJECT_UNLOCK (self);
    for (i = changed->len; i > 0; i--) {
      GstObject *band = gst_object_ref (g_ptr_array_index (changed, i - 1));
      gchar *name = gst_object_get_name (band);

      gst_object_unparent (band);
      gst_child_proxy_child_removed (GST_CHILD_PROXY (self), G_OBJECT (band),
          name);
      g_free (name);
      gst_object_unref (band);
    }
  }
  g_rec_mutex_unlock (&self->resize_lock);

  if (n != cur) {
    gst_eq_render_mark_changed (self);
    g_object_notify (G_OBJECT (self), "num-bands");
  }
  g_ptr_array_free (changed, TRUE);
}

static void
gst_eq_render_init (GstEqRender * self)
{
  self->bands = g_ptr_array_new ();
  g_rec_mutex_init (&self->resize_lock);
  self->preamp = DEFAULT_PREAMP;
  self->auto_preamp = DEFAULT_AUTO_PREAMP;
  self->ramp_time = DEFAULT_RAMP_TIME;
  self->max_filters = DEFAULT_MAX_FILTERS;
  gst_eq_render_set_num_bands (self, DEFAULT_NUM_BANDS);
  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
  /* flat by default */
  gst_base_transform_set_passthrough (GST_BASE_TRANSFORM (self), TRUE);
}

static void
gst_eq_render_dispose (GObject * object)
{
  gst_eq_render_set_num_bands (GST_EQ_RENDER (object), 0);
  G_OBJECT_CLASS (parent_class)->dispose (object);
}

static void
gst_eq_render_finalize (GObject * object)
{
  GstEqRender *self = GST_EQ_RENDER (object);

  g_ptr_array_free (self->bands, TRUE);
  g_rec_mutex_clear (&self->resize_lock);
  g_free (self->parametric_eq);
  g_free (self->measurement_path);
  g_free (self->target_name);
  g_clear_error (&self->pending_error[0]);
  g_clear_error (&self->pending_error[1]);
  g_clear_error (&self->pending_error[2]);
  g_clear_pointer (&self->measurement, es_fr_measurement_free);
  g_clear_pointer (&self->target, es_fr_measurement_free);
  g_clear_pointer (&self->cascade, es_biquad_cascade_free);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

enum
{
  FILE_PARAMETRIC_EQ,
  FILE_MEASUREMENT,
  FILE_TARGET,
};

static const gchar *const file_property_names[] = {
  "parametric-eq", "measurement", "target"
};

/* A file property was set: its earlier error no longer applies. */
static void
gst_eq_render_clear_file_error (GstEqRender * self, guint which)
{
  GST_OBJECT_LOCK (self);
  g_clear_error (&self->pending_error[which]);
  GST_OBJECT_UNLOCK (self);
}

/* A file property failed. Running: an element error now. Stopped: kept and
 * posted when the element starts (a launch line sets properties before
 * there is a bus to post on). */
static void
gst_eq_render_file_error (GstEqRender * self, guint which, GError * error)
{
  const gchar *property = file_property_names[which];
  gboolean started;

  GST_WARNING_OBJECT (self, "%s: %s", property, error->message);
  GST_OBJECT_LOCK (self);
  started = self->started;
  if (!started) {
    g_clear_error (&self->pending_error[which]);
    self->pending_error[which] = g_error_copy (error);
    g_prefix_error (&self->pending_error[which], "%s: ", property);
  }
  GST_OBJECT_UNLOCK (self);
  if (started) {
    if (error->domain == ES_IO_ERROR && error->code == ES_IO_ERROR_OPEN)
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ, ("%s: %s", property,
              error->message), (NULL));
    else
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s: %s", property,
              error->message), (NULL));
  }
}

/* Bands and preamp from a ParametricEQ.txt or a fit. */
static void
gst_eq_render_apply_eq (GstEqRender * self, const EsParametricEq * eq)
{
  guint i;

  g_atomic_int_inc (&self->applying);
  gst_eq_render_set_num_bands (self, eq->n_filters);
  for (i = 0; i < eq->n_filters; i++) {
    GstEqRenderBand *band;

    GST_OBJECT_LOCK (self);
    band = i < self->bands->len ?
        gst_object_ref (g_ptr_array_index (self->bands, i)) : NULL;
    GST_OBJECT_UNLOCK (self);
    if (!band)
      break;                    /* resized meanwhile by another thread */
    g_object_set (band, "type", (GstEqRenderBandType) eq->filters[i].type,
        "freq", CLAMP (eq->filters[i].freq, MIN_BAND_FREQ, MAX_BAND_FREQ),
        "gain", eq->filters[i].gain_db,
        "q", CLAMP (eq->filters[i].q, MIN_BAND_Q, MAX_BAND_Q), NULL);
    gst_object_unref (band);
  }
  g_object_set (self, "preamp", CLAMP (eq->preamp_db, MIN_PREAMP, MAX_PREAMP),
      NULL);
  g_atomic_int_dec_and_test (&self->applying);
  gst_eq_render_mark_changed (self);
}

static void
gst_eq_render_load_parametric_eq (GstEqRender * self, const gchar * path)
{
  GError *error = NULL;
  EsParametricEq *eq = es_parametric_eq_load (path, &error);

  if (!eq) {
    gst_eq_render_file_error (self, FILE_PARAMETRIC_EQ, error);
    g_error_free (error);
    return;
  }
  GST_INFO_OBJECT (self, "%s: %u filters, preamp %.1f dB", path,
      eq->n_filters, eq->preamp_db);
  gst_eq_render_apply_eq (self, eq);
  es_parametric_eq_free (eq);
}

/* measurement= and target= are read when set; the fit waits for the rate. */
static void
gst_eq_render_load_curve (GstEqRender * self, guint prop_id,
    const gchar * name)
{
  GError *error = NULL;
  EsFrMeasurement *curve = NULL;

  if (name && *name) {
    if (prop_id == PROP_MEASUREMENT) {
      EsFrLimits limits = { 0, ES_EQ_FIT_FMIN, ES_EQ_FIT_FMAX, 0 };
      curve = es_fr_measurement_load (name, &limits, &error);
    } else {
      curve = es_eq_target_load (name, &error);
    }
    if (!curve) {
      gst_eq_render_file_error (self,
          prop_id == PROP_MEASUREMENT ? FILE_MEASUREMENT : FILE_TARGET, error);
      g_error_free (error);
    }
  }
  GST_OBJECT_LOCK (self);
  if (prop_id == PROP_MEASUREMENT) {
    g_clear_pointer (&self->measurement, es_fr_measurement_free);
    self->measurement = curve;
  } else {
    g_clear_pointer (&self->target, es_fr_measurement_free);
    self->target = curve;
  }
  self->fitted_rate = 0;
  GST_OBJECT_UNLOCK (self);
}

static void
gst_eq_render_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstEqRender *self = GST_EQ_RENDER (object);

  switch (prop_id) {
    case PROP_NUM_BANDS:
      gst_eq_render_set_num_bands (self, g_value_get_uint (value));
      break;
    case PROP_PREAMP:
      GST_OBJECT_LOCK (self);
      self->preamp = g_value_get_double (value);
      GST_OBJECT_UNLOCK (self);
      gst_eq_render_mark_changed (self);
      break;
    case PROP_AUTO_PREAMP:
      GST_OBJECT_LOCK (self);
      self->auto_preamp = g_value_get_boolean (value);
      GST_OBJECT_UNLOCK (self);
      gst_eq_render_mark_changed (self);
      break;
    case PROP_RAMP_TIME:
      GST_OBJECT_LOCK (self);
      self->ramp_time = g_value_get_uint64 (value);
      GST_OBJECT_UNLOCK (self);
      gst_eq_render_mark_changed (self);
      break;
    case PROP_PARAMETRIC_EQ:{
      gchar *path = g_value_dup_string (value);

      GST_OBJECT_LOCK (self);
      g_free (self->parametric_eq);
      self->parametric_eq = g_strdup (path);
      GST_OBJECT_UNLOCK (self);
      gst_eq_render_clear_file_error (self, FILE_PARAMETRIC_EQ);
      if (path && *path)
        gst_eq_render_load_parametric_eq (self, path);
      g_free (path);
      break;
    }
    case PROP_MEASUREMENT:
    case PROP_TARGET:{
      gchar *name;

      /* the fit reads the curves in the streaming thread */
      GST_OBJECT_LOCK (self);
      if (self->started) {
        GST_OBJECT_UNLOCK (self);
        g_warning ("%s: \"%s\" can only be changed in the NULL or READY state",
            GST_OBJECT_NAME (self), pspec->name);
        break;
      }
      GST_OBJECT_UNLOCK (self);
      name = g_value_dup_string (value);
      GST_OBJECT_LOCK (self);
      if (prop_id == PROP_MEASUREMENT) {
        g_free (self->measurement_path);
        self->measurement_path = g_strdup (name);
      } else {
        g_free (self->target_name);
        self->target_name = g_strdup (name);
      }
      GST_OBJECT_UNLOCK (self);
      gst_eq_render_clear_file_error (self,
          prop_id == PROP_MEASUREMENT ? FILE_MEASUREMENT : FILE_TARGET);
      gst_eq_render_load_curve (self, prop_id, name);
      g_free (name);
      break;
    }
    case PROP_MAX_FILTERS:
      GST_OBJECT_LOCK (self);
      self->max_filters = g_value_get_uint (value);
      self->fitted_rate = 0;
      GST_OBJECT_UNLOCK (self);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_eq_render_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstEqRender *self = GST_EQ_RENDER (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_NUM_BANDS:
      g_value_set_uint (value, self->bands->len);
      break;
    case PROP_PREAMP:
      g_value_set_double (value, self->preamp);
      break;
    case PROP_AUTO_PREAMP:
      g_value_set_boolean (value, self->auto_preamp);
      break;
    case PROP_RAMP_TIME:
      g_value_set_uint64 (value, self->ramp_time);
      break;
    case PROP_PARAMETRIC_EQ:
      g_value_set_string (value, self->parametric_eq);
      break;
    case PROP_MEASUREMENT:
      g_value_set_string (value, self->measurement_path);
      break;
    case PROP_TARGET:
      g_value_set_string (value, self->target_name);
      break;
    case PROP_MAX_FILTERS:
      g_value_set_uint (value, self->max_filters);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

/* ------------------------------------------------------------------------ */
/* child proxy and presets                                                   */

static GObject *
gst_eq_render_child_by_index (GstChildProxy * proxy, guint index)
{
  GstEqRender *self = GST_EQ_RENDER (proxy);
  GObject *band = NULL;

  GST_OBJECT_LOCK (self);
  if (index < self->bands->len)
    band = g_object_ref (g_ptr_array_index (self->bands, index));
  GST_OBJECT_UNLOCK (self);
  return band;
}

static guint
gst_eq_render_children_count (GstChildProxy * proxy)
{
  GstEqRender *self = GST_EQ_RENDER (proxy);
  guint n;

  GST_OBJECT_LOCK (self);
  n = self->bands->len;
  GST_OBJECT_UNLOCK (self);
  return n;
}

static void
gst_eq_render_child_proxy_init (gpointer g_iface, gpointer iface_data)
{
  GstChildProxyInterface *iface = g_iface;

  iface->get_child_by_index = gst_eq_render_child_by_index;
  iface->get_children_count = gst_eq_render_children_count;
}

/* What a preset holds: the band count first (so the bands exist when their
 * values are set), the preamp, then every band's four values. The file
 * properties are not part of a preset. */
static gchar **
gst_eq_render_preset_get_property_names (GstPreset * preset)
{
  static const gchar *const band_props[] = { "type", "freq", "gain", "q" };
  GstEqRender *self = GST_EQ_RENDER (preset);
  GPtrArray *names = g_ptr_array_new ();
  guint n, i, k;

  g_ptr_array_add (names, g_strdup ("num-bands"));
  g_ptr_array_add (names, g_strdup ("preamp"));
  g_ptr_array_add (names, g_strdup ("auto-preamp"));
  GST_OBJECT_LOCK (self);
  n = self->bands->len;
  GST_OBJECT_UNLOCK (self);
  for (i = 0; i < n; i++)
    for (k = 0; k < G_N_ELEMENTS (band_props); k++)
      g_ptr_array_add (names, g_strdup_printf ("band%u::%s", i, band_props[k]));
  g_ptr_array_add (names, NULL);
  return (gchar **) g_ptr_array_free (names, FALSE);
}

static gboolean (*parent_load_preset) (GstPreset * preset, const gchar * name);

/* GstPreset's own loader lists the property names once, before it sets
 * num-bands: when the preset changes the band count, a second pass sets
 * the bands that did not exist during the first. */
static gboolean
gst_eq_render_preset_load (GstPreset * preset, const gchar * name)
{
  guint before = gst_eq_render_children_count (GST_CHILD_PROXY (preset));
  gboolean ok = parent_load_preset (preset, name);

  if (ok && gst_eq_render_children_count (GST_CHILD_PROXY (preset)) != before)
    ok = parent_load_preset (preset, name);
  return ok;
}

static void
gst_eq_render_preset_init (gpointer g_iface, gpointer iface_data)
{
  GstPresetInterface *iface = g_iface;

  /* the interface's defaults are in place (its base_init ran) */
  parent_load_preset = iface->load_preset;
  iface->load_preset = gst_eq_render_preset_load;
  iface->get_property_names = gst_eq_render_preset_get_property_names;
}

/* ------------------------------------------------------------------------ */
/* streaming                                                                 */

/* AutoEq's preamp: minus the largest gain, rounded down to 0.1 dB (as
 * pipeline/eq/fit.c writes it), never a boost. */
static gdouble
auto_preamp_db (gdouble max_gain_db)
{
  if (!(max_gain_db > 0.0))
    return 0.0;
  return floor (-max_gain_db * 10.0 + 1e-6) / 10.0;
}

/* Push the bands and the preamp to the cascade when they changed (or
 * @force). FALSE and an element error when a band is invalid at this rate. */
static gboolean
gst_eq_render_update_cascade (GstEqRender * self, gboolean force)
{
  GstEqRenderBand **bands;
  EsBiquadParams *params;
  gdouble preamp, gain_db;
  gboolean auto_preamp, ok;
  guint64 ramp_time;
  GError *error = NULL;
  guint n, i;
  gint rate;

  if (!self->cascade)
    return TRUE;
  if (!force && g_atomic_int_get (&self->applying))
    return TRUE;                /* half an EQ: take it when it is whole */
  if (!g_atomic_int_compare_and_exchange (&self->changed, 1, 0) && !force)
    return TRUE;

  GST_OBJECT_LOCK (self);
  n = self->bands->len;
  bands = g_new (GstEqRenderBand *, MAX (n, 1));
  for (i = 0; i < n; i++)
    bands[i] = gst_object_ref (g_ptr_array_index (self->bands, i));
  preamp = self->preamp;
  auto_preamp = self->auto_preamp;
  ramp_time = self->ramp_time;
  GST_OBJECT_UNLOCK (self);

  params = g_new (EsBiquadParams, MAX (n, 1));
  for (i = 0; i < n; i++) {
    band_get_params (bands[i], &params[i]);
    gst_object_unref (bands[i]);
  }
  g_free (bands);

  rate = self->rate;
  es_biquad_cascade_set_ramp_frames (self->cascade,
      (size_t) gst_util_uint64_scale_round (ramp_time, rate, GST_SECOND));
  ok = es_biquad_cascade_set_bands (self->cascade, params, n, &error);
  g_free (params);
  self->refused = !ok;
  if (!ok) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", error->message),
        ("bands invalid for %d Hz audio", rate));
    g_error_free (error);
    return FALSE;
  }
  gain_db = auto_preamp ?
      auto_preamp_db (es_biquad_cascade_max_gain_db (self->cascade)) : preamp;
  es_biquad_cascade_set_gain_db (self->cascade, gain_db);
  if (gain_db != self->applied_preamp)
    GST_DEBUG_OBJECT (self, "preamp %.2f dB%s", gain_db,
        auto_preamp ? " (auto)" : "");
  self->applied_preamp = gain_db;
  GST_LOG_OBJECT (self, "%u bands, preamp %.2f dB", n, gain_db);
  return TRUE;
}

/* measurement + target: fit for this rate (once per rate), replacing the
 * bands and the preamp, and tell the application how well it fits. */
static gboolean
gst_eq_render_fit (GstEqRender * self, gint rate)
{
  EsFrMeasurement *measurement, *target;
  gboolean have_m, have_t, need;
  EsEqFitOptions opt;
  EsEqFitReport report;
  EsParametricEq *eq;
  GError *error = NULL;

  GST_OBJECT_LOCK (self);
  have_m = self->measurement_path && *self->measurement_path;
  have_t = self->target_name && *self->target_name;
  need = (have_m || have_t) && self->fitted_rate != rate;
  measurement = self->measurement;
  target = self->target;
  es_eq_fit_options_init (&opt);
  opt.max_filters = self->max_filters;
  GST_OBJECT_UNLOCK (self);

  if (!need)
    return TRUE;
  if (!have_m || !have_t) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("A headphone correction needs both \"measurement\" and \"target\" "
            "(%s is not set).", have_m ? "target" : "measurement"), (NULL));
    return FALSE;
  }
  if (!measurement || !target)
    return FALSE;               /* their load error was posted at start */
  if (rate < ES_EQ_FIT_MIN_RATE) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("A headphone correction needs audio at %.0f Hz or more (20 kHz "
            "below Nyquist), not %d Hz: put audioresample before eqrender.",
            ES_EQ_FIT_MIN_RATE, rate), (NULL));
    return FALSE;
  }
  opt.rate = rate;
  /* the curves are only replaced by set_property under the lock while the
   * element is stopped or ready (the properties are MUTABLE_READY) */
  eq = es_eq_fit (measurement, target, &opt, &report, &error);
  if (!eq) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", error->message),
        ("measurement fit at %d Hz", rate));
    g_error_free (error);
    return FALSE;
  }
  GST_INFO_OBJECT (self, "fit at %d Hz: %u filters, residual %.3f dB, "
      "preamp %.1f dB, %.0f ms", rate, eq->n_filters, report.residual_db,
      eq->preamp_db, report.seconds * 1e3);
  gst_eq_render_apply_eq (self, eq);
  es_parametric_eq_free (eq);
  GST_OBJECT_LOCK (self);
  self->fitted_rate = rate;
  GST_OBJECT_UNLOCK (self);
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self),
          gst_structure_new ("eqrender",
              "residual-db", G_TYPE_DOUBLE, report.residual_db,
              "max-error-db", G_TYPE_DOUBLE, report.max_error_db,
              "preamp-db", G_TYPE_DOUBLE, report.preamp_db,
              "filters", G_TYPE_UINT, report.n_filters,
              "rate", G_TYPE_INT, rate, NULL)));
  return TRUE;
}

static void
gst_eq_render_process_f32 (GstEqRender * self, gpointer data, guint n_frames)
{
  es_biquad_cascade_process_f32 (self->cascade, data, n_frames);
}

static void
gst_eq_render_process_f64 (GstEqRender * self, gpointer data, guint n_frames)
{
  es_biquad_cascade_process_f64 (self->cascade, data, n_frames);
}

/* On every caps change: fit if asked to, a new cascade for the rate and
 * channels that starts on the bands (no ramp from the previous stream). */
static gboolean
gst_eq_render_setup (GstAudioFilter * filter, const GstAudioInfo * info)
{
  GstEqRender *self = GST_EQ_RENDER (filter);
  gint rate = GST_AUDIO_INFO_RATE (info);
  guint channels = GST_AUDIO_INFO_CHANNELS (info);

  switch (GST_AUDIO_INFO_FORMAT (info)) {
    case GST_AUDIO_FORMAT_F32:
      self->process = gst_eq_render_process_f32;
      break;
    case GST_AUDIO_FORMAT_F64:
      self->process = gst_eq_render_process_f64;
      break;
    default:
      GST_ERROR_OBJECT (self, "unsupported format %s",
          GST_AUDIO_INFO_NAME (info));
      self->process = NULL;
      return FALSE;
  }
  if (rate <= 0 || channels == 0) {
    self->process = NULL;
    return FALSE;
  }
  if (!gst_eq_render_fit (self, rate)) {
    self->process = NULL;
    return FALSE;
  }

  g_clear_pointer (&self->cascade, es_biquad_cascade_free);
  self->cascade = es_biquad_cascade_new (channels, rate);
  self->rate = rate;   /* filter->info still holds the old caps here */
  if (!gst_eq_render_update_cascade (self, TRUE)) {
    g_clear_pointer (&self->cascade, es_biquad_cascade_free);
    self->process = NULL;
    return FALSE;
  }
  es_biquad_cascade_reset (self->cascade);
  self->nonfinite_seen = 0;
  gst_base_transform_set_passthrough (GST_BASE_TRANSFORM (self),
      es_biquad_cascade_is_identity (self->cascade));

  GST_DEBUG_OBJECT (self, "configured for %s, %u channels, %d Hz%s",
      GST_AUDIO_INFO_NAME (info), channels, rate,
      es_biquad_cascade_has_vector_path (self->cascade) ? ", vector path" : "");
  return TRUE;
}

static gboolean
gst_eq_render_start (GstBaseTransform * trans)
{
  GstEqRender *self = GST_EQ_RENDER (trans);
  GError *error = NULL;
  guint i;

  /* the errors stay with their values: a second start fails the same way */
  GST_OBJECT_LOCK (self);
  for (i = 0; i < G_N_ELEMENTS (self->pending_error) && !error; i++)
    if (self->pending_error[i])
      error = g_error_copy (self->pending_error[i]);
  self->started = error == NULL;
  GST_OBJECT_UNLOCK (self);
  if (error) {
    if (error->domain == ES_IO_ERROR && error->code == ES_IO_ERROR_OPEN)
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ, ("%s", error->message),
          (NULL));
    else
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", error->message),
          (NULL));
    g_error_free (error);
    return FALSE;
  }
  self->nonfinite_warned = FALSE;
  return TRUE;
}

static gboolean
gst_eq_render_stop (GstBaseTransform * trans)
{
  GstEqRender *self = GST_EQ_RENDER (trans);

  GST_OBJECT_LOCK (self);
  self->started = FALSE;
  GST_OBJECT_UNLOCK (self);
  g_clear_pointer (&self->cascade, es_biquad_cascade_free);
  self->process = NULL;
  return TRUE;
}

static gboolean
gst_eq_render_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstEqRender *self = GST_EQ_RENDER (trans);

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_FLUSH_STOP:
      GST_DEBUG_OBJECT (self, "flush: clearing the filter state");
      if (self->cascade)
        es_biquad_cascade_reset (self->cascade);
      break;
    case GST_EVENT_STREAM_START:
      self->nonfinite_warned = FALSE;
      break;
    default:
      break;
  }
  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

/* Before the passthrough decision for the buffer: bring the controlled
 * values to the buffer's time, push changes to the cascade, and pass
 * through exactly when the cascade is unity and no ramp is running. */
static void
gst_eq_render_before_transform (GstBaseTransform * trans, GstBuffer * buffer)
{
  GstEqRender *self = GST_EQ_RENDER (trans);
  GstClockTime ts = GST_BUFFER_PTS (buffer);
  gboolean identity;

  if (GST_CLOCK_TIME_IS_VALID (ts)) {
    GstClockTime stream_time = gst_segment_to_stream_time (&trans->segment,
        GST_FORMAT_TIME, ts);

    if (GST_CLOCK_TIME_IS_VALID (stream_time)) {
      GstObject *stack[64], **controlled = stack;
      guint i, n = 0, total;

      gst_object_sync_values (GST_OBJECT (self), stream_time);
      /* only the bands that have a controller: this runs for every buffer */
      GST_OBJECT_LOCK (self);
      total = self->bands->len;
      if (total > G_N_ELEMENTS (stack))
        controlled = g_new (GstObject *, total);
      for (i = 0; i < total; i++) {
        GstObject *band = g_ptr_array_index (self->bands, i);

        /* an atomic look rather than the band's lock (twenty lock
         * operations a buffer for ten bands, ~2 % of a bench/eq process):
         * a binding added meanwhile is seen at the next buffer, and
         * gst_object_sync_values () takes the lock itself */
        if (g_atomic_pointer_get (&band->control_bindings) != NULL)
          controlled[n++] = gst_object_ref (band);
      }
      GST_OBJECT_UNLOCK (self);
      for (i = 0; i < n; i++) {
        gst_object_sync_values (controlled[i], stream_time);
        gst_object_unref (controlled[i]);
      }
      if (controlled != stack)
        g_free (controlled);
    }
  }
  if (!self->cascade)
    return;
  if (!gst_eq_render_update_cascade (self, FALSE) || self->refused) {
    /* error posted; transform_ip must run to return it */
    gst_base_transform_set_passthrough (trans, FALSE);
    return;
  }

  identity = es_biquad_cascade_is_identity (self->cascade);
  if (identity != gst_base_transform_is_passthrough (trans)) {
    GST_DEBUG_OBJECT (self, "%s passthrough", identity ? "entering" :
        "leaving");
    if (identity)
      es_biquad_cascade_reset (self->cascade);  /* start clean when leaving */
    gst_base_transform_set_passthrough (trans, identity);
  }
}

static GstFlowReturn
gst_eq_render_transform_ip (GstBaseTransform * trans, GstBuffer * buf)
{
  GstEqRender *self = GST_EQ_RENDER (trans);
  gint bpf = GST_AUDIO_FILTER_BPF (self);
  GstMapInfo map;
  guint n_frames;
  guint64 nonfinite;

  if (G_UNLIKELY (self->process == NULL || self->cascade == NULL || bpf <= 0))
    return GST_FLOW_NOT_NEGOTIATED;
  if (G_UNLIKELY (self->refused))
    return GST_FLOW_ERROR;      /* the bands were refused (error posted) */

  if (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DISCONT)) {
    GST_DEBUG_OBJECT (self, "discont: clearing the filter state");
    es_biquad_cascade_reset (self->cascade);
  }

  if (!gst_buffer_map (buf, &map, GST_MAP_READWRITE)) {
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
  if (n_frames > 0)
    self->process (self, map.data, n_frames);
  gst_buffer_unmap (buf, &map);

  nonfinite = es_biquad_cascade_nonfinite_count (self->cascade);
  if (G_UNLIKELY (nonfinite != self->nonfinite_seen)) {
    if (!self->nonfinite_warned)
      GST_ELEMENT_WARNING (self, STREAM, DECODE,
          ("The audio holds NaN or infinite samples: they were replaced by "
              "silence and the filter state was reset."),
          ("%" G_GUINT64_FORMAT " so far, at %" GST_TIME_FORMAT,
              nonfinite, GST_TIME_ARGS (GST_BUFFER_PTS (buf))));
    else
      GST_DEBUG_OBJECT (self, "%" G_GUINT64_FORMAT " non-finite samples",
          nonfinite - self->nonfinite_seen);
    self->nonfinite_warned = TRUE;
    self->nonfinite_seen = nonfinite;
  }
  return GST_FLOW_OK;
}
