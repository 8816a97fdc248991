/* cnnclassify: decisions, messages, tags, caps checks and failure paths, on
 * tiny models built here so the test needs no shipped model. */
#include <math.h>
#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>

#include "model/model.h"

static char *tmpdir;
static char *features_model_path;
static char *image_model_path;

static const char *const feature_labels[] = { "low", "mid", "high", NULL };
static const char *const image_labels[] = { "dark", "light", NULL };

/* 8 inputs -> 3 classes; class k scores 10 * x[k], so the largest of the
 * first three inputs wins. */
static void
make_features_model (void)
{
  size_t shape[2] = { 1, 8 };
  GError *err = NULL;
  EsModel *m = es_model_new ("test-features",
      "[{\"type\":\"flatten\"},{\"type\":\"dense\",\"out_features\":3}]",
      ES_MODEL_INPUT_FEATURES, 2, shape, feature_labels, &err);
  EsNetParam *w, *b;

  fail_unless (m != NULL, "%s", err ? err->message : "");
  w = es_net_find_param (es_model_get_net (m), "1.weight");
  b = es_net_find_param (es_model_get_net (m), "1.bias");
  fail_unless (w && b);
  memset (w->value->data, 0, 3 * 8 * sizeof (float));
  memset (b->value->data, 0, 3 * sizeof (float));
  for (int k = 0; k < 3; k++)
    w->value->data[k * 8 + k] = 10.0f;
  fail_unless (es_model_save (m, features_model_path, &err), "%s",
      err ? err->message : "");
  es_model_free (m);
}

/* 4x4 grey images -> dark/light by mean brightness. */
static void
make_image_model (void)
{
  size_t shape[3] = { 1, 4, 4 };
  GError *err = NULL;
  EsModel *m = es_model_new ("test-image",
      "[{\"type\":\"flatten\"},{\"type\":\"dense\",\"out_features\":2}]",
      ES_MODEL_INPUT_IMAGE, 3, shape, image_labels, &err);
  EsNetParam *w, *b;

  fail_unless (m != NULL, "%s", err ? err->message : "");
  w = es_net_find_param (es_model_get_net (m), "1.weight");
  b = es_net_find_param (es_model_get_net (m), "1.bias");
  for (int i = 0; i < 16; i++) {
    w->value->data[i] = -1.0f;
    w->value->data[16 + i] = 1.0f;
  }
  b->value->data[0] = 0.0f;
  b->value->data[1] = 0.0f;
  fail_unless (es_model_save (m, image_model_path, &err), "%s",
      err ? err->message : "");
  es_model_free (m);
}

static void
setup (void)
{
  tmpdir = g_dir_make_tmp ("es-cnnclassify-XXXXXX", NULL);
  features_model_path = g_build_filename (tmpdir, "features.safetensors", NULL);
  image_model_path = g_build_filename (tmpdir, "image.safetensors", NULL);
  make_features_model ();
  make_image_model ();
}

static void
teardown (void)
{
  g_unlink (features_model_path);
  g_unlink (image_model_path);
  g_rmdir (tmpdir);
  g_free (features_model_path);
  g_free (image_model_path);
  g_free (tmpdir);
}

static GstHarness *
harness_with_bus (const char *launch, GstBus ** bus)
{
  GstHarness *h = gst_harness_new_parse (launch);

  *bus = gst_bus_new ();
  gst_element_set_bus (h->element, *bus);
  return h;
}

static void
drain_bus (GstBus * bus)
{
  GstMessage *m;

  while ((m = gst_bus_pop (bus)) != NULL)
    gst_message_unref (m);
}

/* Queued messages hold the element, which holds the bus: drain it before and
 * after the teardown so nothing is left in a reference cycle. */
static void
teardown_with_bus (GstHarness * h, GstBus * bus)
{
  drain_bus (bus);
  gst_harness_teardown (h);
  drain_bus (bus);
  gst_object_unref (bus);
}

