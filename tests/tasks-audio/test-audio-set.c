/* The audio data kind: power spectra against NumPy and bit for bit against the
 * front-end's own path, short-clip padding, warm-up frames, the window grid,
 * groups, names and lookups, clip-level scores, bad clips, the memory bound,
 * and loading folders and index files (through a test decoder). */
#include <check.h>
#include <math.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "dsp/frontend.h"
#include "tasks/audio/audio-set.h"
#include "fixture.h"
#include "audio-test-util.h"

/* A test clip: a chirp plus a little deterministic noise. */
static float *
test_clip (size_t n, unsigned rate, guint64 seed)
{
  float *x = g_new (float, n);
  EsRng rng;
  es_rng_init (&rng, seed);
  for (size_t i = 0; i < n; i++) {
    double t = (double) i / rate;
    x[i] = (float) (0.3 * sin (2 * G_PI * (150 * t + 900 * t * t))
        + 0.02 * (es_rng_uniform (&rng) - 0.5));
  }
  return x;
}

static void
small_config (EsAudioConfig *c, unsigned rate)
{
  es_audio_config_init (c, rate);
  c->frontend.frame_size = rate / 40;   /* 25 ms */
  c->frontend.hop_size = rate / 100;    /* 10 ms */
  c->window_frames = 10;
  c->window_hop = 5;
}

START_TEST (test_spectra_match_numpy)
{
  size_t n;
  double *fx = es_fixture_load_doubles ("audio/power_16k.txt", &n);
  size_t n_samples = (size_t) fx[0], n_frames = (size_t) fx[1], n_bins = (size_t) fx[2];
  float *x = g_new (float, n_samples);
  EsFrontendConfig fe;
  EsAudioSpectra s;
  double max = 0.0;

  ck_assert_uint_eq (n, 3 + n_samples + n_frames * n_bins);
  for (size_t i = 0; i < n_samples; i++)
    x[i] = (float) fx[3 + i];
  es_frontend_config_init (&fe, 16000);
  ck_assert (es_audio_spectra_compute (&fe, x, n_samples, 1, &s, NULL));
  ck_assert_uint_eq (s.n_frames, n_frames);
  ck_assert_uint_eq (s.origin, 0);
  for (size_t i = 0; i < n_frames * n_bins; i++)
    max = MAX (max, fx[3 + n_samples + i]);
  ck_assert_double_le (es_max_rel_error (s.power, fx + 3 + n_samples, n_frames * n_bins,
          1e-6 * max), 1e-4);
  es_audio_spectra_clear (&s);
  g_free (x);
  g_free (fx);
}
END_TEST

/* gammatone + log of the cached spectra == es_frontend_process_clip, bit for
 * bit (the front-end the elements are tested against), for a few settings. */
static void
check_bit_exact (unsigned rate, size_t frame, size_t hop, EsWindowType window, double pre,
    size_t n)
{
  EsFrontendConfig fe;
  EsFrontend *front;
  EsAudioSpectra s;
  float *x = test_clip (n, rate, n), *want, *energies;
  size_t n_frames, n_bins;
  const EsGammatoneFb *fb;
  unsigned bands;

  es_frontend_config_init (&fe, rate);
  fe.frame_size = frame;
  fe.hop_size = hop;
  fe.window = window;
  fe.preemphasis = pre;
  fe.n_bands = 40;
  front = es_frontend_new (&fe, NULL);
  want = es_frontend_process_clip (front, x, n, &n_frames);
  fb = es_frontend_get_filterbank (front);
  bands = es_gammatone_fb_get_n_bands (fb);
  n_bins = es_gammatone_fb_get_n_bins (fb);
  ck_assert (es_audio_spectra_compute (&fe, x, n, 1, &s, NULL));
  ck_assert_uint_eq (s.n_frames, n_frames);
  energies = g_new (float, bands);
  for (size_t t = 0; t < n_frames; t++) {
    es_gammatone_fb_apply (fb, s.power + t * n_bins, energies);
    es_log_compress (energies, bands, (float) fe.log_floor);
    ck_assert_msg (memcmp (energies, want + t * bands, bands * sizeof (float)) == 0,
        "rate %u frame %zu: frame %zu differs", rate, frame, t);
  }
  g_free (energies);
  es_audio_spectra_clear (&s);
  g_free (want);
  es_frontend_free (front);
  g_free (x);
}

