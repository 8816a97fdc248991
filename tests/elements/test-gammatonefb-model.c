/* gammatonefb model=: the front-end settings (bands, range, bandwidth,
 * compression, DCT) come from a model file's front-end description, the
 * frames must be the model's, and explicit properties must agree with it.
 * The models are made here. A learned front-end's bands come through
 * es_model_get_frontend_bands (its layer arrives with the engine's gammatone
 * layer); here the static branch of the same call is served. */
#include "es-check.h"

#include <glib/gstdio.h>

#include "dsp/compress.h"
#include "dsp/gammatone.h"
#include "dsp/window.h"
#include "model/model.h"

#define FRAMES_CAPS(rate, size, hop) "application/x-earshot-frames, " \
  "rate=(int)" #rate ", frame-size=(int)" #size ", hop-size=(int)" #hop ", " \
  "window=(string)hamming, framerate=(fraction)" #rate "/" #hop

#define N_FRAMES 6
#define FRAME 400

static char *tmpdir;

/* A model whose input is what the front-end `fe_json` makes per frame. */
static char *
make_model (const char *name, const char *fe_json, size_t n_in)
{
  static const char *const labels[] = { "a", "b", NULL };
  size_t shape[1] = { n_in };
  GError *err = NULL;
  EsModel *m = es_model_new (name, "[{\"type\":\"dense\",\"out_features\":2}]",
      ES_MODEL_INPUT_FEATURES, 1, shape, labels, &err);
  char *path = g_strdup_printf ("%s/%s.safetensors", tmpdir, name);

  fail_unless (m != NULL, "%s", err ? err->message : "");
  fail_unless (es_model_set_frontend (m, fe_json, &err), "%s", err ? err->message : "");
  fail_unless (es_model_save (m, path, &err), "%s", err ? err->message : "");
  es_model_free (m);
  return path;
}

static void
setup (void)
{
  tmpdir = g_dir_make_tmp ("es-gtfb-model-XXXXXX", NULL);
}

static void
teardown (void)
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
  g_free (tmpdir);
}

/* Windowed frames of a test signal. */
static gfloat *
test_frames (void)
{
  gfloat *x = es_test_signal (N_FRAMES * FRAME, 16000, 5);
  gfloat w[FRAME];

  es_window_fill (ES_WINDOW_HAMMING, w, FRAME);
  for (int f = 0; f < N_FRAMES; f++)
    for (int i = 0; i < FRAME; i++)
      x[f * FRAME + i] *= w[i];
  return x;
}

/* Run frames [from, to) of x through `launch` in buffers of `per_buffer`
 * frames (discont on the first one of a run); returns the output floats. */
static GByteArray *
run (const char *launch, const char *caps, const gfloat * x, guint per_buffer)
{
  GstHarness *h = gst_harness_new_parse (launch);
  GByteArray *out;

  gst_harness_set_src_caps_str (h, caps);
  for (guint f = 0; f < N_FRAMES; f += per_buffer) {
    GstBuffer *buf = es_buffer_new_copy (x + f * FRAME, per_buffer * FRAME, sizeof (gfloat));
    GST_BUFFER_PTS (buf) = f * 10 * GST_MSECOND;
    fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_OK);
  }
  out = es_harness_pull_all_bytes (h, NULL);
  gst_harness_teardown (h);
  return out;
}

/* The model's settings give the numbers the same properties give, bit for
 * bit, and the caps the model's input needs. */
