/* Augmentation of audio windows, each effect measured: the pool's variants
 * (deterministic, stretched durations, pitch of a shifted tone), random crops as
 * exact slices, gain on power spectra (= gain on the waveform), random filter
 * curves, mixup weights and soft targets, mask positions, widths and fills; the
 * hook inside es_train. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "tasks/audio/audio-augment.h"
#include "train/train.h"
#include "audio-test-util.h"

#define RATE 8000

/* Two classes of tones, 4 clips each, 1.2 s (118 frames at 8 kHz, 25/10 ms). */
static EsAudioSet *
make_set (gboolean keep_audio, size_t warmup)
{
  EsAudioConfig c;
  EsAudioSet *set;

  es_audio_config_init (&c, RATE);
  c.frontend.frame_size = 200;
  c.frontend.hop_size = 80;
  c.window_frames = 20;
  c.window_hop = 10;
  c.warmup_frames = warmup;
  c.keep_audio = keep_audio;
  set = es_audio_set_new (&c, NULL, NULL);
  for (int i = 0; i < 8; i++) {
    float *x = test_tone (i < 4 ? 300.0 + 20 * i : 1500.0 + 50 * i, 0.2 + 0.05 * i,
        9600, RATE);
    char *name = g_strdup_printf ("%s/%d.wav", i < 4 ? "low" : "high", i);
    /* a swell, so that no two windows of a clip are alike */
    for (int k = 0; k < 9600; k++)
      x[k] *= 0.2f + k / 9600.0f;
    ck_assert (es_audio_set_add_clip (set, x, 9600, name, i < 4 ? "low" : "high", NULL, NULL));
    g_free (name);
    g_free (x);
  }
  return set;
}

static void
no_augment (EsAudioAugmentConfig *c)
{
  es_audio_augment_config_init (c);
  c->random_crop = FALSE;
}

START_TEST (test_pool)
{
  EsAudioSet *set = make_set (TRUE, 0), *no_audio = make_set (FALSE, 0);
  EsAudioAugmentConfig c;
  EsAudioAugment *a, *b, *other;
  GError *error = NULL;
  gboolean any_different = FALSE;
  size_t shortest = G_MAXSIZE, longest = 0;

  es_audio_augment_config_init (&c);
  c.pool_size = 3;
  c.pitch_probability = 1.0;
  c.stretch_probability = 1.0;
  c.noise_probability = 0.5;
  a = es_audio_augment_new (set, &c, NULL, NULL, NULL);
  b = es_audio_augment_new (set, &c, NULL, NULL, NULL);
  c.pool_seed = 2;
  other = es_audio_augment_new (set, &c, NULL, NULL, NULL);
  ck_assert (a && b && other);
  ck_assert (es_audio_augment_get_bytes (a) > 0);
  for (size_t i = 0; i < 8; i++)
    for (size_t v = 0; v < 3; v++) {
      const EsAudioSpectra *sa = es_audio_augment_get_variant (a, i, v);
      const EsAudioSpectra *sb = es_audio_augment_get_variant (b, i, v);
      const EsAudioSpectra *so = es_audio_augment_get_variant (other, i, v);
      ck_assert_uint_eq (sa->n_frames, sb->n_frames);
      ck_assert (memcmp (sa->power, sb->power, sa->n_frames * 129 * 4) == 0);
      if (so->n_frames != sa->n_frames
          || memcmp (so->power, sa->power, sa->n_frames * 129 * 4) != 0)
        any_different = TRUE;
      /* stretched between 0.8 and 1.25 x 1.2 s: 94 .. 148 frames */
      ck_assert (sa->n_frames >= 94 && sa->n_frames <= 148);
      shortest = MIN (shortest, sa->n_frames);
      longest = MAX (longest, sa->n_frames);
    }
  ck_assert (any_different);
  ck_assert (shortest < 112 && longest > 124);
  ck_assert (es_audio_augment_get_variant (a, 0, 3) == NULL);
  es_audio_augment_free (a);
  es_audio_augment_free (b);
  es_audio_augment_free (other);

  /* a pool needs the samples */
  ck_assert (es_audio_augment_new (no_audio, &c, NULL, NULL, &error) == NULL);
  ck_assert (strstr (error->message, "keep_audio"));
  g_clear_error (&error);
  /* a bad setting */
  c.stretch_min = 2.0;
  c.stretch_max = 1.0;
  ck_assert (es_audio_augment_new (set, &c, NULL, NULL, &error) == NULL);
  g_clear_error (&error);
  es_audio_set_free (set);
  es_audio_set_free (no_audio);
}
END_TEST

