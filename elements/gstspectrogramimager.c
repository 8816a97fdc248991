/* earshot: feature vectors to images (FR graphs; spectrograms later)
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * SECTION:element-spectrogramimager
 * @title: spectrogramimager
 * @short_description: draws feature vectors as images (measurement graphs)
 *
 * Turns `application/x-earshot-features` into raw video so that images can
 * be classified by a 2D model (`cnnclassify`), encoded (`pngenc`) or shown
 * (`autovideosink`).
 *
 * In graph mode (#GstSpectrogramImager:mode = graph, the only mode so far)
 * the input must have `scale=log-frequency` (as #GstFrSrc produces): each
 * vector of `bands` float32 values is a curve in dB on log-spaced frequencies
 * from the caps' `fmin` to `fmax` (20 Hz and 20 kHz when the caps do not say).
 * Each vector becomes one frame drawn as the seed paper drew measurements
 * (matplotlib, 8×5 in at 100 dpi, default margins): white figure, axes box at
 * left 12.5 %, right 90 %, top 12 %, bottom 89 % with a black frame, log x
 * 20 Hz–20 kHz, y −30..+30 dB, an anti-aliased 2-px line (at 800×500, scaled
 * with the image, at least 1 px), no ticks or labels. Give a zero-mean curve
 * for the seed's look (frsrc does).
 *
 * Output caps are `video/x-raw, format={RGB, GRAY8}` (RGB preferred when
 * downstream accepts both; force GRAY8 with a capsfilter) at
 * #GstSpectrogramImager:width × #GstSpectrogramImager:height, pixel aspect
 * 1/1, with the input's framerate (0/1 for a single measurement). Frames keep
 * the timestamps of the input: with several vectors in one buffer, its
 * duration is split between them.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 frsrc location=iem.csv ! spectrogramimager ! pngenc ! filesink location=iem.png
 * gst-launch-1.0 frsrc location=iem.csv ! spectrogramimager width=800 height=500 grid=major line-colour=0xd62728 ! pngenc ! filesink location=iem-800.png
 * gst-launch-1.0 frsrc location=iem.csv ! spectrogramimager ! video/x-raw,format=GRAY8 ! pngenc ! filesink location=iem-grey.png
 * gst-launch-1.0 frsrc location=iem.csv ! spectrogramimager width=800 height=500 ! videoconvert ! imagefreeze ! autovideosink
 * ]|
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstspectrogramimager.h"
#include "es-caps.h"
#include "io/graph.h"
#include "io/frcurve.h"

GST_DEBUG_CATEGORY_STATIC (gst_spectrogram_imager_debug);
#define GST_CAT_DEFAULT gst_spectrogram_imager_debug

#define DEFAULT_MODE GST_SPECTROGRAM_IMAGER_MODE_GRAPH
#define DEFAULT_WIDTH 0               /* negotiated */
#define DEFAULT_HEIGHT 0
#define FALLBACK_SIZE 224               /* the seed's model size */
#define DEFAULT_LINE_WIDTH 2.0
#define DEFAULT_LINE_COLOUR 0x1f77b4    /* matplotlib's default blue */
#define DEFAULT_GRID GST_SPECTROGRAM_IMAGER_GRID_NONE
#define MIN_SIZE 16
#define MAX_SIZE 8192

enum
{
  PROP_0,
  PROP_MODE,
  PROP_WIDTH,
  PROP_HEIGHT,
  PROP_LINE_WIDTH,
  PROP_LINE_COLOUR,
  PROP_GRID,
};

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (ES_FEATURES_MEDIA_TYPE ", "
        "bands = (int) [ 2, MAX ], framerate = (fraction) [ 0/1, MAX ], "
        "scale = (string) " ES_SCALE_LOG_FREQUENCY));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("video/x-raw, format = (string) { RGB, GRAY8 }, "
        "width = (int) [ 16, 8192 ], height = (int) [ 16, 8192 ], "
        "framerate = (fraction) [ 0/1, MAX ], pixel-aspect-ratio = (fraction) 1/1"));

