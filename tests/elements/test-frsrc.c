/* frsrc: one zero-mean log-frequency vector per measurement file, then EOS;
 * caps as documented; values equal to the library's resampling (and to the
 * NumPy fixture); clear errors for missing, malformed and narrow files. */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <glib/gstdio.h>
#include <math.h>

#include "io/frcsv.h"
#include "io/frcurve.h"
#include "fixture.h"

/* A measurement over 20 Hz-20 kHz written to a temporary file. */
static char *
write_measurement (const char *dir, const char *name, const char *text)
{
  char *path = g_build_filename (dir, name, NULL);
  fail_unless (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static char *
full_band_csv (void)
{
  GString *s = g_string_new ("frequency,raw\n");
  for (int i = 0; i < 480; i++) {
    double f = 20.0 * pow (1000.0, i / 479.0);
    g_string_append_printf (s, "%.4f,%.4f\n", f, 90.0 + 6.0 / (1.0 + pow (f / 120.0, 2))
        + 5.0 * exp (-pow (log (f / 3000.0) / 0.4, 2)));
  }
  return g_string_free (s, FALSE);
}

static GstBuffer *
pull_only_buffer (GstHarness * h)
{
  GstBuffer *buf = gst_harness_pull (h);
  GstEvent *ev;
  gboolean eos = FALSE;
  fail_unless (buf != NULL);
  /* then EOS, and no second buffer */
  while (!eos && (ev = gst_harness_pull_event (h)) != NULL) {
    eos = GST_EVENT_TYPE (ev) == GST_EVENT_EOS;
    gst_event_unref (ev);
  }
  fail_unless (eos);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 0);
  return buf;
}

GST_START_TEST (test_default_vector_and_caps)
{
  char *dir = g_dir_make_tmp ("es-frsrc-XXXXXX", NULL);
  char *text = full_band_csv ();
  char *path = write_measurement (dir, "m.csv", text);
  GstHarness *h = gst_harness_new ("frsrc");
  GstBuffer *buf;
  GstCaps *caps;
  GstStructure *s;
  GstMapInfo map;
  EsFrMeasurement *m;
  float expected[128];
  gint bands, fps_n, fps_d;
  gdouble fmin, fmax;

  g_object_set (h->element, "location", path, NULL);
  gst_harness_play (h);
  buf = pull_only_buffer (h);

  caps = gst_pad_get_current_caps (h->sinkpad);
  s = gst_caps_get_structure (caps, 0);
  fail_unless (gst_structure_has_name (s, "application/x-earshot-features"));
  fail_unless (gst_structure_get_int (s, "bands", &bands));
  fail_unless_equals_int (bands, 128);
  fail_unless (gst_structure_get_fraction (s, "framerate", &fps_n, &fps_d));
  fail_unless_equals_int (fps_n, 0);
  fail_unless_equals_string (gst_structure_get_string (s, "scale"), "log-frequency");
  fail_unless_equals_string (gst_structure_get_string (s, "unit"), "dB");
  fail_unless (gst_structure_get_double (s, "fmin", &fmin) && fmin == 20.0);
  fail_unless (gst_structure_get_double (s, "fmax", &fmax) && fmax == 20000.0);
  gst_caps_unref (caps);

  fail_unless_equals_uint64 (GST_BUFFER_PTS (buf), 0);
  m = es_fr_measurement_parse (text, -1, "m.csv", NULL, NULL);
  es_fr_resample (m->frequency, m->level, m->n, 20, 20000, TRUE, expected, 128);
  fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
  fail_unless_equals_int (map.size, 128 * sizeof (float));
  fail_unless (memcmp (map.data, expected, sizeof expected) == 0);
  {
    double sum = 0;
    for (int i = 0; i < 128; i++)
      sum += ((float *) map.data)[i];
    fail_unless (fabs (sum / 128) < 1e-4, "vector is not zero-mean: %g", sum / 128);
  }
  gst_buffer_unmap (buf, &map);
  gst_buffer_unref (buf);
  es_fr_measurement_free (m);
  gst_harness_teardown (h);
  g_unlink (path);
  g_rmdir (dir);
  g_free (path);
  g_free (text);
  g_free (dir);
}
GST_END_TEST;

/* points/fmin/fmax against numpy.interp on log f (the committed fixture). */
/* points=0 (default): the size downstream asks for; an explicit size that
 * downstream refuses is not-negotiated. */
GST_START_TEST (test_points_negotiated)
{
  char *dir = g_dir_make_tmp ("es-frsrc-XXXXXX", NULL);
  char *text = full_band_csv ();
  char *path = write_measurement (dir, "m.csv", text);
  GstHarness *h = gst_harness_new ("frsrc");
  GstBuffer *buf;
  guint points = 1;
  EsFrMeasurement *m = es_fr_measurement_parse (text, -1, "m.csv", NULL, NULL);
  float expected[300];
  GstMapInfo map;

  g_object_get (h->element, "points", &points, NULL);
  fail_unless_equals_int (points, 0);
  g_object_set (h->element, "location", path, NULL);
  gst_harness_set_sink_caps_str (h, "application/x-earshot-features, bands=(int)300");
  gst_harness_play (h);
  buf = pull_only_buffer (h);
  es_fr_resample (m->frequency, m->level, m->n, 20, 20000, TRUE, expected, 300);
  fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
  fail_unless_equals_int (map.size, sizeof expected);
  fail_unless (memcmp (map.data, expected, sizeof expected) == 0);
  gst_buffer_unmap (buf, &map);
  gst_buffer_unref (buf);
  gst_harness_teardown (h);

  h = gst_harness_new ("frsrc");
  g_object_set (h->element, "location", path, "points", 64, NULL);
  gst_harness_set_sink_caps_str (h, "application/x-earshot-features, bands=(int)300");
  gst_harness_play (h);
  fail_unless (gst_harness_try_pull (h) == NULL);
  gst_harness_teardown (h);

  es_fr_measurement_free (m);
  g_unlink (path);
  g_rmdir (dir);
  g_free (path);
  g_free (text);
  g_free (dir);
}
GST_END_TEST;

GST_START_TEST (test_matches_numpy_fixture)
{
  char *path = es_fixture_path ("io/resample-input.csv");
  GstHarness *h = gst_harness_new ("frsrc");
  GstBuffer *buf;
  GstMapInfo map;
  size_t n;
  double *expected = es_fixture_load_doubles ("io/resample-64-50-10k.txt", &n), mean = 0;

  fail_unless_equals_int (n, 64);
  for (size_t i = 0; i < n; i++)
    mean += expected[i] / n;
  g_object_set (h->element, "location", path, "points", 64, "fmin", 50.0, "fmax", 10000.0,
      NULL);
  gst_harness_play (h);
  buf = pull_only_buffer (h);
  fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
  fail_unless_equals_int (map.size, 64 * sizeof (float));
  for (size_t i = 0; i < n; i++)
    fail_unless (fabs (((float *) map.data)[i] - (expected[i] - mean)) < 2e-5,
        "point %zu: %f vs numpy %f", i, ((float *) map.data)[i], expected[i] - mean);
  gst_buffer_unmap (buf, &map);
  gst_buffer_unref (buf);
  gst_harness_teardown (h);
  g_free (expected);
  g_free (path);
}
GST_END_TEST;

/* Start a lone frsrc (no other plugin needed) and return the GError of the
 * error message it posts. */
static GError *
start_error (const char *location, const char *fmax)
{
  GstElement *src = gst_element_factory_make ("frsrc", NULL);
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;
  GError *err = NULL;

  gst_element_set_bus (src, bus);
  if (location)
    g_object_set (src, "location", location, NULL);
  if (fmax)
    gst_util_set_object_arg (G_OBJECT (src), "fmax", fmax);
  fail_unless_equals_int (gst_element_set_state (src, GST_STATE_PAUSED),
      GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "no error message posted");
  gst_message_parse_error (msg, &err, NULL);
  gst_message_unref (msg);
  gst_element_set_state (src, GST_STATE_NULL);
  gst_element_set_bus (src, NULL);
  gst_object_unref (bus);
  gst_object_unref (src);
  return err;
}

GST_START_TEST (test_errors)
{
  char *dir = g_dir_make_tmp ("es-frsrc-XXXXXX", NULL);
  char *missing = g_build_filename (dir, "missing.csv", NULL);
  char *dup = write_measurement (dir, "dup.csv", "frequency,raw\n20,1\n30,2\n30,3\n");
  char *narrow = es_fixture_path ("io/resample-input.csv");     /* 25 Hz-18 kHz */
  GError *err;

  err = start_error (missing, NULL);
  fail_unless (g_error_matches (err, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ));
  fail_unless (strstr (err->message, "missing.csv") != NULL, "%s", err->message);
  g_error_free (err);

  err = start_error (dup, NULL);
  fail_unless (g_error_matches (err, GST_STREAM_ERROR, GST_STREAM_ERROR_FORMAT));
  fail_unless (strstr (err->message, "dup.csv:4: frequency 30 Hz repeats") != NULL, "%s",
      err->message);
  g_error_free (err);

  err = start_error (narrow, NULL);
  fail_unless (g_error_matches (err, GST_STREAM_ERROR, GST_STREAM_ERROR_FORMAT));
  fail_unless (strstr (err->message, "starts at 25.0293 Hz") != NULL, "%s", err->message);
  g_error_free (err);

  /* an endless file stops at the measurement limit (it was read until the
   * memory ran out) */
  err = start_error ("/dev/zero", NULL);
  fail_unless (g_error_matches (err, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_READ));
  fail_unless (strstr (err->message, "/dev/zero: not a regular file, and more than 64 MiB")
      != NULL, "%s", err->message);
  g_error_free (err);

  err = start_error (NULL, NULL);
  fail_unless (g_error_matches (err, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND));
  fail_unless (strstr (err->message, "location") != NULL, "%s", err->message);
  g_error_free (err);

  err = start_error (dup, "10");        /* fmax below the default fmin */
  fail_unless (g_error_matches (err, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS));
  fail_unless (strstr (err->message, "fmin") != NULL, "%s", err->message);
  g_error_free (err);

  g_unlink (dup);
  g_rmdir (dir);
  g_free (dir);
  g_free (missing);
  g_free (dup);
  g_free (narrow);
}
GST_END_TEST;

/* Restarting re-reads the file: a second run gives the vector again. */
GST_START_TEST (test_restart)
{
  char *dir = g_dir_make_tmp ("es-frsrc-XXXXXX", NULL);
  char *text = full_band_csv ();
  char *path = write_measurement (dir, "m.csv", text);
  GstHarness *h = gst_harness_new ("frsrc");

  g_object_set (h->element, "location", path, "points", 32, NULL);
  for (int run = 0; run < 2; run++) {
    GstBuffer *buf;
    gst_harness_play (h);
    buf = pull_only_buffer (h);
    fail_unless_equals_int (gst_buffer_get_size (buf), 32 * sizeof (float));
    gst_buffer_unref (buf);
    fail_unless_equals_int (gst_element_set_state (h->element, GST_STATE_NULL),
        GST_STATE_CHANGE_SUCCESS);
  }
  gst_harness_teardown (h);
  g_unlink (path);
  g_rmdir (dir);
  g_free (path);
  g_free (text);
  g_free (dir);
}
GST_END_TEST;

static Suite *
frsrc_suite (void)
{
  Suite *s = suite_create ("frsrc");
  TCase *tc = tcase_create ("general");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_default_vector_and_caps);
  tcase_add_test (tc, test_points_negotiated);
  tcase_add_test (tc, test_matches_numpy_fixture);
  tcase_add_test (tc, test_errors);
  tcase_add_test (tc, test_restart);
  return s;
}

GST_CHECK_MAIN (frsrc);