/* The pool's pitch shift moves a tone's spectral peak by 2^(st/12): measured
 * on the variant's power spectra (peak bin, parabola-refined). */
START_TEST (test_pool_pitch_of_tone)
{
  EsAudioConfig ac;
  EsAudioSet *set;
  EsAudioAugmentConfig c;
  EsAudioAugment *a;
  float *x = test_tone (1000.0, 0.3, 16000, 16000);
  EsRng rng;

  es_audio_config_init (&ac, 16000);
  ac.keep_audio = TRUE;
  ac.frontend.preemphasis = 0.0;
  ac.frontend.frame_size = 1024;      /* 15.6 Hz bins */
  ac.frontend.hop_size = 512;
  ac.window_frames = 4;
  ac.window_hop = 2;
  set = es_audio_set_new (&ac, NULL, NULL);
  ck_assert (es_audio_set_add_clip (set, x, 16000, "tone", "t", NULL, NULL));
  es_audio_augment_config_init (&c);
  c.pool_size = 4;
  c.pitch_probability = 1.0;
  c.stretch_probability = 0.0;
  c.noise_probability = 0.0;
  a = es_audio_augment_new (set, &c, NULL, NULL, NULL);
  /* the draws of the pool, replayed: pitch flag, semitones, stretch flag,
   * factor, noise flag, SNR per variant */
  es_rng_init (&rng, c.pool_seed + 0x9E3779B97F4A7C15ull);
  for (size_t v = 0; v < 4; v++) {
    const EsAudioSpectra *s = es_audio_augment_get_variant (a, 0, v);
    double st, want, sum = 0.0, peak;
    size_t best = 0;
    const float *row;
    es_rng_uniform (&rng);
    st = -2.0 + 4.0 * es_rng_uniform (&rng);
    for (int k = 0; k < 4; k++)
      es_rng_uniform (&rng);
    want = 1000.0 * pow (2.0, st / 12.0);
    ck_assert_uint_eq (s->n_frames, (16000 - 1024) / 512 + 1);
    /* average the middle frames, find the peak bin, refine */
    {
      float avg[513] = { 0 };
      for (size_t t = 5; t < 25; t++)
        for (size_t k = 0; k < 513; k++)
          avg[k] += s->power[t * 513 + k];
      row = avg;
      for (size_t k = 1; k < 512; k++)
        if (row[k] > row[best])
          best = k;
      {
        double l = log (row[best - 1]), m = log (row[best]), r = log (row[best + 1]);
        peak = (best + 0.5 * (l - r) / (l - 2 * m + r)) * 16000.0 / 1024.0;
      }
      (void) sum;
    }
    ck_assert_msg (fabs (peak / want - 1.0) < 0.005, "%+.2f st: %g Hz, want %g", st, peak, want);
  }
  es_audio_augment_free (a);
  es_audio_set_free (set);
  g_free (x);
}
END_TEST

/* Run the hook on the whole data set as one batch. */
static void
run_hook (EsAudioAugment *a, const EsDataset *d, EsRng *rng, float *x, int *labels,
    float *targets)
{
  size_t *idx = g_new (size_t, d->n);
  for (size_t i = 0; i < d->n; i++)
    idx[i] = i;
  memcpy (x, d->x, d->n * d->input_size * sizeof (float));
  memcpy (labels, d->labels, d->n * sizeof (int));
  es_audio_augment_batch (d, idx, d->n, x, labels, targets, rng, a);
  g_free (idx);
}

