/* spectrogramimager.
 * Graph mode: one frame per vector, pixels identical to graph.c and where the
 * math puts the curve, RGB preferred / GRAY8 on request, timestamps split
 * over vectors, clear failures on wrong input.
 * Spectrogram mode: a tone's row, pixels identical to io/spectrogram-image,
 * window timestamps from frame counts, GRAY8/RGB and colour-map end points,
 * padded last window, restart on DISCONT / timestamp jumps / flushes, size
 * and framerate negotiation, latency, cepstra refused, and a 2D image model
 * fed by gammatonefb ! spectrogramimager ! cnnclassify. */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <glib/gstdio.h>
#include <math.h>

#include "dsp/gammatone.h"
#include "io/frcurve.h"
#include "io/graph.h"
#include "io/spectrogram-image.h"
#include "model/model.h"

#define FEATURES_CAPS "application/x-earshot-features, bands=(int)128, " \
  "framerate=(fraction)0/1, scale=(string)log-frequency, unit=(string)dB, " \
  "fmin=(double)20, fmax=(double)20000"

static double
known_level (double f)
{
  return 12.0 * sin (2.0 * G_PI * log10 (f / 20.0) / 3.0);
}

static GstBuffer *
curve_buffer (int n_vectors)
{
  double f[128];
  GstBuffer *buf = gst_buffer_new_allocate (NULL, n_vectors * 128 * sizeof (float), NULL);
  GstMapInfo map;

  es_fr_log_grid (f, 128, 20, 20000);
  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  for (int v = 0; v < n_vectors; v++)
    for (int i = 0; i < 128; i++)
      ((float *) map.data)[v * 128 + i] = (float) (known_level (f[i]) + v);
  gst_buffer_unmap (buf, &map);
  return buf;
}

static GstHarness *
imager_harness (const char *sink_caps)
{
  GstHarness *h = gst_harness_new ("spectrogramimager");
  gst_harness_set_sink_caps_str (h, sink_caps);
  gst_harness_set_src_caps_str (h, FEATURES_CAPS);
  return h;
}

/* The frame must equal graph.c's drawing of the same vector, and its darkest
 * pixel per column must sit on the curve. */
static void
check_frame (GstHarness * h, GstBuffer * out, int vector_offset)
{
  GstCaps *caps = gst_pad_get_current_caps (h->sinkpad);
  GstVideoInfo info;
  GstVideoFrame frame;
  EsImage *expected;
  EsGraphStyle style;
  float levels[128];
  double f[128], left, top, right, bottom;

  fail_unless (gst_video_info_from_caps (&info, caps));
  gst_caps_unref (caps);
  es_fr_log_grid (f, 128, 20, 20000);
  for (int i = 0; i < 128; i++)
    levels[i] = (float) (known_level (f[i]) + vector_offset);
  es_graph_style_init (&style);
  expected = es_image_new (GST_VIDEO_INFO_WIDTH (&info), GST_VIDEO_INFO_HEIGHT (&info),
      GST_VIDEO_INFO_FORMAT (&info) == GST_VIDEO_FORMAT_GRAY8 ? 1 : 3);
  fail_unless (es_graph_draw_log_grid (expected, levels, 128, 20, 20000, &style, NULL));

  fail_unless (gst_video_frame_map (&frame, &info, out, GST_MAP_READ));
  for (unsigned y = 0; y < expected->height; y++)
    fail_unless (memcmp (GST_VIDEO_FRAME_PLANE_DATA (&frame, 0)
            + y * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0),
            expected->pixels + y * expected->stride, expected->stride) == 0,
        "row %u differs from graph.c", y);

  es_graph_axes_box (expected->width, expected->height, &left, &top, &right, &bottom);
  for (int x = (int) left + 4; x < (int) right - 4; x++) {
    double t = (x + 0.5 - left) / (right - left);
    double fx = 20.0 * pow (1000.0, t);
    int expected_row = (int) floor (es_graph_y_of_level (&style, expected->height,
            known_level (fx) + vector_offset));
    int darkest_row = -1;
    unsigned darkest = 256;
    for (int y = (int) top + 3; y < (int) bottom - 3; y++) {
      const guint8 *p = (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&frame, 0)
          + y * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0) + x * expected->channels;
      unsigned g = expected->channels == 1 ? p[0] : (p[0] + p[1] + p[2]) / 3;
      if (g < darkest)
        darkest = g, darkest_row = y;
    }
    /* 128 points are coarser than the analytic curve: allow 2 rows. */
    fail_unless (abs (darkest_row - expected_row) <= 2, "column %d: row %d, expected %d",
        x, darkest_row, expected_row);
  }
  gst_video_frame_unmap (&frame);
  es_image_free (expected);
}

GST_START_TEST (test_grey_frame)
{
  GstHarness *h = imager_harness ("video/x-raw, format=(string)GRAY8");
  GstBuffer *in = curve_buffer (1), *out;
  GstCaps *caps;
  GstStructure *s;
  gint w, hh, fps_n, fps_d;

  GST_BUFFER_PTS (in) = 0;
  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  out = gst_harness_pull (h);
  caps = gst_pad_get_current_caps (h->sinkpad);
  s = gst_caps_get_structure (caps, 0);
  fail_unless_equals_string (gst_structure_get_string (s, "format"), "GRAY8");
  fail_unless (gst_structure_get_int (s, "width", &w) && w == 224);
  fail_unless (gst_structure_get_int (s, "height", &hh) && hh == 224);
  fail_unless (gst_structure_get_fraction (s, "framerate", &fps_n, &fps_d) && fps_n == 0);
  gst_caps_unref (caps);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), 0);
  check_frame (h, out, 0);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}
