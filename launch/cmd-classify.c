/* earshot classify: what sound each audio file holds, with an audio model
 * (default esc10). One row per file — the file-level decision, the mean of
 * its windows' probabilities — or one per window with --windows; text, CSV
 * or JSON.
 *
 * Each file is decoded (launch/audio-decode.c: any format GStreamer decodes,
 * mono float32 at the model's rate) and pushed through the elements that
 * serve the model in a pipeline:
 *   appsrc ! preemphasis ! hammingframe ! gammatonefb model=M
 *     ! cnnclassify model=M average-windows=1 ! fakesink
 * so the windows, the network (run from the layer after a learned
 * front-end), the probabilities and the file-level mean are the element's
 * own (decide/decision.h): the `cnnclassify` message of each window
 * (unsmoothed: average-windows=1) and the `cnnclassify-summary` message at
 * the end. `earshot model info M` prints the same chain as a launch line. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <gst/gst.h>
#include <gst/app/gstappsrc.h>
#include <json-glib/json-glib.h>

#include "audio-decode.h"
#include "commands.h"
#include "runtime.h"
#include "decide/decision.h"
#include "io/output.h"
#include "io/text.h"
#include "model/model.h"

#define PROG "earshot classify"
#define DEFAULT_MODEL "esc10"
/* Files are decoded into memory (4 bytes a sample: 230 MB for an hour at
 * 16 kHz); longer ones are reported and skipped. */
#define DEFAULT_MAX_SECONDS 3600
/* Decoded audio goes to the pipeline in buffers of this many seconds. */
#define PUSH_SECONDS 1

/* Extensions a folder walk picks up; a named file is tried whatever its name. */
static const char *const audio_extensions[] = {
  "wav", "wave", "flac", "ogg", "oga", "opus", "mp3", "m4a", "aac", "aif", "aiff",
  "aifc", "au", "snd", "caf", "wma", "mka", "webm", "spx", NULL
};

typedef enum {
  FORMAT_TEXT,
  FORMAT_CSV,
  FORMAT_JSON,
} OutputFormat;

typedef struct {
  char *model;
  gboolean recursive, csv, json, windows, quiet;
  char *output;
  int max_seconds;
} ClassifyOptions;

typedef struct {
  double start, end;            /* seconds */
  size_t best;
  double *probabilities;        /* n_labels */
} WindowRow;

typedef struct {
  char *path;
  char *error;                  /* why it was skipped (without the path); NULL: classified */
  guint64 n_windows;
  size_t best;
  double *probabilities;        /* the file-level mean, n_labels */
  GArray *windows;              /* WindowRow, with --windows */
  double seconds;               /* decoded audio */
} FileResult;

typedef struct {
  EsModel *model;
  const char *path;             /* the model file the elements load */
  size_t n_labels;
  const char *const *labels;
  const EsFrontendDesc *fe;
  guint window_frames;          /* frames per decision, for messages */
} ClassifyModel;

/* ---------------------------------------------------------------- model */

/* Frames per decision the element will use (the input of the layer the net
 * runs from). For the "too short" message only. */
static guint
model_window_frames (const EsModel * model)
{
  const EsFrontendDesc *fe = es_model_get_frontend_desc (model);
  EsNet *net = es_model_get_net (model);
  size_t shape[4];
  int ndim;

  if (fe->frontend_layers > 0)
    ndim = es_net_get_layer_input_shape (net, fe->frontend_layers, shape);
  else
    ndim = es_model_get_input_shape (model, shape);
  if (ndim == 1 && fe->frontend_layers == 0)
    return 1;
  return ndim >= 2 ? (guint) shape[ndim - 1] : fe->window_frames;
}