START_TEST (test_grid_and_random_crop)
{
  EsAudioSet *set = make_set (FALSE, 3);
  EsDataset *d = es_audio_set_dataset (set, NULL);
  EsAudioAugmentConfig c;
  EsAudioAugment *a;
  EsRng rng;
  float *x = g_new (float, d->n * d->input_size), *want = g_new (float, d->input_size);
  int *labels = g_new (int, d->n);
  GHashTable *starts = g_hash_table_new (g_direct_hash, g_direct_equal);

  /* nothing switched on: the grid windows, untouched */
  no_augment (&c);
  a = es_audio_augment_new (set, &c, NULL, NULL, NULL);
  es_rng_init (&rng, 1);
  run_hook (a, d, &rng, x, labels, NULL);
  ck_assert (memcmp (x, d->x, d->n * d->input_size * 4) == 0);
  es_audio_augment_free (a);

  /* random crops: every row is an exact window (with its warm-up) of its clip */
  c.random_crop = TRUE;
  a = es_audio_augment_new (set, &c, NULL, NULL, NULL);
  run_hook (a, d, &rng, x, labels, NULL);
  for (size_t i = 0; i < d->n; i++) {
    size_t clip, start, found = G_MAXSIZE;
    EsAudioClip info;
    ck_assert (es_audio_set_lookup (set, d->sample_names[i], &clip, &start));
    es_audio_set_get_clip (set, clip, &info);
    for (size_t s = 0; s + 20 <= info.spectra->n_frames && found == G_MAXSIZE; s++) {
      es_audio_spectra_window (info.spectra, 129, s, 20, 3, want);
      if (memcmp (want, x + i * d->input_size, d->input_size * 4) == 0)
        found = s;
    }
    ck_assert_msg (found != G_MAXSIZE, "row %zu is not a window of its clip", i);
    ck_assert_int_eq (labels[i], d->labels[i]);
    g_hash_table_add (starts, GSIZE_TO_POINTER (found + 1));
  }
  /* 80 draws over 99 possible starts: many distinct ones */
  ck_assert_uint_gt (g_hash_table_size (starts), 30);
  es_audio_augment_free (a);
  g_hash_table_destroy (starts);
  g_free (x);
  g_free (want);
  g_free (labels);
  es_dataset_free (d);
  es_audio_set_free (set);
}
END_TEST

START_TEST (test_gain)
{
  EsAudioSet *set = make_set (FALSE, 0);
  EsDataset *d = es_audio_set_dataset (set, NULL);
  EsAudioAugmentConfig c;
  EsAudioAugment *a;
  EsRng rng;
  float *x = g_new (float, d->n * d->input_size);
  int *labels = g_new (int, d->n);
  double lo = INFINITY, hi = -INFINITY;

  no_augment (&c);
  c.gain_db = 6.0;
  a = es_audio_augment_new (set, &c, NULL, NULL, NULL);
  es_rng_init (&rng, 4);
  run_hook (a, d, &rng, x, labels, NULL);
  for (size_t i = 0; i < d->n; i++) {
    /* one gain per example: the same power ratio in every value */
    double g = 0.0;
    size_t k0 = 0;
    for (size_t k = 0; k < d->input_size; k++)
      if (d->x[i * d->input_size + k] > 1e-3f) {
        k0 = k;
        break;
      }
    g = x[i * d->input_size + k0] / d->x[i * d->input_size + k0];
    for (size_t k = 0; k < d->input_size; k++)
      ck_assert (fabs (x[i * d->input_size + k] - g * d->x[i * d->input_size + k])
          <= 1e-5 * fabs (g * d->x[i * d->input_size + k]) + 1e-30);
    lo = MIN (lo, 10 * log10 (g));
    hi = MAX (hi, 10 * log10 (g));
  }
  ck_assert (lo >= -6.0 - 1e-4 && hi <= 6.0 + 1e-4);
  ck_assert (lo < -3.0 && hi > 3.0);
  es_audio_augment_free (a);

  /* gain on the spectra equals the gain on the waveform (the stages are linear) */
  {
    EsFrontendConfig fe;
    EsAudioSpectra s1, s2;
    float *w = test_tone (700.0, 0.3, 4000, RATE);
    es_frontend_config_init (&fe, RATE);
    ck_assert (es_audio_spectra_compute (&fe, w, 4000, 1, &s1, NULL));
    es_audio_gain_db (w, 4000, 4.5);
    ck_assert (es_audio_spectra_compute (&fe, w, 4000, 1, &s2, NULL));
    for (size_t k = 0; k < s1.n_frames * 257; k++)
      ck_assert (fabs (s2.power[k] - pow (10, 0.45) * s1.power[k])
          <= 1e-5 * pow (10, 0.45) * s1.power[k] + 1e-6);
    es_audio_spectra_clear (&s1);
    es_audio_spectra_clear (&s2);
    g_free (w);
  }
  g_free (x);
  g_free (labels);
  es_dataset_free (d);
  es_audio_set_free (set);
}
END_TEST

/* A random filter: gains within +-filter_db dB, linear in dB along the mel
 * scale between at most filter_bands - 1 inner corners, the ends free, and
 * about 0 dB on average; in the hook one curve per example for every frame. */