GST_END_TEST;

GST_START_TEST (test_rgb_preferred_and_size)
{
  GstHarness *h = imager_harness ("video/x-raw, format=(string){ GRAY8, RGB }");
  GstBuffer *out;
  GstCaps *caps;

  g_object_set (h->element, "width", 301, "height", 150, NULL);
  fail_unless_equals_int (gst_harness_push (h, curve_buffer (1)), GST_FLOW_OK);
  out = gst_harness_pull (h);
  caps = gst_pad_get_current_caps (h->sinkpad);
  fail_unless_equals_string (gst_structure_get_string (gst_caps_get_structure (caps, 0),
          "format"), "RGB");
  gst_caps_unref (caps);
  /* 301 px RGB rows are padded to a 4-byte stride: drawn through it. */
  check_frame (h, out, 0);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}
GST_END_TEST;

/* With width and height left at 0 the imager takes the size downstream
 * asks for (cnnclassify asks for its model's), else 224 x 224. */
GST_START_TEST (test_size_negotiated)
{
  GstHarness *h = imager_harness ("video/x-raw, format=(string)GRAY8, width=(int)448, "
      "height=(int)224");
  GstBuffer *out;
  GstCaps *caps;
  GstStructure *s;
  gint w, hh;

  fail_unless_equals_int (gst_harness_push (h, curve_buffer (1)), GST_FLOW_OK);
  out = gst_harness_pull (h);
  caps = gst_pad_get_current_caps (h->sinkpad);
  s = gst_caps_get_structure (caps, 0);
  fail_unless (gst_structure_get_int (s, "width", &w) && w == 448);
  fail_unless (gst_structure_get_int (s, "height", &hh) && hh == 224);
  gst_caps_unref (caps);
  check_frame (h, out, 0);
  gst_buffer_unref (out);
  gst_harness_teardown (h);

  /* a set size wins over what downstream would allow */
  h = imager_harness ("video/x-raw, format=(string)GRAY8, width=(int)[ 16, 1000 ], "
      "height=(int)[ 16, 1000 ]");
  g_object_set (h->element, "width", 320, NULL);
  fail_unless_equals_int (gst_harness_push (h, curve_buffer (1)), GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (h));
  caps = gst_pad_get_current_caps (h->sinkpad);
  s = gst_caps_get_structure (caps, 0);
  fail_unless (gst_structure_get_int (s, "width", &w) && w == 320);
  fail_unless (gst_structure_get_int (s, "height", &hh) && hh == 224);
  gst_caps_unref (caps);
  gst_harness_teardown (h);

  /* 1-15 px is neither automatic nor drawable: an error, not a crash */
  h = imager_harness ("video/x-raw, format=(string)GRAY8");
  g_object_set (h->element, "height", 8, NULL);
  fail_unless (gst_harness_push (h, curve_buffer (1)) != GST_FLOW_OK);
  gst_harness_teardown (h);
}
GST_END_TEST;

GST_START_TEST (test_vectors_split_timestamps)
{
  GstHarness *h = imager_harness ("video/x-raw, format=(string)GRAY8");
  GstBuffer *in = curve_buffer (3);

  GST_BUFFER_PTS (in) = 10 * GST_SECOND;
  GST_BUFFER_DURATION (in) = 3 * GST_SECOND;
  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 3);
  for (int v = 0; v < 3; v++) {
    GstBuffer *out = gst_harness_pull (h);
    fail_unless_equals_uint64 (GST_BUFFER_PTS (out), (10 + v) * GST_SECOND);
    fail_unless_equals_uint64 (GST_BUFFER_DURATION (out), GST_SECOND);
    check_frame (h, out, v);
    gst_buffer_unref (out);
  }
  gst_harness_teardown (h);
}
GST_END_TEST;

GST_START_TEST (test_style_properties)
{
  GstHarness *h = imager_harness ("video/x-raw, format=(string)RGB");
  GstBuffer *plain, *styled;
  GstMapInfo a, b;
  gboolean found_red = FALSE;

  fail_unless_equals_int (gst_harness_push (h, curve_buffer (1)), GST_FLOW_OK);
  plain = gst_harness_pull (h);
  gst_util_set_object_arg (G_OBJECT (h->element), "grid", "major");
  g_object_set (h->element, "line-colour", 0xff0000, "line-width", 6.0, NULL);
  fail_unless_equals_int (gst_harness_push (h, curve_buffer (1)), GST_FLOW_OK);
  styled = gst_harness_pull (h);
  gst_buffer_map (plain, &a, GST_MAP_READ);
  gst_buffer_map (styled, &b, GST_MAP_READ);
  fail_unless (a.size == b.size && memcmp (a.data, b.data, a.size) != 0);
  for (gsize i = 0; i + 2 < b.size && !found_red; i += 3)
    found_red = b.data[i] == 255 && b.data[i + 1] == 0 && b.data[i + 2] == 0;
  fail_unless (found_red, "no pure red pixel with line-colour=0xff0000");
  gst_buffer_unmap (plain, &a);
  gst_buffer_unmap (styled, &b);
  gst_buffer_unref (plain);
  gst_buffer_unref (styled);
  gst_harness_teardown (h);
}
GST_END_TEST;

