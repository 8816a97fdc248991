/* Frequency-response graphs in the seed paper's matplotlib style.
 *
 * Drawing is done in layers (grid, curve, frame: matplotlib's z-order, the
 * frame — its "spines" — above the line). Each layer first accumulates a
 * coverage in [0,1] per pixel, combined by max so that overlapping segments
 * of one polyline do not darken their joints, then is blended once onto the
 * image in its colour. Curve coverage is the distance from the pixel centre to
 * the nearest segment (a round-capped stroke), a one-pixel linear ramp at the
 * stroke's edge; axis-aligned rectangles (frame, grid) get exact area
 * coverage; like matplotlib, those are snapped to whole pixels so they are
 * crisp. */
#include "io/graph.h"

#include <math.h>
#include <string.h>

#include "io/frcurve.h"

void
es_graph_style_init (EsGraphStyle * style)
{
  static const uint8_t matplotlib_blue[3] = { 0x1f, 0x77, 0xb4 };
  static const uint8_t matplotlib_grid[3] = { 0xb0, 0xb0, 0xb0 };

  memset (style, 0, sizeof *style);
  style->fmin = 20.0;
  style->fmax = 20000.0;
  style->db_min = -30.0;
  style->db_max = 30.0;
  style->line_width = 2.0;
  memcpy (style->line_colour, matplotlib_blue, 3);
  style->frame_width = 0.8 * 100.0 / 72.0;      /* 0.8 pt at 100 dpi */
  style->grid = ES_GRAPH_GRID_NONE;
  memcpy (style->grid_colour, matplotlib_grid, 3);
  style->grid_width = 0.8 * 100.0 / 72.0;
}

void
es_graph_axes_box (unsigned width, unsigned height, double *left, double *top,
    double *right, double *bottom)
{
  /* Figure fractions are measured from the bottom; image rows from the top. */
  *left = ES_GRAPH_BOX_LEFT * width;
  *right = ES_GRAPH_BOX_RIGHT * width;
  *top = (1.0 - ES_GRAPH_BOX_TOP) * height;
  *bottom = (1.0 - ES_GRAPH_BOX_BOTTOM) * height;
}

double
es_graph_x_of_frequency (const EsGraphStyle * style, unsigned width, double frequency)
{
  double left = ES_GRAPH_BOX_LEFT * width, right = ES_GRAPH_BOX_RIGHT * width;
  double t = log (frequency / style->fmin) / log (style->fmax / style->fmin);
  return left + t * (right - left);
}

double
es_graph_y_of_level (const EsGraphStyle * style, unsigned height, double level)
{
  double top = (1.0 - ES_GRAPH_BOX_TOP) * height, bottom = (1.0 - ES_GRAPH_BOX_BOTTOM) * height;
  double t = (style->db_max - level) / (style->db_max - style->db_min);
  return top + t * (bottom - top);
}

double
es_graph_scaled_width (double reference_width, unsigned width, unsigned height)
{
  double scale = sqrt ((double) width / ES_GRAPH_REFERENCE_WIDTH
      * (double) height / ES_GRAPH_REFERENCE_HEIGHT);
  return MAX (1.0, reference_width * scale);
}

typedef struct {
  unsigned width, height;
  float *coverage;              /* width × height, one layer */
} Layer;

static void
layer_clear (Layer * layer)
{
  memset (layer->coverage, 0, sizeof (float) * layer->width * layer->height);
}

static inline void
layer_cover (Layer * layer, int x, int y, double c)
{
  float *p = &layer->coverage[(size_t) y * layer->width + x];
  if (c > *p)
    *p = (float) c;
}

/* Length of [a0,a1] ∩ [b0,b1]. */
static inline double
overlap (double a0, double a1, double b0, double b1)
{
  return MAX (0.0, MIN (a1, b1) - MAX (a0, b0));
}

/* Like matplotlib's snapping of straight lines: a whole number of pixels wide,
 * centred so that it fills whole pixels, so frames and grid lines are crisp
 * instead of two half-grey rows. Returns the snapped centre; *width_px is set. */
static double
snap_line (double centre, double width, double *width_px)
{
  double w = MAX (1.0, round (width));
  *width_px = w;
  /* odd widths centre on a pixel centre, even widths on a pixel edge */
  return fmod (w, 2.0) == 1.0 ? floor (centre) + 0.5 : round (centre);
}

/* Axis-aligned rectangle [x0,x1]×[y0,y1] with exact per-pixel area coverage. */
static void
layer_rect (Layer * layer, double x0, double y0, double x1, double y1)
{
  int i0 = MAX (0, (int) floor (x0)), i1 = MIN ((int) layer->width - 1, (int) ceil (x1));
  int j0 = MAX (0, (int) floor (y0)), j1 = MIN ((int) layer->height - 1, (int) ceil (y1));

  for (int j = j0; j <= j1; j++) {
    double cy = overlap (j, j + 1, y0, y1);
    if (cy <= 0)
      continue;
    for (int i = i0; i <= i1; i++) {
      double c = cy * overlap (i, i + 1, x0, x1);
      if (c > 0)
        layer_cover (layer, i, j, c);
    }
  }
}

