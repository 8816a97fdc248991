/* Augmentation of audio training windows: a waveform pool built once, then
 * crop, gain, mixup and masks per drawn example (audio-augment.h). */
#include "tasks/audio/audio-augment.h"

#include <math.h>
#include <string.h>

#include "dsp/gammatone.h"
#include "train/train-error.h"

/* A source's active frames (crop_active_frames) and their mean energy. */
typedef struct {
  guint32 *frames;
  size_t n;
  double energy;                /* mean sum of bins' power over the active frames */
} Active;

struct _EsAudioAugment {
  const EsAudioSet *set;
  EsAudioAugmentConfig config;
  size_t n_clips;
  EsAudioSpectra *pool;         /* n_clips x pool_size */
  size_t bytes;
  Active *active;               /* n_clips x (1 + pool_size): the clip, then its variants */
  int background_class;         /* -1: none in the set */
  size_t *background_clips, n_background;
};

static const char *const fill_names[] = { "mean", "zero" };

const char *
es_audio_mask_fill_name (EsAudioMaskFill fill)
{
  return (unsigned) fill < G_N_ELEMENTS (fill_names) ? fill_names[fill] : NULL;
}

gboolean
es_audio_mask_fill_from_name (const char *name, EsAudioMaskFill *fill)
{
  for (unsigned i = 0; i < G_N_ELEMENTS (fill_names); i++)
    if (name && g_ascii_strcasecmp (name, fill_names[i]) == 0) {
      *fill = (EsAudioMaskFill) i;
      return TRUE;
    }
  return FALSE;
}

void
es_audio_augment_config_init (EsAudioAugmentConfig *c)
{
  memset (c, 0, sizeof *c);
  c->random_crop = TRUE;
  c->gain_db = 0.0;
  c->mixup_alpha = 0.0;
  c->mixup_probability = 1.0;
  c->mixup_between_classes = TRUE;
  c->time_masks = 0;
  c->time_mask_frames = 10;
  c->freq_masks = 0;
  c->freq_mask_fraction = 0.1;
  c->mask_fill = ES_AUDIO_MASK_FILL_MEAN;
  c->filter_db = 0.0;
  c->filter_bands = 4;
  c->filter_probability = 0.5;
  c->pool_size = 0;
  c->pool_probability = 0.75;
  c->pitch_semitones = 2.0;
  c->pitch_probability = 0.5;
  c->stretch_min = 0.8;
  c->stretch_max = 1.25;
  c->stretch_probability = 0.5;
  c->noise_snr_min = 10.0;
  c->noise_snr_max = 40.0;
  c->noise_probability = 0.5;
  c->noise_colour = ES_AUDIO_NOISE_WHITE;
  c->pool_seed = 1;
  c->crop_active_frames = FALSE;
  c->active_db = 30.0;
  c->background_probability = 0.0;
  c->background_snr_min = 0.0;
  c->background_snr_max = 20.0;
}

static gboolean
is_probability (double p)
{
  return p >= 0.0 && p <= 1.0;
}

