/* The audio task's data kind "audio" (task-audio.h). */
#include "tasks/audio/task-audio.h"

#include <math.h>
#include <string.h>
#include <json-glib/json-glib.h>

#include "dsp/gammatone.h"
#include "tasks/audio/audio-recipe.h"
#include "train/recipe.h"

/* ---- recipe ---------------------------------------------------------- */

/* The front-end layers leading the architecture: a gammatone layer (whose
 * rate and frame size must be the data's), then log / pcen / dct. */
static void
read_frontend_layers (EsRecipeReader *rd, const EsRecipe *recipe, EsAudioTaskSettings *s)
{
  JsonParser *p = json_parser_new ();
  JsonArray *layers = NULL;
  guint n = 0;

  s->bands = 64;
  s->fmin = ES_GAMMATONE_DEFAULT_FMIN;
  s->fmax = s->audio.frontend.sample_rate / 2.0;
  s->bandwidth = ES_GAMMATONE_DEFAULT_BANDWIDTH;
  s->compression = ES_FRONTEND_COMPRESSION_NONE;
  s->log_floor = ES_GAMMATONE_DEFAULT_LOG_FLOOR;
  if (recipe->architecture_json && json_parser_load_from_data (p, recipe->architecture_json,
          -1, NULL) && JSON_NODE_HOLDS_ARRAY (json_parser_get_root (p))) {
    layers = json_node_get_array (json_parser_get_root (p));
    n = json_array_get_length (layers);
  }
  for (guint i = 0; i < n; i++) {
    JsonNode *node = json_array_get_element (layers, i);
    JsonObject *o = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
    const char *type = o && json_object_has_member (o, "type") ?
        json_object_get_string_member_with_default (o, "type", "") : "";

    if (i == 0) {
      gint64 rate, frame;
      if (strcmp (type, "gammatone") != 0) {
        es_recipe_reader_fail (rd, "model", "architecture", "kind audio trains on power "
            "spectra: the network must start with a \"gammatone\" layer (it starts with "
            "\"%s\")", type);
        break;
      }
      rate = json_object_get_int_member_with_default (o, "rate", 0);
      frame = json_object_get_int_member_with_default (o, "frame_size", 0);
      if (rate != (gint64) s->audio.frontend.sample_rate
          || frame != (gint64) s->audio.frontend.frame_size) {
        es_recipe_reader_fail (rd, "model", "architecture", "the gammatone layer's rate "
            "%" G_GINT64_FORMAT " and frame_size %" G_GINT64_FORMAT " must be the [data] "
            "rate %u and frame_size %zu", rate, frame, s->audio.frontend.sample_rate,
            s->audio.frontend.frame_size);
        break;
      }
      s->bands = (unsigned) json_object_get_int_member_with_default (o, "bands", 64);
      s->fmin = json_object_get_double_member_with_default (o, "fmin", s->fmin);
      s->fmax = json_object_get_double_member_with_default (o, "fmax", s->fmax);
      s->bandwidth = json_object_get_double_member_with_default (o, "bandwidth",
          s->bandwidth);
    } else if (!strcmp (type, "log") && s->frontend_layers == i
        && s->compression == ES_FRONTEND_COMPRESSION_NONE) {
      s->compression = ES_FRONTEND_COMPRESSION_LOG;
      s->log_floor = json_object_get_double_member_with_default (o, "floor", s->log_floor);
    } else if (!strcmp (type, "pcen") && s->frontend_layers == i
        && s->compression == ES_FRONTEND_COMPRESSION_NONE) {
      gint64 warmup = json_object_get_int_member_with_default (o, "warmup", 0);
      s->compression = ES_FRONTEND_COMPRESSION_PCEN;
      if (warmup != (gint64) s->audio.warmup_frames) {
        es_recipe_reader_fail (rd, "data", "warmup_frames", "%zu, but the pcen layer's "
            "warmup is %" G_GINT64_FORMAT " (the data's windows carry its warm-up frames)",
            s->audio.warmup_frames, warmup);
        break;
      }
    } else if (!strcmp (type, "dct") && s->frontend_layers == i && s->dct == 0) {
      s->dct = (unsigned) json_object_get_int_member_with_default (o, "coefficients", 0);
    } else {
      break;
    }
    s->frontend_layers = i + 1;
  }
  if (n == 0 && !es_recipe_reader_failed (rd))
    es_recipe_reader_fail (rd, "model", "architecture", "kind audio needs an architecture "
        "given as JSON starting with a \"gammatone\" layer");
  if (!es_recipe_reader_failed (rd) && s->audio.warmup_frames > 0
      && s->compression != ES_FRONTEND_COMPRESSION_PCEN)
    es_recipe_reader_fail (rd, "data", "warmup_frames", "warm-up frames are for a pcen "
        "layer after the gammatone layer; the network has none");
  g_object_unref (p);
}

