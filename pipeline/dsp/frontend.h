/* The whole audio front-end in one call: pre-emphasis -> framing + window ->
 * gammatone band energies -> log -> optional DCT. The trainer uses this on whole
 * clips; the elements run the same stages one by one, and a test checks that
 * both give the same numbers. */
#ifndef ES_DSP_FRONTEND_H
#define ES_DSP_FRONTEND_H

#include <stddef.h>
#include <glib.h>

#include "window.h"
#include "gammatone.h"

G_BEGIN_DECLS

typedef struct {
  unsigned sample_rate;       /* Hz, default 16000 */
  double preemphasis;         /* coefficient a, 0 disables; default 0.97 */
  size_t frame_size;          /* samples, default 400 */
  size_t hop_size;            /* samples, default 160 */
  EsWindowType window;        /* default Hamming */
  unsigned n_bands;           /* default 64 */
  double fmin, fmax;          /* Hz, default 50 and sample_rate / 2 */
  double bandwidth;           /* ERB factor, default 1.019 */
  double log_floor;           /* default 1e-10 */
  unsigned n_dct;             /* 0 = log energies out; else DCT coefficients kept */
  const EsGammatoneBand *bands; /* NULL = mel initialisation from the fields above */
} EsFrontendConfig;

/* Fill with the defaults above for a given rate. */
void es_frontend_config_init (EsFrontendConfig *config, unsigned sample_rate);

/* The one check of audio front-end settings: es_frontend_new, the elements
 * (through the values they negotiated), the CLI and model files
 * (model/frontend-desc.h) all use it. FALSE with ES_DSP_ERROR_INVALID_CONFIG and
 * a message naming the setting and its bounds: rate 1 Hz - 1 MHz, preemphasis
 * in [-1, 1], frame_size and hop_size 1 - 2^20 samples, bands 1 - 4096,
 * log_floor > 0, dct <= bands, and without explicit bands 0 <= fmin < fmax <=
 * rate / 2 and bandwidth > 0. */
gboolean es_frontend_config_validate (const EsFrontendConfig *config, GError **error);

typedef struct _EsFrontend EsFrontend;

/* Returns NULL and sets error (ES_DSP_ERROR) if a setting is out of range. The
 * config and its bands are copied. */
EsFrontend *es_frontend_new (const EsFrontendConfig *config, GError **error);
void es_frontend_free (EsFrontend *fe);
/* Values per frame: n_dct if > 0, else n_bands. */
unsigned es_frontend_get_n_features (const EsFrontend *fe);
/* The filterbank in use (its bands are the mel initialisation or config->bands). */
const EsGammatoneFb *es_frontend_get_filterbank (const EsFrontend *fe);

/* Features of a whole mono clip (state starts from reset; one thread at a time
 * per fe, use one EsFrontend per thread): returns a newly
 * allocated row-major matrix of *n_frames rows (g_free); *n_frames may be 0
 * (returns NULL then) when the clip is shorter than one frame. */
float *es_frontend_process_clip (EsFrontend *fe, const float *samples, size_t n_samples,
    size_t *n_frames);

G_END_DECLS

#endif
