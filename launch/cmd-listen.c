/* earshot listen: classify a live audio stream (the default microphone, a
 * chosen capture device, or a file replayed as if it were one) and print each
 * event as it starts and ends.
 *
 * The pipeline is built from the model's front-end settings:
 *   SOURCE [! queue] ! audioconvert ! audioresample
 *     ! audio/x-raw,format=F32LE,channels=1,rate=R [! identity sync=true]
 *     ! preemphasis ! hammingframe ! gammatonefb ! cnnclassify ! fakesink
 * SOURCE is autoaudiosrc, pulsesrc/alsasrc device=DEV (--device), or
 * filesrc ! decodebin (--replay: identity sync=true paces it in real time,
 * --fast drops the pacing; the decisions are the same). cnnclassify posts
 * `cnnclassify-event` messages (printed as they come) and at EOS the
 * `cnnclassify-summary` message (printed last). Ctrl-C sends EOS, so the
 * active events end and the summary comes as at the end of a file. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <glib.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <gst/gst.h>

#include "commands.h"
#include "model/model.h"

#define PROG "earshot listen"
#define DEFAULT_MODEL "esc10-live"

#define EXIT_OK 0
#define EXIT_FAILURE_RUN 1
#define EXIT_USAGE 2

/* Ctrl-C waits this long for the end of the stream before giving up. */
#define STOP_TIMEOUT_S 5
/* A live source that delivers nothing this long has stopped or vanished. */
#define STALL_TIMEOUT_S 10
/* Decisions on a live stream come about this often (live_hop_frames): on
 * bench/live the live model's median onset latency is 0.71 s at its 0.24 s
 * grid, 0.50 s at 0.1 s and 0.43 s at 0.06 s, for under one percent of a
 * core (docs/live.md); 0.06 s keeps the 0.5 s target with a margin. */
#define LIVE_HOP_SECONDS 0.06

typedef struct {
  gchar *model;
  gchar *device;
  gchar *replay;
  gboolean fast;
  gboolean json;
  gboolean verbose;
  gchar **set;
} ListenOptions;

/* The model's audio front-end (its front-end description). */
typedef struct {
  gint rate;
  double preemphasis;
  double frame_size, hop_size;  /* checked against the elements' ranges */
  gchar *window;
  double bands;
  double fmin, fmax;             /* Hz */
  double dct;
  double bandwidth, log_floor;  /* 0: the element's default */
} FrontEnd;

typedef struct {
  ListenOptions *opt;
  EsModel *model;
  FrontEnd fe;
  const gchar *model_path;
  gchar *source_name;           /* for messages */
  GstElement *pipeline;
  GstElement *source;           /* the capture or file source */
  GstElement *convert;          /* decodebin's audio pad is linked here */
  gboolean audio_linked;
  GMainLoop *loop;
  int status;
  gboolean stopping;            /* Ctrl-C seen, EOS sent */
  gboolean live;
  guint n_events;
  gint64 last_data;             /* monotonic µs of the last buffer, 0 none */
  gboolean got_data;
  GstStructure *summary;
  guint stop_timeout_id;
} ListenRun;

/* ---- output ------------------------------------------------------------- */

static void
print_json_string (GString * out, const char *s)
{
  g_string_append_c (out, '"');
  for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
    if (*p == '"' || *p == '\\')
      g_string_append_printf (out, "\\%c", *p);
    else if (*p < 0x20)
      g_string_append_printf (out, "\\u%04x", *p);
    else
      g_string_append_c (out, (char) *p);
  }
  g_string_append_c (out, '"');
}

static void
print_json_time (GString * out, const char *key, guint64 t)
{
  g_string_append_printf (out, ",\"%s\":", key);
  if (GST_CLOCK_TIME_IS_VALID (t))
    g_string_append_printf (out, "%.3f", (double) t / GST_SECOND);
  else
    g_string_append (out, "null");
}

static double
seconds (guint64 t)
{
  return GST_CLOCK_TIME_IS_VALID (t) ? (double) t / GST_SECOND : NAN;
}

static guint64
struct_time (const GstStructure * s, const char *field)
{
  guint64 t = GST_CLOCK_TIME_NONE;

  gst_structure_get_uint64 (s, field, &t);
  return t;
}

static double
struct_double (const GstStructure * s, const char *field)
{
  double v = NAN;

  gst_structure_get_double (s, field, &v);
  return v;
}

