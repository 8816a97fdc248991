/* Frequency-response graphs drawn like the seed paper's figures (matplotlib,
 * 8×5 in at 100 dpi, default subplot margins): a white figure, the axes box
 * at left 0.125, right 0.9, bottom 0.11, top 0.88 of the figure with a black
 * frame, log x from 20 Hz to 20 kHz, y from -30 to +30 dB, an anti-aliased
 * 2-px line in matplotlib's default blue, no ticks or labels. Any size: line
 * and frame widths are given at 800×500 and scale with the image (geometric
 * mean of the two axis ratios), never thinner than one pixel. Optional light
 * grid lines, line width and colour vary the look for augmentation. */
#ifndef ES_IO_GRAPH_H
#define ES_IO_GRAPH_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "png.h"

G_BEGIN_DECLS

#define ES_GRAPH_REFERENCE_WIDTH 800
#define ES_GRAPH_REFERENCE_HEIGHT 500

/* The axes box as fractions of the figure (matplotlib's subplot defaults). */
#define ES_GRAPH_BOX_LEFT 0.125
#define ES_GRAPH_BOX_RIGHT 0.9
#define ES_GRAPH_BOX_BOTTOM 0.11
#define ES_GRAPH_BOX_TOP 0.88

typedef enum {
  ES_GRAPH_GRID_NONE,           /* the seed's look */
  ES_GRAPH_GRID_MAJOR,          /* decades (100, 1k, 10k Hz) and every 10 dB */
  ES_GRAPH_GRID_MINOR,          /* also 2..9 × each decade and every 5 dB */
} EsGraphGrid;

typedef struct {
  double fmin, fmax;            /* x axis, Hz (log scale) */
  double db_min, db_max;        /* y axis, dB */
  double line_width;            /* px at 800×500 */
  uint8_t line_colour[3];       /* RGB; grey images use its luma */
  double frame_width;           /* px at 800×500 */
  EsGraphGrid grid;
  uint8_t grid_colour[3];
  double grid_width;            /* px at 800×500 */
} EsGraphStyle;

/* The seed's style: 20 Hz-20 kHz, -30..+30 dB, 2-px line #1f77b4, 0.8 pt
 * (1.11 px) black frame, no grid; grid when asked #b0b0b0, 0.8 pt. */
void es_graph_style_init (EsGraphStyle * style);

/* Where things land on a width×height image, in continuous pixel coordinates
 * (0,0 = top-left corner of the top-left pixel; pixel (i,j) has its centre at
 * (i+0.5, j+0.5)). */
void es_graph_axes_box (unsigned width, unsigned height, double *left, double *top,
    double *right, double *bottom);
double es_graph_x_of_frequency (const EsGraphStyle * style, unsigned width, double frequency);
double es_graph_y_of_level (const EsGraphStyle * style, unsigned height, double level);
/* Line/frame/grid widths in pixels at this size (scaled, at least 1 px). */
double es_graph_scaled_width (double reference_width, unsigned width, unsigned height);

/* Draw the curve through (frequency[i], level[i]) (Hz increasing, dB as they
 * are: pass a zero-mean curve for the seed's look) onto `image`, whose pixels
 * may be anyone's memory (e.g. a mapped video frame, with its stride); the
 * whole image is overwritten. Parts outside the axes box are clipped.
 * Fails (ES_IO_ERROR_DATA) on non-finite values or non-increasing frequencies. */
gboolean es_graph_draw (EsImage * image, const double *frequency, const double *level,
    size_t n, const EsGraphStyle * style, GError ** error);

/* Same onto a new image of the given size and channels (1 grey, 3 RGB). */
EsImage *es_graph_render (unsigned width, unsigned height, unsigned channels,
    const double *frequency, const double *level, size_t n, const EsGraphStyle * style,
    GError ** error);

/* A curve sampled on es_fr_log_grid (n points fmin..fmax), as float32 — the
 * features frsrc produces. */
gboolean es_graph_draw_log_grid (EsImage * image, const float *level, size_t n,
    double fmin, double fmax, const EsGraphStyle * style, GError ** error);

G_END_DECLS

#endif
