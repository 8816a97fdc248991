/* earshot features: decode an audio file, run the earshot front-end
 * (preemphasis ! hammingframe ! gammatonefb) and write one CSV row per frame.
 *
 * The pipeline is
 *   filesrc ! decodebin ! audioconvert ! audioresample
 *     ! audio/x-raw,format=F32LE,channels=1,rate=R
 *     ! preemphasis ! hammingframe ! gammatonefb ! appsink
 * Element options are passed through as strings and checked against the
 * elements' own property specs, so the CLI never disagrees with the elements
 * about valid ranges. Output goes through io/output: a temporary file beside
 * OUT renamed over it only once the whole input has been processed (a device
 * or FIFO written in place). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <gst/app/gstappsink.h>

#include "commands.h"
#include "runtime.h"
#include "media-types.h"
#include "dsp/fft.h"
#include "io/output.h"
#include "io/text.h"
#include "model/frontend-desc.h"

#define PROG "earshot features"

#define EXIT_OK ES_EXIT_OK
#define EXIT_FAILURE_RUN ES_EXIT_FAILURE
#define EXIT_USAGE ES_EXIT_USAGE
#define EXIT_BAD_DATA ES_EXIT_BAD_DATA  /* completed, but the input held bad data */
#define MAX_BAD_TIMES 5         /* non-finite frame times quoted */

#define DEFAULT_RATE 16000
#define MIN_RATE 1000
#define MAX_RATE 768000

typedef struct {
  /* options; NULL = leave the element's default */
  gint rate;
  gchar *frame_size;
  gchar *hop_size;
  const gchar *frame_property;  /* frame-size, or frame-duration for "25ms" */
  const gchar *hop_property;    /* hop-size, or hop-duration */
  gchar *window;
  gchar *bands;
  gchar *fmin;
  gchar *fmax;
  gchar *bandwidth;
  gchar *log_floor;
  gchar *dct;
  gchar *coefficient;
  gboolean quiet;
} FeaturesOptions;

/* State shared between the appsink streaming thread and the main thread. The
 * main thread only reads it after EOS or an error, when streaming has stopped. */
typedef struct {
  const gchar *in_path;
  const gchar *shown_path;      /* in_path escaped and shortened for the terminal */
  FILE *out;                    /* the stream of an EsOutput */
  gboolean header_written;
  guint n_values;               /* values per frame */
  const gchar *column_prefix;   /* "b" or "c" */
  guint64 n_frames;
  guint64 n_audio_samples;      /* after resampling, counted at the front-end input */
  gboolean write_failed;        /* the output could not be written */
  gboolean audio_linked;
  GstElement *pipeline;
  GstElement *convert;          /* decodebin's audio pad is linked here */
  guint64 frame_size, hop_size; /* samples, for the frames a bad sample is in */
  gint rate;
  guint64 next_bad_frame;       /* bad frames below this are counted */
  guint64 n_bad_frames;         /* frames holding a NaN or Inf sample */
  double bad_times[MAX_BAD_TIMES];      /* start times of the first ones, s */
} FeaturesRun;

/* ---- output ---------------------------------------------------------------- */

static gboolean
write_header (FeaturesRun * run)
{
  if (fputs ("time", run->out) == EOF)
    return FALSE;
  for (guint i = 0; i < run->n_values; i++)
    if (fprintf (run->out, ",%s%u", run->column_prefix, i) < 0)
      return FALSE;
  if (fputc ('\n', run->out) == EOF)
    return FALSE;
  run->header_written = TRUE;
  return TRUE;
}

/* Take bands, scale from the negotiated feature caps. */
static gboolean
read_feature_caps (FeaturesRun * run, GstCaps * caps)
{
  const GstStructure *s;
  gint bands = 0;
  const gchar *scale;

  if (caps == NULL || gst_caps_get_size (caps) < 1)
    return FALSE;
  s = gst_caps_get_structure (caps, 0);
  if (!gst_structure_get_int (s, "bands", &bands) || bands <= 0)
    return FALSE;
  run->n_values = bands;
  scale = gst_structure_get_string (s, "scale");
  run->column_prefix = (scale && strcmp (scale, ES_SCALE_CEPSTRUM) == 0) ? "c" : "b";
  return TRUE;
}

