/* earshot: frequency-response measurement source element
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * SECTION:element-frsrc
 * @title: frsrc
 * @short_description: reads a frequency-response measurement as one feature vector
 *
 * Reads one headphone/IEM frequency-response measurement — a CSV or text file
 * as published by squig.link, AutoEq or exported from REW (header or none,
 * `,` `;` tab `|` or blank separators, `#`/`*` comment lines; see
 * docs/measurements.md) — resamples it to N log-spaced
 * frequencies from #GstFrSrc:fmin to #GstFrSrc:fmax by linear interpolation in
 * log frequency (the first/last measured value is held beyond the measured
 * range), removes the mean, and pushes it as ONE buffer of float32 values in
 * dB, then EOS.
 *
 * Output caps:
 * |[
 * application/x-earshot-features, bands=(int)N, framerate=(fraction)0/1,
 *     scale=(string)log-frequency, unit=(string)dB, fmin=(double)F0, fmax=(double)F1
 * ]|
 * with F0/F1 the grid's end frequencies in Hz. N is #GstFrSrc:points when
 * set; with the default 0 it is negotiated: whatever downstream asks for
 * (e.g. `cnnclassify` with a 1D model advertises the model's input size, so
 * `frsrc ! cnnclassify model=...` needs no `points`), else 128. The
 * buffer has PTS 0 and no duration.
 *
 * The measurement must cover [fmin, fmax] up to a small tolerance (a factor
 * 1.1 in frequency, since squig.link grids start between 19.5 and 21.6 Hz),
 * have at least 10 rows, finite values and strictly increasing frequencies.
 * Otherwise the element fails to start with an error message naming the file
 * and line (RESOURCE/OPEN_READ when the file cannot be read, RESOURCE/READ
 * for a file over the 64 MiB measurement limit — a device or FIFO such as
 * /dev/zero is read up to it, never further —, STREAM/FORMAT for malformed
 * content, RESOURCE/SETTINGS for bad properties).
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 frsrc location=iem.csv ! fakesink dump=true
 * gst-launch-1.0 -m frsrc location=iem.csv ! cnnclassify model=iem-signature-1d ! fakesink
 * gst-launch-1.0 frsrc location=iem.csv ! spectrogramimager ! pngenc ! filesink location=iem.png
 * gst-launch-1.0 frsrc location=iem.csv points=512 ! spectrogramimager width=800 height=500 ! videoconvert ! imagefreeze ! autovideosink
 * ]|
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstfrsrc.h"
#include "media-types.h"
#include "io/frcsv.h"
#include "io/frcurve.h"

GST_DEBUG_CATEGORY_STATIC (gst_fr_src_debug);
#define GST_CAT_DEFAULT gst_fr_src_debug

#define DEFAULT_LOCATION NULL
#define DEFAULT_POINTS 0           /* negotiated */
#define PREFERRED_POINTS ES_FR_POINTS_DEFAULT
#define DEFAULT_FMIN ES_FR_FMIN_DEFAULT
#define DEFAULT_FMAX ES_FR_FMAX_DEFAULT
#define MIN_POINTS 2
#define MAX_POINTS 65536
#define MAX_FREQUENCY 1000000.0

enum
{
  PROP_0,
  PROP_LOCATION,
  PROP_POINTS,
  PROP_FMIN,
  PROP_FMAX,
};

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (ES_FEATURES_MEDIA_TYPE ", "
        "bands = (int) [ 2, 65536 ], framerate = (fraction) 0/1, "
        "scale = (string) " ES_SCALE_LOG_FREQUENCY ", unit = (string) dB, "
        "fmin = (double) [ 0, MAX ], fmax = (double) [ 0, MAX ]"));

#define gst_fr_src_parent_class parent_class
G_DEFINE_TYPE (GstFrSrc, gst_fr_src, GST_TYPE_BASE_SRC);
GST_ELEMENT_REGISTER_DEFINE (frsrc, "frsrc", GST_RANK_NONE, GST_TYPE_FR_SRC);