static GstBuffer *
features_buffer (const float *values, gsize n, GstClockTime pts,
    GstClockTime duration)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, n * sizeof (float), NULL);

  gst_buffer_fill (buf, 0, values, n * sizeof (float));
  GST_BUFFER_PTS (buf) = pts;
  GST_BUFFER_DURATION (buf) = duration;
  return buf;
}

static const GstStructure *
pop_decision (GstBus * bus, GstMessage ** msg)
{
  *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT);
  if (*msg == NULL)
    return NULL;
  fail_unless (gst_message_has_name (*msg, "cnnclassify"));
  return gst_message_get_structure (*msg);
}

static char *
launch_for (const char *path, const char *extra)
{
  return g_strdup_printf ("cnnclassify model=\"%s\" %s", path, extra);
}

GST_START_TEST (test_features_decisions)
{
  GstBus *bus;
  char *launch = launch_for (features_model_path, "top-k=2");
  GstHarness *h = harness_with_bus (launch, &bus);
  float v[16] = { 0.1f, 0.9f, 0.2f, 0, 0, 0, 0, 0,
    0.8f, 0.1f, 0.0f, 0, 0, 0, 0, 0
  };
  GstMessage *msg;
  const GstStructure *s;
  GstBuffer *out;
  const GValue *probs, *top;
  double sum = 0, conf;
  guint64 ts;
  GstEvent *ev;
  gboolean saw_tag = FALSE;

  gst_harness_set_src_caps_str (h, "application/x-earshot-features, bands=(int)8, "
      "framerate=(fraction)10/1, scale=(string)log-frequency");
  fail_unless_equals_int (gst_harness_push (h, features_buffer (v, 16,
              GST_SECOND, GST_SECOND / 5)), GST_FLOW_OK);

  /* passthrough: the very same bytes come out */
  out = gst_harness_pull (h);
  fail_unless_equals_int (gst_buffer_get_size (out), 16 * sizeof (float));
  fail_unless (gst_buffer_memcmp (out, 0, v, sizeof v) == 0);
  gst_buffer_unref (out);

  s = pop_decision (bus, &msg);
  fail_unless (s != NULL);
  fail_unless_equals_string (gst_structure_get_string (s, "label"), "mid");
  fail_unless_equals_string (gst_structure_get_string (s, "model"),
      "test-features");
  fail_unless (gst_structure_get_uint64 (s, "timestamp", &ts));
  fail_unless_equals_uint64 (ts, GST_SECOND);
  fail_unless (gst_structure_get_double (s, "confidence", &conf));
  probs = gst_structure_get_value (s, "probabilities");
  fail_unless_equals_int (gst_value_array_get_size (probs), 3);
  for (guint i = 0; i < 3; i++)
    sum += g_value_get_double (gst_value_array_get_value (probs, i));
  fail_unless (fabs (sum - 1.0) < 1e-6);
  /* softmax of (1, 9, 2): p(mid) = e^9 / (e^1 + e^9 + e^2) */
  fail_unless (fabs (conf - exp (9) / (exp (1) + exp (9) + exp (2))) < 1e-6);
  top = gst_structure_get_value (s, "top-labels");
  fail_unless_equals_int (gst_value_array_get_size (top), 2);
  fail_unless_equals_string (g_value_get_string (gst_value_array_get_value
          (top, 0)), "mid");
  fail_unless_equals_string (g_value_get_string (gst_value_array_get_value
          (top, 1)), "high");
  gst_message_unref (msg);

  s = pop_decision (bus, &msg);
  fail_unless (s != NULL);
  fail_unless_equals_string (gst_structure_get_string (s, "label"), "low");
  fail_unless (gst_structure_get_uint64 (s, "timestamp", &ts));
  fail_unless_equals_uint64 (ts, GST_SECOND + GST_SECOND / 10);
  gst_message_unref (msg);
  fail_unless (gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT) == NULL);

  /* tag events carry the label, one per change */
  while ((ev = gst_harness_try_pull_event (h)) != NULL) {
    if (GST_EVENT_TYPE (ev) == GST_EVENT_TAG) {
      GstTagList *tags;
      gchar *label = NULL;
      gst_event_parse_tag (ev, &tags);
      if (gst_tag_list_get_string (tags, "earshot-label", &label)) {
        fail_unless (g_str_equal (label, "mid") || g_str_equal (label, "low"));
        saw_tag = TRUE;
        g_free (label);
      }
    }
    gst_event_unref (ev);
  }
  fail_unless (saw_tag);

  teardown_with_bus (h, bus);
  g_free (launch);
}

