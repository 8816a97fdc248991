/* Tests for io/spectrogram-image, io/colour-map, io/spectrogram-plot and
 * io/bitmap-font: levels against the NumPy reference (dB conversion, range,
 * normalisation, orientation, area resampling), quantisation, colour-map end
 * points and lightness, a tone's row through the library front-end, silent
 * and non-finite windows, errors, and the figure around the image. */
#include <check.h>
#include <math.h>
#include <string.h>
#include <glib.h>

#include "dsp/frontend.h"
#include "io/bitmap-font.h"
#include "io/colour-map.h"
#include "io/resize.h"
#include "io/spectrogram-image.h"
#include "io/spectrogram-plot.h"
#include "fixture.h"

#define N_CASES 7

static float *
load_input (size_t *n_frames, size_t *n_bands)
{
  size_t n;
  double *v = es_fixture_load_doubles ("io/spectrogram-input.txt", &n);
  float *x;

  *n_frames = (size_t) v[0];
  *n_bands = (size_t) v[1];
  ck_assert_uint_eq (n, 2 + *n_frames * *n_bands);
  x = g_new (float, n - 2);
  for (size_t i = 0; i < n - 2; i++)
    x[i] = (float) v[i + 2];
  g_free (v);
  return x;
}

/* Levels agree with the NumPy reference to float rounding, for native,
 * smaller, larger and odd sizes and each normalisation. */
START_TEST (test_levels_match_numpy)
{
  size_t n_frames, n_bands, n;
  float *x = load_input (&n_frames, &n_bands);
  char name[64];
  double *ref;
  EsSpectrogramStyle style;
  unsigned w, h;
  float *levels;
  GError *err = NULL;
  double worst = 0;

  ck_assert (isnan (x[3 * n_bands + 5]) && x[10 * n_bands] == -INFINITY);
  g_snprintf (name, sizeof name, "io/spectrogram-levels-%d.txt", _i);
  ref = es_fixture_load_doubles (name, &n);
  w = (unsigned) ref[0];
  h = (unsigned) ref[1];
  ck_assert_uint_eq (n, 5 + (size_t) w * h);
  es_spectrogram_style_init (&style);
  style.normalise = (EsSpectrogramNormalise) ref[2];
  style.db_min = ref[3];
  style.db_max = ref[4];
  levels = g_new (float, (size_t) w * h);
  ck_assert_msg (es_spectrogram_levels (x, n_frames, n_bands, &style, levels, w, h, &err),
      "%s", err ? err->message : "");
  for (size_t i = 0; i < (size_t) w * h; i++)
    worst = MAX (worst, fabs (levels[i] - ref[5 + i]));
  ck_assert_msg (worst < 1e-5, "case %d (%ux%u): max error %g", _i, w, h, worst);
  g_free (levels);
  g_free (ref);
  g_free (x);
}
END_TEST

/* Pixels are round(255 level) in grey and that entry of the map in RGB. */
START_TEST (test_quantisation)
{
  size_t n_frames, n_bands;
  float *x = load_input (&n_frames, &n_bands);
  EsSpectrogramStyle style;
  EsImage *grey = es_image_new (53, 29, 1), *rgb = es_image_new (53, 29, 3);
  float levels[53 * 29];
  const uint8_t (*magma)[3] = es_colour_map_table (ES_COLOUR_MAP_MAGMA);

  es_spectrogram_style_init (&style);
  style.colour_map = ES_COLOUR_MAP_MAGMA;
  ck_assert (es_spectrogram_levels (x, n_frames, n_bands, &style, levels, 53, 29, NULL));
  ck_assert (es_spectrogram_draw (grey, x, n_frames, n_bands, &style, NULL));
  ck_assert (es_spectrogram_draw (rgb, x, n_frames, n_bands, &style, NULL));
  for (unsigned y = 0; y < 29; y++)
    for (unsigned i = 0; i < 53; i++) {
      int q = (int) floor (levels[y * 53 + i] * 255.0 + 0.5);
      ck_assert_int_eq (grey->pixels[y * grey->stride + i], q);
      ck_assert_int_eq (memcmp (rgb->pixels + y * rgb->stride + 3 * i, magma[q], 3), 0);
    }
  es_image_free (grey);
  es_image_free (rgb);
  g_free (x);
}
END_TEST

/* The published end points, and lightness (Rec. 709 luma) that rises from
 * the first entry to the last: bright always means loud. */
