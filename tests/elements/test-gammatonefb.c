/* Tests for the gammatonefb element. */
#include "es-check.h"

#include <gst/audio/audio.h>

#define FRAMES_CAPS(rate, size, hop) "application/x-earshot-frames, " \
  "rate=(int)" #rate ", frame-size=(int)" #size ", hop-size=(int)" #hop ", " \
  "window=(string)hamming, framerate=(fraction)" #rate "/" #hop

static GstHarness *
setup (const gchar * props, const gchar * caps)
{
  gchar *desc = g_strdup_printf ("gammatonefb %s", props ? props : "");
  GstHarness *h = gst_harness_new_parse (desc);

  g_free (desc);
  gst_harness_set_src_caps_str (h, caps);
  return h;
}

static GstBuffer *
frames_buffer (const gfloat * x, gsize n_frames, gsize size, GstClockTime pts)
{
  GstBuffer *buf = es_buffer_new_copy (x, n_frames * size, sizeof (gfloat));

  GST_BUFFER_PTS (buf) = pts;
  return buf;
}

static gdouble
hz_to_mel (gdouble f)
{
  return 2595.0 * log10 (1.0 + f / 700.0);
}

static gdouble
mel_to_hz (gdouble m)
{
  return 700.0 * (pow (10.0, m / 2595.0) - 1.0);
}

/* Reference log energies of one frame: direct DFT in double, mel-spaced
 * 4th-order gammatone power weights, ln(max(E, floor)). */
static void
reference_log_energies (const gfloat * frame, guint size, gint rate,
    guint bands, gdouble fmin, gdouble fmax, gdouble beta, gdouble *out)
{
  guint n_fft = 1, k, n, b;
  gdouble *power;

  while (n_fft < size)
    n_fft <<= 1;
  power = g_new (gdouble, n_fft / 2 + 1);
  for (k = 0; k <= n_fft / 2; k++) {
    gdouble re = 0, im = 0;

    for (n = 0; n < size; n++) {
      re += frame[n] * cos (2 * G_PI * k * n / n_fft);
      im -= frame[n] * sin (2 * G_PI * k * n / n_fft);
    }
    power[k] = re * re + im * im;
  }
  for (b = 0; b < bands; b++) {
    gdouble mlo = hz_to_mel (fmin), mhi = hz_to_mel (fmax);
    gdouble fc = mel_to_hz (mlo + (mhi - mlo) * (b + 1) / (bands + 1));
    gdouble erb = 24.7 * (4.37 * fc / 1000.0 + 1.0);
    gdouble e = 0;

    for (k = 0; k <= n_fft / 2; k++) {
      gdouble f = (gdouble) k * rate / n_fft;
      gdouble d = (f - fc) / (beta * erb);

      e += pow (1.0 + d * d, -4.0) * power[k];
    }
    out[b] = log (MAX (e, 1e-10));
  }
  g_free (power);
}