START_TEST (test_spectra_bit_exact_with_frontend)
{
  check_bit_exact (16000, 400, 160, ES_WINDOW_HAMMING, 0.97, 20000);
  check_bit_exact (8000, 200, 80, ES_WINDOW_HANN, 0.0, 9999);
  check_bit_exact (22050, 512, 256, ES_WINDOW_RECTANGULAR, 0.5, 30011);
}
END_TEST

/* A short clip is padded with silence before and after; the cached spectra are
 * exactly those of the padded audio, and its own frames are those of the clip. */
START_TEST (test_short_clip_padding)
{
  EsFrontendConfig fe;
  EsAudioSpectra s, padded_s, own;
  const size_t n = 4800, w = 100;      /* 28 frames of audio */
  float *x = test_clip (n, 16000, 1), *padded;
  size_t lead, total;

  es_frontend_config_init (&fe, 16000);
  ck_assert (es_audio_spectra_compute (&fe, x, n, w, &s, NULL));
  ck_assert_uint_eq (s.audio_frames, 28);
  ck_assert_uint_eq (s.origin, 72);
  ck_assert_uint_eq (s.n_frames, 172);
  lead = 72 * 160;
  total = (172 - 1) * 160 + 400;
  padded = g_new0 (float, total);
  memcpy (padded + lead, x, n * sizeof (float));
  ck_assert (es_audio_spectra_compute (&fe, padded, total, 1, &padded_s, NULL));
  ck_assert_uint_eq (padded_s.n_frames, 172);
  ck_assert (memcmp (s.power, padded_s.power, 172 * 257 * sizeof (float)) == 0);
  ck_assert (es_audio_spectra_compute (&fe, x, n, 1, &own, NULL));
  ck_assert (memcmp (s.power + 72 * 257, own.power, 28 * 257 * sizeof (float)) == 0);
  /* well before the clip and well after it: silence */
  for (size_t b = 0; b < 257; b++) {
    ck_assert (s.power[0 * 257 + b] == 0.0f);
    ck_assert (s.power[171 * 257 + b] == 0.0f);
  }
  es_audio_spectra_clear (&s);
  es_audio_spectra_clear (&padded_s);
  es_audio_spectra_clear (&own);
  /* shorter than one frame: one window of silence around a partial frame */
  ck_assert (es_audio_spectra_compute (&fe, x, 100, w, &s, NULL));
  ck_assert_uint_eq (s.audio_frames, 0);
  ck_assert_uint_eq (s.origin, 100);
  ck_assert_uint_eq (s.n_frames, 200);
  es_audio_spectra_clear (&s);
  g_free (padded);
  g_free (x);
}
END_TEST

START_TEST (test_window_warmup)
{
  EsAudioSpectra s = { 0 };
  float out[7 * 2];
  /* 6 frames of 2 bins: frame t = (t, -t); origin 2 as for a short clip */
  s.n_frames = 6;
  s.origin = 2;
  s.power = g_new (float, 12);
  for (int t = 0; t < 6; t++) {
    s.power[2 * t] = (float) t;
    s.power[2 * t + 1] = (float) -t;
  }
  /* at the clip start: warm-up repeats the clip's first frame (a fresh start) */
  es_audio_spectra_window (&s, 2, 2, 4, 3, out);
  ck_assert (out[0] == 2 && out[2] == 2 && out[4] == 2 && out[6] == 2 && out[12] == 5);
  /* one frame later: 2, 2, 2 | 3 ... and later 1 real frame of history */
  es_audio_spectra_window (&s, 2, 3, 3, 3, out);
  ck_assert (out[0] == 2 && out[2] == 2 && out[4] == 2 && out[6] == 3);
  /* a window starting in the leading silence: clamped at frame 0 */
  es_audio_spectra_window (&s, 2, 1, 4, 2, out);
  ck_assert (out[0] == 0 && out[2] == 0 && out[4] == 1 && out[5] == -1);
  /* no warm-up: just the frames */
  es_audio_spectra_window (&s, 2, 0, 6, 0, out);
  ck_assert (memcmp (out, s.power, 12 * sizeof (float)) == 0);
  g_free (s.power);
}
END_TEST