static gboolean
load_model (ClassifyModel * m, const char *name, char **message)
{
  GError *error = NULL;

  m->model = es_model_load (name, &error);
  if (m->model == NULL) {
    if (g_error_matches (error, ES_MODEL_ERROR, ES_MODEL_ERROR_NOT_FOUND)
        && !strchr (name, G_DIR_SEPARATOR)) {
      char **dirs = es_model_get_search_path ();
      g_autofree char *list = g_strjoinv (", ", dirs);

      *message = g_strdup_printf ("the model \"%s\" was not found: no file "
          "%s.safetensors in %s. Set ES_MODEL_PATH to the folder holding it, or "
          "give a model with --model NAME|PATH (an audio model made by earshot "
          "train).", name, name, *list ? list : "(no directories)");
      g_strfreev (dirs);
    } else {
      *message = g_strdup_printf ("cannot load the model \"%s\": %s", name,
          error->message);
    }
    g_error_free (error);
    return FALSE;
  }
  m->fe = es_model_get_frontend_desc (m->model);
  if (m->fe->source != ES_FRONTEND_SOURCE_AUDIO) {
    *message = g_strdup_printf ("model \"%s\" is not an audio model: its "
        "front-end is %s. Give an audio model with --model (earshot model info "
        "shows what a model takes)", es_model_get_name (m->model),
        es_frontend_source_name (m->fe->source));
    return FALSE;
  }
  m->path = es_model_get_path (m->model);
  m->n_labels = es_model_get_n_labels (m->model);
  m->labels = es_model_get_labels (m->model);
  m->window_frames = model_window_frames (m->model);
  return TRUE;
}

/* ---------------------------------------------------------------- progress */

/* A bar on standard error when it is a terminal: files done, and the
 * position in the file being classified (redrawn every half second). */
typedef struct {
  gboolean bar;
  guint done, total;            /* files */
  const char *path;             /* the file being classified, or NULL */
  double seconds;               /* its length, 0 unknown */
} Progress;

#define PROGRESS_INTERVAL_US (500 * G_TIME_SPAN_MILLISECOND)

static void
progress_show (const Progress * p, double position)
{
  enum { WIDTH = 30 };
  char cells[WIDTH + 1];
  double fraction = p->seconds > 0 ? CLAMP (position / p->seconds, 0.0, 1.0) : 0.0;
  guint filled;
  const char *base;

  if (!p->bar)
    return;
  filled = p->total ? (guint) ((p->done + fraction) * WIDTH / p->total) : WIDTH;
  filled = MIN (filled, (guint) WIDTH);
  memset (cells, '#', filled);
  memset (cells + filled, '.', WIDTH - filled);
  cells[WIDTH] = '\0';
  base = p->path ? strrchr (p->path, G_DIR_SEPARATOR) : NULL;
  base = base ? base + 1 : p->path ? p->path : "";
  {
    g_autofree char *name = es_text_for_terminal (base, 40);
    /* \033[K clears what a longer previous line left behind */
    if (p->path && p->seconds > 0)
      fprintf (stderr, "\r[%s] %u/%u %s %.0f/%.0f s\033[K", cells, p->done, p->total, name,
          position, p->seconds);
    else
      fprintf (stderr, "\r[%s] %u/%u %s\033[K", cells, p->done, p->total, name);
  }
  fflush (stderr);
}

static void
progress_clear (const Progress * p)
{
  if (p->bar) {
    fprintf (stderr, "\r\033[K");
    fflush (stderr);
  }
}

/* ---------------------------------------------------------------- pipeline */