START_TEST (test_filter)
{
  size_t n_bins = 129, n_draws = 400, most_kinks = 0;
  double bin_hz = RATE / (2.0 * (n_bins - 1));
  float *gain = g_new (float, n_bins);
  double *mean_db = g_new0 (double, n_bins), lo = INFINITY, hi = -INFINITY;
  EsRng rng;

  es_rng_init (&rng, 7);
  for (size_t r = 0; r < n_draws; r++) {
    size_t kinks = 0;
    es_audio_filter_draw (&rng, RATE, n_bins, 4, 6.0, gain);
    for (size_t j = 0; j < n_bins; j++) {
      double db = 10 * log10 (gain[j]);
      lo = MIN (lo, db);
      hi = MAX (hi, db);
      mean_db[j] += db / n_draws;
    }
    /* second differences of dB over mel vanish inside a band */
    for (size_t j = 2; j < n_bins; j++) {
      double m0 = es_hz_to_mel ((j - 2) * bin_hz), m1 = es_hz_to_mel ((j - 1) * bin_hz);
      double m2 = es_hz_to_mel (j * bin_hz);
      double s1 = 10 * (log10 (gain[j - 1]) - log10 (gain[j - 2])) / (m1 - m0);
      double s2 = 10 * (log10 (gain[j]) - log10 (gain[j - 1])) / (m2 - m1);
      if (fabs (s2 - s1) > 1e-4)
        kinks++;
    }
    /* a corner between two bins bends two slopes at most: 3 corners, 6 */
    ck_assert_uint_le (kinks, 6);
    most_kinks = MAX (most_kinks, kinks);
  }
  ck_assert (lo >= -6.0 - 1e-4 && hi <= 6.0 + 1e-4);
  ck_assert (lo < -5.0 && hi > 5.0);
  ck_assert_uint_ge (most_kinks, 3);
  /* more bands than the curve can hold are clamped, not written past its arrays */
  for (int r = 0; r < 50; r++) {
    es_audio_filter_draw (&rng, RATE, n_bins, 1000, 6.0, gain);
    for (size_t j = 0; j < n_bins; j++)
      ck_assert (fabs (10 * log10 (gain[j])) <= 6.0 + 1e-4);
  }
  for (size_t j = 0; j < n_bins; j++)
    ck_assert_msg (fabs (mean_db[j]) < 1.0, "bin %zu: mean %.2f dB", j, mean_db[j]);

  {
    EsAudioSet *set = make_set (FALSE, 3);
    EsDataset *d = es_audio_set_dataset (set, NULL);
    EsAudioAugmentConfig c;
    EsAudioAugment *a;
    float *x = g_new (float, d->n * d->input_size);
    int *labels = g_new (int, d->n);
    size_t nb = es_audio_set_get_n_bins (set), changed = 0;

    no_augment (&c);
    c.filter_db = 6.0;
    c.filter_probability = 0.5;
    a = es_audio_augment_new (set, &c, NULL, NULL, NULL);
    run_hook (a, d, &rng, x, labels, NULL);
    for (size_t i = 0; i < d->n; i++) {
      const float *in = d->x + i * d->input_size, *out = x + i * d->input_size;
      gboolean same = TRUE;
      for (size_t k = 0; k < d->input_size; k++) {
        /* the ratio of a bin is the first frame's ratio of that bin */
        size_t b = k % nb;
        if (in[b] > 1e-6f && in[k] > 1e-6f) {
          double g = out[b] / in[b];
          ck_assert (fabs (out[k] - g * in[k]) <= 1e-4 * g * in[k]);
          ck_assert (fabs (10 * log10 (g)) <= 6.0 + 1e-4);
        }
        if (out[k] != in[k])
          same = FALSE;
      }
      changed += !same;
    }
    /* p 0.5 over the set's examples: some changed, some not */
    ck_assert_uint_gt (changed, 0);
    ck_assert_uint_lt (changed, d->n);
    es_audio_augment_free (a);

    c.filter_bands = 1;
    ck_assert (es_audio_augment_new (set, &c, NULL, NULL, NULL) == NULL);
    c.filter_bands = 4;
    c.filter_db = -1;
    ck_assert (es_audio_augment_new (set, &c, NULL, NULL, NULL) == NULL);
    g_free (x);
    g_free (labels);
    es_dataset_free (d);
    es_audio_set_free (set);
  }
  g_free (gain);
  g_free (mean_db);
}
END_TEST

