/* earshot: feature vectors to images (FR graphs, spectrograms)
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * SECTION:element-spectrogramimager
 * @title: spectrogramimager
 * @short_description: draws feature streams as images (spectrograms, measurement graphs)
 *
 * Turns `application/x-earshot-features` into raw video so that images can
 * be classified by a 2D model (`cnnclassify`), encoded (`pngenc`) or shown
 * (`autovideosink`). #GstSpectrogramImager:mode says what is drawn; the
 * default, auto, takes it from the input caps: `scale=gammatone` (from
 * #GstGammatoneFb) gives spectrograms, `scale=log-frequency` (from #GstFrSrc)
 * measurement graphs.
 *
 * ## Spectrogram mode
 *
 * The input must be gammatone band energies (`scale=gammatone`, a `framerate`
 * above 0): every vector is one frame of `bands` natural-log band energies
 * ln E. Windows of #GstSpectrogramImager:window-frames consecutive frames,
 * started every #GstSpectrogramImager:hop-frames frames, become one image
 * each: time runs left to right (column 0 = the window's first frame), low
 * frequencies are at the bottom (the last row is band 0, the lowest centre
 * frequency of #GstGammatoneFb). Cepstra (`scale=cepstrum`, gammatonefb
 * `dct` > 0) have no frequency rows and are refused with an error.
 *
 * Levels: ln E is converted to 10·log10 E dB (E is a power, so
 * dB = 4.343·ln E) and mapped linearly from #GstSpectrogramImager:db-min
 * (black, level 0) to #GstSpectrogramImager:db-max (white, level 1), clamped.
 * The range is fixed, so images of different files compare; with the default
 * front-end a full-scale 1 kHz sine reads about +34 dB and digital silence
 * (the log floor) −100 dB. #GstSpectrogramImager:normalise moves the range
 * with each window instead (peak: the loudest value at the top; range: from
 * the quietest to the loudest). NaN frames draw at level 0. GRAY8 pixels are
 * round(255·level); RGB pixels the level's entry in a perceptual colour map
 * (#GstSpectrogramImager:colour-map, viridis or magma). The pixels are a pure
 * function of the features and the settings, so a 2D model trained on them
 * sees the same input in a pipeline.
 *
 * Size: one pixel per frame and band (window-frames × bands) unless
 * #GstSpectrogramImager:width / #GstSpectrogramImager:height or downstream ask
 * for another (a #GstCnnClassify asks for its model's); other sizes are
 * resampled by area averaging.
 *
 * Timestamps: an image's PTS is its first frame's (T0 + k/F for frame k after
 * the anchor T0, computed from frame counts, so it equals the PTS
 * #GstHammingFrame gave that frame) and its duration the window's span,
 * window-frames/F. The output framerate is F/hop-frames. The element adds the
 * window span to the latency it reports, as the last frame of a window comes
 * that much after its first.
 *
 * A window is drawn when its last frame arrives. At EOS, on a DISCONT buffer
 * or a timestamp jump of more than half a frame, on a new stream or new caps,
 * frames that are in no image yet are drawn in one last, padded window: the
 * missing frames on the right are drawn at level 0 (as silence) and the
 * duration covers only the real frames. After that (and on FLUSH_STOP, which
 * drops them) the windowing restarts at the next frame.
 *
 * ## Graph mode
 *
 * The input must have `scale=log-frequency` (as #GstFrSrc produces): each
 * vector of `bands` float32 values is a curve in dB on log-spaced frequencies
 * from the caps' `fmin` to `fmax` (20 Hz and 20 kHz when the caps do not say).
 * Each vector becomes one frame drawn as the seed paper drew measurements
 * (matplotlib, 8×5 in at 100 dpi, default margins): white figure, axes box at
 * left 12.5 %, right 90 %, top 12 %, bottom 89 % with a black frame, log x
 * 20 Hz–20 kHz, y −30..+30 dB, an anti-aliased 2-px line (at 800×500, scaled
 * with the image, at least 1 px), no ticks or labels. Give a zero-mean curve
 * for the seed's look (frsrc does). Images are 16–8192 pixels wide and high,
 * 224×224 when neither the properties nor downstream say. Frames keep the
 * timestamps of the input: with several vectors in one buffer, its duration
 * is split between them; the framerate is the input's (0/1 for a single
 * measurement).
 *
 * Output caps are `video/x-raw, format={RGB, GRAY8}` (RGB preferred when
 * downstream accepts both; force GRAY8 with a capsfilter), pixel aspect 1/1.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 filesrc location=clip.wav ! decodebin ! audioconvert ! audioresample ! audio/x-raw,format=F32LE,channels=1,rate=16000 ! preemphasis ! hammingframe ! gammatonefb ! spectrogramimager window-frames=500 hop-frames=500 ! pngenc ! multifilesink location=clip-%05d.png
 * gst-launch-1.0 autoaudiosrc ! audioconvert ! audioresample ! audio/x-raw,format=F32LE,channels=1,rate=16000 ! preemphasis ! hammingframe ! gammatonefb ! spectrogramimager window-frames=300 hop-frames=5 width=600 height=256 ! videoconvert ! autovideosink
 * gst-launch-1.0 frsrc location=iem.csv ! spectrogramimager ! pngenc ! filesink location=iem.png
 * gst-launch-1.0 frsrc location=iem.csv ! spectrogramimager width=800 height=500 grid=major line-colour=0xd62728 ! pngenc ! filesink location=iem-800.png
 * gst-launch-1.0 frsrc location=iem.csv ! spectrogramimager ! video/x-raw,format=GRAY8 ! pngenc ! filesink location=iem-grey.png
 * ]|
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <string.h>

#include "gstspectrogramimager.h"
#include "media-types.h"
#include "dsp/frame-time.h"
#include "io/graph.h"
#include "io/frcurve.h"
#include "io/spectrogram-image.h"

GST_DEBUG_CATEGORY_STATIC (gst_spectrogram_imager_debug);
#define GST_CAT_DEFAULT gst_spectrogram_imager_debug

#define DEFAULT_MODE GST_SPECTROGRAM_IMAGER_MODE_AUTO
#define DEFAULT_WIDTH 0               /* negotiated */
#define DEFAULT_HEIGHT 0
#define FALLBACK_SIZE 224               /* the seed's model size (graph mode) */
#define DEFAULT_LINE_WIDTH 2.0
#define DEFAULT_LINE_COLOUR 0x1f77b4    /* matplotlib's default blue */
#define DEFAULT_GRID GST_SPECTROGRAM_IMAGER_GRID_NONE
#define DEFAULT_WINDOW_FRAMES 100       /* 1 s of 10-ms frames */
#define DEFAULT_HOP_FRAMES 50
#define DEFAULT_DB_MIN ES_SPECTROGRAM_DB_MIN_DEFAULT
#define DEFAULT_DB_MAX ES_SPECTROGRAM_DB_MAX_DEFAULT
#define DEFAULT_NORMALISE GST_SPECTROGRAM_IMAGER_NORMALISE_NONE
#define DEFAULT_COLOUR_MAP GST_SPECTROGRAM_IMAGER_COLOUR_MAP_VIRIDIS
#define MIN_GRAPH_SIZE 16
#define MAX_SIZE 8192
#define MAX_WINDOW_FRAMES 16384
/* A window's floats, window-frames × bands (64 MiB). */
#define MAX_WINDOW_VALUES (16 * 1024 * 1024)