static gboolean
check_config (const EsAudioAugmentConfig *c, GError **error)
{
  const char *problem = NULL;
  if (!(c->gain_db >= 0.0 && c->gain_db <= 60.0))
    problem = "gain_db must be in [0, 60]";
  else if (!(c->mixup_alpha >= 0.0 && c->mixup_alpha <= 100.0))
    problem = "mixup alpha must be in [0, 100]";
  else if (!is_probability (c->mixup_probability) || !is_probability (c->pool_probability)
      || !is_probability (c->pitch_probability) || !is_probability (c->stretch_probability)
      || !is_probability (c->noise_probability) || !is_probability (c->filter_probability)
      || !is_probability (c->background_probability))
    problem = "probabilities must be in [0, 1]";
  else if (c->time_masks > 100 || c->freq_masks > 100)
    problem = "at most 100 masks of each kind";
  else if (!(c->freq_mask_fraction >= 0.0 && c->freq_mask_fraction <= 1.0))
    problem = "freq_mask_fraction must be in [0, 1]";
  else if (es_audio_mask_fill_name (c->mask_fill) == NULL)
    problem = "unknown mask fill";
  else if (!(c->filter_db >= 0.0 && c->filter_db <= 40.0))
    problem = "filter_db must be in [0, 40]";
  else if (c->filter_bands < 2 || c->filter_bands > ES_AUDIO_FILTER_MAX_BANDS)
    problem = "filter_bands must be in [2, 16]";
  else if (c->pool_size > 64)
    problem = "pool size must be <= 64 variants per clip";
  else if (!(c->pitch_semitones >= 0.0 && c->pitch_semitones <= 12.0))
    problem = "pitch_semitones must be in [0, 12]";
  else if (!(c->stretch_min >= 0.25 && c->stretch_min <= c->stretch_max && c->stretch_max <= 4.0))
    problem = "stretch needs 0.25 <= min <= max <= 4";
  else if (!(isfinite (c->noise_snr_min) && isfinite (c->noise_snr_max)
          && c->noise_snr_min <= c->noise_snr_max))
    problem = "noise SNR needs finite min <= max";
  else if (es_audio_noise_colour_name (c->noise_colour) == NULL)
    problem = "unknown noise colour";
  else if (!(c->active_db > 0.0 && c->active_db <= 120.0))
    problem = "active_db must be in (0, 120]";
  else if (!(isfinite (c->background_snr_min) && isfinite (c->background_snr_max)
          && c->background_snr_min <= c->background_snr_max))
    problem = "background SNR needs finite min <= max";
  if (problem) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA, "audio augmentation: %s", problem);
    return FALSE;
  }
  return TRUE;
}

static double
uniform_in (EsRng *rng, double lo, double hi)
{
  return lo + (hi - lo) * es_rng_uniform (rng);
}

/* One variant of a clip's samples: pitch, stretch, noise (each drawn), then
 * the set's normalisation and spectra. */
static gboolean
make_variant (const EsAudioAugmentConfig *c, const EsAudioConfig *ac, const float *x,
    size_t n, EsRng *rng, EsAudioSpectra *out, GError **error)
{
  unsigned rate = ac->frontend.sample_rate;
  gboolean pitch = c->pitch_semitones > 0.0 && es_rng_uniform (rng) < c->pitch_probability;
  double semitones = uniform_in (rng, -c->pitch_semitones, c->pitch_semitones);
  gboolean stretch = c->stretch_max > c->stretch_min
      && es_rng_uniform (rng) < c->stretch_probability;
  double factor = exp (uniform_in (rng, log (c->stretch_min), log (c->stretch_max)));
  gboolean noise = es_rng_uniform (rng) < c->noise_probability;
  double snr = uniform_in (rng, c->noise_snr_min, c->noise_snr_max);
  size_t n_out = stretch ? MAX ((size_t) 1, (size_t) llround (n * factor)) : n;
  float *y;
  gboolean ok;

  if (pitch)
    y = es_audio_pitch_shift (x, n, semitones, n_out, rate, error);
  else if (stretch)
    y = es_audio_time_stretch (x, n, n_out, rate, error);
  else
    y = g_memdup2 (x, n * sizeof (float));
  if (!y)
    return FALSE;
  if (noise)
    es_audio_add_noise (y, n_out, snr, c->noise_colour, rng);
  es_audio_normalize (y, n_out, ac->normalize, ac->normalize_db);
  ok = es_audio_spectra_compute (&ac->frontend, y, n_out, ac->window_frames, out, error);
  g_free (y);
  return ok;
}

/* Frames of s within active_db of its loudest (none when it is all silence). */
static void
find_active (const EsAudioSpectra *s, size_t n_bins, double active_db, Active *out)
{
  double *e = g_new (double, s->n_frames), top = 0.0, floor_e, sum = 0.0;

  for (size_t t = 0; t < s->n_frames; t++) {
    const float *row = s->power + t * n_bins;
    double v = 0.0;
    for (size_t b = 0; b < n_bins; b++)
      v += row[b];
    e[t] = v;
    top = MAX (top, v);
  }
  floor_e = top * pow (10.0, -active_db / 10.0);
  out->frames = g_new (guint32, s->n_frames);
  out->n = 0;
  for (size_t t = 0; t < s->n_frames && top > 0.0; t++)
    if (e[t] >= floor_e) {
      out->frames[out->n++] = (guint32) t;
      sum += e[t];
    }
  out->energy = out->n ? sum / out->n : 0.0;
  g_free (e);
}