START_TEST (test_mixup)
{
  EsAudioSet *set = make_set (FALSE, 0);
  EsDataset *d = es_audio_set_dataset (set, NULL);
  EsAudioAugmentConfig c;
  EsAudioAugment *a;
  EsRng rng, again;
  size_t n = d->n, size = d->input_size;
  float *x = g_new (float, n * size), *x2 = g_new (float, n * size);
  float *t = g_new (float, n * 2), *t2 = g_new (float, n * 2);
  int *labels = g_new (int, n), *labels2 = g_new (int, n);
  int mixed = 0;

  no_augment (&c);
  c.mixup_alpha = 1.0;
  a = es_audio_augment_new (set, &c, NULL, NULL, NULL);
  es_rng_init (&rng, 9);
  es_rng_init (&again, 9);
  run_hook (a, d, &rng, x, labels, t);
  run_hook (a, d, &again, x2, labels2, t2);
  /* deterministic for a seed */
  ck_assert (memcmp (x, x2, n * size * 4) == 0 && memcmp (t, t2, n * 2 * 4) == 0);
  for (size_t i = 0; i < n; i++) {
    int own = d->labels[i], other = 1 - own;
    double lam = t[i * 2 + own];
    size_t partner = G_MAXSIZE;
    ck_assert_float_eq_tol (t[i * 2] + t[i * 2 + 1], 1.0f, 1e-6f);
    ck_assert_int_eq (labels[i], lam >= 0.5 ? own : other);
    if (lam > 0.999)
      continue;
    mixed++;
    /* x = lam a + (1 - lam) b for b a window of the other class */
    for (size_t j = 0; j < n && partner == G_MAXSIZE; j++) {
      gboolean match = d->labels[j] == other;
      for (size_t k = 0; match && k < size; k++)
        if (fabs (x[i * size + k] - (lam * d->x[i * size + k] + (1 - lam) * d->x[j * size + k]))
            > 1e-4 * (fabs (x[i * size + k]) + 1e-3))
          match = FALSE;
      if (match)
        partner = j;
    }
    ck_assert_msg (partner != G_MAXSIZE, "example %zu is no mix of lam %g", i, lam);
  }
  /* between-class with probability 1: every example is mixed */
  ck_assert_int_eq (mixed, (int) n);
  /* without soft targets nothing is mixed */
  es_rng_init (&rng, 9);
  run_hook (a, d, &rng, x, labels, NULL);
  ck_assert (memcmp (x, d->x, n * size * 4) == 0);
  es_audio_augment_free (a);
  g_free (x);
  g_free (x2);
  g_free (t);
  g_free (t2);
  g_free (labels);
  g_free (labels2);
  es_dataset_free (d);
  es_audio_set_free (set);
}
END_TEST

START_TEST (test_mask_functions)
{
  /* 2 warm-up + 5 frames of 4 bins, value = 10 t + b */
  float x[7 * 4], y[7 * 4];
  for (int t = 0; t < 7; t++)
    for (int b = 0; b < 4; b++)
      x[t * 4 + b] = (float) (10 * t + b);
  memcpy (y, x, sizeof x);
  /* time mask over window frames 1..2 (rows 3, 4): each bin its mean 35 + b */
  es_audio_mask_time (y, 4, 2, 1, 2, ES_AUDIO_MASK_FILL_MEAN);
  for (int t = 0; t < 7; t++)
    for (int b = 0; b < 4; b++)
      ck_assert (y[t * 4 + b] == ((t == 3 || t == 4) ? 35.0f + b : x[t * 4 + b]));
  memcpy (y, x, sizeof x);
  /* frequency mask on bins 1..3 of every frame: each frame its mean 10 t + 2 */
  es_audio_mask_bins (y, 4, 7, 1, 3, ES_AUDIO_MASK_FILL_MEAN);
  for (int t = 0; t < 7; t++) {
    ck_assert (y[t * 4] == x[t * 4]);
    for (int b = 1; b < 4; b++)
      ck_assert (y[t * 4 + b] == 10.0f * t + 2.0f);
  }
  /* zero fill; widths past the edge are cut; width 0 does nothing */
  memcpy (y, x, sizeof x);
  es_audio_mask_bins (y, 4, 7, 3, 5, ES_AUDIO_MASK_FILL_ZERO);
  es_audio_mask_time (y, 4, 2, 0, 0, ES_AUDIO_MASK_FILL_ZERO);
  for (int t = 0; t < 7; t++)
    for (int b = 0; b < 4; b++)
      ck_assert (y[t * 4 + b] == (b == 3 ? 0.0f : x[t * 4 + b]));
}
END_TEST

/* Masks drawn by the hook: one time mask of at most 6 frames inside the
 * window part, one frequency mask at most 20 % of the mel scale wide, as
 * contiguous runs of zeros (zero fill on positive data). */