static GstElement *
make_pipeline (const ClassifyModel * m, gboolean windows, GstElement ** src,
    char **message)
{
  const EsFrontendDesc *fe = m->fe;
  GstElement *pipeline = gst_pipeline_new ("classify");
  GstElement *e[7];
  static const char *const factories[] = { "appsrc", "preemphasis", "hammingframe",
    "gammatonefb", "cnnclassify", "fakesink"
  };
  GstCaps *caps;

  for (guint i = 0; i < G_N_ELEMENTS (factories); i++) {
    e[i] = gst_element_factory_make (factories[i], NULL);
    if (e[i] == NULL) {
      *message = g_strdup_printf ("the GStreamer element \"%s\" is missing%s",
          factories[i], i > 0 && i < 5 ? " (the earshot plugin was not found: "
          "set GST_PLUGIN_PATH to the folder holding libgstearshot.so)" : "");
      for (guint j = 0; j < i; j++)
        gst_object_unref (gst_object_ref_sink (e[j]));
      gst_object_unref (pipeline);
      return NULL;
    }
    gst_bin_add (GST_BIN (pipeline), e[i]);
  }
  caps = gst_caps_new_simple ("audio/x-raw", "format", G_TYPE_STRING, "F32LE",
      "rate", G_TYPE_INT, (gint) fe->rate, "channels", G_TYPE_INT, 1,
      "layout", G_TYPE_STRING, "interleaved", NULL);
  g_object_set (e[0], "caps", caps, "format", GST_FORMAT_TIME, NULL);
  gst_caps_unref (caps);
  g_object_set (e[1], "coefficient", fe->preemphasis, NULL);
  g_object_set (e[2], "frame-size", fe->frame_size, "hop-size", fe->hop_size, NULL);
  gst_util_set_object_arg (G_OBJECT (e[2]), "window", es_window_type_name (fe->window));
  g_object_set (e[3], "model", m->path, NULL);
  /* average-windows=1: each window's own probabilities; the file-level
   * decision is the summary's mean of them */
  g_object_set (e[4], "model", m->path, "average-windows", 1, "post-messages",
      windows, "post-events", TRUE, NULL);
  g_object_set (e[5], "sync", FALSE, NULL);
  if (!gst_element_link_many (e[0], e[1], e[2], e[3], e[4], e[5], NULL)) {
    *message = g_strdup ("cannot link the classification pipeline");
    gst_object_unref (pipeline);
    return NULL;
  }
  *src = e[0];
  return pipeline;
}

static gboolean
read_probabilities (const GstStructure * s, size_t n_labels, double *out)
{
  const GValue *array = gst_structure_get_value (s, "probabilities");

  if (array == NULL || !GST_VALUE_HOLDS_ARRAY (array)
      || gst_value_array_get_size (array) != n_labels)
    return FALSE;
  for (size_t k = 0; k < n_labels; k++)
    out[k] = g_value_get_double (gst_value_array_get_value (array, (guint) k));
  return TRUE;
}

static double
seconds_of (const GstStructure * s, const char *field)
{
  guint64 t = GST_CLOCK_TIME_NONE;

  if (!gst_structure_get_uint64 (s, field, &t) || !GST_CLOCK_TIME_IS_VALID (t))
    return 0.0;
  return (double) t / GST_SECOND;
}