GST_START_TEST (test_caps)
{
  GstHarness *h = gst_harness_new ("gammatonefb");
  GstCaps *caps;
  GstStructure *s;
  gint v, num, den;

  fail_unless (es_harness_accepts (h, FRAMES_CAPS (16000, 400, 160)));
  fail_if (es_harness_accepts (h, "audio/x-raw, format=(string)"
          GST_AUDIO_NE (F32) ", rate=(int)16000, channels=(int)1, "
          "layout=(string)interleaved"));
  fail_if (es_harness_accepts (h, "application/x-earshot-features, "
          "bands=(int)64"));
  /* downstream wanting another band count: the frames cannot negotiate */
  gst_harness_set_sink_caps_str (h, "application/x-earshot-features, "
      "bands=(int)32");
  fail_unless (es_harness_caps_refused (h, FRAMES_CAPS (16000, 400, 160)));
  gst_harness_teardown (h);

  h = setup (NULL, FRAMES_CAPS (16000, 400, 160));
  fail_unless_equals_int (gst_harness_push (h, frames_buffer ((gfloat[400]) {
                  0}, 1, 400, 0)), GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (h));
  caps = gst_pad_get_current_caps (h->sinkpad);
  s = gst_caps_get_structure (caps, 0);
  fail_unless (gst_structure_has_name (s, "application/x-earshot-features"));
  fail_unless (gst_structure_get_int (s, "bands", &v) && v == 64);
  fail_unless (gst_structure_get_int (s, "rate", &v) && v == 16000);
  fail_unless_equals_string (gst_structure_get_string (s, "scale"),
      "gammatone");
  fail_unless (gst_structure_get_fraction (s, "framerate", &num, &den));
  fail_unless (num == 100 && den == 1);
  gst_caps_unref (caps);
  gst_harness_teardown (h);

  h = setup ("dct=40", FRAMES_CAPS (16000, 400, 160));
  fail_unless_equals_int (gst_harness_push (h, frames_buffer ((gfloat[400]) {
                  0}, 1, 400, 0)), GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (h));
  caps = gst_pad_get_current_caps (h->sinkpad);
  s = gst_caps_get_structure (caps, 0);
  fail_unless (gst_structure_get_int (s, "bands", &v) && v == 40);
  fail_unless_equals_string (gst_structure_get_string (s, "scale"),
      "cepstrum");
  gst_caps_unref (caps);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Log energies against a direct DFT + formula reference computed here. */
GST_START_TEST (test_values)
{
  const guint size = 400, bands = 24;
  gfloat *x = es_test_signal (3 * size, 16000, 8);
  GstHarness *h = setup ("bands=24 fmin=100 fmax=7000 bandwidth=1.5",
      FRAMES_CAPS (16000, 400, 160));
  gfloat y[3 * 24];
  gdouble ref[24];
  GstBuffer *out;
  guint f, b;

  fail_unless_equals_int (gst_harness_push (h, frames_buffer (x, 3, size, 0)),
      GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless_equals_int (gst_buffer_get_size (out), sizeof (y));
  gst_buffer_extract (out, 0, y, sizeof (y));
  gst_buffer_unref (out);
  for (f = 0; f < 3; f++) {
    reference_log_energies (x + f * size, size, 16000, bands, 100, 7000, 1.5,
        ref);
    for (b = 0; b < bands; b++)
      fail_unless (fabs (y[f * bands + b] - ref[b]) < 1e-3,
          "frame %u band %u: %g vs %g", f, b, y[f * bands + b], ref[b]);
  }
  g_free (x);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* dct=N output = orthonormal DCT-II of the plain output, first N terms. */
GST_START_TEST (test_dct)
{
  const guint size = 400, bands = 32, n_dct = 13;
  gfloat *x = es_test_signal (size, 16000, 12);
  GstHarness *plain = setup ("bands=32", FRAMES_CAPS (16000, 400, 160));
  GstHarness *cep = setup ("bands=32 dct=13", FRAMES_CAPS (16000, 400, 160));
  gfloat e[32], c[13];
  GstBuffer *out;
  guint k, n;

  fail_unless_equals_int (gst_harness_push (plain, frames_buffer (x, 1, size,
              0)), GST_FLOW_OK);
  fail_unless_equals_int (gst_harness_push (cep, frames_buffer (x, 1, size,
              0)), GST_FLOW_OK);
  out = gst_harness_pull (plain);
  gst_buffer_extract (out, 0, e, sizeof (e));
  gst_buffer_unref (out);
  out = gst_harness_pull (cep);
  fail_unless_equals_int (gst_buffer_get_size (out), sizeof (c));
  gst_buffer_extract (out, 0, c, sizeof (c));
  gst_buffer_unref (out);
  for (k = 0; k < n_dct; k++) {
    gdouble s = 0;

    for (n = 0; n < bands; n++)
      s += e[n] * cos (G_PI * k * (2 * n + 1) / (2.0 * bands));
    s *= k == 0 ? sqrt (1.0 / bands) : sqrt (2.0 / bands);
    fail_unless (fabs (c[k] - s) < 1e-4 * MAX (1.0, fabs (s)),
        "c%u: %g vs %g", k, c[k], s);
  }
  g_free (x);
  gst_harness_teardown (plain);
  gst_harness_teardown (cep);
}

GST_END_TEST;

/* Wrong settings fail negotiation with an error message, never a crash. */
static void
check_bad_settings (const gchar * props, const gchar * caps,
    const gchar * expect)
{
  GstHarness *h = gst_harness_new_parse (props);
  GstBus *bus = es_harness_bus (h);
  GstCaps *c = gst_caps_from_string (caps);
  GstMessage *msg;
  GError *err = NULL;
  gfloat zero[400] = { 0 };
  GstSegment segment;

  gst_harness_play (h);
  /* a sticky caps event is stored even when the element rejects it: the
   * refusal shows on the next buffer */
  gst_pad_push_event (h->srcpad, gst_event_new_caps (c));
  gst_caps_unref (c);
  gst_segment_init (&segment, GST_FORMAT_TIME);
  gst_pad_push_event (h->srcpad, gst_event_new_segment (&segment));
  fail_if (gst_harness_push (h, frames_buffer (zero, 1, 400, 0)) ==
      GST_FLOW_OK);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "%s: no error message", props);
  gst_message_parse_error (msg, &err, NULL);
  fail_unless (strstr (err->message, expect) != NULL, "%s: '%s'", props,
      err->message);
  g_error_free (err);
  gst_message_unref (msg);
  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

GST_START_TEST (test_bad_settings)
{
  check_bad_settings ("gammatonefb fmin=5000 fmax=4000",
      FRAMES_CAPS (16000, 400, 160), "fmin");
  check_bad_settings ("gammatonefb fmax=12000",
      FRAMES_CAPS (16000, 400, 160), "Nyquist");
  check_bad_settings ("gammatonefb fmin=9000",
      FRAMES_CAPS (16000, 400, 160), "fmin");
  check_bad_settings ("gammatonefb bands=20 dct=40",
      FRAMES_CAPS (16000, 400, 160), "dct");
}

GST_END_TEST;

GST_START_TEST (test_non_finite)
{
  const guint size = 400, bands = 64;
  gfloat *x = es_test_signal (4 * size, 16000, 13);
  GstHarness *h = setup (NULL, FRAMES_CAPS (16000, 400, 160));
  GstBus *bus = es_harness_bus (h);
  gfloat *y = g_new (gfloat, 4 * bands);
  GstBuffer *out;
  guint f, b;

  x[1 * size + 17] = NAN;
  x[3 * size + 399] = -INFINITY;
  fail_unless_equals_int (gst_harness_push (h, frames_buffer (x, 4, size, 0)),
      GST_FLOW_OK);
  out = gst_harness_pull (h);
  gst_buffer_extract (out, 0, y, 4 * bands * sizeof (gfloat));
  gst_buffer_unref (out);
  for (f = 0; f < 4; f++)
    for (b = 0; b < bands; b++) {
      if (f == 1 || f == 3)
        fail_unless (isnan (y[f * bands + b]));
      else
        fail_unless (isfinite (y[f * bands + b]));
    }
  /* one warning per stream, even for more bad buffers */
  fail_unless_equals_int (gst_harness_push (h, frames_buffer (x, 4, size, 0)),
      GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (h));
  fail_unless_equals_int (es_bus_count (bus, GST_MESSAGE_WARNING), 1);
  /* after a flush it warns again */
  es_harness_flush (h);
  fail_unless_equals_int (gst_harness_push (h, frames_buffer (x, 4, size, 0)),
      GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (h));
  fail_unless_equals_int (es_bus_count (bus, GST_MESSAGE_WARNING), 1);
  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  g_free (y);
  g_free (x);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_overflow_is_reported)
{
  /* A finite but huge frame overflows the float power spectrum: like a frame
   * with a NaN sample, its vector is NaN and the stream gets a warning (its
   * energies were +Inf, or NaN where a zero weight met an infinite bin). */
  const guint size = 400, bands = 64;
  gfloat *x = es_test_signal (2 * size, 16000, 15);
  GstHarness *h = setup (NULL, FRAMES_CAPS (16000, 400, 160));
  GstBus *bus = es_harness_bus (h);
  gfloat *y = g_new (gfloat, 2 * bands);
  GstBuffer *out;
  guint i;

  for (i = 0; i < size; i++)
    x[size + i] *= 1e25f;
  fail_unless_equals_int (gst_harness_push (h, frames_buffer (x, 2, size, 0)),
      GST_FLOW_OK);
  out = gst_harness_pull (h);
  gst_buffer_extract (out, 0, y, 2 * bands * sizeof (gfloat));
  gst_buffer_unref (out);
  for (i = 0; i < 2 * bands; i++)
    fail_unless (i < bands ? isfinite (y[i]) : isnan (y[i]));
  fail_unless_equals_int (es_bus_count (bus, GST_MESSAGE_WARNING), 1);
  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  g_free (y);
  g_free (x);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_timestamps_and_sizes)
{
  gfloat *x = es_test_signal (5 * 400, 16000, 14);
  GstHarness *h = setup ("bands=16", FRAMES_CAPS (16000, 400, 160));
  GstBuffer *in = frames_buffer (x, 5, 400, 2 * GST_SECOND), *out, *odd;

  GST_BUFFER_DURATION (in) = 50 * GST_MSECOND;
  GST_BUFFER_OFFSET (in) = 200;
  GST_BUFFER_OFFSET_END (in) = 205;
  GST_BUFFER_FLAG_SET (in, GST_BUFFER_FLAG_DISCONT);
  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless_equals_int (gst_buffer_get_size (out), 5 * 16 * 4);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), 2 * GST_SECOND);
  fail_unless_equals_uint64 (GST_BUFFER_DURATION (out), 50 * GST_MSECOND);
  fail_unless_equals_uint64 (GST_BUFFER_OFFSET (out), 200);
  fail_unless_equals_uint64 (GST_BUFFER_OFFSET_END (out), 205);
  fail_unless (GST_BUFFER_FLAG_IS_SET (out, GST_BUFFER_FLAG_DISCONT));
  gst_buffer_unref (out);

  /* empty input: nothing out, no error */
  fail_unless_equals_int (gst_harness_push (h, gst_buffer_new ()),
      GST_FLOW_OK);
  fail_unless_equals_int (gst_harness_buffers_in_queue (h), 0);

  /* a partial frame: error, no crash */
  odd = es_buffer_new_copy (x, 399, sizeof (gfloat));
  fail_if (gst_harness_push (h, odd) == GST_FLOW_OK);
  g_free (x);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_rate_change)
{
  gfloat *x = es_test_signal (256, 8000, 15);
  GstHarness *h = setup ("bands=20", FRAMES_CAPS (16000, 400, 160));
  gfloat y[20];
  gdouble ref[20];
  GstCaps *caps;
  GstBuffer *out;
  gint rate;
  guint b;

  fail_unless_equals_int (gst_harness_push (h, frames_buffer ((gfloat[400]) {
                  0}, 1, 400, 0)), GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (h));

  gst_harness_set_src_caps_str (h, FRAMES_CAPS (8000, 256, 80));
  fail_unless_equals_int (gst_harness_push (h, frames_buffer (x, 1, 256, 0)),
      GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless_equals_int (gst_buffer_get_size (out), sizeof (y));
  gst_buffer_extract (out, 0, y, sizeof (y));
  gst_buffer_unref (out);
  caps = gst_pad_get_current_caps (h->sinkpad);
  fail_unless (gst_structure_get_int (gst_caps_get_structure (caps, 0),
          "rate", &rate));
  fail_unless_equals_int (rate, 8000);
  gst_caps_unref (caps);
  /* fmax follows the new Nyquist frequency */
  reference_log_energies (x, 256, 8000, 20, 50, 4000, 1.019, ref);
  for (b = 0; b < 20; b++)
    fail_unless (fabs (y[b] - ref[b]) < 1e-3, "band %u: %g vs %g", b, y[b],
        ref[b]);
  g_free (x);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_runtime_property_change)
{
  gfloat zero[400] = { 0 };
  GstHarness *h = setup (NULL, FRAMES_CAPS (16000, 400, 160));
  GstBuffer *out;
  gfloat y[64];

  fail_unless_equals_int (gst_harness_push (h, frames_buffer (zero, 1, 400,
              0)), GST_FLOW_OK);
  out = gst_harness_pull (h);
  gst_buffer_extract (out, 0, y, sizeof (y));
  gst_buffer_unref (out);
  /* silence gives ln(floor) */
  fail_unless (fabsf (y[0] - logf (1e-10f)) < 1e-3f);

  {
    GstElement *fb = gst_harness_find_element (h, "gammatonefb");

    g_object_set (fb, "bands", 8, "log-floor", 1e-4, NULL);
    gst_object_unref (fb);
  }
  fail_unless_equals_int (gst_harness_push (h, frames_buffer (zero, 1, 400,
              0)), GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless_equals_int (gst_buffer_get_size (out), 8 * 4);
  gst_buffer_extract (out, 0, y, 8 * 4);
  gst_buffer_unref (out);
  fail_unless (fabsf (y[7] - logf (1e-4f)) < 1e-3f);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_properties)
{
  GstElement *e = gst_element_factory_make ("gammatonefb", NULL);
  GObjectClass *klass = G_OBJECT_GET_CLASS (e);
  GParamSpecUInt *bands =
      G_PARAM_SPEC_UINT (g_object_class_find_property (klass, "bands"));
  GParamSpecUInt *dct =
      G_PARAM_SPEC_UINT (g_object_class_find_property (klass, "dct"));
  GParamSpecDouble *fmin =
      G_PARAM_SPEC_DOUBLE (g_object_class_find_property (klass, "fmin"));
  GParamSpecDouble *fmax =
      G_PARAM_SPEC_DOUBLE (g_object_class_find_property (klass, "fmax"));
  GParamSpecDouble *bw =
      G_PARAM_SPEC_DOUBLE (g_object_class_find_property (klass, "bandwidth"));
  GParamSpecDouble *fl =
      G_PARAM_SPEC_DOUBLE (g_object_class_find_property (klass, "log-floor"));

  fail_unless_equals_int (bands->default_value, 64);
  fail_unless_equals_int (bands->minimum, 1);
  fail_unless_equals_int (dct->default_value, 0);
  fail_unless_equals_float (fmin->default_value, 50.0);
  fail_unless_equals_float (fmax->default_value, 0.0);
  fail_unless_equals_float (bw->default_value, 1.019);
  fail_unless (bw->minimum > 0.0);
  fail_unless_equals_float (fl->default_value, 1e-10);
  fail_unless (fl->minimum > 0.0);
  gst_object_unref (e);
}

GST_END_TEST;

/* A pure tone peaks in the band whose centre is nearest, through the whole
 * preemphasis ! hammingframe ! gammatonefb chain. */
GST_START_TEST (test_tone_peak_band)
{
  const gint rate = 16000;
  const guint bands = 64;
  const gdouble tones[] = { 125.0, 440.0, 1000.0, 2345.0, 3000.0, 6100.0 };
  gdouble mlo = hz_to_mel (50.0), mhi = hz_to_mel (rate / 2.0);
  guint t;

  for (t = 0; t < G_N_ELEMENTS (tones); t++) {
    GstHarness *h = gst_harness_new_parse ("preemphasis ! hammingframe ! "
        "gammatonefb");
    const gsize n = 4000;
    gfloat *x = g_new (gfloat, n);
    GByteArray *out;
    guint nearest = 0, b, f, n_frames;
    gdouble best = G_MAXDOUBLE;
    gsize i;

    for (b = 0; b < bands; b++) {
      gdouble fc = mel_to_hz (mlo + (mhi - mlo) * (b + 1) / (bands + 1));

      if (fabs (fc - tones[t]) < best) {
        best = fabs (fc - tones[t]);
        nearest = b;
      }
    }
    for (i = 0; i < n; i++)
      x[i] = (gfloat) (0.5 * sin (2 * G_PI * tones[t] * i / rate));
    gst_harness_set_src_caps_str (h, "audio/x-raw, format=(string)"
        GST_AUDIO_NE (F32) ", rate=(int)16000, channels=(int)1, "
        "layout=(string)interleaved");
    fail_unless_equals_int (gst_harness_push (h, es_buffer_new_copy (x, n,
                sizeof (gfloat))), GST_FLOW_OK);
    out = es_harness_pull_all_bytes (h, NULL);
    n_frames = out->len / (bands * sizeof (gfloat));
    fail_unless_equals_int (n_frames, (n - 400) / 160 + 1);
    for (f = 1; f < n_frames; f++) {
      const gfloat *v = (const gfloat *) out->data + f * bands;
      guint arg = 0;

      for (b = 1; b < bands; b++)
        if (v[b] > v[arg])
          arg = b;
      fail_unless_equals_int (arg, nearest);
    }
    g_byte_array_unref (out);
    g_free (x);
    gst_harness_teardown (h);
  }
}

GST_END_TEST;

static Suite *
gammatonefb_suite (void)
{
  Suite *s = suite_create ("gammatonefb");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_caps);
  tcase_add_test (tc, test_values);
  tcase_add_test (tc, test_dct);
  tcase_add_test (tc, test_bad_settings);
  tcase_add_test (tc, test_non_finite);
  tcase_add_test (tc, test_overflow_is_reported);
  tcase_add_test (tc, test_timestamps_and_sizes);
  tcase_add_test (tc, test_rate_change);
  tcase_add_test (tc, test_runtime_property_change);
  tcase_add_test (tc, test_properties);
  tcase_add_test (tc, test_tone_peak_band);
  return s;
}

GST_CHECK_MAIN (gammatonefb);