GST_END_TEST;

GST_START_TEST (test_threshold_and_post_messages)
{
  GstBus *bus;
  char *launch = launch_for (features_model_path, "threshold=0.99");
  GstHarness *h = harness_with_bus (launch, &bus);
  float close[8] = { 0.30f, 0.31f, 0.29f, 0, 0, 0, 0, 0 };
  float clear[8] = { 0.0f, 0.0f, 2.0f, 0, 0, 0, 0, 0 };
  GstMessage *msg;
  const GstStructure *s;

  gst_harness_set_src_caps_str (h,
      "application/x-earshot-features, bands=(int)8, framerate=(fraction)0/1");
  gst_harness_push (h, features_buffer (close, 8, 0, GST_CLOCK_TIME_NONE));
  fail_unless (gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT) == NULL);
  gst_harness_push (h, features_buffer (clear, 8, 0, GST_CLOCK_TIME_NONE));
  s = pop_decision (bus, &msg);
  fail_unless (s != NULL);
  fail_unless_equals_string (gst_structure_get_string (s, "label"), "high");
  gst_message_unref (msg);

  {
    GstElement *el = gst_harness_find_element (h, "cnnclassify");
    g_object_set (el, "post-messages", FALSE, NULL);
    gst_object_unref (el);
  }
  gst_harness_push (h, features_buffer (clear, 8, 0, GST_CLOCK_TIME_NONE));
  fail_unless (gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT) == NULL);

  teardown_with_bus (h, bus);
  g_free (launch);
}

GST_END_TEST;

GST_START_TEST (test_smoothing)
{
  GstBus *bus;
  char *launch = launch_for (features_model_path, "smoothing=3");
  GstHarness *h = harness_with_bus (launch, &bus);
  float low[8] = { 1.0f, 0, 0, 0, 0, 0, 0, 0 };
  float high[8] = { 0, 0, 1.0f, 0, 0, 0, 0, 0 };
  GstMessage *msg;
  const GstStructure *s;
  const char *expect[] = { "low", "low", "low", "high" };
  GstBuffer *buf;

  gst_harness_set_src_caps_str (h,
      "application/x-earshot-features, bands=(int)8, framerate=(fraction)0/1");
  gst_harness_push (h, features_buffer (low, 8, 0, GST_CLOCK_TIME_NONE));
  gst_harness_push (h, features_buffer (low, 8, 0, GST_CLOCK_TIME_NONE));
  /* one "high" vector after two "low": the average still says low */
  gst_harness_push (h, features_buffer (high, 8, 0, GST_CLOCK_TIME_NONE));
  /* a DISCONT restarts the average: the next "high" stands alone */
  buf = features_buffer (high, 8, 0, GST_CLOCK_TIME_NONE);
  GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
  gst_harness_push (h, buf);
  for (guint i = 0; i < G_N_ELEMENTS (expect); i++) {
    s = pop_decision (bus, &msg);
    fail_unless (s != NULL);
    fail_unless_equals_string (gst_structure_get_string (s, "label"),
        expect[i]);
    gst_message_unref (msg);
  }
  teardown_with_bus (h, bus);
  g_free (launch);
}

GST_END_TEST;

/* frsrc ! spectrogramimager ! cnnclassify needs no size: the imager draws
 * at the size the model advertises, here a wide 32 x 16 one. */