GST_START_TEST (test_wrong_input)
{
  GstHarness *h = gst_harness_new ("spectrogramimager");
  GstBuffer *bad;

  /* gammatone features are not a log-frequency curve: refused in graph mode
   * (mode=auto, the default, draws them as spectrograms). */
  gst_util_set_object_arg (G_OBJECT (h->element), "mode", "graph");
  gst_harness_set_sink_caps_str (h, "video/x-raw, format=(string)GRAY8");
  gst_harness_set_src_caps_str (h, "application/x-earshot-features, bands=(int)64, "
      "framerate=(fraction)100/1, scale=(string)gammatone");
  fail_unless_equals_int (gst_harness_push (h, curve_buffer (1)), GST_FLOW_NOT_NEGOTIATED);
  gst_harness_teardown (h);

  /* A buffer that is not whole vectors. */
  h = imager_harness ("video/x-raw, format=(string)GRAY8");
  bad = gst_buffer_new_allocate (NULL, 100 * sizeof (float), NULL);
  gst_buffer_memset (bad, 0, 0, 100 * sizeof (float));
  fail_unless_equals_int (gst_harness_push (h, bad), GST_FLOW_ERROR);
  gst_harness_teardown (h);

  /* Downstream that takes no video we make. */
  h = gst_harness_new ("spectrogramimager");
  gst_harness_set_sink_caps_str (h, "video/x-raw, format=(string)I420");
  gst_harness_set_src_caps_str (h, FEATURES_CAPS);
  fail_unless (gst_harness_push (h, curve_buffer (1)) != GST_FLOW_OK);
  gst_harness_teardown (h);
}
GST_END_TEST;


/* ---- spectrogram mode ---------------------------------------------------- */

#define GAMMATONE_CAPS "application/x-earshot-features, bands=(int)%d, " \
  "framerate=(fraction)%s, scale=(string)gammatone, rate=(int)16000"

static GstHarness *
spectrogram_harness (int bands, const char *framerate, const char *sink_caps,
    guint window, guint hop)
{
  GstHarness *h = gst_harness_new ("spectrogramimager");
  char *caps = g_strdup_printf (GAMMATONE_CAPS, bands, framerate);

  g_object_set (h->element, "window-frames", window, "hop-frames", hop, NULL);
  gst_harness_set_sink_caps_str (h, sink_caps);
  gst_harness_set_src_caps_str (h, caps);
  g_free (caps);
  return h;
}

/* n frames of `bands` values; frame k, band b = value (k, b). */
static GstBuffer *
frames_buffer (int bands, guint64 first, int n, float (*value) (guint64, int),
    GstClockTime pts)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, (gsize) n * bands * sizeof (float), NULL);
  GstMapInfo map;

  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  for (int k = 0; k < n; k++)
    for (int b = 0; b < bands; b++)
      ((float *) map.data)[k * bands + b] = value (first + k, b);
  gst_buffer_unmap (buf, &map);
  GST_BUFFER_PTS (buf) = pts;
  return buf;
}

/* ln E of a ramp: frame k, band b at (-40 + 2 b + (k % 7)) dB. */
static float
ramp_value (guint64 k, int b)
{
  return (float) ((-40.0 + 2.0 * b + (double) (k % 7)) / ES_SPECTROGRAM_DB_PER_LN);
}

static guint8
pixel (GstHarness * h, GstBuffer * out, int x, int y, int c)
{
  GstCaps *caps = gst_pad_get_current_caps (h->sinkpad);
  GstVideoInfo info;
  GstVideoFrame frame;
  guint8 v;

  fail_unless (gst_video_info_from_caps (&info, caps));
  gst_caps_unref (caps);
  fail_unless (gst_video_frame_map (&frame, &info, out, GST_MAP_READ));
  v = ((const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&frame, 0))[y *
      GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0) + x * GST_VIDEO_FRAME_COMP_PSTRIDE (&frame,
          0) + c];
  gst_video_frame_unmap (&frame);
  return v;
}

static void
current_size (GstHarness * h, gint * w, gint * hh, gint * fps_n, gint * fps_d,
    const char **format)
{
  GstCaps *caps = gst_pad_get_current_caps (h->sinkpad);
  GstStructure *s = gst_caps_get_structure (caps, 0);
  static char fmt[16];

  fail_unless (gst_structure_get_int (s, "width", w));
  fail_unless (gst_structure_get_int (s, "height", hh));
  if (fps_n)
    fail_unless (gst_structure_get_fraction (s, "framerate", fps_n, fps_d));
  if (format) {
    g_strlcpy (fmt, gst_structure_get_string (s, "format"), sizeof fmt);
    *format = fmt;
  }
  gst_caps_unref (caps);
}

/* The element's image must be io/spectrogram-image's drawing of the same
 * frames (padding -inf), byte for byte through the frame's stride. */