static void
print_event (ListenRun * run, const GstStructure * s)
{
  const char *kind = gst_structure_get_string (s, "event");
  const char *label = gst_structure_get_string (s, "label");
  gboolean end = g_strcmp0 (kind, "end") == 0;
  guint64 onset = struct_time (s, "onset"), offset = struct_time (s, "offset");
  guint64 decided = struct_time (s, "stream-time");
  double confidence = struct_double (s, "confidence");
  double peak = struct_double (s, "peak-confidence");
  double mean = struct_double (s, "mean-confidence");
  const char *reason = gst_structure_get_string (s, "reason");

  if (kind == NULL || label == NULL)
    return;
  if (!end)
    run->n_events++;
  if (run->opt->json) {
    GString *out = g_string_new ("{");

    g_string_append_printf (out, "\"time\":");
    if (GST_CLOCK_TIME_IS_VALID (end ? offset : onset))
      g_string_append_printf (out, "%.3f", seconds (end ? offset : onset));
    else
      g_string_append (out, "null");
    g_string_append_printf (out, ",\"event\":\"%s\",\"label\":",
        end ? "end" : "start");
    print_json_string (out, label);
    g_string_append_printf (out, ",\"confidence\":%.4f", confidence);
    print_json_time (out, "decided", decided);
    if (end) {
      print_json_time (out, "onset", onset);
      print_json_time (out, "duration", struct_time (s, "duration"));
    }
    g_string_append_printf (out, ",\"peak\":%.4f,\"mean\":%.4f", peak, mean);
    if (end && reason)
      g_string_append_printf (out, ",\"reason\":\"%s\"", reason);
    g_string_append (out, "}\n");
    fputs (out->str, stdout);
    g_string_free (out, TRUE);
  } else if (!end) {
    printf ("%9.2f s  start  %-20s %.2f\n", seconds (onset), label,
        confidence);
  } else {
    printf ("%9.2f s  end    %-20s %.2f  (%.2f s long, peak %.2f%s%s)\n",
        seconds (offset), label, confidence, seconds (offset) - seconds (onset),
        peak, reason && strcmp (reason, "decided") ? ", " : "",
        reason && strcmp (reason, "decided") ? (strcmp (reason, "gap") == 0
            ? "cut by a gap in the audio" : "end of stream") : "");
  }
  fflush (stdout);
}

static double
array_double (const GValue * array, guint i)
{
  const GValue *v = array && i < gst_value_array_get_size (array)
      ? gst_value_array_get_value (array, i) : NULL;

  return v && G_VALUE_HOLDS_DOUBLE (v) ? g_value_get_double (v) : 0;
}

static guint
array_uint (const GValue * array, guint i)
{
  const GValue *v = array && i < gst_value_array_get_size (array)
      ? gst_value_array_get_value (array, i) : NULL;

  return v && G_VALUE_HOLDS_UINT (v) ? g_value_get_uint (v) : 0;
}

static void
print_decision (ListenRun * run, const GstStructure * s)
{
  const char *label = gst_structure_get_string (s, "label");

  if (label == NULL)
    return;
  if (run->opt->json) {
    GString *out = g_string_new ("{");
    const char *const *labels = es_model_get_labels (run->model);
    const GValue *probs = gst_structure_get_value (s, "probabilities");
    guint64 start = struct_time (s, "stream-time");
    guint64 duration = struct_time (s, "duration");

    g_string_append_printf (out, "\"time\":%.3f,\"event\":\"window\","
        "\"label\":", seconds (start));
    print_json_string (out, label);
    g_string_append_printf (out, ",\"confidence\":%.4f",
        struct_double (s, "confidence"));
    print_json_time (out, "decided", GST_CLOCK_TIME_IS_VALID (start)
        && GST_CLOCK_TIME_IS_VALID (duration) ? start + duration
        : GST_CLOCK_TIME_NONE);
    g_string_append (out, ",\"probabilities\":{");
    for (guint i = 0; labels[i]; i++) {
      if (i)
        g_string_append_c (out, ',');
      print_json_string (out, labels[i]);
      g_string_append_printf (out, ":%.6f", array_double (probs, i));
    }
    g_string_append (out, "}}\n");
    fputs (out->str, stdout);
    g_string_free (out, TRUE);
  } else {
    printf ("%9.2f s  window %-20s %.2f\n",
        seconds (struct_time (s, "stream-time")), label,
        struct_double (s, "confidence"));
  }
  fflush (stdout);
}

static void
print_summary (ListenRun * run)
{
  const GstStructure *s = run->summary;
  const char *const *labels = es_model_get_labels (run->model);
  guint n = (guint) es_model_get_n_labels (run->model);
  const GValue *probs, *shares, *events;
  const char *label;
  guint64 windows = 0, covered, padding = 0;
  gboolean shorter = FALSE;

  if (s == NULL)
    return;
  /* a stream that ended before its first window was completed with silence
   * (cnnclassify pad-short) */
  gst_structure_get_boolean (s, "shorter-than-window", &shorter);
  gst_structure_get_uint64 (s, "padding", &padding);
  probs = gst_structure_get_value (s, "probabilities");
  shares = gst_structure_get_value (s, "shares");
  events = gst_structure_get_value (s, "events");
  label = gst_structure_get_string (s, "label");
  gst_structure_get_uint64 (s, "windows", &windows);
  covered = struct_time (s, "duration");

  if (run->opt->json) {
    GString *out = g_string_new ("{\"event\":\"summary\"");
    const char *names[] = { "probabilities", "shares", "events" };

    print_json_time (out, "duration", covered);
    g_string_append_printf (out, ",\"windows\":%" G_GUINT64_FORMAT
        ",\"shorter_than_window\":%s", windows, shorter ? "true" : "false");
    if (shorter)
      print_json_time (out, "padding", padding);
    g_string_append_printf (out, ",\"events_total\":%u,\"label\":",
        run->n_events);
    if (label)
      print_json_string (out, label);
    else
      g_string_append (out, "null");
    if (label)
      g_string_append_printf (out, ",\"confidence\":%.4f",
          struct_double (s, "confidence"));
    else
      g_string_append (out, ",\"confidence\":null");
    for (guint a = 0; a < G_N_ELEMENTS (names); a++) {
      g_string_append_printf (out, ",\"%s\":{", names[a]);
      for (guint i = 0; i < n; i++) {
        if (i)
          g_string_append_c (out, ',');
        print_json_string (out, labels[i]);
        if (a == 2)
          g_string_append_printf (out, ":%u", array_uint (events, i));
        else
          g_string_append_printf (out, ":%.4f",
              array_double (a == 0 ? probs : shares, i));
      }
      g_string_append_c (out, '}');
    }
    g_string_append (out, "}\n");
    fputs (out->str, stdout);
    g_string_free (out, TRUE);
  } else {
    printf ("\nsummary: %.1f s classified in %" G_GUINT64_FORMAT
        " windows, %u event%s\n", seconds (covered), windows, run->n_events,
        run->n_events == 1 ? "" : "s");
    if (shorter)
      printf ("  the audio was shorter than one window: completed with %.3f s "
          "of silence\n", seconds (padding));
    if (label == NULL) {
      printf ("  no decision (the audio was shorter than one window)\n");
    } else {
      printf ("  overall: %s (mean probability %.2f)\n", label,
          struct_double (s, "confidence"));
      printf ("  %-20s %8s %8s %7s\n", "label", "mean", "share", "events");
      for (guint i = 0; i < n; i++)
        printf ("  %-20s %8.3f %7.1f%% %7u\n", labels[i],
            array_double (probs, i), 100 * array_double (shares, i),
            array_uint (events, i));
    }
  }
  fflush (stdout);
}