static const Active *
active_of (const EsAudioAugment *a, size_t clip, size_t variant_plus_one)
{
  return a->active ? &a->active[clip * (1 + a->config.pool_size) + variant_plus_one] : NULL;
}

/* Active frames of every source, and the background clips. */
static gboolean
prepare_live (EsAudioAugment *a, GError **error)
{
  const EsAudioAugmentConfig *c = &a->config;
  const EsAudioConfig *ac = es_audio_set_get_config (a->set);
  const char *const *names = es_audio_set_get_class_names (a->set);
  size_t n_bins = es_audio_set_get_n_bins (a->set), per = 1 + c->pool_size;

  a->background_class = -1;
  for (int k = 0; names[k]; k++)
    if (strcmp (names[k], ac->background_label) == 0)
      a->background_class = k;
  if (c->background_probability > 0.0) {
    a->background_clips = g_new (size_t, a->n_clips);
    for (size_t i = 0; i < a->n_clips; i++) {
      EsAudioClip clip;
      es_audio_set_get_clip (a->set, i, &clip);
      if (clip.label == a->background_class)
        a->background_clips[a->n_background++] = i;
    }
    if (a->n_background == 0) {
      g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA, "audio augmentation: "
          "background_probability needs clips of the background class '%s' (generate "
          "them with [data] background_clips, or label clips so)", ac->background_label);
      return FALSE;
    }
  }
  if (!c->crop_active_frames && c->background_probability <= 0.0)
    return TRUE;
  a->active = g_new0 (Active, a->n_clips * per);
  for (size_t i = 0; i < a->n_clips; i++) {
    EsAudioClip clip;
    es_audio_set_get_clip (a->set, i, &clip);
    find_active (clip.spectra, n_bins, c->active_db, &a->active[i * per]);
    for (size_t v = 0; a->pool && v < c->pool_size; v++)
      find_active (&a->pool[i * c->pool_size + v], n_bins, c->active_db,
          &a->active[i * per + 1 + v]);
  }
  return TRUE;
}

EsAudioAugment *
es_audio_augment_new (const EsAudioSet *set, const EsAudioAugmentConfig *config,
    EsAudioLoadProgress progress, gpointer progress_data, GError **error)
{
  const EsAudioConfig *ac = es_audio_set_get_config (set);
  size_t n_bins = es_audio_set_get_n_bins (set), limit = ac->max_bytes;
  EsAudioAugment *a;

  if (!check_config (config, error))
    return NULL;
  a = g_new0 (EsAudioAugment, 1);
  a->set = set;
  a->config = *config;
  a->n_clips = es_audio_set_get_n_clips (set);
  if (config->pool_size == 0) {
    if (!prepare_live (a, error)) {
      es_audio_augment_free (a);
      return NULL;
    }
    return a;
  }

  a->pool = g_new0 (EsAudioSpectra, a->n_clips * config->pool_size);
  for (size_t i = 0; i < a->n_clips; i++) {
    EsAudioClip clip;
    EsRng rng;

    es_audio_set_get_clip (set, i, &clip);
    if (!clip.samples) {
      g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
          "audio augmentation: the pool needs the clips' samples (a set made with keep_audio)");
      es_audio_augment_free (a);
      return NULL;
    }
    /* one generator per clip: its variants do not depend on the other clips */
    es_rng_init (&rng, config->pool_seed + 0x9E3779B97F4A7C15ull * (guint64) (i + 1));
    for (unsigned v = 0; v < config->pool_size; v++) {
      EsAudioSpectra *s = &a->pool[i * config->pool_size + v];
      /* worst case before building: the longest stretch */
      size_t est = (size_t) ((clip.spectra->n_frames * config->stretch_max + 2)
          * n_bins * sizeof (float));
      if (es_audio_set_get_bytes (set) + a->bytes + est > limit) {
        g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
            "audio augmentation: a pool of %u variants per clip would take the audio data "
            "past %zu MB (the limit, max_memory_mb); use a smaller pool or raise the limit",
            config->pool_size, (limit + (1u << 20) - 1) >> 20);
        es_audio_augment_free (a);
        return NULL;
      }
      if (!make_variant (config, ac, clip.samples, clip.n_samples, &rng, s, error)) {
        es_audio_augment_free (a);
        return NULL;
      }
      a->bytes += s->n_frames * n_bins * sizeof (float);
    }
    if (progress)
      progress (i + 1, a->n_clips, clip.name, progress_data);
  }
  if (!prepare_live (a, error)) {
    es_audio_augment_free (a);
    return NULL;
  }
  return a;
}

