/* The audio data kind: clips -> cached power spectra -> windows (audio-set.h). */
#include "tasks/audio/audio-set.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "decide/windows.h"
#include "dsp/fft.h"
#include "dsp/framer.h"
#include "dsp/preemphasis.h"
#include "train/dataset-csv.h"

/* Samples fed to the framer per call while computing spectra. */
#define CHUNK_SAMPLES 8192

typedef struct {
  char *name;
  int label;
  int group;
  EsAudioSpectra spectra;
  float *samples;
  size_t n_samples;
  gboolean silent;
  size_t n_windows;
} Clip;

struct _EsAudioSet {
  EsAudioConfig config;
  size_t n_bins;
  gboolean fixed_classes;
  GPtrArray *class_names;         /* char *, NULL-terminated */
  GHashTable *group_ids;          /* group key -> id + 1 */
  gboolean has_groups;
  GPtrArray *clips;               /* Clip * */
  GHashTable *clip_by_name;       /* name (owned by the clip) -> index + 1 */
  size_t bytes;
};

void
es_audio_config_init (EsAudioConfig *config, unsigned sample_rate)
{
  memset (config, 0, sizeof *config);
  es_frontend_config_init (&config->frontend, sample_rate);
  config->window_frames = ES_AUDIO_DEFAULT_WINDOW_FRAMES;
  config->window_hop = ES_AUDIO_DEFAULT_WINDOW_FRAMES / 2;
  config->warmup_frames = 0;
  config->normalize = ES_AUDIO_NORMALIZE_NONE;
  config->normalize_db = -20.0;
  config->max_clip_seconds = ES_AUDIO_DEFAULT_MAX_CLIP_SECONDS;
  config->max_bytes = ES_AUDIO_DEFAULT_MAX_BYTES;
  config->keep_audio = FALSE;
  config->min_clips_per_class = 2;
  config->background_clips = 0;
  config->background_seconds = 5.0;
  g_strlcpy (config->background_label, "background", sizeof config->background_label);
}

static size_t
n_fft_for (size_t frame_size)
{
  /* as es_gammatone_fb_new */
  return MAX ((size_t) 2, es_next_pow2 (frame_size));
}

size_t
es_audio_config_n_bins (const EsAudioConfig *config)
{
  return n_fft_for (config->frontend.frame_size) / 2 + 1;
}

static gboolean
check_frontend (const EsFrontendConfig *c, GError **error)
{
  const char *problem = NULL;
  if (c->sample_rate == 0)
    problem = "sample rate must be > 0";
  else if (!isfinite (c->preemphasis))
    problem = "pre-emphasis coefficient must be finite";
  else if (c->frame_size < 1 || c->hop_size < 1 || c->frame_size > (1u << 24)
      || c->hop_size > (1u << 24))
    problem = "frame and hop sizes must be 1 .. 2^24 samples";
  else if (es_window_type_name (c->window) == NULL)
    problem = "unknown window type";
  if (problem) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA, "audio front-end: %s", problem);
    return FALSE;
  }
  return TRUE;
}

/* ---- spectra ---------------------------------------------------------------- */

void
es_audio_spectra_clear (EsAudioSpectra *s)
{
  g_free (s->power);
  memset (s, 0, sizeof *s);
}

