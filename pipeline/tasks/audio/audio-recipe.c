/* Recipe keys of the audio data kind and its augmentation (audio-recipe.h). */
#include "tasks/audio/audio-recipe.h"

#include <math.h>
#include <string.h>

#include "train/train-error.h"

static const char *const data_keys[] = {
  "rate", "preemphasis", "frame_size", "hop_size", "window", "window_frames", "window_hop",
  "warmup_frames", "normalize", "normalize_db", "max_clip_seconds", "max_memory_mb",
  "background_clips", "background_seconds", "background_label", NULL
};

static const char *const augment_keys[] = {
  "crop", "gain_db", "pool", "pool_probability", "pitch_semitones", "pitch_probability",
  "stretch", "stretch_probability", "noise_snr_db", "noise", "noise_probability",
  "mixup_alpha", "mixup_probability", "mixup", "time_masks", "time_mask_frames",
  "freq_masks", "freq_mask_fraction", "mask_fill", "pool_seed", "crop_active_frames",
  "active_db", "background_probability", "background_snr_db", "filter_db", "filter_bands",
  "filter_probability", NULL
};

const char *const *
es_audio_recipe_data_keys (void)
{
  return data_keys;
}

const char *const *
es_audio_recipe_augment_keys (void)
{
  return augment_keys;
}

gboolean
es_audio_recipe_is_key (const char *group_kind, const char *key)
{
  const char *const *keys = g_strcmp0 (group_kind, "augment") == 0 ? augment_keys : data_keys;
  return key && g_strv_contains (keys, key);
}

typedef struct {
  GKeyFile *kf;
  const char *file, *group;
  GError **error;
  gboolean failed;
} Reader;

static void
fail (Reader *rd, const char *key, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

static void
fail (Reader *rd, const char *key, const char *fmt, ...)
{
  va_list ap;
  char *msg;
  if (rd->failed)
    return;
  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (rd->error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_RECIPE, "%s: [%s] %s: %s",
      rd->file ? rd->file : "recipe", rd->group, key, msg);
  g_free (msg);
  rd->failed = TRUE;
}

/* The value as written, or NULL if the key is absent. */
static char *
value (Reader *rd, const char *key)
{
  if (rd->failed || !g_key_file_has_key (rd->kf, rd->group, key, NULL))
    return NULL;
  return g_strstrip (g_key_file_get_value (rd->kf, rd->group, key, NULL));
}

static double
parse_double (Reader *rd, const char *key, const char *text, double lo, double hi)
{
  char *end;
  double v = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || !isfinite (v) || v < lo || v > hi) {
    fail (rd, key, "'%s' is not a number in [%g, %g]", text, lo, hi);
    return lo;
  }
  return v;
}

static double
get_double (Reader *rd, const char *key, double fallback, double lo, double hi)
{
  char *text = value (rd, key);
  double v = text ? parse_double (rd, key, text, lo, hi) : fallback;
  g_free (text);
  return v;
}

static guint64
get_uint (Reader *rd, const char *key, guint64 fallback, guint64 lo, guint64 hi)
{
  char *text = value (rd, key), *end;
  guint64 v = fallback;
  if (text) {
    v = g_ascii_strtoull (text, &end, 10);
    if (end == text || *end != '\0' || text[0] == '-' || v < lo || v > hi) {
      fail (rd, key, "'%s' is not a whole number in [%" G_GUINT64_FORMAT ", %"
          G_GUINT64_FORMAT "]", text, lo, hi);
      v = fallback;
    }
  }
  g_free (text);
  return v;
}

