/* cnnclassify: decisions, messages, tags, caps checks and failure paths, on
 * tiny models built here so the test needs no shipped model. */
#include <math.h>
#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>

#include "model/model.h"
#include "decide/decision.h"

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

/* The next element message called name (others before it are dropped). */
static const GstStructure *
pop_named (GstBus * bus, const char *name, GstMessage ** msg)
{
  while ((*msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT)) != NULL) {
    if (gst_message_has_name (*msg, name))
      return gst_message_get_structure (*msg);
    gst_message_unref (*msg);
  }
  return NULL;
}

/* The next per-decision message (event messages are skipped). */
static const GstStructure *
pop_decision (GstBus * bus, GstMessage ** msg)
{
  return pop_named (bus, "cnnclassify", msg);
}

/* No per-decision message left on the bus. */
static gboolean
no_decision_left (GstBus * bus)
{
  GstMessage *msg;

  if (pop_decision (bus, &msg) == NULL)
    return TRUE;
  gst_message_unref (msg);
  return FALSE;
}

static char *
launch_for (const char *path, const char *extra)
{
  return g_strdup_printf ("cnnclassify model=\"%s\" %s", path, extra);
}

GST_START_TEST (test_features_decisions)
{
  GstBus *bus;
  char *launch = launch_for (features_model_path, "top-k=2 average-windows=1");
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
  fail_unless (no_decision_left (bus));

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
  fail_unless (no_decision_left (bus));
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
  fail_unless (no_decision_left (bus));

  teardown_with_bus (h, bus);
  g_free (launch);
}

GST_END_TEST;