START_TEST (test_drawn_masks)
{
  EsAudioSet *set = make_set (FALSE, 2);
  EsDataset *d = es_audio_set_dataset (set, NULL);
  EsAudioAugmentConfig c;
  EsAudioAugment *a;
  EsRng rng;
  size_t n = d->n, size = d->input_size, n_bins = 129;
  float *x = g_new (float, n * size);
  int *labels = g_new (int, n);
  size_t max_time = 0, max_freq = 0;

  /* tone spectra are positive everywhere, so a zero is a mask */
  for (size_t k = 0; k < n * size; k++)
    ck_assert (d->x[k] > 0.0f);
  no_augment (&c);
  c.time_masks = 1;
  c.time_mask_frames = 6;
  c.freq_masks = 1;
  c.freq_mask_fraction = 0.2;
  c.mask_fill = ES_AUDIO_MASK_FILL_ZERO;
  a = es_audio_augment_new (set, &c, NULL, NULL, NULL);
  es_rng_init (&rng, 21);
  run_hook (a, d, &rng, x, labels, NULL);
  for (size_t i = 0; i < n; i++) {
    const float *r = x + i * size;
    size_t first_t = G_MAXSIZE, last_t = 0, first_b = G_MAXSIZE, last_b = 0;
    /* a frame fully zero is time-masked; a bin zero in every frame is freq-masked */
    for (size_t t = 0; t < 22; t++) {
      gboolean all = TRUE;
      for (size_t b = 0; b < n_bins && all; b++)
        all = r[t * n_bins + b] == 0.0f;
      if (all) {
        ck_assert_uint_ge (t, 2);          /* never in the warm-up */
        first_t = MIN (first_t, t);
        last_t = MAX (last_t, t);
      }
    }
    for (size_t b = 0; b < n_bins; b++) {
      gboolean all = TRUE;
      for (size_t t = 0; t < 22 && all; t++)
        all = r[t * n_bins + b] == 0.0f;
      if (all) {
        first_b = MIN (first_b, b);
        last_b = MAX (last_b, b);
      }
    }
    if (first_t != G_MAXSIZE) {
      ck_assert_uint_le (last_t - first_t + 1, 6);
      max_time = MAX (max_time, last_t - first_t + 1);
      /* contiguous */
      for (size_t t = first_t; t <= last_t; t++)
        ck_assert (r[t * n_bins + 5] == 0.0f);
    }
    if (first_b != G_MAXSIZE) {
      /* masked bins lie within a mel interval of at most 20 % of the scale */
      ck_assert_double_le (es_hz_to_mel (last_b * 4000.0 / 128)
          - es_hz_to_mel (first_b * 4000.0 / 128), 0.2 * es_hz_to_mel (4000.0) + 1e-9);
      max_freq = MAX (max_freq, last_b - first_b + 1);
      for (size_t t = 0; t < 22; t++)
        if (t < first_t || t > last_t)
          for (size_t b = 0; b < n_bins; b++)
            ck_assert ((r[t * n_bins + b] == 0.0f) == (b >= first_b && b <= last_b));
    }
  }
  ck_assert_uint_ge (max_time, 4);
  ck_assert_uint_ge (max_freq, 5);
  es_audio_augment_free (a);
  g_free (x);
  g_free (labels);
  es_dataset_free (d);
  es_audio_set_free (set);
}
END_TEST

/* The hook inside the trainer: soft targets, pool, crops, gain, mixup and
 * masks on a small net; the run ends with a finite loss and learns the
 * two tone classes. */
START_TEST (test_inside_training)
{
  EsAudioSet *set = make_set (TRUE, 0);
  EsDataset *d = es_audio_set_dataset (set, NULL);
  EsAudioAugmentConfig c;
  EsAudioAugment *a;
  EsTrainConfig tc;
  EsNet *net;
  size_t shape[1] = { d->input_size };
  char *arch = g_strdup ("[{\"type\":\"dense\",\"out_features\":2}]");
  EsTrainHistory *h = NULL;
  GError *error = NULL;
  EsMetrics *m;

  es_audio_augment_config_init (&c);
  c.pool_size = 2;
  c.gain_db = 3.0;
  c.mixup_alpha = 0.4;
  c.time_masks = 1;
  c.freq_masks = 1;
  a = es_audio_augment_new (set, &c, NULL, NULL, NULL);
  ck_assert (a != NULL);
  net = es_train_build_net (arch, 1, shape, 2, 1, &error);
  ck_assert_msg (net != NULL, "%s", error ? error->message : "");
  es_train_config_init (&tc);
  tc.max_epochs = 3;
  tc.batch_size = 8;
  tc.learning_rate = 1e-4;
  tc.augment = es_audio_augment_batch;
  tc.augment_data = a;
  tc.soft_targets = TRUE;
  ck_assert_msg (es_train (net, d, NULL, &tc, &h, &error), "%s", error ? error->message : "");
  ck_assert_int_eq (h->n_epochs, 3);
  ck_assert (isfinite (h->train_loss[2]));
  m = es_evaluate (net, d, 16);
  ck_assert (isfinite (m->loss));
  es_metrics_free (m);
  es_train_history_free (h);
  es_net_free (net);
  es_audio_augment_free (a);
  g_free (arch);
  es_dataset_free (d);
  es_audio_set_free (set);
}
END_TEST