enum
{
  PROP_0,
  PROP_MODE,
  PROP_WIDTH,
  PROP_HEIGHT,
  PROP_LINE_WIDTH,
  PROP_LINE_COLOUR,
  PROP_GRID,
  PROP_WINDOW_FRAMES,
  PROP_HOP_FRAMES,
  PROP_DB_MIN,
  PROP_DB_MAX,
  PROP_NORMALISE,
  PROP_COLOUR_MAP,
};

/* Every scale is accepted here so that a stream the mode cannot draw (e.g.
 * cepstra) reaches the caps event and fails with a message that says why,
 * rather than as a bare not-negotiated. */
static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (ES_FEATURES_MEDIA_TYPE ", "
        "bands = (int) [ 1, MAX ], framerate = (fraction) [ 0/1, MAX ], "
        "scale = (string) { " ES_SCALE_GAMMATONE ", " ES_SCALE_LOG_FREQUENCY ", "
        ES_SCALE_CEPSTRUM " }"));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("video/x-raw, format = (string) { RGB, GRAY8 }, "
        "width = (int) [ 1, 8192 ], height = (int) [ 1, 8192 ], "
        "framerate = (fraction) [ 0/1, MAX ], pixel-aspect-ratio = (fraction) 1/1"));

GType
gst_spectrogram_imager_mode_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_SPECTROGRAM_IMAGER_MODE_GRAPH,
        "Frequency-response graph, one frame per vector", "graph"},
    {GST_SPECTROGRAM_IMAGER_MODE_SPECTROGRAM,
        "Spectrogram of band-energy windows (bands x frames)", "spectrogram"},
    {GST_SPECTROGRAM_IMAGER_MODE_AUTO,
        "From the input caps: spectrogram for gammatone, graph for log-frequency",
        "auto"},
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

GType
gst_spectrogram_imager_normalise_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_SPECTROGRAM_IMAGER_NORMALISE_NONE,
        "Fixed range db-min..db-max (images compare across files)", "none"},
    {GST_SPECTROGRAM_IMAGER_NORMALISE_PEAK,
        "Each window's loudest value at the top, span db-max - db-min", "peak"},
    {GST_SPECTROGRAM_IMAGER_NORMALISE_RANGE,
        "Each window from its quietest to its loudest value", "range"},
    {0, NULL, NULL}
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (&type,
        g_enum_register_static ("GstSpectrogramImagerNormalise", values));
  return type;
}

GType
gst_spectrogram_imager_colour_map_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_SPECTROGRAM_IMAGER_COLOUR_MAP_VIRIDIS,
        "viridis: dark violet to yellow (Matplotlib's default)", "viridis"},
    {GST_SPECTROGRAM_IMAGER_COLOUR_MAP_MAGMA,
        "magma: black to pale yellow", "magma"},
    {0, NULL, NULL}
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (&type,
        g_enum_register_static ("GstSpectrogramImagerColourMap", values));
  return type;
}