GST_START_TEST (test_smoothing)
{
  GstBus *bus;
  char *launch = launch_for (features_model_path, "average-windows=3");
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
  fail_unless (no_decision_left (bus));
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


/* ---- events: made-up probability sequences through the element --------- */

#define Q (GST_SECOND / 4)

/* One feature vector every 0.25 s (framerate 4/1) whose softmax through the
 * features model gives "high" the probability p and "low", "mid" (1 - p) / 2
 * each: logits (0, 0, z) with z = ln (2p / (1 - p)). */
static void
push_prob (GstHarness * h, guint k, double p)
{
  float v[8] = { 0 };

  v[2] = (float) (log (2 * p / (1 - p)) / 10);
  fail_unless_equals_int (gst_harness_push (h, features_buffer (v, 8, k * Q,
              Q)), GST_FLOW_OK);
}

/* Thresholds 0.6 / 0.4 unless props say otherwise (the sequences below are
 * worked out for them). */
static GstHarness *
events_harness (const char *props, GstBus ** bus)
{
  char *both = g_strconcat ("on-threshold=0.6 off-threshold=0.4 ", props,
      NULL);
  char *launch = launch_for (features_model_path, both);
  GstHarness *h = harness_with_bus (launch, bus);

  g_free (launch);
  g_free (both);
  gst_harness_set_src_caps_str (h, "application/x-earshot-features, "
      "bands=(int)8, framerate=(fraction)4/1");
  return h;
}

static guint64
get_time (const GstStructure * s, const char *field)
{
  guint64 t = 0;

  fail_unless (gst_structure_get_uint64 (s, field, &t), "no %s", field);
  return t;
}

static double
get_double (const GstStructure * s, const char *field)
{
  double v = 0;

  fail_unless (gst_structure_get_double (s, field, &v), "no %s", field);
  return v;
}

/* The next event message: its kind, label and times (stream times). */
static GstMessage *
expect_event (GstBus * bus, const char *kind, const char *label,
    guint64 onset, guint64 offset, guint64 decided)
{
  GstMessage *msg;
  const GstStructure *s = pop_named (bus, "cnnclassify-event", &msg);

  fail_unless (s != NULL, "no %s event for %s", kind, label);
  fail_unless_equals_string (gst_structure_get_string (s, "event"), kind);
  fail_unless_equals_string (gst_structure_get_string (s, "label"), label);
  fail_unless_equals_string (gst_structure_get_string (s, "model"),
      "test-features");
  fail_unless_equals_uint64 (get_time (s, "onset"), onset);
  fail_unless_equals_uint64 (get_time (s, "offset"), offset);
  fail_unless_equals_uint64 (get_time (s, "stream-time"), decided);
  fail_unless_equals_uint64 (get_time (s, "timestamp"), decided);
  if (g_str_equal (kind, "end")) {
    fail_unless_equals_uint64 (get_time (s, "duration"), offset - onset);
  } else {
    fail_if (gst_structure_has_field (s, "reason"));
  }
  return msg;
}

static void
expect_no_event (GstBus * bus)
{
  GstMessage *msg;

  fail_unless (pop_named (bus, "cnnclassify-event", &msg) == NULL);
}

static void
push_probs (GstHarness * h, guint first, const double *p, guint n)
{
  for (guint i = 0; i < n; i++)
    push_prob (h, first + i, p[i]);
}

GST_START_TEST (test_event_hysteresis_times)
{
  GstBus *bus;
  GstHarness *h = events_harness ("average-windows=1 vote-k=1 vote-n=1 "
      "on-threshold=0.6 off-threshold=0.4 refractory=0", &bus);
  const double p[] = { 0.1, 0.5, 0.7, 0.8, 0.5, 0.3, 0.1 };
  GstMessage *msg;
  const GstStructure *s;

  push_probs (h, 0, p, G_N_ELEMENTS (p));
  /* starts at vector 2 (0.5 .. 0.75 s), decided at its end; 0.5 keeps it;
   * 0.3 at vector 5 ends it at vector 4's end (1.25 s) */
  msg = expect_event (bus, "start", "high", 2 * Q, GST_CLOCK_TIME_NONE, 3 * Q);
  s = gst_message_get_structure (msg);
  fail_unless (fabs (get_double (s, "confidence") - 0.7) < 1e-6);
  gst_message_unref (msg);
  msg = expect_event (bus, "end", "high", 2 * Q, 5 * Q, 6 * Q);
  s = gst_message_get_structure (msg);
  fail_unless_equals_string (gst_structure_get_string (s, "reason"),
      "decided");
  fail_unless (fabs (get_double (s, "mean-confidence") - 2.0 / 3) < 1e-6);
  fail_unless (fabs (get_double (s, "peak-confidence") - 0.8) < 1e-6);
  fail_unless (fabs (get_double (s, "confidence") - 2.0 / 3) < 1e-6);
  gst_message_unref (msg);
  expect_no_event (bus);
  teardown_with_bus (h, bus);
}

GST_END_TEST;

/* On a stream of frames the moving average over 2 is the default: a
 * one-vector spike does not start an event. */
GST_START_TEST (test_event_moving_average_default)
{
  GstBus *bus;
  GstHarness *h = events_harness ("vote-k=1 vote-n=1", &bus);
  const double p[] = { 0.02, 0.98, 0.02, 0.6, 0.8 };
  GstMessage *msg;
  const GstStructure *s;
  GstElement *el = gst_harness_find_element (h, "cnnclassify");
  guint average;

  g_object_get (el, "average-windows", &average, NULL);
  fail_unless_equals_int (average, 0);  /* automatic */
  gst_object_unref (el);
  push_probs (h, 0, p, G_N_ELEMENTS (p));
  /* decision messages carry the smoothed probabilities */
  for (guint i = 0; i < 4; i++) {
    s = pop_decision (bus, &msg);
    fail_unless (s != NULL);
    gst_message_unref (msg);
  }
  s = pop_decision (bus, &msg);
  fail_unless_equals_string (gst_structure_get_string (s, "label"), "high");
  fail_unless (fabs (get_double (s, "confidence") - 0.7) < 1e-6);
  gst_message_unref (msg);
  /* (0.6 + 0.8) / 2 at vector 4 starts it; onset at vector 4 */
  msg = expect_event (bus, "start", "high", 4 * Q, GST_CLOCK_TIME_NONE, 5 * Q);
  gst_message_unref (msg);
  expect_no_event (bus);
  teardown_with_bus (h, bus);
}

GST_END_TEST;

GST_START_TEST (test_event_exponential)
{
  GstBus *bus;
  GstHarness *h = events_harness ("smoothing=exponential "
      "time-constant=500000000 vote-k=1 vote-n=1", &bus);
  GstMessage *msg;
  const GstStructure *s;
  const GValue *probs;
  double a = 1 - exp (-0.5), want = a * 0.8 + (1 - a) * 0.2;

  push_prob (h, 0, 0.2);
  push_prob (h, 1, 0.8);
  s = pop_decision (bus, &msg);
  gst_message_unref (msg);
  s = pop_decision (bus, &msg);
  probs = gst_structure_get_value (s, "probabilities");
  fail_unless (fabs (g_value_get_double (gst_value_array_get_value (probs,
                  2)) - want) < 1e-6);
  gst_message_unref (msg);
  teardown_with_bus (h, bus);
}

GST_END_TEST;

GST_START_TEST (test_event_k_of_n)
{
  GstBus *bus;
  GstHarness *h = events_harness ("average-windows=1 vote-k=2 vote-n=3 "
      "refractory=0", &bus);
  const double p[] = { 0.1, 0.9, 0.1, 0.1, 0.7, 0.1, 0.7, 0.1 };
  GstMessage *msg;

  push_probs (h, 0, p, G_N_ELEMENTS (p));
  /* the lone 0.9 never gets a second vote; vectors 4 and 6 do */
  msg = expect_event (bus, "start", "high", 4 * Q, GST_CLOCK_TIME_NONE, 7 * Q);
  gst_message_unref (msg);
  msg = expect_event (bus, "end", "high", 4 * Q, 7 * Q, 8 * Q);
  gst_message_unref (msg);
  expect_no_event (bus);
  teardown_with_bus (h, bus);
}

GST_END_TEST;

GST_START_TEST (test_event_min_duration_refractory)
{
  GstBus *bus;
  GstHarness *h = events_harness ("average-windows=1 vote-k=1 vote-n=1 "
      "min-duration=500000000 refractory=1000000000", &bus);
  const double p[] = { 0.1, 0.7, 0.1, 0.7, 0.7, 0.7, 0.1, 0.7, 0.7, 0.7,
    0.7, 0.7
  };
  GstMessage *msg;

  push_probs (h, 0, p, G_N_ELEMENTS (p));
  /* vector 1 alone is too short; 3..5 are announced after 0.5 s (at 1.25 s) */
  msg = expect_event (bus, "start", "high", 3 * Q, GST_CLOCK_TIME_NONE, 5 * Q);
  gst_message_unref (msg);
  msg = expect_event (bus, "end", "high", 3 * Q, 6 * Q, 7 * Q);
  gst_message_unref (msg);
  /* no onset before 1.5 + 1 s: vector 10 is the first, announced at 3 s */
  msg = expect_event (bus, "start", "high", 10 * Q, GST_CLOCK_TIME_NONE,
      12 * Q);
  gst_message_unref (msg);
  expect_no_event (bus);
  teardown_with_bus (h, bus);
}

GST_END_TEST;

GST_START_TEST (test_event_gaps)
{
  GstBus *bus;
  GstHarness *h = events_harness ("average-windows=1 vote-k=1 vote-n=1 "
      "refractory=0", &bus);
  float v[8] = { 0 };
  GstBuffer *buf;
  GstMessage *msg;

  push_prob (h, 0, 0.1);
  push_prob (h, 1, 0.9);
  push_prob (h, 2, 0.9);
  msg = expect_event (bus, "start", "high", Q, GST_CLOCK_TIME_NONE, 2 * Q);
  gst_message_unref (msg);

  /* a DISCONT buffer ends it at vector 2's end, then starts afresh */
  v[2] = (float) (log (2 * 0.9 / 0.1) / 10);
  buf = features_buffer (v, 8, 3 * Q, Q);
  GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
  fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_OK);
  msg = expect_event (bus, "end", "high", Q, 3 * Q, 3 * Q);
  fail_unless_equals_string (gst_structure_get_string
      (gst_message_get_structure (msg), "reason"), "gap");
  gst_message_unref (msg);
  msg = expect_event (bus, "start", "high", 3 * Q, GST_CLOCK_TIME_NONE, 4 * Q);
  gst_message_unref (msg);

  /* a GAP event ends it too */
  fail_unless (gst_harness_push_event (h, gst_event_new_gap (4 * Q, Q)));
  msg = expect_event (bus, "end", "high", 3 * Q, 4 * Q, 4 * Q);
  gst_message_unref (msg);

  /* and so does a timestamp jump of more than half a vector */
  push_prob (h, 5, 0.9);
  msg = expect_event (bus, "start", "high", 5 * Q, GST_CLOCK_TIME_NONE, 6 * Q);
  gst_message_unref (msg);
  push_prob (h, 9, 0.9);
  msg = expect_event (bus, "end", "high", 5 * Q, 6 * Q, 6 * Q);
  gst_message_unref (msg);
  msg = expect_event (bus, "start", "high", 9 * Q, GST_CLOCK_TIME_NONE,
      10 * Q);
  gst_message_unref (msg);
  expect_no_event (bus);
  teardown_with_bus (h, bus);
}