static gpointer
parse (EsRecipeReader *rd, const EsRecipe *recipe)
{
  EsAudioTaskSettings *s = g_new0 (EsAudioTaskSettings, 1);
  GKeyFile *kf = es_recipe_reader_get_key_file (rd);
  const char *file = es_recipe_reader_get_path (rd);
  GError *err = NULL;

  if (!es_audio_recipe_read_data (kf, file, "data", &s->audio, &err)) {
    es_recipe_reader_take_error (rd, err);
    return s;
  }
  s->augment = es_recipe_reader_has_group (rd, "augment");
  es_audio_augment_config_init (&s->augment_config);
  if (s->augment) {
    if (!es_audio_recipe_read_augment (kf, file, "augment", recipe->seed, &s->augment_config,
            &err)) {
      es_recipe_reader_take_error (rd, err);
      return s;
    }
    s->audio.keep_audio = s->augment_config.pool_size > 0;
    if (s->augment_config.mixup_alpha > 0 && recipe->balanced_class_weights)
      es_recipe_reader_fail (rd, "augment", "mixup_alpha",
          "mixup's soft targets do not combine with class_weights = balanced");
  }
  if (!es_recipe_reader_failed (rd))
    read_frontend_layers (rd, recipe, s);
  return s;
}

/* ---- data ------------------------------------------------------------- */

/* The set outlives every data set made of its windows: each window's raw
 * blob holds a reference (subsets share the blobs). */
typedef struct {
  gint refs;
  EsAudioSet *set;
} SetRef;

typedef struct {
  SetRef *owner;
  size_t clip;
} WindowRef;

static SetRef *
set_ref (SetRef *r)
{
  g_atomic_int_inc (&r->refs);
  return r;
}

static void
set_unref (SetRef *r)
{
  if (r && g_atomic_int_dec_and_test (&r->refs)) {
    es_audio_set_free (r->set);
    g_free (r);
  }
}

static void
window_ref_free (gpointer data)
{
  WindowRef *w = data;
  set_unref (w->owner);
  g_free (w);
}

static const WindowRef *
window_ref (const EsDataset *d, size_t i)
{
  return d->raw && d->raw[i] ? g_bytes_get_data (d->raw[i], NULL) : NULL;
}

/* The caller's reader as the set's decoder. */
typedef struct {
  EsDataReadFunc read;
  gpointer read_data;
} Reader;

static float *
decode (const char *path, unsigned rate, size_t max_samples, size_t *n_samples,
    gpointer data, GError **error)
{
  const Reader *r = data;
  EsFrontendDesc fe;
  float *values = NULL;
  size_t n = 0;

  es_frontend_desc_init (&fe, ES_FRONTEND_SOURCE_AUDIO);
  fe.rate = rate;
  if (!r->read (path, &fe, &values, &n, r->read_data, error))
    return NULL;
  if (n > max_samples) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA, "longer than %zu samples "
        "(max_clip_seconds)", max_samples);
    g_free (values);
    return NULL;
  }
  *n_samples = n;
  return values;
}

