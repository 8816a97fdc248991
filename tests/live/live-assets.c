/* Test models and audio for live classification; see live-assets.h. */
#include "live-assets.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dsp/frontend.h"
#include "model/model.h"

#define BANDS 16
#define FRAMES 50
#define NOISE 0.01
#define TONE 0.3

static const char *const labels[] = { "quiet", "low", "high", NULL };

enum { QUIET, LOW, HIGH, N_LABELS };

typedef struct
{
  guint32 state;
} Noise;

/* uniform in [-1, 1), the same sequence on every machine */
static double
noise_next (Noise * n)
{
  n->state = n->state * 1664525u + 1013904223u;
  return (double) (n->state >> 8) / (double) (1u << 23) - 1.0;
}

typedef struct
{
  double freq, from, to;        /* a tone between from and to (s) */
} Tone;

/* noise plus tones, at rate, for seconds */
static float *
synthesize (unsigned rate, double seconds, const Tone * tones, int n_tones,
    size_t *n_samples, guint32 seed)
{
  size_t n = (size_t) llround (seconds * rate);
  float *x = g_new (float, n);
  Noise noise = { seed };

  for (size_t i = 0; i < n; i++) {
    double t = (double) i / rate, v = NOISE * noise_next (&noise);

    for (int k = 0; k < n_tones; k++)
      if (t >= tones[k].from && t < tones[k].to)
        v += TONE * sin (2 * G_PI * tones[k].freq * t);
    x[i] = (float) v;
  }
  *n_samples = n;
  return x;
}

static gboolean
write_wav (const char *dir, const char *name, const float *x, size_t n,
    unsigned rate, unsigned channels)
{
  char *path = g_build_filename (dir, name, NULL);
  FILE *f = fopen (path, "wb");
  guint32 data_bytes = (guint32) (n * channels * 2), v32;
  guint16 v16;
  gboolean ok;

  if (f == NULL) {
    fprintf (stderr, "live-assets: cannot write %s\n", path);
    g_free (path);
    return FALSE;
  }
#define PUT32(v) (v32 = GUINT32_TO_LE (v), fwrite (&v32, 4, 1, f))
#define PUT16(v) (v16 = GUINT16_TO_LE (v), fwrite (&v16, 2, 1, f))
  fwrite ("RIFF", 1, 4, f);
  PUT32 (36 + data_bytes);
  fwrite ("WAVEfmt ", 1, 8, f);
  PUT32 (16);
  PUT16 (1);
  PUT16 (channels);
  PUT32 (rate);
  PUT32 (rate * channels * 2);
  PUT16 (channels * 2);
  PUT16 (16);
  fwrite ("data", 1, 4, f);
  PUT32 (data_bytes);
  for (size_t i = 0; i < n; i++) {
    gint16 s = (gint16) lrint (CLAMP (x[i], -1.0f, 1.0f) * 32767.0f);

    for (unsigned c = 0; c < channels; c++)
      PUT16 ((guint16) s);
  }
#undef PUT32
#undef PUT16
  ok = !ferror (f);
  ok &= fclose (f) == 0;
  if (!ok)
    fprintf (stderr, "live-assets: cannot write %s\n", path);
  g_free (path);
  return ok;
}

/* Mean log energy per band of a clip, through the library's front-end. */
static void
band_means (EsFrontend * fe, const float *x, size_t n, double *mean)
{
  size_t frames = 0;
  float *feat = es_frontend_process_clip (fe, x, n, &frames);

  for (int b = 0; b < BANDS; b++) {
    mean[b] = 0;
    for (size_t k = 0; k < frames; k++)
      mean[b] += feat[k * BANDS + b];
    mean[b] /= MAX (frames, 1);
  }
  g_free (feat);
}

