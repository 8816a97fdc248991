/* Tests for io/png: round trips, every PNG colour type on reading, alpha on
 * white, atomic writes and clear errors. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <png.h>

#include "io/png.h"

static char *tmp_dir;

static void
setup (void)
{
  tmp_dir = g_dir_make_tmp ("es-test-png-XXXXXX", NULL);
  ck_assert_ptr_nonnull (tmp_dir);
}

static void
teardown (void)
{
  GDir *dir = g_dir_open (tmp_dir, 0, NULL);
  const char *name;
  while ((name = g_dir_read_name (dir))) {
    char *p = g_build_filename (tmp_dir, name, NULL);
    g_unlink (p);
    g_free (p);
  }
  g_dir_close (dir);
  g_rmdir (tmp_dir);
  g_free (tmp_dir);
}

static char *
tmp_file (const char *name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

/* Write a PNG with libpng directly, in a layout es_png_write never produces,
 * so the reader's conversions are tested against known pixels. `rows` holds
 * height rows of rowbytes each, in the file's own format. */
static void
write_raw_png (const char *path, unsigned width, unsigned height, int bit_depth,
    int color_type, const png_color * palette, int n_palette,
    const png_byte * trans, int n_trans, const png_color_16 * trans_colour,
    const uint8_t * data, size_t rowbytes)
{
  FILE *fp = g_fopen (path, "wb");
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct (png);

  ck_assert_ptr_nonnull (fp);
  if (setjmp (png_jmpbuf (png)))
    ck_abort_msg ("libpng failed writing the test image");
  png_init_io (png, fp);
  png_set_IHDR (png, info, width, height, bit_depth, color_type, PNG_INTERLACE_NONE,
      PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (palette)
    png_set_PLTE (png, info, palette, n_palette);
  if (trans || trans_colour)
    png_set_tRNS (png, info, trans, n_trans, trans_colour);
  png_write_info (png, info);
  for (unsigned y = 0; y < height; y++)
    png_write_row (png, data + y * rowbytes);
  png_write_end (png, info);
  png_destroy_write_struct (&png, &info);
  fclose (fp);
}

START_TEST (test_round_trip_grey_and_rgb)
{
  for (unsigned channels = 1; channels <= 3; channels += 2) {
    EsImage *img = es_image_new (37, 11, channels), *back;
    char *path = tmp_file (channels == 1 ? "grey.png" : "rgb.png");
    GError *err = NULL;

    ck_assert_uint_eq (img->stride, 37u * channels);
    for (size_t i = 0; i < img->height * img->stride; i++)
      ck_assert_uint_eq (img->pixels[i], 0);    /* es_image_new zeroes */
    for (size_t i = 0; i < img->height * img->stride; i++)
      img->pixels[i] = (uint8_t) (i * 7 + 3);
    ck_assert_msg (es_png_write (path, img, &err), "%s", err ? err->message : "");
    back = es_png_read (path, channels, &err);
    ck_assert_msg (back != NULL, "%s", err ? err->message : "");
    ck_assert_uint_eq (back->width, 37);
    ck_assert_uint_eq (back->height, 11);
    ck_assert_uint_eq (back->channels, channels);
    ck_assert_int_eq (memcmp (back->pixels, img->pixels, img->height * img->stride), 0);
    {
      /* a new file gets the usual permissions (0666 less the umask), not the
       * temporary file's 0600 */
      GStatBuf st;
      mode_t mask = umask (022);
      umask (mask);
      ck_assert_int_eq (g_stat (path, &st), 0);
      ck_assert_uint_eq (st.st_mode & 0777, 0666 & ~mask);
    }
    es_image_free (back);
    es_image_free (img);
    g_free (path);
  }
}
END_TEST

START_TEST (test_grey_rgb_conversions)
{
  EsImage *rgb = es_image_new (3, 1, 3), *grey, *grey_as_rgb;
  char *path = tmp_file ("c.png");
  uint8_t px[9] = { 255, 0, 0, 0, 255, 0, 10, 20, 30 };

  memcpy (rgb->pixels, px, 9);
  ck_assert (es_png_write (path, rgb, NULL));
  grey = es_png_read (path, 1, NULL);
  ck_assert_ptr_nonnull (grey);
  /* Rec. 709 luma: 0.2126 R + 0.7152 G + 0.0722 B */
  ck_assert_int_le (abs ((int) grey->pixels[0] - 54), 1);
  ck_assert_int_le (abs ((int) grey->pixels[1] - 182), 1);
  ck_assert_int_le (abs ((int) grey->pixels[2] - 19), 1);
  ck_assert (es_png_write (path, grey, NULL));
  grey_as_rgb = es_png_read (path, 3, NULL);
  for (int x = 0; x < 3; x++)
    for (int c = 0; c < 3; c++)
      ck_assert_uint_eq (grey_as_rgb->pixels[3 * x + c], grey->pixels[x]);
  es_image_free (rgb);
  es_image_free (grey);
  es_image_free (grey_as_rgb);
  g_free (path);
}
END_TEST

START_TEST (test_read_palette_16bit_alpha_lowbit)
{
  char *path = tmp_file ("x.png");
  EsImage *img;

  /* Palette with a half-transparent entry. */
  {
    png_color pal[3] = { {255, 0, 0}, {0, 0, 255}, {0, 0, 0} };
    png_byte trans[3] = { 255, 255, 128 };
    uint8_t data[3] = { 0, 1, 2 };
    write_raw_png (path, 3, 1, 8, PNG_COLOR_TYPE_PALETTE, pal, 3, trans, 3, NULL, data, 3);
    img = es_png_read (path, 3, NULL);
    ck_assert_ptr_nonnull (img);
    ck_assert_uint_eq (img->pixels[0], 255);
    ck_assert_uint_eq (img->pixels[1], 0);
    ck_assert_uint_eq (img->pixels[5], 255);
    /* black at alpha 128 over white: 255 * 127 / 255 = 127 */
    ck_assert_int_le (abs ((int) img->pixels[6] - 127), 1);
    es_image_free (img);
  }
  /* 16-bit RGBA: opaque grey 0x8080 and fully transparent black. */
  {
    uint8_t data[16] = { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0xff, 0xff,
      0, 0, 0, 0, 0, 0, 0, 0
    };
    write_raw_png (path, 2, 1, 16, PNG_COLOR_TYPE_RGB_ALPHA, NULL, 0, NULL, 0, NULL, data, 16);
    img = es_png_read (path, 1, NULL);
    ck_assert_ptr_nonnull (img);
    ck_assert_uint_eq (img->channels, 1);
    ck_assert_int_le (abs ((int) img->pixels[0] - 128), 1);
    ck_assert_uint_eq (img->pixels[1], 255);    /* transparent reads as white paper */
    es_image_free (img);
  }
  /* Grey + alpha, 8-bit. */
  {
    uint8_t data[4] = { 0, 255, 0, 0 };
    write_raw_png (path, 2, 1, 8, PNG_COLOR_TYPE_GRAY_ALPHA, NULL, 0, NULL, 0, NULL, data, 4);
    img = es_png_read (path, 3, NULL);
    ck_assert_ptr_nonnull (img);
    ck_assert_uint_eq (img->pixels[0], 0);
    ck_assert_uint_eq (img->pixels[3], 255);
    es_image_free (img);
  }
  /* 1-bit grey: 0 → black, 1 → white. */
  {
    uint8_t data[1] = { 0x40 };    /* pixels 0,1,0,0 */
    write_raw_png (path, 4, 1, 1, PNG_COLOR_TYPE_GRAY, NULL, 0, NULL, 0, NULL, data, 1);
    img = es_png_read (path, 1, NULL);
    ck_assert_ptr_nonnull (img);
    ck_assert_uint_eq (img->pixels[0], 0);
    ck_assert_uint_eq (img->pixels[1], 255);
    ck_assert_uint_eq (img->pixels[2], 0);
    es_image_free (img);
  }
  /* 16-bit grey with a tRNS colour key on one value. */
  {
    png_color_16 key = { 0, 0, 0, 0, 0x1234 };
    uint8_t data[4] = { 0x12, 0x34, 0x00, 0x00 };
    write_raw_png (path, 2, 1, 16, PNG_COLOR_TYPE_GRAY, NULL, 0, NULL, 0, &key, data, 4);
    img = es_png_read (path, 1, NULL);
    ck_assert_ptr_nonnull (img);
    ck_assert_uint_eq (img->pixels[0], 255);    /* keyed out → white */
    ck_assert_uint_eq (img->pixels[1], 0);
    es_image_free (img);
  }
  g_free (path);
}
END_TEST

START_TEST (test_errors)
{
  char *missing = tmp_file ("missing.png");
  char *text = tmp_file ("text.png");
  char *truncated = tmp_file ("truncated.png");
  char *good = tmp_file ("good.png");
  char *bad_dir = tmp_file ("no-such-dir/out.png");
  EsImage *img = es_image_new (64, 64, 3);
  GError *err = NULL;
  char *contents;
  gsize len;

  ck_assert_ptr_null (es_png_read (missing, 1, &err));
  ck_assert (g_error_matches (err, ES_IO_ERROR, ES_IO_ERROR_OPEN));
  ck_assert_ptr_nonnull (strstr (err->message, "missing.png"));
  g_clear_error (&err);

  g_file_set_contents (text, "frequency,raw\n20,1\n", -1, NULL);
  ck_assert_ptr_null (es_png_read (text, 1, &err));
  ck_assert (g_error_matches (err, ES_IO_ERROR, ES_IO_ERROR_FORMAT));
  ck_assert_ptr_nonnull (strstr (err->message, "not a PNG"));
  g_clear_error (&err);

  for (size_t i = 0; i < 64 * 64 * 3; i++)
    img->pixels[i] = (uint8_t) g_random_int ();
  ck_assert (es_png_write (good, img, NULL));
  g_file_get_contents (good, &contents, &len, NULL);
  g_file_set_contents (truncated, contents, len / 2, NULL);
  ck_assert_ptr_null (es_png_read (truncated, 3, &err));
  ck_assert (g_error_matches (err, ES_IO_ERROR, ES_IO_ERROR_FORMAT));
  ck_assert_ptr_nonnull (strstr (err->message, "truncated.png"));
  g_clear_error (&err);
  g_free (contents);

  ck_assert (!es_png_write (bad_dir, img, &err));
  ck_assert (g_error_matches (err, ES_IO_ERROR, ES_IO_ERROR_OPEN));
  ck_assert_ptr_nonnull (strstr (err->message, "out.png"));
  g_clear_error (&err);

  es_image_free (img);
  g_free (missing);
  g_free (text);
  g_free (truncated);
  g_free (good);
  g_free (bad_dir);
}
END_TEST

START_TEST (test_write_replaces_atomically)
{
  char *path = tmp_file ("a.png");
  EsImage *big = es_image_new (50, 40, 1), *small = es_image_new (5, 4, 3), *back;
  GDir *dir;
  int n_files = 0;

  ck_assert (es_png_write (path, big, NULL));
  ck_assert (es_png_write (path, small, NULL));
  back = es_png_read (path, 3, NULL);
  ck_assert_uint_eq (back->width, 5);
  ck_assert_uint_eq (back->height, 4);
  /* No temporary file is left behind. */
  dir = g_dir_open (tmp_dir, 0, NULL);
  while (g_dir_read_name (dir))
    n_files++;
  g_dir_close (dir);
  ck_assert_int_eq (n_files, 1);
  es_image_free (back);
  es_image_free (big);
  es_image_free (small);
  g_free (path);
}
END_TEST

static Suite *
png_suite (void)
{
  Suite *s = suite_create ("io-png");
  TCase *tc = tcase_create ("png");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_round_trip_grey_and_rgb);
  tcase_add_test (tc, test_grey_rgb_conversions);
  tcase_add_test (tc, test_read_palette_16bit_alpha_lowbit);
  tcase_add_test (tc, test_errors);
  tcase_add_test (tc, test_write_replaces_atomically);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (png_suite ());
  int failed;
  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed == 0 ? 0 : 1;
}