/* Frame period from the caps framerate, for frames inside a buffer and for
 * buffers without a PTS. */
static GstClockTime
frame_period (GstCaps * caps)
{
  gint num = 0, den = 1;
  const GstStructure *s = gst_caps_get_structure (caps, 0);

  if (!gst_structure_get_fraction (s, "framerate", &num, &den) || num <= 0)
    return GST_CLOCK_TIME_NONE;
  return gst_util_uint64_scale (GST_SECOND, den, num);
}

static GstFlowReturn
on_new_sample (GstAppSink * sink, gpointer user_data)
{
  FeaturesRun *run = user_data;
  GstSample *sample;
  GstBuffer *buffer;
  GstCaps *caps;
  GstMapInfo map;
  GstClockTime pts, period;
  gsize n_frames;
  GstFlowReturn ret = GST_FLOW_OK;

  sample = gst_app_sink_pull_sample (sink);
  if (sample == NULL)
    return GST_FLOW_EOS;

  caps = gst_sample_get_caps (sample);
  buffer = gst_sample_get_buffer (sample);
  if (!read_feature_caps (run, caps) || buffer == NULL) {
    gst_sample_unref (sample);
    GST_ELEMENT_ERROR (sink, STREAM, FORMAT,
        ("feature stream without a valid 'bands' field"), (NULL));
    return GST_FLOW_ERROR;
  }
  if (!run->header_written && !write_header (run))
    goto write_failed;

  period = frame_period (caps);
  pts = GST_BUFFER_PTS (buffer);
  if (!gst_buffer_map (buffer, &map, GST_MAP_READ)) {
    gst_sample_unref (sample);
    GST_ELEMENT_ERROR (sink, RESOURCE, READ, ("cannot map feature buffer"), (NULL));
    return GST_FLOW_ERROR;
  }
  n_frames = map.size / (sizeof (float) * run->n_values);
  for (gsize f = 0; f < n_frames; f++) {
    const float *v = (const float *) map.data + f * run->n_values;
    GstClockTime t;

    /* frame start time from the PTS; count frames when there is none */
    if (GST_CLOCK_TIME_IS_VALID (pts))
      t = pts + (GST_CLOCK_TIME_IS_VALID (period) ? f * period : 0);
    else if (GST_CLOCK_TIME_IS_VALID (period))
      t = (run->n_frames + f) * period;
    else
      t = 0;
    if (fprintf (run->out, "%.6f", (double) t / GST_SECOND) < 0)
      break;
    for (guint b = 0; b < run->n_values; b++)
      if (fprintf (run->out, ",%.7g", v[b]) < 0)
        break;
    if (fputc ('\n', run->out) == EOF)
      break;
  }
  run->n_frames += n_frames;
  gst_buffer_unmap (buffer, &map);
  gst_sample_unref (sample);
  if (ferror (run->out))
    goto write_failed_unref;
  return ret;

write_failed:
  gst_sample_unref (sample);
write_failed_unref:
  /* the reason (errno) is kept by the output and told by its commit */
  run->write_failed = TRUE;
  GST_ELEMENT_ERROR (sink, RESOURCE, WRITE, ("cannot write output"), (NULL));
  return GST_FLOW_ERROR;
}

/* Count the audio samples reaching the front-end, for the duration summary. */
static GstPadProbeReturn
count_samples_probe (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  FeaturesRun *run = user_data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);

  GstMapInfo map;

  /* Non-finite samples are counted at the input, not in the features: how
   * NaN passes the log floor (fmaxf) depends on the build. A frame k holds
   * samples k * hop .. k * hop + frame_size - 1. */
  if (gst_buffer_map (buffer, &map, GST_MAP_READ)) {
    const float *x = (const float *) map.data;

    for (gsize i = 0; i < map.size / sizeof (float); i++) {
      guint64 s, first, last;

      if (isfinite (x[i]))
        continue;
      s = run->n_audio_samples + i;
      first = s + 1 > run->frame_size ? (s + 1 - run->frame_size + run->hop_size - 1)
          / run->hop_size : 0;
      last = s / run->hop_size;
      first = MAX (first, run->next_bad_frame);
      for (guint64 k = first; k <= last; k++) {
        if (run->n_bad_frames < MAX_BAD_TIMES)
          run->bad_times[run->n_bad_frames] = (double) k * run->hop_size / run->rate;
        run->n_bad_frames++;
      }
      run->next_bad_frame = MAX (run->next_bad_frame, last + 1);
    }
    gst_buffer_unmap (buffer, &map);
  }
  run->n_audio_samples += gst_buffer_get_size (buffer) / sizeof (float);
  return GST_PAD_PROBE_OK;
}