static void
check_spectrogram_frame (GstHarness * h, GstBuffer * out, int bands, guint64 first,
    int n_real, int window)
{
  GstCaps *caps = gst_pad_get_current_caps (h->sinkpad);
  GstVideoInfo info;
  GstVideoFrame frame;
  EsSpectrogramStyle style;
  EsImage *expected;
  float *frames = g_new (float, (gsize) window * bands);
  gint normalise, colour_map;

  fail_unless (gst_video_info_from_caps (&info, caps));
  gst_caps_unref (caps);
  for (int k = 0; k < window; k++)
    for (int b = 0; b < bands; b++)
      frames[k * bands + b] = k < n_real ? ramp_value (first + k, b) : -INFINITY;
  es_spectrogram_style_init (&style);
  g_object_get (h->element, "db-min", &style.db_min, "db-max", &style.db_max,
      "normalise", &normalise, "colour-map", &colour_map, NULL);
  /* the element's enums list the library's values in the same order */
  style.normalise = (EsSpectrogramNormalise) normalise;
  style.colour_map = (EsColourMap) colour_map;
  expected = es_image_new (GST_VIDEO_INFO_WIDTH (&info), GST_VIDEO_INFO_HEIGHT (&info),
      GST_VIDEO_INFO_FORMAT (&info) == GST_VIDEO_FORMAT_GRAY8 ? 1 : 3);
  fail_unless (es_spectrogram_draw (expected, frames, window, bands, &style, NULL));
  fail_unless (gst_video_frame_map (&frame, &info, out, GST_MAP_READ));
  for (unsigned y = 0; y < expected->height; y++)
    fail_unless (memcmp ((const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&frame, 0)
            + y * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0),
            expected->pixels + y * expected->stride, expected->width * expected->channels) == 0,
        "row %u differs from io/spectrogram-image", y);
  gst_video_frame_unmap (&frame);
  es_image_free (expected);
  g_free (frames);
}

/* A pure tone through the whole front-end lands in the row of the band whose
 * centre is nearest to it, low frequencies at the bottom; at twice the height
 * in that band's two rows. */
GST_START_TEST (test_tone_row)
{
  const double tones[] = { 250.0, 1000.0, 4000.0 };
  EsGammatoneBand *bands = es_gammatone_bands_mel (64, ES_GAMMATONE_DEFAULT_FMIN, 8000.0,
      ES_GAMMATONE_DEFAULT_BANDWIDTH);

  for (gsize i = 0; i < G_N_ELEMENTS (tones); i++)
    for (int scale = 1; scale <= 2; scale++) {
      char *launch = g_strdup_printf ("preemphasis ! hammingframe ! gammatonefb ! "
          "spectrogramimager window-frames=40 hop-frames=40 height=%d", 64 * scale);
      GstHarness *h = gst_harness_new_parse (launch);
      int nearest = 0, found = 0;
      gint w, hh;
      GstBuffer *out;

      for (int b = 1; b < 64; b++)
        if (fabs (bands[b].centre_hz - tones[i]) < fabs (bands[nearest].centre_hz - tones[i]))
          nearest = b;
      gst_harness_set_sink_caps_str (h, "video/x-raw, format=(string)GRAY8");
      gst_harness_set_src_caps_str (h, "audio/x-raw, format=(string)F32LE, "
          "rate=(int)16000, channels=(int)1, layout=(string)interleaved");
      /* 0.5 s of the tone at -6 dBFS, in 100-ms buffers: 48 frames */
      for (int part = 0; part < 5; part++) {
        GstBuffer *buf = gst_buffer_new_allocate (NULL, 1600 * sizeof (float), NULL);
        GstMapInfo map;
        gst_buffer_map (buf, &map, GST_MAP_WRITE);
        for (int n = 0; n < 1600; n++)
          ((float *) map.data)[n] = (float) (0.1 * sin (2 * G_PI * tones[i]
                  * (part * 1600 + n) / 16000.0));
        gst_buffer_unmap (buf, &map);
        GST_BUFFER_PTS (buf) = part * GST_SECOND / 10;
        GST_BUFFER_DURATION (buf) = GST_SECOND / 10;
        fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_OK);
      }
      out = gst_harness_pull (h);
      current_size (h, &w, &hh, NULL, NULL, NULL);
      fail_unless_equals_int (w, 40);
      fail_unless_equals_int (hh, 64 * scale);
      for (int x = 0; x < 40; x++) {
        int best = 0;
        for (int y = 1; y < hh; y++)
          if (pixel (h, out, x, y, 0) > pixel (h, out, x, best, 0))
            best = y;
        fail_unless (best / scale == 63 - nearest, "%g Hz, column %d: brightest row %d, "
            "band %d (%.0f Hz) is row %d", tones[i], x, best, nearest,
            bands[nearest].centre_hz, (63 - nearest) * scale);
        found++;
      }
      fail_unless_equals_int (found, 40);
      /* the tone stands out: far bands are much darker */
      fail_unless (pixel (h, out, 20, (63 - nearest) * scale, 0)
          > pixel (h, out, 20, nearest > 32 ? hh - 1 : 0, 0) + 100, "%d vs %d",
          pixel (h, out, 20, (63 - nearest) * scale, 0),
          pixel (h, out, 20, nearest > 32 ? hh - 1 : 0, 0));
      gst_buffer_unref (out);
      gst_harness_teardown (h);
      g_free (launch);
    }
  g_free (bands);
}
GST_END_TEST;

/* Images are window x hop slices of the frame sequence, PTS = the first
 * frame's, duration = the window's span, both from frame counts: exact at a
 * frame rate whose period is not a whole number of nanoseconds, whatever the
 * input buffer sizes. */