static EsDataset *
load (const EsDataLoad *load, GError **error)
{
  const EsAudioTaskSettings *s = load->settings;
  Reader reader = { load->read, load->read_data };
  EsAudioSet *set;
  EsDataset *d;
  SetRef *owner;

  if (!load->read) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA, "%s: audio data needs a "
        "decoder, and none was given", load->path);
    return NULL;
  }
  if (!(set = es_audio_set_load (load->path, &s->audio, load->options, decode, &reader,
              NULL, NULL, error)))
    return NULL;
  if (load->options->group_columns && !es_audio_set_has_groups (set)) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA, "%s: the recipe groups by "
        "'%s', but the data has no such column (a folder of label/file has no groups: "
        "give an index.csv with path,label,group)", load->path, load->options->group_columns);
    es_audio_set_free (set);
    return NULL;
  }
  if (!(d = es_audio_set_dataset (set, error))) {
    es_audio_set_free (set);
    return NULL;
  }
  owner = g_new0 (SetRef, 1);
  owner->refs = 1;
  owner->set = set;
  d->raw = g_new0 (GBytes *, d->n);
  for (size_t i = 0; i < d->n; i++) {
    WindowRef *w = g_new (WindowRef, 1);
    size_t start;
    w->owner = set_ref (owner);
    es_audio_set_lookup (set, d->sample_names[i], &w->clip, &start);
    d->raw[i] = g_bytes_new_with_free_func (w, sizeof *w, window_ref_free, w);
  }
  set_unref (owner);
  /* [frames, bins]: what a gammatone layer takes */
  d->ndim = 2;
  d->shape[0] = s->audio.warmup_frames + s->audio.window_frames;
  d->shape[1] = es_audio_set_get_n_bins (set);
  return d;
}

static size_t
decision_units (const EsDataset *d, int *unit)
{
  GHashTable *ids = g_hash_table_new (g_direct_hash, g_direct_equal);
  size_t n = 0;

  for (size_t i = 0; i < d->n; i++) {
    const WindowRef *w = window_ref (d, i);
    /* a clip index + 1 as the key; an example without one is its own unit */
    gpointer key = w ? GSIZE_TO_POINTER (w->clip + 1) : NULL, id;
    if (key && g_hash_table_lookup_extended (ids, key, NULL, &id)) {
      unit[i] = GPOINTER_TO_INT (id);
      continue;
    }
    unit[i] = (int) n++;
    if (key)
      g_hash_table_insert (ids, key, GINT_TO_POINTER (unit[i]));
  }
  g_hash_table_destroy (ids);
  return n;
}

static void
describe (gconstpointer settings, const EsDatasetOptions *options, const EsDataset *data,
    EsFrontendDesc *fe, const char **task, EsModelTag *tag)
{
  const EsAudioTaskSettings *s = settings;
  const EsFrontendConfig *f = &s->audio.frontend;

  es_frontend_desc_init (fe, ES_FRONTEND_SOURCE_AUDIO);
  fe->rate = f->sample_rate;
  fe->preemphasis = f->preemphasis;
  fe->frame_size = (unsigned) f->frame_size;
  fe->hop_size = (unsigned) f->hop_size;
  fe->window = f->window;
  fe->n_fft = (unsigned) (2 * (es_audio_config_n_bins (&s->audio) - 1));
  fe->bands = s->bands;
  fe->fmin = s->fmin;
  fe->fmax = s->fmax;
  fe->bandwidth = s->bandwidth;
  fe->compression = s->compression;
  fe->log_floor = s->log_floor;
  fe->dct = s->dct;
  fe->window_frames = (unsigned) s->audio.window_frames;
  fe->window_hop = (unsigned) s->audio.window_hop;
  fe->frontend_layers = s->frontend_layers;
  *task = "the class of a sound, per window of the front-end's frames; a file's class is "
      "the mean of its windows' probabilities";
  *tag = ES_MODEL_TAG_NONE;
}

/* ---- augmentation ---------------------------------------------------- */