/* ---- decoding -------------------------------------------------------------- */

static gboolean
caps_are_audio (GstCaps * caps)
{
  const GstStructure *s;

  if (caps == NULL || gst_caps_is_empty (caps) || gst_caps_is_any (caps))
    return FALSE;
  s = gst_caps_get_structure (caps, 0);
  return g_str_has_prefix (gst_structure_get_name (s), "audio/");
}

/* Link the first audio stream decodebin exposes; other streams stay unlinked
 * (demuxers carry on as long as one stream is linked). */
static void
on_pad_added (GstElement * decodebin, GstPad * pad, gpointer user_data)
{
  FeaturesRun *run = user_data;
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

/* Without an audio stream nothing would ever reach the sink: fail instead of
 * waiting for an EOS that cannot come. */
static void
on_no_more_pads (GstElement * decodebin, gpointer user_data)
{
  FeaturesRun *run = user_data;

  if (!run->audio_linked)
    GST_ELEMENT_ERROR (decodebin, STREAM, WRONG_TYPE,
        ("no audio stream in the file"), (NULL));
}

/* ---- options --------------------------------------------------------------- */

/* Set one element property from its text form, refusing what the property
 * spec would clamp or cannot parse. */
static gboolean
set_checked_property (GstElement * element, const gchar * property,
    const gchar * option, const gchar * text)
{
  GParamSpec *pspec;
  GValue value = G_VALUE_INIT;
  gboolean ok = TRUE;

  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (element), property);
  if (pspec == NULL) {
    fprintf (stderr, PROG ": element '%s' has no property '%s' (plugin too old?)\n",
        GST_OBJECT_NAME (element), property);
    return FALSE;
  }
  g_value_init (&value, pspec->value_type);
  if (!gst_value_deserialize (&value, text)) {
    fprintf (stderr, PROG ": invalid value '%s' for --%s", text, option);
    if (G_IS_PARAM_SPEC_ENUM (pspec)) {
      GEnumClass *enum_class = G_PARAM_SPEC_ENUM (pspec)->enum_class;

      fprintf (stderr, ", one of:");
      for (guint i = 0; i < enum_class->n_values; i++)
        fprintf (stderr, " %s", enum_class->values[i].value_nick);
    }
    fputc ('\n', stderr);
    ok = FALSE;
  } else {
    GValue checked = G_VALUE_INIT;

    g_value_init (&checked, pspec->value_type);
    g_value_copy (&value, &checked);
    if (g_param_value_validate (pspec, &checked)) {
      gchar *allowed = NULL;

      if (G_IS_PARAM_SPEC_INT (pspec))
        allowed = g_strdup_printf ("%d..%d", G_PARAM_SPEC_INT (pspec)->minimum,
            G_PARAM_SPEC_INT (pspec)->maximum);
      else if (G_IS_PARAM_SPEC_UINT (pspec))
        allowed = g_strdup_printf ("%u..%u", G_PARAM_SPEC_UINT (pspec)->minimum,
            G_PARAM_SPEC_UINT (pspec)->maximum);
      else if (G_IS_PARAM_SPEC_DOUBLE (pspec))
        allowed = g_strdup_printf ("%g..%g", G_PARAM_SPEC_DOUBLE (pspec)->minimum,
            G_PARAM_SPEC_DOUBLE (pspec)->maximum);
      else if (G_IS_PARAM_SPEC_FLOAT (pspec))
        allowed = g_strdup_printf ("%g..%g", G_PARAM_SPEC_FLOAT (pspec)->minimum,
            G_PARAM_SPEC_FLOAT (pspec)->maximum);
      fprintf (stderr, PROG ": value '%s' for --%s is out of range%s%s\n", text,
          option, allowed ? ", allowed " : "", allowed ? allowed : "");
      g_free (allowed);
      ok = FALSE;
    } else if (G_VALUE_HOLDS_DOUBLE (&value) && !isfinite (g_value_get_double (&value))) {
      fprintf (stderr, PROG ": value '%s' for --%s is not a finite number\n", text, option);
      ok = FALSE;
    } else {
      g_object_set_property (G_OBJECT (element), property, &value);
    }
    g_value_unset (&checked);
  }
  g_value_unset (&value);
  return ok;
}

