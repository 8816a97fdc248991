/* The whole audio front-end on a clip, built only from the other dsp stages so
 * the trainer and the elements compute the same numbers. */
#include "dsp/frontend.h"

#include <math.h>
#include <string.h>

#include "dsp/dct.h"
#include "dsp/framer.h"
#include "dsp/preemphasis.h"

struct _EsFrontend {
  EsFrontendConfig config;
  unsigned n_features;
  EsFramer *framer;
  EsGammatoneFb *fb;
  EsDct *dct;             /* NULL when n_dct == 0 */
  size_t chunk_size;      /* samples fed to the framer per call */
  float *chunk;           /* chunk_size pre-emphasised samples */
  float *frames;          /* room for the frames one chunk can complete */
  float *energies;        /* log energies of max_frames frames, when the DCT is on */
};

void
es_frontend_config_init (EsFrontendConfig *config, unsigned sample_rate)
{
  memset (config, 0, sizeof (*config));
  config->sample_rate = sample_rate;
  config->preemphasis = ES_PREEMPHASIS_DEFAULT_COEFFICIENT;
  config->frame_size = 400;
  config->hop_size = 160;
  config->window = ES_WINDOW_HAMMING;
  config->n_bands = 64;
  config->fmin = ES_GAMMATONE_DEFAULT_FMIN;
  config->fmax = sample_rate / 2.0;
  config->bandwidth = ES_GAMMATONE_DEFAULT_BANDWIDTH;
  config->log_floor = ES_GAMMATONE_DEFAULT_LOG_FLOOR;
  config->n_dct = 0;
  config->bands = NULL;
}

/* Limits the elements share (hammingframe's frame-size / hop-size, gammatonefb's
 * bands), so a setting one place accepts no other refuses. */
#define MAX_FRAME_SIZE (1u << 20)
#define MAX_BANDS 4096u
#define MAX_RATE 1000000u

gboolean
es_frontend_config_validate (const EsFrontendConfig *c, GError **error)
{
  char *problem = NULL;

  if (c->sample_rate < 1 || c->sample_rate > MAX_RATE)
    problem = g_strdup_printf ("rate %u Hz is outside [1, %u]", c->sample_rate, MAX_RATE);
  else if (!isfinite (c->preemphasis) || c->preemphasis < -1.0 || c->preemphasis > 1.0)
    problem = g_strdup_printf ("preemphasis %g is outside [-1, 1]", c->preemphasis);
  else if (c->frame_size < 1 || c->frame_size > MAX_FRAME_SIZE)
    problem = g_strdup_printf ("frame_size %zu is outside [1, %u] samples", c->frame_size,
        MAX_FRAME_SIZE);
  else if (c->hop_size < 1 || c->hop_size > MAX_FRAME_SIZE)
    problem = g_strdup_printf ("hop_size %zu is outside [1, %u] samples", c->hop_size,
        MAX_FRAME_SIZE);
  else if (es_window_type_name (c->window) == NULL)
    problem = g_strdup_printf ("window %d is not a known window", (int) c->window);
  else if (c->n_bands < 1 || c->n_bands > MAX_BANDS)
    problem = g_strdup_printf ("bands %u is outside [1, %u]", c->n_bands, MAX_BANDS);
  else if (!isfinite (c->log_floor) || c->log_floor <= 0.0)
    problem = g_strdup_printf ("log_floor %g must be finite and > 0", c->log_floor);
  else if (c->n_dct > c->n_bands)
    problem = g_strdup_printf ("dct %u is larger than bands %u", c->n_dct, c->n_bands);
  else if (c->bands == NULL) {
    if (!isfinite (c->fmax) || c->fmax > c->sample_rate / 2.0)
      problem = g_strdup_printf ("fmax %g Hz is above the Nyquist frequency %g Hz of the "
          "%u Hz rate", c->fmax, c->sample_rate / 2.0, c->sample_rate);
    else if (!isfinite (c->fmin) || c->fmin < 0.0 || c->fmin >= c->fmax)
      problem = g_strdup_printf ("fmin %g Hz must be >= 0 and below fmax %g Hz", c->fmin,
          c->fmax);
    else if (!isfinite (c->bandwidth) || c->bandwidth <= 0.0)
      problem = g_strdup_printf ("bandwidth %g must be finite and > 0", c->bandwidth);
  }
  if (problem) {
    g_set_error (error, ES_DSP_ERROR, ES_DSP_ERROR_INVALID_CONFIG, "front-end: %s", problem);
    g_free (problem);
    return FALSE;
  }
  return TRUE;
}

