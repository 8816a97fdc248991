/* Every earshot element survives state cycling (as gst-plugins-good's
 * tests/check/generic/states.c). */
#include "es-check.h"

#include <gst/audio/audio.h>

static const gchar *front_end[] = { "preemphasis", "hammingframe",
  "gammatonefb"
};

static void
cycle (const gchar * factory, GstState top)
{
  static const GstState up_down[] = { GST_STATE_READY, GST_STATE_PAUSED,
    GST_STATE_PLAYING, GST_STATE_PAUSED, GST_STATE_READY, GST_STATE_NULL,
    GST_STATE_PLAYING, GST_STATE_NULL
  };
  GstElement *e = gst_element_factory_make (factory, NULL);
  guint i, round;

  fail_unless (e != NULL, "cannot make %s", factory);
  for (round = 0; round < 2; round++)
    for (i = 0; i < G_N_ELEMENTS (up_down); i++) {
      GstState s = MIN (up_down[i], top);

      fail_if (gst_element_set_state (e, s) == GST_STATE_CHANGE_FAILURE,
          "%s: failed to go to %s", factory, gst_element_state_get_name (s));
      fail_if (gst_element_get_state (e, NULL, NULL, GST_CLOCK_TIME_NONE)
          == GST_STATE_CHANGE_FAILURE);
    }
  fail_unless (gst_element_set_state (e, GST_STATE_NULL) ==
      GST_STATE_CHANGE_SUCCESS);
  gst_object_unref (e);
}

GST_START_TEST (test_front_end_states)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (front_end); i++)
    cycle (front_end[i], GST_STATE_PLAYING);
}

GST_END_TEST;

/* Every element the plugin registers can at least go NULL -> READY -> NULL
 * (sources may need properties before PAUSED). */
GST_START_TEST (test_all_elements_ready)
{
  GList *features = gst_registry_get_feature_list_by_plugin
      (gst_registry_get (), "earshot"), *l;
  guint n = 0;

  for (l = features; l; l = l->next) {
    if (!GST_IS_ELEMENT_FACTORY (l->data))
      continue;
    cycle (gst_plugin_feature_get_name (l->data), GST_STATE_READY);
    n++;
  }
  fail_unless (n >= G_N_ELEMENTS (front_end), "plugin has %u elements", n);
  gst_plugin_feature_list_free (features);
}

GST_END_TEST;

/* The whole chain linked, cycled with no data. */
GST_START_TEST (test_chain_states)
{
  GError *err = NULL;
  GstElement *p = gst_parse_launch ("fakesrc num-buffers=0 ! "
      "capsfilter caps=\"audio/x-raw,format=" GST_AUDIO_NE (F32)
      ",rate=16000,channels=1,layout=interleaved\" ! preemphasis ! "
      "hammingframe ! gammatonefb ! fakesink", &err);
  guint i;

  fail_unless (p != NULL && err == NULL);
  for (i = 0; i < 3; i++) {
    fail_if (gst_element_set_state (p, GST_STATE_PLAYING) ==
        GST_STATE_CHANGE_FAILURE);
    fail_if (gst_element_get_state (p, NULL, NULL, 5 * GST_SECOND) ==
        GST_STATE_CHANGE_FAILURE);
    fail_unless (gst_element_set_state (p, GST_STATE_NULL) ==
        GST_STATE_CHANGE_SUCCESS);
  }
  gst_object_unref (p);
}

GST_END_TEST;

static Suite *
states_suite (void)
{
  Suite *s = suite_create ("states");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_front_end_states);
  tcase_add_test (tc, test_all_elements_ready);
  tcase_add_test (tc, test_chain_states);
  return s;
}

GST_CHECK_MAIN (states);