START_TEST (test_colour_maps)
{
  static const uint8_t ends[2][2][3] = {
    {{0x44, 0x01, 0x54}, {0xfd, 0xe7, 0x25}},   /* viridis */
    {{0x00, 0x00, 0x04}, {0xfc, 0xfd, 0xbf}},   /* magma */
  };
  for (int m = 0; m < 2; m++) {
    const uint8_t (*t)[3] = es_colour_map_table ((EsColourMap) m);
    double luma[256];
    ck_assert_int_eq (memcmp (t[0], ends[m][0], 3), 0);
    ck_assert_int_eq (memcmp (t[255], ends[m][1], 3), 0);
    for (int i = 0; i < 256; i++)
      luma[i] = 0.2126 * t[i][0] + 0.7152 * t[i][1] + 0.0722 * t[i][2];
    for (int i = 0; i + 1 < 256; i++)
      ck_assert_msg (luma[i + 1] >= luma[i] - 0.5, "%s %d", es_colour_map_name (m), i);
    for (int i = 0; i + 4 < 256; i++)
      ck_assert_msg (luma[i + 4] > luma[i], "%s %d", es_colour_map_name (m), i);
  }
  ck_assert_str_eq (es_colour_map_name (ES_COLOUR_MAP_VIRIDIS), "viridis");
  ck_assert_str_eq (es_colour_map_name (ES_COLOUR_MAP_MAGMA), "magma");
}
END_TEST

/* A tone through es_frontend_process_clip (what `earshot plot` runs) is
 * brightest in the row of its nearest band centre, low bands at the bottom.
 * The tones sit 30 % of the way from a centre to the next one up: nearest in
 * Hz and nearest in units of the filter's bandwidth then agree (midway, the
 * wider upper band can take a tone that is nearer the lower centre). */
START_TEST (test_tone_row)
{
  const unsigned tone_bands[] = { 8, 30, 52 };
  EsFrontendConfig config;
  EsFrontend *fe;
  const EsGammatoneBand *bands;
  unsigned n_bands;

  es_frontend_config_init (&config, 16000);
  fe = es_frontend_new (&config, NULL);
  bands = es_gammatone_fb_get_bands (es_frontend_get_filterbank (fe));
  n_bands = es_gammatone_fb_get_n_bands (es_frontend_get_filterbank (fe));
  for (gsize t = 0; t < G_N_ELEMENTS (tone_bands); t++) {
    const unsigned tb = tone_bands[t];
    const double tone = bands[tb].centre_hz + 0.3 * (bands[tb + 1].centre_hz
        - bands[tb].centre_hz);
    float samples[8000];
    size_t n_frames;
    float *features;
    EsSpectrogramStyle style;
    EsImage *img;
    unsigned nearest = 0;

    for (int i = 0; i < 8000; i++)
      samples[i] = (float) (0.1 * sin (2 * G_PI * tone * i / 16000.0));
    features = es_frontend_process_clip (fe, samples, 8000, &n_frames);
    ck_assert_uint_eq (n_frames, 48);
    for (unsigned b = 1; b < n_bands; b++)
      if (fabs (bands[b].centre_hz - tone) < fabs (bands[nearest].centre_hz - tone))
        nearest = b;
    ck_assert_uint_eq (nearest, tb);
    es_spectrogram_style_init (&style);
    img = es_image_new ((unsigned) n_frames, n_bands, 1);
    ck_assert (es_spectrogram_draw (img, features, n_frames, n_bands, &style, NULL));
    for (unsigned x = 0; x < img->width; x++) {
      unsigned best = 0;
      for (unsigned y = 1; y < img->height; y++)
        if (img->pixels[y * img->stride + x] > img->pixels[best * img->stride + x])
          best = y;
      ck_assert_msg (best == n_bands - 1 - nearest, "%g Hz column %u: row %u, expected %u",
          tone, x, best, n_bands - 1 - nearest);
    }
    es_image_free (img);
    g_free (features);
  }
  es_frontend_free (fe);
}
END_TEST

/* Silence (every value at the log floor) is black with a fixed range and
 * with either normalisation; one loud value in a quiet window is white with
 * peak normalisation; non-finite values draw at 0 or 1. */
