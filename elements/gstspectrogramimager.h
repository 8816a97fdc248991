/* earshot: feature vectors to images (FR graphs, spectrograms)
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
#define GST_TYPE_SPECTROGRAM_IMAGER_NORMALISE  (gst_spectrogram_imager_normalise_get_type ())
#define GST_TYPE_SPECTROGRAM_IMAGER_COLOUR_MAP (gst_spectrogram_imager_colour_map_get_type ())

/**
 * GstSpectrogramImagerMode:
 * @GST_SPECTROGRAM_IMAGER_MODE_GRAPH: each feature vector (a log-frequency
 *   curve in dB) is drawn as a measurement graph, one frame per vector
 * @GST_SPECTROGRAM_IMAGER_MODE_SPECTROGRAM: windows of gammatone band
 *   energies are drawn as spectrogram images, bands × frames
 * @GST_SPECTROGRAM_IMAGER_MODE_AUTO: graph for `scale=log-frequency` input,
 *   spectrogram for `scale=gammatone`
 *
 * What the element draws.
 */
typedef enum
{
  GST_SPECTROGRAM_IMAGER_MODE_GRAPH,
  GST_SPECTROGRAM_IMAGER_MODE_SPECTROGRAM,
  GST_SPECTROGRAM_IMAGER_MODE_AUTO,
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

/**
 * GstSpectrogramImagerNormalise:
 * @GST_SPECTROGRAM_IMAGER_NORMALISE_NONE: the fixed range db-min..db-max
 *   (images compare across windows and files)
 * @GST_SPECTROGRAM_IMAGER_NORMALISE_PEAK: each window's loudest value at the
 *   top, the span db-max − db-min below it
 * @GST_SPECTROGRAM_IMAGER_NORMALISE_RANGE: each window from its quietest to
 *   its loudest value
 *
 * Per-window normalisation in spectrogram mode.
 */
typedef enum
{
  GST_SPECTROGRAM_IMAGER_NORMALISE_NONE,
  GST_SPECTROGRAM_IMAGER_NORMALISE_PEAK,
  GST_SPECTROGRAM_IMAGER_NORMALISE_RANGE,
} GstSpectrogramImagerNormalise;

/**
 * GstSpectrogramImagerColourMap:
 * @GST_SPECTROGRAM_IMAGER_COLOUR_MAP_VIRIDIS: Matplotlib's viridis
 * @GST_SPECTROGRAM_IMAGER_COLOUR_MAP_MAGMA: Matplotlib's magma
 *
 * Colours of RGB spectrograms (GRAY8 is the level itself).
 */
typedef enum
{
  GST_SPECTROGRAM_IMAGER_COLOUR_MAP_VIRIDIS,
  GST_SPECTROGRAM_IMAGER_COLOUR_MAP_MAGMA,
} GstSpectrogramImagerColourMap;

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
  guint window_frames, hop_frames;
  gdouble db_min, db_max;
  GstSpectrogramImagerNormalise normalise;
  GstSpectrogramImagerColourMap colour_map;

  /* <private> negotiated input (streaming thread) */
  gboolean have_input;
  GstSpectrogramImagerMode active_mode;  /* graph or spectrogram */
  gint bands;
  gint fps_n, fps_d;
  gdouble fmin, fmax;           /* Hz of the first and last band (graph mode) */
  /* negotiated output */
  GstVideoInfo out_info;
  gboolean have_output;

  /* spectrogram windows (streaming thread) */
  guint window, hop;            /* frames, fixed at the caps event */
  gfloat *frames;               /* window × bands: the frames of the next image */
  guint n_buffered;             /* frames in it */
  guint n_undrawn;              /* of which in no image yet */
  guint64 skip;                 /* frames to drop first (hop > window) */
  guint64 next_index;           /* frames since the anchor, incl. skipped */
  guint64 start_index;          /* frame index of frames[0] */
  GstClockTime t0;              /* PTS of frame 0 since the anchor */
  gboolean anchored;
  gboolean discont;             /* flag the next image DISCONT */
};

struct _GstSpectrogramImagerClass
{
  GstElementClass parent_class;
};

GType gst_spectrogram_imager_get_type (void);
GType gst_spectrogram_imager_mode_get_type (void);
GType gst_spectrogram_imager_grid_get_type (void);
GType gst_spectrogram_imager_normalise_get_type (void);
GType gst_spectrogram_imager_colour_map_get_type (void);

GST_ELEMENT_REGISTER_DECLARE (spectrogramimager);

G_END_DECLS

#endif /* __GST_SPECTROGRAM_IMAGER_H__ */