void
es_audio_augment_free (EsAudioAugment *a)
{
  if (!a)
    return;
  if (a->pool)
    for (size_t i = 0; i < a->n_clips * a->config.pool_size; i++)
      es_audio_spectra_clear (&a->pool[i]);
  g_free (a->pool);
  if (a->active)
    for (size_t i = 0; i < a->n_clips * (1 + a->config.pool_size); i++)
      g_free (a->active[i].frames);
  g_free (a->active);
  g_free (a->background_clips);
  g_free (a);
}

size_t
es_audio_augment_get_bytes (const EsAudioAugment *a)
{
  return a->bytes;
}

const EsAudioSpectra *
es_audio_augment_get_variant (const EsAudioAugment *a, size_t clip, size_t v)
{
  if (!a->pool || clip >= a->n_clips || v >= a->config.pool_size)
    return NULL;
  return &a->pool[clip * a->config.pool_size + v];
}

/* ---- masks ------------------------------------------------------------------ */

void
es_audio_mask_time (float *x, size_t n_bins, size_t warmup, size_t start, size_t width,
    EsAudioMaskFill fill)
{
  float *rows = x + (warmup + start) * n_bins;
  if (width == 0)
    return;
  for (size_t b = 0; b < n_bins; b++) {
    double mean = 0.0;
    if (fill == ES_AUDIO_MASK_FILL_MEAN) {
      for (size_t t = 0; t < width; t++)
        mean += rows[t * n_bins + b];
      mean /= width;
    }
    for (size_t t = 0; t < width; t++)
      rows[t * n_bins + b] = (float) mean;
  }
}

void
es_audio_mask_bins (float *x, size_t n_bins, size_t n_frames, size_t first, size_t width,
    EsAudioMaskFill fill)
{
  if (width == 0 || first >= n_bins)
    return;
  width = MIN (width, n_bins - first);
  for (size_t t = 0; t < n_frames; t++) {
    float *row = x + t * n_bins + first;
    double mean = 0.0;
    if (fill == ES_AUDIO_MASK_FILL_MEAN) {
      for (size_t b = 0; b < width; b++)
        mean += row[b];
      mean /= width;
    }
    for (size_t b = 0; b < width; b++)
      row[b] = (float) mean;
  }
}

void
es_audio_filter_draw (EsRng *rng, double sample_rate, size_t n_bins, unsigned max_bands,
    double max_db, float *gain)
{
  double mel_max = es_hz_to_mel (sample_rate / 2.0), bin_hz;
  double edge[ES_AUDIO_FILTER_MAX_BANDS + 1], db[ES_AUDIO_FILTER_MAX_BANDS + 1];
  unsigned n, s = 0;

  g_return_if_fail (n_bins >= 2);
  bin_hz = sample_rate / (2.0 * (n_bins - 1));
  /* the arrays hold ES_AUDIO_FILTER_MAX_BANDS bands whatever the caller asks */
  max_bands = CLAMP (max_bands, 2, ES_AUDIO_FILTER_MAX_BANDS);
  n = 2 + (unsigned) es_rng_below (rng, max_bands - 1);

  /* n bands: n + 1 corners on the mel scale, the two ends fixed, the rest
   * uniform and sorted; a gain in dB at each corner */
  edge[0] = 0.0;
  edge[n] = mel_max;
  for (unsigned i = 1; i < n; i++) {
    double m = uniform_in (rng, 0.0, mel_max);
    unsigned q = i;
    while (q > 1 && edge[q - 1] > m) {
      edge[q] = edge[q - 1];
      q--;
    }
    edge[q] = m;
  }
  for (unsigned i = 0; i <= n; i++)
    db[i] = uniform_in (rng, -max_db, max_db);
  for (size_t j = 0; j < n_bins; j++) {
    double m = es_hz_to_mel (j * bin_hz), t;
    while (s + 1 < n && m > edge[s + 1])
      s++;
    t = edge[s + 1] > edge[s] ? (m - edge[s]) / (edge[s + 1] - edge[s]) : 0.0;
    t = CLAMP (t, 0.0, 1.0);
    gain[j] = (float) pow (10.0, ((1.0 - t) * db[s] + t * db[s + 1]) / 10.0);
  }
}