gboolean
es_audio_spectra_compute (const EsFrontendConfig *fe, const float *samples, size_t n,
    size_t min_frames, EsAudioSpectra *out, GError **error)
{
  const size_t frame = fe->frame_size, hop = fe->hop_size;
  size_t audio_frames, lead_frames = 0, total_frames, lead, padded, n_bins;
  size_t max_chunk_frames, row = 0;
  float state = 0.0f, *chunk, *frames;
  EsFramer *framer;
  EsFftPower *fft;

  memset (out, 0, sizeof *out);
  if (!check_frontend (fe, error))
    return FALSE;
  audio_frames = n >= frame ? (n - frame) / hop + 1 : 0;
  if (audio_frames < min_frames)
    lead_frames = min_frames - audio_frames;
  /* a short clip: lead_frames hops of silence, then the clip completed with
   * silence to one window (decide/windows.h, the rule serving follows):
   * lead_frames + min_frames frames */
  total_frames = lead_frames ? lead_frames + min_frames : audio_frames;
  lead = lead_frames * hop;
  padded = lead_frames ? lead + es_window_samples ((guint) min_frames, (guint) frame,
      (guint) hop) : n;
  g_assert (padded >= lead + n || !lead_frames);

  fft = es_fft_power_new (n_fft_for (frame));
  n_bins = es_fft_power_get_n_bins (fft);
  framer = es_framer_new (frame, hop, fe->window);
  max_chunk_frames = (CHUNK_SAMPLES - 1) / hop + 1;
  chunk = g_new (float, CHUNK_SAMPLES);
  frames = g_new (float, max_chunk_frames * frame);
  out->power = g_new (float, MAX (total_frames, 1) * n_bins);
  out->n_frames = total_frames;
  out->origin = lead_frames;
  out->audio_frames = audio_frames;

  /* The virtual signal zeros(lead) ++ samples ++ zeros, through the stages of
   * es_frontend_process_clip in its order; how it is cut into chunks does not
   * change a bit (pre-emphasis carries its state, the framer its tail). */
  for (size_t pos = 0; pos < padded; pos += CHUNK_SAMPLES) {
    size_t len = MIN ((size_t) CHUNK_SAMPLES, padded - pos), got;
    for (size_t i = 0; i < len; i++) {
      size_t v = pos + i;
      chunk[i] = v >= lead && v - lead < n ? samples[v - lead] : 0.0f;
    }
    if (fe->preemphasis != 0.0)
      es_preemphasis_f32 (chunk, len, 1, (float) fe->preemphasis, &state);
    got = es_framer_process (framer, chunk, len, frames);
    for (size_t f = 0; f < got && row < total_frames; f++, row++)
      es_fft_power_process (fft, frames + f * frame, frame, out->power + row * n_bins);
  }
  g_assert (row == total_frames);
  g_free (chunk);
  g_free (frames);
  es_framer_free (framer);
  es_fft_power_free (fft);
  return TRUE;
}

void
es_audio_spectra_window (const EsAudioSpectra *s, size_t n_bins, size_t start,
    size_t window_frames, size_t warmup_frames, float *out)
{
  size_t lo = start >= s->origin ? s->origin : 0;

  g_return_if_fail (start + window_frames <= s->n_frames);
  for (size_t j = 0; j < warmup_frames; j++) {
    ptrdiff_t f = (ptrdiff_t) start - (ptrdiff_t) warmup_frames + (ptrdiff_t) j;
    size_t src = f < (ptrdiff_t) lo ? lo : (size_t) f;
    memcpy (out + j * n_bins, s->power + src * n_bins, n_bins * sizeof (float));
  }
  memcpy (out + warmup_frames * n_bins, s->power + start * n_bins,
      window_frames * n_bins * sizeof (float));
}

/* ---- the set ---------------------------------------------------------------- */

static void
clip_free (Clip *c)
{
  g_free (c->name);
  es_audio_spectra_clear (&c->spectra);
  g_free (c->samples);
  g_free (c);
}

EsAudioSet *
es_audio_set_new (const EsAudioConfig *config, const char *const *class_names, GError **error)
{
  EsAudioSet *set;
  const char *problem = NULL;

  g_return_val_if_fail (config != NULL, NULL);
  if (!check_frontend (&config->frontend, error))
    return NULL;
  if (config->window_frames < 1 || config->window_frames > 1u << 20)
    problem = "window frames must be 1 .. 2^20";
  else if (config->window_hop < 1)
    problem = "window hop must be >= 1 frame";
  else if (config->warmup_frames > 1u << 20)
    problem = "warm-up frames must be <= 2^20";
  else if (!isfinite (config->normalize_db) || config->normalize_db > 0.0)
    problem = "normalisation target must be a finite level <= 0 dBFS";
  else if (es_audio_normalize_name (config->normalize) == NULL)
    problem = "unknown normalisation";
  else if (!(config->max_clip_seconds > 0.0) || config->max_clip_seconds > 86400.0)
    problem = "max clip seconds must be in (0, 86400]";
  if (problem) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA, "audio data: %s", problem);
    return NULL;
  }
  set = g_new0 (EsAudioSet, 1);
  set->config = *config;
  set->config.frontend.bands = NULL;
  set->n_bins = es_audio_config_n_bins (config);
  set->class_names = g_ptr_array_new_with_free_func (g_free);
  if (class_names) {
    set->fixed_classes = TRUE;
    for (const char *const *c = class_names; *c; c++)
      g_ptr_array_add (set->class_names, g_strdup (*c));
  }
  g_ptr_array_add (set->class_names, NULL);
  set->group_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  set->clips = g_ptr_array_new_with_free_func ((GDestroyNotify) clip_free);
  set->clip_by_name = g_hash_table_new (g_str_hash, g_str_equal);
  return set;
}