static void gst_fr_src_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_fr_src_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static void gst_fr_src_finalize (GObject * object);
static gboolean gst_fr_src_start (GstBaseSrc * src);
static gboolean gst_fr_src_stop (GstBaseSrc * src);
static GstCaps *gst_fr_src_get_caps (GstBaseSrc * src, GstCaps * filter);
static GstCaps *gst_fr_src_fixate (GstBaseSrc * src, GstCaps * caps);
static gboolean gst_fr_src_set_caps (GstBaseSrc * src, GstCaps * caps);
static GstFlowReturn gst_fr_src_create (GstBaseSrc * src, guint64 offset,
    guint size, GstBuffer ** buf);

static void
gst_fr_src_class_init (GstFrSrcClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseSrcClass *base_class = GST_BASE_SRC_CLASS (klass);

  gobject_class->set_property = gst_fr_src_set_property;
  gobject_class->get_property = gst_fr_src_get_property;
  gobject_class->finalize = gst_fr_src_finalize;

  /**
   * GstFrSrc:location:
   *
   * Path of the measurement file (CSV or text).
   */
  g_object_class_install_property (gobject_class, PROP_LOCATION,
      g_param_spec_string ("location", "Location",
          "Path of the frequency-response measurement (CSV/text)", DEFAULT_LOCATION,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  /**
   * GstFrSrc:points:
   *
   * Number of log-spaced frequencies of the output vector; 0 negotiates it
   * with downstream (a classifier's model size), 128 if downstream accepts
   * any.
   */
  g_object_class_install_property (gobject_class, PROP_POINTS,
      g_param_spec_uint ("points", "Points",
          "Number of log-spaced frequencies in the output vector "
          "(0 = negotiated with downstream, 128 if it takes any)", 0,
          MAX_POINTS, DEFAULT_POINTS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  /**
   * GstFrSrc:fmin:
   *
   * Lowest frequency of the grid, in Hz.
   */
  g_object_class_install_property (gobject_class, PROP_FMIN,
      g_param_spec_double ("fmin", "Minimum frequency",
          "Lowest frequency of the output grid (Hz)", 1e-3, MAX_FREQUENCY,
          DEFAULT_FMIN,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  /**
   * GstFrSrc:fmax:
   *
   * Highest frequency of the grid, in Hz; must be above #GstFrSrc:fmin.
   */
  g_object_class_install_property (gobject_class, PROP_FMAX,
      g_param_spec_double ("fmax", "Maximum frequency",
          "Highest frequency of the output grid (Hz)", 1e-3, MAX_FREQUENCY,
          DEFAULT_FMAX,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));

  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "Frequency-response measurement source", "Source/File",
      "Reads a headphone frequency-response measurement (squig.link, AutoEq, REW "
      "CSV) as one zero-mean log-frequency feature vector",
      "earshot developers <earshot@earshot.invalid>");

  base_class->start = GST_DEBUG_FUNCPTR (gst_fr_src_start);
  base_class->stop = GST_DEBUG_FUNCPTR (gst_fr_src_stop);
  base_class->get_caps = GST_DEBUG_FUNCPTR (gst_fr_src_get_caps);
  base_class->fixate = GST_DEBUG_FUNCPTR (gst_fr_src_fixate);
  base_class->set_caps = GST_DEBUG_FUNCPTR (gst_fr_src_set_caps);
  base_class->create = GST_DEBUG_FUNCPTR (gst_fr_src_create);

  GST_DEBUG_CATEGORY_INIT (gst_fr_src_debug, "frsrc", 0,
      "frequency-response measurement source");
}

static void
gst_fr_src_init (GstFrSrc * self)
{
  self->location = g_strdup (DEFAULT_LOCATION);
  self->points = DEFAULT_POINTS;
  self->fmin = DEFAULT_FMIN;
  self->fmax = DEFAULT_FMAX;
  gst_base_src_set_format (GST_BASE_SRC (self), GST_FORMAT_TIME);
}

static void
gst_fr_src_finalize (GObject * object)
{
  GstFrSrc *self = GST_FR_SRC (object);

  g_free (self->location);
  g_free (self->curve);
  g_clear_pointer (&self->measurement, es_fr_measurement_free);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_fr_src_set_property (GObject * object, guint prop_id, const GValue * value,
    GParamSpec * pspec)
{
  GstFrSrc *self = GST_FR_SRC (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_LOCATION:
      g_free (self->location);
      self->location = g_value_dup_string (value);
      break;
    case PROP_POINTS:
      self->points = g_value_get_uint (value);
      break;
    case PROP_FMIN:
      self->fmin = g_value_get_double (value);
      break;
    case PROP_FMAX:
      self->fmax = g_value_get_double (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_fr_src_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstFrSrc *self = GST_FR_SRC (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_LOCATION:
      g_value_set_string (value, self->location);
      break;
    case PROP_POINTS:
      g_value_set_uint (value, self->points);
      break;
    case PROP_FMIN:
      g_value_set_double (value, self->fmin);
      break;
    case PROP_FMAX:
      g_value_set_double (value, self->fmax);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

/* The whole job happens here: a bad file fails the state change with an
 * error message before anything is negotiated. */
static gboolean
gst_fr_src_start (GstBaseSrc * src)
{
  GstFrSrc *self = GST_FR_SRC (src);
  gchar *location;
  guint points;
  gdouble fmin, fmax;
  EsFrLimits limits = { 0 };
  EsFrMeasurement *m;
  GError *err = NULL;

  GST_OBJECT_LOCK (self);
  location = g_strdup (self->location);
  points = self->points;
  fmin = self->fmin;
  fmax = self->fmax;
  GST_OBJECT_UNLOCK (self);

  if (location == NULL || location[0] == '\0') {
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
        ("No measurement file given (set the \"location\" property)."), (NULL));
    g_free (location);
    return FALSE;
  }
  if (!(fmin < fmax)) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("fmin (%g Hz) must be below fmax (%g Hz).", fmin, fmax), (NULL));
    g_free (location);
    return FALSE;
  }

  limits.required_fmin = fmin;
  limits.required_fmax = fmax;
  m = es_fr_measurement_load (location, &limits, &err);
  if (m == NULL) {
    if (err->code == ES_IO_ERROR_OPEN)
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ, ("%s", err->message),
          ("could not read measurement \"%s\"", location));
    else if (err->code == ES_IO_ERROR_TOO_LARGE)
      /* over the measurement limit, read no further (/dev/zero, a FIFO) */
      GST_ELEMENT_ERROR (self, RESOURCE, READ, ("%s", err->message),
          ("measurement \"%s\" too large", location));
    else
      GST_ELEMENT_ERROR (self, STREAM, FORMAT, ("%s", err->message),
          ("bad measurement \"%s\"", location));
    g_error_free (err);
    g_free (location);
    return FALSE;
  }

  g_clear_pointer (&self->measurement, es_fr_measurement_free);
  g_clear_pointer (&self->curve, g_free);
  self->measurement = m;
  self->curve_points = 0;
  self->curve_fmin = fmin;
  self->curve_fmax = fmax;
  self->sent = FALSE;
  GST_INFO_OBJECT (self, "%s: %zu rows %g-%g Hz (grid %g-%g Hz, %u points%s)",
      location, m->n, m->frequency[0], m->frequency[m->n - 1], fmin, fmax,
      points, points ? "" : " = negotiated");
  g_free (location);
  return TRUE;
}

static gboolean
gst_fr_src_stop (GstBaseSrc * src)
{
  GstFrSrc *self = GST_FR_SRC (src);

  g_clear_pointer (&self->curve, g_free);
  g_clear_pointer (&self->measurement, es_fr_measurement_free);
  self->curve_points = 0;
  self->sent = FALSE;
  return TRUE;
}

static GstCaps *
gst_fr_src_get_caps (GstBaseSrc * src, GstCaps * filter)
{
  GstFrSrc *self = GST_FR_SRC (src);
  GstCaps *caps;
  guint points;
  gdouble fmin, fmax;

  GST_OBJECT_LOCK (self);
  points = self->curve ? self->curve_points : self->points;
  fmin = self->curve ? self->curve_fmin : self->fmin;
  fmax = self->curve ? self->curve_fmax : self->fmax;
  GST_OBJECT_UNLOCK (self);

  caps = gst_caps_new_simple (ES_FEATURES_MEDIA_TYPE,
      "framerate", GST_TYPE_FRACTION, 0, 1,
      "scale", G_TYPE_STRING, ES_SCALE_LOG_FREQUENCY,
      "unit", G_TYPE_STRING, "dB",
      "fmin", G_TYPE_DOUBLE, fmin, "fmax", G_TYPE_DOUBLE, fmax, NULL);
  if (points > 0)
    gst_caps_set_simple (caps, "bands", G_TYPE_INT, (gint) points, NULL);
  else
    gst_caps_set_simple (caps, "bands", GST_TYPE_INT_RANGE, MIN_POINTS,
        MAX_POINTS, NULL);
  if (filter) {
    GstCaps *both = gst_caps_intersect_full (filter, caps, GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref (caps);
    caps = both;
  }
  return caps;
}

/* Downstream that takes any size gets the usual 128 points. */
static GstCaps *
gst_fr_src_fixate (GstBaseSrc * src, GstCaps * caps)
{
  caps = gst_caps_make_writable (caps);
  caps = gst_caps_truncate (caps);
  gst_structure_fixate_field_nearest_int (gst_caps_get_structure (caps, 0),
      "bands", PREFERRED_POINTS);
  return GST_BASE_SRC_CLASS (parent_class)->fixate (src, caps);
}

/* Resample at the negotiated size. */
static gboolean
gst_fr_src_set_caps (GstBaseSrc * src, GstCaps * caps)
{
  GstFrSrc *self = GST_FR_SRC (src);
  gint bands = 0;

  if (!gst_structure_get_int (gst_caps_get_structure (caps, 0), "bands", &bands)
      || bands < MIN_POINTS || self->measurement == NULL)
    return FALSE;
  g_free (self->curve);
  self->curve = g_new (gfloat, bands);
  es_fr_resample (self->measurement->frequency, self->measurement->level,
      self->measurement->n, self->curve_fmin, self->curve_fmax, TRUE,
      self->curve, bands);
  GST_OBJECT_LOCK (self);
  self->curve_points = bands;
  GST_OBJECT_UNLOCK (self);
  GST_DEBUG_OBJECT (self, "resampled to %d points", bands);
  return TRUE;
}

static GstFlowReturn
gst_fr_src_create (GstBaseSrc * src, guint64 offset, guint size, GstBuffer ** buf)
{
  GstFrSrc *self = GST_FR_SRC (src);
  GstBuffer *out;

  if (self->curve == NULL)
    return GST_FLOW_NOT_NEGOTIATED;
  if (self->sent)
    return GST_FLOW_EOS;

  out = gst_buffer_new_allocate (NULL, self->curve_points * sizeof (gfloat), NULL);
  gst_buffer_fill (out, 0, self->curve, self->curve_points * sizeof (gfloat));
  GST_BUFFER_PTS (out) = 0;
  GST_BUFFER_DTS (out) = 0;
  GST_BUFFER_DURATION (out) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_OFFSET (out) = 0;
  GST_BUFFER_OFFSET_END (out) = 1;
  self->sent = TRUE;
  *buf = out;
  return GST_FLOW_OK;
}
