/* earshot plot: draw a frequency-response measurement as a PNG graph in the
 * seed paper's style (see pipeline/io/graph.h), e.g. to look at a file, to make
 * a picture for the 2D model, or to compare with a user's own graph image.
 *
 * By default the raw rows of the file are drawn after subtracting their mean
 * (as the label rule does); --points N draws the N-point log-spaced, zero-mean
 * curve that `frsrc points=N` produces instead, i.e. what `frsrc !
 * spectrogramimager` renders. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "commands.h"
#include "runtime.h"
#include "io/frcsv.h"
#include "io/frcurve.h"
#include "io/graph.h"
#include "io/png.h"

#define PROG "earshot plot"

#define EXIT_OK 0
#define EXIT_FAILURE_RUN 1
#define EXIT_USAGE 2

typedef struct {
  gint width, height;
  gdouble line_width;
  gchar *colour;
  gboolean grid, minor_grid;
  gboolean grey;
  gint points;
} PlotOptions;

/* "#rrggbb", "rrggbb" or a few names. */
static gboolean
parse_colour (const char *text, uint8_t rgb[3])
{
  static const struct {
    const char *name;
    uint8_t rgb[3];
  } names[] = {
    {"blue", {0x1f, 0x77, 0xb4}},       /* matplotlib's default line */
    {"black", {0, 0, 0}},
    {"red", {0xd6, 0x27, 0x28}},
    {"green", {0x2c, 0xa0, 0x2c}},
    {"orange", {0xff, 0x7f, 0x0e}},
    {"grey", {0x7f, 0x7f, 0x7f}},
  };
  const char *hex = text[0] == '#' ? text + 1 : text;

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (text, names[i].name) == 0) {
      memcpy (rgb, names[i].rgb, 3);
      return TRUE;
    }
  if (strlen (hex) != 6)
    return FALSE;
  for (int i = 0; i < 6; i++)
    if (!g_ascii_isxdigit (hex[i]))
      return FALSE;
  for (int i = 0; i < 3; i++)
    rgb[i] = (uint8_t) (g_ascii_xdigit_value (hex[2 * i]) * 16
        + g_ascii_xdigit_value (hex[2 * i + 1]));
  return TRUE;
}