START_TEST (test_set_grid_and_dataset)
{
  EsAudioConfig c;
  EsAudioSet *set;
  EsDataset *d, *sub;
  const size_t lengths[] = { 8000, 4000, 800, 12345 };  /* 8 kHz: 98, 48, 8, 152 frames */
  const char *labels[] = { "b", "a", "b", "a" };
  const char *groups[] = { "g1", NULL, "g1", "g2" };
  size_t expected_windows[4], total = 0, clip, start, sub_idx[3] = { 1, 9, 15 };
  EsAudioClip info;
  float *scores, *clip_scores;
  int *clip_labels;
  size_t *clip_index, m;

  small_config (&c, 8000);
  c.warmup_frames = 2;
  set = es_audio_set_new (&c, NULL, NULL);
  ck_assert (set != NULL);
  for (int i = 0; i < 4; i++) {
    float *x = test_clip (lengths[i], 8000, i);
    char *name = g_strdup_printf ("clip%d.wav", i);
    ck_assert (es_audio_set_add_clip (set, x, lengths[i], name, labels[i], groups[i], NULL));
    g_free (name);
    g_free (x);
  }
  ck_assert_uint_eq (es_audio_set_get_n_clips (set), 4);
  ck_assert_int_eq (es_audio_set_get_n_classes (set), 2);
  ck_assert_str_eq (es_audio_set_get_class_names (set)[0], "b");
  ck_assert (es_audio_set_get_class_names (set)[2] == NULL);
  ck_assert (es_audio_set_has_groups (set));
  ck_assert_uint_eq (es_audio_set_get_n_groups (set), 3);     /* g1, clip1's own, g2 */
  ck_assert_uint_eq (es_audio_set_get_n_bins (set), 129);
  ck_assert_uint_eq (es_audio_set_get_example_size (set), 12 * 129);
  /* frames: (n - 200) / 80 + 1; a short clip has one window */
  expected_windows[0] = (98 - 10) / 5 + 1;
  expected_windows[1] = (48 - 10) / 5 + 1;
  expected_windows[2] = 1;
  expected_windows[3] = (152 - 10) / 5 + 1;
  for (int i = 0; i < 4; i++) {
    ck_assert_uint_eq (es_audio_set_clip_n_windows (set, i), expected_windows[i]);
    total += expected_windows[i];
  }
  es_audio_set_get_clip (set, 2, &info);
  ck_assert_uint_eq (info.spectra->origin, 2);
  ck_assert_uint_eq (es_audio_set_clip_window_start (set, 2, 0), 2);
  ck_assert (info.samples == NULL);   /* keep_audio off */
  ck_assert_uint_eq (info.n_samples, 800);

  d = es_audio_set_dataset (set, NULL);
  ck_assert_uint_eq (d->n, total);
  ck_assert_uint_eq (d->input_size, 12 * 129);
  ck_assert_str_eq (d->sample_names[0], "clip0.wav@0");
  ck_assert_str_eq (d->sample_names[1], "clip0.wav@5");
  {
    size_t row = 0;
    float *want = g_new (float, d->input_size);
    for (int i = 0; i < 4; i++) {
      es_audio_set_get_clip (set, i, &info);
      for (size_t j = 0; j < expected_windows[i]; j++, row++) {
        ck_assert_int_eq (d->labels[row], info.label);
        ck_assert_int_eq (d->groups[row], info.group);
        ck_assert (es_audio_set_lookup (set, d->sample_names[row], &clip, &start));
        ck_assert_uint_eq (clip, i);
        ck_assert_uint_eq (start, info.spectra->origin + j * 5);
        es_audio_spectra_window (info.spectra, 129, start, 10, 2, want);
        ck_assert (memcmp (want, d->x + row * d->input_size, d->input_size * 4) == 0);
      }
    }
    g_free (want);
  }
  /* clips 0 and 2 share g1: their windows share a group id */
  ck_assert_int_eq (d->groups[0], d->groups[expected_windows[0] + expected_windows[1]]);
  ck_assert_int_ne (d->groups[0], d->groups[expected_windows[0]]);
  /* lookups work on subsets (names travel with the examples) */
  sub = es_dataset_subset (d, sub_idx, 3);
  ck_assert (es_audio_set_lookup (set, sub->sample_names[2], &clip, &start));
  ck_assert (!es_audio_set_lookup (set, "clip0.wav@3", &clip, &start));   /* off the grid */
  ck_assert (!es_audio_set_lookup (set, "clip0.wav@500", &clip, &start));
  ck_assert (!es_audio_set_lookup (set, "nope.wav@0", &clip, &start));
  ck_assert (!es_audio_set_lookup (set, "clip0.wav", &clip, &start));
  ck_assert (!es_audio_set_lookup (set, "clip0.wav@x", &clip, &start));

  /* clip-level scores: the mean of the windows' */
  scores = g_new (float, d->n * 2);
  for (size_t i = 0; i < d->n; i++) {
    scores[2 * i] = (float) (i % 2);
    scores[2 * i + 1] = (float) (1 - i % 2);
  }
  m = es_audio_set_clip_scores (set, d, scores, &clip_scores, &clip_labels, &clip_index);
  ck_assert_uint_eq (m, 4);
  ck_assert_uint_eq (clip_index[3], 3);
  ck_assert_int_eq (clip_labels[1], 1);
  /* clip 0: 18 windows alternating 0, 1: mean 0.5 */
  ck_assert_float_eq_tol (clip_scores[0], 0.5f, 1e-6f);
  ck_assert_float_eq_tol (clip_scores[2 * 2],
      (float) ((expected_windows[0] + expected_windows[1]) % 2), 1e-6f);
  g_free (clip_scores);
  g_free (clip_labels);
  g_free (clip_index);
  g_free (scores);
  es_dataset_free (sub);
  es_dataset_free (d);
  es_audio_set_free (set);
}
END_TEST

