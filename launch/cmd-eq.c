/* earshot eq fit: headphone / IEM correction. Fits a low shelf, a high shelf
 * and peaks so that MEASUREMENT + EQ matches a target (pipeline/eq/fit.h),
 * prints the residual and the filters, writes them as AutoEq's
 * ParametricEQ.txt (-o) and draws the curves (--plot).
 * earshot eq plot: the same picture for any EQ (e.g. an AutoEq profile), with
 * its residual against the target. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "commands.h"
#include "runtime.h"
#include "eq/fit.h"
#include "eq/target.h"
#include "io/frcsv.h"
#include "io/output.h"
#include "io/parametric-eq.h"
#include "io/plot.h"

#define PROG "earshot eq"

#define EXIT_OK 0
#define EXIT_FAILURE_RUN 1
#define EXIT_USAGE 2

/* Plot colours: measurement, target, EQ, result (Okabe-Ito, colour-blind safe). */
#define COLOUR_MEASUREMENT ES_PLOT_BLUE
#define COLOUR_TARGET 0x000000
#define COLOUR_EQ 0x009E73
#define COLOUR_RESULT ES_PLOT_ORANGE

static gboolean
write_plot (const char *path, const EsEqCurves *c, GError **error)
{
  EsPlotSeries series[4] = {
    {c->measurement, c->n, COLOUR_MEASUREMENT},
    {c->target, c->n, COLOUR_TARGET},
    {c->eq, c->n, COLOUR_EQ},
    {c->result, c->n, COLOUR_RESULT},
  };
  /* The grid is log-spaced, so the plot's x (the index) is log frequency. */
  return es_plot_lines_write (path, series, G_N_ELEMENTS (series), 800, 500, NULL, NULL, error);
}

static void
print_report (FILE *out, const char *prefix, const EsEqFitReport *r, const char *target)
{
  fprintf (out, "%sresidual %.3f dB RMS (max %.2f dB) over 20 Hz-10 kHz against %s, "
      "%u filters, preamp %.1f dB, %.0f ms\n", prefix, r->residual_db, r->max_error_db,
      target, r->n_filters, r->preamp_db, r->seconds * 1e3);
}