int
es_cmd_plot (int argc, char **argv)
{
  PlotOptions options = { ES_GRAPH_REFERENCE_WIDTH, ES_GRAPH_REFERENCE_HEIGHT, 2.0,
    NULL, FALSE, FALSE, FALSE, 0
  };
  GOptionEntry entries[] = {
    {"width", 'W', 0, G_OPTION_ARG_INT, &options.width,
        "Image width in pixels (default 800, the seed's 8 in at 100 dpi)", "PX"},
    {"height", 'H', 0, G_OPTION_ARG_INT, &options.height,
        "Image height in pixels (default 500)", "PX"},
    {"line-width", 0, 0, G_OPTION_ARG_DOUBLE, &options.line_width,
          "Curve width in pixels at 800x500, scaled with the image (default 2)",
        "PX"},
    {"colour", 0, 0, G_OPTION_ARG_STRING, &options.colour,
          "Curve colour: #rrggbb or blue, black, red, green, orange, grey "
          "(default blue #1f77b4)", "COLOUR"},
    {"color", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &options.colour, NULL, NULL},
    {"grid", 0, 0, G_OPTION_ARG_NONE, &options.grid,
        "Light grid lines at 100 Hz, 1 kHz, 10 kHz and every 10 dB", NULL},
    {"minor-grid", 0, 0, G_OPTION_ARG_NONE, &options.minor_grid,
        "Also grid lines at 2-9 x each decade and every 5 dB (implies --grid)", NULL},
    {"grey", 0, 0, G_OPTION_ARG_NONE, &options.grey,
        "Write an 8-bit grey PNG instead of RGB", NULL},
    {"points", 0, 0, G_OPTION_ARG_INT, &options.points,
          "Draw the N-point log-spaced zero-mean curve frsrc produces instead of "
          "the raw rows", "N"},
    {NULL}
  };
  g_autoptr (GOptionContext) context =
      g_option_context_new ("IN.csv OUT.png - draw a frequency-response measurement");
  GOptionGroup *group = g_option_group_new ("plot", "plot options", "plot options",
      &options, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (EsFrMeasurement) measurement = NULL;
  EsGraphStyle style;
  EsImage *image = NULL;
  const char *in_path, *out_path;

  g_option_group_add_entries (group, entries);
  g_option_context_set_main_group (context, group);
  g_option_context_set_summary (context,
      "Writes the graph as the seed paper drew it: white figure, black frame,\n"
      "log x 20 Hz-20 kHz, y -30..+30 dB after removing the mean, no labels.");
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    fprintf (stderr, PROG ": %s\n", error->message);
    g_free (options.colour);
    return EXIT_USAGE;
  }
  if (argc != 3) {
    fprintf (stderr, PROG ": expected IN.csv OUT.png (see --help)\n");
    g_free (options.colour);
    return EXIT_USAGE;
  }
  in_path = argv[1];
  out_path = argv[2];

  es_graph_style_init (&style);
  style.grid = options.minor_grid ? ES_GRAPH_GRID_MINOR
      : options.grid ? ES_GRAPH_GRID_MAJOR : ES_GRAPH_GRID_NONE;
  if (options.width < 16 || options.width > 16384 || options.height < 16
      || options.height > 16384) {
    fprintf (stderr, PROG ": --width and --height must be 16..16384 pixels\n");
    g_free (options.colour);
    return EXIT_USAGE;
  }
  if (!(options.line_width > 0 && options.line_width <= 100)) {
    fprintf (stderr, PROG ": --line-width must be above 0 and at most 100 pixels\n");
    g_free (options.colour);
    return EXIT_USAGE;
  }
  style.line_width = options.line_width;
  if (options.colour && !parse_colour (options.colour, style.line_colour)) {
    fprintf (stderr, PROG ": --colour \"%s\" is not #rrggbb or a known name\n",
        options.colour);
    g_free (options.colour);
    return EXIT_USAGE;
  }
  g_free (options.colour);
  if (options.points != 0 && (options.points < 2 || options.points > 65536)) {
    fprintf (stderr, PROG ": --points must be 2..65536\n");
    return EXIT_USAGE;
  }

  {
    /* before any work: not the input, not a directory, writable */
    const char *inputs[] = { in_path, NULL };
    if (!es_cli_check_output (PROG, out_path, inputs))
      return EXIT_FAILURE_RUN;
  }
  {
    /* The graph shows 20 Hz-20 kHz: the measurement must cover it (with the
     * parser's usual small tolerance), as frsrc requires. */
    EsFrLimits limits = { 0, style.fmin, style.fmax, 0 };
    measurement = es_fr_measurement_load (in_path, &limits, &error);
  }
  if (!measurement) {
    fprintf (stderr, PROG ": %s\n", error->message);
    return EXIT_FAILURE_RUN;
  }

  image = es_image_new (options.width, options.height, options.grey ? 1 : 3);
  if (options.points > 0) {
    g_autofree float *curve = g_new (float, options.points);
    es_fr_resample (measurement->frequency, measurement->level, measurement->n,
        style.fmin, style.fmax, TRUE, curve, options.points);
    if (!es_graph_draw_log_grid (image, curve, options.points, style.fmin, style.fmax,
            &style, &error))
      goto failed;
  } else {
    g_autofree double *zero_mean = g_new (double, measurement->n);
    double mean = es_fr_mean (measurement->level, measurement->n);
    for (size_t i = 0; i < measurement->n; i++)
      zero_mean[i] = measurement->level[i] - mean;
    if (!es_graph_draw (image, measurement->frequency, zero_mean, measurement->n, &style,
            &error))
      goto failed;
  }
  if (!es_png_write (out_path, image, &error))
    goto failed;
  es_image_free (image);
  return EXIT_OK;

failed:
  fprintf (stderr, PROG ": %s\n", error->message);
  es_image_free (image);
  return EXIT_FAILURE_RUN;
}
