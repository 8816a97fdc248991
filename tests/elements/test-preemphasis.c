/* Tests for the preemphasis element. */
#include "es-check.h"

#define CAPS_F32(ch) "audio/x-raw, format=(string)" GST_AUDIO_NE (F32) \
  ", rate=(int)16000, channels=(int)" #ch ", layout=(string)interleaved"
#define CAPS_F64(ch) "audio/x-raw, format=(string)" GST_AUDIO_NE (F64) \
  ", rate=(int)16000, channels=(int)" #ch ", layout=(string)interleaved"

#include <gst/audio/audio.h>

static GstHarness *
setup (const gchar * caps, gdouble a)
{
  GstHarness *h = gst_harness_new ("preemphasis");

  g_object_set (h->element, "coefficient", a, NULL);
  gst_harness_set_src_caps_str (h, caps);
  return h;
}

/* Push n_frames * channels floats, return the output as floats. */
static gfloat *
run_f32 (GstHarness * h, const gfloat * x, gsize n, GstBufferFlags flags)
{
  GstBuffer *in = es_buffer_new_copy (x, n, sizeof (gfloat)), *out;
  gfloat *y = g_new (gfloat, MAX (n, 1));

  GST_BUFFER_FLAG_SET (in, flags);
  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless_equals_int (gst_buffer_get_size (out), n * sizeof (gfloat));
  gst_buffer_extract (out, 0, y, n * sizeof (gfloat));
  gst_buffer_unref (out);
  return y;
}