static gboolean
fails_with (EsAudioSet *set, const float *x, size_t n, const char *name, const char *label,
    const char *needle)
{
  GError *error = NULL;
  size_t before = es_audio_set_get_n_clips (set), bytes = es_audio_set_get_bytes (set);
  gboolean ok = es_audio_set_add_clip (set, x, n, name, label, NULL, &error);
  gboolean matched = !ok && error && strstr (error->message, needle) != NULL;
  if (!matched)
    fprintf (stderr, "expected '%s', got: %s\n", needle, error ? error->message : "success");
  g_clear_error (&error);
  return matched && es_audio_set_get_n_clips (set) == before
      && es_audio_set_get_bytes (set) == bytes;
}

START_TEST (test_bad_clips_and_limits)
{
  EsAudioConfig c;
  EsAudioSet *set;
  const char *classes[] = { "dog", "cat", NULL };
  float *x = test_clip (8000, 8000, 3);
  GError *error = NULL;

  small_config (&c, 8000);
  c.max_clip_seconds = 1.5;
  c.max_bytes = 200 * 1024;
  set = es_audio_set_new (&c, classes, NULL);
  ck_assert (es_audio_set_add_clip (set, x, 8000, "a", "dog", NULL, NULL));
  ck_assert (fails_with (set, x, 8000, "a", "dog", "twice"));
  ck_assert (fails_with (set, x, 8000, "b", "", "empty label"));
  ck_assert (fails_with (set, x, 8000, "b", "cow", "not one of the classes (dog, cat)"));
  ck_assert (fails_with (set, x, 0, "b", "dog", "no audio samples"));
  {
    float *y = g_new (float, 16000);
    memset (y, 0, 16000 * sizeof (float));
    ck_assert (fails_with (set, y, 16000, "b", "dog", "at most 1.5 s"));
    g_free (y);
  }
  x[77] = NAN;
  ck_assert (fails_with (set, x, 8000, "b", "dog", "sample 77"));
  x[77] = 0.0f;
  /* 98 frames x 129 bins x 4 bytes = 50 kB each: the fifth passes 200 kB */
  ck_assert (es_audio_set_add_clip (set, x, 8000, "b", "dog", NULL, NULL));
  ck_assert (es_audio_set_add_clip (set, x, 8000, "c", "cat", NULL, NULL));
  ck_assert (es_audio_set_add_clip (set, x, 8000, "d", "cat", NULL, NULL));
  ck_assert (fails_with (set, x, 8000, "e", "cat", "max_memory_mb"));
  /* the data set copy counts too */
  ck_assert (es_audio_set_dataset (set, &error) == NULL);
  ck_assert (strstr (error->message, "max_memory_mb") != NULL);
  g_clear_error (&error);
  es_audio_set_free (set);

  /* bad settings */
  small_config (&c, 8000);
  c.window_frames = 0;
  ck_assert (es_audio_set_new (&c, NULL, &error) == NULL);
  g_clear_error (&error);
  small_config (&c, 8000);
  c.normalize_db = 3.0;
  ck_assert (es_audio_set_new (&c, NULL, &error) == NULL);
  g_clear_error (&error);
  small_config (&c, 8000);
  c.frontend.hop_size = 0;
  ck_assert (es_audio_set_new (&c, NULL, &error) == NULL);
  g_clear_error (&error);
  g_free (x);
}
END_TEST

