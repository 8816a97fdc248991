/* Training plots: curve pixels where the data says, confusion shading, PNG
 * round trip. */
#include <check.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/plot.h"

static const uint8_t *
px (const EsImage *im, unsigned x, unsigned y)
{
  return im->pixels + (size_t) y * im->stride + (size_t) x * 3;
}

START_TEST (test_lines)
{
  const double flat[] = { 1.0, 1.0, 1.0 }, rising[] = { 0.0, 1.0, 2.0 };
  EsPlotSeries s[2] = { {flat, 3, 0xFF0000}, {rising, 3, 0x0000FF} };
  double lo = 0.0, hi = 2.0;
  EsImage *im = es_plot_lines_render (s, 2, 400, 300, &lo, &hi);
  gboolean red_mid = FALSE;
  unsigned mid_y;

  ck_assert_uint_eq (im->width, 400);
  ck_assert_uint_eq (im->channels, 3);
  ck_assert_double_eq (lo, 0.0);
  ck_assert_double_eq (hi, 2.0);
  /* the flat red series at y = 1 sits halfway between top and bottom of the axes */
  mid_y = (300 / 20 + 4 + (300 - 300 / 12 - 4)) / 2;
  for (unsigned dy = 0; dy < 3; dy++) {
    const uint8_t *p = px (im, 200, mid_y - 1 + dy);
    red_mid |= p[0] > 200 && p[1] < 80 && p[2] < 80;
  }
  ck_assert (red_mid);
  /* corner far from any curve stays white */
  ck_assert_uint_eq (px (im, 2, 2)[0], 255);
  es_image_free (im);
}
END_TEST

START_TEST (test_confusion_and_png)
{
  const size_t cm[4] = { 10, 0, 5, 5 };
  EsImage *im = es_plot_confusion_render (cm, 2, 20), *back;
  char *dir = g_dir_make_tmp ("es-plot-XXXXXX", NULL);
  char *path = g_build_filename (dir, "cm.png", NULL);
  GError *err = NULL;

  /* row 0: 100 % on the diagonal (dark), 0 % off it (white) */
  ck_assert_uint_eq (px (im, 2 + 10, 2 + 10)[0], 0x08);
  ck_assert_uint_eq (px (im, 2 + 21 + 10, 2 + 10)[0], 255);
  /* row 1: 50 % each */
  ck_assert_uint_eq (px (im, 2 + 10, 2 + 21 + 10)[2], (255 + 0x6B + 1) / 2);
  ck_assert (es_plot_confusion_write (path, cm, 2, 20, &err));
  back = es_png_read (path, 3, &err);
  ck_assert_msg (back, "%s", err ? err->message : "");
  ck_assert_uint_eq (back->width, im->width);
  ck_assert (memcmp (back->pixels, im->pixels, im->stride * im->height) == 0);
  /* unwritable path: an error, not a crash */
  ck_assert (!es_plot_confusion_write ("/nonexistent/dir/cm.png", cm, 2, 20, &err));
  g_clear_error (&err);
  es_image_free (back);
  es_image_free (im);
  g_unlink (path);
  g_rmdir (dir);
  g_free (path);
  g_free (dir);
}
END_TEST

static Suite *
plot_suite (void)
{
  Suite *s = suite_create ("plot");
  TCase *tc = tcase_create ("core");
  tcase_add_test (tc, test_lines);
  tcase_add_test (tc, test_confusion_and_png);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (plot_suite ());
  int failed;
  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