static int
eq_fit (int argc, char **argv)
{
  gchar *target_name = NULL, *output = NULL, *plot = NULL;
  gint max_filters = 10;
  gdouble rate = 48000.0;
  GOptionEntry entries[] = {
    {"target", 't', 0, G_OPTION_ARG_STRING, &target_name,
        "Target curve: a shipped name (see --list-targets) or a CSV file", "NAME|FILE"},
    {"max-filters", 'n', 0, G_OPTION_ARG_INT, &max_filters,
        "Filters at most, shelves included (1-32, default 10: 2 shelves + 8 peaks)", "N"},
    {"output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
        "Write the EQ as AutoEq's ParametricEQ.txt (instead of printing it)", "FILE"},
    {"plot", 0, 0, G_OPTION_ARG_FILENAME, &plot,
        "Draw measurement (blue), target (black), EQ (green) and result (orange) as PNG", "FILE"},
    {"rate", 0, 0, G_OPTION_ARG_DOUBLE, &rate,
        "Sample rate the filters are designed for, 40000-768000 (default 48000)", "HZ"},
    {NULL}
  };
  g_autoptr (GOptionContext) context =
      g_option_context_new ("MEASUREMENT.csv --target NAME|FILE - fit a correction EQ");
  g_autoptr (GError) error = NULL;
  g_autoptr (EsFrMeasurement) measurement = NULL;
  g_autoptr (EsFrMeasurement) target = NULL;
  EsParametricEq *eq = NULL;
  EsEqCurves *curves = NULL;
  EsEqFitOptions opt;
  EsEqFitReport report;
  char *text = NULL;
  int status = EXIT_FAILURE_RUN;

  g_option_context_add_main_entries (context, entries, NULL);
  {
    char **names = es_eq_target_list ();
    char *list = names[0] ? g_strjoinv (", ", names) : g_strdup ("none found");
    char *summary = g_strdup_printf (
        "Fits shelves and peaks (all parameters jointly, AutoEq-style) so that\n"
        "MEASUREMENT + EQ matches the target on a log grid 20 Hz-20 kHz, the\n"
        "top octave averaged; the preamp keeps the EQ from clipping. Prints the\n"
        "residual (RMS 20 Hz-10 kHz after mean removal) and the EQ in\n"
        "ParametricEQ.txt form ('#' lines are comments to the reader).\n\n"
        "Shipped targets: %s (searched in $ES_TARGET_PATH, the source tree's\n"
        "targets/ in uninstalled builds and the installed targets folder).", list);
    g_option_context_set_summary (context, summary);
    g_free (summary);
    g_free (list);
    g_strfreev (names);
  }
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    fprintf (stderr, PROG " fit: %s\n", error->message);
    status = EXIT_USAGE;
    goto out;
  }
  if (argc != 2) {
    fprintf (stderr, PROG " fit: expected one MEASUREMENT.csv (see --help)\n");
    status = EXIT_USAGE;
    goto out;
  }
  if (!target_name) {
    fprintf (stderr, PROG " fit: --target NAME|FILE is required (see --help)\n");
    status = EXIT_USAGE;
    goto out;
  }
  if (max_filters < 1 || max_filters > ES_EQ_FIT_MAX_FILTERS) {
    fprintf (stderr, PROG " fit: --max-filters must be 1..%d\n", ES_EQ_FIT_MAX_FILTERS);
    status = EXIT_USAGE;
    goto out;
  }
  if (!(rate >= ES_EQ_FIT_MIN_RATE && rate <= 768000.0)) {
    fprintf (stderr, PROG " fit: --rate must be 40000..768000 Hz (20 kHz below Nyquist)\n");
    status = EXIT_USAGE;
    goto out;
  }

  {
    /* outputs checked before any work: writable, and not an input */
    const char *inputs[] = { argv[1], target_name, NULL };
    if ((output && !es_cli_check_output (PROG " fit", output, inputs))
        || (plot && !es_cli_check_output (PROG " fit", plot, inputs)))
      goto out;
  }
  {
    EsFrLimits limits = { 0, ES_EQ_FIT_FMIN, ES_EQ_FIT_FMAX, 0 };
    measurement = es_fr_measurement_load (argv[1], &limits, &error);
  }
  if (!measurement || !(target = es_eq_target_load (target_name, &error)))
    goto failed;
  es_eq_fit_options_init (&opt);
  opt.max_filters = max_filters;
  opt.rate = rate;
  eq = es_eq_fit (measurement, target, &opt, &report, &error);
  if (!eq)
    goto failed;
  if (plot) {
    EsEqFitReport unused;
    if (!es_eq_fit_evaluate (measurement, target, eq, &opt, &unused, &curves, &error)
        || !write_plot (plot, curves, &error))
      goto failed;
  }
  text = es_parametric_eq_format (eq);
  if (output) {
    /* io/output: a temporary file renamed over it, a device written in place */
    if (!es_output_write_file (output, text, strlen (text), &error))
      goto failed;
    print_report (stdout, "", &report, target_name);
  } else {
    print_report (stdout, "# ", &report, target_name);
    fputs (text, stdout);
  }
  status = EXIT_OK;
  goto out;

failed:
  fprintf (stderr, PROG " fit: %s\n", error->message);
  status = EXIT_FAILURE_RUN;
out:
  g_free (text);
  es_eq_curves_free (curves);
  es_parametric_eq_free (eq);
  g_free (target_name);
  g_free (output);
  g_free (plot);
  return status;
}

