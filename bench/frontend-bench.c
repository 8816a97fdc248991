/* frontend-bench: the timing harness behind bench/frontend.sh.
 *
 *   frontend-bench make-input OUT.wav OUT.f32 SECONDS RATE
 *       a deterministic test signal (tones, a slow chirp, fixed-seed noise
 *       bursts) as 16-bit mono WAV and as raw float32 little-endian samples
 *   frontend-bench pipeline REPEATS LAUNCH-LINE
 *       runs a gst-launch style pipeline REPEATS times, each from a fresh
 *       pipeline, and times PLAYING -> EOS (the plugin registry is loaded once
 *       before, so process start-up is not counted)
 *   frontend-bench library REPEATS IN.f32 RATE BANDS
 *       times es_frontend_process_clip() on the whole clip in memory
 *
 * The timing commands print one line: "median_s best_s runs". */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>
#include <gst/gst.h>

#include "dsp/frontend.h"

static double
now_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static void
print_times (double *times, int n)
{
  qsort (times, n, sizeof (double), compare_doubles);
  printf ("%.6f %.6f %d\n", n % 2 ? times[n / 2] : 0.5 * (times[n / 2 - 1] + times[n / 2]),
      times[0], n);
}

/* ---- make-input ------------------------------------------------------------ */

static void
put_le32 (FILE * f, uint32_t v)
{
  unsigned char b[4] = { v, v >> 8, v >> 16, v >> 24 };
  fwrite (b, 1, 4, f);
}

static void
put_le16 (FILE * f, uint16_t v)
{
  unsigned char b[2] = { v, v >> 8 };
  fwrite (b, 1, 2, f);
}

static int
make_input (const char *wav_path, const char *f32_path, double seconds, unsigned rate)
{
  size_t n = (size_t) (seconds * rate);
  uint32_t seed = 0x2545F491u;
  FILE *wav = fopen (wav_path, "wb");
  FILE *raw = fopen (f32_path, "wb");
  double phase = 0;
  int ok;

  if (wav == NULL || raw == NULL) {
    fprintf (stderr, "frontend-bench: cannot create %s / %s\n", wav_path, f32_path);
    if (wav)
      fclose (wav);
    if (raw)
      fclose (raw);
    return 1;
  }
  fwrite ("RIFF", 1, 4, wav);
  put_le32 (wav, 36 + n * 2);
  fwrite ("WAVEfmt ", 1, 8, wav);
  put_le32 (wav, 16);
  put_le16 (wav, 1);            /* PCM */
  put_le16 (wav, 1);            /* mono */
  put_le32 (wav, rate);
  put_le32 (wav, rate * 2);
  put_le16 (wav, 2);
  put_le16 (wav, 16);
  fwrite ("data", 1, 4, wav);
  put_le32 (wav, n * 2);

  for (size_t i = 0; i < n; i++) {
    double t = (double) i / rate;
    /* a chirp sweeping 100 Hz - 6 kHz every 10 s, a steady 440 Hz tone, and
     * xorshift noise gated on for 0.5 s of every 2 s */
    double sweep_pos = fmod (t, 10.0) / 10.0;
    double f = 100.0 * pow (60.0, sweep_pos);
    double noise, x;
    int16_t s16;
    float f32;

    phase += 2 * G_PI * f / rate;
    if (phase > 2 * G_PI)
      phase -= 2 * G_PI;
    seed ^= seed << 13;
    seed ^= seed >> 17;
    seed ^= seed << 5;
    noise = (seed / 4294967296.0) * 2 - 1;
    x = 0.3 * sin (phase) + 0.2 * sin (2 * G_PI * 440 * t)
        + (fmod (t, 2.0) < 0.5 ? 0.2 * noise : 0.002 * noise);
    s16 = (int16_t) lrint (x * 32767);
    put_le16 (wav, (uint16_t) s16);
    /* the raw file holds exactly what wavparse ! audioconvert would give */
    f32 = s16 / 32768.0f;
    fwrite (&f32, sizeof f32, 1, raw);
  }
  ok = !ferror (wav) && !ferror (raw);
  ok &= fclose (wav) == 0;
  ok &= fclose (raw) == 0;
  if (!ok) {
    fprintf (stderr, "frontend-bench: writing the input failed\n");
    return 1;
  }
  return 0;
}