/* A round-capped stroke of `line_width` from (ax,ay) to (bx,by), limited to
 * pixels whose centres lie in the clip rectangle [ci0,ci1]×[cj0,cj1]. */
static void
layer_segment (Layer * layer, double ax, double ay, double bx, double by,
    double line_width, int ci0, int cj0, int ci1, int cj1)
{
  const double half = line_width / 2.0;
  const double reach = half + 1.0;
  const double dx = bx - ax, dy = by - ay;
  const double length2 = dx * dx + dy * dy;
  int i0 = MAX (ci0, (int) floor (MIN (ax, bx) - reach));
  int i1 = MIN (ci1, (int) ceil (MAX (ax, bx) + reach));
  int j0 = MAX (cj0, (int) floor (MIN (ay, by) - reach));
  int j1 = MIN (cj1, (int) ceil (MAX (ay, by) + reach));

  for (int j = j0; j <= j1; j++) {
    for (int i = i0; i <= i1; i++) {
      double px = i + 0.5 - ax, py = j + 0.5 - ay;
      double t = length2 > 0 ? (px * dx + py * dy) / length2 : 0.0;
      double ex, ey, distance, c;
      t = CLAMP (t, 0.0, 1.0);
      ex = px - t * dx;
      ey = py - t * dy;
      distance = sqrt (ex * ex + ey * ey);
      c = CLAMP (half + 0.5 - distance, 0.0, 1.0);
      if (c > 0)
        layer_cover (layer, i, j, c);
    }
  }
}

static void
layer_blend (const Layer * layer, EsImage * image, const uint8_t colour[3])
{
  uint8_t ink[3];

  if (image->channels == 1) {
    ink[0] = (uint8_t) lround (0.2126 * colour[0] + 0.7152 * colour[1] + 0.0722 * colour[2]);
  } else {
    memcpy (ink, colour, 3);
  }
  for (unsigned y = 0; y < image->height; y++) {
    uint8_t *row = image->pixels + (size_t) y * image->stride;
    const float *cov = layer->coverage + (size_t) y * layer->width;
    for (unsigned x = 0; x < image->width; x++) {
      float c = cov[x];
      if (c <= 0)
        continue;
      for (unsigned k = 0; k < image->channels; k++) {
        uint8_t *p = &row[x * image->channels + k];
        *p = (uint8_t) lrintf ((float) *p * (1.0f - c) + (float) ink[k] * c);
      }
    }
  }
}

static void
draw_grid (Layer * layer, EsImage * image, const EsGraphStyle * style)
{
  double left, top, right, bottom;
  double w = es_graph_scaled_width (style->grid_width, image->width, image->height);
  double db_step = style->grid == ES_GRAPH_GRID_MINOR ? 5.0 : 10.0;
  double sw;

  es_graph_axes_box (image->width, image->height, &left, &top, &right, &bottom);
  layer_clear (layer);
  for (double decade = pow (10.0, floor (log10 (style->fmin))); decade <= style->fmax;
      decade *= 10.0) {
    for (int k = 1; k <= 9; k++) {
      double f = decade * k, x;
      if (k > 1 && style->grid != ES_GRAPH_GRID_MINOR)
        break;
      if (f <= style->fmin || f >= style->fmax)
        continue;
      x = snap_line (es_graph_x_of_frequency (style, image->width, f), w, &sw);
      layer_rect (layer, x - sw / 2, top, x + sw / 2, bottom);
    }
  }
  for (double db = ceil (style->db_min / db_step) * db_step; db <= style->db_max; db += db_step) {
    double y;
    if (db <= style->db_min || db >= style->db_max)
      continue;
    y = snap_line (es_graph_y_of_level (style, image->height, db), w, &sw);
    layer_rect (layer, left, y - sw / 2, right, y + sw / 2);
  }
  layer_blend (layer, image, style->grid_colour);
}