void
es_audio_set_free (EsAudioSet *set)
{
  if (!set)
    return;
  g_hash_table_destroy (set->clip_by_name);
  g_ptr_array_free (set->clips, TRUE);
  g_hash_table_destroy (set->group_ids);
  g_ptr_array_free (set->class_names, TRUE);
  g_free (set);
}

static int
class_index (EsAudioSet *set, const char *label, gboolean add)
{
  for (guint i = 0; i + 1 < set->class_names->len; i++)
    if (strcmp (g_ptr_array_index (set->class_names, i), label) == 0)
      return (int) i;
  if (!add)
    return -1;
  g_ptr_array_remove_index (set->class_names, set->class_names->len - 1);    /* the NULL */
  g_ptr_array_add (set->class_names, g_strdup (label));
  g_ptr_array_add (set->class_names, NULL);
  return (int) set->class_names->len - 2;
}

static size_t
mb (size_t bytes)
{
  return (bytes + (1u << 20) - 1) >> 20;
}

gboolean
es_audio_set_add_clip (EsAudioSet *set, const float *samples, size_t n, const char *name,
    const char *label, const char *group, GError **error)
{
  const EsAudioConfig *c = &set->config;
  double max_samples = c->max_clip_seconds * c->frontend.sample_rate;
  size_t bytes, n_frames_est, audio_frames;
  float *copy;
  Clip *clip;
  int cls;
  char *key;
  gpointer id;

  g_return_val_if_fail (name != NULL && label != NULL, FALSE);
  if (g_hash_table_contains (set->clip_by_name, name)) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
        "%s: the same clip name appears twice", name);
    return FALSE;
  }
  if (label[0] == '\0') {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA, "%s: empty label", name);
    return FALSE;
  }
  if (group && group[0] == '\0') {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA, "%s: empty group", name);
    return FALSE;
  }
  if (set->fixed_classes && class_index (set, label, FALSE) < 0) {
    char *known = g_strjoinv (", ", (char **) set->class_names->pdata);
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
        "%s: label '%s' is not one of the classes (%s)", name, label, known);
    g_free (known);
    return FALSE;
  }
  if (n == 0) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA, "%s: no audio samples", name);
    return FALSE;
  }
  if ((double) n > max_samples) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
        "%s: %.1f s long; clips may be at most %g s (max_clip_seconds)", name,
        (double) n / c->frontend.sample_rate, c->max_clip_seconds);
    return FALSE;
  }
  for (size_t i = 0; i < n; i++)
    if (!isfinite (samples[i])) {
      g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
          "%s: sample %zu (%.3f s) is not a finite number", name, i,
          (double) i / c->frontend.sample_rate);
      return FALSE;
    }

  /* bound before allocating */
  audio_frames = n >= c->frontend.frame_size
      ? (n - c->frontend.frame_size) / c->frontend.hop_size + 1 : 0;
  n_frames_est = audio_frames >= c->window_frames ? audio_frames : 2 * c->window_frames;
  bytes = n_frames_est * set->n_bins * sizeof (float) + (c->keep_audio ? n * sizeof (float) : 0);
  if (set->bytes + bytes > c->max_bytes) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
        "%s: the clips' spectra would take more than %zu MB (the limit, max_memory_mb); "
        "use fewer or shorter clips or raise the limit", name, mb (c->max_bytes));
    return FALSE;
  }

  clip = g_new0 (Clip, 1);
  copy = g_memdup2 (samples, n * sizeof (float));
  clip->silent = es_audio_peak (copy, n) == 0.0;
  es_audio_normalize (copy, n, c->normalize, c->normalize_db);
  if (!es_audio_spectra_compute (&c->frontend, copy, n, c->window_frames, &clip->spectra,
          error)) {
    g_free (copy);
    g_free (clip);
    return FALSE;
  }
  clip->n_samples = n;
  if (c->keep_audio)
    clip->samples = copy;
  else
    g_free (copy);
  clip->name = g_strdup (name);
  cls = class_index (set, label, TRUE);
  clip->label = cls;
  if (group) {
    key = g_strconcat ("g:", group, NULL);
    set->has_groups = TRUE;
  } else {
    key = g_strconcat ("c:", name, NULL);
  }
  if (!g_hash_table_lookup_extended (set->group_ids, key, NULL, &id)) {
    id = GSIZE_TO_POINTER (g_hash_table_size (set->group_ids) + 1);
    g_hash_table_insert (set->group_ids, key, id);
  } else {
    g_free (key);
  }
  clip->group = (int) GPOINTER_TO_SIZE (id) - 1;
  clip->n_windows = (clip->spectra.n_frames - clip->spectra.origin - c->window_frames)
      / c->window_hop + 1;
  set->bytes += clip->spectra.n_frames * set->n_bins * sizeof (float)
      + (clip->samples ? n * sizeof (float) : 0);
  g_ptr_array_add (set->clips, clip);
  g_hash_table_insert (set->clip_by_name, clip->name, GSIZE_TO_POINTER (set->clips->len));
  return TRUE;
}