/* ---- the model's front-end ---------------------------------------------- */

/* The audio front-end of the model, from its front-end description (read
 * and validated by the model loader, model/frontend-desc.h); FALSE with a
 * message when the model has none (or one this command cannot build). */
static gboolean
read_front_end (ListenRun * run, char **message)
{
  const EsFrontendDesc *d = es_model_get_frontend_desc (run->model);
  const char *name = es_model_get_name (run->model);
  FrontEnd *fe = &run->fe;

  if (d->source != ES_FRONTEND_SOURCE_AUDIO || d->rate < 1000 || d->rate > 768000) {
    *message = g_strdup_printf ("model \"%s\" is not an audio model: its "
        "front-end is %s (%s). Give an audio model with --model", name,
        es_frontend_source_name (d->source), es_model_get_frontend (run->model));
    return FALSE;
  }
  /* a learned front-end (its bands, PCEN values) and the compression come
   * to gammatonefb through its model= property */
  fe->rate = (gint) d->rate;
  fe->preemphasis = d->preemphasis;
  fe->frame_size = d->frame_size;
  fe->hop_size = d->hop_size;
  fe->bands = d->bands;
  fe->fmin = d->fmin;
  fe->fmax = d->fmax;
  fe->dct = d->dct;
  fe->bandwidth = d->bandwidth;
  fe->log_floor = d->compression == ES_FRONTEND_COMPRESSION_LOG ? d->log_floor : 0;
  fe->window = g_strdup (es_window_type_name (d->window));
  return TRUE;
}

/* The input shape of what the network runs on: past a learned front-end
 * (computed by gammatonefb model=), the input of the layer after it. */
static int
served_input_shape (const EsModel * model, size_t * shape)
{
  guint k = es_model_get_frontend_desc (model)->frontend_layers;

  if (k > 0)
    return es_net_get_layer_input_shape (es_model_get_net (model), k, shape);
  return es_model_get_input_shape (model, shape);
}

/* Loads the model and checks that an audio front-end can feed it. */
static gboolean
load_model (ListenRun * run, char **message)
{
  const char *name = run->opt->model;
  GError *error = NULL;
  size_t shape[3];
  int ndim;
  size_t per_frame;

  run->model = es_model_load (name, &error);
  if (run->model == NULL) {
    if (g_error_matches (error, ES_MODEL_ERROR, ES_MODEL_ERROR_NOT_FOUND)
        && !strchr (name, G_DIR_SEPARATOR)) {
      char **dirs = es_model_get_search_path ();
      GString *list = g_string_new (NULL);

      for (int i = 0; dirs[i]; i++) {
        gboolean repeated = FALSE;

        for (int j = 0; j < i && !repeated; j++)
          repeated = strcmp (dirs[i], dirs[j]) == 0;
        if (!repeated)
          g_string_append_printf (list, "%s%s", list->len ? ", " : "",
              dirs[i]);
      }
      *message = g_strdup_printf ("the model \"%s\" was not found: no file "
          "%s.safetensors in %s. Set ES_MODEL_PATH to the folder holding it, "
          "or give a model with --model NAME|PATH (an audio model made by "
          "earshot train).", name, name,
          list->len ? list->str : "(no directories)");
      g_string_free (list, TRUE);
      g_strfreev (dirs);
    } else {
      *message = g_strdup_printf ("cannot load the model \"%s\": %s", name,
          error->message);
    }
    g_error_free (error);
    return FALSE;
  }
  run->model_path = es_model_get_path (run->model);
  if (!read_front_end (run, message))
    return FALSE;

  /* frames of `per_frame` values: one per decision ([N]), or windows
   * [per_frame, W] / [1, per_frame, W] */
  per_frame = run->fe.dct > 0 ? (size_t) run->fe.dct : (size_t) run->fe.bands;
  ndim = served_input_shape (run->model, shape);
  if (!((ndim == 1 && shape[0] == per_frame)
          || (ndim == 2 && (shape[0] == per_frame
                  || (shape[0] == 1 && shape[1] == per_frame)))
          || (ndim == 3 && shape[0] == 1 && shape[1] == per_frame))) {
    *message = g_strdup_printf ("model \"%s\" takes %s input %s, which its "
        "audio front-end (%zu values per frame) cannot feed",
        es_model_get_name (run->model),
        es_model_input_kind_name (es_model_get_input_kind (run->model)),
        es_model_get_input_media (run->model), per_frame);
    return FALSE;
  }
  return TRUE;
}