/* Read a numeric property as a double whatever its GType. */
static double
get_number_property (GstElement * element, const gchar * property)
{
  GParamSpec *pspec;
  GValue value = G_VALUE_INIT, as_double = G_VALUE_INIT;
  double result = 0;

  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (element), property);
  if (pspec == NULL)
    return 0;
  g_value_init (&value, pspec->value_type);
  g_object_get_property (G_OBJECT (element), property, &value);
  g_value_init (&as_double, G_TYPE_DOUBLE);
  if (g_value_transform (&value, &as_double))
    result = g_value_get_double (&as_double);
  g_value_unset (&as_double);
  g_value_unset (&value);
  return result;
}

/* Frame and hop sizes may be given in milliseconds ("25ms"): those go to the
 * element's duration property (nanoseconds), which rounds to samples at the
 * negotiated rate; plain numbers stay sizes in samples. */
static gboolean
resolve_duration_option (gchar ** text, const gchar * option, gint rate,
    const gchar ** property)
{
  gchar *end = NULL;
  double ms;

  if (*text == NULL || !g_str_has_suffix (*text, "ms"))
    return TRUE;
  ms = g_ascii_strtod (*text, &end);
  if (end == *text || strcmp (end, "ms") != 0 || !(ms > 0) || !isfinite (ms)) {
    fprintf (stderr, PROG ": invalid value '%s' for --%s\n", *text, option);
    return FALSE;
  }
  if (ms > 10000) {            /* hammingframe's duration limit */
    fprintf (stderr, PROG ": --%s %s is out of range, at most 10000ms\n", option, *text);
    return FALSE;
  }
  if (ms * rate / 1000.0 < 0.5) {
    fprintf (stderr, PROG ": --%s %s is less than one sample at %d Hz\n", option,
        *text, rate);
    return FALSE;
  }
  g_free (*text);
  *text = g_strdup_printf ("%.0f", ms * 1e6);
  *property = g_str_equal (option, "frame-size") ? "frame-duration" : "hop-duration";
  return TRUE;
}

/* ---- the pipeline ---------------------------------------------------------- */

static GstElement *
make_element (const gchar * factory, const gchar * name)
{
  GstElement *e = gst_element_factory_make (factory, name);

  if (e == NULL)
    fprintf (stderr, PROG ": GStreamer element '%s' is missing\n", factory);
  return e;
}

/* Build the pipeline and configure the front-end from the options. Returns
 * the pipeline or NULL (message printed); *usage_error says whether the
 * failure came from an option value. */
