/* The gst-launch lines launch/ derives from a model's front-end description
 * (launch-line.c, what `earshot model info` prints) name elements and
 * properties that exist: each parses with fatal errors on, and the lines
 * with a file source run to the end on the shipped samples and post a
 * decision. Models of every source are made here. */
#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>

#include "launch-line.h"
#include "model/model.h"

static char *tmpdir;

static char *
make_model (const char *name, EsModelInputKind kind, int ndim, const size_t *shape,
    const char *frontend)
{
  static const char *const labels[] = { "a", "b", NULL };
  GError *err = NULL;
  EsModel *m = es_model_new (name, "[{\"type\":\"flatten\"},{\"type\":\"dense\","
      "\"out_features\":2}]", kind, ndim, shape, labels, &err);
  char *path = g_strdup_printf ("%s/%s.safetensors", tmpdir, name);
  char *line;

  fail_unless (m != NULL, "%s", err ? err->message : "");
  fail_unless (es_model_set_frontend (m, frontend, &err), "%s", err ? err->message : "");
  fail_unless (es_model_save (m, path, &err), "%s", err ? err->message : "");
  es_model_free (m);
  m = es_model_load (path, &err);
  fail_unless (m != NULL, "%s", err ? err->message : "");
  line = es_launch_line_derive (m);
  es_model_free (m);
  g_free (path);
  return line;
}

/* Replace every FILE placeholder, drop "gst-launch-1.0 ". */
static char *
fill (const char *line, const char *placeholder, const char *path)
{
  char **parts;
  char *joined;

  fail_unless (g_str_has_prefix (line, "gst-launch-1.0 "), "%s", line);
  parts = g_strsplit (line + strlen ("gst-launch-1.0 "), placeholder, -1);
  joined = g_strjoinv (path, parts);
  g_strfreev (parts);
  return joined;
}

/* Parse with fatal errors (unknown element, property or value) and, when
 * `run`, play to EOS counting cnnclassify messages. */