typedef struct {
  SetRef *owner;
  EsAudioAugment *augment;
} AugmentState;

static gpointer
augment_new (gconstpointer settings, const EsDataset *like, GError **error)
{
  const EsAudioTaskSettings *s = settings;
  const WindowRef *w = like->n ? window_ref (like, 0) : NULL;
  AugmentState *a;

  if (!s->augment)
    return NULL;
  if (!w) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA, "audio augmentation: the data "
        "set was not loaded by the audio kind");
    return NULL;
  }
  a = g_new0 (AugmentState, 1);
  a->owner = set_ref (w->owner);
  if (!(a->augment = es_audio_augment_new (a->owner->set, &s->augment_config, NULL, NULL,
              error))) {
    set_unref (a->owner);
    g_free (a);
    return NULL;
  }
  return a;
}

static void
augment_batch (const EsDataset *train, const size_t *indices, size_t batch, float *x,
    int *labels, float *targets, EsRng *rng, gpointer data)
{
  AugmentState *a = data;
  es_audio_augment_batch (train, indices, batch, x, labels, targets, rng, a->augment);
}

static void
augment_free (gpointer data)
{
  AugmentState *a = data;
  es_audio_augment_free (a->augment);
  set_unref (a->owner);
  g_free (a);
}

static gboolean
soft_targets (gconstpointer settings)
{
  const EsAudioTaskSettings *s = settings;
  return s->augment && s->augment_config.mixup_alpha > 0;
}

/* ---- card ------------------------------------------------------------ */

static char *
card_data (gconstpointer settings)
{
  const EsAudioTaskSettings *s = settings;
  const EsAudioConfig *c = &s->audio;

  char *text = g_strdup_printf ("audio at %u Hz (pre-emphasis %g, %s frames of %zu samples "
      "every %zu) as power spectra, windows of %zu frames every %zu frames (%zu warm-up "
      "frames before each for PCEN); a clip shorter than a window is padded with silence "
      "to one window; per-recording normalisation %s", c->frontend.sample_rate,
      c->frontend.preemphasis, es_window_type_name (c->frontend.window),
      c->frontend.frame_size, c->frontend.hop_size, c->window_frames, c->window_hop,
      c->warmup_frames, es_audio_normalize_name (c->normalize));

  if (c->background_clips > 0) {
    char *more = g_strdup_printf ("%s; plus %zu generated background clips of %g s, class "
        "'%s' (coloured noise, hum, tones, level variation: "
        "tasks/audio/audio-transform.h es_audio_background), each its own group", text,
        c->background_clips, c->background_seconds, c->background_label);
    g_free (text);
    text = more;
  }
  return text;
}

static char *
card_augment (gconstpointer settings)
{
  const EsAudioTaskSettings *s = settings;
  const EsAudioAugmentConfig *a = &s->augment_config;
  GString *t;

  if (!s->augment)
    return NULL;
  t = g_string_new ("- augmentation of training windows (tasks/audio/audio-augment.h): ");
  g_string_append (t, a->random_crop ? "random crops" : "grid crops");
  if (a->gain_db > 0)
    g_string_append_printf (t, ", gain ±%g dB", a->gain_db);
  if (a->pool_size > 0) {
    g_string_append_printf (t, ", %.0f %% of draws from a pool of %u variants per clip (",
        100 * a->pool_probability, a->pool_size);
    g_string_append_printf (t, "pitch ±%g semitones p %.2f, stretch %g-%g p %.2f, %s noise "
        "at %g-%g dB SNR p %.2f)", a->pitch_semitones, a->pitch_probability, a->stretch_min,
        a->stretch_max, a->stretch_probability, es_audio_noise_colour_name (a->noise_colour),
        a->noise_snr_min, a->noise_snr_max, a->noise_probability);
  }
  if (a->filter_db > 0)
    g_string_append_printf (t, ", random filters (2-%u bands, +-%g dB) p %.2f", a->filter_bands,
        a->filter_db, a->filter_probability);
  if (a->mixup_alpha > 0)
    g_string_append_printf (t, ", %s mixup (Beta %g) p %.2f", a->mixup_between_classes ?
        "between-class" : "", a->mixup_alpha, a->mixup_probability);
  if (a->crop_active_frames)
    g_string_append_printf (t, ", crops around active frames (within %g dB of the loudest)",
        a->active_db);
  if (a->background_probability > 0)
    g_string_append_printf (t, ", %.0f %% of sound windows mixed with a '%s' window at "
        "%g-%g dB SNR", 100 * a->background_probability, s->audio.background_label,
        a->background_snr_min, a->background_snr_max);
  if (a->time_masks > 0)
    g_string_append_printf (t, ", %u time mask(s) up to %zu frames", a->time_masks,
        a->time_mask_frames);
  if (a->freq_masks > 0)
    g_string_append_printf (t, ", %u frequency mask(s) up to %g of the mel scale",
        a->freq_masks, a->freq_mask_fraction);
  return g_string_free (t, FALSE);
}