/* ---- the pipeline ------------------------------------------------------- */

static GstElement *
make_element (const gchar * factory, const gchar * name)
{
  GstElement *e = gst_element_factory_make (factory, name);

  if (e == NULL)
    fprintf (stderr, PROG ": GStreamer element '%s' is missing%s\n", factory,
        g_str_equal (factory, "alsasrc") ? " (install gstreamer1.0-alsa)"
        : g_str_equal (factory, "pulsesrc")
        ? " (install gstreamer1.0-pulseaudio)" : "");
  return e;
}

/* One front-end setting of the model onto an element property, refused
 * (with a message naming the model's key) when out of the property's range. */
static gboolean
set_front_end (ListenRun * run, GstElement * element, const char *property,
    const char *key, double number)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS
      (element), property);
  GValue as_double = G_VALUE_INIT, value = G_VALUE_INIT;
  gboolean ok;

  if (pspec == NULL) {
    fprintf (stderr, PROG ": element %s has no property %s (plugin too "
        "old?)\n", GST_OBJECT_NAME (element), property);
    return FALSE;
  }
  g_value_init (&as_double, G_TYPE_DOUBLE);
  g_value_set_double (&as_double, number);
  g_value_init (&value, pspec->value_type);
  ok = g_value_transform (&as_double, &value)
      && !g_param_value_validate (pspec, &value)
      && (pspec->value_type == G_TYPE_DOUBLE || number == floor (number));
  if (ok)
    g_object_set_property (G_OBJECT (element), property, &value);
  else
    fprintf (stderr, PROG ": model \"%s\": front-end setting %s = %g is out "
        "of range for %s %s\n", es_model_get_name (run->model), key, number,
        GST_OBJECT_NAME (element), property);
  g_value_unset (&value);
  g_value_unset (&as_double);
  return ok;
}

/* Frames between decisions on a live stream: about LIVE_HOP_SECONDS,
 * or the model's window_hop when that is shorter. cnnclassify's default for a
 * model that states a window_hop is that hop, the grid its file decisions
 * were evaluated on (earshot classify keeps it); live, a sound starts
 * anywhere relative to any grid, so the hop only sets how soon a window
 * holds it: esc10's 0.64 s hop would add 0.64 s to every onset's worst case.
 * 0 (cnnclassify's own choice) for models without a window_hop; --set
 * hop-frames=N still wins. */
static guint
live_hop_frames (const ListenRun * run)
{
  const EsFrontendDesc *d = es_model_get_frontend_desc (run->model);
  guint hop;

  if (d->window_hop == 0 || run->fe.hop_size <= 0 || run->fe.rate <= 0)
    return 0;
  hop = (guint) MAX (1, lround (LIVE_HOP_SECONDS * run->fe.rate / run->fe.hop_size));
  return MIN (hop, d->window_hop);
}

/* --set NAME=VALUE on cnnclassify, checked against the property spec. */
static gboolean
set_classify_property (GstElement * element, const char *assignment)
{
  const char *eq = strchr (assignment, '=');
  g_autofree gchar *name = NULL;
  GParamSpec *pspec;
  GValue value = G_VALUE_INIT, checked = G_VALUE_INIT;
  gboolean ok;

  if (eq == NULL || eq == assignment) {
    fprintf (stderr, PROG ": --set needs NAME=VALUE, got '%s'\n", assignment);
    return FALSE;
  }
  name = g_strndup (assignment, eq - assignment);
  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (element), name);
  if (pspec == NULL || !(pspec->flags & G_PARAM_WRITABLE)
      || g_str_equal (name, "model") || g_str_equal (name, "name")) {
    fprintf (stderr, PROG ": cnnclassify has no settable property '%s' "
        "(gst-inspect-1.0 cnnclassify lists them)\n", name);
    return FALSE;
  }
  g_value_init (&value, pspec->value_type);
  if (!gst_value_deserialize (&value, eq + 1)) {
    fprintf (stderr, PROG ": invalid value '%s' for %s\n", eq + 1, name);
    g_value_unset (&value);
    return FALSE;
  }
  g_value_init (&checked, pspec->value_type);
  g_value_copy (&value, &checked);
  ok = !g_param_value_validate (pspec, &checked);
  if (!ok)
    fprintf (stderr, PROG ": value '%s' for %s is out of range\n", eq + 1,
        name);
  else
    g_object_set_property (G_OBJECT (element), name, &value);
  g_value_unset (&checked);
  g_value_unset (&value);
  return ok;
}

static gboolean
caps_are_audio (GstCaps * caps)
{
  return caps && !gst_caps_is_empty (caps) && !gst_caps_is_any (caps)
      && g_str_has_prefix (gst_structure_get_name (gst_caps_get_structure
          (caps, 0)), "audio/");
}