GST_END_TEST;

/* The probabilities the features model gives "high" = p: the same
 * arithmetic as the element (library softmax on float logits). */
static void
probs_for (double p, double *out)
{
  float logits[3] = { 0, 0, 10.0f * (float) (log (2 * p / (1 - p)) / 10) };

  es_decision_probabilities (logits, 3, out);
}

GST_START_TEST (test_eos_summary)
{
  GstBus *bus;
  GstHarness *h = events_harness ("average-windows=1 vote-k=1 vote-n=1 "
      "refractory=0", &bus);
  const double p[] = { 0.1, 0.9, 0.9 };
  double want[3] = { 0 }, one[3];
  GstMessage *msg;
  const GstStructure *s;
  const GValue *v;
  guint64 windows = 0;

  push_probs (h, 0, p, G_N_ELEMENTS (p));
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  msg = expect_event (bus, "start", "high", Q, GST_CLOCK_TIME_NONE, 2 * Q);
  gst_message_unref (msg);
  msg = expect_event (bus, "end", "high", Q, 3 * Q, 3 * Q);
  fail_unless_equals_string (gst_structure_get_string
      (gst_message_get_structure (msg), "reason"), "eos");
  gst_message_unref (msg);

  s = pop_named (bus, "cnnclassify-summary", &msg);
  fail_unless (s != NULL);
  fail_unless (gst_structure_get_uint64 (s, "windows", &windows));
  fail_unless_equals_uint64 (windows, 3);
  fail_unless_equals_uint64 (get_time (s, "duration"), 3 * Q);
  fail_unless_equals_string (gst_structure_get_string (s, "label"), "high");
  for (guint i = 0; i < 3; i++) {
    probs_for (p[i], one);
    for (guint k = 0; k < 3; k++)
      want[k] += one[k] / 3;
  }
  v = gst_structure_get_value (s, "probabilities");
  for (guint k = 0; k < 3; k++)
    fail_unless (fabs (g_value_get_double (gst_value_array_get_value (v, k))
            - want[k]) < 1e-12);
  fail_unless (fabs (get_double (s, "confidence") - want[2]) < 1e-12);
  /* vector 0's best is low (low and mid tie): a third of the time */
  v = gst_structure_get_value (s, "shares");
  fail_unless (fabs (g_value_get_double (gst_value_array_get_value (v, 0))
          - 1.0 / 3) < 1e-12);
  fail_unless (fabs (g_value_get_double (gst_value_array_get_value (v, 2))
          - 2.0 / 3) < 1e-12);
  v = gst_structure_get_value (s, "events");
  fail_unless_equals_int (g_value_get_uint (gst_value_array_get_value (v, 2)),
      1);
  fail_unless_equals_int (g_value_get_uint (gst_value_array_get_value (v, 0)),
      0);
  gst_message_unref (msg);
  teardown_with_bus (h, bus);
}

