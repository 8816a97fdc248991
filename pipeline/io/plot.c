/* Line plots and confusion-matrix images, rasterised by hand into EsImage. */
#include "io/plot.h"

#include <math.h>
#include <string.h>

static void
put (EsImage *im, int x, int y, guint32 rgb, double alpha)
{
  uint8_t *p;
  if (x < 0 || y < 0 || x >= (int) im->width || y >= (int) im->height)
    return;
  p = im->pixels + (size_t) y * im->stride + (size_t) x * 3;
  p[0] = (uint8_t) lround (p[0] * (1 - alpha) + ((rgb >> 16) & 0xff) * alpha);
  p[1] = (uint8_t) lround (p[1] * (1 - alpha) + ((rgb >> 8) & 0xff) * alpha);
  p[2] = (uint8_t) lround (p[2] * (1 - alpha) + (rgb & 0xff) * alpha);
}

static void
fill (EsImage *im, int x0, int y0, int x1, int y1, guint32 rgb)
{
  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      put (im, x, y, rgb, 1.0);
}

/* A line about 2 px wide: sample along it and cover a disc at each step, with
 * soft edges so slopes do not look jagged. */
static void
line (EsImage *im, double x0, double y0, double x1, double y1, guint32 rgb)
{
  double len = hypot (x1 - x0, y1 - y0);
  int steps = (int) ceil (len * 2) + 1;
  for (int s = 0; s <= steps; s++) {
    double t = (double) s / steps, cx = x0 + t * (x1 - x0), cy = y0 + t * (y1 - y0);
    for (int y = (int) floor (cy - 2); y <= (int) ceil (cy + 2); y++)
      for (int x = (int) floor (cx - 2); x <= (int) ceil (cx + 2); x++) {
        double d = hypot (x - cx, y - cy), a = CLAMP (1.6 - d, 0.0, 1.0);
        if (a > 0) {
          uint8_t *p;
          if (x < 0 || y < 0 || x >= (int) im->width || y >= (int) im->height)
            continue;
          /* keep the strongest coverage so overlapping samples do not darken */
          p = im->pixels + (size_t) y * im->stride + (size_t) x * 3;
          if (a >= 1.0 || p[0] + p[1] + p[2] > 600)
            put (im, x, y, rgb, a);
        }
      }
  }
}

EsImage *
es_plot_lines_render (const EsPlotSeries *series, size_t n_series, unsigned width,
    unsigned height, double *y_min, double *y_max)
{
  EsImage *im;
  double lo = INFINITY, hi = -INFINITY;
  size_t n_max = 0;
  int left, right, top, bottom;

  width = MAX (width, 64);
  height = MAX (height, 48);
  im = es_image_new (width, height, 3);
  memset (im->pixels, 0xff, im->stride * im->height);
  for (size_t s = 0; s < n_series; s++) {
    n_max = MAX (n_max, series[s].n);
    for (size_t i = 0; i < series[s].n; i++)
      if (isfinite (series[s].y[i])) {
        lo = MIN (lo, series[s].y[i]);
        hi = MAX (hi, series[s].y[i]);
      }
  }
  if (y_min && y_max && *y_min < *y_max) {
    lo = *y_min;
    hi = *y_max;
  } else if (!(lo <= hi)) {
    lo = 0.0;
    hi = 1.0;
  } else if (hi - lo < 1e-12) {
    lo -= 0.5;
    hi += 0.5;
  } else {
    double pad = 0.05 * (hi - lo);
    lo -= pad;
    hi += pad;
  }
  if (y_min)
    *y_min = lo;
  if (y_max)
    *y_max = hi;

  left = (int) width / 16 + 4;
  right = (int) width - (int) width / 32 - 4;
  top = (int) height / 20 + 4;
  bottom = (int) height - (int) height / 12 - 4;
  for (int g = 1; g < 5; g++) {
    int y = top + (bottom - top) * g / 5;
    fill (im, left, y, right, y + 1, 0xDDDDDD);
  }
  for (size_t s = 0; s < n_series; s++) {
    const EsPlotSeries *sr = &series[s];
    double px = NAN, py = NAN;
    for (size_t i = 0; i < sr->n; i++) {
      double x, y;
      if (!isfinite (sr->y[i])) {
        px = NAN;
        continue;
      }
      x = left + (n_max > 1 ? (double) i / (n_max - 1) : 0.5) * (right - left);
      y = bottom - (sr->y[i] - lo) / (hi - lo) * (bottom - top);
      y = CLAMP (y, top, bottom);
      if (isfinite (px))
        line (im, px, py, x, y, sr->rgb);
      else
        line (im, x, y, x, y, sr->rgb);
      px = x;
      py = y;
    }
  }
  /* frame last, over the curves' ends */
  fill (im, left - 1, top - 1, right + 1, top + 1, 0x000000);
  fill (im, left - 1, bottom, right + 1, bottom + 2, 0x000000);
  fill (im, left - 1, top - 1, left + 1, bottom + 2, 0x000000);
  fill (im, right, top - 1, right + 2, bottom + 2, 0x000000);
  return im;
}

gboolean
es_plot_lines_write (const char *path, const EsPlotSeries *series, size_t n_series,
    unsigned width, unsigned height, double *y_min, double *y_max, GError **error)
{
  EsImage *im = es_plot_lines_render (series, n_series, width, height, y_min, y_max);
  gboolean ok = es_png_write (path, im, error);
  es_image_free (im);
  return ok;
}

EsImage *
es_plot_confusion_render (const size_t *confusion, int k, unsigned cell)
{
  unsigned border = 2, side;
  EsImage *im;

  cell = MAX (cell, 4);
  k = MAX (k, 1);
  side = border * 2 + cell * k + (k - 1);
  im = es_image_new (side, side, 3);
  memset (im->pixels, 0x99, im->stride * im->height);
  for (int t = 0; t < k; t++) {
    size_t total = 0;
    for (int p = 0; p < k; p++)
      total += confusion[(size_t) t * k + p];
    for (int p = 0; p < k; p++) {
      double f = total ? (double) confusion[(size_t) t * k + p] / total : 0.0;
      /* white to #08306B (matplotlib "Blues" end) */
      guint32 r = (guint32) lround (255 - f * (255 - 0x08));
      guint32 g = (guint32) lround (255 - f * (255 - 0x30));
      guint32 b = (guint32) lround (255 - f * (255 - 0x6B));
      int x0 = border + p * (cell + 1), y0 = border + t * (cell + 1);
      fill (im, x0, y0, x0 + cell, y0 + cell, (r << 16) | (g << 8) | b);
    }
  }
  return im;
}

gboolean
es_plot_confusion_write (const char *path, const size_t *confusion, int k, unsigned cell,
    GError **error)
{
  EsImage *im = es_plot_confusion_render (confusion, k, cell);
  gboolean ok = es_png_write (path, im, error);
  es_image_free (im);
  return ok;
}