GST_START_TEST (test_window_timestamps)
{
  GstHarness *h = spectrogram_harness (6, "3/1", "video/x-raw, format=(string)GRAY8",
      10, 4);
  const GstClockTime t0 = 7 * GST_SECOND;
  const int sizes[] = { 1, 3, 7, 2, 11, 5, 13, 1, 17, 40 };
  guint64 k = 0;
  gint w, hh, fps_n, fps_d;
  guint n_images;

  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++) {
    GstClockTime pts = t0 + gst_util_uint64_scale (k, GST_SECOND, 3);
    fail_unless_equals_int (gst_harness_push (h, frames_buffer (6, k, sizes[i],
                ramp_value, pts)), GST_FLOW_OK);
    k += sizes[i];
  }
  /* 100 frames: windows start at 0, 4, ..., 88 */
  n_images = gst_harness_buffers_in_queue (h);
  fail_unless_equals_int (n_images, 23);
  current_size (h, &w, &hh, &fps_n, &fps_d, NULL);
  fail_unless_equals_int (w, 10);
  fail_unless_equals_int (hh, 6);
  fail_unless_equals_int (fps_n, 3);
  fail_unless_equals_int (fps_d, 4);
  for (guint i = 0; i < n_images; i++) {
    GstBuffer *out = gst_harness_pull (h);
    guint64 first = 4 * i;
    GstClockTime start = t0 + gst_util_uint64_scale (first, GST_SECOND, 3);
    GstClockTime end = t0 + gst_util_uint64_scale (first + 10, GST_SECOND, 3);
    fail_unless_equals_uint64 (GST_BUFFER_PTS (out), start);
    fail_unless_equals_uint64 (GST_BUFFER_DURATION (out), end - start);
    fail_unless_equals_int (GST_BUFFER_IS_DISCONT (out), i == 0);
    check_spectrogram_frame (h, out, 6, first, 10, 10);
    gst_buffer_unref (out);
  }
  gst_harness_teardown (h);
}
GST_END_TEST;

static float
level_value (guint64 k, int b)
{
  /* -50 dB, 0 dB, +50 dB (the default range's ends and middle), below and
   * above the range, NaN */
  static const double db[6] = { -50, 0, 50, -120, 90, NAN };
  return (float) (db[b] / ES_SPECTROGRAM_DB_PER_LN);
}

/* GRAY8 is the level; RGB the colour map's entry, with the published end
 * points of viridis (#440154, #fde725) and magma (#000004, #fcfdbf). RGB is
 * preferred when downstream takes both. */
GST_START_TEST (test_formats_and_colour_maps)
{
  /* rows top to bottom: band 5 (NaN), 4 (+90), 3 (-120), 2 (+50), 1 (0), 0 (-50) */
  const guint8 grey[6] = { 0, 255, 0, 255, 128, 0 };
  const guint8 viridis_lo[3] = { 0x44, 0x01, 0x54 }, viridis_hi[3] = { 0xfd, 0xe7, 0x25 };
  const guint8 magma_lo[3] = { 0x00, 0x00, 0x04 }, magma_hi[3] = { 0xfc, 0xfd, 0xbf };
  GstHarness *h = spectrogram_harness (6, "100/1", "video/x-raw, format=(string)GRAY8",
      4, 4);
  GstBuffer *out;
  const char *format;
  gint w, hh;

  fail_unless_equals_int (gst_harness_push (h, frames_buffer (6, 0, 4, level_value, 0)),
      GST_FLOW_OK);
  out = gst_harness_pull (h);
  current_size (h, &w, &hh, NULL, NULL, &format);
  fail_unless_equals_string (format, "GRAY8");
  for (int y = 0; y < 6; y++)
    for (int x = 0; x < 4; x++)
      fail_unless_equals_int (pixel (h, out, x, y, 0), grey[y]);
  gst_buffer_unref (out);
  gst_harness_teardown (h);

  for (int map = 0; map < 2; map++) {
    const guint8 *lo = map ? magma_lo : viridis_lo, *hi = map ? magma_hi : viridis_hi;
    h = spectrogram_harness (6, "100/1", "video/x-raw, format=(string){ GRAY8, RGB }", 4, 4);
    gst_util_set_object_arg (G_OBJECT (h->element), "colour-map", map ? "magma" : "viridis");
    fail_unless_equals_int (gst_harness_push (h, frames_buffer (6, 0, 4, level_value, 0)),
        GST_FLOW_OK);
    out = gst_harness_pull (h);
    current_size (h, &w, &hh, NULL, NULL, &format);
    fail_unless_equals_string (format, "RGB");
    for (int c = 0; c < 3; c++) {
      fail_unless_equals_int (pixel (h, out, 1, 5, c), lo[c]);     /* -50 dB */
      fail_unless_equals_int (pixel (h, out, 1, 3, c), hi[c]);     /* +50 dB */
      fail_unless_equals_int (pixel (h, out, 2, 2, c), lo[c]);     /* clamped */
      fail_unless_equals_int (pixel (h, out, 2, 1, c), hi[c]);     /* clamped */
      fail_unless_equals_int (pixel (h, out, 3, 0, c), lo[c]);     /* NaN */
    }
    gst_buffer_unref (out);
    gst_harness_teardown (h);
  }
}
GST_END_TEST;

/* What is left at EOS goes out as one window padded at level 0, its duration
 * the real frames'; frames already drawn, or skipped between windows, do not
 * make another image. */