GST_END_TEST;

GST_START_TEST (test_flush_forgets)
{
  GstBus *bus;
  GstHarness *h = events_harness ("average-windows=1 vote-k=1 vote-n=1",
      &bus);
  GstSegment segment;
  GstMessage *msg;
  const GstStructure *s;
  guint64 windows = 1;

  push_prob (h, 0, 0.9);
  msg = expect_event (bus, "start", "high", 0, GST_CLOCK_TIME_NONE, Q);
  gst_message_unref (msg);
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_start ()));
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
  gst_segment_init (&segment, GST_FORMAT_TIME);
  fail_unless (gst_harness_push_event (h, gst_event_new_segment (&segment)));
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  /* no end for the dropped event; the summary saw no decision */
  expect_no_event (bus);
  drain_bus (bus);
  teardown_with_bus (h, bus);

  h = events_harness ("average-windows=1 vote-k=1 vote-n=1", &bus);
  push_prob (h, 0, 0.9);
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_start ()));
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
  fail_unless (gst_harness_push_event (h, gst_event_new_segment (&segment)));
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  s = pop_named (bus, "cnnclassify-summary", &msg);
  fail_unless (s != NULL);
  fail_unless (gst_structure_get_uint64 (s, "windows", &windows));
  fail_unless_equals_uint64 (windows, 0);
  fail_if (gst_structure_has_field (s, "label"));
  gst_message_unref (msg);
  teardown_with_bus (h, bus);
}

GST_END_TEST;

GST_START_TEST (test_post_events_off)
{
  GstBus *bus;
  GstHarness *h = events_harness ("average-windows=1 vote-k=1 vote-n=1 "
      "post-events=false", &bus);
  GstMessage *msg;

  push_prob (h, 0, 0.9);
  push_prob (h, 1, 0.1);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  fail_unless (pop_named (bus, "cnnclassify-event", &msg) == NULL);
  teardown_with_bus (h, bus);
  h = events_harness ("average-windows=1 post-events=false", &bus);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  fail_unless (pop_named (bus, "cnnclassify-summary", &msg) == NULL);
  teardown_with_bus (h, bus);
}

GST_END_TEST;