/* ---- pipeline ---------------------------------------------------------------- */

static int
time_pipeline (int repeats, const char *launch)
{
  double *times = g_new (double, repeats);

  for (int r = 0; r < repeats; r++) {
    GError *error = NULL;
    GstElement *pipeline = gst_parse_launch (launch, &error);
    GstBus *bus;
    GstMessage *msg;
    double start;

    if (pipeline == NULL || error) {
      fprintf (stderr, "frontend-bench: bad pipeline '%s': %s\n", launch,
          error ? error->message : "?");
      g_clear_error (&error);
      if (pipeline)
        gst_object_unref (pipeline);
      g_free (times);
      return 1;
    }
    bus = gst_element_get_bus (pipeline);
    start = now_seconds ();
    gst_element_set_state (pipeline, GST_STATE_PLAYING);
    /* non-matching messages (e.g. spectrum's) are popped and dropped here */
    msg = gst_bus_timed_pop_filtered (bus, GST_CLOCK_TIME_NONE,
        GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
    times[r] = now_seconds () - start;
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
      gst_message_parse_error (msg, &error, NULL);
      fprintf (stderr, "frontend-bench: pipeline failed: %s\n", error->message);
      g_clear_error (&error);
      gst_message_unref (msg);
      gst_element_set_state (pipeline, GST_STATE_NULL);
      gst_object_unref (bus);
      gst_object_unref (pipeline);
      g_free (times);
      return 1;
    }
    gst_message_unref (msg);
    gst_element_set_state (pipeline, GST_STATE_NULL);
    gst_object_unref (bus);
    gst_object_unref (pipeline);
  }
  print_times (times, repeats);
  g_free (times);
  return 0;
}

/* ---- library ----------------------------------------------------------------- */

static int
time_library (int repeats, const char *f32_path, unsigned rate, unsigned bands)
{
  gchar *contents = NULL;
  gsize length = 0;
  GError *error = NULL;
  EsFrontendConfig config;
  EsFrontend *fe;
  double *times;
  size_t n_frames = 0;

  if (!g_file_get_contents (f32_path, &contents, &length, &error)) {
    fprintf (stderr, "frontend-bench: %s\n", error->message);
    g_clear_error (&error);
    return 1;
  }
  es_frontend_config_init (&config, rate);
  config.n_bands = bands;
  fe = es_frontend_new (&config, &error);
  if (fe == NULL) {
    fprintf (stderr, "frontend-bench: %s\n", error ? error->message : "bad config");
    g_clear_error (&error);
    g_free (contents);
    return 1;
  }
  times = g_new (double, repeats);
  for (int r = 0; r < repeats; r++) {
    double start = now_seconds ();
    float *features = es_frontend_process_clip (fe, (const float *) contents,
        length / sizeof (float), &n_frames);

    times[r] = now_seconds () - start;
    g_free (features);
  }
  print_times (times, repeats);
  fprintf (stderr, "library: %zu frames x %u features\n", n_frames,
      es_frontend_get_n_features (fe));
  g_free (times);
  es_frontend_free (fe);
  g_free (contents);
  return 0;
}

int
main (int argc, char **argv)
{
  if (argc == 6 && strcmp (argv[1], "make-input") == 0)
    return make_input (argv[2], argv[3], g_ascii_strtod (argv[4], NULL), atoi (argv[5]));
  if (argc == 4 && strcmp (argv[1], "pipeline") == 0) {
    gst_init (NULL, NULL);
    return time_pipeline (MAX (1, atoi (argv[2])), argv[3]);
  }
  if (argc == 6 && strcmp (argv[1], "library") == 0)
    return time_library (MAX (1, atoi (argv[2])), argv[3], atoi (argv[4]), atoi (argv[5]));
  fprintf (stderr, "Usage:\n"
      "  frontend-bench make-input OUT.wav OUT.f32 SECONDS RATE\n"
      "  frontend-bench pipeline REPEATS LAUNCH-LINE\n"
      "  frontend-bench library REPEATS IN.f32 RATE BANDS\n");
  return 2;
}
