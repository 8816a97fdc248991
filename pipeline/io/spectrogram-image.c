/* Spectrogram images (see spectrogram-image.h). */
#include "io/spectrogram-image.h"
#include "io/resize.h"

#include <math.h>
#include <string.h>

void
es_spectrogram_style_init (EsSpectrogramStyle * style)
{
  style->db_min = ES_SPECTROGRAM_DB_MIN_DEFAULT;
  style->db_max = ES_SPECTROGRAM_DB_MAX_DEFAULT;
  style->normalise = ES_SPECTROGRAM_NORMALISE_NONE;
  style->colour_map = ES_COLOUR_MAP_VIRIDIS;
}

gboolean
es_spectrogram_style_check (const EsSpectrogramStyle * style, GError ** error)
{
  if (!(isfinite (style->db_min) && isfinite (style->db_max)
          && style->db_min < style->db_max)) {
    g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_DATA,
        "the dB range %g..%g is not an increasing pair of finite numbers",
        style->db_min, style->db_max);
    return FALSE;
  }
  return TRUE;
}

/* The dB values drawn at level 0 and 1 for this window; FALSE when the
 * window has no contrast to normalise (every pixel is then level 0). */
static gboolean
window_range (const float *log_energies, size_t n, const EsSpectrogramStyle * style,
    double *lo, double *hi)
{
  float min = INFINITY, max = -INFINITY;

  if (style->normalise == ES_SPECTROGRAM_NORMALISE_NONE) {
    *lo = style->db_min;
    *hi = style->db_max;
    return TRUE;
  }
  for (size_t i = 0; i < n; i++) {
    float v = log_energies[i];
    if (isfinite (v)) {
      min = MIN (min, v);
      max = MAX (max, v);
    }
  }
  if (!(max >= min) || ((double) max - min) * ES_SPECTROGRAM_DB_PER_LN < ES_SPECTROGRAM_FLAT_DB)
    return FALSE;
  *hi = max * ES_SPECTROGRAM_DB_PER_LN;
  if (style->normalise == ES_SPECTROGRAM_NORMALISE_PEAK)
    *lo = *hi - (style->db_max - style->db_min);
  else
    *lo = min * ES_SPECTROGRAM_DB_PER_LN;
  return TRUE;
}

gboolean
es_spectrogram_levels (const float *log_energies, size_t n_frames, size_t n_bands,
    const EsSpectrogramStyle * style, float *levels, unsigned width, unsigned height,
    GError ** error)
{
  double lo = 0, hi = 1, scale;
  gboolean contrast;
  float *grid;

  if (!es_spectrogram_style_check (style, error))
    return FALSE;
  if (n_frames == 0 || n_bands == 0 || n_frames > G_MAXUINT || n_bands > G_MAXUINT
      || n_frames > G_MAXSIZE / sizeof (float) / n_bands) {
    g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_DATA,
        "cannot draw %" G_GSIZE_FORMAT " frames of %" G_GSIZE_FORMAT " bands",
        n_frames, n_bands);
    return FALSE;
  }
  if (width == 0 || height == 0) {
    g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_DATA, "cannot draw a %ux%u image",
        width, height);
    return FALSE;
  }
  grid = g_try_new (float, n_frames * n_bands);
  if (grid == NULL) {
    g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_DATA,
        "not enough memory for %" G_GSIZE_FORMAT " frames of %" G_GSIZE_FORMAT " bands",
        n_frames, n_bands);
    return FALSE;
  }

  contrast = window_range (log_energies, n_frames * n_bands, style, &lo, &hi);
  scale = 1.0 / (hi - lo);
  /* One cell per band and frame, highest band in the top row. */
  for (size_t t = 0; t < n_frames; t++) {
    const float *frame = log_energies + t * n_bands;
    for (size_t b = 0; b < n_bands; b++) {
      float v = frame[b], level;
      if (!contrast || isnan (v) || v == -INFINITY)
        level = 0.0f;
      else if (v == INFINITY)
        level = 1.0f;
      else
        level = (float) CLAMP ((v * ES_SPECTROGRAM_DB_PER_LN - lo) * scale, 0.0, 1.0);
      grid[(n_bands - 1 - b) * n_frames + t] = level;
    }
  }
  es_resize_float (grid, (unsigned) n_frames, (unsigned) n_bands, n_frames, levels,
      width, height);
  g_free (grid);
  /* Averaging weights sum to 1 only up to rounding. */
  for (size_t i = 0; i < (size_t) width * height; i++)
    levels[i] = CLAMP (levels[i], 0.0f, 1.0f);
  return TRUE;
}

gboolean
es_spectrogram_draw (EsImage * image, const float *log_energies, size_t n_frames,
    size_t n_bands, const EsSpectrogramStyle * style, GError ** error)
{
  const uint8_t (*map)[3] = es_colour_map_table (style->colour_map);
  float *levels;

  if (image->channels != 1 && image->channels != 3) {
    g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_DATA,
        "spectrogram images have 1 or 3 channels, not %u", image->channels);
    return FALSE;
  }
  levels = g_try_new (float, (gsize) image->width * image->height);
  if (levels == NULL && image->width > 0 && image->height > 0) {
    g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_DATA,
        "not enough memory for a %ux%u image", image->width, image->height);
    return FALSE;
  }
  if (!es_spectrogram_levels (log_energies, n_frames, n_bands, style, levels,
          image->width, image->height, error)) {
    g_free (levels);
    return FALSE;
  }
  for (unsigned y = 0; y < image->height; y++) {
    const float *in = levels + (size_t) y * image->width;
    uint8_t *out = image->pixels + y * image->stride;
    if (image->channels == 1) {
      for (unsigned x = 0; x < image->width; x++)
        out[x] = (uint8_t) (in[x] * 255.0f + 0.5f);
    } else {
      for (unsigned x = 0; x < image->width; x++)
        memcpy (out + 3 * x, map[(uint8_t) (in[x] * 255.0f + 0.5f)], 3);
    }
  }
  g_free (levels);
  return TRUE;
}