const EsAudioConfig *
es_audio_set_get_config (const EsAudioSet *set)
{
  return &set->config;
}

size_t
es_audio_set_get_n_clips (const EsAudioSet *set)
{
  return set->clips->len;
}

size_t
es_audio_set_get_n_bins (const EsAudioSet *set)
{
  return set->n_bins;
}

size_t
es_audio_set_get_example_size (const EsAudioSet *set)
{
  return (set->config.warmup_frames + set->config.window_frames) * set->n_bins;
}

int
es_audio_set_get_n_classes (const EsAudioSet *set)
{
  return (int) set->class_names->len - 1;
}

const char *const *
es_audio_set_get_class_names (const EsAudioSet *set)
{
  return (const char *const *) set->class_names->pdata;
}

gboolean
es_audio_set_has_groups (const EsAudioSet *set)
{
  return set->has_groups;
}

size_t
es_audio_set_get_n_groups (const EsAudioSet *set)
{
  return g_hash_table_size (set->group_ids);
}

size_t
es_audio_set_get_bytes (const EsAudioSet *set)
{
  return set->bytes;
}

void
es_audio_set_get_clip (const EsAudioSet *set, size_t i, EsAudioClip *out)
{
  const Clip *c;
  g_return_if_fail (i < set->clips->len);
  c = g_ptr_array_index (set->clips, i);
  out->name = c->name;
  out->label = c->label;
  out->group = c->group;
  out->spectra = &c->spectra;
  out->samples = c->samples;
  out->n_samples = c->n_samples;
  out->silent = c->silent;
}

size_t
es_audio_set_clip_n_windows (const EsAudioSet *set, size_t i)
{
  g_return_val_if_fail (i < set->clips->len, 0);
  return ((const Clip *) g_ptr_array_index (set->clips, i))->n_windows;
}

size_t
es_audio_set_clip_window_start (const EsAudioSet *set, size_t i, size_t j)
{
  const Clip *c;
  g_return_val_if_fail (i < set->clips->len, 0);
  c = g_ptr_array_index (set->clips, i);
  return c->spectra.origin + j * set->config.window_hop;
}

