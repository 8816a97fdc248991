/* spectrogramimager (graph mode): one frame per vector, pixels identical to
 * graph.c and where the math puts the curve, RGB preferred / GRAY8 on
 * request, timestamps split over vectors, clear failures on wrong input. */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <math.h>

#include "io/frcurve.h"
#include "io/graph.h"

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

  /* gammatone features are not a log-frequency curve: refused (until the
   * spectrogram mode exists). */
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
  return s;
}

GST_CHECK_MAIN (spectrogramimager);