/* Runs the decoded samples through the pipeline; fills r (or r->error). */
static void
classify_samples (const ClassifyModel * m, gboolean windows, float *samples, size_t n,
    FileResult * r, Progress * progress)
{
  gint64 shown = g_get_monotonic_time ();
  GstElement *src = NULL, *pipeline;
  GstBus *bus;
  gboolean done = FALSE, summary = FALSE;
  size_t step = (size_t) m->fe->rate * PUSH_SECONDS;
  char *message = NULL;

  pipeline = make_pipeline (m, windows, &src, &message);
  if (pipeline == NULL) {
    r->error = message;
    return;
  }
  bus = gst_element_get_bus (pipeline);
  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    /* an element could not start (e.g. a model gammatonefb refuses): its
     * error message is on the bus */
    GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    GError *err = NULL;

    if (msg)
      gst_message_parse_error (msg, &err, NULL);
    r->error = g_strdup_printf ("cannot start the classification pipeline: %s",
        err ? err->message : "a state change failed");
    g_clear_error (&err);
    g_clear_pointer (&msg, gst_message_unref);
    done = TRUE;
  }
  /* buffers wrap the decoded samples without a copy, writable: nothing
   * reads them again, so the pre-emphasis filters them in place; they are
   * freed after the pipeline is down */
  for (size_t at = 0; !done && at < n; at += step) {
    size_t len = MIN (step, n - at);
    GstBuffer *buf = gst_buffer_new_wrapped_full (0, samples + at, len * sizeof (float),
        0, len * sizeof (float), NULL, NULL);

    GST_BUFFER_PTS (buf) = gst_util_uint64_scale (at, GST_SECOND, m->fe->rate);
    GST_BUFFER_DURATION (buf) = gst_util_uint64_scale (at + len, GST_SECOND,
        m->fe->rate) - GST_BUFFER_PTS (buf);
    if (at == 0)
      GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
    if (gst_app_src_push_buffer (GST_APP_SRC (src), buf) != GST_FLOW_OK)
      break;                    /* flushing after an error: read it below */
  }
  gst_app_src_end_of_stream (GST_APP_SRC (src));

  while (!done) {
    GstMessage *msg = gst_bus_timed_pop_filtered (bus, progress->bar ? 100 * GST_MSECOND
        : GST_CLOCK_TIME_NONE,
        GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_WARNING | GST_MESSAGE_ELEMENT);
    const GstStructure *s;

    if (progress->bar && g_get_monotonic_time () - shown >= PROGRESS_INTERVAL_US) {
      gint64 position = -1;

      shown = g_get_monotonic_time ();
      if (gst_element_query_position (pipeline, GST_FORMAT_TIME, &position) && position >= 0)
        progress_show (progress, (double) position / GST_SECOND);
    }
    if (msg == NULL)
      continue;
    s = gst_message_get_structure (msg);

    switch (GST_MESSAGE_TYPE (msg)) {
      case GST_MESSAGE_ERROR:{
        GError *err = NULL;
        gst_message_parse_error (msg, &err, NULL);
        r->error = g_strdup (err->message);
        g_error_free (err);
        done = TRUE;
        break;
      }
      case GST_MESSAGE_WARNING:{
        GError *err = NULL;
        g_autofree char *text = NULL;
        gst_message_parse_warning (msg, &err, NULL);
        text = es_text_for_terminal (err->message, ES_TEXT_TERMINAL_MAX);
        progress_clear (progress);
        fprintf (stderr, PROG ": %s: warning: %s\n", r->path, text);
        g_error_free (err);
        break;
      }
      case GST_MESSAGE_EOS:
        done = TRUE;
        break;
      case GST_MESSAGE_ELEMENT:
        if (s && gst_structure_has_name (s, "cnnclassify") && windows) {
          WindowRow row;
          guint64 t = 0, d = 0;

          row.probabilities = g_new (double, m->n_labels);
          if (!read_probabilities (s, m->n_labels, row.probabilities)) {
            g_free (row.probabilities);
            break;
          }
          gst_structure_get_uint64 (s, "stream-time", &t);
          gst_structure_get_uint64 (s, "duration", &d);
          row.start = seconds_of (s, "stream-time");
          row.end = GST_CLOCK_TIME_IS_VALID (t) && GST_CLOCK_TIME_IS_VALID (d)
              ? (double) (t + d) / GST_SECOND : row.start;
          row.best = es_decision_best (row.probabilities, m->n_labels);
          g_array_append_val (r->windows, row);
        } else if (s && gst_structure_has_name (s, "cnnclassify-summary")) {
          gst_structure_get_uint64 (s, "windows", &r->n_windows);
          summary = r->n_windows > 0
              && read_probabilities (s, m->n_labels, r->probabilities);
          if (summary) {
            gint index = -1;
            gst_structure_get_int (s, "index", &index);
            r->best = index >= 0 && (size_t) index < m->n_labels ? (size_t) index
                : es_decision_best (r->probabilities, m->n_labels);
          }
        }
        break;
      default:
        break;
    }
    gst_message_unref (msg);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);

  if (r->error == NULL && !summary) {
    double window_s = ((double) (m->window_frames - 1) * m->fe->hop_size
        + m->fe->frame_size) / m->fe->rate;
    r->error = g_strdup_printf ("too short to classify: %.3f s of audio; model "
        "\"%s\" decides on windows of %u frames (%.3f s)", r->seconds,
        es_model_get_name (m->model), m->window_frames, window_s);
  }
}

