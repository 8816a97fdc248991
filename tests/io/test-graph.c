/* Tests for io/graph: render known curves, write them as PNG, read them back
 * and check the pixels where the math puts them: the curve (darkest pixel of
 * each column at the expected row ±1), the black frame on the axes box, white
 * paper elsewhere, the line colour, the grid and clipping. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "io/graph.h"
#include "io/png.h"
#include "io/frcurve.h"

#define N_POINTS 1000

/* One period of a 12 dB sine over three decades: gentle enough (< 1 px of
 * rise per column at 800×500) that one column holds one clear darkest pixel. */
static double
known_level (double f)
{
  return 12.0 * sin (2.0 * G_PI * log10 (f / 20.0) / 3.0);
}

static EsImage *
render_and_reread (unsigned width, unsigned height, unsigned channels,
    const EsGraphStyle * style)
{
  double f[N_POINTS], v[N_POINTS];
  char *dir = g_dir_make_tmp ("es-test-graph-XXXXXX", NULL);
  char *path = g_build_filename (dir, "graph.png", NULL);
  GError *err = NULL;
  EsImage *img, *back;

  es_fr_log_grid (f, N_POINTS, 20, 20000);
  for (int i = 0; i < N_POINTS; i++)
    v[i] = known_level (f[i]);
  img = es_graph_render (width, height, channels, f, v, N_POINTS, style, &err);
  ck_assert_msg (img != NULL, "%s", err ? err->message : "");
  ck_assert_msg (es_png_write (path, img, &err), "%s", err ? err->message : "");
  back = es_png_read (path, channels, &err);
  ck_assert_msg (back != NULL, "%s", err ? err->message : "");
  ck_assert_uint_eq (back->width, width);
  ck_assert_uint_eq (back->height, height);
  es_image_free (img);
  g_unlink (path);
  g_rmdir (dir);
  g_free (path);
  g_free (dir);
  return back;
}

static unsigned
grey_at (const EsImage * img, unsigned x, unsigned y)
{
  const uint8_t *p = img->pixels + (size_t) y * img->stride + (size_t) x * img->channels;
  return img->channels == 1 ? p[0] : (p[0] + p[1] + p[2]) / 3;
}

/* Curve, frame and paper checks common to every size and format. */
static void
check_graph (const EsImage * img, const EsGraphStyle * style)
{
  double left, top, right, bottom;
  double frame = es_graph_scaled_width (style->frame_width, img->width, img->height);
  double line = es_graph_scaled_width (style->line_width, img->width, img->height);
  int margin = (int) ceil (frame) + 1;
  int checked = 0;

  es_graph_axes_box (img->width, img->height, &left, &top, &right, &bottom);

  /* The curve: in every column well inside the box, the darkest pixel (frame
   * rows excluded) is at the row the mapping gives, ±1. */
  for (int x = (int) ceil (left) + margin; x < (int) floor (right) - margin; x++) {
    double t = (x + 0.5 - left) / (right - left);
    double f = style->fmin * pow (style->fmax / style->fmin, t);
    double expected_y = es_graph_y_of_level (style, img->height, known_level (f));
    int expected_row = (int) floor (expected_y);
    int darkest_row = -1;
    unsigned darkest = 256;
    for (int y = (int) ceil (top) + margin; y < (int) floor (bottom) - margin; y++) {
      unsigned g = grey_at (img, x, y);
      if (g < darkest) {
        darkest = g;
        darkest_row = y;
      }
    }
    ck_assert_msg (abs (darkest_row - expected_row) <= 1,
        "%ux%u column %d (%.1f Hz): darkest row %d, expected %d (y %.2f)",
        img->width, img->height, x, f, darkest_row, expected_row, expected_y);
    /* ... and it is ink, not paper. */
    ck_assert_uint_lt (darkest, 200);
    /* Far from the curve the column is white paper (no grid here). */
    for (int y = (int) ceil (top) + margin; y < (int) floor (bottom) - margin; y++)
      if (fabs (y + 0.5 - expected_y) > line / 2 + 3)
        ck_assert_msg (grey_at (img, x, y) == 255, "column %d row %d not white: %u",
            x, y, grey_at (img, x, y));
    checked++;
  }
  ck_assert_int_gt (checked, img->width / 2);

  /* The frame: dark all along the four edges of the box. */
  for (int x = (int) ceil (left); x < (int) floor (right); x++) {
    ck_assert_uint_lt (MIN (grey_at (img, x, (unsigned) floor (top)),
            grey_at (img, x, (unsigned) floor (top) - (top == floor (top)))), 110);
    ck_assert_uint_lt (MIN (grey_at (img, x, (unsigned) floor (bottom)),
            grey_at (img, x, (unsigned) floor (bottom) - (bottom == floor (bottom)))), 110);
  }
  for (int y = (int) ceil (top); y < (int) floor (bottom); y++) {
    ck_assert_uint_lt (MIN (grey_at (img, (unsigned) floor (left), y),
            grey_at (img, (unsigned) floor (left) - (left == floor (left)), y)), 110);
    ck_assert_uint_lt (MIN (grey_at (img, (unsigned) floor (right), y),
            grey_at (img, (unsigned) floor (right) - (right == floor (right)), y)), 110);
  }

  /* White border: everything farther than the frame's reach outside the box. */
  for (unsigned y = 0; y < img->height; y++)
    for (unsigned x = 0; x < img->width; x++) {
      double cx = x + 0.5, cy = y + 0.5;
      gboolean outside = cx < left - frame - 1 || cx > right + frame + 1
          || cy < top - frame - 1 || cy > bottom + frame + 1;
      if (outside)
        ck_assert_msg (grey_at (img, x, y) == 255, "border pixel (%u,%u) is %u", x, y,
            grey_at (img, x, y));
    }
}