/* earshot eq plot MEASUREMENT --target T --eq FILE OUT.png */
static int
eq_plot (int argc, char **argv)
{
  gchar *target_name = NULL, *eq_path = NULL;
  gdouble rate = 48000.0;
  GOptionEntry entries[] = {
    {"target", 't', 0, G_OPTION_ARG_STRING, &target_name,
        "Target curve: a shipped name or a CSV file", "NAME|FILE"},
    {"eq", 'e', 0, G_OPTION_ARG_FILENAME, &eq_path,
        "The EQ to draw: an AutoEq / Equalizer APO ParametricEQ.txt", "FILE"},
    {"rate", 0, 0, G_OPTION_ARG_DOUBLE, &rate,
        "Sample rate the filters are rendered at, 40000-768000 (default 48000)", "HZ"},
    {NULL}
  };
  g_autoptr (GOptionContext) context =
      g_option_context_new ("MEASUREMENT.csv OUT.png --target NAME|FILE --eq ParametricEQ.txt"
      " - draw a measurement, a target, an EQ and the result");
  g_autoptr (GError) error = NULL;
  g_autoptr (EsFrMeasurement) measurement = NULL;
  g_autoptr (EsFrMeasurement) target = NULL;
  EsParametricEq *eq = NULL;
  EsEqCurves *curves = NULL;
  EsEqFitOptions opt;
  EsEqFitReport report;
  int status = EXIT_FAILURE_RUN;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context,
      "Draws, on the fit's log grid 20 Hz-20 kHz: the measurement (blue), the\n"
      "target (black), the EQ's response without preamp (green) and the result,\n"
      "measurement + EQ (orange), and prints the EQ's residual against the\n"
      "target (RMS 20 Hz-10 kHz after mean removal), as 'earshot eq fit' does\n"
      "for its own fit.");
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    fprintf (stderr, PROG " plot: %s\n", error->message);
    status = EXIT_USAGE;
    goto out;
  }
  if (argc != 3 || !target_name || !eq_path) {
    fprintf (stderr, PROG " plot: expected MEASUREMENT.csv OUT.png --target NAME|FILE "
        "--eq FILE (see --help)\n");
    status = EXIT_USAGE;
    goto out;
  }
  if (!(rate >= ES_EQ_FIT_MIN_RATE && rate <= 768000.0)) {
    fprintf (stderr, PROG " plot: --rate must be 40000..768000 Hz (20 kHz below Nyquist)\n");
    status = EXIT_USAGE;
    goto out;
  }
  {
    /* the picture checked before any work: writable, and not an input */
    const char *inputs[] = { argv[1], target_name, eq_path, NULL };
    if (!es_cli_check_output (PROG " plot", argv[2], inputs))
      goto out;
  }
  {
    EsFrLimits limits = { 0, ES_EQ_FIT_FMIN, ES_EQ_FIT_FMAX, 0 };
    measurement = es_fr_measurement_load (argv[1], &limits, &error);
  }
  if (!measurement || !(target = es_eq_target_load (target_name, &error))
      || !(eq = es_parametric_eq_load (eq_path, &error)))
    goto failed;
  es_eq_fit_options_init (&opt);
  opt.rate = rate;
  if (!es_eq_fit_evaluate (measurement, target, eq, &opt, &report, &curves, &error)
      || !write_plot (argv[2], curves, &error))
    goto failed;
  printf ("residual %.3f dB RMS (max %.2f dB) over 20 Hz-10 kHz against %s, %u filters, "
      "preamp %.1f dB (the file's), largest gain %.1f dB\n", report.residual_db,
      report.max_error_db, target_name, report.n_filters, report.preamp_db, report.max_gain_db);
  status = EXIT_OK;
  goto out;

failed:
  fprintf (stderr, PROG " plot: %s\n", error->message);
  status = EXIT_FAILURE_RUN;
out:
  es_eq_curves_free (curves);
  es_parametric_eq_free (eq);
  g_free (target_name);
  g_free (eq_path);
  return status;
}

static void
usage (FILE *out)
{
  fprintf (out, "Usage: earshot eq fit MEASUREMENT.csv --target NAME|FILE [--max-filters N] "
      "[-o ParametricEQ.txt] [--plot OUT.png]\n"
      "       earshot eq plot MEASUREMENT.csv OUT.png --target NAME|FILE --eq ParametricEQ.txt\n\n"
      "Subcommands:\n"
      "  fit        fit a parametric EQ that corrects a headphone/IEM measurement to a target\n"
      "  plot       draw measurement, target, an EQ (e.g. AutoEq's) and the result\n\n"
      "Run 'earshot eq fit --help' or 'earshot eq plot --help' for their options.\n");
}

int
es_cmd_eq (int argc, char **argv)
{
  if (argc >= 2 && (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)) {
    usage (stdout);
    return EXIT_OK;
  }
  if (argc < 2) {
    usage (stderr);
    return EXIT_USAGE;
  }
  if (strcmp (argv[1], "fit") == 0)
    return eq_fit (argc - 1, argv + 1);
  if (strcmp (argv[1], "plot") == 0)
    return eq_plot (argc - 1, argv + 1);
  fprintf (stderr, PROG ": unknown subcommand '%s'\n\n", argv[1]);
  usage (stderr);
  return EXIT_USAGE;
}