#define gst_spectrogram_imager_parent_class parent_class
G_DEFINE_TYPE (GstSpectrogramImager, gst_spectrogram_imager, GST_TYPE_ELEMENT);
GST_ELEMENT_REGISTER_DEFINE (spectrogramimager, "spectrogramimager", GST_RANK_NONE,
    GST_TYPE_SPECTROGRAM_IMAGER);

static void gst_spectrogram_imager_finalize (GObject * object);
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
  gobject_class->finalize = gst_spectrogram_imager_finalize;

  /**
   * GstSpectrogramImager:mode:
   *
   * What to draw: spectrogram = windows of gammatone band energies; graph =
   * one measurement graph per log-frequency vector; auto = from the input
   * caps' `scale`.
   */
  g_object_class_install_property (gobject_class, PROP_MODE,
      g_param_spec_enum ("mode", "Mode", "What to draw from the feature vectors",
          GST_TYPE_SPECTROGRAM_IMAGER_MODE, DEFAULT_MODE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  /**
   * GstSpectrogramImager:width:
   *
   * Image width in pixels; 0 (the default) takes the width downstream
   * prefers — a #GstCnnClassify asks for its model's — or else one pixel per
   * frame (spectrogram mode) or 224 (graph mode).
   */
  g_object_class_install_property (gobject_class, PROP_WIDTH,
      g_param_spec_int ("width", "Width",
          "Image width (pixels, 1-8192; graphs 16-8192); 0 = what downstream "
          "prefers, else window-frames (spectrogram) or 224 (graph)", 0,
          MAX_SIZE, DEFAULT_WIDTH,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  /**
   * GstSpectrogramImager:height:
   *
   * Image height in pixels; 0 (the default) takes the height downstream
   * prefers, or else one pixel per band (spectrogram mode) or 224 (graph
   * mode).
   */
  g_object_class_install_property (gobject_class, PROP_HEIGHT,
      g_param_spec_int ("height", "Height",
          "Image height (pixels, 1-8192; graphs 16-8192); 0 = what downstream "
          "prefers, else bands (spectrogram) or 224 (graph)", 0,
          MAX_SIZE, DEFAULT_HEIGHT,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  /**
   * GstSpectrogramImager:line-width:
   *
   * Graph mode: width of the curve in pixels on an 800×500 image (the seed's
   * figure); scaled with the image size, never below 1 pixel.
   */
  g_object_class_install_property (gobject_class, PROP_LINE_WIDTH,
      g_param_spec_double ("line-width", "Line width",
          "Graph mode: curve width at 800x500 (pixels), scaled with the image size",
          0.1, 100.0, DEFAULT_LINE_WIDTH,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstSpectrogramImager:line-colour:
   *
   * Graph mode: colour of the curve as 0xRRGGBB (GRAY8 output uses its luma).
   */
  g_object_class_install_property (gobject_class, PROP_LINE_COLOUR,
      g_param_spec_uint ("line-colour", "Line colour",
          "Graph mode: curve colour as 0xRRGGBB (GRAY8 uses its luma)", 0, 0xffffff,
          DEFAULT_LINE_COLOUR,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstSpectrogramImager:grid:
   *
   * Graph mode: light grey grid lines behind the curve.
   */
  g_object_class_install_property (gobject_class, PROP_GRID,
      g_param_spec_enum ("grid", "Grid", "Graph mode: light grid lines behind the curve",
          GST_TYPE_SPECTROGRAM_IMAGER_GRID, DEFAULT_GRID,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstSpectrogramImager:window-frames:
   *
   * Spectrogram mode: frames (feature vectors) per image; at 100 frames/s
   * (the default front-end) 100 frames are 1 s.
   */
  g_object_class_install_property (gobject_class, PROP_WINDOW_FRAMES,
      g_param_spec_uint ("window-frames", "Window frames",
          "Spectrogram mode: frames per image (its time span)", 1,
          MAX_WINDOW_FRAMES, DEFAULT_WINDOW_FRAMES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  /**
   * GstSpectrogramImager:hop-frames:
   *
   * Spectrogram mode: frames from the start of one image to the start of the
   * next; below window-frames images overlap, above it frames between them are
   * skipped. The output framerate is the input's divided by this.
   */
  g_object_class_install_property (gobject_class, PROP_HOP_FRAMES,
      g_param_spec_uint ("hop-frames", "Hop frames",
          "Spectrogram mode: frames between the starts of consecutive images", 1,
          MAX_WINDOW_FRAMES, DEFAULT_HOP_FRAMES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  /**
   * GstSpectrogramImager:db-min:
   *
   * Spectrogram mode: band level drawn black / at the colour map's start, in
   * dB (10·log10 of the band energy; the features' ln E × 4.343). Lower levels
   * are clamped to it.
   */
  g_object_class_install_property (gobject_class, PROP_DB_MIN,
      g_param_spec_double ("db-min", "dB min",
          "Spectrogram mode: level drawn at the bottom of the range (dB, "
          "10 log10 of band energy)", -400.0, 400.0, DEFAULT_DB_MIN,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING |
          GST_PARAM_CONTROLLABLE));
  /**
   * GstSpectrogramImager:db-max:
   *
   * Spectrogram mode: band level drawn white / at the colour map's end, in
   * dB. Must be above #GstSpectrogramImager:db-min.
   */
  g_object_class_install_property (gobject_class, PROP_DB_MAX,
      g_param_spec_double ("db-max", "dB max",
          "Spectrogram mode: level drawn at the top of the range (dB, "
          "10 log10 of band energy)", -400.0, 400.0, DEFAULT_DB_MAX,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING |
          GST_PARAM_CONTROLLABLE));
  /**
   * GstSpectrogramImager:normalise:
   *
   * Spectrogram mode: none keeps the fixed db-min..db-max range; peak puts
   * each window's loudest value at the top; range stretches each window from
   * its quietest to its loudest value. A window without contrast (digital
   * silence) is drawn at the bottom whatever the choice.
   */
  g_object_class_install_property (gobject_class, PROP_NORMALISE,
      g_param_spec_enum ("normalise", "Normalise",
          "Spectrogram mode: per-window normalisation of the level range",
          GST_TYPE_SPECTROGRAM_IMAGER_NORMALISE, DEFAULT_NORMALISE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstSpectrogramImager:colour-map:
   *
   * Spectrogram mode: perceptual colour map of RGB output (GRAY8 output is the
   * level itself).
   */
  g_object_class_install_property (gobject_class, PROP_COLOUR_MAP,
      g_param_spec_enum ("colour-map", "Colour map",
          "Spectrogram mode: colour map of RGB output",
          GST_TYPE_SPECTROGRAM_IMAGER_COLOUR_MAP, DEFAULT_COLOUR_MAP,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "Feature imager", "Filter/Converter/Video",
      "Draws earshot feature streams as images: spectrograms of gammatone band "
      "energies, frequency-response graphs in the style of measurement plots",
      "earshot developers <earshot@earshot.invalid>");
  element_class->change_state = GST_DEBUG_FUNCPTR (gst_spectrogram_imager_change_state);

  gst_type_mark_as_plugin_api (GST_TYPE_SPECTROGRAM_IMAGER_MODE, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_SPECTROGRAM_IMAGER_GRID, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_SPECTROGRAM_IMAGER_NORMALISE, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_SPECTROGRAM_IMAGER_COLOUR_MAP, 0);
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
  self->window_frames = DEFAULT_WINDOW_FRAMES;
  self->hop_frames = DEFAULT_HOP_FRAMES;
  self->db_min = DEFAULT_DB_MIN;
  self->db_max = DEFAULT_DB_MAX;
  self->normalise = DEFAULT_NORMALISE;
  self->colour_map = DEFAULT_COLOUR_MAP;
  self->t0 = GST_CLOCK_TIME_NONE;
}

static void
gst_spectrogram_imager_finalize (GObject * object)
{
  GstSpectrogramImager *self = GST_SPECTROGRAM_IMAGER (object);

  g_free (self->frames);
  G_OBJECT_CLASS (parent_class)->finalize (object);
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
    case PROP_WINDOW_FRAMES:
      self->window_frames = g_value_get_uint (value);
      break;
    case PROP_HOP_FRAMES:
      self->hop_frames = g_value_get_uint (value);
      break;
    case PROP_DB_MIN:
      self->db_min = g_value_get_double (value);
      break;
    case PROP_DB_MAX:
      self->db_max = g_value_get_double (value);
      break;
    case PROP_NORMALISE:
      self->normalise = g_value_get_enum (value);
      break;
    case PROP_COLOUR_MAP:
      self->colour_map = g_value_get_enum (value);
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
    case PROP_WINDOW_FRAMES:
      g_value_set_uint (value, self->window_frames);
      break;
    case PROP_HOP_FRAMES:
      g_value_set_uint (value, self->hop_frames);
      break;
    case PROP_DB_MIN:
      g_value_set_double (value, self->db_min);
      break;
    case PROP_DB_MAX:
      g_value_set_double (value, self->db_max);
      break;
    case PROP_NORMALISE:
      g_value_set_enum (value, self->normalise);
      break;
    case PROP_COLOUR_MAP:
      g_value_set_enum (value, self->colour_map);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

/* Output framerate: one image per vector (graph) or per hop (spectrogram). */
static void
gst_spectrogram_imager_out_framerate (GstSpectrogramImager * self, gint * n, gint * d)
{
  *n = self->fps_n;
  *d = self->fps_d;
  if (self->active_mode == GST_SPECTROGRAM_IMAGER_MODE_SPECTROGRAM
      && !gst_util_fraction_multiply (self->fps_n, self->fps_d, 1, (gint) self->hop, n, d)) {
    *n = self->fps_n;           /* cannot overflow for hop >= 1, kept for safety */
    *d = self->fps_d;
  }
}

/* Our video caps: the configured size (graphs at least 16 pixels), the
 * output framerate when the input is known, both formats in order of
 * preference. */
static GstCaps *
gst_spectrogram_imager_video_caps (GstSpectrogramImager * self)
{
  GstCaps *caps = gst_pad_get_pad_template_caps (self->srcpad);
  GstSpectrogramImagerMode mode;
  gint width, height;

  caps = gst_caps_make_writable (caps);
  GST_OBJECT_LOCK (self);
  width = self->width;
  height = self->height;
  mode = self->mode;
  GST_OBJECT_UNLOCK (self);
  if (self->have_input)
    mode = self->active_mode;
  if (mode == GST_SPECTROGRAM_IMAGER_MODE_GRAPH)
    gst_caps_set_simple (caps, "width", GST_TYPE_INT_RANGE, MIN_GRAPH_SIZE, MAX_SIZE,
        "height", GST_TYPE_INT_RANGE, MIN_GRAPH_SIZE, MAX_SIZE, NULL);
  /* an unset size stays a range here, fixated in negotiate */
  if (width > 0)
    gst_caps_set_simple (caps, "width", G_TYPE_INT, width, NULL);
  if (height > 0)
    gst_caps_set_simple (caps, "height", G_TYPE_INT, height, NULL);
  if (self->have_input) {
    gint n, d;
    gst_spectrogram_imager_out_framerate (self, &n, &d);
    gst_caps_set_simple (caps, "framerate", GST_TYPE_FRACTION, n, d, NULL);
  }
  return caps;
}

static gboolean
gst_spectrogram_imager_negotiate (GstSpectrogramImager * self)
{
  GstCaps *ours, *peer, *caps;
  gboolean ok, graph = self->active_mode == GST_SPECTROGRAM_IMAGER_MODE_GRAPH;
  gint width, height;

  GST_OBJECT_LOCK (self);
  width = self->width;
  height = self->height;
  GST_OBJECT_UNLOCK (self);
  if (graph && ((width > 0 && width < MIN_GRAPH_SIZE)
          || (height > 0 && height < MIN_GRAPH_SIZE))) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("Image size %dx%d is too small.", width, height),
        ("width and height must be 0 (negotiated) or %d-%d pixels", MIN_GRAPH_SIZE,
            MAX_SIZE));
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
   * back to the seed's 224 for graphs and to one pixel per frame and band for
   * spectrograms. */
  caps = gst_caps_truncate (caps);
  caps = gst_caps_make_writable (caps);
  gst_structure_fixate_field_nearest_int (gst_caps_get_structure (caps, 0), "width",
      graph ? FALLBACK_SIZE : (gint) MIN (self->window, MAX_SIZE));
  gst_structure_fixate_field_nearest_int (gst_caps_get_structure (caps, 0), "height",
      graph ? FALLBACK_SIZE : MIN (self->bands, MAX_SIZE));
  caps = gst_caps_fixate (caps);
  ok = gst_video_info_from_caps (&self->out_info, caps);
  if (ok)
    ok = gst_pad_set_caps (self->srcpad, caps);
  GST_DEBUG_OBJECT (self, "output caps %" GST_PTR_FORMAT ": %s", caps, ok ? "ok" : "refused");
  gst_caps_unref (caps);
  self->have_output = ok;
  return ok;
}

/* ---- spectrogram windows ------------------------------------------------- */

/* Forget the frames and the timestamp anchor: the next frame starts a new
 * window and its PTS becomes T0. */
static void
gst_spectrogram_imager_window_reset (GstSpectrogramImager * self)
{
  self->n_buffered = 0;
  self->n_undrawn = 0;
  self->skip = 0;
  self->next_index = 0;
  self->start_index = 0;
  self->t0 = GST_CLOCK_TIME_NONE;
  self->anchored = FALSE;
  self->discont = TRUE;
}

/* Time of frame `index` after the anchor, from frame counts: T0 + index / F. */
static GstClockTime
gst_spectrogram_imager_frame_time (GstSpectrogramImager * self, guint64 index)
{
  return es_frame_time (self->t0, index, (guint64) self->fps_d * GST_SECOND,
      (guint64) self->fps_n);
}

/* Draw frames[0 .. n_real) (then level 0 up to the window) as one image. */
static GstFlowReturn
gst_spectrogram_imager_push_window (GstSpectrogramImager * self, guint n_real)
{
  GstClockTime pts = gst_spectrogram_imager_frame_time (self, self->start_index);
  GstClockTime end = gst_spectrogram_imager_frame_time (self, self->start_index + n_real);
  EsSpectrogramStyle style;
  GstVideoFrame frame;
  GstBuffer *out;
  EsImage image;
  GError *err = NULL;
  gboolean drawn;

  if ((!self->have_output || gst_pad_check_reconfigure (self->srcpad))
      && !gst_spectrogram_imager_negotiate (self))
    return GST_PAD_IS_FLUSHING (self->srcpad) ? GST_FLOW_FLUSHING : GST_FLOW_NOT_NEGOTIATED;

  if (GST_CLOCK_TIME_IS_VALID (pts))
    gst_object_sync_values (GST_OBJECT (self), pts);
  es_spectrogram_style_init (&style);
  GST_OBJECT_LOCK (self);
  style.db_min = self->db_min;
  style.db_max = self->db_max;
  style.normalise = self->normalise == GST_SPECTROGRAM_IMAGER_NORMALISE_PEAK ?
      ES_SPECTROGRAM_NORMALISE_PEAK : self->normalise == GST_SPECTROGRAM_IMAGER_NORMALISE_RANGE ?
      ES_SPECTROGRAM_NORMALISE_RANGE : ES_SPECTROGRAM_NORMALISE_NONE;
  style.colour_map = self->colour_map == GST_SPECTROGRAM_IMAGER_COLOUR_MAP_MAGMA ?
      ES_COLOUR_MAP_MAGMA : ES_COLOUR_MAP_VIRIDIS;
  GST_OBJECT_UNLOCK (self);
  if (!(style.db_min < style.db_max)) {
    GST_ELEMENT_ERROR (self, LIBRARY, SETTINGS,
        ("db-min (%g dB) must be below db-max (%g dB).", style.db_min, style.db_max),
        (NULL));
    return GST_FLOW_ERROR;
  }

  /* Padding: -inf draws at level 0 and does not count for normalisation. */
  for (gsize i = (gsize) n_real * self->bands; i < (gsize) self->window * self->bands; i++)
    self->frames[i] = -INFINITY;

  out = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&self->out_info), NULL);
  if (!gst_video_frame_map (&frame, &self->out_info, out, GST_MAP_WRITE)) {
    gst_buffer_unref (out);
    GST_ELEMENT_ERROR (self, RESOURCE, FAILED, ("Could not map an output frame."), (NULL));
    return GST_FLOW_ERROR;
  }
  image.width = GST_VIDEO_FRAME_WIDTH (&frame);
  image.height = GST_VIDEO_FRAME_HEIGHT (&frame);
  image.channels = GST_VIDEO_FRAME_FORMAT (&frame) == GST_VIDEO_FORMAT_GRAY8 ? 1 : 3;
  image.stride = GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0);
  image.pixels = GST_VIDEO_FRAME_PLANE_DATA (&frame, 0);
  drawn = es_spectrogram_draw (&image, self->frames, self->window, self->bands, &style,
      &err);
  gst_video_frame_unmap (&frame);
  if (!drawn) {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Cannot draw a spectrogram: %s",
            err->message), (NULL));
    g_error_free (err);
    gst_buffer_unref (out);
    return GST_FLOW_ERROR;
  }

  GST_BUFFER_PTS (out) = pts;
  if (GST_CLOCK_TIME_IS_VALID (pts) && GST_CLOCK_TIME_IS_VALID (end))
    GST_BUFFER_DURATION (out) = end - pts;
  if (self->discont) {
    GST_BUFFER_FLAG_SET (out, GST_BUFFER_FLAG_DISCONT);
    self->discont = FALSE;
  }
  GST_LOG_OBJECT (self, "image of frames %" G_GUINT64_FORMAT "+%u%s at %" GST_TIME_FORMAT,
      self->start_index, n_real, n_real < self->window ? " (padded)" : "",
      GST_TIME_ARGS (pts));
  return gst_pad_push (self->srcpad, out);
}

/* Frames in no image yet go out in one padded window; then start afresh. */
static GstFlowReturn
gst_spectrogram_imager_drain (GstSpectrogramImager * self)
{
  GstFlowReturn ret = GST_FLOW_OK;

  if (self->have_input && self->active_mode == GST_SPECTROGRAM_IMAGER_MODE_SPECTROGRAM
      && self->n_undrawn > 0 && self->n_buffered > 0)
    ret = gst_spectrogram_imager_push_window (self, self->n_buffered);
  gst_spectrogram_imager_window_reset (self);
  return ret;
}

/* Restart on DISCONT or a timestamp jump (as hammingframe does), anchor T0. */
static GstFlowReturn
gst_spectrogram_imager_track_timestamps (GstSpectrogramImager * self, GstBuffer * in)
{
  GstClockTime pts = GST_BUFFER_PTS (in);
  GstFlowReturn ret = GST_FLOW_OK;

  if (self->anchored && GST_BUFFER_IS_DISCONT (in)) {
    GST_DEBUG_OBJECT (self, "discont: restarting the windows");
    ret = gst_spectrogram_imager_drain (self);
  } else if (self->anchored && GST_CLOCK_TIME_IS_VALID (pts)) {
    GstClockTime offset = es_frame_time (0, self->next_index,
        (guint64) self->fps_d * GST_SECOND, (guint64) self->fps_n);
    if (GST_CLOCK_TIME_IS_VALID (self->t0)) {
      GstClockTimeDiff diff = GST_CLOCK_DIFF (self->t0 + offset, pts);
      GstClockTime tolerance = gst_util_uint64_scale (GST_SECOND, self->fps_d,
          2 * (guint64) self->fps_n);
      if ((GstClockTime) ABS (diff) > tolerance) {
        GST_DEBUG_OBJECT (self, "timestamp jump of %" GST_STIME_FORMAT
            ": restarting the windows", GST_STIME_ARGS (diff));
        ret = gst_spectrogram_imager_drain (self);
      }
    } else if (pts >= offset) {
      self->t0 = pts - offset;  /* stream started without timestamps */
    }
  }
  if (!self->anchored) {
    self->anchored = TRUE;
    self->t0 = pts;
  }
  return ret;
}

static GstFlowReturn
gst_spectrogram_imager_render_spectrogram (GstSpectrogramImager * self, GstBuffer * in,
    const gfloat * vectors, gsize n_vectors)
{
  GstFlowReturn ret = gst_spectrogram_imager_track_timestamps (self, in);
  gsize bands = (gsize) self->bands;

  while (ret == GST_FLOW_OK && n_vectors > 0) {
    gsize n;

    if (self->skip > 0) {       /* between windows when hop > window */
      n = (gsize) MIN (self->skip, (guint64) n_vectors);
      self->skip -= n;
    } else {
      n = MIN ((gsize) (self->window - self->n_buffered), n_vectors);
      memcpy (self->frames + (gsize) self->n_buffered * bands, vectors,
          n * bands * sizeof (gfloat));
      self->n_buffered += n;
      self->n_undrawn += n;
    }
    self->next_index += n;
    vectors += n * bands;
    n_vectors -= n;

    if (self->n_buffered == self->window) {
      ret = gst_spectrogram_imager_push_window (self, self->window);
      /* slide by the hop: keep the overlap, or skip the gap */
      self->n_undrawn = 0;
      if (self->hop < self->window) {
        memmove (self->frames, self->frames + (gsize) self->hop * bands,
            (gsize) (self->window - self->hop) * bands * sizeof (gfloat));
        self->n_buffered = self->window - self->hop;
      } else {
        self->n_buffered = 0;
        self->skip = self->hop - self->window;
      }
      self->start_index += self->hop;
    }
  }
  return ret;
}

/* ---- caps and events ----------------------------------------------------- */

static gboolean
gst_spectrogram_imager_set_graph_caps (GstSpectrogramImager * self, GstCaps * caps,
    gint bands, gint fps_n, gint fps_d)
{
  GstStructure *s = gst_caps_get_structure (caps, 0);
  gdouble fmin = ES_FR_FMIN_DEFAULT, fmax = ES_FR_FMAX_DEFAULT;

  if (bands < 2) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("Input caps need bands >= 2: %" GST_PTR_FORMAT, caps), (NULL));
    return FALSE;
  }
  gst_structure_get_double (s, "fmin", &fmin);
  gst_structure_get_double (s, "fmax", &fmax);
  if (!(fmin > 0 && fmax > fmin)) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("Input caps have an invalid frequency range %g-%g Hz.", fmin, fmax), (NULL));
    return FALSE;
  }
  self->active_mode = GST_SPECTROGRAM_IMAGER_MODE_GRAPH;
  self->bands = bands;
  self->fps_n = fps_n;
  self->fps_d = fps_d;
  self->fmin = fmin;
  self->fmax = fmax;
  self->have_input = TRUE;
  return gst_spectrogram_imager_negotiate (self);
}

static gboolean
gst_spectrogram_imager_set_spectrogram_caps (GstSpectrogramImager * self, GstCaps * caps,
    const gchar * scale, gint bands, gint fps_n, gint fps_d)
{
  guint window, hop;

  if (g_strcmp0 (scale, ES_SCALE_CEPSTRUM) == 0) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("Cepstral coefficients (scale=cepstrum) cannot be drawn as a spectrogram."),
        ("Their rows are DCT coefficients, not frequency bands: give gammatone band "
            "energies (gammatonefb dct=0). Caps: %" GST_PTR_FORMAT, caps));
    return FALSE;
  }
  if (g_strcmp0 (scale, ES_SCALE_GAMMATONE) != 0) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("Spectrogram mode draws gammatone band energies (scale=gammatone), not "
            "scale=%s.", scale ? scale : "(none)"),
        ("Use mode=graph or mode=auto for log-frequency curves. Caps: %" GST_PTR_FORMAT,
            caps));
    return FALSE;
  }
  if (fps_n <= 0 || fps_d <= 0) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("Spectrogram mode needs a frame rate above 0 in the input caps."),
        ("Caps: %" GST_PTR_FORMAT, caps));
    return FALSE;
  }
  GST_OBJECT_LOCK (self);
  window = self->window_frames;
  hop = self->hop_frames;
  GST_OBJECT_UNLOCK (self);
  if ((guint64) window * (guint64) bands > MAX_WINDOW_VALUES) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("A window of %u frames of %d bands is too large (at most %d values).", window,
            bands, MAX_WINDOW_VALUES), (NULL));
    return FALSE;
  }
  self->active_mode = GST_SPECTROGRAM_IMAGER_MODE_SPECTROGRAM;
  self->bands = bands;
  self->fps_n = fps_n;
  self->fps_d = fps_d;
  self->window = window;
  self->hop = hop;
  g_free (self->frames);
  self->frames = g_new (gfloat, (gsize) window * bands);
  gst_spectrogram_imager_window_reset (self);
  self->have_input = TRUE;
  GST_DEBUG_OBJECT (self, "spectrogram of %d bands, windows of %u frames every %u at "
      "%d/%d frames/s", bands, window, hop, fps_n, fps_d);
  return gst_spectrogram_imager_negotiate (self);
}

static gboolean
gst_spectrogram_imager_set_input_caps (GstSpectrogramImager * self, GstCaps * caps)
{
  GstStructure *s = gst_caps_get_structure (caps, 0);
  const gchar *scale = gst_structure_get_string (s, "scale");
  GstSpectrogramImagerMode mode;
  gint bands, fps_n = 0, fps_d = 1;

  GST_OBJECT_LOCK (self);
  mode = self->mode;
  GST_OBJECT_UNLOCK (self);
  if (mode == GST_SPECTROGRAM_IMAGER_MODE_AUTO)
    mode = g_strcmp0 (scale, ES_SCALE_LOG_FREQUENCY) == 0 ?
        GST_SPECTROGRAM_IMAGER_MODE_GRAPH : GST_SPECTROGRAM_IMAGER_MODE_SPECTROGRAM;

  self->have_input = FALSE;
  self->have_output = FALSE;
  if (!gst_structure_get_int (s, "bands", &bands) || bands < 1) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("Input caps need bands >= 1: %" GST_PTR_FORMAT, caps), (NULL));
    return FALSE;
  }
  gst_structure_get_fraction (s, "framerate", &fps_n, &fps_d);
  if (mode == GST_SPECTROGRAM_IMAGER_MODE_GRAPH) {
    if (g_strcmp0 (scale, ES_SCALE_LOG_FREQUENCY) != 0) {
      GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
          ("Graph mode draws log-frequency curves (scale=log-frequency, from frsrc), "
              "not scale=%s.", scale ? scale : "(none)"),
          ("Use mode=spectrogram or mode=auto for gammatone band energies. Caps: %"
              GST_PTR_FORMAT, caps));
      return FALSE;
    }
    return gst_spectrogram_imager_set_graph_caps (self, caps, bands, fps_n, fps_d);
  }
  return gst_spectrogram_imager_set_spectrogram_caps (self, caps, scale, bands, fps_n,
      fps_d);
}