EsDataset *
es_audio_set_dataset (const EsAudioSet *set, GError **error)
{
  const EsAudioConfig *c = &set->config;
  size_t n = 0, size = es_audio_set_get_example_size (set), row = 0;
  EsDataset *d;

  for (guint i = 0; i < set->clips->len; i++)
    n += ((const Clip *) g_ptr_array_index (set->clips, i))->n_windows;
  if (n == 0) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA, "audio data: no clips");
    return NULL;
  }
  if (size > (c->max_bytes - MIN (set->bytes, c->max_bytes)) / sizeof (float) / n) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
        "audio data: %zu windows of %zu values with the cached spectra take more than "
        "%zu MB (the limit, max_memory_mb); use a larger window hop, shorter windows or "
        "raise the limit", n, size, mb (c->max_bytes));
    return NULL;
  }
  d = es_dataset_new (n, size, es_audio_set_get_class_names (set));
  d->groups = g_new (int, n);
  for (guint i = 0; i < set->clips->len; i++) {
    const Clip *clip = g_ptr_array_index (set->clips, i);
    for (size_t j = 0; j < clip->n_windows; j++, row++) {
      size_t start = clip->spectra.origin + j * c->window_hop;
      es_audio_spectra_window (&clip->spectra, set->n_bins, start, c->window_frames,
          c->warmup_frames, d->x + row * size);
      d->labels[row] = clip->label;
      d->groups[row] = clip->group;
      d->sample_names[row] = g_strdup_printf ("%s@%zu", clip->name, j * c->window_hop);
    }
  }
  return d;
}

gboolean
es_audio_set_lookup (const EsAudioSet *set, const char *sample_name, size_t *clip_out,
    size_t *start_out)
{
  const char *at = strrchr (sample_name, '@');
  char *name, *end;
  guint64 offset;
  gpointer idx;
  const Clip *clip;

  if (!at || at[1] == '\0')
    return FALSE;
  offset = g_ascii_strtoull (at + 1, &end, 10);
  if (*end != '\0')
    return FALSE;
  name = g_strndup (sample_name, at - sample_name);
  idx = g_hash_table_lookup (set->clip_by_name, name);
  g_free (name);
  if (!idx)
    return FALSE;
  clip = g_ptr_array_index (set->clips, GPOINTER_TO_SIZE (idx) - 1);
  if (offset % set->config.window_hop != 0
      || offset / set->config.window_hop >= clip->n_windows)
    return FALSE;
  *clip_out = GPOINTER_TO_SIZE (idx) - 1;
  *start_out = clip->spectra.origin + (size_t) offset;
  return TRUE;
}

size_t
es_audio_set_clip_scores (const EsAudioSet *set, const EsDataset *d, const float *scores,
    float **clip_scores, int **clip_labels, size_t **clip_index)
{
  int k = d->n_classes;
  GHashTable *slot = g_hash_table_new (g_direct_hash, g_direct_equal);
  GArray *index = g_array_new (FALSE, FALSE, sizeof (size_t));
  GArray *count = g_array_new (FALSE, TRUE, sizeof (size_t));
  float *sums;
  double *acc;
  size_t m;

  acc = g_new0 (double, d->n * MAX (k, 1));
  for (size_t i = 0; i < d->n; i++) {
    size_t clip, start, s;
    gpointer v;
    if (!es_audio_set_lookup (set, d->sample_names[i], &clip, &start))
      continue;
    if (!g_hash_table_lookup_extended (slot, GSIZE_TO_POINTER (clip + 1), NULL, &v)) {
      size_t zero = 0;
      v = GSIZE_TO_POINTER (index->len + 1);
      g_hash_table_insert (slot, GSIZE_TO_POINTER (clip + 1), v);
      g_array_append_val (index, clip);
      g_array_append_val (count, zero);
    }
    s = GPOINTER_TO_SIZE (v) - 1;
    g_array_index (count, size_t, s)++;
    for (int j = 0; j < k; j++)
      acc[s * k + j] += scores[i * k + j];
  }
  m = index->len;
  sums = g_new (float, MAX (m * k, 1));
  *clip_labels = g_new (int, MAX (m, 1));
  for (size_t s = 0; s < m; s++) {
    size_t clip = g_array_index (index, size_t, s);
    for (int j = 0; j < k; j++)
      sums[s * k + j] = (float) (acc[s * k + j] / g_array_index (count, size_t, s));
    (*clip_labels)[s] = ((const Clip *) g_ptr_array_index (set->clips, clip))->label;
  }
  *clip_scores = sums;
  *clip_index = (size_t *) g_array_free (index, FALSE);
  g_array_free (count, TRUE);
  g_hash_table_destroy (slot);
  g_free (acc);
  return m;
}

