/* A clip's spectrogram as a figure: the image of io/spectrogram-image inside
 * axes, for people (`earshot plot CLIP.wav out.png`). White figure, the
 * spectrogram in a black frame, a time axis below (seconds from the clip's
 * start, ticks every 1, 2 or 5 x 10^n s) and a frequency axis on the left
 * (Hz: round frequencies placed on the rows of the band centres around them,
 * interpolated on the mel scale), "s" and "Hz" for the units. Text is drawn
 * with io/bitmap-font, scaled with the figure. The pixels inside the frame are
 * exactly es_spectrogram_draw's at that size. */
#ifndef ES_IO_SPECTROGRAM_PLOT_H
#define ES_IO_SPECTROGRAM_PLOT_H

#include <stddef.h>
#include <glib.h>

#include "png.h"
#include "spectrogram-image.h"

G_BEGIN_DECLS

/* Where the spectrogram lands in a width x height figure (pixels: the frame
 * lies just outside this rectangle). FALSE when the figure is too small to
 * hold axes and at least 8 x 8 spectrogram pixels. */
gboolean es_spectrogram_plot_area (unsigned width, unsigned height, unsigned *left,
    unsigned *top, unsigned *area_width, unsigned *area_height);

/* Render the figure of log_energies (n_frames rows of n_bands, frame k
 * starting k / frame_rate s into the clip) whose bands have the centre
 * frequencies band_hz (n_bands values, Hz, increasing). channels: 1 grey, 3
 * RGB (colour map from style). NULL with ES_IO_ERROR_DATA when the size is
 * too small (see above) or the data cannot be drawn. */
EsImage *es_spectrogram_plot_render (unsigned width, unsigned height, unsigned channels,
    const float *log_energies, size_t n_frames, size_t n_bands, const double *band_hz,
    double frame_rate, const EsSpectrogramStyle * style, GError ** error);

G_END_DECLS

#endif