START_TEST (test_flat_and_non_finite)
{
  float x[4 * 3];
  EsImage *img = es_image_new (4, 3, 1);
  EsSpectrogramStyle style;

  es_spectrogram_style_init (&style);
  for (int i = 0; i < 12; i++)
    x[i] = logf (1e-10f);
  for (int norm = 0; norm < 3; norm++) {
    style.normalise = (EsSpectrogramNormalise) norm;
    ck_assert (es_spectrogram_draw (img, x, 4, 3, &style, NULL));
    for (int i = 0; i < 12; i++)
      ck_assert_int_eq (img->pixels[(i / 4) * img->stride + i % 4], 0);
  }
  /* frame 2, band 1 at -60 dB, the rest at -100 dB: peak puts it on top */
  x[2 * 3 + 1] = (float) (-60.0 / ES_SPECTROGRAM_DB_PER_LN);
  style.normalise = ES_SPECTROGRAM_NORMALISE_PEAK;
  ck_assert (es_spectrogram_draw (img, x, 4, 3, &style, NULL));
  ck_assert_int_eq (img->pixels[1 * img->stride + 2], 255);     /* row 1 = band 1 */
  /* -100 dB is 40 dB below the peak, 60 of the 100 dB above the bottom */
  ck_assert_int_eq (img->pixels[2 * img->stride + 2], 153);
  /* range: min at 0, max at 1; -inf and NaN are left out of both */
  x[0] = -INFINITY;
  x[1] = NAN;
  x[3] = INFINITY;
  style.normalise = ES_SPECTROGRAM_NORMALISE_RANGE;
  ck_assert (es_spectrogram_draw (img, x, 4, 3, &style, NULL));
  ck_assert_int_eq (img->pixels[1 * img->stride + 2], 255);
  ck_assert_int_eq (img->pixels[2 * img->stride + 0], 0);       /* -inf */
  ck_assert_int_eq (img->pixels[1 * img->stride + 0], 0);       /* NaN */
  ck_assert_int_eq (img->pixels[2 * img->stride + 1], 255);     /* +inf */
  ck_assert_int_eq (img->pixels[2 * img->stride + 3], 0);       /* -100 dB = min */
  es_image_free (img);
}
END_TEST

START_TEST (test_errors)
{
  float x[6] = { 0 };
  EsImage *img = es_image_new (3, 2, 1), two = *img;
  EsSpectrogramStyle style;
  GError *err = NULL;
  float levels[6];

  es_spectrogram_style_init (&style);
  ck_assert (!es_spectrogram_draw (img, x, 0, 2, &style, &err));
  ck_assert (g_error_matches (err, ES_IO_ERROR, ES_IO_ERROR_DATA));
  g_clear_error (&err);
  style.db_min = style.db_max;
  ck_assert (!es_spectrogram_draw (img, x, 3, 2, &style, &err));
  ck_assert (strstr (err->message, "dB range") != NULL);
  g_clear_error (&err);
  style.db_min = NAN;
  ck_assert (!es_spectrogram_style_check (&style, NULL));
  es_spectrogram_style_init (&style);
  ck_assert (!es_spectrogram_levels (x, 3, 2, &style, levels, 0, 2, &err));
  g_clear_error (&err);
  two.channels = 2;
  ck_assert (!es_spectrogram_draw (&two, x, 3, 2, &style, &err));
  g_clear_error (&err);
  es_image_free (img);
}
END_TEST

/* The float resampler keeps a constant image constant and the mean of an
 * image whose size divides evenly. */
START_TEST (test_resize_float)
{
  float src[6 * 4], dst[3 * 2], big[13 * 9];
  double mean_src = 0, mean_dst = 0;

  for (int i = 0; i < 24; i++)
    src[i] = (float) ((i * 7) % 11) / 10.0f;
  es_resize_float (src, 6, 4, 6, dst, 3, 2);
  for (int i = 0; i < 24; i++)
    mean_src += src[i] / 24.0;
  for (int i = 0; i < 6; i++)
    mean_dst += dst[i] / 6.0;
  ck_assert (fabs (mean_src - mean_dst) < 1e-6);
  ck_assert (fabs (dst[0] - (src[0] + src[1] + src[6] + src[7]) / 4) < 1e-6);
  for (int i = 0; i < 24; i++)
    src[i] = 0.625f;
  es_resize_float (src, 6, 4, 6, big, 13, 9);
  for (int i = 0; i < 13 * 9; i++)
    ck_assert (fabs (big[i] - 0.625f) < 1e-6);
}
END_TEST

/* The figure: its size, the spectrogram pixels inside the frame exactly
 * es_spectrogram_draw's, a black frame, white margins with black tick marks
 * and labels, and a clear error when the figure is too small for axes. */