GST_START_TEST (test_tags_on_label_change)
{
  GstBus *bus;
  GstHarness *h = events_harness ("average-windows=1", &bus);
  const double p[] = { 0.9, 0.9, 0.1, 0.1, 0.9 };
  GstEvent *ev;
  guint tags = 0;

  push_probs (h, 0, p, G_N_ELEMENTS (p));
  /* high, low (low and mid tie at 0.45), high: three changes */
  while ((ev = gst_harness_try_pull_event (h)) != NULL) {
    if (GST_EVENT_TYPE (ev) == GST_EVENT_TAG) {
      GstTagList *list;
      gchar *label = NULL;

      gst_event_parse_tag (ev, &list);
      if (gst_tag_list_get_string (list, "earshot-label", &label)) {
        fail_unless_equals_string (label, tags == 1 ? "low" : "high");
        tags++;
        g_free (label);
      }
    }
    gst_event_unref (ev);
  }
  fail_unless_equals_int (tags, 3);
  teardown_with_bus (h, bus);
}

GST_END_TEST;


/* on-threshold is controllable: a change applies from the next buffer. */
GST_START_TEST (test_thresholds_change_while_playing)
{
  GstBus *bus;
  GstHarness *h = events_harness ("average-windows=1 on-threshold=0.95",
      &bus);
  GstElement *el = gst_harness_find_element (h, "cnnclassify");
  GstMessage *msg;

  push_prob (h, 0, 0.9);
  expect_no_event (bus);
  g_object_set (el, "on-threshold", 0.85, NULL);
  push_prob (h, 1, 0.9);
  msg = expect_event (bus, "start", "high", Q, GST_CLOCK_TIME_NONE, 2 * Q);
  gst_message_unref (msg);
  /* an off-threshold above the on-threshold is refused: the old pair stays */
  g_object_set (el, "off-threshold", 0.95, NULL);
  push_prob (h, 2, 0.9);
  expect_no_event (bus);
  gst_object_unref (el);
  teardown_with_bus (h, bus);
}

GST_END_TEST;

/* ---- windows of a feature stream ---------------------------------------- */

static const char *const window_labels[] = { "none", "newest", "oldest", NULL };

/* Input [4, 5]: 4 bands (channels) by 5 frames (time). "newest" reads band 1
 * of the newest frame, "oldest" band 1 of the oldest: this checks the
 * channels x time layout. */
static char *
make_window_model (void)
{
  char *path = g_build_filename (tmpdir, "window.safetensors", NULL);
  size_t shape[2] = { 4, 5 };
  GError *err = NULL;
  EsModel *m = es_model_new ("test-window",
      "[{\"type\":\"flatten\"},{\"type\":\"dense\",\"out_features\":3}]",
      ES_MODEL_INPUT_FEATURES, 2, shape, window_labels, &err);
  EsNetParam *w, *b;

  fail_unless (m != NULL, "%s", err ? err->message : "");
  w = es_net_find_param (es_model_get_net (m), "1.weight");
  b = es_net_find_param (es_model_get_net (m), "1.bias");
  memset (w->value->data, 0, 3 * 20 * sizeof (float));
  b->value->data[0] = 5;
  b->value->data[1] = b->value->data[2] = 0;
  w->value->data[1 * 20 + 1 * 5 + 4] = 20;     /* band 1, t = 4 */
  w->value->data[2 * 20 + 1 * 5 + 0] = 20;     /* band 1, t = 0 */
  fail_unless (es_model_save (m, path, &err), "%s", err ? err->message : "");
  es_model_free (m);
  return path;
}

