/* A clip's spectrogram with axes (see spectrogram-plot.h). */
#include "io/spectrogram-plot.h"
#include "io/bitmap-font.h"
#include "dsp/gammatone.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const uint8_t black[3] = { 0, 0, 0 };

/* Text and tick sizes grow with the figure: 1 dot = `scale` pixels. */
static unsigned
figure_scale (unsigned width, unsigned height)
{
  return (unsigned) MAX (1.0, floor (MIN (width / 400.0, height / 250.0)));
}

/* Margins in dots: labels of up to 5 characters ("20000") left of the
 * frame, one text row above (the "Hz") and below (time labels), and room on
 * the right for half a time label. */
#define PAD 2
#define TICK 3
#define LEFT_DOTS (PAD + 5 * ES_FONT_ADVANCE - 1 + PAD + TICK + 1)
#define TOP_DOTS (PAD + ES_FONT_GLYPH_HEIGHT + PAD)
#define BOTTOM_DOTS (1 + TICK + PAD + ES_FONT_GLYPH_HEIGHT + PAD)
#define RIGHT_DOTS (2 * ES_FONT_ADVANCE)
#define MIN_AREA 8

gboolean
es_spectrogram_plot_area (unsigned width, unsigned height, unsigned *left, unsigned *top,
    unsigned *area_width, unsigned *area_height)
{
  unsigned k = figure_scale (width, height);
  unsigned l = LEFT_DOTS * k, t = TOP_DOTS * k;
  unsigned r = RIGHT_DOTS * k, b = BOTTOM_DOTS * k;

  if (width < l + r + MIN_AREA || height < t + b + MIN_AREA)
    return FALSE;
  *left = l;
  *top = t;
  *area_width = width - l - r;
  *area_height = height - t - b;
  return TRUE;
}

static void
fill_rect (EsImage * image, int x0, int y0, int x1, int y1, const uint8_t rgb[3])
{
  x0 = MAX (x0, 0);
  y0 = MAX (y0, 0);
  x1 = MIN (x1, (int) image->width);
  y1 = MIN (y1, (int) image->height);
  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++) {
      uint8_t *p = image->pixels + (size_t) y * image->stride + (size_t) x * image->channels;
      if (image->channels == 1)
        p[0] = rgb[0];
      else
        memcpy (p, rgb, 3);
    }
}

/* Smallest step of 1, 2 or 5 x 10^n seconds whose ticks are at least
 * `min_px` apart (labels of that step's decimals fit between them). */
static double
time_step (double px_per_second, double total_seconds, unsigned k, int *decimals)
{
  for (int e = -3; e <= 7; e++)
    for (int m = 0; m < 3; m++) {
      static const double mult[3] = { 1, 2, 5 };
      double step = mult[m] * pow (10.0, e);
      int d = step >= 1 ? 0 : (int) ceil (-log10 (step) - 1e-9);
      char text[64];
      unsigned chars;

      g_snprintf (text, sizeof text, "%.*f", d, floor (total_seconds / step) * step);
      chars = (unsigned) strlen (text);
      if (step * px_per_second >= (chars + 2) * ES_FONT_ADVANCE * k) {
        *decimals = d;
        return step;
      }
    }
  *decimals = 0;
  return total_seconds > 0 ? total_seconds * 2 : 1;     /* only the 0 tick */
}

static void
draw_time_axis (EsImage * image, unsigned left, unsigned area_bottom, unsigned area_w,
    unsigned k, size_t n_frames, double frame_rate)
{
  double total = n_frames / frame_rate, px_per_s = area_w / total;
  int decimals;
  double step = time_step (px_per_s, total, k, &decimals);
  unsigned unit_w = es_font_text_width ("s", k);
  int unit_x = (int) image->width - (int) (PAD * k) - (int) unit_w;
  int tick_y = (int) area_bottom + (int) k;     /* below the frame */
  int text_y = tick_y + (int) (TICK * k + PAD * k);

  es_font_draw (image, unit_x, text_y, "s", k, black);
  for (long i = 0;; i++) {
    double t = i * step;
    int x;
    char text[64];
    unsigned w;

    if (t > total * (1 + 1e-9))
      break;
    x = (int) left + (int) floor (t * px_per_s);
    if (x >= (int) (left + area_w))
      x = (int) (left + area_w) - 1;
    fill_rect (image, x, tick_y, x + (int) k, tick_y + (int) (TICK * k), black);
    g_snprintf (text, sizeof text, "%.*f", decimals, t);
    w = es_font_text_width (text, k);
    if (x - (int) w / 2 >= 0 && x - (int) w / 2 + (int) w <= unit_x - (int) (PAD * k))
      es_font_draw (image, x - (int) w / 2, text_y, text, k, black);
  }
}