/* "a;b" (or "a,b") with lo <= a <= b <= hi. */
static void
get_range (Reader *rd, const char *key, double *a, double *b, double lo, double hi)
{
  char *text = value (rd, key);
  char **parts;
  if (!text)
    return;
  parts = g_strsplit_set (text, ";,", -1);
  if (g_strv_length (parts) != 2) {
    fail (rd, key, "'%s' is not a range MIN;MAX", text);
  } else {
    double x = parse_double (rd, key, g_strstrip (parts[0]), lo, hi);
    double y = parse_double (rd, key, g_strstrip (parts[1]), lo, hi);
    if (!rd->failed && x > y)
      fail (rd, key, "'%s': the minimum is above the maximum", text);
    else if (!rd->failed) {
      *a = x;
      *b = y;
    }
  }
  g_strfreev (parts);
  g_free (text);
}

/* One of `names` (index returned), or fallback when absent. */
static int
get_choice (Reader *rd, const char *key, int fallback, const char *const *names)
{
  char *text = value (rd, key);
  int v = fallback;
  if (text) {
    v = -1;
    for (int i = 0; names[i]; i++)
      if (g_ascii_strcasecmp (text, names[i]) == 0)
        v = i;
    if (v < 0) {
      char *list = g_strjoinv (", ", (char **) names);
      fail (rd, key, "'%s' is not one of %s", text, list);
      g_free (list);
      v = fallback;
    }
  }
  g_free (text);
  return v;
}

gboolean
es_audio_recipe_read_data (GKeyFile *kf, const char *file, const char *group,
    EsAudioConfig *c, GError **error)
{
  static const char *const windows[] = { "hamming", "hann", "rectangular", NULL };
  static const char *const normalize[] = { "none", "rms", "peak", NULL };
  Reader rd = { kf, file, group, error, FALSE };
  unsigned rate = (unsigned) get_uint (&rd, "rate", 16000, 1000, 768000);

  es_audio_config_init (c, rate);
  c->frontend.preemphasis = get_double (&rd, "preemphasis", c->frontend.preemphasis, 0.0, 1.0);
  c->frontend.frame_size = get_uint (&rd, "frame_size", c->frontend.frame_size, 2, 1 << 16);
  c->frontend.hop_size = get_uint (&rd, "hop_size", c->frontend.hop_size, 1, 1 << 16);
  c->frontend.window = (EsWindowType) get_choice (&rd, "window", c->frontend.window, windows);
  c->window_frames = get_uint (&rd, "window_frames", c->window_frames, 1, 100000);
  /* the hop follows W unless given */
  c->window_hop = MAX ((size_t) 1, c->window_frames / 2);
  c->window_hop = get_uint (&rd, "window_hop", c->window_hop, 1, 100000);
  c->warmup_frames = get_uint (&rd, "warmup_frames", c->warmup_frames, 0, 100000);
  c->normalize = (EsAudioNormalize) get_choice (&rd, "normalize", c->normalize, normalize);
  if (c->normalize == ES_AUDIO_NORMALIZE_PEAK)
    c->normalize_db = -1.0;
  c->normalize_db = get_double (&rd, "normalize_db", c->normalize_db, -100.0, 0.0);
  c->max_clip_seconds = get_double (&rd, "max_clip_seconds", c->max_clip_seconds, 0.01, 86400.0);
  c->max_bytes = (size_t) get_uint (&rd, "max_memory_mb", c->max_bytes >> 20, 1, 1 << 20) << 20;
  c->background_clips = get_uint (&rd, "background_clips", c->background_clips, 0, 100000);
  c->background_seconds = get_double (&rd, "background_seconds", c->background_seconds,
      0.01, 600.0);
  {
    char *label = value (&rd, "background_label");
    if (label && (label[0] == '\0' || strlen (label) >= sizeof c->background_label
            || strpbrk (label, ",\"/\\") != NULL))
      fail (&rd, "background_label", "'%s' is not a label (1-%zu characters, no comma, "
          "quote or slash)", label, sizeof c->background_label - 1);
    else if (label)
      g_strlcpy (c->background_label, label, sizeof c->background_label);
    g_free (label);
  }
  if (c->frontend.frame_size > rate)
    fail (&rd, "frame_size", "%zu samples is longer than a second at %u Hz",
        c->frontend.frame_size, rate);
  return !rd.failed;
}