/* A burst of tone (frames ~50-70 of 118) in digital silence, 4 clips of
 * "burst", and 3 generated background clips, 1.2 s each. */
static EsAudioSet *
make_burst_set (gboolean with_background)
{
  EsAudioConfig c;
  EsAudioSet *set;
  EsRng rng;

  es_audio_config_init (&c, RATE);
  c.frontend.frame_size = 200;
  c.frontend.hop_size = 80;
  c.window_frames = 20;
  c.window_hop = 10;
  set = es_audio_set_new (&c, NULL, NULL);
  for (int i = 0; i < 4; i++) {
    float *x = g_new0 (float, 9600), *tone = test_tone (400.0 + 100 * i, 0.3, 1600, RATE);
    char *name = g_strdup_printf ("burst/%d.wav", i);
    memcpy (x + 4000, tone, 1600 * sizeof (float));
    ck_assert (es_audio_set_add_clip (set, x, 9600, name, "burst", NULL, NULL));
    g_free (name);
    g_free (tone);
    g_free (x);
  }
  for (int i = 0; with_background && i < 3; i++) {
    float *x = g_new (float, 9600);
    char *name = g_strdup_printf ("background/%d.wav", i);
    es_rng_init (&rng, 100 + i);
    es_audio_background (x, 9600, RATE, &rng);
    ck_assert (es_audio_set_add_clip (set, x, 9600, name, "background", NULL, NULL));
    g_free (name);
    g_free (x);
  }
  return set;
}

static double
frame_energy (const float *frame, size_t n_bins)
{
  double e = 0.0;
  for (size_t b = 0; b < n_bins; b++)
    e += frame[b];
  return e;
}

/* Random crops around active frames always hold part of the burst; plain
 * random crops often hold only silence. */
START_TEST (test_crop_active_frames)
{
  EsAudioSet *set = make_burst_set (TRUE);
  EsDataset *d = es_audio_set_dataset (set, NULL);
  EsAudioAugmentConfig c;
  EsAudioAugment *a;
  EsRng rng;
  size_t n_bins = es_audio_set_get_n_bins (set), size = d->input_size;
  float *x = g_new (float, d->n * size);
  int *labels = g_new (int, d->n);
  int burst = 0;

  for (int mode = 0; mode < 2; mode++) {
    size_t silent = 0, burst_rows = 0;
    es_audio_augment_config_init (&c);
    c.crop_active_frames = mode == 1;
    a = es_audio_augment_new (set, &c, NULL, NULL, NULL);
    ck_assert (a != NULL);
    es_rng_init (&rng, 7);
    for (int round = 0; round < 20; round++) {
      run_hook (a, d, &rng, x, labels, NULL);
      for (size_t i = 0; i < d->n; i++) {
        double most = 0.0;
        if (labels[i] != burst)
          continue;
        burst_rows++;
        for (size_t t = 0; t < 20; t++)
          most = MAX (most, frame_energy (x + i * size + t * n_bins, n_bins));
        silent += most == 0.0;
      }
    }
    ck_assert_uint_eq (burst_rows, 20 * 40);
    if (mode == 1)
      ck_assert_uint_eq (silent, 0);
    else
      ck_assert_uint_gt (silent, burst_rows / 4);
    es_audio_augment_free (a);
  }
  g_free (x);
  g_free (labels);
  es_dataset_free (d);
  es_audio_set_free (set);
}
END_TEST

/* Every burst window gets a background window scaled to the SNR asked for
 * (the clip's mean active-frame energy over the background window's mean
 * frame energy); background windows are left alone. */