GST_START_TEST (test_windows_layout_and_times)
{
  char *path = make_window_model ();
  char *launch = g_strdup_printf ("cnnclassify model=\"%s\" hop-frames=2 "
      "average-windows=1", path);
  GstBus *bus;
  GstHarness *h = harness_with_bus (launch, &bus);
  const char *expect[] = { "none", "newest", "none", "oldest" };
  float frames[12 * 4] = { 0 };
  GstMessage *msg;
  const GstStructure *s;

  frames[6 * 4 + 1] = 1;        /* frame 6, band 1 */
  gst_harness_set_src_caps_str (h, "application/x-earshot-features, "
      "bands=(int)4, framerate=(fraction)100/1");
  /* buffers of 3 frames, 10 ms each */
  for (guint k = 0; k < 12; k += 3)
    fail_unless_equals_int (gst_harness_push (h, features_buffer (frames +
                k * 4, 12, k * 10 * GST_MSECOND, 30 * GST_MSECOND)),
        GST_FLOW_OK);
  /* window j holds frames 2j .. 2j + 4 and spans their 50 ms */
  for (guint j = 0; j < G_N_ELEMENTS (expect); j++) {
    s = pop_decision (bus, &msg);
    fail_unless (s != NULL, "window %u missing", j);
    fail_unless_equals_string (gst_structure_get_string (s, "label"),
        expect[j]);
    fail_unless_equals_uint64 (get_time (s, "timestamp"),
        2 * j * 10 * GST_MSECOND);
    fail_unless_equals_uint64 (get_time (s, "duration"), 50 * GST_MSECOND);
    gst_message_unref (msg);
  }
  fail_unless (no_decision_left (bus));
  teardown_with_bus (h, bus);
  g_free (launch);

  /* the automatic hop: 0.25 s of 100 frames/s = 25 frames */
  launch = g_strdup_printf ("cnnclassify model=\"%s\"", path);
  h = harness_with_bus (launch, &bus);
  gst_harness_set_src_caps_str (h, "application/x-earshot-features, "
      "bands=(int)4, framerate=(fraction)100/1");
  {
    float *many = g_new0 (float, 60 * 4);

    fail_unless_equals_int (gst_harness_push (h, features_buffer (many, 240,
                0, 600 * GST_MSECOND)), GST_FLOW_OK);
    g_free (many);
  }
  for (guint j = 0; j < 3; j++) {
    s = pop_decision (bus, &msg);
    fail_unless (s != NULL);
    fail_unless_equals_uint64 (get_time (s, "timestamp"), j * Q);
    gst_message_unref (msg);
  }
  fail_unless (no_decision_left (bus));
  teardown_with_bus (h, bus);
  g_free (launch);
  g_unlink (path);
  g_free (path);
}

GST_END_TEST;

/* ---- a stream shorter than one window ---------------------------------------
 * The element side of window-padding.h on made-up features: cnnclassify
 * answers upstream's "earshot-window" query with its window (only with
 * pad-short on), and after the "earshot-window-padding" event the window
 * that holds the silence says how much of it is silence, the summary that
 * the stream was shorter than a window. */

/* Asks the element, as preemphasis does at EOS, how long one window is;
 * 0 when it does not answer. */
static guint
query_window (GstHarness * h)
{
  GstQuery *q = gst_query_new_custom (GST_QUERY_CUSTOM,
      gst_structure_new_empty ("earshot-window"));
  guint frames = 0;

  if (gst_pad_peer_query (h->srcpad, q))
    fail_unless (gst_structure_get_uint (gst_query_get_structure (q), "frames",
            &frames));
  gst_query_unref (q);
  return frames;
}

static void
push_padding_event (GstHarness * h, GstClockTime start, GstClockTime duration)
{
  fail_unless (gst_harness_push_event (h,
          gst_event_new_custom (GST_EVENT_CUSTOM_DOWNSTREAM,
              gst_structure_new ("earshot-window-padding", "start", G_TYPE_UINT64,
                  start, "duration", G_TYPE_UINT64, duration, "samples",
                  G_TYPE_UINT64, (guint64) 0, NULL))));
}

static const GstStructure *
expect_summary (GstBus * bus, GstMessage ** msg, gboolean shorter,
    guint64 padding, guint64 windows)
{
  const GstStructure *s = pop_named (bus, "cnnclassify-summary", msg);
  gboolean b = !shorter;

  fail_unless (s != NULL, "no summary");
  fail_unless (gst_structure_get_boolean (s, "shorter-than-window", &b));
  fail_unless_equals_int (b, shorter);
  fail_unless_equals_uint64 (get_time (s, "padding"), padding);
  fail_unless_equals_uint64 (get_time (s, "windows"), windows);
  return s;
}