static void
classify_file (const ClassifyModel * m, const ClassifyOptions * o, FileResult * r,
    Progress * progress)
{
  GError *error = NULL;
  size_t n = 0;
  float *samples = es_audio_decode_file (r->path, m->fe->rate,
      (size_t) o->max_seconds * m->fe->rate, &n, &error);

  if (samples == NULL) {
    r->error = g_strdup (error->message);
    g_error_free (error);
    return;
  }
  r->seconds = (double) n / m->fe->rate;
  r->probabilities = g_new0 (double, m->n_labels);
  progress->seconds = r->seconds;
  /* A clip shorter than one window is completed with digital silence to one
   * window by the elements themselves (cnnclassify pad-short, the default;
   * decide/windows.h), as a gst-launch line does and as the audio data kind
   * pads it for training and evaluation. */
  classify_samples (m, o->windows, samples, n, r, progress);
  g_free (samples);
}

/* ---------------------------------------------------------------- output */

static void
append_csv_field (GString * out, const char *text)
{
  if (strpbrk (text, ",\"\r\n") == NULL) {
    g_string_append (out, text);
    return;
  }
  g_string_append_c (out, '"');
  for (const char *c = text; *c; c++) {
    if (*c == '"')
      g_string_append_c (out, '"');
    g_string_append_c (out, *c);
  }
  g_string_append_c (out, '"');
}

static void
append_number (GString * out, const char *format, double value)
{
  char number[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append (out, g_ascii_formatd (number, sizeof number, format, value));
}

/* Probabilities with 6 decimals: enough for a table; JSON has them all. */
static void
append_csv_row (GString * out, const char *path, const WindowRow * w, size_t best,
    const double *p, const ClassifyModel * m)
{
  append_csv_field (out, path);
  if (w) {
    g_string_append_c (out, ',');
    append_number (out, "%.3f", w->start);
    g_string_append_c (out, ',');
    append_number (out, "%.3f", w->end);
  }
  g_string_append_c (out, ',');
  append_csv_field (out, m->labels[best]);
  g_string_append_c (out, ',');
  append_number (out, "%.6f", p[best]);
  for (size_t k = 0; k < m->n_labels; k++) {
    g_string_append_c (out, ',');
    append_number (out, "%.6f", p[k]);
  }
  g_string_append_c (out, '\n');
}

/* path[,start,end],label,confidence,<one column per label>; classified
 * files only (the skipped ones are reported on standard error). */
static void
append_csv (GString * out, const FileResult * results, guint n, const ClassifyModel * m,
    gboolean windows)
{
  g_string_append (out, windows ? "path,start,end,label,confidence" : "path,label,confidence");
  for (size_t k = 0; k < m->n_labels; k++) {
    g_string_append_c (out, ',');
    append_csv_field (out, m->labels[k]);
  }
  g_string_append_c (out, '\n');
  for (guint i = 0; i < n; i++) {
    const FileResult *r = &results[i];

    if (r->error)
      continue;
    if (!windows)
      append_csv_row (out, r->path, NULL, r->best, r->probabilities, m);
    else
      for (guint j = 0; j < r->windows->len; j++) {
        const WindowRow *w = &g_array_index (r->windows, WindowRow, j);
        append_csv_row (out, r->path, w, w->best, w->probabilities, m);
      }
  }
}

static void
add_json_text (JsonBuilder * b, const char *text)
{
  g_autofree char *valid = es_text_valid_utf8 (text);

  json_builder_add_string_value (b, valid);
}

static void
add_json_decision (JsonBuilder * b, const ClassifyModel * m, size_t best, const double *p)
{
  json_builder_set_member_name (b, "label");
  json_builder_add_string_value (b, m->labels[best]);
  json_builder_set_member_name (b, "confidence");
  json_builder_add_double_value (b, p[best]);
  json_builder_set_member_name (b, "probabilities");
  json_builder_begin_object (b);
  for (size_t k = 0; k < m->n_labels; k++) {
    json_builder_set_member_name (b, m->labels[k]);
    json_builder_add_double_value (b, p[k]);
  }
  json_builder_end_object (b);
}

/* {"model": NAME, "labels": [...],
 *  "files": [{path, label, confidence, probabilities{label: p}, windows: N
 *             | [{start, end, label, confidence, probabilities}] with --windows,
 *             seconds}],
 *  "skipped": [{path, error}]} */
static void
append_json (GString * out, const FileResult * results, guint n, const ClassifyModel * m,
    gboolean windows)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "model");
  add_json_text (b, es_model_get_name (m->model));
  json_builder_set_member_name (b, "labels");
  json_builder_begin_array (b);
  for (size_t k = 0; k < m->n_labels; k++)
    json_builder_add_string_value (b, m->labels[k]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "files");
  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++) {
    const FileResult *r = &results[i];

    if (r->error)
      continue;
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "path");
    add_json_text (b, r->path);
    add_json_decision (b, m, r->best, r->probabilities);
    json_builder_set_member_name (b, "seconds");
    json_builder_add_double_value (b, r->seconds);
    json_builder_set_member_name (b, "windows");
    if (!windows) {
      json_builder_add_int_value (b, (gint64) r->n_windows);
    } else {
      json_builder_begin_array (b);
      for (guint j = 0; j < r->windows->len; j++) {
        const WindowRow *w = &g_array_index (r->windows, WindowRow, j);

        json_builder_begin_object (b);
        json_builder_set_member_name (b, "start");
        json_builder_add_double_value (b, w->start);
        json_builder_set_member_name (b, "end");
        json_builder_add_double_value (b, w->end);
        add_json_decision (b, m, w->best, w->probabilities);
        json_builder_end_object (b);
      }
      json_builder_end_array (b);
    }
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "skipped");
  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    if (results[i].error) {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "path");
      add_json_text (b, results[i].path);
      json_builder_set_member_name (b, "error");
      add_json_text (b, results[i].error);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = es_text_json_repair_numbers (json_generator_to_data (gen, NULL));
  g_string_append (out, text);
  g_string_append_c (out, '\n');
}

