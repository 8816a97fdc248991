/* earshot plot: draw a frequency-response measurement as a PNG graph in the
 * seed paper's style (see pipeline/io/graph.h), or an audio clip's
 * spectrogram with time and frequency axes (pipeline/io/spectrogram-plot.h).
 *
 * Which one is decided by the input's contents: a text file is a measurement
 * (CSV), anything else is decoded as audio by GStreamer.
 *
 * Measurements: by default the raw rows of the file are drawn after
 * subtracting their mean (as the label rule does); --points N draws the
 * N-point log-spaced, zero-mean curve that `frsrc points=N` produces instead,
 * i.e. what `frsrc ! spectrogramimager` renders.
 *
 * Audio: decoded (any format GStreamer decodes, first audio stream, mixed to
 * mono, resampled to the front-end's rate), run through the front-end of the
 * elements in one call (es_frontend_process_clip: pre-emphasis, Hamming
 * frames, gammatone log energies) and drawn by the spectrogramimager's image
 * code (io/spectrogram-image) inside axes; --no-axes writes that image alone,
 * the pixels `spectrogramimager` gives for a window holding the whole clip. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <gst/gst.h>

#include "commands.h"
#include "runtime.h"
#include "audio-decode.h"
#include "dsp/frontend.h"
#include "io/frcsv.h"
#include "io/frcurve.h"
#include "io/graph.h"
#include "io/png.h"
#include "io/spectrogram-image.h"
#include "io/spectrogram-plot.h"
#include "io/text.h"

#define PROG "earshot plot"

#define EXIT_OK 0
#define EXIT_FAILURE_RUN 1
#define EXIT_USAGE 2

#define MAX_SIZE 16384
#define DEFAULT_RATE 16000
/* Audio is held in memory for one image: at most 2^25 samples (128 MiB of
 * float32, 35 min at 16 kHz). */
#define MAX_AUDIO_SAMPLES (1u << 25)
/* Pictures of clips: at most 2^26 pixels (64 Mi; 192 MiB RGB plus the
 * float levels), e.g. 8192 x 8192. */
#define MAX_AUDIO_PIXELS (1u << 26)
/* Bytes looked at to tell a text measurement from an audio file. */
#define SNIFF_BYTES 65536

typedef struct {
  gint width, height;           /* 0 = the default of the input's kind */
  gdouble line_width;           /* < 0 = default */
  gchar *colour;
  gboolean grid, minor_grid;
  gboolean grey;
  gint points;
  /* audio */
  gboolean no_axes;
  gint rate, bands;             /* 0 = default */
  gchar *db_min, *db_max;       /* NULL = default */
  gchar *normalise, *colour_map;
} PlotOptions;

typedef enum {
  INPUT_MEASUREMENT,
  INPUT_AUDIO,
} InputKind;

static void
plot_options_clear (PlotOptions * o)
{
  g_free (o->colour);
  g_free (o->db_min);
  g_free (o->db_max);
  g_free (o->normalise);
  g_free (o->colour_map);
}

/* The one place the picture is written (temporary file renamed on success,
 * see io/png.h), whatever was drawn. */
static gboolean
write_picture (const char *path, const EsImage * image, GError ** error)
{
  return es_png_write (path, image, error);
}

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

/* A measurement is text; audio files (WAV, FLAC, Ogg, MP3, ...) hold NUL
 * bytes in their first kilobytes. Refuses what cannot be either: a missing,
 * empty or non-regular file (a FIFO or device would block). */
static gboolean
input_kind (const char *path, InputKind * kind, GError ** error)
{
  GStatBuf st;
  FILE *f;
  char *head;
  size_t n;

  if (g_stat (path, &st) != 0) {
    int e = errno;
    g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_OPEN, "%s", g_strerror (e));
    return FALSE;
  }
  if (S_ISDIR (st.st_mode)) {
    g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_OPEN, "is a directory");
    return FALSE;
  }
  if (!S_ISREG (st.st_mode)) {
    g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_OPEN,
        "not a regular file (a measurement or an audio file is needed)");
    return FALSE;
  }
  if (st.st_size == 0) {
    g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_FORMAT, "the file is empty");
    return FALSE;
  }
  f = g_fopen (path, "rb");
  if (f == NULL) {
    int e = errno;
    g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_OPEN, "%s", g_strerror (e));
    return FALSE;
  }
  head = g_malloc (SNIFF_BYTES);
  n = fread (head, 1, SNIFF_BYTES, f);
  fclose (f);
  *kind = memchr (head, '\0', n) != NULL ? INPUT_AUDIO : INPUT_MEASUREMENT;
  g_free (head);
  return TRUE;
}