/* Link the first audio stream decodebin exposes. */
static void
on_pad_added (GstElement * decodebin, GstPad * pad, gpointer user_data)
{
  ListenRun *run = user_data;
  GstCaps *caps;
  GstPad *sinkpad;
  gboolean is_audio;

  if (run->audio_linked)
    return;
  caps = gst_pad_get_current_caps (pad);
  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  is_audio = caps_are_audio (caps);
  if (caps)
    gst_caps_unref (caps);
  if (!is_audio)
    return;
  sinkpad = gst_element_get_static_pad (run->convert, "sink");
  if (gst_pad_link (pad, sinkpad) == GST_PAD_LINK_OK)
    run->audio_linked = TRUE;
  gst_object_unref (sinkpad);
}

static void
on_no_more_pads (GstElement * decodebin, gpointer user_data)
{
  ListenRun *run = user_data;

  if (!run->audio_linked)
    GST_ELEMENT_ERROR (decodebin, STREAM, WRONG_TYPE,
        ("no audio stream in the file"), (NULL));
}

/* Notes when audio reaches the classifier (for the stall check). */
static GstPadProbeReturn
data_probe (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  ListenRun *run = user_data;

  g_atomic_int_set (&run->got_data, TRUE);
  return GST_PAD_PROBE_OK;
}

/* The capture source: --device picks pulsesrc or alsasrc (a "pulse:" or
 * "alsa:" prefix forces one), otherwise autoaudiosrc. */
static GstElement *
make_source (ListenRun * run)
{
  const char *dev = run->opt->device;
  GstElement *src;
  const char *factory;

  if (dev == NULL) {
    run->source_name = g_strdup ("the default microphone (autoaudiosrc)");
    return make_element ("autoaudiosrc", "source");
  }
  if (g_str_has_prefix (dev, "alsa:")) {
    factory = "alsasrc";
    dev += 5;
  } else if (g_str_has_prefix (dev, "pulse:")) {
    factory = "pulsesrc";
    dev += 6;
  } else {
    GstElementFactory *f = gst_element_factory_find ("pulsesrc");

    factory = f ? "pulsesrc" : "alsasrc";
    if (f)
      gst_object_unref (f);
  }
  src = make_element (factory, "source");
  if (src == NULL)
    return NULL;
  g_object_set (src, "device", dev, NULL);
  run->source_name = g_strdup_printf ("%s device=%s", factory, dev);
  return src;
}