/* Row position (pixels from the area's top, continuous) of frequency f on
 * an axis whose rows are bands with centres band_hz, low band at the bottom;
 * between two centres f is placed by its mel value. -1 outside the bands. */
static double
row_of_frequency (double f, const double *band_hz, size_t n_bands, unsigned area_h)
{
  double position = -1;

  if (n_bands == 1)
    position = fabs (f - band_hz[0]) < 0.5 ? 0 : -1;
  for (size_t b = 0; b + 1 < n_bands; b++)
    if (f >= band_hz[b] && f <= band_hz[b + 1]) {
      double m0 = es_hz_to_mel (band_hz[b]), m1 = es_hz_to_mel (band_hz[b + 1]);
      position = b + (es_hz_to_mel (f) - m0) / (m1 - m0);
      break;
    }
  if (position < 0)
    return -1;
  return area_h * (n_bands - 0.5 - position) / n_bands;
}

static void
draw_frequency_axis (EsImage * image, unsigned left, unsigned top, unsigned area_h,
    unsigned k, const double *band_hz, size_t n_bands)
{
  int tick_x1 = (int) left - (int) k;   /* left of the frame */
  int tick_x0 = tick_x1 - (int) (TICK * k);
  int text_right = tick_x0 - (int) (PAD * k);
  double last_y = G_MAXDOUBLE;

  for (size_t b = 0; b + 1 < n_bands; b++)
    if (!(band_hz[b] < band_hz[b + 1]))
      return;                   /* learned bands out of order: no labels */
  es_font_draw (image, text_right - (int) es_font_text_width ("Hz", k), (int) (PAD * k),
      "Hz", k, black);
  for (int e = 0; e <= 5; e++)
    for (int m = 0; m < 3; m++) {
      static const int mult[3] = { 1, 2, 5 };
      double f = mult[m] * pow (10.0, e);
      double y = row_of_frequency (f, band_hz, n_bands, area_h);
      char text[32];
      int yi;

      if (y < 0 || last_y - y < (ES_FONT_GLYPH_HEIGHT + 2 * PAD) * k)
        continue;
      last_y = y;
      yi = (int) top + (int) floor (y);
      fill_rect (image, tick_x0, yi, tick_x1, yi + (int) k, black);
      g_snprintf (text, sizeof text, "%.0f", f);
      es_font_draw (image, text_right - (int) es_font_text_width (text, k),
          yi - (int) (ES_FONT_GLYPH_HEIGHT * k) / 2, text, k, black);
    }
}

EsImage *
es_spectrogram_plot_render (unsigned width, unsigned height, unsigned channels,
    const float *log_energies, size_t n_frames, size_t n_bands, const double *band_hz,
    double frame_rate, const EsSpectrogramStyle * style, GError ** error)
{
  unsigned left, top, area_w, area_h, k = figure_scale (width, height);
  EsImage *image, area;
  static const uint8_t white[3] = { 255, 255, 255 };

  if (!es_spectrogram_plot_area (width, height, &left, &top, &area_w, &area_h)) {
    g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_DATA,
        "a %ux%u figure is too small for a spectrogram with axes", width, height);
    return NULL;
  }
  if (!(frame_rate > 0 && isfinite (frame_rate)) || channels < 1 || channels > 3
      || channels == 2) {
    g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_DATA,
        "cannot draw a spectrogram at %g frames/s on %u channels", frame_rate, channels);
    return NULL;
  }
  image = es_image_new (width, height, channels);
  fill_rect (image, 0, 0, (int) width, (int) height, white);

  /* The spectrogram itself, drawn in place through a view of the area. */
  area = *image;
  area.width = area_w;
  area.height = area_h;
  area.pixels = image->pixels + (size_t) top * image->stride + (size_t) left * channels;
  if (!es_spectrogram_draw (&area, log_energies, n_frames, n_bands, style, error)) {
    es_image_free (image);
    return NULL;
  }
  /* A frame of k/2 pixels (at least 1) just outside the area. */
  {
    int fw = (int) MAX (1, k / 2);
    int x0 = (int) left - fw, y0 = (int) top - fw;
    int x1 = (int) (left + area_w) + fw, y1 = (int) (top + area_h) + fw;
    fill_rect (image, x0, y0, x1, (int) top, black);
    fill_rect (image, x0, (int) (top + area_h), x1, y1, black);
    fill_rect (image, x0, (int) top, (int) left, (int) (top + area_h), black);
    fill_rect (image, (int) (left + area_w), (int) top, x1, (int) (top + area_h), black);
  }
  draw_time_axis (image, left, top + area_h, area_w, k, n_frames, frame_rate);
  if (band_hz != NULL)
    draw_frequency_axis (image, left, top, area_h, k, band_hz, n_bands);
  return image;
}