GST_START_TEST (test_imager_takes_model_size)
{
  char *path = g_build_filename (tmpdir, "wide.safetensors", NULL);
  size_t shape[3] = { 1, 16, 32 };
  GError *err = NULL;
  EsModel *m = es_model_new ("test-wide",
      "[{\"type\":\"flatten\"},{\"type\":\"dense\",\"out_features\":2}]",
      ES_MODEL_INPUT_IMAGE, 3, shape, image_labels, &err);
  char *launch;
  GstHarness *h;
  GstBus *bus;
  GstBuffer *buf;
  GstMessage *msg;
  GstCaps *caps;
  GstPad *sink;
  GstElement *cnn;
  float curve[128] = { 0 };
  gint w = 0, hh = 0;

  fail_unless (m != NULL, "%s", err ? err->message : "");
  fail_unless (es_model_save (m, path, &err), "%s", err ? err->message : "");
  es_model_free (m);
  launch = g_strdup_printf ("spectrogramimager ! cnnclassify name=c model=\"%s\"", path);
  h = harness_with_bus (launch, &bus);
  gst_harness_set_src_caps_str (h, "application/x-earshot-features, bands=(int)128, "
      "framerate=(fraction)0/1, scale=(string)log-frequency, unit=(string)dB, "
      "fmin=(double)20, fmax=(double)20000");
  buf = features_buffer (curve, 128, 0, GST_CLOCK_TIME_NONE);
  fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_OK);
  fail_unless (pop_decision (bus, &msg) != NULL);
  gst_message_unref (msg);
  cnn = gst_bin_get_by_name (GST_BIN (h->element), "c");
  sink = gst_element_get_static_pad (cnn, "sink");
  caps = gst_pad_get_current_caps (sink);
  fail_unless (gst_structure_get_int (gst_caps_get_structure (caps, 0), "width", &w));
  fail_unless (gst_structure_get_int (gst_caps_get_structure (caps, 0), "height", &hh));
  fail_unless_equals_int (w, 32);
  fail_unless_equals_int (hh, 16);
  gst_caps_unref (caps);
  gst_object_unref (sink);
  gst_object_unref (cnn);
  teardown_with_bus (h, bus);
  g_unlink (path);
  g_free (path);
  g_free (launch);
}

GST_END_TEST;

GST_START_TEST (test_image_model)
{
  GstBus *bus;
  char *launch = launch_for (image_model_path, "");
  GstHarness *h = harness_with_bus (launch, &bus);
  GstMessage *msg;
  const GstStructure *s;
  GstBuffer *buf;
  guint8 px[16];
  GstCaps *caps;

  /* the model's size is what the element advertises upstream */
  gst_harness_play (h);
  caps = gst_pad_peer_query_caps (h->srcpad, NULL);
  fail_unless (caps != NULL);
  {
    GstStructure *st = gst_caps_get_structure (caps, 0);
    gint w = 0, hh = 0;
    fail_unless (gst_structure_has_name (st, "video/x-raw"));
    fail_unless (gst_structure_get_int (st, "width", &w));
    fail_unless (gst_structure_get_int (st, "height", &hh));
    fail_unless_equals_int (w, 4);
    fail_unless_equals_int (hh, 4);
  }
  gst_caps_unref (caps);

  gst_harness_set_src_caps_str (h,
      "video/x-raw, format=(string)GRAY8, width=(int)4, height=(int)4, "
      "framerate=(fraction)0/1");
  /* GRAY8 rows are padded to 4 bytes: 4x4 has no padding */
  memset (px, 250, sizeof px);
  buf = gst_buffer_new_allocate (NULL, sizeof px, NULL);
  gst_buffer_fill (buf, 0, px, sizeof px);
  gst_harness_push (h, buf);
  s = pop_decision (bus, &msg);
  fail_unless (s != NULL);
  fail_unless_equals_string (gst_structure_get_string (s, "label"), "light");
  gst_message_unref (msg);

  memset (px, 0, sizeof px);
  buf = gst_buffer_new_allocate (NULL, sizeof px, NULL);
  gst_buffer_fill (buf, 0, px, sizeof px);
  gst_harness_push (h, buf);
  s = pop_decision (bus, &msg);
  fail_unless (s != NULL);
  /* all-zero input: logits tie at 0 -> first label */
  fail_unless_equals_string (gst_structure_get_string (s, "label"), "dark");
  gst_message_unref (msg);

  /* another size is resampled by area averaging: an 8x8 light image with a
   * dark 4x4 corner averages to 3/4 light */
  gst_harness_set_src_caps_str (h,
      "video/x-raw, format=(string)GRAY8, width=(int)8, height=(int)8, "
      "framerate=(fraction)0/1");
  {
    guint8 big[64];
    for (int y = 0; y < 8; y++)
      for (int x = 0; x < 8; x++)
        big[y * 8 + x] = (x < 4 && y < 4) ? 0 : 255;
    buf = gst_buffer_new_allocate (NULL, sizeof big, NULL);
    gst_buffer_fill (buf, 0, big, sizeof big);
  }
  gst_harness_push (h, buf);
  s = pop_decision (bus, &msg);
  fail_unless (s != NULL);
  fail_unless_equals_string (gst_structure_get_string (s, "label"), "light");
  {
    double conf;
    /* 12 light pixels of 16: logits light +12, dark -12 */
    fail_unless (gst_structure_get_double (s, "confidence", &conf));
    fail_unless (fabs (conf - 1.0 / (1.0 + exp (-24.0))) < 1e-6);
  }
  gst_message_unref (msg);

  teardown_with_bus (h, bus);
  g_free (launch);
}