static gboolean
gst_spectrogram_imager_sink_event (GstPad * pad, GstObject * parent, GstEvent * event)
{
  GstSpectrogramImager *self = GST_SPECTROGRAM_IMAGER (parent);

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_CAPS:{
      GstCaps *caps, *current = gst_pad_get_current_caps (pad);
      gboolean ok, same;

      gst_event_parse_caps (event, &caps);
      same = current != NULL && self->have_input && gst_caps_is_equal (current, caps);
      if (current)
        gst_caps_unref (current);
      /* New input: draw what the old one left first (with the old caps). */
      if (!same)
        gst_spectrogram_imager_drain (self);
      ok = same ? gst_spectrogram_imager_negotiate (self)
          : gst_spectrogram_imager_set_input_caps (self, caps);
      gst_event_unref (event);  /* the video caps replace it downstream */
      return ok;
    }
    case GST_EVENT_EOS:
    case GST_EVENT_STREAM_START:
      gst_spectrogram_imager_drain (self);
      break;
    case GST_EVENT_FLUSH_STOP:
      gst_spectrogram_imager_window_reset (self);
      break;
    default:
      break;
  }
  return gst_pad_event_default (pad, parent, event);
}

static gboolean
gst_spectrogram_imager_src_query (GstPad * pad, GstObject * parent, GstQuery * query)
{
  GstSpectrogramImager *self = GST_SPECTROGRAM_IMAGER (parent);

  switch (GST_QUERY_TYPE (query)) {
    case GST_QUERY_CAPS:{
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
    case GST_QUERY_LATENCY:{
      gboolean live;
      GstClockTime min, max, span;

      if (!gst_pad_peer_query (self->sinkpad, query))
        return FALSE;
      /* An image leaves when its last frame has come: window span later. */
      if (self->have_input && self->active_mode == GST_SPECTROGRAM_IMAGER_MODE_SPECTROGRAM) {
        gst_query_parse_latency (query, &live, &min, &max);
        span = es_frame_time (0, self->window, (guint64) self->fps_d * GST_SECOND,
            (guint64) self->fps_n);
        min += span;
        if (GST_CLOCK_TIME_IS_VALID (max))
          max += span;
        gst_query_set_latency (query, live, min, max);
      }
      return TRUE;
    }
    default:
      return gst_pad_query_default (pad, parent, query);
  }
}

/* ---- graph mode ---------------------------------------------------------- */

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
        /* vector v of n: the buffer's duration in n equal steps */
        GST_BUFFER_PTS (out) = es_frame_time (GST_BUFFER_PTS (in), v, duration, n_vectors);
        GST_BUFFER_DURATION (out) = es_frame_time (0, v + 1, duration, n_vectors)
            - es_frame_time (0, v, duration, n_vectors);
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
  if (self->active_mode == GST_SPECTROGRAM_IMAGER_MODE_SPECTROGRAM)
    ret = gst_spectrogram_imager_render_spectrogram (self, buffer,
        (const gfloat *) map.data, map.size / vector_bytes);
  else
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
  GstStateChangeReturn ret;

  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED)
    gst_spectrogram_imager_window_reset (self);
  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY) {
    self->have_input = FALSE;
    self->have_output = FALSE;
    g_clear_pointer (&self->frames, g_free);
    gst_spectrogram_imager_window_reset (self);
  }
  return ret;
}