GType
gst_spectrogram_imager_mode_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_SPECTROGRAM_IMAGER_MODE_GRAPH,
        "Frequency-response graph, one frame per vector", "graph"},
    {0, NULL, NULL}
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (&type,
        g_enum_register_static ("GstSpectrogramImagerMode", values));
  return type;
}

GType
gst_spectrogram_imager_grid_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_SPECTROGRAM_IMAGER_GRID_NONE, "No grid", "none"},
    {GST_SPECTROGRAM_IMAGER_GRID_MAJOR, "Decades and every 10 dB", "major"},
    {GST_SPECTROGRAM_IMAGER_GRID_MINOR, "Also 2-9 x each decade and every 5 dB",
        "minor"},
    {0, NULL, NULL}
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (&type,
        g_enum_register_static ("GstSpectrogramImagerGrid", values));
  return type;
}

#define gst_spectrogram_imager_parent_class parent_class
G_DEFINE_TYPE (GstSpectrogramImager, gst_spectrogram_imager, GST_TYPE_ELEMENT);
GST_ELEMENT_REGISTER_DEFINE (spectrogramimager, "spectrogramimager", GST_RANK_NONE,
    GST_TYPE_SPECTROGRAM_IMAGER);

static void gst_spectrogram_imager_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_spectrogram_imager_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static gboolean gst_spectrogram_imager_sink_event (GstPad * pad, GstObject * parent,
    GstEvent * event);
static gboolean gst_spectrogram_imager_src_query (GstPad * pad, GstObject * parent,
    GstQuery * query);
static GstFlowReturn gst_spectrogram_imager_chain (GstPad * pad, GstObject * parent,
    GstBuffer * buffer);
static GstStateChangeReturn gst_spectrogram_imager_change_state (GstElement * element,
    GstStateChange transition);