/* "PATH: label (0.93)" per file, or per window "PATH 1.250-2.255 s: ...". */
static void
append_text (GString * out, const FileResult * r, const ClassifyModel * m, gboolean windows)
{
  g_autofree char *path = es_text_for_terminal (r->path, ES_TEXT_TERMINAL_MAX);

  if (r->error)
    return;
  if (!windows) {
    g_autofree char *label = es_text_for_terminal (m->labels[r->best], 64);
    g_string_append_printf (out, "%s: %s (%.2f)\n", path, label, r->probabilities[r->best]);
    return;
  }
  for (guint j = 0; j < r->windows->len; j++) {
    const WindowRow *w = &g_array_index (r->windows, WindowRow, j);
    g_autofree char *label = es_text_for_terminal (m->labels[w->best], 64);

    g_string_append_printf (out, "%s %.3f-%.3f s: %s (%.2f)\n", path, w->start, w->end,
        label, w->probabilities[w->best]);
  }
}

static gboolean
write_output (const char *path, const GString * text)
{
  GError *error = NULL;

  if (es_output_write_file (path ? path : "-", text->str, text->len, &error))
    return TRUE;
  if ((path == NULL || strcmp (path, "-") == 0)
      && g_error_matches (error, ES_IO_ERROR, ES_IO_ERROR_BROKEN_PIPE)) {
    g_error_free (error);       /* the reader went away: ended quietly */
    return FALSE;
  }
  {
    g_autofree char *message = es_text_for_terminal (error->message, ES_TEXT_TERMINAL_MAX);
    fprintf (stderr, PROG ": %s\n", message);
  }
  g_error_free (error);
  return FALSE;
}

/* ---------------------------------------------------------------- main */

static void
file_result_clear (FileResult * r)
{
  if (r->windows) {
    for (guint j = 0; j < r->windows->len; j++)
      g_free (g_array_index (r->windows, WindowRow, j).probabilities);
    g_array_free (r->windows, TRUE);
  }
  g_free (r->path);
  g_free (r->error);
  g_free (r->probabilities);
}