/* ---- loading a folder ------------------------------------------------------- */

static gboolean
add_file (EsAudioSet *set, const char *file, const char *name, const char *label,
    const char *group, const char *where, EsAudioDecodeFunc decode, gpointer decode_data,
    GError **error)
{
  const EsAudioConfig *c = &set->config;
  size_t max_samples = (size_t) ceil (c->max_clip_seconds * c->frontend.sample_rate);
  size_t n = 0;
  GStatBuf st;
  GError *err = NULL;
  float *samples;
  gboolean ok;

  if (g_stat (file, &st) != 0) {
    int e = errno;
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA, "%s%s: %s", where, name,
        g_strerror (e));
    return FALSE;
  }
  if (!S_ISREG (st.st_mode)) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
        "%s%s: not a regular file", where, name);
    return FALSE;
  }
  samples = decode (file, c->frontend.sample_rate, max_samples, &n, decode_data, &err);
  if (!samples) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA, "%s%s: %s", where, name,
        err ? err->message : "could not be read");
    g_clear_error (&err);
    return FALSE;
  }
  ok = es_audio_set_add_clip (set, samples, n, name, label, group, &err);
  g_free (samples);
  if (!ok) {
    /* add_clip's messages start with the name already */
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA, "%s%s", where, err->message);
    g_error_free (err);
  }
  return ok;
}

static gboolean
check_class_counts (const EsAudioSet *set, const char *path, GError **error)
{
  int k = es_audio_set_get_n_classes (set);
  size_t *count = g_new0 (size_t, MAX (k, 1));
  gboolean ok = TRUE;

  for (guint i = 0; i < set->clips->len; i++)
    count[((const Clip *) g_ptr_array_index (set->clips, i))->label]++;
  if (k < 2) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
        "%s: %d class(es) found; a classifier needs at least 2", path, k);
    ok = FALSE;
  }
  for (int j = 0; ok && j < k; j++)
    if (count[j] < set->config.min_clips_per_class) {
      g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
          "%s: label '%s' has %zu clip(s); each needs at least %zu (one to train on, "
          "one to test)", path, (const char *) g_ptr_array_index (set->class_names, j),
          count[j], set->config.min_clips_per_class);
      ok = FALSE;
    }
  g_free (count);
  return ok;
}

static gboolean
has_column (const Csv *csv, const char *name)
{
  for (int c = 0; c < csv->n_columns; c++)
    if (g_ascii_strcasecmp (csv->header[c], name) == 0)
      return TRUE;
  return FALSE;
}

static EsAudioSet *
load_index (const char *index_path, const EsAudioConfig *config,
    const EsDatasetOptions *options, EsAudioDecodeFunc decode, gpointer decode_data,
    EsAudioLoadProgress progress, gpointer progress_data, GError **error)
{
  EsDatasetOptions o = *options;
  EsAudioSet *set = NULL;
  Csv *csv;
  Selection s;
  int path_col;
  char *dir = g_path_get_dirname (index_path);

  if (!(csv = _es_csv_read (index_path, error)))
    goto out;
  if ((path_col = _es_csv_column (csv, "path", error)) < 0)
    goto out_csv;
  if (!o.group_columns && has_column (csv, "group"))
    o.group_columns = "group";
  if (!_es_select_rows (csv, &o, &s, error))
    goto out_csv;
  if (!(set = es_audio_set_new (config, (const char *const *) s.class_names, error)))
    goto out_sel;
  for (size_t i = 0; i < s.n; i++) {
    char **f = g_ptr_array_index (csv->rows, s.rows[i]);
    int line = g_array_index (csv->line_numbers, int, s.rows[i]);
    const char *name = f[path_col];
    char *file = g_path_is_absolute (name) ? g_strdup (name) : g_build_filename (dir, name, NULL);
    char *where = g_strdup_printf ("%s:%d: ", index_path, line);
    char group[32];
    gboolean ok;

    if (s.groups)
      g_snprintf (group, sizeof group, "%d", s.groups[i]);
    if (name[0] == '\0') {
      g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA, "%sempty path", where);
      ok = FALSE;
    } else {
      ok = add_file (set, file, name, s.class_names[s.labels[i]], s.groups ? group : NULL,
          where, decode, decode_data, error);
    }
    g_free (file);
    g_free (where);
    if (!ok) {
      es_audio_set_free (set);
      set = NULL;
      goto out_sel;
    }
    if (progress)
      progress (i + 1, s.n, name, progress_data);
  }
  if (!check_class_counts (set, index_path, error)) {
    es_audio_set_free (set);
    set = NULL;
  }