GST_START_TEST (test_settings_from_model)
{
  char *path = make_model ("cep", "{\"source\":\"audio\",\"bands\":32,\"fmin\":100,"
      "\"fmax\":7000,\"bandwidth\":1.5,\"log_floor\":1e-8,\"dct\":13}", 13);
  char *with_model = g_strdup_printf ("gammatonefb model=\"%s\"", path);
  gfloat *x = test_frames ();
  GByteArray *a, *b;
  GstHarness *h;
  GstCaps *caps;
  gint bands;

  a = run (with_model, FRAMES_CAPS (16000, 400, 160), x, 2);
  b = run ("gammatonefb bands=32 fmin=100 fmax=7000 bandwidth=1.5 log-floor=1e-8 dct=13",
      FRAMES_CAPS (16000, 400, 160), x, 2);
  fail_unless_equals_int (a->len, N_FRAMES * 13 * sizeof (gfloat));
  fail_unless (a->len == b->len && memcmp (a->data, b->data, a->len) == 0);
  g_byte_array_unref (a);
  g_byte_array_unref (b);

  /* the output caps say what the model takes */
  h = gst_harness_new_parse (with_model);
  gst_harness_set_src_caps_str (h, FRAMES_CAPS (16000, 400, 160));
  gst_harness_push (h, es_buffer_new_copy (x, FRAME, sizeof (gfloat)));
  gst_buffer_unref (gst_harness_pull (h));
  caps = gst_pad_get_current_caps (h->sinkpad);
  fail_unless (gst_structure_get_int (gst_caps_get_structure (caps, 0), "bands", &bands));
  fail_unless_equals_int (bands, 13);
  fail_unless_equals_string (gst_structure_get_string (gst_caps_get_structure (caps, 0),
          "scale"), "cepstrum");
  gst_caps_unref (caps);
  gst_harness_teardown (h);

  /* a property equal to the model's is no conflict */
  g_free (with_model);
  with_model = g_strdup_printf ("gammatonefb model=\"%s\" bands=32 fmin=100.0 dct=13", path);
  a = run (with_model, FRAMES_CAPS (16000, 400, 160), x, 3);
  fail_unless_equals_int (a->len, N_FRAMES * 13 * sizeof (gfloat));
  g_byte_array_unref (a);

  g_free (with_model);
  g_free (path);
  g_free (x);
}

GST_END_TEST;

/* Compression none gives the band energies, PCEN the library's PCEN run
 * along the stream (its state carried across buffers, reset at a discont). */
GST_START_TEST (test_compression_from_model)
{
  char *none = make_model ("energies", "{\"source\":\"audio\",\"bands\":24,"
      "\"compression\":\"none\"}", 24);
  char *pcen = make_model ("pcen", "{\"source\":\"audio\",\"bands\":24,"
      "\"compression\":\"pcen\"}", 24);
  char *launch = g_strdup_printf ("gammatonefb model=\"%s\"", none);
  gfloat *x = test_frames ();
  gfloat energies[N_FRAMES * 24], expected[N_FRAMES * 24];
  EsGammatoneBand *bands = es_gammatone_bands_mel (24, 50, 8000, 1.019);
  EsGammatoneFb *fb = es_gammatone_fb_new (bands, 24, FRAME, 16000, NULL);
  EsPcen *p = es_pcen_new (NULL, 24, ES_PCEN_DEFAULT_EPS, NULL);
  GByteArray *a;

  for (int f = 0; f < N_FRAMES; f++)
    es_gammatone_fb_energies (fb, x + f * FRAME, energies + f * 24);
  a = run (launch, FRAMES_CAPS (16000, 400, 160), x, 2);
  fail_unless (a->len == sizeof energies && memcmp (a->data, energies, a->len) == 0);
  g_byte_array_unref (a);

  /* one PCEN call over the stream = the element over buffers of 2 frames */
  es_pcen_forward (p, NULL, energies, N_FRAMES, NULL, expected);
  g_free (launch);
  launch = g_strdup_printf ("gammatonefb model=\"%s\"", pcen);
  {
    GstHarness *h = gst_harness_new_parse (launch);
    gst_harness_set_src_caps_str (h, FRAMES_CAPS (16000, 400, 160));
    for (int f = 0; f < N_FRAMES; f += 2)
      gst_harness_push (h, es_buffer_new_copy (x + f * FRAME, 2 * FRAME, sizeof (gfloat)));
    a = es_harness_pull_all_bytes (h, NULL);
    fail_unless (a->len == sizeof expected);
    for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
      fail_unless (((gfloat *) a->data)[i] == expected[i], "value %u: %g, expected %g", i,
          ((gfloat *) a->data)[i], expected[i]);
    g_byte_array_unref (a);

    /* a discontinuity starts the smoothers afresh: as PCEN of frames 2.. alone */
    {
      GstBuffer *buf = es_buffer_new_copy (x + 2 * FRAME, 2 * FRAME, sizeof (gfloat));
      GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
      gst_harness_push (h, buf);
      es_pcen_forward (p, NULL, energies + 2 * 24, 2, NULL, expected);
      a = es_harness_pull_all_bytes (h, NULL);
      fail_unless (a->len == 2 * 24 * sizeof (gfloat)
          && memcmp (a->data, expected, a->len) == 0);
      g_byte_array_unref (a);
    }
    gst_harness_teardown (h);
  }

  es_pcen_free (p);
  es_gammatone_fb_free (fb);
  g_free (bands);
  g_free (launch);
  g_free (none);
  g_free (pcen);
  g_free (x);
}

GST_END_TEST;