/* ---- the hook --------------------------------------------------------------- */

static void
draw_masks (const EsAudioAugment *a, float *x, EsRng *rng)
{
  const EsAudioAugmentConfig *c = &a->config;
  const EsAudioConfig *ac = es_audio_set_get_config (a->set);
  size_t n_bins = es_audio_set_get_n_bins (a->set), w = ac->window_frames;
  size_t p = ac->warmup_frames, n_fft = 2 * (n_bins - 1);
  double nyquist = ac->frontend.sample_rate / 2.0, mel_max = es_hz_to_mel (nyquist);
  double bin_hz = (double) ac->frontend.sample_rate / n_fft;

  for (unsigned m = 0; m < c->time_masks; m++) {
    size_t width = MIN ((size_t) es_rng_below (rng, c->time_mask_frames + 1), w);
    size_t start = (size_t) es_rng_below (rng, w - width + 1);
    es_audio_mask_time (x, n_bins, p, start, width, c->mask_fill);
  }
  for (unsigned m = 0; m < c->freq_masks; m++) {
    double width = es_rng_uniform (rng) * c->freq_mask_fraction * mel_max;
    double lo = es_rng_uniform (rng) * (mel_max - width);
    double f0 = es_mel_to_hz (lo), f1 = es_mel_to_hz (lo + width);
    size_t first = (size_t) ceil (f0 / bin_hz);
    size_t last = MIN ((size_t) floor (f1 / bin_hz), n_bins - 1);
    if (last >= first)
      es_audio_mask_bins (x, n_bins, p + w, first, last - first + 1, c->mask_fill);
  }
}