static GstElement *
build_pipeline (FeaturesRun * run, FeaturesOptions * opt, gboolean * usage_error)
{
  GstElement *pipeline, *src, *decode, *convert, *resample, *filter;
  GstElement *preemph, *frame, *fb, *sink;
  GstCaps *caps;
  GstPad *pad;
  GstAppSinkCallbacks callbacks = { NULL, };
  gboolean ok = TRUE;

  *usage_error = FALSE;
  pipeline = gst_pipeline_new ("features");
  src = make_element ("filesrc", "src");
  decode = make_element ("decodebin", "decode");
  convert = make_element ("audioconvert", "convert");
  resample = make_element ("audioresample", "resample");
  filter = make_element ("capsfilter", "filter");
  preemph = make_element ("preemphasis", "preemphasis");
  frame = make_element ("hammingframe", "hammingframe");
  fb = make_element ("gammatonefb", "gammatonefb");
  sink = make_element ("appsink", "sink");
  if (!src || !decode || !convert || !resample || !filter || !preemph || !frame
      || !fb || !sink) {
    GstElement *all[] = { src, decode, convert, resample, filter, preemph, frame, fb, sink };

    if (!preemph || !frame || !fb)
      fprintf (stderr, PROG ": the earshot plugin was not found or is incomplete; set"
          " GST_PLUGIN_PATH to the directory holding libgstearshot.so\n");
    else
      fprintf (stderr, PROG ": install gstreamer1.0-plugins-base\n");
    for (gsize i = 0; i < G_N_ELEMENTS (all); i++)
      if (all[i])
        gst_object_unref (gst_object_ref_sink (all[i]));
    gst_object_unref (pipeline);
    return NULL;
  }
  gst_bin_add_many (GST_BIN (pipeline), src, decode, convert, resample, filter,
      preemph, frame, fb, sink, NULL);

  g_object_set (src, "location", run->in_path, NULL);
  caps = gst_caps_new_simple ("audio/x-raw", "format", G_TYPE_STRING, "F32LE",
      "channels", G_TYPE_INT, 1, "rate", G_TYPE_INT, opt->rate,
      "layout", G_TYPE_STRING, "interleaved", NULL);
  g_object_set (filter, "caps", caps, NULL);
  gst_caps_unref (caps);

  /* Options map 1:1 onto element properties. */
  if (opt->coefficient)
    ok &= set_checked_property (preemph, "coefficient", "coefficient", opt->coefficient);
  if (opt->frame_size)
    ok &= set_checked_property (frame, opt->frame_property, "frame-size", opt->frame_size);
  if (opt->hop_size)
    ok &= set_checked_property (frame, opt->hop_property, "hop-size", opt->hop_size);
  if (opt->window)
    ok &= set_checked_property (frame, "window", "window", opt->window);
  if (opt->bands)
    ok &= set_checked_property (fb, "bands", "bands", opt->bands);
  if (opt->fmin)
    ok &= set_checked_property (fb, "fmin", "fmin", opt->fmin);
  if (opt->fmax)
    ok &= set_checked_property (fb, "fmax", "fmax", opt->fmax);
  if (opt->bandwidth)
    ok &= set_checked_property (fb, "bandwidth", "bandwidth", opt->bandwidth);
  if (opt->log_floor)
    ok &= set_checked_property (fb, "log-floor", "log-floor", opt->log_floor);
  if (opt->dct)
    ok &= set_checked_property (fb, "dct", "dct", opt->dct);

  /* Checks across options, which no single property spec can express: the
   * settings the elements hold, checked by the one front-end validator (the
   * rules the library and a model file obey). An fmax of 0 means "rate / 2"
   * in the element. */
  if (ok) {
    EsFrontendDesc fe;
    GError *error = NULL;

    es_frontend_desc_init (&fe, ES_FRONTEND_SOURCE_AUDIO);
    fe.rate = opt->rate;
    fe.preemphasis = get_number_property (preemph, "coefficient");
    fe.frame_size = (unsigned) get_number_property (frame, "frame-size");
    fe.hop_size = (unsigned) get_number_property (frame, "hop-size");
    fe.n_fft = (unsigned) MAX (es_next_pow2 (fe.frame_size), 2);
    fe.bands = (unsigned) get_number_property (fb, "bands");
    fe.dct = (unsigned) get_number_property (fb, "dct");
    fe.fmin = get_number_property (fb, "fmin");
    fe.fmax = get_number_property (fb, "fmax");
    if (fe.fmax <= 0)
      fe.fmax = opt->rate / 2.0;
    fe.bandwidth = get_number_property (fb, "bandwidth");
    fe.log_floor = get_number_property (fb, "log-floor");
    if (!es_frontend_desc_validate (&fe, &error)) {
      fprintf (stderr, PROG ": %s\n", error->message);
      g_error_free (error);
      ok = FALSE;
    }
    run->n_values = es_frontend_desc_n_features (&fe);
    run->frame_size = fe.frame_size;
    run->hop_size = fe.hop_size;
    run->rate = opt->rate;
    run->column_prefix = fe.dct > 0 ? "c" : "b";
    es_frontend_desc_clear (&fe);
  }
  if (!ok) {
    *usage_error = TRUE;
    gst_object_unref (pipeline);
    return NULL;
  }

  if (!gst_element_link (src, decode)
      || !gst_element_link_many (convert, resample, filter, preemph, frame, fb, sink,
          NULL)) {
    fprintf (stderr, PROG ": cannot link the front-end elements (incompatible plugin"
        " versions?)\n");
    gst_object_unref (pipeline);
    return NULL;
  }

  run->pipeline = pipeline;
  run->convert = convert;
  g_signal_connect (decode, "pad-added", G_CALLBACK (on_pad_added), run);
  g_signal_connect (decode, "no-more-pads", G_CALLBACK (on_no_more_pads), run);

  pad = gst_element_get_static_pad (filter, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, count_samples_probe, run, NULL);
  gst_object_unref (pad);

  /* As fast as possible, nothing dropped, no unbounded queueing. */
  g_object_set (sink, "sync", FALSE, "emit-signals", FALSE, "max-buffers", 64,
      "drop", FALSE, NULL);
  callbacks.new_sample = on_new_sample;
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, run, NULL);
  return pipeline;
}