EsFrontend *
es_frontend_new (const EsFrontendConfig *config, GError **error)
{
  EsFrontend *fe;
  EsGammatoneBand *mel_bands = NULL;
  const EsGammatoneBand *bands = config->bands;
  EsGammatoneFb *fb;
  size_t max_frames;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!es_frontend_config_validate (config, error))
    return NULL;
  if (bands == NULL) {
    mel_bands = es_gammatone_bands_mel (config->n_bands, config->fmin, config->fmax,
        config->bandwidth);
    bands = mel_bands;
  }
  fb = es_gammatone_fb_new (bands, config->n_bands, config->frame_size,
      config->sample_rate, error);
  g_free (mel_bands);
  if (fb == NULL)
    return NULL;

  fe = g_new0 (EsFrontend, 1);
  fe->config = *config;
  fe->fb = fb;
  /* Our copy must not point at the caller's array. */
  fe->config.bands = es_gammatone_fb_get_bands (fb);
  fe->n_features = config->n_dct > 0 ? config->n_dct : config->n_bands;
  fe->framer = es_framer_new (config->frame_size, config->hop_size, config->window);
  if (config->n_dct > 0)
    fe->dct = es_dct_new (config->n_bands, config->n_dct);

  /* Some 32 hops per call, bounded so a huge hop does not mean a huge buffer.
   * The framer buffers fewer than frame_size samples, so one call completes
   * at most (chunk_size - 1) / hop + 1 frames. */
  fe->chunk_size = MIN (config->hop_size * 32, (size_t) 1 << 16);
  max_frames = (fe->chunk_size - 1) / config->hop_size + 1;
  fe->chunk = g_new (float, fe->chunk_size);
  fe->frames = g_new (float, max_frames * config->frame_size);
  if (fe->dct)
    fe->energies = g_new (float, max_frames * config->n_bands);
  return fe;
}

void
es_frontend_free (EsFrontend *fe)
{
  if (fe == NULL)
    return;
  es_framer_free (fe->framer);
  es_gammatone_fb_free (fe->fb);
  es_dct_free (fe->dct);
  g_free (fe->chunk);
  g_free (fe->frames);
  g_free (fe->energies);
  g_free (fe);
}

unsigned
es_frontend_get_n_features (const EsFrontend *fe)
{
  return fe->n_features;
}

const EsGammatoneFb *
es_frontend_get_filterbank (const EsFrontend *fe)
{
  return fe->fb;
}

float *
es_frontend_process_clip (EsFrontend *fe, const float *samples, size_t n_samples,
    size_t *n_frames)
{
  const EsFrontendConfig *c = &fe->config;
  const unsigned n_bands = c->n_bands;
  float preemphasis_state = 0.0f;
  float *features, *row;
  size_t total;

  es_framer_reset (fe->framer);
  total = es_framer_frames_for (fe->framer, n_samples);
  *n_frames = total;
  if (total == 0)
    return NULL;

  features = g_new (float, total * fe->n_features);
  row = features;
  for (size_t pos = 0; pos < n_samples; pos += fe->chunk_size) {
    size_t n = MIN (fe->chunk_size, n_samples - pos);
    size_t got;
    float *energies;

    memcpy (fe->chunk, samples + pos, n * sizeof (float));
    if (c->preemphasis != 0.0)
      es_preemphasis_f32 (fe->chunk, n, 1, (float) c->preemphasis, &preemphasis_state);
    got = es_framer_process (fe->framer, fe->chunk, n, fe->frames);
    /* Log energies straight into the output rows, or via fe->energies when
     * the DCT makes the rows shorter. */
    energies = fe->dct ? fe->energies : row;
    es_gammatone_fb_energies_frames (fe->fb, fe->frames, got, energies);
    es_log_compress (energies, got * n_bands, (float) c->log_floor);
    if (fe->dct) {
      for (size_t i = 0; i < got; i++)
        es_dct_process (fe->dct, energies + i * n_bands, row + i * fe->n_features);
    }
    row += got * fe->n_features;
  }
  g_assert (row == features + total * fe->n_features);
  return features;
}