/* Per-recording normalisation: the spectra of a clip at any level are the
 * same after RMS normalisation; a silent clip is kept, flagged, all zero. */
START_TEST (test_normalisation)
{
  EsAudioConfig c;
  EsAudioSet *set;
  float *x = test_clip (8000, 8000, 4), *loud = g_new (float, 8000), *zero;
  EsAudioClip a, b, s;

  for (int i = 0; i < 8000; i++)
    loud[i] = 3.0f * x[i];
  small_config (&c, 8000);
  c.normalize = ES_AUDIO_NORMALIZE_RMS;
  c.normalize_db = -20.0;
  c.keep_audio = TRUE;
  set = es_audio_set_new (&c, NULL, NULL);
  ck_assert (es_audio_set_add_clip (set, x, 8000, "quiet", "x", NULL, NULL));
  ck_assert (es_audio_set_add_clip (set, loud, 8000, "loud", "x", NULL, NULL));
  zero = g_new0 (float, 4000);
  ck_assert (es_audio_set_add_clip (set, zero, 4000, "silence", "y", NULL, NULL));
  es_audio_set_get_clip (set, 0, &a);
  es_audio_set_get_clip (set, 1, &b);
  es_audio_set_get_clip (set, 2, &s);
  ck_assert_double_eq_tol (20 * log10 (es_audio_rms (a.samples, 8000)), -20.0, 1e-4);
  ck_assert_double_eq_tol (20 * log10 (es_audio_rms (b.samples, 8000)), -20.0, 1e-4);
  {
    float max = 0.0f;
    for (size_t i = 0; i < a.spectra->n_frames * 129; i++)
      max = MAX (max, a.spectra->power[i]);
    for (size_t i = 0; i < a.spectra->n_frames * 129; i++)
      ck_assert (fabsf (a.spectra->power[i] - b.spectra->power[i])
          <= 1e-5f * (a.spectra->power[i] + 1e-4f * max));
  }
  ck_assert (!a.silent && s.silent);
  for (size_t i = 0; i < s.spectra->n_frames * 129; i++)
    ck_assert (s.spectra->power[i] == 0.0f);
  ck_assert (!es_audio_set_has_groups (set));
  ck_assert_uint_eq (es_audio_set_get_n_groups (set), 3);
  es_audio_set_free (set);
  g_free (x);
  g_free (loud);
  g_free (zero);
}
END_TEST

/* ---- loading, through a test decoder: a file holds "FREQ SECONDS" ---- */

static float *
tone_decoder (const char *path, unsigned rate, size_t max_samples, size_t *n,
    gpointer user_data, GError **error)
{
  char *text = NULL;
  double f, secs;
  int *calls = user_data;

  if (calls)
    (*calls)++;
  if (!g_file_get_contents (path, &text, NULL, NULL)
      || sscanf (text, "%lf %lf", &f, &secs) != 2) {
    g_free (text);
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "not audio (test decoder)");
    return NULL;
  }
  g_free (text);
  *n = (size_t) (secs * rate);
  if (*n > max_samples) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "too long");
    return NULL;
  }
  return test_tone (f, 0.3, *n, rate);
}

static void
write_file (const char *dir, const char *name, const char *text)
{
  char *path = g_build_filename (dir, name, NULL), *parent = g_path_get_dirname (path);
  g_mkdir_with_parents (parent, 0755);
  ck_assert (g_file_set_contents (path, text, -1, NULL));
  g_free (parent);
  g_free (path);
}