out_sel:
  _es_selection_clear (&s);
out_csv:
  _es_csv_free (csv);
out:
  g_free (dir);
  return set;
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Sorted names in dir (hidden ones left out) that are folders (want_dirs) or
 * not; NULL with error if dir cannot be read. */
static GPtrArray *
list_dir (const char *dir, gboolean want_dirs, GError **error)
{
  GDir *d = g_dir_open (dir, 0, error);
  GPtrArray *names;
  const char *e;

  if (!d)
    return NULL;
  names = g_ptr_array_new_with_free_func (g_free);
  while ((e = g_dir_read_name (d))) {
    char *full;
    gboolean is_dir;
    if (e[0] == '.')
      continue;
    full = g_build_filename (dir, e, NULL);
    is_dir = g_file_test (full, G_FILE_TEST_IS_DIR);
    g_free (full);
    if (is_dir == want_dirs)
      g_ptr_array_add (names, g_strdup (e));
  }
  g_dir_close (d);
  g_ptr_array_sort (names, compare_strings);
  return names;
}

static EsAudioSet *
load_folders (const char *path, const EsAudioConfig *config, const EsDatasetOptions *options,
    EsAudioDecodeFunc decode, gpointer decode_data, EsAudioLoadProgress progress,
    gpointer progress_data, GError **error)
{
  GPtrArray *labels, *names = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *file_labels = g_ptr_array_new ();
  EsAudioSet *set = NULL;

  if (!(labels = list_dir (path, TRUE, error)))
    goto out;
  if (labels->len == 0) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
        "%s: no index.csv and no label folders", path);
    goto out;
  }
  for (guint i = 0; i < labels->len; i++) {
    const char *label = g_ptr_array_index (labels, i);
    char *dir = g_build_filename (path, label, NULL);
    GPtrArray *in = list_dir (dir, FALSE, error);
    g_free (dir);
    if (!in)
      goto out;
    if (in->len == 0) {
      g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
          "%s: label folder '%s' holds no files", path, label);
      g_ptr_array_free (in, TRUE);
      goto out;
    }
    for (guint j = 0; j < in->len; j++) {
      g_ptr_array_add (names, g_build_filename (label, g_ptr_array_index (in, j), NULL));
      g_ptr_array_add (files, g_build_filename (path, label, g_ptr_array_index (in, j), NULL));
      g_ptr_array_add (file_labels, (gpointer) label);
    }
    g_ptr_array_free (in, TRUE);
  }
  /* max_rows: evenly spaced, as the index loaders do */
  if (options->max_rows && names->len > options->max_rows) {
    for (size_t i = 0; i < options->max_rows; i++) {
      size_t j = (size_t) ((double) i * names->len / options->max_rows);
      char *t;
      t = names->pdata[i]; names->pdata[i] = names->pdata[j]; names->pdata[j] = t;
      t = files->pdata[i]; files->pdata[i] = files->pdata[j]; files->pdata[j] = t;
      file_labels->pdata[i] = file_labels->pdata[j];
    }
    g_ptr_array_set_size (names, options->max_rows);
    g_ptr_array_set_size (files, options->max_rows);
    g_ptr_array_set_size (file_labels, options->max_rows);
  }
  if (!(set = es_audio_set_new (config, options->class_names, error)))
    goto out;
  /* fixed classes keep their order; else sorted folder names (those kept) */
  for (guint i = 0; i < names->len; i++) {
    char *where = g_strdup_printf ("%s: ", path);
    gboolean ok = add_file (set, g_ptr_array_index (files, i), g_ptr_array_index (names, i),
        g_ptr_array_index (file_labels, i), NULL, where, decode, decode_data, error);
    g_free (where);
    if (!ok) {
      es_audio_set_free (set);
      set = NULL;
      goto out;
    }
    if (progress)
      progress (i + 1, names->len, g_ptr_array_index (names, i), progress_data);
  }
  if (!check_class_counts (set, path, error)) {
    es_audio_set_free (set);
    set = NULL;
  }