GST_START_TEST (test_partial_window)
{
  GstHarness *h = spectrogram_harness (3, "100/1", "video/x-raw, format=(string)GRAY8",
      10, 10);
  GstBuffer *out;

  fail_unless_equals_int (gst_harness_push (h, frames_buffer (3, 0, 25, ramp_value, 0)),
      GST_FLOW_OK);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 2);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 3);
  gst_buffer_unref (gst_harness_pull (h));
  gst_buffer_unref (gst_harness_pull (h));
  out = gst_harness_pull (h);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), 200 * GST_MSECOND);
  fail_unless_equals_uint64 (GST_BUFFER_DURATION (out), 50 * GST_MSECOND);
  check_spectrogram_frame (h, out, 3, 20, 5, 10);
  for (int x = 5; x < 10; x++)
    for (int y = 0; y < 3; y++)
      fail_unless_equals_int (pixel (h, out, x, y, 0), 0);
  gst_buffer_unref (out);
  gst_harness_teardown (h);

  /* overlapping windows: 12 frames, window 10, hop 5 -> [0,10) and [5,15)
   * holding frames 5..11 */
  h = spectrogram_harness (3, "100/1", "video/x-raw, format=(string)GRAY8", 10, 5);
  fail_unless_equals_int (gst_harness_push (h, frames_buffer (3, 0, 12, ramp_value, 0)),
      GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 2);
  gst_buffer_unref (gst_harness_pull (h));
  out = gst_harness_pull (h);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), 50 * GST_MSECOND);
  fail_unless_equals_uint64 (GST_BUFFER_DURATION (out), 70 * GST_MSECOND);
  check_spectrogram_frame (h, out, 3, 5, 7, 10);
  gst_buffer_unref (out);
  gst_harness_teardown (h);

  /* 10 frames, window 10, hop 5: everything is drawn, nothing at EOS */
  h = spectrogram_harness (3, "100/1", "video/x-raw, format=(string)GRAY8", 10, 5);
  fail_unless_equals_int (gst_harness_push (h, frames_buffer (3, 0, 10, ramp_value, 0)),
      GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 1);
  gst_harness_teardown (h);

  /* gaps: window 4, hop 6 -> frames 4, 5 skipped; 6 frames leave nothing */
  h = spectrogram_harness (3, "100/1", "video/x-raw, format=(string)GRAY8", 4, 6);
  fail_unless_equals_int (gst_harness_push (h, frames_buffer (3, 0, 6, ramp_value, 0)),
      GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 1);
  gst_harness_teardown (h);

  /* a stream shorter than one window: one padded image */
  h = spectrogram_harness (3, "100/1", "video/x-raw, format=(string)GRAY8", 10, 5);
  fail_unless_equals_int (gst_harness_push (h, frames_buffer (3, 0, 2, ramp_value,
              GST_SECOND)), GST_FLOW_OK);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 0);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  out = gst_harness_pull (h);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), GST_SECOND);
  fail_unless_equals_uint64 (GST_BUFFER_DURATION (out), 20 * GST_MSECOND);
  check_spectrogram_frame (h, out, 3, 0, 2, 10);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}
GST_END_TEST;

/* Range, normalisation and colour map reach the drawing: the element's
 * image equals the library's with the same settings. */
GST_START_TEST (test_style_settings)
{
  const char *norms[] = { "none", "peak", "range" };

  for (int n = 0; n < 3; n++) {
    GstHarness *h = spectrogram_harness (5, "100/1", "video/x-raw, format=(string)RGB",
        8, 8);
    GstBuffer *plain, *out;
    GstMapInfo a, b;

    fail_unless_equals_int (gst_harness_push (h, frames_buffer (5, 0, 8, ramp_value, 0)),
        GST_FLOW_OK);
    plain = gst_harness_pull (h);
    gst_util_set_object_arg (G_OBJECT (h->element), "normalise", norms[n]);
    gst_util_set_object_arg (G_OBJECT (h->element), "colour-map", "magma");
    g_object_set (h->element, "db-min", -45.0, "db-max", -25.0, NULL);
    fail_unless_equals_int (gst_harness_push (h, frames_buffer (5, 8, 8, ramp_value,
                80 * GST_MSECOND)), GST_FLOW_OK);
    out = gst_harness_pull (h);
    check_spectrogram_frame (h, out, 5, 8, 8, 8);
    gst_buffer_map (plain, &a, GST_MAP_READ);
    gst_buffer_map (out, &b, GST_MAP_READ);
    fail_unless (memcmp (a.data, b.data, a.size) != 0, "settings changed nothing");
    gst_buffer_unmap (plain, &a);
    gst_buffer_unmap (out, &b);
    gst_buffer_unref (plain);
    gst_buffer_unref (out);
    /* db-min above db-max is an error, not a picture */
    g_object_set (h->element, "db-min", 10.0, "db-max", 0.0, NULL);
    fail_unless_equals_int (gst_harness_push (h, frames_buffer (5, 16, 8, ramp_value,
                160 * GST_MSECOND)), GST_FLOW_ERROR);
    gst_harness_teardown (h);
  }
}
GST_END_TEST;

/* A DISCONT buffer or a timestamp jump draws the pending frames (padded) and
 * restarts the windows at the new buffer; a flush drops them. */
