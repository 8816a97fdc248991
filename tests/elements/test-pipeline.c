/* Whole-pipeline test: the element chain gives the same features as
 * es_frontend_process_clip() on the same samples. Needs audiotestsrc, tee and
 * appsink from the system plugins. */
#include <string.h>
#include "es-check.h"

#include <gst/audio/audio.h>

#include "dsp/frontend.h"

/* Everything an appsink received, as bytes; PTS of its buffers in *pts. */
static GByteArray *
drain_appsink (GstElement * sink, GArray * pts)
{
  GByteArray *all = g_byte_array_new ();
  GstSample *sample;

  for (;;) {
    GstBuffer *buf;
    GstMapInfo map;

    g_signal_emit_by_name (sink, "pull-sample", &sample);
    if (sample == NULL)
      break;
    buf = gst_sample_get_buffer (sample);
    if (pts) {
      GstClockTime t = GST_BUFFER_PTS (buf);
      guint64 off = GST_BUFFER_OFFSET (buf);

      g_array_append_val (pts, t);
      g_array_append_val (pts, off);
    }
    gst_buffer_map (buf, &map, GST_MAP_READ);
    g_byte_array_append (all, map.data, map.size);
    gst_buffer_unmap (buf, &map);
    gst_sample_unref (sample);
  }
  return all;
}

static void
check_chain_matches_frontend (const gchar * elem_props[3],
    const EsFrontendConfig * config)
{
  gchar *desc = g_strdup_printf ("audiotestsrc wave=pink-noise "
      "samplesperbuffer=333 num-buffers=60 ! audio/x-raw,format=F32LE,"
      "rate=%u,channels=1 ! tee name=t "
      "t. ! queue ! appsink name=raw sync=false wait-on-eos=false "
      "t. ! queue ! preemphasis %s ! hammingframe %s ! gammatonefb %s ! "
      "appsink name=feat sync=false wait-on-eos=false", config->sample_rate, elem_props[0],
      elem_props[1], elem_props[2]);
  GError *err = NULL;
  GstElement *p = gst_parse_launch (desc, &err), *raw_sink, *feat_sink;
  GstBus *bus;
  GstMessage *msg;
  GByteArray *raw, *feat;
  GArray *pts = g_array_new (FALSE, FALSE, sizeof (guint64));
  EsFrontend *fe;
  gsize n_frames = 0, n_feat, i;
  float *ref;
  guint b;

  fail_unless (p != NULL, "%s: %s", desc, err ? err->message : "?");
  raw_sink = gst_bin_get_by_name (GST_BIN (p), "raw");
  feat_sink = gst_bin_get_by_name (GST_BIN (p), "feat");
  bus = gst_element_get_bus (p);
  fail_if (gst_element_set_state (p, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (msg != NULL && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS,
      "pipeline did not reach EOS");
  gst_message_unref (msg);

  raw = drain_appsink (raw_sink, NULL);
  feat = drain_appsink (feat_sink, pts);
  gst_element_set_state (p, GST_STATE_NULL);

  fe = es_frontend_new (config, &err);
  fail_unless (fe != NULL, "frontend: %s", err ? err->message : "?");
  n_feat = es_frontend_get_n_features (fe);
  ref = es_frontend_process_clip (fe, (const float *) raw->data,
      raw->len / sizeof (float), &n_frames);
  fail_unless (n_frames > 10);
  fail_unless_equals_int (feat->len, n_frames * n_feat * sizeof (float));
  /* bit for bit: training (es_frontend_process_clip) and serving (the
   * elements) run the same code, so any difference is drift, not rounding */
  if (memcmp (feat->data, ref, feat->len) != 0)
    for (i = 0; i < n_frames; i++)
      for (b = 0; b < n_feat; b++) {
        float got = ((const float *) feat->data)[i * n_feat + b];
        float want = ref[i * n_feat + b];

        fail_unless (memcmp (&got, &want, sizeof got) == 0,
            "frame %" G_GSIZE_FORMAT " value %u: element %.9g, frontend %.9g "
            "(not bit-identical)", i, b, got, want);
      }
  /* buffer k starts at frame OFFSET, stamped offset * hop / rate */
  for (i = 0; i < pts->len; i += 2) {
    guint64 t = g_array_index (pts, guint64, i);
    guint64 off = g_array_index (pts, guint64, i + 1);

    fail_unless_equals_uint64 (t, gst_util_uint64_scale_int (off *
            config->hop_size, GST_SECOND, config->sample_rate));
  }

  g_free (ref);
  es_frontend_free (fe);
  g_byte_array_unref (raw);
  g_byte_array_unref (feat);
  g_array_unref (pts);
  gst_object_unref (bus);
  gst_object_unref (raw_sink);
  gst_object_unref (feat_sink);
  gst_object_unref (p);
  g_free (desc);
}

GST_START_TEST (test_defaults_match_frontend)
{
  const gchar *props[3] = { "", "", "" };
  EsFrontendConfig config;

  es_frontend_config_init (&config, 16000);
  check_chain_matches_frontend (props, &config);
}

GST_END_TEST;

GST_START_TEST (test_settings_match_frontend)
{
  const gchar *props[3] = { "coefficient=0.9",
    "frame-size=512 hop-size=128 window=hann",
    "bands=40 fmin=100 fmax=7000 bandwidth=1.2 log-floor=1e-8 dct=20"
  };
  EsFrontendConfig config;

  es_frontend_config_init (&config, 22050);
  config.preemphasis = 0.9;
  config.frame_size = 512;
  config.hop_size = 128;
  config.window = ES_WINDOW_HANN;
  config.n_bands = 40;
  config.fmin = 100;
  config.fmax = 7000;
  config.bandwidth = 1.2;
  config.log_floor = 1e-8;
  config.n_dct = 20;
  check_chain_matches_frontend (props, &config);
}

GST_END_TEST;

static Suite *
pipeline_suite (void)
{
  Suite *s = suite_create ("pipeline");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_defaults_match_frontend);
  tcase_add_test (tc, test_settings_match_frontend);
  return s;
}

GST_CHECK_MAIN (pipeline);