/* ---- measurements ---------------------------------------------------------- */

static int
plot_measurement (const char *in_path, const char *out_path, PlotOptions * options)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (EsFrMeasurement) measurement = NULL;
  EsGraphStyle style;
  EsImage *image = NULL;
  int width = options->width ? options->width : ES_GRAPH_REFERENCE_WIDTH;
  int height = options->height ? options->height : ES_GRAPH_REFERENCE_HEIGHT;

  if (options->no_axes || options->rate || options->bands || options->db_min
      || options->db_max || options->normalise || options->colour_map) {
    fprintf (stderr, PROG ": --no-axes, --rate, --bands, --db-min, --db-max, "
        "--normalise and --colour-map are for audio clips, not measurements\n");
    return EXIT_USAGE;
  }
  es_graph_style_init (&style);
  style.grid = options->minor_grid ? ES_GRAPH_GRID_MINOR
      : options->grid ? ES_GRAPH_GRID_MAJOR : ES_GRAPH_GRID_NONE;
  if (width < 16 || height < 16) {
    fprintf (stderr, PROG ": --width and --height must be 16..16384 pixels\n");
    return EXIT_USAGE;
  }
  if (options->line_width >= 0)
    style.line_width = options->line_width;
  if (options->colour && !parse_colour (options->colour, style.line_colour)) {
    fprintf (stderr, PROG ": --colour \"%s\" is not #rrggbb or a known name\n",
        options->colour);
    return EXIT_USAGE;
  }
  if (options->points != 0 && (options->points < 2 || options->points > 65536)) {
    fprintf (stderr, PROG ": --points must be 2..65536\n");
    return EXIT_USAGE;
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

  image = es_image_new (width, height, options->grey ? 1 : 3);
  if (options->points > 0) {
    g_autofree float *curve = g_new (float, options->points);
    es_fr_resample (measurement->frequency, measurement->level, measurement->n,
        style.fmin, style.fmax, TRUE, curve, options->points);
    if (!es_graph_draw_log_grid (image, curve, options->points, style.fmin, style.fmax,
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
  if (!write_picture (out_path, image, &error))
    goto failed;
  es_image_free (image);
  return EXIT_OK;

failed:
  fprintf (stderr, PROG ": %s\n", error->message);
  es_image_free (image);
  return EXIT_FAILURE_RUN;
}

/* ---- audio clips ------------------------------------------------------------- */

static gboolean
parse_db (const char *text, const char *option, double *value)
{
  char *end = NULL;
  double v;

  if (text == NULL)
    return TRUE;
  v = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || !isfinite (v) || v < -400 || v > 400) {
    fprintf (stderr, PROG ": --%s \"%s\" is not a level in dB (-400..400)\n", option, text);
    return FALSE;
  }
  *value = v;
  return TRUE;
}

static gboolean
audio_style (PlotOptions * o, EsSpectrogramStyle * style)
{
  es_spectrogram_style_init (style);
  if (!parse_db (o->db_min, "db-min", &style->db_min)
      || !parse_db (o->db_max, "db-max", &style->db_max))
    return FALSE;
  if (!(style->db_min < style->db_max)) {
    fprintf (stderr, PROG ": --db-min (%g) must be below --db-max (%g)\n", style->db_min,
        style->db_max);
    return FALSE;
  }
  if (o->normalise == NULL || strcmp (o->normalise, "none") == 0)
    style->normalise = ES_SPECTROGRAM_NORMALISE_NONE;
  else if (strcmp (o->normalise, "peak") == 0)
    style->normalise = ES_SPECTROGRAM_NORMALISE_PEAK;
  else if (strcmp (o->normalise, "range") == 0)
    style->normalise = ES_SPECTROGRAM_NORMALISE_RANGE;
  else {
    fprintf (stderr, PROG ": --normalise \"%s\" is not none, peak or range\n", o->normalise);
    return FALSE;
  }
  if (o->colour_map == NULL || strcmp (o->colour_map, "viridis") == 0)
    style->colour_map = ES_COLOUR_MAP_VIRIDIS;
  else if (strcmp (o->colour_map, "magma") == 0)
    style->colour_map = ES_COLOUR_MAP_MAGMA;
  else {
    fprintf (stderr, PROG ": --colour-map \"%s\" is not viridis or magma\n", o->colour_map);
    return FALSE;
  }
  return TRUE;
}

/* Every band of every frame at the log floor: the clip is digital silence. */
static gboolean
features_silent (const float *features, size_t n, double log_floor)
{
  float floor_value = (float) log (log_floor);

  for (size_t i = 0; i < n; i++)
    if (features[i] > floor_value)
      return FALSE;
  return TRUE;
}

static int
plot_audio (const char *in_path, const char *out_path, PlotOptions * options)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *shown = es_text_for_terminal (in_path, ES_TEXT_TERMINAL_MAX);
  EsFrontendConfig config;
  EsFrontend *fe;
  EsSpectrogramStyle style;
  EsImage *image = NULL;
  float *samples = NULL, *features;
  size_t n_samples = 0;
  size_t n_frames = 0;
  unsigned n_bands, channels = options->grey ? 1 : 3;
  int width = 0, height = 0, status = EXIT_FAILURE_RUN;

  if (options->line_width >= 0 || options->colour || options->grid || options->minor_grid
      || options->points) {
    fprintf (stderr, PROG ": --line-width, --colour, --grid, --minor-grid and --points "
        "are for measurements, not audio clips\n");
    return EXIT_USAGE;
  }
  if (!audio_style (options, &style))
    return EXIT_USAGE;
  if (options->rate != 0 && (options->rate < 1000 || options->rate > 768000)) {
    fprintf (stderr, PROG ": --rate must be 1000..768000 Hz\n");
    return EXIT_USAGE;
  }
  if (options->bands != 0 && (options->bands < 1 || options->bands > 1024)) {
    fprintf (stderr, PROG ": --bands must be 1..1024\n");
    return EXIT_USAGE;
  }
  es_frontend_config_init (&config, options->rate ? options->rate : DEFAULT_RATE);
  if (options->bands)
    config.n_bands = options->bands;
  fe = es_frontend_new (&config, &error);
  if (fe == NULL) {
    fprintf (stderr, PROG ": %s\n", error->message);
    return EXIT_USAGE;
  }
  n_bands = es_frontend_get_n_features (fe);
  if (!options->no_axes) {
    unsigned l, t, aw, ah;
    width = options->width ? options->width : 800;
    height = options->height ? options->height : 500;
    if ((guint64) width * height > MAX_AUDIO_PIXELS) {
      fprintf (stderr, PROG ": a %dx%d picture is too large (at most %u pixels)\n", width,
          height, MAX_AUDIO_PIXELS);
      es_frontend_free (fe);
      return EXIT_USAGE;
    }
    if (!es_spectrogram_plot_area (width, height, &l, &t, &aw, &ah)) {
      fprintf (stderr, PROG ": %dx%d is too small for a spectrogram with axes; make it "
          "larger or use --no-axes\n", width, height);
      es_frontend_free (fe);
      return EXIT_USAGE;
    }
  }

  if (!gst_init_check (NULL, NULL, &error)) {
    fprintf (stderr, PROG ": cannot initialise GStreamer: %s\n", error->message);
    es_frontend_free (fe);
    return EXIT_FAILURE_RUN;
  }
  samples = es_audio_decode_file (in_path, config.sample_rate, MAX_AUDIO_SAMPLES, &n_samples,
      &error);
  if (!samples) {
    fprintf (stderr, PROG ": %s: %s\n", shown, error->message);
    es_frontend_free (fe);
    return EXIT_FAILURE_RUN;
  }
  if (n_samples < config.frame_size) {
    fprintf (stderr, PROG ": %s: %.3f s of audio is shorter than one %.3f s analysis "
        "frame: nothing to draw\n", shown, (double) n_samples / config.sample_rate,
        (double) config.frame_size / config.sample_rate);
    g_free (samples);
    es_frontend_free (fe);
    return EXIT_FAILURE_RUN;
  }
  features = es_frontend_process_clip (fe, samples, n_samples, &n_frames);
  g_free (samples);
  if (features_silent (features, n_frames * n_bands, config.log_floor))
    fprintf (stderr, PROG ": note: %s is silent (every band at the log floor, %.0f dB): "
        "the picture is uniformly dark\n", shown,
        10.0 * log10 (config.log_floor));

  if (options->no_axes) {
    width = options->width ? options->width : (int) MIN (n_frames, MAX_SIZE);
    height = options->height ? options->height : (int) MIN (n_bands, MAX_SIZE);
    if ((guint64) width * height > MAX_AUDIO_PIXELS) {
      fprintf (stderr, PROG ": a %dx%d picture is too large (at most %u pixels)\n", width,
          height, MAX_AUDIO_PIXELS);
      g_free (features);
      es_frontend_free (fe);
      return EXIT_USAGE;
    }
    image = es_image_new (width, height, channels);
    if (!es_spectrogram_draw (image, features, n_frames, n_bands, &style, &error)) {
      es_image_free (image);
      image = NULL;
    }
  } else {
    const EsGammatoneBand *bands =
        es_gammatone_fb_get_bands (es_frontend_get_filterbank (fe));
    double *centres = g_new (double, n_bands);
    for (unsigned b = 0; b < n_bands; b++)
      centres[b] = bands[b].centre_hz;
    image = es_spectrogram_plot_render (width, height, channels, features, n_frames,
        n_bands, centres, (double) config.sample_rate / config.hop_size, &style, &error);
    g_free (centres);
  }
  g_free (features);
  es_frontend_free (fe);
  if (image == NULL)
    fprintf (stderr, PROG ": %s: %s\n", shown, error->message);
  else if (!write_picture (out_path, image, &error))
    fprintf (stderr, PROG ": %s\n", error->message);
  else
    status = EXIT_OK;
  es_image_free (image);
  return status;
}

int
es_cmd_plot (int argc, char **argv)
{
  PlotOptions options = { 0 };
  GOptionEntry entries[] = {
    {"width", 'W', 0, G_OPTION_ARG_INT, &options.width,
          "Image width in pixels (default 800; with --no-axes one pixel per frame)",
        "PX"},
    {"height", 'H', 0, G_OPTION_ARG_INT, &options.height,
        "Image height in pixels (default 500; with --no-axes one pixel per band)", "PX"},
    {"grey", 0, 0, G_OPTION_ARG_NONE, &options.grey,
        "Write an 8-bit grey PNG instead of RGB", NULL},
    {"line-width", 0, 0, G_OPTION_ARG_DOUBLE, &options.line_width,
          "Measurements: curve width in pixels at 800x500, scaled with the image "
          "(default 2)", "PX"},
    {"colour", 0, 0, G_OPTION_ARG_STRING, &options.colour,
          "Measurements: curve colour, #rrggbb or blue, black, red, green, orange, grey "
          "(default blue #1f77b4)", "COLOUR"},
    {"color", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &options.colour, NULL, NULL},
    {"grid", 0, 0, G_OPTION_ARG_NONE, &options.grid,
        "Measurements: light grid lines at 100 Hz, 1 kHz, 10 kHz and every 10 dB", NULL},
    {"minor-grid", 0, 0, G_OPTION_ARG_NONE, &options.minor_grid,
        "Measurements: also grid lines at 2-9 x each decade and every 5 dB", NULL},
    {"points", 0, 0, G_OPTION_ARG_INT, &options.points,
          "Measurements: draw the N-point log-spaced zero-mean curve frsrc produces "
          "instead of the raw rows", "N"},
    {"no-axes", 0, 0, G_OPTION_ARG_NONE, &options.no_axes,
          "Audio: the spectrogram image alone, as spectrogramimager draws it", NULL},
    {"rate", 0, 0, G_OPTION_ARG_INT, &options.rate,
        "Audio: front-end sample rate in Hz (default 16000)", "HZ"},
    {"bands", 0, 0, G_OPTION_ARG_INT, &options.bands,
        "Audio: gammatone bands (default 64)", "N"},
    {"db-min", 0, 0, G_OPTION_ARG_STRING, &options.db_min,
        "Audio: level drawn darkest, dB of band energy (default -50)", "DB"},
    {"db-max", 0, 0, G_OPTION_ARG_STRING, &options.db_max,
        "Audio: level drawn brightest, dB of band energy (default 50)", "DB"},
    {"normalise", 0, 0, G_OPTION_ARG_STRING, &options.normalise,
        "Audio: none (fixed range, the default), peak or range", "HOW"},
    {"colour-map", 0, 0, G_OPTION_ARG_STRING, &options.colour_map,
        "Audio: viridis (default) or magma", "MAP"},
    {NULL}
  };
  g_autoptr (GOptionContext) context =
      g_option_context_new ("IN OUT.png - draw a measurement's graph or a clip's "
      "spectrogram");
  GOptionGroup *group = g_option_group_new ("plot", "plot options", "plot options",
      &options, NULL);
  g_autoptr (GError) error = NULL;
  const char *in_path, *out_path;
  InputKind kind;
  int status;

  options.line_width = -1;
  g_option_group_add_entries (group, entries);
  g_option_context_set_main_group (context, group);
  g_option_context_set_summary (context,
      "IN is a frequency-response measurement (a text/CSV file) or an audio clip\n"
      "(any format GStreamer decodes).\n"
      "Measurements are drawn as the seed paper drew them: white figure, black frame,\n"
      "log x 20 Hz-20 kHz, y -30..+30 dB after removing the mean, no labels.\n"
      "Clips are drawn as a spectrogram of the earshot front-end (gammatone band\n"
      "energies, 10 ms frames) with a time axis in seconds and a frequency axis in\n"
      "Hz, in a fixed -50..+50 dB range so pictures of different clips compare.");
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    fprintf (stderr, PROG ": %s\n", error->message);
    plot_options_clear (&options);
    return EXIT_USAGE;
  }
  if (argc != 3) {
    fprintf (stderr, PROG ": expected IN OUT.png (see --help)\n");
    plot_options_clear (&options);
    return EXIT_USAGE;
  }
  in_path = argv[1];
  out_path = argv[2];
  /* 0 = the default of the input's kind */
  if (options.width < 0 || options.width > MAX_SIZE || options.height < 0
      || options.height > MAX_SIZE) {
    fprintf (stderr, PROG ": --width and --height must be 16..16384 pixels (1..16384 "
        "with --no-axes)\n");
    plot_options_clear (&options);
    return EXIT_USAGE;
  }
  if (options.line_width != -1 && !(options.line_width > 0 && options.line_width <= 100)) {
    fprintf (stderr, PROG ": --line-width must be above 0 and at most 100 pixels\n");
    plot_options_clear (&options);
    return EXIT_USAGE;
  }

  {
    /* before any work: not the input (also through a link), not a directory,
     * writable */
    const char *inputs[] = { in_path, NULL };
    if (!es_cli_check_output (PROG, out_path, inputs)) {
      plot_options_clear (&options);
      return EXIT_FAILURE_RUN;
    }
  }
  if (!input_kind (in_path, &kind, &error)) {
    g_autofree char *shown = es_text_for_terminal (in_path, ES_TEXT_TERMINAL_MAX);
    fprintf (stderr, PROG ": %s: %s\n", shown, error->message);
    plot_options_clear (&options);
    return EXIT_FAILURE_RUN;
  }
  status = kind == INPUT_AUDIO ? plot_audio (in_path, out_path, &options)
      : plot_measurement (in_path, out_path, &options);
  plot_options_clear (&options);
  return status;
}
