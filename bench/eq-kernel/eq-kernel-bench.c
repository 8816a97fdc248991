/* eq-kernel-bench: ns per frame of EsBiquadCascade's two paths (the vector
 * kernel and the scalar loop) in steady state, ten peaking bands (the bench/eq
 * gains), on one core. See bench/README.md.
 *   eq-kernel-bench [SECONDS [CHANNELS]]   (default 60 s of 44.1 kHz audio a
 *   row; 1, 2 and 6 channels) */
#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "dsp/biquad.h"

#define RATE 44100.0
#define BUFFER_FRAMES 1764      /* what wavparse pushes at 44.1 kHz (40 ms) */

static double
cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ns per frame: the cascade over @seconds of audio, BUFFER_FRAMES a call,
 * cycling through a few seconds of noise held in memory (so the data stays
 * in the caches the way a pipeline's buffers do); best of three passes. */
static double
run (unsigned channels, gboolean f32, gboolean vector, double seconds)
{
  static const double gains[10] = { 4, 3, 1, -2, -1, 1, 2, -3, 2, 5 };
  static const double freqs[10] = { 31.5, 63, 125, 250, 500, 1000, 2000, 4000, 8000, 16000 };
  EsBiquadParams bands[10];
  EsBiquadCascade *c = es_biquad_cascade_new (channels, RATE);
  size_t n_buffers = 32, total = (size_t) (seconds * RATE / BUFFER_FRAMES), i, j;
  size_t n = n_buffers * BUFFER_FRAMES * channels;
  float *x32;
  double *x64, best = INFINITY, sink = 0.0;
  GRand *rand;
  int pass;

  for (i = 0; i < 10; i++) {
    bands[i].type = ES_BIQUAD_PEAKING;
    bands[i].freq = freqs[i];
    bands[i].gain_db = gains[i];
    bands[i].q = 1.41;
  }
  if (!es_biquad_cascade_set_bands (c, bands, 10, NULL))
    g_error ("bands");
  es_biquad_cascade_set_vector_path (c, vector);
  if (vector && !es_biquad_cascade_has_vector_path (c)) {
    es_biquad_cascade_free (c);
    return NAN;                 /* no AVX2 + FMA, or -Dvector_kernel=false */
  }
  es_biquad_cascade_reset (c);
  x32 = g_new (float, n);
  x64 = g_new (double, n);
  rand = g_rand_new_with_seed (16);
  for (i = 0; i < n; i++)
    x64[i] = x32[i] = (float) g_rand_double_range (rand, -0.25, 0.25);
  for (pass = 0; pass < 5; pass++) {
    double t0 = cpu_seconds (), t;

    for (i = 0; i < total; i++) {
      j = (i % n_buffers) * BUFFER_FRAMES * channels;
      if (f32)
        es_biquad_cascade_process_f32 (c, x32 + j, BUFFER_FRAMES);
      else
        es_biquad_cascade_process_f64 (c, x64 + j, BUFFER_FRAMES);
      /* the filtered buffers are fed again: keep them bounded */
      if (i % n_buffers == n_buffers - 1)
        es_biquad_cascade_reset (c);
    }
    t = (cpu_seconds () - t0) * 1e9 / ((double) total * BUFFER_FRAMES);
    best = MIN (best, t);
  }
  sink = f32 ? x32[0] : x64[0];
  if (!isfinite (sink))
    g_error ("non-finite output");
  g_rand_free (rand);
  g_free (x32);
  g_free (x64);
  es_biquad_cascade_free (c);
  return best;
}

int
main (int argc, char **argv)
{
  double seconds = argc > 1 ? g_ascii_strtod (argv[1], NULL) : 60.0;
  unsigned channel_counts[] = { 1, 2, 6 }, n_counts = G_N_ELEMENTS (channel_counts), k;
  int f32;

  if (argc > 2) {
    channel_counts[0] = (unsigned) atoi (argv[2]);
    n_counts = 1;
  }
  if (!(seconds > 0.0) || channel_counts[0] < 1 || channel_counts[0] > 64) {
    fprintf (stderr, "usage: eq-kernel-bench [SECONDS [CHANNELS (1-64)]]\n");
    return 2;
  }
  printf ("ten peaking bands, %g s of 44.1 kHz audio a row, %d frames a call, best of 5\n",
      seconds, BUFFER_FRAMES);
  for (f32 = 1; f32 >= 0; f32--)
    for (k = 0; k < n_counts; k++) {
      unsigned ch = channel_counts[k];
      double v = run (ch, f32, TRUE, seconds), s = run (ch, f32, FALSE, seconds);

      if (isnan (v))
        printf ("%s, %u channel%s: no vector kernel, scalar loop %6.2f ns a frame\n",
            f32 ? "F32" : "F64", ch, ch == 1 ? " " : "s", s);
      else
        printf ("%s, %u channel%s: vector kernel %6.2f ns a frame, scalar loop %6.2f ns (%.1fx)\n",
            f32 ? "F32" : "F64", ch, ch == 1 ? " " : "s", v, s, s / v);
    }
  return 0;
}