/* ---- evaluation ------------------------------------------------------ */

static gboolean
is_audio_data (const char *path)
{
  return g_file_test (path, G_FILE_TEST_IS_DIR) || g_str_has_suffix (path, ".csv");
}

static gpointer
settings_for_model (const EsFrontendDesc *fe, const char *path, gconstpointer recipe)
{
  const EsAudioTaskSettings *r = recipe;
  EsAudioTaskSettings *s;

  if (fe->source != ES_FRONTEND_SOURCE_AUDIO || fe->frontend_layers == 0
      || !is_audio_data (path))
    return NULL;
  s = g_new0 (EsAudioTaskSettings, 1);
  if (r)
    *s = *r;
  else
    es_audio_config_init (&s->audio, fe->rate);
  /* the model fixes what its input is made of */
  s->audio.frontend.sample_rate = fe->rate;
  s->audio.frontend.preemphasis = fe->preemphasis;
  s->audio.frontend.frame_size = fe->frame_size;
  s->audio.frontend.hop_size = fe->hop_size;
  s->audio.frontend.window = fe->window;
  s->audio.window_frames = fe->window_frames;
  if (fe->window_hop)
    s->audio.window_hop = fe->window_hop;
  s->audio.keep_audio = FALSE;
  /* evaluation data is the files given, nothing generated */
  s->audio.background_clips = 0;
  /* evaluation data may hold a class once */
  s->audio.min_clips_per_class = 0;
  s->augment = FALSE;
  s->bands = fe->bands;
  s->fmin = fe->fmin;
  s->fmax = fe->fmax;
  s->bandwidth = fe->bandwidth;
  s->compression = fe->compression;
  s->log_floor = fe->log_floor;
  s->dct = fe->dct;
  s->frontend_layers = fe->frontend_layers;
  return s;
}

/* The class a live stream is made of between sounds: the generated
 * background's, when the recipe generates it. */
static const char *
background_label (gconstpointer settings)
{
  const EsAudioTaskSettings *s = settings;
  return s->audio.background_clips > 0 ? s->audio.background_label : NULL;
}

static EsDataKind audio_kind = {
  .name = "audio",
  .parse = parse,
  .free_settings = g_free,
  .load = load,
  .describe = describe,
  .augment_new = augment_new,
  .augment = augment_batch,
  .augment_free = augment_free,
  .soft_targets = soft_targets,
  .card_data = card_data,
  .card_augment = card_augment,
  .settings_for_model = settings_for_model,
  .decision_units = decision_units,
  .background_label = background_label,
};

const EsDataKind *
es_task_audio_kind (void)
{
  if (!audio_kind.data_keys) {
    audio_kind.data_keys = es_audio_recipe_data_keys ();
    audio_kind.augment_keys = es_audio_recipe_augment_keys ();
  }
  return &audio_kind;
}

void
es_task_audio_register (void)
{
  es_data_kind_register (es_task_audio_kind ());
}