static GstElement *
build_pipeline (ListenRun * run)
{
  ListenOptions *opt = run->opt;
  FrontEnd *fe = &run->fe;
  GstElement *pipeline = gst_pipeline_new ("listen");
  GstElement *src = NULL, *decode = NULL, *queue = NULL, *pace = NULL;
  GstElement *convert, *resample, *filter, *preemph, *frame, *fb, *classify,
      *sink;
  GstCaps *caps;
  GstPad *pad;
  gboolean ok = TRUE;

  if (opt->replay) {
    src = make_element ("filesrc", "source");
    decode = make_element ("decodebin", "decode");
    if (!opt->fast)
      pace = make_element ("identity", "pace");
    run->source_name = g_strdup_printf ("%s%s", opt->replay,
        opt->fast ? " (replayed as fast as possible)" :
        " (replayed in real time)");
  } else {
    src = make_source (run);
    queue = make_element ("queue", "queue");
    run->live = TRUE;
  }
  convert = make_element ("audioconvert", "convert");
  resample = make_element ("audioresample", "resample");
  filter = make_element ("capsfilter", "filter");
  preemph = make_element ("preemphasis", "preemphasis");
  frame = make_element ("hammingframe", "hammingframe");
  fb = make_element ("gammatonefb", "gammatonefb");
  classify = make_element ("cnnclassify", "classify");
  sink = make_element ("fakesink", "sink");
  run->source = src;
  {
    GstElement *all[] = { src, decode, queue, pace, convert, resample, filter,
      preemph, frame, fb, classify, sink
    };
    gboolean missing = !src || (opt->replay && !decode) || (!opt->replay
        && !queue) || (opt->replay && !opt->fast && !pace) || !convert
        || !resample || !filter || !preemph || !frame || !fb || !classify
        || !sink;

    if (missing) {
      if (!preemph || !frame || !fb || !classify)
        fprintf (stderr, PROG ": the earshot plugin was not found or is "
            "incomplete; set GST_PLUGIN_PATH to the directory holding "
            "libgstearshot.so\n");
      for (gsize i = 0; i < G_N_ELEMENTS (all); i++)
        if (all[i])
          gst_object_unref (gst_object_ref_sink (all[i]));
      gst_object_unref (pipeline);
      return NULL;
    }
    for (gsize i = 0; i < G_N_ELEMENTS (all); i++)
      if (all[i])
        gst_bin_add (GST_BIN (pipeline), all[i]);
  }

  caps = gst_caps_new_simple ("audio/x-raw", "format", G_TYPE_STRING, "F32LE",
      "channels", G_TYPE_INT, 1, "rate", G_TYPE_INT, fe->rate,
      "layout", G_TYPE_STRING, "interleaved", NULL);
  g_object_set (filter, "caps", caps, NULL);
  gst_caps_unref (caps);
  ok &= set_front_end (run, preemph, "coefficient", "preemphasis",
      fe->preemphasis);
  ok &= set_front_end (run, frame, "frame-size", "frame_size", fe->frame_size);
  ok &= set_front_end (run, frame, "hop-size", "hop_size", fe->hop_size);
  ok &= set_front_end (run, fb, "bands", "bands", fe->bands);
  ok &= set_front_end (run, fb, "dct", "dct", fe->dct);
  if (fe->fmin >= 0)
    ok &= set_front_end (run, fb, "fmin", "fmin", fe->fmin);
  if (fe->fmax >= 0)
    ok &= set_front_end (run, fb, "fmax", "fmax", fe->fmax);
  if (fe->bandwidth > 0)
    ok &= set_front_end (run, fb, "bandwidth", "bandwidth", fe->bandwidth);
  if (fe->log_floor > 0)
    ok &= set_front_end (run, fb, "log-floor", "log_floor", fe->log_floor);
  if (fe->window) {
    GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS
        (frame), "window");

    if (pspec && G_IS_PARAM_SPEC_ENUM (pspec)
        && g_enum_get_value_by_nick (G_PARAM_SPEC_ENUM (pspec)->enum_class,
            fe->window)) {
      gst_util_set_object_arg (G_OBJECT (frame), "window", fe->window);
    } else {
      fprintf (stderr, PROG ": model \"%s\": front-end window \"%s\" is not "
          "one hammingframe knows\n", es_model_get_name (run->model),
          fe->window);
      ok = FALSE;
    }
  }
  if (!ok) {
    gst_object_unref (pipeline);
    run->status = EXIT_FAILURE_RUN;
    return NULL;
  }
  /* a gammatonefb that reads its bands from the model (learned ones) */
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (fb), "model"))
    g_object_set (fb, "model", run->model_path, NULL);
  g_object_set (classify, "model", run->model_path, "post-messages",
      opt->verbose, NULL);
  g_object_set (classify, "hop-frames", live_hop_frames (run), NULL);
  for (gchar ** a = opt->set; a && *a; a++)
    ok &= set_classify_property (classify, *a);
  if (pace)
    g_object_set (pace, "sync", TRUE, NULL);
  g_object_set (sink, "sync", FALSE, NULL);
  if (opt->replay)
    g_object_set (src, "location", opt->replay, NULL);
  if (!ok) {
    gst_object_unref (pipeline);
    run->status = EXIT_USAGE;
    return NULL;
  }

  if (opt->replay) {
    ok = gst_element_link (src, decode)
        && gst_element_link_many (convert, resample, filter, NULL)
        && (pace ? gst_element_link_many (filter, pace, preemph, NULL)
        : gst_element_link (filter, preemph));
    run->convert = convert;
    g_signal_connect (decode, "pad-added", G_CALLBACK (on_pad_added), run);
    g_signal_connect (decode, "no-more-pads", G_CALLBACK (on_no_more_pads),
        run);
  } else {
    ok = gst_element_link_many (src, queue, convert, resample, filter,
        preemph, NULL);
  }
  ok = ok && gst_element_link_many (preemph, frame, fb, classify, sink, NULL);
  if (!ok) {
    fprintf (stderr, PROG ": cannot link the pipeline (incompatible plugin "
        "versions?)\n");
    gst_object_unref (pipeline);
    return NULL;
  }
  pad = gst_element_get_static_pad (classify, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, data_probe, run, NULL);
  gst_object_unref (pad);
  return pipeline;
}

/* ---- running ------------------------------------------------------------ */

static gboolean
on_bus_message (GstBus * bus, GstMessage * msg, gpointer user_data)
{
  ListenRun *run = user_data;

  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_ELEMENT:{
      const GstStructure *s = gst_message_get_structure (msg);

      if (gst_structure_has_name (s, "cnnclassify-event"))
        print_event (run, s);
      else if (gst_structure_has_name (s, "cnnclassify"))
        print_decision (run, s);
      else if (gst_structure_has_name (s, "cnnclassify-summary")) {
        g_clear_pointer (&run->summary, gst_structure_free);
        run->summary = gst_structure_copy (s);
      }
      break;
    }
    case GST_MESSAGE_WARNING:{
      GError *err = NULL;
      gchar *debug = NULL;

      gst_message_parse_warning (msg, &err, &debug);
      /* autoaudiosrc warns and falls back to silence when no audio source
       * works: listening to that would print "quiet" forever */
      if (run->live && run->opt->device == NULL && run->source
          && (GST_MESSAGE_SRC (msg) == GST_OBJECT (run->source)
              || gst_object_has_as_ancestor (GST_MESSAGE_SRC (msg),
                  GST_OBJECT (run->source)))) {
        fprintf (stderr, PROG ": no working microphone: %s (autoaudiosrc "
            "found no audio source to open). Pick one with --device, or "
            "replay a file with --replay FILE.\n", err->message);
        run->status = EXIT_FAILURE_RUN;
        g_main_loop_quit (run->loop);
        g_clear_error (&err);
        g_free (debug);
        break;
      }
      fprintf (stderr, PROG ": warning from %s: %s\n",
          GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), err->message);
      g_clear_error (&err);
      g_free (debug);
      break;
    }
    case GST_MESSAGE_ERROR:{
      GError *err = NULL;
      gchar *debug = NULL;

      gst_message_parse_error (msg, &err, &debug);
      fprintf (stderr, PROG ": error from %s (%s): %s\n",
          GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), run->source_name,
          err->message);
      if (debug)
        fprintf (stderr, "  (%s)\n", debug);
      g_clear_error (&err);
      g_free (debug);
      run->status = EXIT_FAILURE_RUN;
      g_main_loop_quit (run->loop);
      break;
    }
    case GST_MESSAGE_EOS:
      g_main_loop_quit (run->loop);
      break;
    default:
      break;
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_stop_timeout (gpointer user_data)
{
  ListenRun *run = user_data;

  fprintf (stderr, PROG ": the stream did not end within %d s of Ctrl-C; "
      "stopping without a summary\n", STOP_TIMEOUT_S);
  run->stop_timeout_id = 0;
  run->status = EXIT_FAILURE_RUN;
  g_main_loop_quit (run->loop);
  return G_SOURCE_REMOVE;
}