/* Sets "low"/"high": K/FRAMES on each frame of the tone's band, bias -K*T. */
static gboolean
calibrate (EsModel * model, unsigned rate, GError ** error)
{
  EsFrontendConfig config;
  EsFrontend *fe;
  double quiet[BANDS], tone[2][BANDS];
  const double freqs[2] = { LIVE_TONE_LOW_HZ, LIVE_TONE_HIGH_HZ };
  EsNet *net = es_model_get_net (model);
  EsNetParam *w = es_net_find_param (net, "1.weight");
  EsNetParam *b = es_net_find_param (net, "1.bias");
  size_t n;
  float *x;

  es_frontend_config_init (&config, rate);
  config.n_bands = BANDS;
  config.fmin = 50;
  config.fmax = rate / 2.0;
  fe = es_frontend_new (&config, error);
  if (fe == NULL)
    return FALSE;
  x = synthesize (rate, 1.0, NULL, 0, &n, 7);
  band_means (fe, x, n, quiet);
  g_free (x);
  for (int k = 0; k < 2; k++) {
    Tone t = { freqs[k], 0, 10 };

    x = synthesize (rate, 1.0, &t, 1, &n, 7);
    band_means (fe, x, n, tone[k]);
    g_free (x);
  }
  es_frontend_free (fe);

  memset (w->value->data, 0, N_LABELS * BANDS * FRAMES * sizeof (float));
  memset (b->value->data, 0, N_LABELS * sizeof (float));
  for (int k = 0; k < 2; k++) {
    int label = k == 0 ? LOW : HIGH, best = 0;
    double gain, threshold;

    for (int band = 1; band < BANDS; band++)
      if (tone[k][band] - quiet[band] > tone[k][best] - quiet[best])
        best = band;
    gain = 20.0 / (tone[k][best] - quiet[best]);
    threshold = quiet[best] + 0.3 * (tone[k][best] - quiet[best]);
    for (int t = 0; t < FRAMES; t++)
      w->value->data[(size_t) label * BANDS * FRAMES + best * FRAMES + t] =
          (float) (gain / FRAMES);
    b->value->data[label] = (float) (-gain * threshold);
  }
  return TRUE;
}

static gboolean
write_model (const char *dir, const char *name, unsigned rate, gboolean image)
{
  size_t shape2[2] = { BANDS, FRAMES }, shape3[3] = { 1, BANDS, FRAMES };
  GError *error = NULL;
  EsModel *model = es_model_new (name,
      "[{\"type\":\"flatten\"},{\"type\":\"dense\",\"out_features\":3}]",
      image ? ES_MODEL_INPUT_IMAGE : ES_MODEL_INPUT_FEATURES, image ? 3 : 2,
      image ? shape3 : shape2, labels, &error);
  char *file = g_strconcat (name, ".safetensors", NULL);
  char *path = g_build_filename (dir, file, NULL);
  char *frontend = g_strdup_printf ("{\"rate\":%u,\"preemphasis\":0.97,"
      "\"frame_size\":%u,\"hop_size\":%u,\"window\":\"hamming\",\"bands\":%d,"
      "\"fmin\":50,\"fmax\":%u}", rate, rate / 40, rate / 100, BANDS,
      rate / 2);
  gboolean ok = model != NULL;

  if (ok) {
    es_model_set_task (model, "test model: a 300 Hz and a 2500 Hz tone in "
        "quiet noise, weights set by hand");
    ok = calibrate (model, rate, &error)
        && es_model_set_frontend (model, frontend, &error)
        && es_model_save (model, path, &error);
  }
  if (!ok)
    fprintf (stderr, "live-assets: %s: %s\n", name, error->message);
  g_clear_error (&error);
  es_model_free (model);
  g_free (frontend);
  g_free (path);
  g_free (file);
  return ok;
}

/* The file at `path` with its "frontend" metadata replaced by `frontend`,
 * whatever that says: a model file as a hand (or another program) might
 * write it, which the library itself refuses to describe. */
