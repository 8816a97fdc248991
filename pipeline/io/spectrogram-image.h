/* Spectrogram images: a window of n_frames feature vectors of n_bands
 * natural-log band energies (the gammatone front-end's output, frame after
 * frame) drawn as a grey or colour image, time left to right (column 0 = the
 * first frame), low bands at the bottom (the last image row is band 0).
 *
 * Levels: a log energy ln E (E = band power, squared sample units) is
 * 10 log10 E = (10 / ln 10) ln E dB. dB values map linearly onto [0, 1] over a
 * fixed range [db_min, db_max] (clamped), so images of different files and
 * windows compare; optionally the range moves with each window
 * (EsSpectrogramNormalise). The levels grid (one cell per band and frame) is
 * resampled to any image size by area averaging (io/resize), then quantised:
 * grey = round(255 v), RGB = the colour map's entry round(255 v). The result is
 * a pure function of the numbers and the settings (no state, no dithering), so
 * the element, the CLI and a trainer that reads images make the same pixels.
 *
 * Non-finite values: NaN and -inf (a NaN frame from the front-end, padding)
 * draw as level 0 and +inf as level 1; none of them count for normalisation. */
#ifndef ES_IO_SPECTROGRAM_IMAGE_H
#define ES_IO_SPECTROGRAM_IMAGE_H

#include <stddef.h>
#include <glib.h>

#include "png.h"
#include "colour-map.h"

G_BEGIN_DECLS

/* dB per natural-log unit of power: 10 / ln 10. */
#define ES_SPECTROGRAM_DB_PER_LN 4.3429448190325182765
/* The default range. With the default front-end (16 kHz, 400-sample Hamming
 * frames, pre-emphasis 0.97) a full-scale sine reads about +34 dB at 1 kHz and
 * +46 dB at 4 kHz in its band (pre-emphasis lifts high bands), speech and
 * environmental recordings peak at +20..+35 dB with their quiet parts around
 * -45 dB, and digital silence sits at the log floor (-100 dB): -50..+50 dB
 * holds all real signals without clipping. */
#define ES_SPECTROGRAM_DB_MIN_DEFAULT (-50.0)
#define ES_SPECTROGRAM_DB_MAX_DEFAULT 50.0
/* Windows whose finite values all lie within this many dB of each other
 * (e.g. digital silence) have no contrast to normalise: drawn at level 0. */
#define ES_SPECTROGRAM_FLAT_DB 1e-3

typedef enum {
  ES_SPECTROGRAM_NORMALISE_NONE,  /* [db_min, db_max] as given */
  ES_SPECTROGRAM_NORMALISE_PEAK,  /* shifted so the window's loudest value is at
                                   * the top; same span db_max - db_min */
  ES_SPECTROGRAM_NORMALISE_RANGE, /* the window's quietest value at the bottom,
                                   * its loudest at the top */
} EsSpectrogramNormalise;

typedef struct {
  double db_min, db_max;        /* level 0 and level 1, dB (db_min < db_max) */
  EsSpectrogramNormalise normalise;
  EsColourMap colour_map;       /* for 3-channel images */
} EsSpectrogramStyle;

/* -50..+50 dB, no normalisation, viridis. */
void es_spectrogram_style_init (EsSpectrogramStyle * style);

/* FALSE with ES_IO_ERROR_DATA when the range is not finite and increasing. */
gboolean es_spectrogram_style_check (const EsSpectrogramStyle * style, GError ** error);

/* The levels in [0, 1] of a width x height image (row-major, row 0 at the
 * top) of log_energies (n_frames rows of n_bands). Fails (ES_IO_ERROR_DATA)
 * on an empty window, a zero size or a bad style. */
gboolean es_spectrogram_levels (const float *log_energies, size_t n_frames,
    size_t n_bands, const EsSpectrogramStyle * style, float *levels, unsigned width,
    unsigned height, GError ** error);

/* Draw onto `image` (1 channel: grey; 3: the style's colour map), whose
 * pixels may be anyone's memory with its own stride (a mapped video frame, a
 * region of a larger picture); every pixel of it is written. */
gboolean es_spectrogram_draw (EsImage * image, const float *log_energies,
    size_t n_frames, size_t n_bands, const EsSpectrogramStyle * style, GError ** error);

G_END_DECLS

#endif
