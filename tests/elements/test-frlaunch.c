/* The documented launch line, as printed:
 *   frsrc location=X ! spectrogramimager ! pngenc ! filesink location=Y
 * run in-process with gst_parse_launch and through gst-launch-1.0 itself, then
 * the PNG is read back: 224×224, white paper, black frame, a curve. */
#include <gst/check/gstcheck.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>

#include "io/png.h"
#include "io/graph.h"

static char *
full_band_csv (const char *dir)
{
  char *path = g_build_filename (dir, "m.csv", NULL);
  GString *s = g_string_new ("* Freq(Hz), SPL(dB), Phase(degrees)\n");
  for (int i = 0; i < 480; i++) {
    double f = 20.0 * pow (1000.0, i / 479.0);
    g_string_append_printf (s, "%.4f %.4f 0\n", f, 90.0 + 8.0 / (1.0 + pow (f / 150.0, 2)));
  }
  fail_unless (g_file_set_contents (path, s->str, -1, NULL));
  g_string_free (s, TRUE);
  return path;
}

static void
check_png (const char *png)
{
  GError *err = NULL;
  EsImage *img = es_png_read (png, 1, &err);
  double left, top, right, bottom;
  unsigned ink = 0;

  fail_unless (img != NULL, "%s", err ? err->message : "");
  fail_unless_equals_int (img->width, 224);
  fail_unless_equals_int (img->height, 224);
  fail_unless_equals_int (img->pixels[0], 255);
  fail_unless_equals_int (img->pixels[223 * img->stride + 223], 255);
  es_graph_axes_box (224, 224, &left, &top, &right, &bottom);
  /* frame on the top edge, the middle column */
  fail_unless (img->pixels[(unsigned) top * img->stride + 112] < 100);
  /* some curve ink inside the box */
  for (unsigned y = (unsigned) top + 3; y < (unsigned) bottom - 3; y++)
    for (unsigned x = (unsigned) left + 3; x < (unsigned) right - 3; x++)
      ink += img->pixels[y * img->stride + x] < 200;
  fail_unless (ink > 150, "only %u curve pixels", ink);
  es_image_free (img);
}

static gboolean
have_pngenc (void)
{
  GstElementFactory *f = gst_element_factory_find ("pngenc");
  if (f == NULL) {
    printf ("SKIP: pngenc (gst-plugins-good) is not installed\n");
    return FALSE;
  }
  gst_object_unref (f);
  return TRUE;
}

GST_START_TEST (test_parse_launch_line)
{
  char *dir = g_dir_make_tmp ("es-frlaunch-XXXXXX", NULL);
  char *csv = full_band_csv (dir);
  char *png = g_build_filename (dir, "m.png", NULL);
  char *line;
  GstElement *pipeline;
  GstBus *bus;
  GstMessage *msg;
  GError *err = NULL;

  if (!have_pngenc ())
    goto out;
  line = g_strdup_printf ("frsrc location=\"%s\" ! spectrogramimager ! pngenc ! "
      "filesink location=\"%s\"", csv, png);
  pipeline = gst_parse_launch (line, &err);
  fail_unless (pipeline != NULL, "%s", err ? err->message : "");
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  bus = gst_element_get_bus (pipeline);
  msg = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (msg != NULL && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS, "no EOS");
  gst_message_unref (msg);
  gst_object_unref (bus);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
  check_png (png);
  g_free (line);
out:
  g_unlink (png);
  g_unlink (csv);
  g_rmdir (dir);
  g_free (png);
  g_free (csv);
  g_free (dir);
}
GST_END_TEST;

GST_START_TEST (test_gst_launch_binary)
{
  char *dir = g_dir_make_tmp ("es-frlaunch-XXXXXX", NULL);
  char *csv = full_band_csv (dir);
  char *png = g_build_filename (dir, "m.png", NULL);
  char *bad = g_build_filename (dir, "bad.csv", NULL);
  char *launch = g_find_program_in_path ("gst-launch-1.0");
  char *location = g_strdup_printf ("location=%s", csv);
  char *sink_location = g_strdup_printf ("location=%s", png);
  char *bad_location = g_strdup_printf ("location=%s", bad);
  char *out = NULL, *errout = NULL;
  int status;

  if (launch == NULL) {
    printf ("SKIP test_gst_launch_binary: gst-launch-1.0 not in PATH\n");
    goto out;
  }
  if (!have_pngenc ())
    goto out;
  {
    char *argv[] = { launch, "-q", "frsrc", location, "!", "spectrogramimager", "!",
      "pngenc", "!", "filesink", sink_location, NULL
    };
    fail_unless (g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
            &errout, &status, NULL));
    fail_unless (g_spawn_check_wait_status (status, NULL), "gst-launch failed: %s", errout);
    check_png (png);
    g_free (out);
    g_free (errout);
  }
  /* A malformed file: gst-launch fails and prints the file and line. */
  fail_unless (g_file_set_contents (bad, "frequency,raw\n20,1\n30,x\n", -1, NULL));
  {
    char *argv[] = { launch, "frsrc", bad_location, "!", "fakesink", NULL };
    fail_unless (g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
            &errout, &status, NULL));
    fail_if (g_spawn_check_wait_status (status, NULL));
    fail_unless (strstr (out, "bad.csv:3: level \"x\" (column 2) is not a number") != NULL
        || strstr (errout, "bad.csv:3: level \"x\"") != NULL, "output: %s %s", out, errout);
    g_free (out);
    g_free (errout);
  }
out:
  g_unlink (png);
  g_unlink (csv);
  g_unlink (bad);
  g_rmdir (dir);
  g_free (png);
  g_free (csv);
  g_free (bad);
  g_free (dir);
  g_free (launch);
  g_free (location);
  g_free (sink_location);
  g_free (bad_location);
}
GST_END_TEST;

static Suite *
frlaunch_suite (void)
{
  Suite *s = suite_create ("frlaunch");
  TCase *tc = tcase_create ("launch");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_parse_launch_line);
  tcase_add_test (tc, test_gst_launch_binary);
  tcase_set_timeout (tc, 120);
  return s;
}

GST_CHECK_MAIN (frlaunch);