GST_START_TEST (test_caps)
{
  GstHarness *h = gst_harness_new ("preemphasis");

  fail_unless (es_harness_accepts (h, CAPS_F32 (1)));
  fail_unless (es_harness_accepts (h, CAPS_F32 (6)));
  fail_unless (es_harness_accepts (h, CAPS_F64 (2)));
  fail_if (es_harness_accepts (h, "audio/x-raw, format=(string)S16LE, "
          "rate=(int)16000, channels=(int)1, layout=(string)interleaved"));
  fail_if (es_harness_accepts (h, "audio/x-raw, format=(string)"
          GST_AUDIO_NE (F32) ", rate=(int)16000, channels=(int)2, "
          "layout=(string)non-interleaved"));
  fail_if (es_harness_accepts (h, "application/x-earshot-frames"));
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Output against y[n] = x[n] - a x[n-1] computed here, per channel. */
GST_START_TEST (test_values_f32_multichannel)
{
  const guint ch = 3, frames = 1000;
  const gdouble a = 0.97;
  GstHarness *h = setup (CAPS_F32 (3) ", channel-mask=(bitmask)0", a);
  gfloat *x = es_test_signal (frames * ch, 16000, 1);
  gfloat *y = run_f32 (h, x, frames * ch, 0);
  guint i, c;

  for (i = 0; i < frames; i++)
    for (c = 0; c < ch; c++) {
      gdouble prev = i > 0 ? x[(i - 1) * ch + c] : 0.0;
      gdouble ref = x[i * ch + c] - a * prev;

      /* float rounding is relative to the operands, not the difference */
      gdouble scale = fabs (x[i * ch + c]) + fabs (prev);

      fail_unless (fabs (y[i * ch + c] - ref) <= 1e-6 * MAX (scale, 1e-3),
          "frame %u ch %u: %g vs %g", i, c, y[i * ch + c], ref);
    }
  g_free (x);
  g_free (y);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_values_f64)
{
  const guint ch = 2, frames = 500;
  const gdouble a = 0.9;
  GstHarness *h = setup (CAPS_F64 (2), a);
  gdouble *x = g_new (gdouble, frames * ch), *y = g_new (gdouble, frames * ch);
  GstBuffer *out;
  guint i;

  for (i = 0; i < frames * ch; i++)
    x[i] = sin (0.01 * i) + 0.25 * cos (0.37 * i);
  fail_unless_equals_int (gst_harness_push (h, es_buffer_new_copy (x,
              frames * ch, sizeof (gdouble))), GST_FLOW_OK);
  out = gst_harness_pull (h);
  gst_buffer_extract (out, 0, y, frames * ch * sizeof (gdouble));
  gst_buffer_unref (out);
  for (i = 0; i < frames * ch; i++) {
    gdouble ref = x[i] - a * (i >= ch ? x[i - ch] : 0.0);

    fail_unless (fabs (y[i] - ref) <= 1e-12, "%u: %g vs %g", i, y[i], ref);
  }
  g_free (x);
  g_free (y);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* State is carried across buffers: any split gives the same samples. */
GST_START_TEST (test_split_invariance)
{
  const guint ch = 2, frames = 4000;
  gfloat *x = es_test_signal (frames * ch, 16000, 7);
  GstHarness *h = setup (CAPS_F32 (2), 0.97);
  GByteArray *whole, *split;
  guint32 seed;

  fail_unless_equals_int (gst_harness_push (h, es_buffer_new_copy (x,
              frames * ch, sizeof (gfloat))), GST_FLOW_OK);
  whole = es_harness_pull_all_bytes (h, NULL);
  gst_harness_teardown (h);

  for (seed = 1; seed <= 5; seed++) {
    GArray *lens = es_random_splits (frames, 300, seed);
    gsize off = 0;
    guint i;

    h = setup (CAPS_F32 (2), 0.97);
    for (i = 0; i < lens->len; i++) {
      gsize len = g_array_index (lens, gsize, i);

      fail_unless_equals_int (gst_harness_push (h, es_buffer_new_copy (x +
                  off * ch, len * ch, sizeof (gfloat))), GST_FLOW_OK);
      off += len;
    }
    split = es_harness_pull_all_bytes (h, NULL);
    fail_unless_equals_int (split->len, whole->len);
    fail_unless (memcmp (split->data, whole->data, whole->len) == 0,
        "seed %u: split output differs", seed);
    g_byte_array_unref (split);
    g_array_unref (lens);
    gst_harness_teardown (h);
  }
  g_byte_array_unref (whole);
  g_free (x);
}

GST_END_TEST;

/* Push {1, 2}, then {3, ...}: the first output of the second buffer tells
 * whether the memory (x = 2) was kept or cleared. */
static gfloat
second_buffer_first_output (GstHarness * h, GstBufferFlags flags,
    void (*between) (GstHarness * h))
{
  const gfloat a_in[] = { 1.0f, 2.0f }, b_in[] = { 3.0f, 5.0f };
  gfloat *y, first;

  g_free (run_f32 (h, a_in, 2, 0));
  if (between)
    between (h);
  y = run_f32 (h, b_in, 2, flags);
  first = y[0];
  fail_unless (fabsf (y[1] - (5.0f - 0.5f * 3.0f)) < 1e-6f);
  g_free (y);
  return first;
}

static void
restart_states (GstHarness * h)
{
  fail_unless (gst_element_set_state (h->element, GST_STATE_READY) ==
      GST_STATE_CHANGE_SUCCESS);
  fail_unless (gst_element_set_state (h->element, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_SUCCESS);
}

static void
change_rate (GstHarness * h)
{
  gst_harness_set_src_caps_str (h, "audio/x-raw, format=(string)"
      GST_AUDIO_NE (F32) ", rate=(int)8000, channels=(int)1, "
      "layout=(string)interleaved");
}

GST_START_TEST (test_state_reset)
{
  GstHarness *h;

  /* kept across buffers */
  h = setup (CAPS_F32 (1), 0.5);
  fail_unless_equals_float (second_buffer_first_output (h, 0, NULL),
      3.0f - 0.5f * 2.0f);
  gst_harness_teardown (h);

  /* cleared on DISCONT */
  h = setup (CAPS_F32 (1), 0.5);
  fail_unless_equals_float (second_buffer_first_output (h,
          GST_BUFFER_FLAG_DISCONT, NULL), 3.0f);
  gst_harness_teardown (h);

  /* cleared on FLUSH_STOP */
  h = setup (CAPS_F32 (1), 0.5);
  fail_unless_equals_float (second_buffer_first_output (h, 0,
          es_harness_flush), 3.0f);
  gst_harness_teardown (h);

  /* cleared on READY -> PAUSED */
  h = setup (CAPS_F32 (1), 0.5);
  fail_unless_equals_float (second_buffer_first_output (h, 0,
          restart_states), 3.0f);
  gst_harness_teardown (h);

  /* cleared on a caps change (new sample rate) */
  h = setup (CAPS_F32 (1), 0.5);
  fail_unless_equals_float (second_buffer_first_output (h, 0, change_rate),
      3.0f);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* coefficient 0: passthrough, yet the memory follows the input so turning the
 * filter on mid-stream continues seamlessly. */
GST_START_TEST (test_passthrough_tracks_state)
{
  GstHarness *h = setup (CAPS_F32 (1), 0.0);
  const gfloat a_in[] = { 1.0f, 2.0f, 4.0f }, b_in[] = { 3.0f, 5.0f };
  GstBuffer *in = es_buffer_new_copy (a_in, 3, sizeof (gfloat)), *out;
  gfloat *y;

  fail_unless (gst_base_transform_is_passthrough (GST_BASE_TRANSFORM
          (h->element)));
  gst_buffer_ref (in);
  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless (out == in, "passthrough must forward the same buffer");
  fail_unless (gst_buffer_memcmp (out, 0, a_in, sizeof (a_in)) == 0);
  gst_buffer_unref (out);
  gst_buffer_unref (in);

  g_object_set (h->element, "coefficient", 0.5, NULL);
  fail_if (gst_base_transform_is_passthrough (GST_BASE_TRANSFORM
          (h->element)));
  y = run_f32 (h, b_in, 2, 0);
  fail_unless_equals_float (y[0], 3.0f - 0.5f * 4.0f);
  g_free (y);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Documented: a non-finite sample spoils its own output and the next one of
 * the same channel only; other channels are untouched; no crash. */
GST_START_TEST (test_non_finite)
{
  const guint ch = 2, frames = 20;
  GstHarness *h = setup (CAPS_F32 (2), 0.97);
  gfloat x[40], *y;
  guint i;

  for (i = 0; i < frames * ch; i++)
    x[i] = 0.1f * (gfloat) i;
  x[5 * ch + 0] = NAN;
  x[12 * ch + 0] = INFINITY;
  x[15 * ch + 1] = -INFINITY;
  y = run_f32 (h, x, frames * ch, 0);
  for (i = 0; i < frames; i++) {
    gboolean bad0 = i == 5 || i == 6 || i == 12 || i == 13;
    gboolean bad1 = i == 15 || i == 16;

    fail_unless (isfinite (y[i * ch]) == !bad0, "ch0 frame %u: %g", i,
        y[i * ch]);
    fail_unless (isfinite (y[i * ch + 1]) == !bad1, "ch1 frame %u: %g", i,
        y[i * ch + 1]);
  }
  g_free (y);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_short_and_empty)
{
  GstHarness *h = setup (CAPS_F32 (2), 0.5);
  const gfloat one[] = { 2.0f, 4.0f }, next[] = { 1.0f, 1.0f };
  GstBuffer *out, *odd;
  gfloat *y;

  /* zero-length buffer: an empty buffer out, memory untouched */
  fail_unless_equals_int (gst_harness_push (h, gst_buffer_new ()),
      GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless_equals_int (gst_buffer_get_size (out), 0);
  gst_buffer_unref (out);

  y = run_f32 (h, one, 2, 0);
  fail_unless_equals_float (y[0], 2.0f);
  fail_unless_equals_float (y[1], 4.0f);
  g_free (y);
  fail_unless_equals_int (gst_harness_push (h, gst_buffer_new ()),
      GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (h));
  y = run_f32 (h, next, 2, 0);
  fail_unless_equals_float (y[0], 1.0f - 0.5f * 2.0f);
  fail_unless_equals_float (y[1], 1.0f - 0.5f * 4.0f);
  g_free (y);

  /* a buffer that is not whole audio frames is an error, not a crash */
  odd = gst_buffer_new_allocate (NULL, 6, NULL);
  gst_buffer_memset (odd, 0, 0, 6);
  fail_unless_equals_int (gst_harness_push (h, odd), GST_FLOW_ERROR);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_timestamps_preserved)
{
  GstHarness *h = setup (CAPS_F32 (1), 0.97);
  gfloat x[160] = { 0 };
  GstBuffer *in = es_buffer_new_copy (x, 160, sizeof (gfloat)), *out;

  GST_BUFFER_PTS (in) = 3 * GST_SECOND;
  GST_BUFFER_DURATION (in) = 10 * GST_MSECOND;
  GST_BUFFER_OFFSET (in) = 48000;
  GST_BUFFER_OFFSET_END (in) = 48160;
  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), 3 * GST_SECOND);
  fail_unless_equals_uint64 (GST_BUFFER_DURATION (out), 10 * GST_MSECOND);
  fail_unless_equals_uint64 (GST_BUFFER_OFFSET (out), 48000);
  fail_unless_equals_uint64 (GST_BUFFER_OFFSET_END (out), 48160);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_properties)
{
  GstElement *e = gst_element_factory_make ("preemphasis", NULL);
  GParamSpec *p =
      g_object_class_find_property (G_OBJECT_GET_CLASS (e), "coefficient");
  GParamSpecDouble *pd = G_PARAM_SPEC_DOUBLE (p);
  GValue v = G_VALUE_INIT;
  gdouble a;

  fail_unless_equals_float (pd->default_value, 0.97);
  fail_unless_equals_float (pd->minimum, -1.0);
  fail_unless_equals_float (pd->maximum, 1.0);
  fail_unless (p->flags & GST_PARAM_CONTROLLABLE);
  g_object_get (e, "coefficient", &a, NULL);
  fail_unless_equals_float (a, 0.97);

  /* out-of-range values are clamped by validation, never stored */
  g_value_init (&v, G_TYPE_DOUBLE);
  g_value_set_double (&v, 1.5);
  fail_unless (g_param_value_validate (p, &v));
  fail_unless_equals_float (g_value_get_double (&v), 1.0);
  g_value_unset (&v);

  g_object_set (e, "coefficient", -0.5, NULL);
  g_object_get (e, "coefficient", &a, NULL);
  fail_unless_equals_float (a, -0.5);
  gst_object_unref (e);
}

GST_END_TEST;

static Suite *
preemphasis_suite (void)
{
  Suite *s = suite_create ("preemphasis");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_caps);
  tcase_add_test (tc, test_values_f32_multichannel);
  tcase_add_test (tc, test_values_f64);
  tcase_add_test (tc, test_split_invariance);
  tcase_add_test (tc, test_state_reset);
  tcase_add_test (tc, test_passthrough_tracks_state);
  tcase_add_test (tc, test_non_finite);
  tcase_add_test (tc, test_short_and_empty);
  tcase_add_test (tc, test_timestamps_preserved);
  tcase_add_test (tc, test_properties);
  return s;
}

GST_CHECK_MAIN (preemphasis);