static gboolean
rewrite_frontend (const char *path, const char *frontend, GError ** error)
{
  EsSafetensors *st = es_safetensors_load (path, error);
  EsSafetensorsWriter *w;
  gboolean ok = TRUE;

  if (!st)
    return FALSE;
  w = es_safetensors_writer_new ();
  for (const char *const *k = es_safetensors_get_metadata_keys (st); *k; k++)
    es_safetensors_writer_set_metadata (w, *k, strcmp (*k, "frontend") ?
        es_safetensors_get_metadata (st, *k) : frontend);
  for (size_t i = 0; ok && i < es_safetensors_get_n_tensors (st); i++) {
    const EsSafetensorsTensor *t = es_safetensors_get_tensor (st, i);
    float *v = g_new (float, MAX (t->numel, 1));
    ok = es_safetensors_read_f32 (st, t->name, t->ndim, t->shape, v, error)
        && es_safetensors_writer_add_f32 (w, t->name, t->ndim, t->shape, v, error);
    g_free (v);
  }
  ok = ok && es_safetensors_writer_save (w, path, error);
  es_safetensors_writer_free (w);
  es_safetensors_free (st);
  return ok;
}

/* A model with zero weights and the given front-end settings (for the
 * refusals: not audio, settings out of range — those the library's
 * validator refuses are written into the file as they are). */
static gboolean
write_with_frontend (const char *dir, const char *name, size_t channels,
    size_t length, const char *frontend)
{
  size_t shape[2] = { channels, length };
  GError *error = NULL;
  EsModel *model = es_model_new (name,
      "[{\"type\":\"flatten\"},{\"type\":\"dense\",\"out_features\":3}]",
      ES_MODEL_INPUT_FEATURES, 2, shape, labels, &error);
  char *file = g_strconcat (name, ".safetensors", NULL);
  char *path = g_build_filename (dir, file, NULL);
  gboolean ok = model != NULL && es_model_save (model, path, &error)
      && rewrite_frontend (path, frontend, &error);

  if (!ok)
    fprintf (stderr, "live-assets: %s: %s\n", name, error->message);
  g_clear_error (&error);
  es_model_free (model);
  g_free (path);
  g_free (file);
  return ok;
}

static gboolean
write_audio (const char *dir, const char *name, unsigned rate,
    unsigned channels, double seconds, const Tone * tones, int n_tones)
{
  size_t n;
  float *x = synthesize (rate, seconds, tones, n_tones, &n, 12345);
  gboolean ok = write_wav (dir, name, x, n, rate, channels);

  g_free (x);
  return ok;
}

gboolean
live_assets_write (const char *dir)
{
  const Tone burst = { LIVE_TONE_LOW_HZ, 1.0, 2.0 };
  const Tone two[2] = { {LIVE_TONE_LOW_HZ, 0.5, 1.5},
  {LIVE_TONE_HIGH_HZ, 2.0, 3.0}
  };
  const Tone long_burst = { LIVE_TONE_LOW_HZ, 1.0, 100.0 };

  return write_model (dir, "tiny-live", 16000, FALSE)
      && write_model (dir, "tiny-live-8k", 8000, FALSE)
      && write_model (dir, "tiny-live-2d", 16000, TRUE)
      && write_with_frontend (dir, "tiny-not-audio", 1, 8,
      "{\"source\":\"frsrc\",\"points\":8,\"fmin\":20,\"fmax\":20000}")
      && write_with_frontend (dir, "tiny-bad-window", BANDS, FRAMES,
      "{\"rate\":16000,\"window\":\"triangle\",\"bands\":16}")
      && write_with_frontend (dir, "tiny-bad-preemphasis", BANDS, FRAMES,
      "{\"rate\":16000,\"preemphasis\":5,\"bands\":16}")
      && write_with_frontend (dir, "tiny-wrong-bands", BANDS, FRAMES,
      "{\"rate\":16000,\"bands\":64}")
      && write_audio (dir, "burst.wav", 16000, 1, 3.5, &burst, 1)
      && write_audio (dir, "burst-44k-stereo.wav", 44100, 2, 3.5, &burst, 1)
      && write_audio (dir, "two-tones.wav", 16000, 1, 4.0, two, 2)
      && write_audio (dir, "quiet.wav", 16000, 1, 2.0, NULL, 0)
      && write_audio (dir, "long-burst.wav", 16000, 1, 20.0, &long_burst, 1);
}
