/* bench/audio-data: what the audio data kind costs on a real folder (issue 14
 * point 4): decoding (GStreamer, launch/audio-decode.c), caching the power
 * spectra, building the augmentation pool, one epoch of the augmentation hook,
 * and the memory each holds. One thread.
 *
 *   audio-data-bench [--pool K] [--rate R] [--dump FILE] FOLDER
 *
 * --dump writes the decoded clips (float32, one after another) with their
 * lengths, so bench/audio-data/numpy_spectra.py computes the same spectra in
 * NumPy from the same samples (the peer, timed in the same run). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gst/gst.h>

#include "audio-decode.h"
#include "tasks/audio/audio-augment.h"

typedef struct {
  GPtrArray *names, *labels, *groups, *samples;
  GArray *lengths;
} Decoded;

static double
now (void)
{
  return g_get_monotonic_time () / 1e6;
}

int
main (int argc, char **argv)
{
  unsigned pool = 4, rate = 16000;
  const char *dump = NULL, *folder = NULL;
  EsAudioConfig c;
  EsAudioSet *set;
  EsAudioAugmentConfig ac;
  EsAudioAugment *aug;
  EsDataset *d;
  GError *error = NULL;
  double t0, t_decode, t_cache, t_pool, t_epoch, audio_seconds = 0.0;
  char *index;
  char *text;
  char **lines;
  Decoded dec = { g_ptr_array_new_with_free_func (g_free),
    g_ptr_array_new_with_free_func (g_free), g_ptr_array_new_with_free_func (g_free),
    g_ptr_array_new_with_free_func (g_free), g_array_new (FALSE, FALSE, sizeof (size_t)) };

  gst_init (&argc, &argv);
  for (int i = 1; i < argc; i++) {
    if (strcmp (argv[i], "--pool") == 0 && i + 1 < argc)
      pool = (unsigned) atoi (argv[++i]);
    else if (strcmp (argv[i], "--rate") == 0 && i + 1 < argc)
      rate = (unsigned) atoi (argv[++i]);
    else if (strcmp (argv[i], "--dump") == 0 && i + 1 < argc)
      dump = argv[++i];
    else
      folder = argv[i];
  }
  if (!folder) {
    fprintf (stderr, "usage: audio-data-bench [--pool K] [--rate R] [--dump FILE] FOLDER\n");
    return 2;
  }

  /* 1. decode every clip of the index */
  index = g_build_filename (folder, "index.csv", NULL);
  if (!g_file_get_contents (index, &text, NULL, &error)) {
    fprintf (stderr, "%s\n", error->message);
    return 1;
  }
  lines = g_strsplit (text, "\n", -1);
  t0 = now ();
  for (char **l = lines + 1; *l; l++) {
    char **f = g_strsplit (g_strchomp (*l), ",", -1);
    if (g_strv_length (f) >= 3) {
      char *file = g_build_filename (folder, f[0], NULL);
      size_t n;
      float *x = es_audio_decode_file (file, rate, 0, &n, &error);
      if (!x) {
        fprintf (stderr, "%s: %s\n", file, error->message);
        return 1;
      }
      g_ptr_array_add (dec.names, g_strdup (f[0]));
      g_ptr_array_add (dec.labels, g_strdup (f[1]));
      g_ptr_array_add (dec.groups, g_strdup (f[2]));
      g_ptr_array_add (dec.samples, x);
      g_array_append_val (dec.lengths, n);
      audio_seconds += (double) n / rate;
      g_free (file);
    }
    g_strfreev (f);
  }
  t_decode = now () - t0;
  g_strfreev (lines);
  g_free (text);
  g_free (index);

  /* 2. cache the spectra */
  es_audio_config_init (&c, rate);
  c.keep_audio = pool > 0;
  set = es_audio_set_new (&c, NULL, &error);
  t0 = now ();
  for (guint i = 0; i < dec.samples->len; i++)
    if (!es_audio_set_add_clip (set, dec.samples->pdata[i], g_array_index (dec.lengths, size_t, i),
            dec.names->pdata[i], dec.labels->pdata[i], dec.groups->pdata[i], &error)) {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  t_cache = now () - t0;

  /* 3. the pool: every waveform transform on every variant (the worst case) */
  es_audio_augment_config_init (&ac);
  ac.pool_size = pool;
  ac.pitch_probability = ac.stretch_probability = ac.noise_probability = 1.0;
  ac.gain_db = 6.0;
  ac.mixup_alpha = 1.0;
  ac.time_masks = 2;
  ac.freq_masks = 2;
  t0 = now ();
  aug = es_audio_augment_new (set, &ac, NULL, NULL, &error);
  t_pool = now () - t0;
  if (!aug) {
    fprintf (stderr, "%s\n", error->message);
    return 1;
  }

  /* 4. one epoch of the hook over every window, batches of 32, soft targets */
  d = es_audio_set_dataset (set, &error);
  if (!d) {
    fprintf (stderr, "%s\n", error->message);
    return 1;
  }
  {
    size_t *idx = g_new (size_t, d->n), b = 32;
    float *x = g_new (float, b * d->input_size), *t = g_new (float, b * d->n_classes);
    int *y = g_new (int, b);
    EsRng rng;
    es_rng_init (&rng, 1);
    for (size_t i = 0; i < d->n; i++)
      idx[i] = i;
    t0 = now ();
    for (size_t s = 0; s < d->n; s += b) {
      size_t m = MIN (b, d->n - s);
      for (size_t j = 0; j < m; j++) {
        memcpy (x + j * d->input_size, d->x + (s + j) * d->input_size,
            d->input_size * sizeof (float));
        y[j] = d->labels[s + j];
      }
      es_audio_augment_batch (d, idx + s, m, x, y, t, &rng, aug);
    }
    t_epoch = now () - t0;
    g_free (idx);
    g_free (x);
    g_free (t);
    g_free (y);
  }

  printf ("clips %zu (%.0f s of audio at %u Hz), %zu windows of %zu x %zu\n",
      es_audio_set_get_n_clips (set), audio_seconds, rate, d->n,
      c.window_frames, es_audio_set_get_n_bins (set));
  printf ("decode (GStreamer)        %7.2f s\n", t_decode);
  printf ("cache spectra             %7.2f s   %6.1f MB spectra + %.1f MB kept samples\n",
      t_cache, (double) (es_audio_set_get_bytes (set)
          - (c.keep_audio ? audio_seconds * rate * 4 : 0)) / 1e6,
      c.keep_audio ? audio_seconds * rate * 4 / 1e6 : 0.0);
  printf ("pool, %u variants/clip     %7.2f s   %6.1f MB (pitch + stretch + noise on each)\n",
      pool, t_pool, es_audio_augment_get_bytes (aug) / 1e6);
  printf ("grid windows (data set)             %6.1f MB\n",
      (double) d->n * d->input_size * 4 / 1e6);
  printf ("one epoch of the hook     %7.2f s   (crop, gain, mixup, 2+2 masks)\n", t_epoch);
  printf ("cache + pool              %7.2f s\n", t_cache + t_pool);

  if (dump) {
    FILE *f = fopen (dump, "wb");
    guint64 count = dec.samples->len;
    fwrite (&count, sizeof count, 1, f);
    for (guint i = 0; i < dec.samples->len; i++) {
      guint64 n = g_array_index (dec.lengths, size_t, i);
      fwrite (&n, sizeof n, 1, f);
      fwrite (dec.samples->pdata[i], sizeof (float), n, f);
    }
    fclose (f);
  }
  es_dataset_free (d);
  es_audio_augment_free (aug);
  es_audio_set_free (set);
  g_ptr_array_free (dec.names, TRUE);
  g_ptr_array_free (dec.labels, TRUE);
  g_ptr_array_free (dec.groups, TRUE);
  g_ptr_array_free (dec.samples, TRUE);
  g_array_free (dec.lengths, TRUE);
  return 0;
}