gboolean
es_graph_draw (EsImage * image, const double *frequency, const double *level,
    size_t n, const EsGraphStyle * style, GError ** error)
{
  EsGraphStyle defaults;
  Layer layer;
  double left, top, right, bottom;

  g_return_val_if_fail (image != NULL && image->pixels != NULL, FALSE);
  g_return_val_if_fail (image->channels == 1 || image->channels == 3, FALSE);
  g_return_val_if_fail (n == 0 || (frequency != NULL && level != NULL), FALSE);
  if (style == NULL) {
    es_graph_style_init (&defaults);
    style = &defaults;
  }
  if (!(style->fmin > 0 && style->fmax > style->fmin && style->db_max > style->db_min)) {
    g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_DATA,
        "graph: bad axes (%g-%g Hz, %g-%g dB)", style->fmin, style->fmax,
        style->db_min, style->db_max);
    return FALSE;
  }
  for (size_t i = 0; i < n; i++) {
    if (!isfinite (frequency[i]) || !isfinite (level[i]) || frequency[i] <= 0) {
      g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_DATA,
          "graph: point %zu (%g Hz, %g dB) is not a finite point with positive frequency",
          i, frequency[i], level[i]);
      return FALSE;
    }
    if (i > 0 && frequency[i] <= frequency[i - 1]) {
      g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_DATA,
          "graph: frequencies must increase (point %zu: %g Hz after %g Hz)", i,
          frequency[i], frequency[i - 1]);
      return FALSE;
    }
  }

  for (unsigned y = 0; y < image->height; y++)
    memset (image->pixels + (size_t) y * image->stride, 0xff,
        (size_t) image->width * image->channels);

  layer.width = image->width;
  layer.height = image->height;
  layer.coverage = g_new (float, (size_t) image->width * image->height);
  es_graph_axes_box (image->width, image->height, &left, &top, &right, &bottom);

  if (style->grid != ES_GRAPH_GRID_NONE)
    draw_grid (&layer, image, style);

  /* The curve, clipped to the pixels whose centres are inside the box. */
  {
    double w = es_graph_scaled_width (style->line_width, image->width, image->height);
    int ci0 = (int) ceil (left - 0.5), ci1 = (int) floor (right - 0.5);
    int cj0 = (int) ceil (top - 0.5), cj1 = (int) floor (bottom - 0.5);
    double px = 0, py = 0;

    layer_clear (&layer);
    for (size_t i = 0; i < n; i++) {
      double x = es_graph_x_of_frequency (style, image->width, frequency[i]);
      double y = es_graph_y_of_level (style, image->height, level[i]);
      /* Far-off points (e.g. -200 dB) would only make huge empty loops:
       * clamping to a margin around the image keeps the segment's direction
       * inside the box only approximately, but nothing outside is drawn. */
      y = CLAMP (y, -4.0 * image->height, 5.0 * image->height);
      if (i > 0)
        layer_segment (&layer, px, py, x, y, w, ci0, cj0, ci1, cj1);
      else if (n == 1)
        layer_segment (&layer, x, y, x, y, w, ci0, cj0, ci1, cj1);
      px = x;
      py = y;
    }
    layer_blend (&layer, image, style->line_colour);
  }

  /* The frame: four strokes centred on the box edges, above the curve. */
  {
    static const uint8_t black[3] = { 0, 0, 0 };
    double w = es_graph_scaled_width (style->frame_width, image->width, image->height);
    double x0 = snap_line (left, w, &w), x1 = snap_line (right, w, &w);
    double y0 = snap_line (top, w, &w), y1 = snap_line (bottom, w, &w);
    double h = w / 2;
    layer_clear (&layer);
    layer_rect (&layer, x0 - h, y0 - h, x1 + h, y0 + h);
    layer_rect (&layer, x0 - h, y1 - h, x1 + h, y1 + h);
    layer_rect (&layer, x0 - h, y0 - h, x0 + h, y1 + h);
    layer_rect (&layer, x1 - h, y0 - h, x1 + h, y1 + h);
    layer_blend (&layer, image, black);
  }

  g_free (layer.coverage);
  return TRUE;
}

EsImage *
es_graph_render (unsigned width, unsigned height, unsigned channels,
    const double *frequency, const double *level, size_t n, const EsGraphStyle * style,
    GError ** error)
{
  EsImage *image;

  if (width < 8 || height < 8 || width > 16384 || height > 16384
      || (channels != 1 && channels != 3)) {
    g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_DATA,
        "graph: unsupported image %u×%u with %u channels (8..16384 px, 1 or 3 channels)",
        width, height, channels);
    return NULL;
  }
  image = es_image_new (width, height, channels);
  if (!es_graph_draw (image, frequency, level, n, style, error)) {
    es_image_free (image);
    return NULL;
  }
  return image;
}

gboolean
es_graph_draw_log_grid (EsImage * image, const float *level, size_t n,
    double fmin, double fmax, const EsGraphStyle * style, GError ** error)
{
  double *frequency, *level_d;
  gboolean ok;

  if (n < 2 || !(fmin > 0 && fmax > fmin)) {
    g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_DATA,
        "graph: a log-grid curve needs at least 2 points and 0 < fmin < fmax "
        "(got %zu points, %g-%g Hz)", n, fmin, fmax);
    return FALSE;
  }
  frequency = g_new (double, n);
  level_d = g_new (double, n);
  es_fr_log_grid (frequency, n, fmin, fmax);
  for (size_t i = 0; i < n; i++)
    level_d[i] = level[i];
  ok = es_graph_draw (image, frequency, level_d, n, style, error);
  g_free (frequency);
  g_free (level_d);
  return ok;
}