static void
gst_spectrogram_imager_class_init (GstSpectrogramImagerClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  gobject_class->set_property = gst_spectrogram_imager_set_property;
  gobject_class->get_property = gst_spectrogram_imager_get_property;

  /**
   * GstSpectrogramImager:mode:
   *
   * What to draw: graph = one measurement graph per log-frequency vector.
   */
  g_object_class_install_property (gobject_class, PROP_MODE,
      g_param_spec_enum ("mode", "Mode", "What to draw from the feature vectors",
          GST_TYPE_SPECTROGRAM_IMAGER_MODE, DEFAULT_MODE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  /**
   * GstSpectrogramImager:width:
   *
   * Image width in pixels; 0 (the default) takes the width downstream
   * prefers — a #GstCnnClassify asks for its model's size — or 224 when any
   * width will do.
   */
  g_object_class_install_property (gobject_class, PROP_WIDTH,
      g_param_spec_int ("width", "Width",
          "Image width (pixels, 16-8192); 0 = what downstream prefers, else 224", 0,
          MAX_SIZE, DEFAULT_WIDTH,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  /**
   * GstSpectrogramImager:height:
   *
   * Image height in pixels; 0 (the default) as for #GstSpectrogramImager:width.
   */
  g_object_class_install_property (gobject_class, PROP_HEIGHT,
      g_param_spec_int ("height", "Height",
          "Image height (pixels, 16-8192); 0 = what downstream prefers, else 224", 0,
          MAX_SIZE, DEFAULT_HEIGHT,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  /**
   * GstSpectrogramImager:line-width:
   *
   * Width of the curve in pixels on an 800×500 image (the seed's figure);
   * scaled with the image size, never below 1 pixel.
   */
  g_object_class_install_property (gobject_class, PROP_LINE_WIDTH,
      g_param_spec_double ("line-width", "Line width",
          "Curve width at 800x500 (pixels), scaled with the image size", 0.1, 100.0,
          DEFAULT_LINE_WIDTH,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstSpectrogramImager:line-colour:
   *
   * Colour of the curve as 0xRRGGBB (GRAY8 output uses its luma).
   */
  g_object_class_install_property (gobject_class, PROP_LINE_COLOUR,
      g_param_spec_uint ("line-colour", "Line colour",
          "Curve colour as 0xRRGGBB (GRAY8 uses its luma)", 0, 0xffffff,
          DEFAULT_LINE_COLOUR,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstSpectrogramImager:grid:
   *
   * Light grey grid lines behind the curve.
   */
  g_object_class_install_property (gobject_class, PROP_GRID,
      g_param_spec_enum ("grid", "Grid", "Light grid lines behind the curve",
          GST_TYPE_SPECTROGRAM_IMAGER_GRID, DEFAULT_GRID,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "Feature imager", "Filter/Converter/Video",
      "Draws earshot feature vectors as images: frequency-response graphs in the "
      "style of measurement plots",
      "earshot developers <earshot@earshot.invalid>");
  element_class->change_state = GST_DEBUG_FUNCPTR (gst_spectrogram_imager_change_state);

  gst_type_mark_as_plugin_api (GST_TYPE_SPECTROGRAM_IMAGER_MODE, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_SPECTROGRAM_IMAGER_GRID, 0);
  GST_DEBUG_CATEGORY_INIT (gst_spectrogram_imager_debug, "spectrogramimager", 0,
      "feature vectors to images");
}

static void
gst_spectrogram_imager_init (GstSpectrogramImager * self)
{
  self->sinkpad = gst_pad_new_from_static_template (&sink_template, "sink");
  gst_pad_set_event_function (self->sinkpad,
      GST_DEBUG_FUNCPTR (gst_spectrogram_imager_sink_event));
  gst_pad_set_chain_function (self->sinkpad,
      GST_DEBUG_FUNCPTR (gst_spectrogram_imager_chain));
  GST_PAD_SET_ACCEPT_TEMPLATE (self->sinkpad);
  gst_element_add_pad (GST_ELEMENT (self), self->sinkpad);

  self->srcpad = gst_pad_new_from_static_template (&src_template, "src");
  gst_pad_set_query_function (self->srcpad,
      GST_DEBUG_FUNCPTR (gst_spectrogram_imager_src_query));
  gst_element_add_pad (GST_ELEMENT (self), self->srcpad);

  self->mode = DEFAULT_MODE;
  self->width = DEFAULT_WIDTH;
  self->height = DEFAULT_HEIGHT;
  self->line_width = DEFAULT_LINE_WIDTH;
  self->line_colour = DEFAULT_LINE_COLOUR;
  self->grid = DEFAULT_GRID;
}

static void
gst_spectrogram_imager_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstSpectrogramImager *self = GST_SPECTROGRAM_IMAGER (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODE:
      self->mode = g_value_get_enum (value);
      break;
    case PROP_WIDTH:
      self->width = g_value_get_int (value);
      break;
    case PROP_HEIGHT:
      self->height = g_value_get_int (value);
      break;
    case PROP_LINE_WIDTH:
      self->line_width = g_value_get_double (value);
      break;
    case PROP_LINE_COLOUR:
      self->line_colour = g_value_get_uint (value);
      break;
    case PROP_GRID:
      self->grid = g_value_get_enum (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_spectrogram_imager_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstSpectrogramImager *self = GST_SPECTROGRAM_IMAGER (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODE:
      g_value_set_enum (value, self->mode);
      break;
    case PROP_WIDTH:
      g_value_set_int (value, self->width);
      break;
    case PROP_HEIGHT:
      g_value_set_int (value, self->height);
      break;
    case PROP_LINE_WIDTH:
      g_value_set_double (value, self->line_width);
      break;
    case PROP_LINE_COLOUR:
      g_value_set_uint (value, self->line_colour);
      break;
    case PROP_GRID:
      g_value_set_enum (value, self->grid);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

/* Our video caps: the configured size, the input's framerate when known, both
 * formats in order of preference. */
static GstCaps *
gst_spectrogram_imager_video_caps (GstSpectrogramImager * self)
{
  GstCaps *caps = gst_pad_get_pad_template_caps (self->srcpad);
  gint width, height;

  caps = gst_caps_make_writable (caps);
  GST_OBJECT_LOCK (self);
  width = self->width;
  height = self->height;
  GST_OBJECT_UNLOCK (self);
  /* an unset size stays a range here, fixated in negotiate */
  if (width > 0)
    gst_caps_set_simple (caps, "width", G_TYPE_INT, width, NULL);
  if (height > 0)
    gst_caps_set_simple (caps, "height", G_TYPE_INT, height, NULL);
  if (self->have_input)
    gst_caps_set_simple (caps, "framerate", GST_TYPE_FRACTION, self->fps_n, self->fps_d,
        NULL);
  return caps;
}

static gboolean
gst_spectrogram_imager_negotiate (GstSpectrogramImager * self)
{
  GstCaps *ours, *peer, *caps;
  gboolean ok;
  gint width, height;

  GST_OBJECT_LOCK (self);
  width = self->width;
  height = self->height;
  GST_OBJECT_UNLOCK (self);
  if ((width > 0 && width < MIN_SIZE) || (height > 0 && height < MIN_SIZE)) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("Image size %dx%d is too small.", width, height),
        ("width and height must be 0 (negotiated) or %d-%d pixels", MIN_SIZE, MAX_SIZE));
    return FALSE;
  }
  ours = gst_spectrogram_imager_video_caps (self);
  peer = gst_pad_peer_query_caps (self->srcpad, ours);

  if (gst_caps_is_empty (peer)) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("Downstream accepts neither RGB nor GRAY8 video as %" GST_PTR_FORMAT ".",
            ours), (NULL));
    gst_caps_unref (ours);
    gst_caps_unref (peer);
    return FALSE;
  }
  /* Our order of preference (RGB first), restricted to what the peer takes. */
  caps = gst_caps_intersect_full (ours, peer, GST_CAPS_INTERSECT_FIRST);
  gst_caps_unref (ours);
  gst_caps_unref (peer);
  /* The first structure is the most preferred: a size downstream asks for
   * (cnnclassify puts its model's first) is taken as is; a free range falls
   * back to the seed's 224. */
  caps = gst_caps_truncate (caps);
  caps = gst_caps_make_writable (caps);
  gst_structure_fixate_field_nearest_int (gst_caps_get_structure (caps, 0), "width",
      FALLBACK_SIZE);
  gst_structure_fixate_field_nearest_int (gst_caps_get_structure (caps, 0), "height",
      FALLBACK_SIZE);
  caps = gst_caps_fixate (caps);
  ok = gst_video_info_from_caps (&self->out_info, caps);
  if (ok)
    ok = gst_pad_set_caps (self->srcpad, caps);
  GST_DEBUG_OBJECT (self, "output caps %" GST_PTR_FORMAT ": %s", caps, ok ? "ok" : "refused");
  gst_caps_unref (caps);
  self->have_output = ok;
  return ok;
}

static gboolean
gst_spectrogram_imager_set_input_caps (GstSpectrogramImager * self, GstCaps * caps)
{
  GstStructure *s = gst_caps_get_structure (caps, 0);
  gint bands, fps_n = 0, fps_d = 1;
  gdouble fmin = ES_FR_FMIN_DEFAULT, fmax = ES_FR_FMAX_DEFAULT;

  if (!gst_structure_get_int (s, "bands", &bands) || bands < 2) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("Input caps need bands >= 2: %" GST_PTR_FORMAT, caps), (NULL));
    return FALSE;
  }
  gst_structure_get_fraction (s, "framerate", &fps_n, &fps_d);
  gst_structure_get_double (s, "fmin", &fmin);
  gst_structure_get_double (s, "fmax", &fmax);
  if (!(fmin > 0 && fmax > fmin)) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("Input caps have an invalid frequency range %g-%g Hz.", fmin, fmax), (NULL));
    return FALSE;
  }
  self->bands = bands;
  self->fps_n = fps_n;
  self->fps_d = fps_d;
  self->fmin = fmin;
  self->fmax = fmax;
  self->have_input = TRUE;
  return gst_spectrogram_imager_negotiate (self);
}

static gboolean
gst_spectrogram_imager_sink_event (GstPad * pad, GstObject * parent, GstEvent * event)
{
  GstSpectrogramImager *self = GST_SPECTROGRAM_IMAGER (parent);

  if (GST_EVENT_TYPE (event) == GST_EVENT_CAPS) {
    GstCaps *caps;
    gboolean ok;
    gst_event_parse_caps (event, &caps);
    ok = gst_spectrogram_imager_set_input_caps (self, caps);
    gst_event_unref (event);    /* the video caps replace it downstream */
    return ok;
  }
  return gst_pad_event_default (pad, parent, event);
}

static gboolean
gst_spectrogram_imager_src_query (GstPad * pad, GstObject * parent, GstQuery * query)
{
  GstSpectrogramImager *self = GST_SPECTROGRAM_IMAGER (parent);

  if (GST_QUERY_TYPE (query) == GST_QUERY_CAPS) {
    GstCaps *filter, *caps = gst_spectrogram_imager_video_caps (self);
    gst_query_parse_caps (query, &filter);
    if (filter) {
      GstCaps *both = gst_caps_intersect_full (filter, caps, GST_CAPS_INTERSECT_FIRST);
      gst_caps_unref (caps);
      caps = both;
    }
    gst_query_set_caps_result (query, caps);
    gst_caps_unref (caps);
    return TRUE;
  }
  return gst_pad_query_default (pad, parent, query);
}

static void
gst_spectrogram_imager_get_style (GstSpectrogramImager * self, EsGraphStyle * style)
{
  es_graph_style_init (style);
  GST_OBJECT_LOCK (self);
  style->line_width = self->line_width;
  style->line_colour[0] = (self->line_colour >> 16) & 0xff;
  style->line_colour[1] = (self->line_colour >> 8) & 0xff;
  style->line_colour[2] = self->line_colour & 0xff;
  style->grid = self->grid == GST_SPECTROGRAM_IMAGER_GRID_MINOR ? ES_GRAPH_GRID_MINOR
      : self->grid == GST_SPECTROGRAM_IMAGER_GRID_MAJOR ? ES_GRAPH_GRID_MAJOR
      : ES_GRAPH_GRID_NONE;
  GST_OBJECT_UNLOCK (self);
}

/* Graph mode: one frame per vector. */
static GstFlowReturn
gst_spectrogram_imager_render_graphs (GstSpectrogramImager * self, GstBuffer * in,
    const gfloat * vectors, gsize n_vectors)
{
  EsGraphStyle style;
  GstFlowReturn ret = GST_FLOW_OK;

  gst_spectrogram_imager_get_style (self, &style);
  for (gsize v = 0; v < n_vectors && ret == GST_FLOW_OK; v++) {
    GstBuffer *out = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&self->out_info),
        NULL);
    GstVideoFrame frame;
    EsImage image;
    GError *err = NULL;
    gboolean drawn;

    if (!gst_video_frame_map (&frame, &self->out_info, out, GST_MAP_WRITE)) {
      gst_buffer_unref (out);
      GST_ELEMENT_ERROR (self, RESOURCE, FAILED, ("Could not map an output frame."), (NULL));
      return GST_FLOW_ERROR;
    }
    /* Draw straight into the frame, with its own stride. */
    image.width = GST_VIDEO_FRAME_WIDTH (&frame);
    image.height = GST_VIDEO_FRAME_HEIGHT (&frame);
    image.channels = GST_VIDEO_FRAME_FORMAT (&frame) == GST_VIDEO_FORMAT_GRAY8 ? 1 : 3;
    image.stride = GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0);
    image.pixels = GST_VIDEO_FRAME_PLANE_DATA (&frame, 0);
    drawn = es_graph_draw_log_grid (&image, vectors + v * self->bands, self->bands,
        self->fmin, self->fmax, &style, &err);
    gst_video_frame_unmap (&frame);
    if (!drawn) {
      GST_ELEMENT_ERROR (self, STREAM, FORMAT, ("Cannot draw vector %" G_GSIZE_FORMAT
              ": %s", v, err->message), (NULL));
      g_error_free (err);
      gst_buffer_unref (out);
      return GST_FLOW_ERROR;
    }

    if (GST_BUFFER_PTS_IS_VALID (in)) {
      GstClockTime duration = GST_BUFFER_DURATION (in);
      if (GST_CLOCK_TIME_IS_VALID (duration)) {
        GST_BUFFER_PTS (out) = GST_BUFFER_PTS (in)
            + gst_util_uint64_scale (duration, v, n_vectors);
        GST_BUFFER_DURATION (out) = gst_util_uint64_scale (duration, v + 1, n_vectors)
            - gst_util_uint64_scale (duration, v, n_vectors);
      } else {
        GST_BUFFER_PTS (out) = GST_BUFFER_PTS (in);
      }
    }
    if (v == 0 && GST_BUFFER_IS_DISCONT (in))
      GST_BUFFER_FLAG_SET (out, GST_BUFFER_FLAG_DISCONT);
    ret = gst_pad_push (self->srcpad, out);
  }
  return ret;
}

static GstFlowReturn
gst_spectrogram_imager_chain (GstPad * pad, GstObject * parent, GstBuffer * buffer)
{
  GstSpectrogramImager *self = GST_SPECTROGRAM_IMAGER (parent);
  GstMapInfo map;
  GstFlowReturn ret;
  gsize vector_bytes;

  if (!self->have_input) {
    gst_buffer_unref (buffer);
    return GST_FLOW_NOT_NEGOTIATED;
  }
  if ((!self->have_output || gst_pad_check_reconfigure (self->srcpad))
      && !gst_spectrogram_imager_negotiate (self)) {
    gst_buffer_unref (buffer);
    return GST_PAD_IS_FLUSHING (self->srcpad) ? GST_FLOW_FLUSHING : GST_FLOW_NOT_NEGOTIATED;
  }

  vector_bytes = (gsize) self->bands * sizeof (gfloat);
  if (!gst_buffer_map (buffer, &map, GST_MAP_READ)) {
    gst_buffer_unref (buffer);
    GST_ELEMENT_ERROR (self, RESOURCE, READ, ("Could not map an input buffer."), (NULL));
    return GST_FLOW_ERROR;
  }
  if (map.size % vector_bytes != 0) {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT,
        ("Input buffer of %" G_GSIZE_FORMAT " bytes is not a whole number of "
            "%d-band float32 vectors.", map.size, self->bands), (NULL));
    gst_buffer_unmap (buffer, &map);
    gst_buffer_unref (buffer);
    return GST_FLOW_ERROR;
  }
  ret = gst_spectrogram_imager_render_graphs (self, buffer, (const gfloat *) map.data,
      map.size / vector_bytes);
  gst_buffer_unmap (buffer, &map);
  gst_buffer_unref (buffer);
  return ret;
}

static GstStateChangeReturn
gst_spectrogram_imager_change_state (GstElement * element, GstStateChange transition)
{
  GstSpectrogramImager *self = GST_SPECTROGRAM_IMAGER (element);
  GstStateChangeReturn ret = GST_ELEMENT_CLASS (parent_class)->change_state (element,
      transition);

  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY) {
    self->have_input = FALSE;
    self->have_output = FALSE;
  }
  return ret;
}