GST_START_TEST (test_short_stream)
{
  char *path = make_window_model ();
  char *launch = g_strdup_printf ("cnnclassify model=\"%s\" average-windows=1",
      path);
  GstBus *bus;
  GstHarness *h = harness_with_bus (launch, &bus);
  float frames[5 * 4] = { 0 };
  GstSegment segment;
  GstMessage *msg;
  const GstStructure *s;

  gst_harness_set_src_caps_str (h, "application/x-earshot-features, "
      "bands=(int)4, framerate=(fraction)100/1");
  fail_unless_equals_int (query_window (h), 5);

  /* 3 frames of "audio" (band 1 of the oldest set), then upstream says the
   * silence starts at 30 ms and lasts 25 ms (a window's samples reach past
   * its frames' hop-long spans) and sends its 2 frames: the window is frames
   * 0-4, 0-50 ms, of which 20 ms (frames 3 and 4) lie after the audio */
  frames[1] = 1;
  fail_unless_equals_int (gst_harness_push (h, features_buffer (frames, 12, 0,
              30 * GST_MSECOND)), GST_FLOW_OK);
  fail_unless (pop_decision (bus, &msg) == NULL);
  push_padding_event (h, 30 * GST_MSECOND, 25 * GST_MSECOND);
  fail_unless_equals_int (gst_harness_push (h, features_buffer (frames + 12, 8,
              30 * GST_MSECOND, 20 * GST_MSECOND)), GST_FLOW_OK);
  s = pop_decision (bus, &msg);
  fail_unless (s != NULL, "the completed window made no decision");
  fail_unless_equals_string (gst_structure_get_string (s, "label"), "oldest");
  fail_unless_equals_uint64 (get_time (s, "timestamp"), 0);
  fail_unless_equals_uint64 (get_time (s, "duration"), 50 * GST_MSECOND);
  fail_unless_equals_uint64 (get_time (s, "padding"), 20 * GST_MSECOND);
  gst_message_unref (msg);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  expect_summary (bus, &msg, TRUE, 25 * GST_MSECOND, 1);
  gst_message_unref (msg);

  /* a flush forgets it: then a stream of exactly one window (5 frames) is
   * neither said short nor its message given a padding */
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_start ()));
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
  gst_segment_init (&segment, GST_FORMAT_TIME);
  fail_unless (gst_harness_push_event (h, gst_event_new_segment (&segment)));
  drain_bus (bus);
  fail_unless_equals_int (gst_harness_push (h, features_buffer (frames, 20, 0,
              50 * GST_MSECOND)), GST_FLOW_OK);
  s = pop_decision (bus, &msg);
  fail_unless (s != NULL);
  fail_unless_equals_string (gst_structure_get_string (s, "label"), "oldest");
  fail_if (gst_structure_has_field (s, "padding"));
  gst_message_unref (msg);
  /* a stream that made a decision asks for no silence, whatever follows */
  fail_unless_equals_int (query_window (h), 0);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  expect_summary (bus, &msg, FALSE, 0, 1);
  gst_message_unref (msg);
  teardown_with_bus (h, bus);
  g_free (launch);

  /* pad-short=false: nothing upstream is asked to pad */
  launch = g_strdup_printf ("cnnclassify model=\"%s\" pad-short=false", path);
  h = harness_with_bus (launch, &bus);
  gst_harness_set_src_caps_str (h, "application/x-earshot-features, "
      "bands=(int)4, framerate=(fraction)100/1");
  fail_unless_equals_int (query_window (h), 0);
  teardown_with_bus (h, bus);
  g_free (launch);
  g_unlink (path);
  g_free (path);
}

GST_END_TEST;

static void
expect_error_text (GstBus * bus, const char *text)
{
  GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  GError *err = NULL;

  fail_unless (msg != NULL, "no error (wanted \"%s\")", text);
  gst_message_parse_error (msg, &err, NULL);
  fail_unless (strstr (err->message, text) != NULL,
      "error \"%s\" lacks \"%s\"", err->message, text);
  g_error_free (err);
  gst_message_unref (msg);
}

GST_START_TEST (test_window_errors)
{
  char *path = make_window_model ();
  char *launch;
  GstBus *bus;
  GstHarness *h;
  GstElement *el;
  float v[20] = { 0 };

  /* a window length the model was not built for */
  launch = g_strdup_printf ("cnnclassify model=\"%s\" window-frames=7", path);
  h = harness_with_bus (launch, &bus);
  gst_harness_set_src_caps_str (h, "application/x-earshot-features, "
      "bands=(int)4, framerate=(fraction)100/1");
  fail_if (gst_harness_push (h, features_buffer (v, 4, 0, 10 * GST_MSECOND))
      == GST_FLOW_OK);
  expect_error_text (bus, "takes windows of 5 frames; window-frames=7");
  teardown_with_bus (h, bus);
  g_free (launch);

  /* windows need a stream of frames, not a single vector */
  launch = g_strdup_printf ("cnnclassify model=\"%s\"", path);
  h = harness_with_bus (launch, &bus);
  gst_harness_set_src_caps_str (h, "application/x-earshot-features, "
      "bands=(int)4, framerate=(fraction)0/1");
  fail_if (gst_harness_push (h, features_buffer (v, 4, 0, GST_CLOCK_TIME_NONE))
      == GST_FLOW_OK);
  expect_error_text (bus, "no frame rate");
  teardown_with_bus (h, bus);
  g_free (launch);

  /* k of n with k > n */
  el = gst_element_factory_make ("cnnclassify", NULL);
  bus = gst_bus_new ();
  gst_element_set_bus (el, bus);
  g_object_set (el, "model", path, "vote-k", 3, "vote-n", 2, NULL);
  fail_unless_equals_int (gst_element_set_state (el, GST_STATE_PAUSED),
      GST_STATE_CHANGE_FAILURE);
  expect_error_text (bus, "k = 3, n = 2");
  gst_element_set_state (el, GST_STATE_NULL);
  g_object_set (el, "vote-k", 1, "on-threshold", 0.3, "off-threshold", 0.5,
      NULL);
  fail_unless_equals_int (gst_element_set_state (el, GST_STATE_PAUSED),
      GST_STATE_CHANGE_FAILURE);
  expect_error_text (bus, "off-threshold 0.5");
  gst_element_set_state (el, GST_STATE_NULL);
  drain_bus (bus);
  gst_object_unref (el);
  drain_bus (bus);
  gst_object_unref (bus);
  g_unlink (path);
  g_free (path);
}