START_TEST (test_plot)
{
  size_t n_frames, n_bands;
  float *x = load_input (&n_frames, &n_bands);
  double hz[23];
  EsSpectrogramStyle style;
  unsigned left, top, aw, ah;
  EsImage *fig, *area;
  GError *err = NULL;
  unsigned dark_left = 0, dark_below = 0;

  for (int b = 0; b < 23; b++)
    hz[b] = 100.0 * pow (2.0, b / 3.0);         /* 100 Hz .. 16 kHz */
  es_spectrogram_style_init (&style);
  fig = es_spectrogram_plot_render (800, 500, 3, x, n_frames, n_bands, hz, 10.0, &style,
      &err);
  ck_assert_msg (fig != NULL, "%s", err ? err->message : "");
  ck_assert_uint_eq (fig->width, 800);
  ck_assert_uint_eq (fig->height, 500);
  ck_assert (es_spectrogram_plot_area (800, 500, &left, &top, &aw, &ah));
  ck_assert (aw > 600 && ah > 400 && left > 0 && top > 0);
  area = es_image_new (aw, ah, 3);
  ck_assert (es_spectrogram_draw (area, x, n_frames, n_bands, &style, NULL));
  for (unsigned y = 0; y < ah; y++)
    ck_assert_int_eq (memcmp (fig->pixels + (top + y) * fig->stride + left * 3,
            area->pixels + y * area->stride, aw * 3), 0);
  /* frame just outside the area, white corners */
  for (unsigned y = top; y < top + ah; y++) {
    const uint8_t *p = fig->pixels + y * fig->stride + (left - 1) * 3;
    ck_assert (p[0] == 0 && p[1] == 0 && p[2] == 0);
  }
  ck_assert (fig->pixels[0] == 255 && fig->pixels[fig->stride * 499 + 799 * 3] == 255);
  /* ticks and labels: dark pixels in the left and bottom margins */
  for (unsigned y = top; y < top + ah; y++)
    for (unsigned i = 0; i + 2 < left; i++)
      dark_left += fig->pixels[y * fig->stride + i * 3] == 0;
  for (unsigned y = top + ah + 2; y < 500; y++)
    for (unsigned i = 0; i < 800; i++)
      dark_below += fig->pixels[y * fig->stride + i * 3] == 0;
  ck_assert_uint_gt (dark_left, 100);
  ck_assert_uint_gt (dark_below, 50);
  es_image_free (area);
  es_image_free (fig);

  /* grey figure */
  fig = es_spectrogram_plot_render (400, 250, 1, x, n_frames, n_bands, NULL, 10.0, &style,
      NULL);
  ck_assert (fig != NULL && fig->channels == 1);
  es_image_free (fig);

  ck_assert (!es_spectrogram_plot_area (40, 30, &left, &top, &aw, &ah));
  ck_assert (es_spectrogram_plot_render (40, 30, 3, x, n_frames, n_bands, hz, 10.0,
          &style, &err) == NULL);
  ck_assert (strstr (err->message, "too small") != NULL);
  g_clear_error (&err);
  g_free (x);
}
END_TEST

START_TEST (test_font)
{
  EsImage *img = es_image_new (40, 10, 1);
  static const uint8_t ink[3] = { 255, 255, 255 };
  unsigned lit = 0;

  ck_assert_uint_eq (es_font_text_width ("", 2), 0);
  ck_assert_uint_eq (es_font_text_width ("1", 1), ES_FONT_GLYPH_WIDTH);
  ck_assert_uint_eq (es_font_text_width ("10k", 2), 2 * (2 * ES_FONT_ADVANCE + 5));
  es_font_draw (img, 0, 0, "8", 1, ink);
  /* "8" has 3 full-ish rows and 4 side rows: 17 dots */
  for (unsigned y = 0; y < 10; y++)
    for (unsigned i = 0; i < 40; i++)
      lit += img->pixels[y * img->stride + i] == 255;
  ck_assert_uint_eq (lit, 17);
  /* unknown characters are blanks, clipping is safe */
  es_font_draw (img, 35, 5, "?Hz", 3, ink);
  es_image_free (img);
}
END_TEST

static Suite *
spectrogram_image_suite (void)
{
  Suite *s = suite_create ("io-spectrogram-image");
  TCase *tc = tcase_create ("spectrogram-image");
  tcase_add_loop_test (tc, test_levels_match_numpy, 0, N_CASES);
  tcase_add_test (tc, test_quantisation);
  tcase_add_test (tc, test_colour_maps);
  tcase_add_test (tc, test_tone_row);
  tcase_add_test (tc, test_flat_and_non_finite);
  tcase_add_test (tc, test_errors);
  tcase_add_test (tc, test_resize_float);
  tcase_add_test (tc, test_plot);
  tcase_add_test (tc, test_font);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (spectrogram_image_suite ());
  int failed;
  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed == 0 ? 0 : 1;
}