static gboolean
on_signal (gpointer user_data)
{
  ListenRun *run = user_data;

  if (run->stopping) {
    fprintf (stderr, PROG ": stopped\n");
    run->status = EXIT_FAILURE_RUN;
    g_main_loop_quit (run->loop);
    return G_SOURCE_CONTINUE;
  }
  run->stopping = TRUE;
  if (!run->opt->json)
    fprintf (stderr, "\n" PROG ": stopping (Ctrl-C again to stop at once)\n");
  /* EOS from the sources: active events end and the summary is posted */
  gst_element_send_event (run->pipeline, gst_event_new_eos ());
  run->stop_timeout_id = g_timeout_add_seconds (STOP_TIMEOUT_S,
      on_stop_timeout, run);
  return G_SOURCE_CONTINUE;
}

/* A live source that stopped delivering (unplugged, suspended) ends the
 * run with an error instead of waiting forever. */
static gboolean
on_watchdog (gpointer user_data)
{
  ListenRun *run = user_data;
  gint64 now = g_get_monotonic_time ();

  if (g_atomic_int_compare_and_exchange (&run->got_data, TRUE, FALSE))
    run->last_data = now;
  if (run->last_data == 0)
    run->last_data = now;       /* counting from the start */
  if (!run->stopping && now - run->last_data > STALL_TIMEOUT_S * G_USEC_PER_SEC) {
    fprintf (stderr, PROG ": no audio from %s for %d s: the device stopped "
        "or disappeared\n", run->source_name, STALL_TIMEOUT_S);
    run->status = EXIT_FAILURE_RUN;
    g_main_loop_quit (run->loop);
  }
  return G_SOURCE_CONTINUE;
}

static void
print_banner (ListenRun * run)
{
  size_t shape[3];
  int ndim = served_input_shape (run->model, shape);
  size_t window = ndim >= 2 ? shape[ndim - 1] : 1;
  double frame_s = (double) run->fe.hop_size / run->fe.rate;

  if (run->opt->json)
    return;
  fprintf (stderr, PROG ": %s on %s: %d Hz, %g bands, windows of %.2f s%s\n",
      es_model_get_name (run->model), run->source_name, run->fe.rate,
      run->fe.bands, window * frame_s,
      run->live || (run->opt->replay && !run->opt->fast)
      ? "; Ctrl-C stops" : "");
  printf ("%9s    %-6s %-20s %s\n", "time", "event", "label", "confidence");
  fflush (stdout);
}

static int
run_listen (ListenRun * run)
{
  GstBus *bus;
  guint bus_watch, sigint, sigterm, watchdog = 0;

  run->pipeline = build_pipeline (run);
  if (run->pipeline == NULL)
    return run->status ? run->status : EXIT_FAILURE_RUN;
  run->loop = g_main_loop_new (NULL, FALSE);
  bus = gst_element_get_bus (run->pipeline);
  bus_watch = gst_bus_add_watch (bus, on_bus_message, run);
  gst_object_unref (bus);
  sigint = g_unix_signal_add (SIGINT, on_signal, run);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, run);
  if (run->live)
    watchdog = g_timeout_add_seconds (1, on_watchdog, run);

  print_banner (run);
  if (gst_element_set_state (run->pipeline, GST_STATE_PLAYING)
      == GST_STATE_CHANGE_FAILURE) {
    GstMessage *msg;

    /* the reason is on the bus as an error message (a missing device) */
    bus = gst_element_get_bus (run->pipeline);
    msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    if (msg) {
      on_bus_message (bus, msg, run);
      gst_message_unref (msg);
    } else {
      fprintf (stderr, PROG ": %s cannot start\n", run->source_name);
    }
    gst_object_unref (bus);
    run->status = EXIT_FAILURE_RUN;
  } else {
    g_main_loop_run (run->loop);
  }
  /* messages posted just before EOS are on the bus already */
  if (run->status == EXIT_OK) {
    GstMessage *msg;

    bus = gst_element_get_bus (run->pipeline);
    while ((msg = gst_bus_pop (bus)) != NULL) {
      on_bus_message (bus, msg, run);
      gst_message_unref (msg);
    }
    gst_object_unref (bus);
  }
  gst_element_set_state (run->pipeline, GST_STATE_NULL);

  if (run->status == EXIT_OK)
    print_summary (run);
  if (run->stop_timeout_id)
    g_source_remove (run->stop_timeout_id);
  if (watchdog)
    g_source_remove (watchdog);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_source_remove (bus_watch);
  g_main_loop_unref (run->loop);
  gst_object_unref (run->pipeline);
  return run->status;
}