/* Push one frame through `launch` with `caps`; the error must name `expect`. */
static void
expect_negotiation_error (const char *launch, const char *caps, const char *expect)
{
  GstHarness *h = gst_harness_new_parse (launch);
  GstBus *bus = gst_bus_new ();
  GstCaps *c = gst_caps_from_string (caps);
  GstMessage *msg;
  GError *err = NULL;
  gfloat zero[FRAME] = { 0 };
  GstSegment segment;

  gst_element_set_bus (h->element, bus);
  gst_harness_play (h);
  gst_pad_push_event (h->srcpad, gst_event_new_caps (c));
  gst_caps_unref (c);
  gst_segment_init (&segment, GST_FORMAT_TIME);
  gst_pad_push_event (h->srcpad, gst_event_new_segment (&segment));
  fail_if (gst_harness_push (h, es_buffer_new_copy (zero, FRAME, sizeof (gfloat)))
      == GST_FLOW_OK, "%s: accepted", launch);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "%s: no error message", launch);
  gst_message_parse_error (msg, &err, NULL);
  fail_unless (strstr (err->message, expect) != NULL, "%s: '%s' lacks '%s'", launch,
      err->message, expect);
  g_error_free (err);
  gst_message_unref (msg);
  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

GST_START_TEST (test_conflicts)
{
  char *path = make_model ("plain", "{\"source\":\"audio\",\"bands\":32}", 32);
  struct {
    const char *props, *caps, *expect;
  } cases[] = {
    {"bands=64", FRAMES_CAPS (16000, 400, 160), "bands=64 conflicts with model 'plain', "
          "which has 32 bands"},
    {"fmin=60", FRAMES_CAPS (16000, 400, 160), "fmin=60 conflicts with model 'plain'"},
    {"fmax=7000", FRAMES_CAPS (16000, 400, 160), "fmax=7000 conflicts"},
    {"bandwidth=2", FRAMES_CAPS (16000, 400, 160), "bandwidth=2 conflicts"},
    {"log-floor=1e-5", FRAMES_CAPS (16000, 400, 160), "log-floor=1e-05 conflicts"},
    {"", FRAMES_CAPS (8000, 400, 160), "model 'plain' takes hamming frames of 400 samples "
          "every 160 at 16000 Hz, the input has hamming frames of 400 every 160 at 8000 Hz"},
    {"", FRAMES_CAPS (16000, 512, 160), "frames of 512 every 160"},
    {"", FRAMES_CAPS (16000, 400, 200), "frames of 400 every 200"},
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    char *launch = g_strdup_printf ("gammatonefb model=\"%s\" %s", path, cases[i].props);
    expect_negotiation_error (launch, cases[i].caps, cases[i].expect);
    g_free (launch);
  }
  g_free (path);
}

GST_END_TEST;

/* A model that is missing, or whose front-end is not audio, fails the start. */
GST_START_TEST (test_bad_model)
{
  char *measurement = make_model ("fr", "{\"source\":\"measurement\"}", 16);
  struct {
    const char *location, *expect;
  } cases[] = {
    {"no-such-model-anywhere", "no model file or model named 'no-such-model-anywhere'"},
    {measurement, "model 'fr' has no audio front-end (its source is measurement)"},
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    GstElement *e = gst_element_factory_make ("gammatonefb", NULL);
    GstBus *bus = gst_bus_new ();
    GstMessage *msg;
    GError *err = NULL;

    gst_element_set_bus (e, bus);
    g_object_set (e, "model", cases[i].location, NULL);
    fail_unless_equals_int (gst_element_set_state (e, GST_STATE_PAUSED),
        GST_STATE_CHANGE_FAILURE);
    msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    fail_unless (msg != NULL);
    gst_message_parse_error (msg, &err, NULL);
    fail_unless (strstr (err->message, cases[i].expect) != NULL, "'%s' lacks '%s'",
        err->message, cases[i].expect);
    g_error_free (err);
    gst_message_unref (msg);
    gst_element_set_state (e, GST_STATE_NULL);
    gst_element_set_bus (e, NULL);
    gst_object_unref (bus);
    gst_object_unref (e);
  }
  g_free (measurement);
}

GST_END_TEST;

static Suite *
gammatonefb_model_suite (void)
{
  Suite *s = suite_create ("gammatonefb-model");
  TCase *tc = tcase_create ("model");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_settings_from_model);
  tcase_add_test (tc, test_compression_from_model);
  tcase_add_test (tc, test_conflicts);
  tcase_add_test (tc, test_bad_model);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (gammatonefb_model);