GST_END_TEST;

/* An error message naming expected and got, after a push that fails. */
static void
expect_negotiation_error (const char *model, const char *caps,
    const char *expected_text)
{
  GstBus *bus;
  char *launch = launch_for (model, "");
  GstHarness *h = harness_with_bus (launch, &bus);
  GstMessage *msg;
  GError *err = NULL;
  GstBuffer *buf = gst_buffer_new_allocate (NULL, 16, NULL);

  gst_buffer_memset (buf, 0, 0, 16);
  gst_harness_set_src_caps_str (h, caps);
  fail_if (gst_harness_push (h, buf) == GST_FLOW_OK);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL);
  gst_message_parse_error (msg, &err, NULL);
  fail_unless (strstr (err->message, expected_text) != NULL,
      "error \"%s\" lacks \"%s\"", err->message, expected_text);
  g_error_free (err);
  gst_message_unref (msg);
  teardown_with_bus (h, bus);
  g_free (launch);
}

GST_START_TEST (test_wrong_input)
{
  expect_negotiation_error (features_model_path,
      "application/x-earshot-features, bands=(int)5, framerate=(fraction)0/1",
      "takes vectors of 8 values, got bands=5");
  expect_negotiation_error (features_model_path,
      "video/x-raw, format=(string)GRAY8, width=(int)4, height=(int)4, "
      "framerate=(fraction)0/1", "got images");
  expect_negotiation_error (image_model_path,
      "application/x-earshot-features, bands=(int)16, framerate=(fraction)0/1",
      "got feature vectors");
}

GST_END_TEST;

static void
expect_start_failure (const char *model_prop, const char *expected_text)
{
  GstElement *el = gst_element_factory_make ("cnnclassify", NULL);
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;
  GError *err = NULL;

  gst_element_set_bus (el, bus);
  if (model_prop)
    g_object_set (el, "model", model_prop, NULL);
  fail_unless_equals_int (gst_element_set_state (el, GST_STATE_PAUSED),
      GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL);
  gst_message_parse_error (msg, &err, NULL);
  fail_unless (g_error_matches (err, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_NOT_FOUND));
  fail_unless (strstr (err->message, expected_text) != NULL,
      "error \"%s\" lacks \"%s\"", err->message, expected_text);
  g_error_free (err);
  gst_message_unref (msg);
  gst_element_set_state (el, GST_STATE_NULL);
  drain_bus (bus);
  gst_object_unref (el);
  drain_bus (bus);
  gst_object_unref (bus);
}