void
es_audio_augment_batch (const EsDataset *train, const size_t *indices, size_t batch,
    float *x, int *labels, float *targets, EsRng *rng, gpointer user_data)
{
  const EsAudioAugment *a = user_data;
  const EsAudioAugmentConfig *c = &a->config;
  const EsAudioConfig *ac = es_audio_set_get_config (a->set);
  size_t n_bins = es_audio_set_get_n_bins (a->set);
  size_t size = es_audio_set_get_example_size (a->set), w = ac->window_frames;
  int k = train->n_classes;
  float *bg = c->background_probability > 0.0 ? g_new (float, size) : NULL;
  float *filter = c->filter_db > 0.0 ? g_new (float, n_bins) : NULL;

  g_return_if_fail (train->input_size == size);

  for (size_t j = 0; j < batch; j++) {
    float *row = x + j * size;
    size_t clip_i, start, variant = 0;
    EsAudioClip clip;
    const EsAudioSpectra *src;
    const Active *act;
    gboolean is_background;

    if (!es_audio_set_lookup (a->set, train->sample_names[indices[j]], &clip_i, &start))
      continue;
    es_audio_set_get_clip (a->set, clip_i, &clip);
    is_background = clip.label == a->background_class;
    src = clip.spectra;
    if (c->pool_size > 0 && es_rng_uniform (rng) < c->pool_probability) {
      variant = 1 + (size_t) es_rng_below (rng, c->pool_size);
      src = &a->pool[clip_i * c->pool_size + variant - 1];
    }
    act = active_of (a, clip_i, variant);
    if (c->random_crop && c->crop_active_frames && !is_background && act && act->n > 0) {
      size_t f = act->frames[es_rng_below (rng, act->n)];
      size_t lo = f + 1 >= w ? f + 1 - w : 0, hi = MIN (f, src->n_frames - w);
      start = lo + (size_t) es_rng_below (rng, hi - lo + 1);
    } else if (c->random_crop) {
      start = (size_t) es_rng_below (rng, src->n_frames - w + 1);
    } else {
      start = MIN (src->origin + (start - clip.spectra->origin), src->n_frames - w);
    }
    es_audio_spectra_window (src, n_bins, start, w, ac->warmup_frames, row);
    if (bg && !is_background && act && act->energy > 0.0
        && es_rng_uniform (rng) < c->background_probability) {
      size_t b = a->background_clips[es_rng_below (rng, a->n_background)];
      double snr = uniform_in (rng, c->background_snr_min, c->background_snr_max);
      double e = 0.0, scale;
      EsAudioClip bclip;

      es_audio_set_get_clip (a->set, b, &bclip);
      es_audio_spectra_window (bclip.spectra, n_bins,
          (size_t) es_rng_below (rng, bclip.spectra->n_frames - w + 1), w,
          ac->warmup_frames, bg);
      for (size_t i = ac->warmup_frames * n_bins; i < size; i++)
        e += bg[i];
      e /= w;
      scale = e > 0.0 ? act->energy / (e * pow (10.0, snr / 10.0)) : 0.0;
      for (size_t i = 0; i < size; i++)
        row[i] += (float) (scale * bg[i]);
    }
    if (c->gain_db > 0.0) {
      float g = (float) pow (10.0, uniform_in (rng, -c->gain_db, c->gain_db) / 10.0);
      for (size_t i = 0; i < size; i++)
        row[i] *= g;
    }
    if (filter && es_rng_uniform (rng) < c->filter_probability) {
      es_audio_filter_draw (rng, ac->frontend.sample_rate, n_bins, c->filter_bands,
          c->filter_db, filter);
      for (size_t i = 0; i < size; i++)
        row[i] *= filter[i % n_bins];
    }
  }

  if (targets) {
    memset (targets, 0, batch * k * sizeof (float));
    for (size_t j = 0; j < batch; j++)
      targets[j * k + labels[j]] = 1.0f;
  }
  if (targets && c->mixup_alpha > 0.0 && batch > 1) {
    float *orig = g_memdup2 (x, batch * size * sizeof (float));
    int *orig_labels = g_memdup2 (labels, batch * sizeof (int));
    for (size_t j = 0; j < batch; j++) {
      size_t candidates = 0, pick, partner = j;
      double lam;
      if (es_rng_uniform (rng) >= c->mixup_probability)
        continue;
      for (size_t q = 0; q < batch; q++)
        if (q != j && (!c->mixup_between_classes || orig_labels[q] != orig_labels[j]))
          candidates++;
      if (candidates == 0)
        continue;
      pick = (size_t) es_rng_below (rng, candidates);
      for (size_t q = 0; q < batch; q++)
        if (q != j && (!c->mixup_between_classes || orig_labels[q] != orig_labels[j])
            && pick-- == 0) {
          partner = q;
          break;
        }
      lam = es_audio_rng_beta (rng, c->mixup_alpha, c->mixup_alpha);
      for (size_t i = 0; i < size; i++)
        x[j * size + i] = (float) (lam * orig[j * size + i]
            + (1.0 - lam) * orig[partner * size + i]);
      memset (targets + j * k, 0, k * sizeof (float));
      targets[j * k + orig_labels[j]] += (float) lam;
      targets[j * k + orig_labels[partner]] += (float) (1.0 - lam);
      labels[j] = lam >= 0.5 ? orig_labels[j] : orig_labels[partner];
    }
    g_free (orig);
    g_free (orig_labels);
  }
  if (c->time_masks || c->freq_masks)
    for (size_t j = 0; j < batch; j++)
      draw_masks (a, x + j * size, rng);
  g_free (bg);
  g_free (filter);
}