START_TEST (test_seed_size_rgb)
{
  EsGraphStyle style;
  EsImage *img;
  double left, top, right, bottom;

  es_graph_style_init (&style);
  img = render_and_reread (800, 500, 3, &style);
  check_graph (img, &style);
  /* The seed's box on its 800×500 figure. */
  es_graph_axes_box (800, 500, &left, &top, &right, &bottom);
  ck_assert_double_eq (left, 100);
  ck_assert_double_eq (right, 720);
  ck_assert_double_eq_tol (top, 60, 1e-9);
  ck_assert_double_eq_tol (bottom, 445, 1e-9);
  /* The line is matplotlib's blue at its centre: at 1 kHz the curve is at
   * known_level(1000); its fully covered pixel has exactly the line colour. */
  {
    unsigned x = (unsigned) floor (es_graph_x_of_frequency (&style, 800, 1000.0));
    double f = 20.0 * pow (1000.0, (x + 0.5 - left) / (right - left));
    unsigned y = (unsigned) floor (es_graph_y_of_level (&style, 500, known_level (f)));
    gboolean found = FALSE;
    for (int dy = -1; dy <= 1 && !found; dy++) {
      const uint8_t *p = img->pixels + (y + dy) * img->stride + x * 3;
      found = p[0] == 0x1f && p[1] == 0x77 && p[2] == 0xb4;
    }
    ck_assert_msg (found, "no pure #1f77b4 pixel at column %u near row %u", x, y);
  }
  es_image_free (img);
}
END_TEST

START_TEST (test_model_size_grey)
{
  EsGraphStyle style;
  EsImage *img;

  es_graph_style_init (&style);
  img = render_and_reread (224, 224, 1, &style);
  check_graph (img, &style);
  es_image_free (img);
  /* Odd sizes and a thick red line in RGB. */
  style.line_width = 5;
  style.line_colour[0] = 255, style.line_colour[1] = 0, style.line_colour[2] = 0;
  img = render_and_reread (333, 171, 3, &style);
  check_graph (img, &style);
  es_image_free (img);
}
END_TEST

START_TEST (test_widths_scale)
{
  ck_assert_double_eq (es_graph_scaled_width (2.0, 800, 500), 2.0);
  ck_assert_double_eq (es_graph_scaled_width (2.0, 1600, 1000), 4.0);
  ck_assert_double_eq (es_graph_scaled_width (2.0, 224, 224), 1.0);  /* at least 1 px */
}
END_TEST