GST_START_TEST (test_bad_model)
{
  char *garbage = g_build_filename (tmpdir, "garbage.safetensors", NULL);

  expect_start_failure (NULL, "No model given");
  expect_start_failure ("no-such-model-anywhere", "no-such-model-anywhere");
  fail_unless (g_file_set_contents (garbage, "not a model at all", -1, NULL));
  expect_start_failure (garbage, "garbage.safetensors");
  g_unlink (garbage);
  g_free (garbage);
}

GST_END_TEST;

GST_START_TEST (test_non_finite_input)
{
  GstBus *bus;
  char *launch = launch_for (features_model_path, "");
  GstHarness *h = harness_with_bus (launch, &bus);
  float v[16] = { NAN, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0 };
  GstMessage *msg;
  const GstStructure *s;

  gst_harness_set_src_caps_str (h,
      "application/x-earshot-features, bands=(int)8, framerate=(fraction)0/1");
  fail_unless_equals_int (gst_harness_push (h, features_buffer (v, 16, 0,
              GST_CLOCK_TIME_NONE)), GST_FLOW_OK);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING);
  fail_unless (msg != NULL);
  gst_message_unref (msg);
  /* the finite vector still gets its decision */
  s = pop_decision (bus, &msg);
  fail_unless (s != NULL);
  fail_unless_equals_string (gst_structure_get_string (s, "label"), "high");
  gst_message_unref (msg);
  fail_unless (gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT) == NULL);
  teardown_with_bus (h, bus);
  g_free (launch);
}

GST_END_TEST;

static guint
count_warnings (GstBus * bus)
{
  GstMessage *m;
  guint n = 0;

  while ((m = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING)) != NULL) {
    n++;
    gst_message_unref (m);
  }
  return n;
}

/* Documented: one non-finite warning per stream, not one per vector (a live
 * NaN source would otherwise flood the bus); a flush starts a new count. */
GST_START_TEST (test_non_finite_warns_once_per_stream)
{
  GstBus *bus;
  char *launch = launch_for (features_model_path, "");
  GstHarness *h = harness_with_bus (launch, &bus);
  float v[16] = { NAN, 1, 0, 0, 0, 0, 0, 0, INFINITY, 0, 1, 0, 0, 0, 0, 0 };
  GstSegment segment;

  gst_harness_set_src_caps_str (h,
      "application/x-earshot-features, bands=(int)8, framerate=(fraction)0/1");
  for (int i = 0; i < 3; i++)
    fail_unless_equals_int (gst_harness_push (h, features_buffer (v, 16,
                i * GST_SECOND, GST_SECOND)), GST_FLOW_OK);
  fail_unless_equals_int (count_warnings (bus), 1);

  fail_unless (gst_harness_push_event (h, gst_event_new_flush_start ()));
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
  gst_segment_init (&segment, GST_FORMAT_TIME);
  fail_unless (gst_harness_push_event (h, gst_event_new_segment (&segment)));
  fail_unless_equals_int (gst_harness_push (h, features_buffer (v, 16, 0,
              GST_SECOND)), GST_FLOW_OK);
  fail_unless_equals_int (count_warnings (bus), 1);
  teardown_with_bus (h, bus);
  g_free (launch);
}

GST_END_TEST;

static Suite *
cnnclassify_suite (void)
{
  Suite *s = suite_create ("cnnclassify");
  TCase *tc = tcase_create ("general");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_features_decisions);
  tcase_add_test (tc, test_threshold_and_post_messages);
  tcase_add_test (tc, test_smoothing);
  tcase_add_test (tc, test_image_model);
  tcase_add_test (tc, test_imager_takes_model_size);
  tcase_add_test (tc, test_wrong_input);
  tcase_add_test (tc, test_bad_model);
  tcase_add_test (tc, test_non_finite_input);
  tcase_add_test (tc, test_non_finite_warns_once_per_stream);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (cnnclassify);