gboolean
es_audio_recipe_read_augment (GKeyFile *kf, const char *file, const char *group,
    guint64 seed, EsAudioAugmentConfig *c, GError **error)
{
  static const char *const crops[] = { "grid", "random", NULL };
  static const char *const colours[] = { "white", "pink", NULL };
  static const char *const mixes[] = { "any", "between-class", NULL };
  static const char *const fills[] = { "mean", "zero", NULL };
  static const char *const booleans[] = { "false", "true", NULL };
  Reader rd = { kf, file, group, error, FALSE };

  es_audio_augment_config_init (c);
  c->pool_seed = seed;
  c->random_crop = get_choice (&rd, "crop", c->random_crop ? 1 : 0, crops) == 1;
  c->gain_db = get_double (&rd, "gain_db", c->gain_db, 0.0, 60.0);
  c->pool_size = (unsigned) get_uint (&rd, "pool", c->pool_size, 0, 64);
  c->pool_probability = get_double (&rd, "pool_probability", c->pool_probability, 0.0, 1.0);
  c->pitch_semitones = get_double (&rd, "pitch_semitones", c->pitch_semitones, 0.0, 12.0);
  c->pitch_probability = get_double (&rd, "pitch_probability", c->pitch_probability, 0.0, 1.0);
  get_range (&rd, "stretch", &c->stretch_min, &c->stretch_max, 0.25, 4.0);
  c->stretch_probability = get_double (&rd, "stretch_probability", c->stretch_probability,
      0.0, 1.0);
  get_range (&rd, "noise_snr_db", &c->noise_snr_min, &c->noise_snr_max, -20.0, 100.0);
  c->noise_colour = (EsAudioNoiseColour) get_choice (&rd, "noise", c->noise_colour, colours);
  c->noise_probability = get_double (&rd, "noise_probability", c->noise_probability, 0.0, 1.0);
  c->mixup_alpha = get_double (&rd, "mixup_alpha", c->mixup_alpha, 0.0, 100.0);
  c->mixup_probability = get_double (&rd, "mixup_probability", c->mixup_probability, 0.0, 1.0);
  c->mixup_between_classes = get_choice (&rd, "mixup", c->mixup_between_classes ? 1 : 0,
      mixes) == 1;
  c->time_masks = (unsigned) get_uint (&rd, "time_masks", c->time_masks, 0, 100);
  c->time_mask_frames = get_uint (&rd, "time_mask_frames", c->time_mask_frames, 0, 100000);
  c->freq_masks = (unsigned) get_uint (&rd, "freq_masks", c->freq_masks, 0, 100);
  c->freq_mask_fraction = get_double (&rd, "freq_mask_fraction", c->freq_mask_fraction, 0.0,
      1.0);
  c->mask_fill = (EsAudioMaskFill) get_choice (&rd, "mask_fill", c->mask_fill, fills);
  c->filter_db = get_double (&rd, "filter_db", c->filter_db, 0.0, 40.0);
  c->filter_bands = (unsigned) get_uint (&rd, "filter_bands", c->filter_bands, 2,
      ES_AUDIO_FILTER_MAX_BANDS);
  c->filter_probability = get_double (&rd, "filter_probability", c->filter_probability, 0.0,
      1.0);
  c->pool_seed = get_uint (&rd, "pool_seed", c->pool_seed, 0, G_MAXUINT64);
  c->crop_active_frames = get_choice (&rd, "crop_active_frames", c->crop_active_frames ? 1 : 0,
      booleans) == 1;
  c->active_db = get_double (&rd, "active_db", c->active_db, 1.0, 120.0);
  c->background_probability = get_double (&rd, "background_probability",
      c->background_probability, 0.0, 1.0);
  get_range (&rd, "background_snr_db", &c->background_snr_min, &c->background_snr_max,
      -30.0, 60.0);
  return !rd.failed;
}
