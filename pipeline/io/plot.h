/* Training plots as PNG images: line plots of per-epoch curves (loss,
 * accuracy) and a confusion-matrix heat map. Pictures only, no text (there is
 * no font renderer in the tree): the model card carries the legend, axis
 * ranges and the numbers. */
#ifndef ES_IO_PLOT_H
#define ES_IO_PLOT_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "png.h"

G_BEGIN_DECLS

typedef struct {
  const double *y;          /* n values; non-finite ones leave a gap */
  size_t n;
  guint32 rgb;              /* 0xRRGGBB */
} EsPlotSeries;

/* Colours used by the trainer's plots (a colour-blind-safe pair). */
#define ES_PLOT_BLUE   0x0072B2
#define ES_PLOT_ORANGE 0xE69F00

/* Render series against their index (x = 0..n-1) on a white RGB canvas with a
 * black frame and light grid lines at 5 y divisions; the y range is the data's
 * (or [y_min, y_max] when y_min < y_max), reported back through the pointers
 * when they are not NULL. */
EsImage *es_plot_lines_render (const EsPlotSeries *series, size_t n_series,
    unsigned width, unsigned height, double *y_min, double *y_max);
gboolean es_plot_lines_write (const char *path, const EsPlotSeries *series, size_t n_series,
    unsigned width, unsigned height, double *y_min, double *y_max, GError **error);

/* Heat map of a k x k confusion matrix (rows = true class, columns = predicted),
 * each row scaled by its total: white = 0 %, dark blue = 100 %; cell pixels
 * square, with a grey grid. */
EsImage *es_plot_confusion_render (const size_t *confusion, int k, unsigned cell);
gboolean es_plot_confusion_write (const char *path, const size_t *confusion, int k,
    unsigned cell, GError **error);

G_END_DECLS

#endif