/* A file to replay must be a readable regular file: a FIFO or device would
 * block or never end. */
static gboolean
check_replay_file (const char *path)
{
  struct stat st;

  if (g_stat (path, &st) != 0) {
    fprintf (stderr, PROG ": cannot read '%s': %s\n", path,
        g_strerror (errno));
    return FALSE;
  }
  if (!S_ISREG (st.st_mode)) {
    fprintf (stderr, PROG ": '%s' is not a regular file (a folder, device or "
        "FIFO); --replay takes an audio file\n", path);
    return FALSE;
  }
  if (g_access (path, R_OK) != 0) {
    fprintf (stderr, PROG ": cannot read '%s': %s\n", path,
        g_strerror (errno));
    return FALSE;
  }
  return TRUE;
}

int
es_cmd_listen (int argc, char **argv)
{
  ListenOptions opt = { 0 };
  ListenRun run = { 0 };
  GOptionEntry entries[] = {
    {"model", 'm', 0, G_OPTION_ARG_FILENAME, &opt.model,
        "Audio model (default " DEFAULT_MODEL ")", "NAME|PATH"},
    {"device", 'd', 0, G_OPTION_ARG_STRING, &opt.device,
          "Capture device: a PulseAudio source, or alsa:DEVICE / pulse:NAME "
          "(default: the default microphone)", "DEV"},
    {"replay", 0, 0, G_OPTION_ARG_FILENAME, &opt.replay,
        "Play an audio file as a live source, in real time", "FILE"},
    {"fast", 0, 0, G_OPTION_ARG_NONE, &opt.fast,
        "With --replay: as fast as possible (the same decisions)", NULL},
    {"json", 0, 0, G_OPTION_ARG_NONE, &opt.json,
        "One JSON object per line per event start/end, then the summary",
        NULL},
    {"verbose", 'v', 0, G_OPTION_ARG_NONE, &opt.verbose,
        "Also print every window's decision", NULL},
    {"set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &opt.set,
          "Set a cnnclassify property, e.g. --set on-threshold=0.7 "
          "(repeatable; gst-inspect-1.0 cnnclassify lists them)",
        "NAME=VALUE"},
    {NULL}
  };
  g_autoptr (GOptionContext) context =
      g_option_context_new ("- classify live audio and print its events");
  g_autoptr (GError) error = NULL;
  char *message = NULL;
  int status = EXIT_OK;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context,
      "Listens to the default microphone (or --device, or a file with\n"
      "--replay) through the model's audio front-end and prints each sound\n"
      "event as it starts and ends, with stream times in seconds. Ctrl-C\n"
      "stops and prints a summary: the overall label (mean of the window\n"
      "probabilities) and each label's share of the time.");
  g_option_context_set_description (context,
      "Events follow cnnclassify's smoothing and event settings (docs/live.md);\n"
      "change them with --set. Exit status: 0 stopped or file ended,\n"
      "1 model, device or stream error, 2 usage.");
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    fprintf (stderr, PROG ": %s\n", error->message);
    status = EXIT_USAGE;
    goto done;
  }
  if (argc > 1) {
    fprintf (stderr, PROG ": unexpected argument '%s' (a file to replay is "
        "given with --replay FILE)\n", argv[1]);
    status = EXIT_USAGE;
    goto done;
  }
  if (opt.fast && !opt.replay) {
    fprintf (stderr, PROG ": --fast only goes with --replay FILE\n");
    status = EXIT_USAGE;
    goto done;
  }
  if (opt.device && opt.replay) {
    fprintf (stderr, PROG ": --device and --replay exclude each other\n");
    status = EXIT_USAGE;
    goto done;
  }
  if ((opt.model && !*opt.model) || (opt.device && !*opt.device)
      || (opt.replay && !*opt.replay)) {
    fprintf (stderr, PROG ": --model, --device and --replay need a value\n");
    status = EXIT_USAGE;
    goto done;
  }
  if (opt.model == NULL)
    opt.model = g_strdup (DEFAULT_MODEL);
  if (opt.replay && !check_replay_file (opt.replay)) {
    status = EXIT_FAILURE_RUN;
    goto done;
  }

  run.opt = &opt;
  if (!load_model (&run, &message)) {
    fprintf (stderr, PROG ": %s\n", message);
    status = EXIT_FAILURE_RUN;
    goto done;
  }
  gst_init (NULL, NULL);
  if (!es_cli_ensure_plugin ()) {
    fprintf (stderr, PROG ": the earshot GStreamer plugin was not found; set "
        "GST_PLUGIN_PATH to the directory holding libgstearshot.so\n");
    status = EXIT_FAILURE_RUN;
    goto done;
  }
  status = run_listen (&run);

done:
  g_free (message);
  g_clear_pointer (&run.summary, gst_structure_free);
  g_free (run.source_name);
  g_free (run.fe.window);
  es_model_free (run.model);
  g_free (opt.model);
  g_free (opt.device);
  g_free (opt.replay);
  g_strfreev (opt.set);
  return status;
}