GST_END_TEST;

/* A background label never starts an event: named by the property, or by
 * the model (then "" turns it off); a name that is not a label is an error. */
GST_START_TEST (test_event_background_label)
{
  const double p[] = { 0.1, 0.5, 0.7, 0.8, 0.5, 0.3, 0.1 };
  char *bg_path = g_build_filename (tmpdir, "features-bg.safetensors", NULL);
  char *launch;
  GstBus *bus;
  GstHarness *h;
  GstMessage *msg;
  GstElement *el;
  EsModel *m;
  GError *err = NULL;

  /* the property on a model without one */
  h = events_harness ("average-windows=1 refractory=0 background-label=high",
      &bus);
  push_probs (h, 0, p, G_N_ELEMENTS (p));
  expect_no_event (bus);
  teardown_with_bus (h, bus);

  /* the model's own background label, and "" to hear it anyway */
  m = es_model_load (features_model_path, &err);
  fail_unless (m != NULL);
  fail_unless (es_model_get_background_label (m) == NULL);
  fail_unless (es_model_set_background_label (m, "high", &err));
  fail_unless (es_model_save (m, bg_path, &err));
  es_model_free (m);
  launch = g_strdup_printf ("cnnclassify model=\"%s\" on-threshold=0.6 "
      "off-threshold=0.4 average-windows=1 refractory=0", bg_path);
  h = harness_with_bus (launch, &bus);
  gst_harness_set_src_caps_str (h, "application/x-earshot-features, "
      "bands=(int)8, framerate=(fraction)4/1");
  push_probs (h, 0, p, G_N_ELEMENTS (p));
  expect_no_event (bus);
  teardown_with_bus (h, bus);
  g_free (launch);
  launch = g_strdup_printf ("cnnclassify model=\"%s\" on-threshold=0.6 "
      "off-threshold=0.4 average-windows=1 refractory=0 background-label=\"\"",
      bg_path);
  h = harness_with_bus (launch, &bus);
  gst_harness_set_src_caps_str (h, "application/x-earshot-features, "
      "bands=(int)8, framerate=(fraction)4/1");
  push_probs (h, 0, p, G_N_ELEMENTS (p));
  msg = expect_event (bus, "start", "high", 2 * Q, GST_CLOCK_TIME_NONE, 3 * Q);
  gst_message_unref (msg);
  teardown_with_bus (h, bus);
  g_free (launch);

  /* not a label of the model */
  el = gst_element_factory_make ("cnnclassify", NULL);
  bus = gst_bus_new ();
  gst_element_set_bus (el, bus);
  g_object_set (el, "model", features_model_path, "background-label", "silence",
      NULL);
  fail_unless_equals_int (gst_element_set_state (el, GST_STATE_PAUSED),
      GST_STATE_CHANGE_FAILURE);
  expect_error_text (bus, "background-label \"silence\" is not one of");
  gst_element_set_state (el, GST_STATE_NULL);
  drain_bus (bus);
  gst_object_unref (el);
  drain_bus (bus);
  gst_object_unref (bus);
  g_unlink (bg_path);
  g_free (bg_path);
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

  tc = tcase_create ("events");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_event_hysteresis_times);
  tcase_add_test (tc, test_event_moving_average_default);
  tcase_add_test (tc, test_event_exponential);
  tcase_add_test (tc, test_event_k_of_n);
  tcase_add_test (tc, test_event_min_duration_refractory);
  tcase_add_test (tc, test_event_gaps);
  tcase_add_test (tc, test_eos_summary);
  tcase_add_test (tc, test_flush_forgets);
  tcase_add_test (tc, test_post_events_off);
  tcase_add_test (tc, test_tags_on_label_change);
  tcase_add_test (tc, test_thresholds_change_while_playing);
  tcase_add_test (tc, test_windows_layout_and_times);
  tcase_add_test (tc, test_window_errors);
  tcase_add_test (tc, test_event_background_label);
  tcase_add_test (tc, test_short_stream);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (cnnclassify);