int
es_cmd_classify (int argc, char **argv)
{
  ClassifyOptions o = { 0 };
  GOptionEntry entries[] = {
    {"model", 'm', 0, G_OPTION_ARG_FILENAME, &o.model,
        "Audio model (default " DEFAULT_MODEL ")", "NAME|PATH"},
    {"recursive", 'r', 0, G_OPTION_ARG_NONE, &o.recursive,
        "Walk folders recursively", NULL},
    {"windows", 0, 0, G_OPTION_ARG_NONE, &o.windows,
        "One row per window (start and end in seconds) instead of per file", NULL},
    {"json", 0, 0, G_OPTION_ARG_NONE, &o.json, "Write the results as JSON", NULL},
    {"csv", 0, 0, G_OPTION_ARG_NONE, &o.csv, "Write the results as CSV", NULL},
    {"output", 'o', 0, G_OPTION_ARG_FILENAME, &o.output,
        "Write the results to FILE (default: standard output)", "FILE"},
    {"max-seconds", 0, 0, G_OPTION_ARG_INT, &o.max_seconds,
        "Skip files longer than this (default 3600; they are decoded into memory)", "S"},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &o.quiet,
        "No progress bar, no summary line", NULL},
    {NULL}
  };
  g_autoptr (GOptionContext) context =
      g_option_context_new ("FILE|DIR... - classify audio files");
  GOptionGroup *group = g_option_group_new ("classify", "classify options",
      "classify options", &o, NULL);
  g_autoptr (GError) error = NULL;
  ClassifyModel model = { 0 };
  GArray *inputs = NULL;
  GPtrArray *early_errors = g_ptr_array_new_with_free_func (g_free);
  FileResult *results = NULL;
  GString *out = NULL;
  OutputFormat format;
  Progress progress = { FALSE, 0, 0, NULL, 0 };
  guint skipped_dirs = 0, failed = 0;
  int status = ES_EXIT_OK;

  o.max_seconds = DEFAULT_MAX_SECONDS;
  g_option_group_add_entries (group, entries);
  g_option_context_set_main_group (context, group);
  g_option_context_set_summary (context,
      "Says what each audio file holds, with an audio model made by earshot\n"
      "train: one row per file (path, label, confidence, then every class\n"
      "probability: the mean over the file's windows) or, with --windows, one\n"
      "per window. Any format GStreamer decodes; folders are searched for audio\n"
      "files (*.wav, *.flac, *.ogg, *.mp3, ...; -r: with subfolders), sorted.");
  g_option_context_set_description (context,
      "The decisions are those of the elements: the file goes through\n"
      "preemphasis ! hammingframe ! gammatonefb model=M ! cnnclassify model=M\n"
      "(earshot model info M prints that line). A file shorter than one window\n"
      "is padded with silence to one window, as in training; an empty file or\n"
      "one that cannot be decoded is reported and skipped.\n"
      "Exit status: 0 all classified, 1 some file skipped or the model failed,\n"
      "2 usage.");
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    fprintf (stderr, PROG ": %s\n", error->message);
    status = ES_EXIT_USAGE;
    goto done;
  }
  if (argc < 2) {
    fprintf (stderr, PROG ": expected at least one FILE or DIR (see --help)\n");
    status = ES_EXIT_USAGE;
    goto done;
  }
  if (o.json && o.csv) {
    fprintf (stderr, PROG ": --json and --csv exclude each other\n");
    status = ES_EXIT_USAGE;
    goto done;
  }
  if ((o.model && !*o.model) || (o.output && !*o.output)) {
    fprintf (stderr, PROG ": --model and --output need a value\n");
    status = ES_EXIT_USAGE;
    goto done;
  }
  if (o.max_seconds < 1) {
    fprintf (stderr, PROG ": --max-seconds must be at least 1\n");
    status = ES_EXIT_USAGE;
    goto done;
  }
  format = o.json ? FORMAT_JSON : o.csv ? FORMAT_CSV : FORMAT_TEXT;

  gst_init (NULL, NULL);
  if (!es_cli_ensure_plugin ()) {
    fprintf (stderr, PROG ": the earshot GStreamer plugin was not found; set "
        "GST_PLUGIN_PATH to the folder holding libgstearshot.so\n");
    status = ES_EXIT_FAILURE;
    goto done;
  }

  inputs = es_cli_find_inputs (argv + 1, argc - 1, audio_extensions,
      "audio files (*.wav, *.flac, *.ogg, *.mp3, ...)", o.recursive, early_errors,
      &skipped_dirs);
  if (skipped_dirs && !o.quiet)
    fprintf (stderr, PROG ": %u subfolder%s not searched (use -r)\n",
        skipped_dirs, skipped_dirs == 1 ? "" : "s");
  for (guint i = 0; i < early_errors->len; i++) {
    g_autofree char *message = es_text_for_terminal (early_errors->pdata[i],
        ES_TEXT_TERMINAL_MAX);
    fprintf (stderr, PROG ": %s\n", message);
    status = ES_EXIT_FAILURE;
  }

  /* the output is checked before any work: writable, and none of the inputs */
  if (o.output) {
    g_autofree const char **paths = g_new0 (const char *, inputs->len + 1);

    for (guint i = 0; i < inputs->len; i++)
      paths[i] = g_array_index (inputs, EsCliInput, i).path;
    if (!es_cli_check_output (PROG, o.output, paths)) {
      status = ES_EXIT_FAILURE;
      goto done;
    }
  }
  {
    g_autofree char *message = NULL;

    if (!load_model (&model, o.model ? o.model : DEFAULT_MODEL, &message)) {
      g_autofree char *safe = es_text_for_terminal (message, 2 * ES_TEXT_TERMINAL_MAX);
      fprintf (stderr, PROG ": %s\n", safe);
      status = ES_EXIT_FAILURE;
      goto done;
    }
  }

  results = g_new0 (FileResult, inputs->len);
  progress.bar = !o.quiet && isatty (STDERR_FILENO);
  progress.total = inputs->len;
  out = g_string_new (NULL);
  for (guint i = 0; i < inputs->len; i++) {
    FileResult *r = &results[i];

    r->path = g_strdup (g_array_index (inputs, EsCliInput, i).path);
    if (o.windows)
      r->windows = g_array_new (FALSE, FALSE, sizeof (WindowRow));
    progress.done = i;
    progress.path = r->path;
    progress.seconds = 0;
    progress_show (&progress, 0);
    classify_file (&model, &o, r, &progress);
    if (r->error) {
      g_autofree char *message = es_text_for_terminal (r->error, ES_TEXT_TERMINAL_MAX);
      g_autofree char *path = es_text_for_terminal (r->path, ES_TEXT_TERMINAL_MAX);

      failed++;
      progress_clear (&progress);
      fprintf (stderr, PROG ": %s: %s (skipped)\n", path, message);
    }
    if (format == FORMAT_TEXT && o.output == NULL) {
      /* results appear as they come on a terminal */
      GString *line = g_string_new (NULL);
      progress_clear (&progress);
      append_text (line, r, &model, o.windows);
      fputs (line->str, stdout);
      g_string_free (line, TRUE);
      if (fflush (stdout) != 0 && errno == EPIPE) {
        status = ES_EXIT_FAILURE;       /* the reader went away (| head) */
        goto done;
      }
    } else if (format == FORMAT_TEXT) {
      append_text (out, r, &model, o.windows);
    }
  }
  progress.done = inputs->len;
  progress.path = NULL;
  progress_show (&progress, 0);
  progress_clear (&progress);

  if (format == FORMAT_JSON)
    append_json (out, results, inputs->len, &model, o.windows);
  else if (format == FORMAT_CSV)
    append_csv (out, results, inputs->len, &model, o.windows);
  if ((out->len > 0 || o.output) && !write_output (o.output, out))
    status = ES_EXIT_FAILURE;
  if (!o.quiet && (failed || inputs->len > 1))
    fprintf (stderr, PROG ": %u file%s, %u classified, %u skipped\n", inputs->len,
        inputs->len == 1 ? "" : "s", inputs->len - failed, failed);
  if (failed)
    status = ES_EXIT_FAILURE;

done:
  if (results)
    for (guint i = 0; i < inputs->len; i++)
      file_result_clear (&results[i]);
  g_free (results);
  if (out)
    g_string_free (out, TRUE);
  if (model.model)
    es_model_free (model.model);
  if (inputs)
    g_array_free (inputs, TRUE);        /* clears the paths */
  g_ptr_array_free (early_errors, TRUE);
  g_free (o.model);
  g_free (o.output);
  return status;
}
