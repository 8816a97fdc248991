/* earshot: feature vectors to images (FR graphs; spectrograms later)
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_SPECTROGRAM_IMAGER_H__
#define __GST_SPECTROGRAM_IMAGER_H__

#include <gst/gst.h>
#include <gst/video/video.h>

G_BEGIN_DECLS

#define GST_TYPE_SPECTROGRAM_IMAGER            (gst_spectrogram_imager_get_type ())
#define GST_SPECTROGRAM_IMAGER(obj)            (G_TYPE_CHECK_INSTANCE_CAST ((obj), GST_TYPE_SPECTROGRAM_IMAGER, GstSpectrogramImager))
#define GST_IS_SPECTROGRAM_IMAGER(obj)         (G_TYPE_CHECK_INSTANCE_TYPE ((obj), GST_TYPE_SPECTROGRAM_IMAGER))
#define GST_SPECTROGRAM_IMAGER_CLASS(klass)    (G_TYPE_CHECK_CLASS_CAST ((klass), GST_TYPE_SPECTROGRAM_IMAGER, GstSpectrogramImagerClass))
#define GST_IS_SPECTROGRAM_IMAGER_CLASS(klass) (G_TYPE_CHECK_CLASS_TYPE ((klass), GST_TYPE_SPECTROGRAM_IMAGER))
#define GST_TYPE_SPECTROGRAM_IMAGER_MODE       (gst_spectrogram_imager_mode_get_type ())
#define GST_TYPE_SPECTROGRAM_IMAGER_GRID       (gst_spectrogram_imager_grid_get_type ())

/**
 * GstSpectrogramImagerMode:
 * @GST_SPECTROGRAM_IMAGER_MODE_GRAPH: each feature vector (a log-frequency
 *   curve in dB) is drawn as a measurement graph, one frame per vector
 *
 * What the element draws. (A spectrogram mode, bands × frames windows with a
 * hop, is planned: it will be another value with its own renderer.)
 */
typedef enum
{
  GST_SPECTROGRAM_IMAGER_MODE_GRAPH,
} GstSpectrogramImagerMode;

/**
 * GstSpectrogramImagerGrid:
 * @GST_SPECTROGRAM_IMAGER_GRID_NONE: no grid (the seed's look)
 * @GST_SPECTROGRAM_IMAGER_GRID_MAJOR: decades and every 10 dB
 * @GST_SPECTROGRAM_IMAGER_GRID_MINOR: also 2..9 × each decade and every 5 dB
 *
 * Light grid lines in graph mode.
 */
typedef enum
{
  GST_SPECTROGRAM_IMAGER_GRID_NONE,
  GST_SPECTROGRAM_IMAGER_GRID_MAJOR,
  GST_SPECTROGRAM_IMAGER_GRID_MINOR,
} GstSpectrogramImagerGrid;

typedef struct _GstSpectrogramImager GstSpectrogramImager;
typedef struct _GstSpectrogramImagerClass GstSpectrogramImagerClass;

/**
 * GstSpectrogramImager:
 *
 * Opaque data structure.
 */
struct _GstSpectrogramImager
{
  GstElement parent;

  GstPad *sinkpad, *srcpad;

  /* properties (object lock) */
  GstSpectrogramImagerMode mode;
  gint width, height;
  gdouble line_width;
  guint line_colour;            /* 0xRRGGBB */
  GstSpectrogramImagerGrid grid;

  /* <private> negotiated input (streaming thread) */
  gboolean have_input;
  gint bands;
  gint fps_n, fps_d;
  gdouble fmin, fmax;           /* Hz of the first and last band */
  /* negotiated output */
  GstVideoInfo out_info;
  gboolean have_output;
};

struct _GstSpectrogramImagerClass
{
  GstElementClass parent_class;
};

GType gst_spectrogram_imager_get_type (void);
GType gst_spectrogram_imager_mode_get_type (void);
GType gst_spectrogram_imager_grid_get_type (void);

GST_ELEMENT_REGISTER_DECLARE (spectrogramimager);

G_END_DECLS

#endif /* __GST_SPECTROGRAM_IMAGER_H__ */