out:
  if (labels)
    g_ptr_array_free (labels, TRUE);
  g_ptr_array_free (names, TRUE);
  g_ptr_array_free (files, TRUE);
  g_ptr_array_free (file_labels, TRUE);
  return set;
}

/* config->background_clips generated clips of the background label. */
static gboolean
add_background (EsAudioSet *set, GError **error)
{
  const EsAudioConfig *c = &set->config;
  size_t n = (size_t) llround (c->background_seconds * c->frontend.sample_rate);
  float *x;
  gboolean ok = TRUE;

  if (c->background_clips == 0)
    return TRUE;
  if (c->background_label[0] == '\0' || n == 0) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
        "background clips need a label and a length above zero");
    return FALSE;
  }
  /* a fixed class order (the index's labels) gets the background class last */
  class_index (set, c->background_label, TRUE);
  x = g_new (float, n);
  for (size_t k = 0; k < c->background_clips && ok; k++) {
    char *name = g_strdup_printf ("%s/generated-%zu.wav", c->background_label, k);
    EsRng rng;

    /* seeded by K alone: the same clips whatever the data around them */
    es_rng_init (&rng, G_GUINT64_CONSTANT (0x6261636b67726f75)
        + G_GUINT64_CONSTANT (0x9E3779B97F4A7C15) * (guint64) (k + 1));
    es_audio_background (x, n, c->frontend.sample_rate, &rng);
    ok = es_audio_set_add_clip (set, x, n, name, c->background_label, NULL, error);
    g_free (name);
  }
  g_free (x);
  return ok;
}

static EsAudioSet *
load_files (const char *path, const EsAudioConfig *config,
    const EsDatasetOptions *options, EsAudioDecodeFunc decode, gpointer decode_data,
    EsAudioLoadProgress progress, gpointer progress_data, GError **error)
{
  EsAudioSet *set;
  char *index;

  if (g_file_test (path, G_FILE_TEST_IS_DIR)) {
    index = g_build_filename (path, "index.csv", NULL);
    if (g_file_test (index, G_FILE_TEST_EXISTS))
      set = load_index (index, config, options, decode, decode_data, progress,
          progress_data, error);
    else
      set = load_folders (path, config, options, decode, decode_data, progress,
          progress_data, error);
    g_free (index);
    return set;
  }
  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return load_index (path, config, options, decode, decode_data, progress, progress_data,
        error);
  g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA,
      "%s: no such folder or index file", path);
  return NULL;
}

EsAudioSet *
es_audio_set_load (const char *path, const EsAudioConfig *config,
    const EsDatasetOptions *options, EsAudioDecodeFunc decode, gpointer decode_data,
    EsAudioLoadProgress progress, gpointer progress_data, GError **error)
{
  EsDatasetOptions none = { 0 };
  EsAudioSet *set;

  g_return_val_if_fail (path != NULL && config != NULL && decode != NULL, NULL);
  if (!options)
    options = &none;
  set = load_files (path, config, options, decode, decode_data, progress, progress_data,
      error);
  if (set && !add_background (set, error)) {
    g_prefix_error (error, "%s: ", path);
    es_audio_set_free (set);
    return NULL;
  }
  return set;
}