/* ---- files ----------------------------------------------------------------- */

/* A RIFF/WAVE file whose "data" chunk declares more bytes than the file
 * holds: wavparse clips the chunk silently, so look at the header ourselves.
 * Only the first 64 KiB are scanned for the chunk. */
static gboolean
wav_is_truncated (const gchar * path, guint64 * declared, guint64 * present)
{
  guchar head[65536];
  GStatBuf st;
  FILE *f;
  size_t n, pos = 12;
  gboolean truncated = FALSE;

  if (g_stat (path, &st) != 0 || !S_ISREG (st.st_mode))
    return FALSE;
  f = fopen (path, "rb");
  if (f == NULL)
    return FALSE;
  n = fread (head, 1, sizeof head, f);
  fclose (f);
  if (n < 12 || memcmp (head, "RIFF", 4) != 0 || memcmp (head + 8, "WAVE", 4) != 0)
    return FALSE;
  while (pos + 8 <= n) {
    guint64 size = GST_READ_UINT32_LE (head + pos + 4);

    if (memcmp (head + pos, "data", 4) == 0) {
      guint64 start = pos + 8;

      /* 0 and 0xffffffff mean "unknown" (streamed writers) */
      if (size != 0 && size != 0xffffffffu && start + size > (guint64) st.st_size) {
        *declared = size;
        *present = (guint64) st.st_size > start ? (guint64) st.st_size - start : 0;
        truncated = TRUE;
      }
      break;
    }
    pos += 8 + size + (size & 1);
  }
  return truncated;
}

/* ---- command ----------------------------------------------------------------- */

static const gchar description[] =
    "Decodes IN with GStreamer (any format it can decode), converts it to mono\n"
    "float at --rate and runs preemphasis ! hammingframe ! gammatonefb. OUT.csv\n"
    "gets a header (time,b0,b1,... for log band energies; time,c0,c1,... with\n"
    "--dct) and one row per frame; time is the frame start in seconds. OUT is\n"
    "written to a temporary file and only replaced when the whole input has been\n"
    "processed. OUT may be '-' for standard output. Options left out keep the\n"
    "elements' defaults (see gst-inspect-1.0 gammatonefb).\n"
    "\n"
    "Exit status: 0 success, 1 failure (unreadable, corrupt or non-audio input,\n"
    "unwritable output, missing plugin), 2 usage error (bad option or value),\n"
    "3 completed with bad data (non-finite samples, a truncated WAV, decoder\n"
    "warnings): OUT is written and a warning says what and where.\n"
    "\n"
    "Example: earshot features --bands 40 --dct 13 speech.ogg speech.csv";