START_TEST (test_grid)
{
  EsGraphStyle style;
  EsImage *img;
  double left, top, right, bottom;
  unsigned x1k, y10, x_between;

  es_graph_style_init (&style);
  style.grid = ES_GRAPH_GRID_MAJOR;
  img = render_and_reread (800, 500, 1, &style);
  es_graph_axes_box (800, 500, &left, &top, &right, &bottom);
  x1k = (unsigned) floor (es_graph_x_of_frequency (&style, 800, 1000));
  y10 = (unsigned) floor (es_graph_y_of_level (&style, 500, -20));
  x_between = (unsigned) floor (es_graph_x_of_frequency (&style, 800, 3000));
  /* The curve never goes below -12 dB: at -20 dB there is only grid. */
  {
    unsigned g = MIN (grey_at (img, x1k, y10 + 20), grey_at (img, x1k + 1, y10 + 20));
    ck_assert_msg (g >= 150 && g < 250, "1 kHz grid line grey %u", g);
    g = MIN (grey_at (img, x_between, y10), grey_at (img, x_between, y10 + 1));
    ck_assert_msg (g >= 150 && g < 250, "-20 dB grid line grey %u", g);
    /* No minor line at 3 kHz with the major grid, one with the minor grid. */
    ck_assert_uint_eq (grey_at (img, x_between, y10 + 20), 255);
  }
  es_image_free (img);
  style.grid = ES_GRAPH_GRID_MINOR;
  img = render_and_reread (800, 500, 1, &style);
  ck_assert_uint_lt (MIN (grey_at (img, x_between, y10 + 20), grey_at (img, x_between + 1,
              y10 + 20)), 250);
  es_image_free (img);
}
END_TEST

START_TEST (test_clipping_and_errors)
{
  EsGraphStyle style;
  double f[3] = { 20, 1000, 20000 }, v[3] = { -200, 0, 200 };
  double bad_f[3] = { 20, 20, 30 };
  double nan_v[3] = { 0, NAN, 0 };
  double left, top, right, bottom;
  GError *err = NULL;
  EsImage *img;

  es_graph_style_init (&style);
  img = es_graph_render (400, 250, 1, f, v, 3, &style, &err);
  ck_assert_ptr_nonnull (img);
  es_graph_axes_box (400, 250, &left, &top, &right, &bottom);
  /* The steep line leaves the box at the top and bottom: nothing is drawn
   * above or below it (beyond the frame). */
  for (unsigned x = 0; x < 400; x++) {
    for (unsigned y = 0; y < (unsigned) top - 2; y++)
      ck_assert_uint_eq (grey_at (img, x, y), 255);
    for (unsigned y = (unsigned) bottom + 3; y < 250; y++)
      ck_assert_uint_eq (grey_at (img, x, y), 255);
  }
  es_image_free (img);

  ck_assert_ptr_null (es_graph_render (400, 250, 1, bad_f, v, 3, &style, &err));
  ck_assert_ptr_nonnull (strstr (err->message, "frequencies must increase"));
  g_clear_error (&err);
  ck_assert_ptr_null (es_graph_render (400, 250, 1, f, nan_v, 3, &style, &err));
  ck_assert_ptr_nonnull (strstr (err->message, "not a finite point"));
  g_clear_error (&err);
  ck_assert_ptr_null (es_graph_render (4, 250, 1, f, v, 3, &style, &err));
  ck_assert_ptr_nonnull (strstr (err->message, "unsupported image"));
  g_clear_error (&err);
}
END_TEST

START_TEST (test_log_grid_features_match_points)
{
  /* A 128-point feature vector draws the same picture as its (f, level). */
  float levels[128];
  double f[128], v[128];
  EsImage *a = es_image_new (224, 224, 1), *b;
  EsGraphStyle style;

  es_graph_style_init (&style);
  es_fr_log_grid (f, 128, 20, 20000);
  for (int i = 0; i < 128; i++) {
    levels[i] = (float) known_level (f[i]);
    v[i] = levels[i];
  }
  ck_assert (es_graph_draw_log_grid (a, levels, 128, 20, 20000, &style, NULL));
  b = es_graph_render (224, 224, 1, f, v, 128, &style, NULL);
  ck_assert_int_eq (memcmp (a->pixels, b->pixels, 224 * 224), 0);
  es_image_free (a);
  es_image_free (b);
}
END_TEST

static Suite *
graph_suite (void)
{
  Suite *s = suite_create ("io-graph");
  TCase *tc = tcase_create ("graph");
  tcase_add_test (tc, test_seed_size_rgb);
  tcase_add_test (tc, test_model_size_grey);
  tcase_add_test (tc, test_widths_scale);
  tcase_add_test (tc, test_grid);
  tcase_add_test (tc, test_clipping_and_errors);
  tcase_add_test (tc, test_log_grid_features_match_points);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (graph_suite ());
  int failed;
  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed == 0 ? 0 : 1;
}