static EsAudioSet *
load (const char *path, const EsDatasetOptions *o, GError **error)
{
  EsAudioConfig c;
  small_config (&c, 8000);
  return es_audio_set_load (path, &c, o, tone_decoder, NULL, NULL, NULL, error);
}

static gboolean
load_fails (const char *path, const char *needle)
{
  GError *error = NULL;
  EsAudioSet *set = load (path, NULL, &error);
  gboolean ok = set == NULL && error && strstr (error->message, needle);
  if (!ok)
    fprintf (stderr, "expected '%s', got: %s\n", needle, error ? error->message : "success");
  es_audio_set_free (set);
  g_clear_error (&error);
  return ok;
}

static void
progress_count (size_t done, size_t total, const char *name, gpointer data)
{
  *(size_t *) data = done * 1000 + total;
}

START_TEST (test_load_index_and_folders)
{
  char *dir = g_dir_make_tmp ("es-audio-XXXXXX", NULL), *sub, *index;
  EsAudioSet *set;
  EsAudioClip clip;
  EsDatasetOptions o = { 0 };
  EsAudioConfig c;
  GError *error = NULL;
  size_t progress = 0;
  int calls = 0;

  /* label folders, no index: sorted labels, names label/file, no groups;
   * hidden files and files at the top are ignored */
  write_file (dir, "low/a.wav", "200 0.5");
  write_file (dir, "low/b.wav", "250 1.0");
  write_file (dir, "high/c.wav", "2000 0.4");
  write_file (dir, "high/d.wav", "2500 0.3");
  write_file (dir, "high/.hidden", "nonsense");
  write_file (dir, "README.md", "not a clip");
  small_config (&c, 8000);
  set = es_audio_set_load (dir, &c, NULL, tone_decoder, &calls, progress_count, &progress,
      &error);
  ck_assert_msg (set != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (calls, 4);
  ck_assert_uint_eq (progress, 4004);
  ck_assert_uint_eq (es_audio_set_get_n_clips (set), 4);
  ck_assert_str_eq (es_audio_set_get_class_names (set)[0], "high");
  ck_assert_str_eq (es_audio_set_get_class_names (set)[1], "low");
  es_audio_set_get_clip (set, 0, &clip);
  ck_assert_str_eq (clip.name, "high/c.wav");
  ck_assert_uint_eq (clip.n_samples, 3200);
  ck_assert (!es_audio_set_has_groups (set));
  ck_assert_uint_eq (es_audio_set_get_n_groups (set), 4);
  es_audio_set_free (set);
  /* fixed class order */
  {
    const char *order[] = { "low", "high", NULL };
    o.class_names = order;
    set = load (dir, &o, NULL);
    ck_assert_str_eq (es_audio_set_get_class_names (set)[0], "low");
    es_audio_set_get_clip (set, 0, &clip);
    ck_assert_int_eq (clip.label, 1);
    es_audio_set_free (set);
    o.class_names = NULL;
  }

  /* an index: path relative to it, label, group; filter and max_rows work */
  write_file (dir, "index.csv",
      "path,label,group,speaker\n"
      "low/a.wav,low,r1,s1\n"
      "high/c.wav,high,r1,s2\n"
      "low/b.wav,low,r2,s1\n"
      "high/d.wav,high,r3,s2\n");
  set = load (dir, NULL, &error);
  ck_assert_msg (set != NULL, "%s", error ? error->message : "");
  ck_assert (es_audio_set_has_groups (set));
  ck_assert_uint_eq (es_audio_set_get_n_groups (set), 3);
  ck_assert_str_eq (es_audio_set_get_class_names (set)[0], "low");
  es_audio_set_get_clip (set, 1, &clip);
  ck_assert_str_eq (clip.name, "high/c.wav");
  {
    EsAudioClip first;
    es_audio_set_get_clip (set, 0, &first);
    ck_assert_int_eq (first.group, clip.group);
  }
  es_audio_set_free (set);
  /* the index itself as the path; another group column */
  index = g_build_filename (dir, "index.csv", NULL);
  o.group_columns = "speaker";
  set = load (index, &o, NULL);
  ck_assert_uint_eq (es_audio_set_get_n_groups (set), 2);
  es_audio_set_free (set);
  o.group_columns = NULL;
  g_free (index);

  /* an index without a group column: each clip its own group */
  write_file (dir, "index.csv", "path,label\nlow/a.wav,low\nhigh/c.wav,high\n"
      "low/b.wav,low\nhigh/d.wav,high\n");
  set = load (dir, NULL, NULL);
  ck_assert (!es_audio_set_has_groups (set));
  ck_assert_uint_eq (es_audio_set_get_n_groups (set), 4);
  es_audio_set_free (set);

  /* errors name the index line and the file */
  write_file (dir, "index.csv", "path,label\nlow/a.wav,low\nhigh/zz.wav,high\n");
  ck_assert (load_fails (dir, "index.csv:3: high/zz.wav: No such file"));
  write_file (dir, "index.csv", "path,label\nlow/a.wav,low\nREADME.md,high\n");
  ck_assert (load_fails (dir, "index.csv:3: README.md: not audio (test decoder)"));
  write_file (dir, "index.csv", "path,label\nlow/a.wav,low\nhigh,high\n");
  ck_assert (load_fails (dir, "high: not a regular file"));
  write_file (dir, "index.csv", "path,label\nlow/a.wav,low\nlow/b.wav,low\nhigh/c.wav,high\n");
  ck_assert (load_fails (dir, "label 'high' has 1 clip(s)"));
  write_file (dir, "index.csv", "path,label\nlow/a.wav,low\nlow/b.wav,low\n");
  ck_assert (load_fails (dir, "1 class(es) found"));
  write_file (dir, "index.csv", "file,label\nlow/a.wav,low\n");
  ck_assert (load_fails (dir, "no column named 'path'"));
  write_file (dir, "index.csv", "path,label\nlow/a.wav,low\nlow/a.wav,low\nhigh/c.wav,high\n");
  ck_assert (load_fails (dir, "twice"));
  sub = g_build_filename (dir, "index.csv", NULL);
  g_unlink (sub);
  g_free (sub);

  /* folders: an empty label folder, a missing folder, no label folders */
  sub = g_build_filename (dir, "empty", NULL);
  g_mkdir (sub, 0755);
  ck_assert (load_fails (dir, "label folder 'empty' holds no files"));
  g_rmdir (sub);
  g_free (sub);
  sub = g_build_filename (dir, "missing", NULL);
  ck_assert (load_fails (sub, "no such folder or index file"));
  g_free (sub);
  sub = g_build_filename (dir, "low", NULL);
  ck_assert (load_fails (sub, "no index.csv and no label folders"));
  g_free (sub);

  /* a one-example label is fine when the caller allows it (e.g. scoring) */
  write_file (dir, "index.csv", "path,label\nlow/a.wav,low\nhigh/c.wav,high\n");
  small_config (&c, 8000);
  c.min_clips_per_class = 0;
  set = es_audio_set_load (dir, &c, NULL, tone_decoder, NULL, NULL, NULL, &error);
  ck_assert (set != NULL);
  es_audio_set_free (set);

  {
    char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
    ck_assert_int_eq (system (cmd), 0);
    g_free (cmd);
  }
  g_free (dir);
}
END_TEST

/* Generated background clips: added after the files as the last class,
 * each its own group, the same samples on every load, a fixed class order
 * extended; the generator's output is finite, inside (-1, 1), and differs
 * from clip to clip. */
START_TEST (test_background_clips)
{
  char *dir = g_dir_make_tmp ("es-audio-XXXXXX", NULL);
  EsAudioSet *set, *again;
  EsAudioConfig c;
  EsAudioClip clip, other;
  EsDatasetOptions o = { 0 };
  GError *error = NULL;
  const char *order[] = { "low", "high", NULL };

  write_file (dir, "index.csv", "path,label,group\nlow/a.wav,low,r1\nlow/b.wav,low,r2\n"
      "high/c.wav,high,r1\nhigh/d.wav,high,r2\n");
  write_file (dir, "low/a.wav", "200 0.5");
  write_file (dir, "low/b.wav", "250 1.0");
  write_file (dir, "high/c.wav", "2000 0.4");
  write_file (dir, "high/d.wav", "2500 0.3");
  small_config (&c, 8000);
  c.background_clips = 3;
  c.background_seconds = 0.75;
  g_strlcpy (c.background_label, "quiet", sizeof c.background_label);
  set = es_audio_set_load (dir, &c, NULL, tone_decoder, NULL, NULL, NULL, &error);
  ck_assert_msg (set != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (es_audio_set_get_n_clips (set), 7);
  ck_assert_int_eq (es_audio_set_get_n_classes (set), 3);
  ck_assert_str_eq (es_audio_set_get_class_names (set)[2], "quiet");
  /* two index groups + one per generated clip */
  ck_assert_uint_eq (es_audio_set_get_n_groups (set), 5);
  es_audio_set_get_clip (set, 4, &clip);
  ck_assert_str_eq (clip.name, "quiet/generated-0.wav");
  ck_assert_int_eq (clip.label, 2);
  ck_assert_uint_eq (clip.n_samples, 6000);
  es_audio_set_get_clip (set, 5, &other);
  ck_assert (clip.group != other.group);
  ck_assert (memcmp (clip.spectra->power, other.spectra->power,
          clip.spectra->n_frames * es_audio_set_get_n_bins (set) * sizeof (float)) != 0);
  /* the same clips on another load, also with a fixed class order */
  o.class_names = order;
  again = es_audio_set_load (dir, &c, &o, tone_decoder, NULL, NULL, NULL, &error);
  ck_assert_msg (again != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (es_audio_set_get_class_names (again)[0], "low");
  ck_assert_str_eq (es_audio_set_get_class_names (again)[2], "quiet");
  es_audio_set_get_clip (again, 4, &other);
  ck_assert_int_eq (other.label, 2);
  ck_assert (memcmp (clip.spectra->power, other.spectra->power,
          clip.spectra->n_frames * es_audio_set_get_n_bins (set) * sizeof (float)) == 0);
  es_audio_set_free (again);
  es_audio_set_free (set);

  /* the generator itself */
  for (guint64 seed = 1; seed <= 20; seed++) {
    float *x = g_new (float, 16000), *y = g_new (float, 16000);
    EsRng rng;
    double rms;
    es_rng_init (&rng, seed);
    es_audio_background (x, 16000, 16000, &rng);
    es_rng_init (&rng, seed + 1000);
    es_audio_background (y, 16000, 16000, &rng);
    for (size_t i = 0; i < 16000; i++)
      ck_assert (isfinite (x[i]) && fabsf (x[i]) < 1.0f);
    rms = es_audio_rms (x, 16000);
    /* -60..-20 dBFS, wandering by up to 12 dB */
    ck_assert_msg (rms > pow (10, -73 / 20.0) && rms < pow (10, -7 / 20.0), "rms %g", rms);
    ck_assert (memcmp (x, y, 16000 * sizeof (float)) != 0);
    g_free (x);
    g_free (y);
  }

  /* a zero length is refused */
  c.background_seconds = 0.00001;
  ck_assert (es_audio_set_load (dir, &c, NULL, tone_decoder, NULL, NULL, NULL, &error) == NULL);
  ck_assert (strstr (error->message, "background clips need") != NULL);
  g_clear_error (&error);
  {
    char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
    ck_assert_int_eq (system (cmd), 0);
    g_free (cmd);
  }
  g_free (dir);
}
END_TEST

static Suite *
set_suite (void)
{
  Suite *s = suite_create ("audio-set");
  TCase *tc = tcase_create ("core");
  tcase_set_timeout (tc, 300);
  tcase_add_test (tc, test_spectra_match_numpy);
  tcase_add_test (tc, test_spectra_bit_exact_with_frontend);
  tcase_add_test (tc, test_short_clip_padding);
  tcase_add_test (tc, test_window_warmup);
  tcase_add_test (tc, test_set_grid_and_dataset);
  tcase_add_test (tc, test_bad_clips_and_limits);
  tcase_add_test (tc, test_normalisation);
  tcase_add_test (tc, test_load_index_and_folders);
  tcase_add_test (tc, test_background_clips);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *runner = srunner_create (set_suite ());
  int failed;
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