int
es_cmd_features (int argc, char **argv)
{
  FeaturesOptions opt = { .rate = DEFAULT_RATE, .frame_property = "frame-size",
    .hop_property = "hop-size" };
  FeaturesRun run = { NULL, };
  GOptionEntry entries[] = {
    {"rate", 0, 0, G_OPTION_ARG_INT, &opt.rate,
        "Front-end sample rate in Hz (default 16000)", "HZ"},
    {"frame-size", 'f', 0, G_OPTION_ARG_STRING, &opt.frame_size,
        "Frame length in samples, or in ms as e.g. 25ms (default 400)", "N"},
    {"hop-size", 0, 0, G_OPTION_ARG_STRING, &opt.hop_size,
        "Hop between frames in samples, or in ms as e.g. 10ms (default 160)", "N"},
    {"window", 'w', 0, G_OPTION_ARG_STRING, &opt.window,
        "Window: hamming, hann or rectangular (default hamming)", "NAME"},
    {"bands", 'b', 0, G_OPTION_ARG_STRING, &opt.bands,
        "Number of gammatone bands (default 64)", "N"},
    {"fmin", 0, 0, G_OPTION_ARG_STRING, &opt.fmin,
        "Lowest band edge in Hz (default 50)", "HZ"},
    {"fmax", 0, 0, G_OPTION_ARG_STRING, &opt.fmax,
        "Highest band edge in Hz (default rate/2)", "HZ"},
    {"bandwidth", 0, 0, G_OPTION_ARG_STRING, &opt.bandwidth,
        "Bandwidth factor on the ERB (default 1.019)", "X"},
    {"log-floor", 0, 0, G_OPTION_ARG_STRING, &opt.log_floor,
        "Energy floor before the logarithm (default 1e-10)", "X"},
    {"dct", 0, 0, G_OPTION_ARG_STRING, &opt.dct,
        "Output N cepstral coefficients (DCT-II of the log energies); 0 = off", "N"},
    {"coefficient", 'a', 0, G_OPTION_ARG_STRING, &opt.coefficient,
        "Pre-emphasis coefficient (default 0.97; 0 disables)", "A"},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &opt.quiet,
        "Do not print the summary line", NULL},
    {NULL}
  };
  GOptionContext *context;
  GError *error = NULL;
  GstElement *pipeline = NULL;
  const gchar *in_path, *out_path;
  gchar *shown_in = NULL;
  EsOutput *output = NULL;
  EsCliPipelineRun pipeline_run = { PROG, NULL, FALSE, 0 };
  gboolean to_stdout, usage_error = FALSE;
  guint64 declared = 0, present = 0;
  int status = EXIT_FAILURE_RUN;

  g_set_prgname (PROG);
  context = g_option_context_new ("IN OUT.csv");
  g_option_context_set_summary (context,
      "Extract front-end features (gammatone log energies or cepstra) from an audio\n"
      "file to CSV, one row per frame.");
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    fprintf (stderr, PROG ": %s\nTry 'earshot features --help'.\n", error->message);
    g_clear_error (&error);
    g_option_context_free (context);
    status = EXIT_USAGE;
    goto out;
  }
  g_option_context_free (context);

  if (argc != 3) {
    fprintf (stderr, PROG ": expected IN and OUT.csv (got %d argument%s)\n"
        "Usage: earshot features [OPTIONS] IN OUT.csv\n"
        "Try 'earshot features --help'.\n", argc - 1, argc - 1 == 1 ? "" : "s");
    status = EXIT_USAGE;
    goto out;
  }
  in_path = argv[1];
  shown_in = es_text_for_terminal (in_path, ES_TEXT_TERMINAL_MAX);
  out_path = argv[2];
  to_stdout = strcmp (out_path, "-") == 0;

  if (opt.rate < MIN_RATE || opt.rate > MAX_RATE) {
    fprintf (stderr, PROG ": --rate %d is out of range, allowed %d..%d\n", opt.rate,
        MIN_RATE, MAX_RATE);
    status = EXIT_USAGE;
    goto out;
  }
  if (!resolve_duration_option (&opt.frame_size, "frame-size", opt.rate,
          &opt.frame_property)
      || !resolve_duration_option (&opt.hop_size, "hop-size", opt.rate,
          &opt.hop_property)) {
    status = EXIT_USAGE;
    goto out;
  }

  /* Input problems get a plain message before GStreamer is involved. */
  if (!g_file_test (in_path, G_FILE_TEST_EXISTS)) {
    fprintf (stderr, PROG ": '%s': no such file\n", shown_in);
    goto out;
  }
  if (g_file_test (in_path, G_FILE_TEST_IS_DIR)) {
    fprintf (stderr, PROG ": '%s' is a directory, not an audio file\n", shown_in);
    goto out;
  }
  if (g_access (in_path, R_OK) != 0) {
    fprintf (stderr, PROG ": '%s': %s\n", shown_in, g_strerror (errno));
    goto out;
  }
  /* Before any work: not a directory, not the input (also through links),
   * and a temporary file can be made beside it. */
  {
    const char *inputs[] = { in_path, NULL };

    if (!es_cli_check_output (PROG, out_path, inputs))
      goto out;
  }

  if (!gst_init_check (NULL, NULL, &error)) {
    fprintf (stderr, PROG ": cannot initialise GStreamer: %s\n", error->message);
    g_clear_error (&error);
    goto out;
  }
  es_cli_ensure_plugin ();

  run.in_path = in_path;
  run.shown_path = shown_in;
  pipeline = build_pipeline (&run, &opt, &usage_error);
  if (pipeline == NULL) {
    status = usage_error ? EXIT_USAGE : EXIT_FAILURE_RUN;
    goto out;
  }

  /* Open the output only now, so a usage error never leaves a temp file. */
  if ((output = es_output_open (out_path, &error)) == NULL)
    goto write_failed;
  run.out = es_output_stream (output);

  pipeline_run.input = shown_in;
  pipeline_run.progress = !opt.quiet;
  if (!es_cli_run_pipeline (pipeline, &pipeline_run, &error)) {
    if (run.write_failed) {
      /* our own write error: the output tells its reason */
      g_clear_error (&error);
      es_output_commit (g_steal_pointer (&output), &error);
      goto write_failed;
    }
    {
      g_autofree char *text = es_text_for_terminal (error->message, ES_TEXT_TERMINAL_MAX);
      fprintf (stderr, PROG ": cannot process '%s': %s\n", shown_in, text);
    }
    g_clear_error (&error);
    goto out;
  }
  /* Short input gives no frame, and so no caps-driven header: still write one. */
  if (!run.header_written)
    write_header (&run);
  if (!es_output_commit (g_steal_pointer (&output), &error))
    goto write_failed;

  if (!opt.quiet) {
    double seconds = (double) run.n_audio_samples / opt.rate;

    fprintf (stderr, PROG ": %s: %" G_GUINT64_FORMAT " frames x %u %s, %.2f s of"
        " audio at %d Hz -> %s\n", shown_in, run.n_frames, run.n_values,
        strcmp (run.column_prefix, "c") == 0 ? "cepstral coefficients" : "bands",
        seconds, opt.rate, to_stdout ? "stdout" : out_path);
    if (run.n_frames == 0)
      fprintf (stderr, PROG ": warning: '%s' is shorter than one frame; only the"
          " header was written\n", shown_in);
  }
  status = EXIT_OK;
  if (wav_is_truncated (in_path, &declared, &present)) {
    fprintf (stderr, PROG ": warning: '%s' is truncated: its header declares %"
        G_GUINT64_FORMAT " bytes of audio, the file holds %" G_GUINT64_FORMAT "\n",
        shown_in, declared, present);
    status = EXIT_BAD_DATA;
  }
  /* a bad sample in the tail after the last whole frame makes no frame */
  run.n_bad_frames = MIN (run.n_bad_frames, run.n_frames);
  if (run.n_bad_frames > 0) {
    fprintf (stderr, PROG ": warning: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
        " frames hold non-finite values (the input holds NaN or Inf samples),"
        " starting at", run.n_bad_frames, run.n_frames);
    for (guint i = 0; i < MIN (run.n_bad_frames, MAX_BAD_TIMES); i++)
      fprintf (stderr, "%s %.3f", i ? "," : "", run.bad_times[i]);
    fprintf (stderr, " s%s\n", run.n_bad_frames > MAX_BAD_TIMES ? ", ..." : "");
    status = EXIT_BAD_DATA;
  }
  if (pipeline_run.n_warnings > 0)
    status = EXIT_BAD_DATA;
  goto out;

write_failed:
  /* a reader of standard output that went away (| head) ends the run quietly */
  if (!(to_stdout && g_error_matches (error, ES_IO_ERROR, ES_IO_ERROR_BROKEN_PIPE))) {
    g_autofree char *text = es_text_for_terminal (error->message, ES_TEXT_TERMINAL_MAX);
    fprintf (stderr, PROG ": %s\n", text);
  }
  g_clear_error (&error);
  status = EXIT_FAILURE_RUN;
out:
  /* removes the temporary file on every failure path */
  es_output_abort (output);
  if (pipeline)
    gst_object_unref (pipeline);
  g_free (shown_in);
  g_free (opt.frame_size);
  g_free (opt.hop_size);
  g_free (opt.window);
  g_free (opt.bands);
  g_free (opt.fmin);
  g_free (opt.fmax);
  g_free (opt.bandwidth);
  g_free (opt.log_floor);
  g_free (opt.dct);
  g_free (opt.coefficient);
  return status;
}
