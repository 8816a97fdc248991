/* Area-averaging resize: exact block means, mean preservation at any ratio,
 * thin lines keep their ink, identity at equal size. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "io/resize.h"

START_TEST (test_identity_and_integer_factor)
{
  uint8_t src[4 * 6];            /* 4 wide, 4 high, stride 6 (padding) */
  float out[16], half[4];

  for (int y = 0; y < 4; y++)
    for (int x = 0; x < 6; x++)
      src[y * 6 + x] = (uint8_t) (x < 4 ? 10 * (y * 4 + x) : 255);
  es_resize_gray8_to_float (src, 4, 4, 6, out, 4, 4);
  for (int y = 0; y < 4; y++)
    for (int x = 0; x < 4; x++)
      ck_assert_float_eq_tol (out[y * 4 + x], 10 * (y * 4 + x) / 255.0f, 1e-7);

  /* 2x2 blocks average exactly */
  es_resize_gray8_to_float (src, 4, 4, 6, half, 2, 2);
  for (int oy = 0; oy < 2; oy++)
    for (int ox = 0; ox < 2; ox++) {
      double m = 0;
      for (int dy = 0; dy < 2; dy++)
        for (int dx = 0; dx < 2; dx++)
          m += src[(2 * oy + dy) * 6 + 2 * ox + dx];
      ck_assert_float_eq_tol (half[oy * 2 + ox], m / 4 / 255.0, 1e-6);
    }
}
END_TEST

/* Any ratio, up or down: the image mean is preserved (each source cell's area
 * is handed out exactly once). */
START_TEST (test_mean_preserved)
{
  const unsigned sizes[][4] = {
    {800, 500, 224, 224}, {640, 480, 224, 224}, {224, 224, 100, 37},
    {37, 11, 224, 224}, {301, 299, 224, 224}, {1, 1, 3, 5}, {5, 3, 1, 1},
  };
  GRand *rand = g_rand_new_with_seed (7);

  for (gsize t = 0; t < G_N_ELEMENTS (sizes); t++) {
    unsigned sw = sizes[t][0], sh = sizes[t][1], dw = sizes[t][2], dh = sizes[t][3];
    uint8_t *src = g_new (uint8_t, sw * sh);
    float *dst = g_new (float, dw * dh);
    double ms = 0, md = 0;

    for (unsigned i = 0; i < sw * sh; i++)
      ms += src[i] = (uint8_t) g_rand_int_range (rand, 0, 256);
    es_resize_gray8_to_float (src, sw, sh, sw, dst, dw, dh);
    for (unsigned i = 0; i < dw * dh; i++) {
      ck_assert (dst[i] >= -1e-6f && dst[i] <= 1.0f + 1e-6f);
      md += dst[i];
    }
    ck_assert_msg (fabs (ms / (sw * sh) / 255.0 - md / (dw * dh)) < 1e-5,
        "%ux%u -> %ux%u: mean %g vs %g", sw, sh, dw, dh, ms / (sw * sh) / 255.0,
        md / (dw * dh));
    g_free (src);
    g_free (dst);
  }
  g_rand_free (rand);
}
END_TEST

/* A 1-px black vertical line in an 800-px white image still darkens its
 * output column by the right amount (what bilinear sampling would miss). */
START_TEST (test_thin_line_keeps_ink)
{
  unsigned sw = 800, sh = 500, dw = 224, dh = 224;
  uint8_t *src = g_new (uint8_t, sw * sh);
  float *dst = g_new (float, dw * dh);
  double ink = 0;

  memset (src, 255, sw * sh);
  for (unsigned y = 0; y < sh; y++)
    src[y * sw + 401] = 0;
  es_resize_gray8_to_float (src, sw, sh, sw, dst, dw, dh);
  for (unsigned x = 0; x < dw; x++)
    ink += 1.0 - dst[100 * dw + x];
  /* one column of 800 is 224/800 of an output column */
  ck_assert_float_eq_tol (ink, 224.0 / 800.0, 1e-4);
  g_free (src);
  g_free (dst);
}
END_TEST

static Suite *
resize_suite (void)
{
  Suite *s = suite_create ("resize");
  TCase *tc = tcase_create ("resize");

  tcase_add_test (tc, test_identity_and_integer_factor);
  tcase_add_test (tc, test_mean_preserved);
  tcase_add_test (tc, test_thin_line_keeps_ink);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (resize_suite ());
  int failed;

  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