START_TEST (test_background_mix)
{
  EsAudioSet *set = make_burst_set (TRUE), *plain = make_burst_set (FALSE);
  EsDataset *d = es_audio_set_dataset (set, NULL);
  EsAudioAugmentConfig c;
  EsAudioAugment *a;
  EsRng rng;
  GError *error = NULL;
  size_t n_bins = es_audio_set_get_n_bins (set), size = d->input_size;
  float *x = g_new (float, d->n * size), *r = g_new (float, size);
  float *win = g_new (float, size);
  int *labels = g_new (int, d->n);
  size_t mixed = 0;

  no_augment (&c);
  c.background_probability = 1.0;
  c.background_snr_min = c.background_snr_max = 10.0;
  a = es_audio_augment_new (set, &c, NULL, NULL, NULL);
  ck_assert (a != NULL);
  es_rng_init (&rng, 3);
  run_hook (a, d, &rng, x, labels, NULL);
  for (size_t i = 0; i < d->n; i++) {
    size_t clip_i, start, found = 0;
    EsAudioClip clip;
    double e_active = 0.0, top = 0.0, e_r = 0.0;
    size_t n_active = 0;

    ck_assert (es_audio_set_lookup (set, d->sample_names[i], &clip_i, &start));
    es_audio_set_get_clip (set, clip_i, &clip);
    if (g_str_has_prefix (clip.name, "background/")) {
      ck_assert (memcmp (x + i * size, d->x + i * size, size * sizeof (float)) == 0);
      continue;
    }
    /* the clip's active frames, worked out here: within 30 dB of its loudest */
    for (size_t t = 0; t < clip.spectra->n_frames; t++)
      top = MAX (top, frame_energy (clip.spectra->power + t * n_bins, n_bins));
    for (size_t t = 0; t < clip.spectra->n_frames; t++) {
      double e = frame_energy (clip.spectra->power + t * n_bins, n_bins);
      if (e >= top * 1e-3) {
        e_active += e;
        n_active++;
      }
    }
    e_active /= n_active;
    for (size_t k = 0; k < size; k++) {
      r[k] = x[i * size + k] - d->x[i * size + k];
      ck_assert (r[k] >= -1e-6f * fabsf (d->x[i * size + k]));
    }
    for (size_t t = 0; t < 20; t++)
      e_r += frame_energy (r + t * n_bins, n_bins);
    e_r /= 20;
    ck_assert_msg (fabs (10 * log10 (e_active / e_r) - 10.0) < 0.01,
        "row %zu: SNR %g dB", i, 10 * log10 (e_active / e_r));
    /* and the addition is a scaled window of one of the background clips */
    for (size_t b = 4; b < 7 && !found; b++) {
      EsAudioClip bg;
      es_audio_set_get_clip (set, b, &bg);
      for (size_t s0 = 0; s0 + 20 <= bg.spectra->n_frames && !found; s0++) {
        double scale, sum_r = 0.0, sum_w = 0.0;
        gboolean same = TRUE;
        es_audio_spectra_window (bg.spectra, n_bins, s0, 20, 0, win);
        for (size_t k = 0; k < size; k++) {
          sum_r += r[k];
          sum_w += win[k];
        }
        scale = sum_r / sum_w;
        /* float rounding of the sum: relative to the larger of the two parts */
        for (size_t k = 0; k < size && same; k++)
          same = fabs (r[k] - scale * win[k])
              <= 1e-3 * scale * win[k] + 1e-6 * d->x[i * size + k] + 1e-30;
        found = same;
      }
    }
    ck_assert_msg (found, "row %zu: not a background window", i);
    mixed++;
  }
  ck_assert_uint_eq (mixed, 40);
  es_audio_augment_free (a);

  /* without background clips it is an error */
  a = es_audio_augment_new (plain, &c, NULL, NULL, &error);
  ck_assert (a == NULL);
  ck_assert (strstr (error->message, "background_clips") != NULL);
  g_clear_error (&error);
  c.background_snr_min = 20.0;
  c.background_snr_max = 10.0;
  ck_assert (es_audio_augment_new (set, &c, NULL, NULL, &error) == NULL);
  ck_assert (strstr (error->message, "background SNR") != NULL);
  g_clear_error (&error);
  g_free (x);
  g_free (r);
  g_free (win);
  g_free (labels);
  es_dataset_free (d);
  es_audio_set_free (set);
  es_audio_set_free (plain);
}
END_TEST

static Suite *
augment_suite (void)
{
  Suite *s = suite_create ("audio-augment");
  TCase *tc = tcase_create ("core");
  tcase_set_timeout (tc, 300);
  tcase_add_test (tc, test_pool);
  tcase_add_test (tc, test_pool_pitch_of_tone);
  tcase_add_test (tc, test_grid_and_random_crop);
  tcase_add_test (tc, test_gain);
  tcase_add_test (tc, test_filter);
  tcase_add_test (tc, test_mixup);
  tcase_add_test (tc, test_mask_functions);
  tcase_add_test (tc, test_drawn_masks);
  tcase_add_test (tc, test_inside_training);
  tcase_add_test (tc, test_crop_active_frames);
  tcase_add_test (tc, test_background_mix);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *runner = srunner_create (augment_suite ());
  int failed;
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