GST_START_TEST (test_restart)
{
  GstHarness *h = spectrogram_harness (3, "100/1", "video/x-raw, format=(string)GRAY8",
      10, 10);
  GstBuffer *buf, *out;

  for (int jump = 0; jump < 2; jump++) {
    fail_unless_equals_int (gst_harness_push (h, frames_buffer (3, 0, 7, ramp_value, 0)),
        GST_FLOW_OK);
    fail_unless_equals_int (gst_harness_buffers_in_queue (h), 0);
    /* the next buffer is 3 s later, flagged (jump = 0) or not (jump = 1) */
    buf = frames_buffer (3, 0, 10, ramp_value, 3 * GST_SECOND);
    if (jump == 0)
      GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
    fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_OK);
    fail_unless_equals_int (gst_harness_buffers_in_queue (h), 2);
    out = gst_harness_pull (h);
    fail_unless_equals_uint64 (GST_BUFFER_PTS (out), 0);
    fail_unless_equals_uint64 (GST_BUFFER_DURATION (out), 70 * GST_MSECOND);
    check_spectrogram_frame (h, out, 3, 0, 7, 10);
    gst_buffer_unref (out);
    out = gst_harness_pull (h);
    fail_unless_equals_uint64 (GST_BUFFER_PTS (out), 3 * GST_SECOND);
    fail_unless_equals_uint64 (GST_BUFFER_DURATION (out), 100 * GST_MSECOND);
    fail_unless (GST_BUFFER_IS_DISCONT (out));
    check_spectrogram_frame (h, out, 3, 0, 10, 10);
    gst_buffer_unref (out);
    /* a flush drops what is pending */
    fail_unless_equals_int (gst_harness_push (h, frames_buffer (3, 0, 7, ramp_value,
                4 * GST_SECOND)), GST_FLOW_OK);
    fail_unless (gst_harness_push_event (h, gst_event_new_flush_start ()));
    fail_unless (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
    gst_harness_set_src_caps_str (h, "application/x-earshot-features, bands=(int)3, "
        "framerate=(fraction)100/1, scale=(string)gammatone, rate=(int)16000");
    fail_unless_equals_int (gst_harness_push (h, frames_buffer (3, 0, 10, ramp_value, 0)),
        GST_FLOW_OK);
    out = gst_harness_pull (h);
    fail_unless_equals_uint64 (GST_BUFFER_PTS (out), 0);
    check_spectrogram_frame (h, out, 3, 0, 10, 10);
    gst_buffer_unref (out);
    fail_unless_equals_int (gst_harness_buffers_in_queue (h), 0);
    gst_harness_teardown (h);
    if (jump == 0)
      h = spectrogram_harness (3, "100/1", "video/x-raw, format=(string)GRAY8", 10, 10);
  }
}
GST_END_TEST;

/* Default size: one pixel per frame and band; properties and downstream
 * (e.g. an image model's size) win; the framerate is the input's / hop. */
GST_START_TEST (test_size_and_latency)
{
  GstHarness *h = spectrogram_harness (64, "100/1",
      "video/x-raw, format=(string)GRAY8", 120, 30);
  GstBuffer *out;
  gint w, hh, fps_n, fps_d;

  gst_harness_set_upstream_latency (h, 0);
  fail_unless_equals_int (gst_harness_push (h, frames_buffer (64, 0, 120, ramp_value, 0)),
      GST_FLOW_OK);
  out = gst_harness_pull (h);
  current_size (h, &w, &hh, &fps_n, &fps_d, NULL);
  fail_unless (w == 120 && hh == 64, "%dx%d", w, hh);
  fail_unless (fps_n == 10 && fps_d == 3, "%d/%d", fps_n, fps_d);
  check_spectrogram_frame (h, out, 64, 0, 120, 120);
  gst_buffer_unref (out);
  /* an image leaves a window (1.2 s) after its first frame */
  fail_unless_equals_uint64 (gst_harness_query_latency (h), 1200 * GST_MSECOND);
  gst_harness_teardown (h);

  h = spectrogram_harness (64, "100/1", "video/x-raw, format=(string)GRAY8", 120, 30);
  g_object_set (h->element, "width", 301, "height", 7, NULL);
  fail_unless_equals_int (gst_harness_push (h, frames_buffer (64, 0, 120, ramp_value, 0)),
      GST_FLOW_OK);
  out = gst_harness_pull (h);
  current_size (h, &w, &hh, NULL, NULL, NULL);
  fail_unless (w == 301 && hh == 7, "%dx%d", w, hh);
  check_spectrogram_frame (h, out, 64, 0, 120, 120);
  gst_buffer_unref (out);
  gst_harness_teardown (h);

  h = spectrogram_harness (64, "100/1", "video/x-raw, format=(string)GRAY8, "
      "width=(int)32, height=(int)48", 120, 30);
  fail_unless_equals_int (gst_harness_push (h, frames_buffer (64, 0, 120, ramp_value, 0)),
      GST_FLOW_OK);
  out = gst_harness_pull (h);
  current_size (h, &w, &hh, NULL, NULL, NULL);
  fail_unless (w == 32 && hh == 48, "%dx%d", w, hh);
  check_spectrogram_frame (h, out, 64, 0, 120, 120);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}
GST_END_TEST;

static gchar *
pop_error (GstBus * bus)
{
  GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  GError *err = NULL;
  gchar *debug = NULL, *text;

  fail_unless (msg != NULL, "no error message");
  gst_message_parse_error (msg, &err, &debug);
  text = g_strdup_printf ("%s | %s", err->message, debug ? debug : "");
  g_error_free (err);
  g_free (debug);
  gst_message_unref (msg);
  return text;
}