static guint
check_line (const char *description, gboolean run)
{
  GError *err = NULL;
  GstElement *pipeline = gst_parse_launch_full (description, NULL,
      GST_PARSE_FLAG_FATAL_ERRORS, &err);
  GstBus *bus;
  GstMessage *msg;
  guint decisions = 0;
  gboolean done = FALSE;

  fail_unless (pipeline != NULL, "'%s': %s", description, err ? err->message : "");
  if (!run) {
    gst_object_unref (pipeline);
    return 0;
  }
  bus = gst_element_get_bus (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  while (!done && (msg = gst_bus_timed_pop (bus, 60 * GST_SECOND))) {
    switch (GST_MESSAGE_TYPE (msg)) {
      case GST_MESSAGE_ELEMENT:
        decisions += gst_message_has_name (msg, "cnnclassify");
        break;
      case GST_MESSAGE_ERROR:{
        GError *e = NULL;
        gst_message_parse_error (msg, &e, NULL);
        fail ("'%s': %s", description, e->message);
        break;
      }
      case GST_MESSAGE_EOS:
        done = TRUE;
        break;
      default:
        break;
    }
    gst_message_unref (msg);
  }
  fail_unless (done, "'%s' did not end", description);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  return decisions;
}

GST_START_TEST (test_derived_lines_run)
{
  const char *src = g_getenv ("ES_SOURCE_DIR");
  char *csv = g_build_filename (src, "samples", "iem-sample.csv", NULL);
  char *png = g_build_filename (src, "samples", "iem-sample.png", NULL);
  char *wav = g_build_filename (src, "samples", "sample.wav", NULL);
  size_t vec[1] = { 64 }, img[3] = { 1, 25, 40 }, bands[1] = { 32 }, table[1] = { 4 };
  char *line, *filled;

  tmpdir = g_dir_make_tmp ("es-launch-XXXXXX", NULL);
  g_setenv ("ES_MODEL_PATH", tmpdir, TRUE);

  /* a measurement at the model's grid */
  line = make_model ("fr", ES_MODEL_INPUT_FEATURES, 1, vec,
      "{\"source\":\"measurement\",\"points\":64,\"fmin\":20,\"fmax\":20000}");
  fail_unless_equals_string (line, "gst-launch-1.0 frsrc location=FILE.csv points=64 "
      "fmin=20 fmax=20000 ! cnnclassify model=fr ! fakesink");
  filled = fill (line, "FILE.csv", csv);
  fail_unless (check_line (filled, TRUE) == 1);
  g_free (filled);
  g_free (line);

  /* ... drawn as its graph at the model's size */
  line = make_model ("graph", ES_MODEL_INPUT_IMAGE, 3, img,
      "{\"source\":\"measurement\",\"points\":128,\"image\":\"graph\"}");
  fail_unless_equals_string (line, "gst-launch-1.0 frsrc location=FILE.csv points=128 "
      "fmin=20 fmax=20000 ! spectrogramimager mode=graph width=40 height=25 ! cnnclassify "
      "model=graph ! fakesink");
  filled = fill (line, "FILE.csv", csv);
  fail_unless (check_line (filled, TRUE) == 1);
  g_free (filled);
  g_free (line);

  /* a picture: no videoscale, cnnclassify area-averages it as the trainer did */
  line = make_model ("picture", ES_MODEL_INPUT_IMAGE, 3, img, "{\"source\":\"image\"}");
  fail_unless_equals_string (line, "gst-launch-1.0 filesrc location=FILE ! decodebin ! "
      "videoconvert ! cnnclassify model=picture ! fakesink");
  fail_unless (strstr (line, "videoscale") == NULL);
  filled = fill (line, "FILE", png);
  fail_unless (check_line (filled, TRUE) == 1);
  g_free (filled);
  g_free (line);

  /* audio: gammatonefb takes its settings from the model; one decision per frame */
  line = make_model ("sound", ES_MODEL_INPUT_FEATURES, 1, bands,
      "{\"source\":\"audio\",\"rate\":16000,\"bands\":32,\"fmax\":7000}");
  fail_unless_equals_string (line, "gst-launch-1.0 filesrc location=FILE ! decodebin ! "
      "audioconvert ! audioresample ! audio/x-raw,format=F32LE,channels=1,rate=16000 ! "
      "preemphasis coefficient=0.97 ! hammingframe frame-size=400 hop-size=160 "
      "window=hamming ! gammatonefb model=sound ! cnnclassify model=sound ! fakesink");
  filled = fill (line, "FILE", wav);
  fail_unless (check_line (filled, TRUE) > 10);
  g_free (filled);
  g_free (line);

  /* a table, or nothing known: the application gives the input */
  line = make_model ("columns", ES_MODEL_INPUT_FEATURES, 1, table,
      "{\"source\":\"table\",\"label_column\":\"genre\"}");
  fail_unless_equals_string (line, "gst-launch-1.0 appsrc caps=\"application/x-earshot-"
      "features, bands=4\" ! cnnclassify model=columns ! fakesink");
  check_line (line + strlen ("gst-launch-1.0 "), FALSE);
  g_free (line);
  line = make_model ("bare", ES_MODEL_INPUT_FEATURES, 1, table, "{}");
  check_line (line + strlen ("gst-launch-1.0 "), FALSE);
  g_free (line);

  {
    GDir *d = g_dir_open (tmpdir, 0, NULL);
    const char *name;
    while ((name = g_dir_read_name (d))) {
      char *path = g_build_filename (tmpdir, name, NULL);
      g_unlink (path);
      g_free (path);
    }
    g_dir_close (d);
    g_rmdir (tmpdir);
  }
  g_free (tmpdir);
  g_free (csv);
  g_free (png);
  g_free (wav);
}

GST_END_TEST;

static Suite *
launch_line_suite (void)
{
  Suite *s = suite_create ("launch-line");
  TCase *tc = tcase_create ("lines");
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_derived_lines_run);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (launch_line);
