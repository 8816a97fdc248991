/* eq-fit-bench: fit every measurement listed in an IEM data set's index.csv
 * (or every Nth, --stride) against a target and print the median and 90th
 * percentile residual (RMS 20 Hz-10 kHz after mean removal) and the time
 * per fit. See bench/README.md ("eq-fit"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <glib.h>

#include "eq/fit.h"
#include "eq/target.h"
#include "io/frcsv.h"

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
quantile (const double *sorted, size_t n, double q)
{
  double pos = q * (n - 1);
  size_t i = (size_t) pos;
  double t = pos - i;
  return i + 1 < n ? sorted[i] * (1 - t) + sorted[i + 1] * t : sorted[n - 1];
}

static double
thread_cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int
main (int argc, char **argv)
{
  gchar *target_name = NULL, *worst = NULL;
  gint stride = 1, max_filters = 10, limit = 0;
  gboolean verbose = FALSE;
  gdouble max_slope = 0, q_max = 0, max_gain = 0;
  GOptionEntry entries[] = {
    {"target", 't', 0, G_OPTION_ARG_STRING, &target_name, "Target name or file (default harman-in-ear)", "T"},
    {"stride", 's', 0, G_OPTION_ARG_INT, &stride, "Fit every Nth file of index.csv (default 1: all)", "N"},
    {"limit", 'l', 0, G_OPTION_ARG_INT, &limit, "Stop after N fits (default 0: no limit)", "N"},
    {"max-filters", 'n', 0, G_OPTION_ARG_INT, &max_filters, "Filters per fit (default 10)", "N"},
    {"max-slope", 0, 0, G_OPTION_ARG_DOUBLE, &max_slope, "EsEqFitOptions.max_slope_db", "DB"},
    {"q-max", 0, 0, G_OPTION_ARG_DOUBLE, &q_max, "EsEqFitOptions.q_max", "Q"},
    {"max-gain", 0, 0, G_OPTION_ARG_DOUBLE, &max_gain, "EsEqFitOptions.max_gain_db", "DB"},
    {"verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "One line per file", NULL},
    {NULL}
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("DATA_DIR - EQ fit over an IEM data set");
  g_autoptr (GError) error = NULL;
  g_autofree char *index_path = NULL, *index = NULL;
  EsFrMeasurement *target;
  EsEqFitOptions opt;
  GArray *res, *secs, *cpus, *slopes;
  double cpu0, cpu1;
  char **lines;
  size_t failed = 0, row = 0;
  double worst_res = -1, total = 0, max_sec = 0;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || argc != 2 || stride < 1
      || max_filters < 1) {
    fprintf (stderr, "eq-fit-bench: %s\n", error ? error->message : "expected DATA_DIR");
    return 2;
  }
  index_path = g_build_filename (argv[1], "index.csv", NULL);
  if (!g_file_get_contents (index_path, &index, NULL, &error)) {
    fprintf (stderr, "eq-fit-bench: %s\n", error->message);
    return 1;
  }
  target = es_eq_target_load (target_name ? target_name : "harman-in-ear", &error);
  if (!target) {
    fprintf (stderr, "eq-fit-bench: %s\n", error->message);
    return 1;
  }
  es_eq_fit_options_init (&opt);
  opt.max_filters = max_filters;
  if (max_slope > 0)
    opt.max_slope_db = max_slope;
  if (q_max > 0)
    opt.q_max = q_max;
  if (max_gain > 0)
    opt.max_gain_db = max_gain;
  res = g_array_new (FALSE, FALSE, sizeof (double));
  secs = g_array_new (FALSE, FALSE, sizeof (double));
  cpus = g_array_new (FALSE, FALSE, sizeof (double));
  slopes = g_array_new (FALSE, FALSE, sizeof (double));
  lines = g_strsplit (index, "\n", -1);
  for (char **l = lines + 1; *l; l++) {
    char *comma = strchr (*l, ',');
    g_autofree char *rel = NULL, *path = NULL;
    EsFrMeasurement *m;
    EsParametricEq *eq;
    EsEqFitReport rep;

    if (!comma)
      continue;
    if (row++ % stride != 0)
      continue;
    if (limit > 0 && res->len + failed >= (guint) limit)
      break;
    rel = g_strndup (*l, comma - *l);
    path = g_build_filename (argv[1], rel, NULL);
    m = es_fr_measurement_load (path, NULL, &error);
    cpu0 = thread_cpu_seconds ();
    eq = m ? es_eq_fit (m, target, &opt, &rep, &error) : NULL;
    cpu1 = thread_cpu_seconds ();
    if (!eq) {
      if (verbose)
        printf ("FAIL %s: %s\n", rel, error->message);
      g_clear_error (&error);
      failed++;
    } else {
      g_array_append_val (res, rep.residual_db);
      g_array_append_val (secs, rep.seconds);
      {
        double c = cpu1 - cpu0;
        g_array_append_val (cpus, c);
      }
      g_array_append_val (slopes, rep.max_slope_db);
      total += rep.seconds;
      max_sec = MAX (max_sec, rep.seconds);
      if (rep.residual_db > worst_res) {
        worst_res = rep.residual_db;
        g_free (worst);
        worst = g_strdup (rel);
      }
      if (verbose)
        printf ("%.3f dB %.3f s %u it %u filters, max slope %.0f dB/oct, preamp %.1f dB %s\n",
            rep.residual_db, rep.seconds, rep.iterations, rep.n_filters, rep.max_slope_db, rep.preamp_db, rel);
    }
    es_parametric_eq_free (eq);
    es_fr_measurement_free (m);
  }
  g_strfreev (lines);
  if (res->len == 0) {
    fprintf (stderr, "eq-fit-bench: no file fitted\n");
    return 1;
  }
  g_array_sort (res, cmp_double);
  g_array_sort (secs, cmp_double);
  g_array_sort (cpus, cmp_double);
  g_array_sort (slopes, cmp_double);
  printf ("eq-fit: %u fits (%zu failed), target %s, <= %d filters\n", res->len, failed,
      target_name ? target_name : "harman-in-ear", max_filters);
  printf ("residual RMS 20 Hz-10 kHz: median %.3f dB, p90 %.3f dB, max %.3f dB (%s)\n",
      quantile ((double *) res->data, res->len, 0.5), quantile ((double *) res->data, res->len, 0.9),
      worst_res, worst);
  printf ("time per fit: mean %.1f ms, median %.1f ms, max %.1f ms\n", 1e3 * total / res->len,
      1e3 * quantile ((double *) secs->data, secs->len, 0.5), 1e3 * max_sec);
  /* CPU time of the fitting thread: what a loaded machine does not inflate */
  printf ("cpu time per fit: median %.1f ms, p90 %.1f ms, max %.1f ms\n",
      1e3 * quantile ((double *) cpus->data, cpus->len, 0.5),
      1e3 * quantile ((double *) cpus->data, cpus->len, 0.9),
      1e3 * ((double *) cpus->data)[cpus->len - 1]);
  printf ("steepest EQ slope: median %.0f dB/octave, p90 %.0f, max %.0f\n",
      quantile ((double *) slopes->data, slopes->len, 0.5),
      quantile ((double *) slopes->data, slopes->len, 0.9), ((double *) slopes->data)[slopes->len - 1]);
  g_array_free (slopes, TRUE);
  es_fr_measurement_free (target);
  g_array_free (res, TRUE);
  g_array_free (secs, TRUE);
  g_array_free (cpus, TRUE);
  g_free (worst);
  g_free (target_name);
  return 0;
}