static void
expect_refused (const char *mode, const char *caps, const char *words)
{
  GstHarness *h = gst_harness_new ("spectrogramimager");
  GstBus *bus = gst_bus_new ();
  gchar *text;

  gst_element_set_bus (h->element, bus);
  gst_util_set_object_arg (G_OBJECT (h->element), "mode", mode);
  gst_harness_set_sink_caps_str (h, "video/x-raw, format=(string)GRAY8");
  gst_harness_set_src_caps_str (h, caps);
  fail_unless_equals_int (gst_harness_push (h, frames_buffer (4, 0, 1, ramp_value, 0)),
      GST_FLOW_NOT_NEGOTIATED);
  text = pop_error (bus);
  fail_unless (strstr (text, words) != NULL, "\"%s\" does not say \"%s\"", text, words);
  g_free (text);
  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

GST_START_TEST (test_refused_input)
{
  const char *cepstra = "application/x-earshot-features, bands=(int)4, "
      "framerate=(fraction)100/1, scale=(string)cepstrum, rate=(int)16000";

  expect_refused ("auto", cepstra, "scale=cepstrum");
  expect_refused ("spectrogram", cepstra, "gammatonefb dct=0");
  expect_refused ("spectrogram", "application/x-earshot-features, bands=(int)4, "
      "framerate=(fraction)0/1, scale=(string)gammatone", "frame rate");
  expect_refused ("spectrogram", "application/x-earshot-features, bands=(int)4, "
      "framerate=(fraction)0/1, scale=(string)log-frequency", "scale=log-frequency");
  expect_refused ("graph", "application/x-earshot-features, bands=(int)4, "
      "framerate=(fraction)100/1, scale=(string)gammatone", "mode=spectrogram");
}
GST_END_TEST;

/* gammatonefb ! spectrogramimager ! cnnclassify: the imager draws at the
 * image model's size and the model decides from the picture. The model sums
 * the brightness of the top half (high bands) against the bottom half. */
GST_START_TEST (test_feeds_image_model)
{
  char *dir = g_dir_make_tmp ("es-spectrogram-XXXXXX", NULL);
  char *path = g_build_filename (dir, "tones.safetensors", NULL);
  static const char *const labels[] = { "low", "high", NULL };
  size_t shape[3] = { 1, 16, 24 };
  GError *err = NULL;
  EsModel *m = es_model_new ("test-tones",
      "[{\"type\":\"flatten\"},{\"type\":\"dense\",\"out_features\":2}]",
      ES_MODEL_INPUT_IMAGE, 3, shape, labels, &err);
  EsNetParam *wt, *bias;
  const double tones[2] = { 200.0, 5000.0 };

  fail_unless (m != NULL, "%s", err ? err->message : "");
  wt = es_net_find_param (es_model_get_net (m), "1.weight");
  bias = es_net_find_param (es_model_get_net (m), "1.bias");
  for (int i = 0; i < 16 * 24; i++) {
    gboolean top = i / 24 < 8;
    wt->value->data[i] = top ? 0.0f : 1.0f;
    wt->value->data[16 * 24 + i] = top ? 1.0f : 0.0f;
  }
  bias->value->data[0] = bias->value->data[1] = 0.0f;
  fail_unless (es_model_save (m, path, &err), "%s", err ? err->message : "");
  es_model_free (m);

  for (int t = 0; t < 2; t++) {
    char *launch = g_strdup_printf ("preemphasis ! hammingframe ! gammatonefb ! "
        "spectrogramimager window-frames=20 hop-frames=20 ! cnnclassify name=c "
        "model=\"%s\"", path);
    GstHarness *h = gst_harness_new_parse (launch);
    GstBus *bus = gst_bus_new ();
    GstBuffer *buf = gst_buffer_new_allocate (NULL, 8000 * sizeof (float), NULL);
    GstMapInfo map;
    GstMessage *msg;
    guint decisions = 0;

    gst_element_set_bus (h->element, bus);
    gst_harness_set_src_caps_str (h, "audio/x-raw, format=(string)F32LE, "
        "rate=(int)16000, channels=(int)1, layout=(string)interleaved");
    gst_buffer_map (buf, &map, GST_MAP_WRITE);
    for (int n = 0; n < 8000; n++)
      ((float *) map.data)[n] = (float) (0.3 * sin (2 * G_PI * tones[t] * n / 16000.0));
    gst_buffer_unmap (buf, &map);
    GST_BUFFER_PTS (buf) = 0;
    fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_OK);
    while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT | GST_MESSAGE_ERROR))) {
      const GstStructure *s = gst_message_get_structure (msg);
      fail_unless (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT);
      if (gst_structure_has_name (s, "cnnclassify")) {
        fail_unless_equals_string (gst_structure_get_string (s, "label"), labels[t]);
        decisions++;
      }
      gst_message_unref (msg);
    }
    /* 0.5 s = 48 frames: two whole windows of 20 */
    fail_unless_equals_int (decisions, 2);
    gst_element_set_bus (h->element, NULL);
    gst_object_unref (bus);
    gst_harness_teardown (h);
    g_free (launch);
  }
  g_unlink (path);
  g_rmdir (dir);
  g_free (path);
  g_free (dir);
}
GST_END_TEST;

static Suite *
spectrogramimager_suite (void)
{
  Suite *s = suite_create ("spectrogramimager");
  TCase *tc = tcase_create ("graph");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_grey_frame);
  tcase_add_test (tc, test_rgb_preferred_and_size);
  tcase_add_test (tc, test_size_negotiated);
  tcase_add_test (tc, test_vectors_split_timestamps);
  tcase_add_test (tc, test_style_properties);
  tcase_add_test (tc, test_wrong_input);
  tc = tcase_create ("spectrogram");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_tone_row);
  tcase_add_test (tc, test_window_timestamps);
  tcase_add_test (tc, test_formats_and_colour_maps);
  tcase_add_test (tc, test_partial_window);
  tcase_add_test (tc, test_style_settings);
  tcase_add_test (tc, test_restart);
  tcase_add_test (tc, test_size_and_latency);
  tcase_add_test (tc, test_refused_input);
  tcase_add_test (tc, test_feeds_image_model);
  return s;
}

GST_CHECK_MAIN (spectrogramimager);
