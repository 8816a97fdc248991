/* Tests for the eqrender element: caps, the response of every band type
 * against SciPy's (tests/fixtures/dsp/biquad_magnitude.txt), channel counts
 * and formats against the library, passthrough, flush/discont, NaN, a
 * controlled +12 dB step (transient bound), child proxy, presets,
 * ParametricEQ.txt files, the measurement fit (the same as `earshot eq fit`)
 * and errors (Nyquist, malformed files, missing target). */
#include "es-check.h"

#include <unistd.h>
#include <glib/gstdio.h>
#include <gst/audio/audio.h>
#include <gst/controller/gstdirectcontrolbinding.h>
#include <gst/controller/gstinterpolationcontrolsource.h>

#include "../dsp/dsp-fixture.h"
#include "dsp/biquad.h"
#include "eq/fit.h"
#include "eq/target.h"
#include "io/parametric-eq.h"

#define CAPS(fmt, rate, ch) "audio/x-raw, format=(string)" fmt \
  ", rate=(int)" #rate ", channels=(int)" #ch ", layout=(string)interleaved"
#define F32 GST_AUDIO_NE (F32)
#define F64 GST_AUDIO_NE (F64)

static gchar *
caps_string (gboolean f64, gint rate, guint channels)
{
  return g_strdup_printf ("audio/x-raw, format=(string)%s, rate=(int)%d, "
      "channels=(int)%u, layout=(string)interleaved%s", f64 ? F64 : F32, rate,
      channels, channels > 2 ? ", channel-mask=(bitmask)0" : "");
}

/* Push @n_samples values (as F32 or F64) with a PTS, return the output as
 * doubles. */
static gdouble *
push_pull (GstHarness * h, const gdouble * x, gsize n_samples, gboolean f64,
    GstClockTime pts, GstBufferFlags flags)
{
  gsize size = n_samples * (f64 ? sizeof (gdouble) : sizeof (gfloat)), i;
  GstBuffer *in = gst_buffer_new_allocate (NULL, size, NULL), *out;
  gdouble *y = g_new (gdouble, MAX (n_samples, 1));
  GstMapInfo map;

  fail_unless (gst_buffer_map (in, &map, GST_MAP_WRITE));
  for (i = 0; i < n_samples; i++) {
    if (f64)
      ((gdouble *) map.data)[i] = x[i];
    else
      ((gfloat *) map.data)[i] = (gfloat) x[i];
  }
  gst_buffer_unmap (in, &map);
  GST_BUFFER_PTS (in) = pts;
  GST_BUFFER_FLAG_SET (in, flags);
  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless_equals_int (gst_buffer_get_size (out), size);
  fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
  for (i = 0; i < n_samples; i++)
    y[i] = f64 ? ((gdouble *) map.data)[i] : ((gfloat *) map.data)[i];
  gst_buffer_unmap (out, &map);
  gst_buffer_unref (out);
  return y;
}

static GstHarness *
harness_with (const gchar * caps)
{
  GstHarness *h = gst_harness_new ("eqrender");

  if (caps)
    gst_harness_set_src_caps_str (h, caps);
  return h;
}

static void
set_band (GstElement * e, guint i, EsBiquadType type, gdouble freq,
    gdouble gain, gdouble q)
{
  gchar *t = g_strdup_printf ("band%u::type", i), *f =
      g_strdup_printf ("band%u::freq", i), *g =
      g_strdup_printf ("band%u::gain", i), *k = g_strdup_printf ("band%u::q", i);

  gst_child_proxy_set (GST_CHILD_PROXY (e), t, type, f, freq, g, gain, k, q,
      NULL);
  g_free (t);
  g_free (f);
  g_free (g);
  g_free (k);
}

static void
get_band (GstElement * e, guint i, EsBiquadParams * p)
{
  gchar *name = g_strdup_printf ("band%u", i);
  GObject *band = gst_child_proxy_get_child_by_name (GST_CHILD_PROXY (e), name);
  gint type;

  fail_unless (band != NULL, "no %s", name);
  g_object_get (band, "type", &type, "freq", &p->freq, "gain", &p->gain_db,
      "q", &p->q, NULL);
  p->type = (EsBiquadType) type;
  g_object_unref (band);
  g_free (name);
}

/* |H| in dB at @f of an impulse response. */
static gdouble
response_db (const gdouble * h, gsize n, gdouble f, gdouble rate)
{
  gdouble w = 2.0 * G_PI * f / rate, c = cos (w), s = sin (w);
  gdouble zr = 1.0, zi = 0.0, re = 0.0, im = 0.0;
  gsize k;

  for (k = 0; k < n; k++) {
    gdouble t;

    re += h[k] * zr;
    im += h[k] * zi;
    /* z *= e^-jw, renormalised now and then */
    t = zr * c + zi * s;
    zi = zi * c - zr * s;
    zr = t;
    if (k % 4096 == 4095) {
      gdouble m = sqrt (zr * zr + zi * zi);
      zr /= m;
      zi /= m;
    }
  }
  return 10.0 * log10 (re * re + im * im);
}

/* The element's impulse response (mono), @n samples. */
static gdouble *
impulse_response (GstHarness * h, gsize n, gboolean f64)
{
  gdouble *x = g_new0 (gdouble, n), *y;

  x[0] = 1.0;
  y = push_pull (h, x, n, f64, 0, 0);
  g_free (x);
  return y;
}

GST_START_TEST (test_caps)
{
  GstHarness *h = harness_with (NULL);

  fail_unless (es_harness_accepts (h, CAPS (F32, 44100, 1)));
  fail_unless (es_harness_accepts (h, CAPS (F32, 48000, 2)));
  fail_unless (es_harness_accepts (h, CAPS (F64, 96000, 6)
          ", channel-mask=(bitmask)0"));
  fail_if (es_harness_accepts (h, CAPS ("S16LE", 44100, 2)));
  fail_if (es_harness_accepts (h, "audio/x-raw, format=(string)" F32
          ", rate=(int)44100, channels=(int)2, layout=(string)non-interleaved"));
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Every fixture filter (9 kinds x 44.1 / 48 / 96 kHz, SciPy freqz) as the
 * element's only band: the impulse response's spectrum within 0.01 dB
 * (0.5 dB below -60 dB), for F64 and F32. */
GST_START_TEST (test_band_response_matches_scipy)
{
  DspFixture fx;
  guint n_cases, k;
  gdouble worst = 0.0;
  const gsize n = 65536;

  dsp_fixture_open (&fx, "dsp/biquad_magnitude.txt");
  n_cases = (guint) dsp_fixture_next (&fx);
  for (k = 0; k < n_cases; k++) {
    gdouble rate = dsp_fixture_next (&fx);
    EsBiquadType type = (EsBiquadType) dsp_fixture_next (&fx);
    gdouble freq = dsp_fixture_next (&fx), gain = dsp_fixture_next (&fx);
    gdouble q = dsp_fixture_next (&fx);
    gsize m = (gsize) dsp_fixture_next (&fx), i;
    const gdouble *freqs = dsp_fixture_take (&fx, m), *db =
        dsp_fixture_take (&fx, m);
    gint f64;

    for (f64 = 0; f64 < 2; f64++) {
      GstHarness *h = gst_harness_new ("eqrender");
      gchar *caps = caps_string (f64, (gint) rate, 1);
      gdouble *ir;

      g_object_set (h->element, "num-bands", 1, NULL);
      set_band (h->element, 0, type, freq, gain, q);
      gst_harness_set_src_caps_str (h, caps);
      ir = impulse_response (h, n, f64);
      for (i = 0; i < m; i += 5) {
        gdouble got = response_db (ir, n, freqs[i], rate);
        gdouble tol = db[i] < -60.0 ? 0.5 : 0.01;

        if (!(fabs (got - db[i]) <= tol))
          ck_abort_msg ("%s case %u (%s %g Hz, %g dB, Q %g at %g Hz) at %g Hz: "
              "%g dB, SciPy %g dB", f64 ? "F64" : "F32", k,
              es_biquad_type_name (type), freq, gain, q, rate, freqs[i], got,
              db[i]);
        if (db[i] >= -60.0)
          worst = MAX (worst, fabs (got - db[i]));
      }
      g_free (ir);
      g_free (caps);
      gst_harness_teardown (h);
    }
  }
  fail_unless (dsp_fixture_at_end (&fx));
  dsp_fixture_close (&fx);
  g_print ("eqrender band response vs SciPy: worst %.2g dB\n", worst);
}

GST_END_TEST;

/* Mono, stereo and 6 channels, F32 and F64: the element gives what the
 * library cascade gives for the same bands and preamp; timestamps kept. */
GST_START_TEST (test_channels_and_formats)
{
  static const guint channel_counts[] = { 1, 2, 6 };
  const EsBiquadParams bands[3] = {
    {ES_BIQUAD_LOW_SHELF, 105.0, 6.4, 0.7}, {ES_BIQUAD_PEAKING, 1800.0, -3.5,
        2.0}, {ES_BIQUAD_HIGH_PASS, 25.0, 0.0, 0.71}
  };
  guint ci;
  gint f64;

  for (ci = 0; ci < G_N_ELEMENTS (channel_counts); ci++) {
    for (f64 = 0; f64 < 2; f64++) {
      const guint ch = channel_counts[ci], frames = 3000;
      gchar *caps = caps_string (f64, 48000, ch);
      GstHarness *h = gst_harness_new ("eqrender");
      EsBiquadCascade *ref = es_biquad_cascade_new (ch, 48000.0);
      gfloat *x32 = es_test_signal (frames * ch, 48000, 3 + ci);
      gdouble *x = g_new (gdouble, frames * ch), *y, *r;
      GstBuffer *in, *out;
      gsize i;
      guint b;

      g_object_set (h->element, "num-bands", 3, "preamp", -6.5, NULL);
      for (b = 0; b < 3; b++)
        set_band (h->element, b, bands[b].type, bands[b].freq,
            bands[b].gain_db, bands[b].q);
      gst_harness_set_src_caps_str (h, caps);
      for (i = 0; i < frames * ch; i++)
        x[i] = x32[i];
      y = push_pull (h, x, frames * ch, f64, 0, 0);

      fail_unless (es_biquad_cascade_set_bands (ref, bands, 3, NULL));
      es_biquad_cascade_set_gain_db (ref, -6.5);
      es_biquad_cascade_reset (ref);
      if (f64) {
        r = g_memdup2 (x, frames * ch * sizeof (gdouble));
        es_biquad_cascade_process_f64 (ref, r, frames);
      } else {
        es_biquad_cascade_process_f32 (ref, x32, frames);
        r = g_new (gdouble, frames * ch);
        for (i = 0; i < frames * ch; i++)
          r[i] = x32[i];
      }
      for (i = 0; i < frames * ch; i++)
        if (!(fabs (y[i] - r[i]) <= 1e-12))
          ck_abort_msg ("%u ch %s sample %zu: %.9g, library %.9g", ch,
              f64 ? "F64" : "F32", i, y[i], r[i]);
      fail_if (gst_base_transform_is_passthrough (GST_BASE_TRANSFORM
              (h->element)));

      /* timestamps and duration pass through */
      in = gst_buffer_new_allocate (NULL, 480 * ch * (f64 ? 8 : 4), NULL);
      gst_buffer_memset (in, 0, 0, gst_buffer_get_size (in));
      GST_BUFFER_PTS (in) = 5 * GST_SECOND;
      GST_BUFFER_DURATION (in) = 10 * GST_MSECOND;
      GST_BUFFER_OFFSET (in) = 240000;
      fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
      out = gst_harness_pull (h);
      fail_unless_equals_uint64 (GST_BUFFER_PTS (out), 5 * GST_SECOND);
      fail_unless_equals_uint64 (GST_BUFFER_DURATION (out), 10 * GST_MSECOND);
      fail_unless_equals_uint64 (GST_BUFFER_OFFSET (out), 240000);
      gst_buffer_unref (out);

      g_free (x);
      g_free (x32);
      g_free (y);
      g_free (r);
      g_free (caps);
      es_biquad_cascade_free (ref);
      gst_harness_teardown (h);
    }
  }
}

GST_END_TEST;

/* Flat (the default): passthrough, samples untouched. A boost leaves
 * passthrough at once; back to flat it returns only after the ramp. */
GST_START_TEST (test_passthrough_when_flat)
{
  GstHarness *h = harness_with (CAPS (F32, 48000, 2));
  GstBaseTransform *bt = GST_BASE_TRANSFORM (h->element);
  gfloat *sig = es_test_signal (960, 48000, 5);
  gdouble x[960], *y;
  gsize i;

  for (i = 0; i < 960; i++)
    x[i] = sig[i];
  y = push_pull (h, x, 960, FALSE, 0, 0);
  fail_unless (gst_base_transform_is_passthrough (bt));
  for (i = 0; i < 960; i++)
    fail_unless (y[i] == (gfloat) x[i]);
  g_free (y);
  {
    /* in passthrough the samples are not even mapped for writing: read-only
     * memory (as a decoder or a tee may hand out) comes out as the same
     * memory, where a write map would have copied it */
    static const gfloat ro[960];
    GstBuffer *in = gst_buffer_new_wrapped_full (GST_MEMORY_FLAG_READONLY, (gpointer) ro,
        sizeof ro, 0, sizeof ro, NULL, NULL), *out;
    GstMapInfo map;

    GST_BUFFER_PTS (in) = 10 * GST_MSECOND;
    fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
    out = gst_harness_pull (h);
    fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
    fail_unless (map.data == (guint8 *) ro && map.size == sizeof ro);
    gst_buffer_unmap (out, &map);
    gst_buffer_unref (out);
  }

  g_object_set (h->element, "preamp", -1.0, NULL);
  y = push_pull (h, x, 960, FALSE, 10 * GST_MSECOND, 0);
  fail_if (gst_base_transform_is_passthrough (bt));
  g_free (y);
  g_object_set (h->element, "preamp", 0.0, NULL);
  /* buffers of 5 ms: the 20 ms ramp back to unity keeps it filtering for
   * four of them, the fifth passes through */
  for (i = 0; i < 5; i++) {
    y = push_pull (h, x, 480, FALSE, (20 + 5 * i) * GST_MSECOND, 0);
    g_free (y);
    if (i < 4)
      fail_if (gst_base_transform_is_passthrough (bt), "buffer %zu", i);
  }
  fail_unless (gst_base_transform_is_passthrough (bt));

  /* a 0 dB band of any type but peaking/shelf is not flat */
  g_object_set (h->element, "num-bands", 1, NULL);
  set_band (h->element, 0, ES_BIQUAD_HIGH_PASS, 30.0, 0.0, 0.71);
  y = push_pull (h, x, 960, FALSE, 45 * GST_MSECOND, 0);
  fail_if (gst_base_transform_is_passthrough (bt));
  g_free (y);
  g_free (sig);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* After signal, silence rings on through a resonant band; FLUSH_STOP and a
 * DISCONT buffer clear the state, so the same silence comes out silent. */
GST_START_TEST (test_flush_and_discont_reset)
{
  GstHarness *h = gst_harness_new ("eqrender");
  gfloat *sig = es_test_signal (9600, 48000, 9);
  gdouble x[9600], zeros[960] = { 0 }, *y, tail;
  gsize i;
  gint round;

  g_object_set (h->element, "num-bands", 1, NULL);
  set_band (h->element, 0, ES_BIQUAD_PEAKING, 200.0, 9.0, 6.0);
  gst_harness_set_src_caps_str (h, CAPS (F32, 48000, 2));
  for (i = 0; i < 9600; i++)
    x[i] = sig[i];

  for (round = 0; round < 3; round++) {
    g_free (push_pull (h, x, 9600, FALSE, 0, 0));
    if (round == 1)
      es_harness_flush (h);
    y = push_pull (h, zeros, 960, FALSE, 100 * GST_MSECOND,
        round == 2 ? GST_BUFFER_FLAG_DISCONT : 0);
    tail = 0.0;
    for (i = 0; i < 960; i++)
      tail = MAX (tail, fabs (y[i]));
    g_free (y);
    if (round == 0)
      fail_unless (tail > 1e-4, "no ringing to clear (%g)", tail);
    else
      fail_unless (tail == 0.0, "%s left %g", round == 1 ? "flush" : "discont",
          tail);
  }
  g_free (sig);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* NaN and Inf come out as silence and reset their channel: later samples
 * are what a clean filter gives from there; one warning per stream. */
GST_START_TEST (test_nonfinite_input)
{
  const guint frames = 2048, ch = 2;
  const EsBiquadParams band = { ES_BIQUAD_LOW_SHELF, 300.0, 8.0, 0.7 };
  GstHarness *h = gst_harness_new ("eqrender");
  GstBus *bus = es_harness_bus (h);
  gfloat *sig = es_test_signal (frames * ch, 48000, 11);
  gdouble *x = g_new (gdouble, frames * ch), *y, *mono;
  EsBiquadCascade *fresh = es_biquad_cascade_new (1, 48000.0);
  gsize i, nan_frame = 700;

  g_object_set (h->element, "num-bands", 1, NULL);
  set_band (h->element, 0, band.type, band.freq, band.gain_db, band.q);
  gst_harness_set_src_caps_str (h, CAPS (F32, 48000, 2));
  for (i = 0; i < frames * ch; i++)
    x[i] = sig[i];
  g_free (push_pull (h, x, frames * ch, FALSE, 0, 0));

  x[nan_frame * ch] = NAN;
  x[1500 * ch + 1] = INFINITY;
  y = push_pull (h, x, frames * ch, FALSE, 50 * GST_MSECOND, 0);
  for (i = 0; i < frames * ch; i++)
    if (!isfinite (y[i]))
      ck_abort_msg ("sample %zu is %g", i, y[i]);
  fail_unless (y[nan_frame * ch] == 0.0);
  fail_unless (y[1500 * ch + 1] == 0.0);
  /* channel 0 after the NaN: a filter starting from rest */
  mono = g_new (gdouble, frames - nan_frame - 1);
  for (i = nan_frame + 1; i < frames; i++)
    mono[i - nan_frame - 1] = (gfloat) x[i * ch];
  fail_unless (es_biquad_cascade_set_bands (fresh, &band, 1, NULL));
  es_biquad_cascade_reset (fresh);
  es_biquad_cascade_process_f64 (fresh, mono, frames - nan_frame - 1);
  for (i = nan_frame + 1; i < frames; i++)
    if (!(fabs (y[i * ch] - mono[i - nan_frame - 1]) <= 1e-5))
      ck_abort_msg ("frame %zu: %g, clean filter %g", i, y[i * ch],
          mono[i - nan_frame - 1]);
  g_free (y);
  fail_unless_equals_int (es_bus_count (bus, GST_MESSAGE_WARNING), 1);

  /* more NaN in the same stream: no second warning; clean input after */
  y = push_pull (h, x, frames * ch, FALSE, 100 * GST_MSECOND, 0);
  g_free (y);
  x[nan_frame * ch] = sig[nan_frame * ch];
  x[1500 * ch + 1] = sig[1500 * ch + 1];
  y = push_pull (h, x, frames * ch, FALSE, 150 * GST_MSECOND, 0);
  for (i = 0; i < frames * ch; i++)
    if (!isfinite (y[i]))
      ck_abort_msg ("later sample %zu is %g", i, y[i]);
  g_free (y);
  fail_unless_equals_int (es_bus_count (bus, GST_MESSAGE_WARNING), 0);

  es_bus_release (bus);
  es_biquad_cascade_free (fresh);
  g_free (mono);
  g_free (x);
  g_free (sig);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* A controller steps band0's gain from 0 to +12 dB at 100 ms, under a 1 kHz
 * sine. The output, high-passed at 8 kHz (8th order, the sine goes below
 * -100 dB), holds only the transient: below -60 dB of the settled sine with
 * the element's ramp, above it switched at once (ramp-time 0). */
static gdouble
controlled_step_transient (guint64 ramp_time)
{
  const gint rate = 48000;
  const gsize block = 480, n_blocks = 40, n = block * n_blocks;
  GstHarness *h = gst_harness_new ("eqrender");
  GstControlSource *cs = gst_interpolation_control_source_new ();
  EsBiquadParams hp[4];
  EsBiquadCascade *probe = es_biquad_cascade_new (1, rate);
  GObject *band;
  gdouble *x = g_new (gdouble, n), *y = g_new (gdouble, n), settled = 0.0,
      worst = 0.0;
  gsize i, b;

  g_object_set (h->element, "num-bands", 1, "ramp-time", ramp_time, NULL);
  set_band (h->element, 0, ES_BIQUAD_PEAKING, 1000.0, 0.0, 1.0);
  band = gst_child_proxy_get_child_by_name (GST_CHILD_PROXY (h->element),
      "band0");
  g_object_set (cs, "mode", GST_INTERPOLATION_MODE_NONE, NULL);
  gst_object_add_control_binding (GST_OBJECT (band),
      gst_direct_control_binding_new_absolute (GST_OBJECT (band), "gain", cs));
  gst_timed_value_control_source_set (GST_TIMED_VALUE_CONTROL_SOURCE (cs), 0,
      0.0);
  gst_timed_value_control_source_set (GST_TIMED_VALUE_CONTROL_SOURCE (cs),
      100 * GST_MSECOND, 12.0);
  /* flat until the step: a controlled element must not sit in passthrough
   * with a stale state when it leaves it */
  gst_harness_set_src_caps_str (h, CAPS (F64, 48000, 1));
  for (i = 0; i < n; i++)
    x[i] = 0.2 * sin (2.0 * G_PI * 1000.0 * i / rate + 0.3);
  for (b = 0; b < n_blocks; b++) {
    gdouble *o = push_pull (h, x + b * block, block, TRUE,
        gst_util_uint64_scale (b * block, GST_SECOND, rate), 0);
    memcpy (y + b * block, o, block * sizeof (gdouble));
    g_free (o);
  }
  {
    gdouble gain;
    g_object_get (band, "gain", &gain, NULL);
    fail_unless (gain == 12.0, "controller did not reach the band (%g)", gain);
  }
  for (i = n - 2400; i < n; i++)
    settled = MAX (settled, fabs (y[i]));
  fail_unless (fabs (settled / (0.2 * pow (10.0, 0.6)) - 1.0) <= 0.01,
      "settled at %g", settled);
  for (i = 0; i < 4; i++)
    hp[i] = (EsBiquadParams) {
    ES_BIQUAD_HIGH_PASS, 8000.0, 0.0, 0.7071};
  fail_unless (es_biquad_cascade_set_bands (probe, hp, 4, NULL));
  es_biquad_cascade_reset (probe);
  es_biquad_cascade_process_f64 (probe, y, n);
  for (i = 2400; i < n; i++)    /* after the probe's own start-up */
    worst = MAX (worst, fabs (y[i]));

  gst_object_unref (band);
  gst_object_unref (cs);        /* the binding holds its own reference */
  es_biquad_cascade_free (probe);
  g_free (x);
  g_free (y);
  gst_harness_teardown (h);
  return worst / settled;
}

GST_START_TEST (test_controlled_step_transient)
{
  gdouble ramped = controlled_step_transient (20 * GST_MSECOND);
  gdouble instant = controlled_step_transient (0);

  g_print ("eqrender +12 dB controlled step: transient %.1f dB ramped, "
      "%.1f dB switched at once\n", 20 * log10 (ramped), 20 * log10 (instant));
  fail_unless (ramped <= 1e-3, "ramped transient %g", ramped);
  fail_unless (instant > 1e-3, "instant switch gave only %g", instant);
}

GST_END_TEST;

static void
count_child (GstChildProxy * proxy, GObject * child, const gchar * name,
    gpointer counter)
{
  (*(gint *) counter)++;
}

GST_START_TEST (test_child_proxy)
{
  GstElement *e = gst_element_factory_make ("eqrender", NULL);
  GstChildProxy *cp = GST_CHILD_PROXY (e);
  gint added = 0, removed = 0;
  GObject *band;
  gdouble gain, freq;
  guint n;

  fail_unless_equals_int (gst_child_proxy_get_children_count (cp), 10);
  g_object_get (e, "num-bands", &n, NULL);
  fail_unless_equals_int (n, 10);
  gst_child_proxy_get (cp, "band0::freq", &freq, "band9::gain", &gain, NULL);
  fail_unless_equals_float (freq, 31.5);
  fail_unless_equals_float (gain, 0.0);
  gst_child_proxy_set (cp, "band3::gain", -4.5, NULL);
  band = gst_child_proxy_get_child_by_name (cp, "band3");
  fail_unless (band != NULL && GST_IS_OBJECT (band));
  g_object_get (band, "gain", &gain, NULL);
  fail_unless_equals_float (gain, -4.5);
  fail_unless (GST_OBJECT_PARENT (band) == GST_OBJECT (e));

  g_signal_connect (e, "child-added", G_CALLBACK (count_child), &added);
  g_signal_connect (e, "child-removed", G_CALLBACK (count_child), &removed);
  g_object_set (e, "num-bands", 3, NULL);
  fail_unless_equals_int (removed, 7);
  fail_unless_equals_int (gst_child_proxy_get_children_count (cp), 3);
  fail_unless (gst_child_proxy_get_child_by_name (cp, "band3") == NULL);
  fail_unless (GST_OBJECT_PARENT (band) == NULL);       /* unparented */
  g_object_unref (band);
  g_object_set (e, "num-bands", 12, NULL);
  fail_unless_equals_int (added, 9);
  gst_child_proxy_get (cp, "band3::gain", &gain, "band3::freq", &freq, NULL);
  fail_unless_equals_float (gain, 0.0); /* a new band, default values */
  fail_unless_equals_float (freq, 250.0);
  gst_child_proxy_get (cp, "band11::freq", &freq, NULL);
  fail_unless_equals_float (freq, 1000.0);
  gst_object_unref (e);
}

GST_END_TEST;

/* The shipped presets (GST_PRESET_PATH = presets/ in the source tree) load
 * through gst_preset_load_preset, changing the band count both ways. */
GST_START_TEST (test_presets)
{
  GstElement *e = gst_element_factory_make ("eqrender", NULL);
  GstPreset *preset = GST_PRESET (e);
  gchar **names = gst_preset_get_preset_names (preset), *comment = NULL;
  EsBiquadParams p;
  gboolean auto_preamp;
  guint n;

  fail_unless (names != NULL, "no presets found (GST_PRESET_PATH=%s)",
      g_getenv ("GST_PRESET_PATH"));
  fail_unless (g_strv_contains ((const gchar * const *) names, "flat"));
  fail_unless (g_strv_contains ((const gchar * const *) names, "bass"));
  fail_unless (g_strv_contains ((const gchar * const *) names, "treble"));
  fail_unless (g_strv_contains ((const gchar * const *) names, "vocal"));
  g_strfreev (names);

  fail_unless (gst_preset_load_preset (preset, "bass"));   /* 10 bands -> 1 */
  g_object_get (e, "num-bands", &n, NULL);
  fail_unless_equals_int (n, 1);
  get_band (e, 0, &p);
  fail_unless_equals_int (p.type, ES_BIQUAD_LOW_SHELF);
  fail_unless_equals_float (p.freq, 105.0);
  fail_unless_equals_float (p.gain_db, 6.0);
  fail_unless_equals_float (p.q, 0.71);

  fail_unless (gst_preset_load_preset (preset, "vocal"));  /* 1 -> 4: a second pass sets bands 1-3 */
  g_object_get (e, "num-bands", &n, "auto-preamp", &auto_preamp, NULL);
  fail_unless_equals_int (n, 4);
  fail_unless (auto_preamp);
  get_band (e, 0, &p);
  fail_unless_equals_int (p.type, ES_BIQUAD_LOW_SHELF);
  fail_unless_equals_float (p.freq, 150.0);
  fail_unless_equals_float (p.gain_db, -4.0);
  get_band (e, 2, &p);
  fail_unless_equals_int (p.type, ES_BIQUAD_PEAKING);
  fail_unless_equals_float (p.freq, 3000.0);
  fail_unless_equals_float (p.gain_db, 4.0);
  get_band (e, 3, &p);
  fail_unless_equals_int (p.type, ES_BIQUAD_HIGH_SHELF);
  fail_unless (gst_preset_get_meta (preset, "vocal", "comment", &comment));
  fail_unless (comment != NULL && strstr (comment, "presence") != NULL);
  g_free (comment);

  fail_unless (gst_preset_load_preset (preset, "flat"));
  g_object_get (e, "num-bands", &n, "auto-preamp", &auto_preamp, NULL);
  fail_unless_equals_int (n, 10);
  fail_if (auto_preamp);
  get_band (e, 9, &p);
  fail_unless_equals_float (p.freq, 16000.0);
  fail_unless_equals_float (p.gain_db, 0.0);
  fail_if (gst_preset_load_preset (preset, "no-such-preset"));
  gst_object_unref (e);
}

GST_END_TEST;

/* bass through the element: +6 dB shelf with the automatic preamp makes
 * 0 dB at 20 Hz and -6 dB in the treble, and nothing above 0 dB. */
GST_START_TEST (test_preset_bass_auto_preamp)
{
  GstHarness *h = gst_harness_new ("eqrender");
  const gsize n = 32768;
  gdouble *ir, f, top = -1e9;

  fail_unless (gst_preset_load_preset (GST_PRESET (h->element), "bass"));
  g_object_set (h->element, "preamp", 10.0, NULL);      /* ignored: auto */
  gst_harness_set_src_caps_str (h, CAPS (F64, 48000, 1));
  ir = impulse_response (h, n, TRUE);
  for (f = 10.0; f < 24000.0; f *= 1.01)
    top = MAX (top, response_db (ir, n, f, 48000.0));
  fail_unless (top <= 0.0 && top > -0.1, "largest gain %g dB", top);
  fail_unless (fabs (response_db (ir, n, 20.0, 48000.0)) < 0.1);
  fail_unless (fabs (response_db (ir, n, 10000.0, 48000.0) + 6.0) < 0.1);
  g_free (ir);
  gst_harness_teardown (h);
}

GST_END_TEST;

static gchar *
write_temp (const gchar * text)
{
  GError *error = NULL;
  gchar *path = NULL;
  gint fd = g_file_open_tmp ("eqrender-XXXXXX.txt", &path, &error);

  fail_unless (fd >= 0, "%s", error ? error->message : "");
  close (fd);
  fail_unless (g_file_set_contents (path, text, -1, NULL));
  return path;
}

/* An AutoEq file (filters out of order, an OFF filter, a comment, CRLF):
 * the bands, the preamp and the response are the file's. */
GST_START_TEST (test_parametric_eq_file)
{
  const gchar *text = "Preamp: -6.1 dB\r\n"
      "# from AutoEq\r\n"
      "Filter 2: ON PK Fc 180 Hz Gain -2.5 dB Q 0.83\r\n"
      "Filter 1: ON LSC Fc 105 Hz Gain 6.4 dB Q 0.70\r\n"
      "Filter 3: OFF PK Fc 3000 Hz Gain 9.0 dB Q 1.00\r\n"
      "Filter 4: ON HSC Fc 10000 Hz Gain -3.3 dB Q 0.70\r\n"
      "Filter 5: ON HP Fc 20 Hz Q 0.71\r\n";
  gchar *path = write_temp (text);
  EsParametricEq *eq = es_parametric_eq_load (path, NULL);
  GstHarness *h = gst_harness_new ("eqrender");
  EsBiquadCascade *ref = es_biquad_cascade_new (1, 44100.0);
  gdouble preamp, *ir, x[4096];
  EsBiquadParams p;
  guint n, i;

  fail_unless (eq != NULL && eq->n_filters == 4);
  g_object_set (h->element, "parametric-eq", path, NULL);
  g_object_get (h->element, "num-bands", &n, "preamp", &preamp, NULL);
  fail_unless_equals_int (n, 4);
  fail_unless_equals_float (preamp, -6.1);
  for (i = 0; i < n; i++) {
    get_band (h->element, i, &p);
    fail_unless_equals_int (p.type, eq->filters[i].type);
    fail_unless_equals_float (p.freq, eq->filters[i].freq);
    fail_unless_equals_float (p.gain_db, eq->filters[i].gain_db);
    fail_unless_equals_float (p.q, eq->filters[i].q);
  }
  get_band (h->element, 0, &p);
  fail_unless_equals_int (p.type, ES_BIQUAD_PEAKING);   /* file order */
  fail_unless_equals_float (p.freq, 180.0);
  gst_harness_set_src_caps_str (h, CAPS (F64, 44100, 1));
  ir = impulse_response (h, 4096, TRUE);
  fail_unless (es_biquad_cascade_set_bands (ref, eq->filters, eq->n_filters,
          NULL));
  es_biquad_cascade_set_gain_db (ref, eq->preamp_db);
  es_biquad_cascade_reset (ref);
  memset (x, 0, sizeof x);
  x[0] = 1.0;
  es_biquad_cascade_process_f64 (ref, x, 4096);
  for (i = 0; i < 4096; i++)
    if (!(fabs (ir[i] - x[i]) <= 1e-12))
      ck_abort_msg ("impulse response sample %u: %g vs %g", i, ir[i], x[i]);
  g_free (ir);
  es_biquad_cascade_free (ref);
  es_parametric_eq_free (eq);
  gst_harness_teardown (h);
  g_unlink (path);
  g_free (path);
}

GST_END_TEST;

/* Start the element on its own (no harness: it asserts a clean start) and
 * return the error message posted, or NULL. */
static gchar *
start_error (GstElement * e, GstStateChangeReturn * ret)
{
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;
  gchar *text = NULL;

  gst_element_set_bus (e, bus);
  *ret = gst_element_set_state (e, GST_STATE_PAUSED);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  if (msg) {
    GError *error = NULL;

    gst_message_parse_error (msg, &error, NULL);
    text = g_strdup (error->message);
    g_error_free (error);
    gst_message_unref (msg);
  }
  gst_element_set_state (e, GST_STATE_NULL);
  gst_element_set_bus (e, NULL);
  gst_object_unref (bus);
  return text;
}

/* Malformed and missing files: the element does not start and the error
 * names the property, the file and the line. */
GST_START_TEST (test_parametric_eq_errors)
{
  static const struct
  {
    const gchar *text, *expect;
  } cases[] = {
    {"Preamp: -6.1 dB\nFilter 1: ON XYZ Fc 105 Hz Gain 6.4 dB Q 0.70\n",
        "line 2"},
    {"Preamp: -6.1 dB\nFilter 1: ON PK Fc abc Hz Gain 6.4 dB Q 0.70\n",
        "line 2"},
    {"Preamp: loud\n", "line 1"},
    {"Filter 1: ON PK Fc 1000 Hz Gain 6.4 dB\nFilter 2: ON PK Fc 100 Hz "
          "Gain 99 dB Q 1\n", "line 2"},
  };
  GstStateChangeReturn ret;
  gchar *msg;
  guint k;

  for (k = 0; k < G_N_ELEMENTS (cases); k++) {
    gchar *path = write_temp (cases[k].text);
    GstElement *e = gst_element_factory_make ("eqrender", NULL);

    g_object_set (e, "parametric-eq", path, NULL);
    msg = start_error (e, &ret);
    fail_unless_equals_int (ret, GST_STATE_CHANGE_FAILURE);
    fail_unless (msg != NULL && strstr (msg, cases[k].expect) != NULL
        && strstr (msg, "parametric-eq") != NULL
        && strstr (msg, path) != NULL, "case %u: %s", k, msg);
    g_free (msg);
    /* the bands are untouched by a failed load */
    {
      guint n;
      g_object_get (e, "num-bands", &n, NULL);
      fail_unless_equals_int (n, 10);
    }
    gst_object_unref (e);
    g_unlink (path);
    g_free (path);
  }
  {
    GstElement *e = gst_element_factory_make ("eqrender", NULL);

    g_object_set (e, "parametric-eq", "/nonexistent/ParametricEQ.txt", NULL);
    msg = start_error (e, &ret);
    fail_unless_equals_int (ret, GST_STATE_CHANGE_FAILURE);
    fail_unless (msg && strstr (msg, "/nonexistent/ParametricEQ.txt"), "%s",
        msg);
    g_free (msg);
    gst_object_unref (e);
  }
  {
    /* a file error belongs to the value: setting another one clears it */
    GstElement *e = gst_element_factory_make ("eqrender", NULL);

    g_object_set (e, "parametric-eq", "/nonexistent/ParametricEQ.txt", NULL);
    g_object_set (e, "parametric-eq", NULL, NULL);
    msg = start_error (e, &ret);
    fail_unless (ret != GST_STATE_CHANGE_FAILURE && msg == NULL, "%s", msg);
    gst_object_unref (e);
  }
}

GST_END_TEST;

/* Caps the element cannot work with: the (sticky) caps event is stored
 * whatever happens, so the refusal shows as a buffer that is not
 * negotiated. */
static void
refuse_caps (GstHarness * h, const gchar * caps)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, 64 * sizeof (gfloat), NULL);
  GstCaps *c = gst_caps_from_string (caps);
  GstSegment segment;

  gst_harness_push_event (h, gst_event_new_caps (c));   /* the event takes its own ref */
  gst_caps_unref (c);
  gst_segment_init (&segment, GST_FORMAT_TIME);
  gst_harness_push_event (h, gst_event_new_segment (&segment));
  gst_buffer_memset (buf, 0, 0, 64 * sizeof (gfloat));
  fail_if (gst_harness_push (h, buf) == GST_FLOW_OK);
}

/* A band at or above Nyquist: caps are refused with an error naming the
 * band and the rate; set while playing, the next buffer fails the same way. */
GST_START_TEST (test_nyquist_error)
{
  GstHarness *h = gst_harness_new ("eqrender");
  GstBus *bus = es_harness_bus (h);
  GstMessage *msg;
  GError *error = NULL;
  gdouble x[64] = { 0 };

  g_object_set (h->element, "num-bands", 1, NULL);
  set_band (h->element, 0, ES_BIQUAD_PEAKING, 30000.0, 3.0, 1.0);
  refuse_caps (h, CAPS (F32, 48000, 1));
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL);
  gst_message_parse_error (msg, &error, NULL);
  fail_unless (strstr (error->message, "band 0") && strstr (error->message,
          "Nyquist") && strstr (error->message, "48000"), "%s", error->message);
  g_clear_error (&error);
  gst_message_unref (msg);

  /* fine at 96 kHz, then moved above Nyquist while playing */
  gst_harness_set_src_caps_str (h, CAPS (F32, 96000, 1));
  g_free (push_pull (h, x, 64, FALSE, 0, 0));
  set_band (h->element, 0, ES_BIQUAD_PEAKING, 50000.0, 3.0, 1.0);
  {
    GstBuffer *buf = gst_buffer_new_allocate (NULL, 64 * sizeof (gfloat), NULL);

    gst_buffer_memset (buf, 0, 0, 64 * sizeof (gfloat));
    fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_ERROR);
  }
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL);
  gst_message_parse_error (msg, &error, NULL);
  fail_unless (strstr (error->message, "Nyquist") != NULL, "%s",
      error->message);
  g_clear_error (&error);
  gst_message_unref (msg);
  es_bus_release (bus);
  gst_harness_teardown (h);
}

GST_END_TEST;

static gchar *
sample_path (const gchar * name)
{
  return g_build_filename (SOURCE_ROOT, "samples", name, NULL);
}

/* measurement + target: the bands are the fit of `earshot eq fit` at the
 * stream's rate (the CLI's -o file, and es_eq_fit), an element message
 * reports it, and the response is that EQ's. */
GST_START_TEST (test_measurement_fit)
{
  gchar *meas = sample_path ("iem-sample.csv"), *out = NULL, *cli_err = NULL;
  gchar *tmp = g_build_filename (g_get_tmp_dir (), "eqrender-fit-XXXXXX", NULL);
  gchar *file, *argv[12];
  GstElement *e = gst_element_factory_make ("eqrender", NULL);
  GstHarness *h;
  GstBus *bus;
  EsParametricEq *cli, *lib;
  EsFrMeasurement *m, *t;
  EsEqFitOptions opt;
  EsEqFitReport rep;
  GstMessage *msg;
  const GstStructure *s;
  gdouble preamp, residual;
  gint status = -1;
  guint n, i, filters;
  EsFrLimits limits = { 0, ES_EQ_FIT_FMIN, ES_EQ_FIT_FMAX, 0 };

  /* the CLI's fit at 44.1 kHz */
  fail_unless (g_mkdtemp (tmp) != NULL);
  file = g_build_filename (tmp, "eq.txt", NULL);
  argv[0] = (gchar *) g_getenv ("EARSHOT");
  fail_unless (argv[0] != NULL, "EARSHOT (the CLI) is not set");
  argv[1] = "eq";
  argv[2] = "fit";
  argv[3] = meas;
  argv[4] = "--target";
  argv[5] = "harman-in-ear";
  argv[6] = "--rate";
  argv[7] = "44100";
  argv[8] = "-o";
  argv[9] = file;
  argv[10] = NULL;
  fail_unless (g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
          &out, &cli_err, &status, NULL));
  fail_unless (g_spawn_check_wait_status (status, NULL), "%s", cli_err);
  cli = es_parametric_eq_load (file, NULL);
  fail_unless (cli != NULL && cli->n_filters > 0);

  /* and the library's */
  m = es_fr_measurement_load (meas, &limits, NULL);
  t = es_eq_target_load ("harman-in-ear", NULL);
  es_eq_fit_options_init (&opt);
  opt.rate = 44100;
  lib = es_eq_fit (m, t, &opt, &rep, NULL);
  fail_unless (lib != NULL);

  /* measurement and target change only in NULL or READY: set before the
   * harness starts the element */
  g_object_set (e, "measurement", meas, "target", "harman-in-ear", NULL);
  h = gst_harness_new_with_element (e, "sink", "src");
  gst_object_unref (e);
  bus = es_harness_bus (h);
  gst_harness_set_src_caps_str (h, CAPS (F32, 44100, 2));
  g_object_get (h->element, "num-bands", &n, "preamp", &preamp, NULL);
  fail_unless_equals_int (n, cli->n_filters);
  fail_unless_equals_int (n, lib->n_filters);
  fail_unless (fabs (preamp - cli->preamp_db) < 1e-9, "%g vs %g", preamp,
      cli->preamp_db);
  for (i = 0; i < n; i++) {
    EsBiquadParams p;

    get_band (h->element, i, &p);
    fail_unless_equals_int (p.type, cli->filters[i].type);
    /* the file holds the fit's values as printed (it rounds to that) */
    fail_unless (fabs (p.freq - cli->filters[i].freq) < 1e-6
        && fabs (p.gain_db - cli->filters[i].gain_db) < 1e-6
        && fabs (p.q - cli->filters[i].q) < 1e-6,
        "filter %u: %g Hz %g dB Q %g, CLI %g Hz %g dB Q %g", i, p.freq,
        p.gain_db, p.q, cli->filters[i].freq, cli->filters[i].gain_db,
        cli->filters[i].q);
    fail_unless (p.freq == lib->filters[i].freq
        && p.gain_db == lib->filters[i].gain_db && p.q == lib->filters[i].q);
  }
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT);
  fail_unless (msg != NULL, "no fit message");
  s = gst_message_get_structure (msg);
  fail_unless (gst_structure_has_name (s, "eqrender"));
  fail_unless (gst_structure_get_double (s, "residual-db", &residual));
  fail_unless (gst_structure_get_uint (s, "filters", &filters));
  fail_unless_equals_int (filters, n);
  fail_unless (fabs (residual - rep.residual_db) < 1e-9);
  fail_unless (residual < 1.0, "residual %g dB", residual);
  gst_message_unref (msg);
  {
    gdouble x[2048] = { 0 };
    gdouble *y = push_pull (h, x, 2048, FALSE, 0, 0);
    g_free (y);
    fail_if (gst_base_transform_is_passthrough (GST_BASE_TRANSFORM
            (h->element)));
  }

  /* the curves cannot change under the streaming thread */
  ASSERT_WARNING (g_object_set (h->element, "measurement", "other.csv", NULL));
  {
    gchar *now;
    g_object_get (h->element, "measurement", &now, NULL);
    fail_unless_equals_string (now, meas);
    g_free (now);
  }

  es_bus_release (bus);
  gst_harness_teardown (h);
  es_parametric_eq_free (cli);
  es_parametric_eq_free (lib);
  es_fr_measurement_free (m);
  es_fr_measurement_free (t);
  g_unlink (file);
  g_rmdir (tmp);
  g_free (file);
  g_free (tmp);
  g_free (out);
  g_free (cli_err);
  g_free (meas);
}

GST_END_TEST;

/* The fit's errors: a rate below 40 kHz, a target without a measurement,
 * an unknown target, a malformed measurement (the line is named). */
GST_START_TEST (test_measurement_errors)
{
  gchar *meas = sample_path ("iem-sample.csv");
  gchar *bad = write_temp ("frequency,raw\n20,90\n100,abc\n20000,80\n");
  GstStateChangeReturn ret;
  GstHarness *h;
  GstBus *bus;
  GstMessage *msg;
  GError *error = NULL;
  GstElement *e;
  gchar *text;

  e = gst_element_factory_make ("eqrender", NULL);
  g_object_set (e, "measurement", meas, "target", "neutral", NULL);
  h = gst_harness_new_with_element (e, "sink", "src");
  gst_object_unref (e);
  bus = es_harness_bus (h);
  refuse_caps (h, CAPS (F32, 32000, 1));
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL);
  gst_message_parse_error (msg, &error, NULL);
  fail_unless (strstr (error->message, "32000") && strstr (error->message,
          "audioresample"), "%s", error->message);
  g_clear_error (&error);
  gst_message_unref (msg);
  es_bus_release (bus);
  gst_harness_teardown (h);

  e = gst_element_factory_make ("eqrender", NULL);
  g_object_set (e, "target", "neutral", NULL);
  h = gst_harness_new_with_element (e, "sink", "src");
  gst_object_unref (e);
  bus = es_harness_bus (h);
  refuse_caps (h, CAPS (F32, 48000, 1));
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL);
  gst_message_parse_error (msg, &error, NULL);
  fail_unless (strstr (error->message, "measurement") != NULL, "%s",
      error->message);
  g_clear_error (&error);
  gst_message_unref (msg);
  es_bus_release (bus);
  gst_harness_teardown (h);

  e = gst_element_factory_make ("eqrender", NULL);
  g_object_set (e, "measurement", meas, "target", "no-such-target", NULL);
  text = start_error (e, &ret);
  fail_unless_equals_int (ret, GST_STATE_CHANGE_FAILURE);
  fail_unless (text && strstr (text, "target") && strstr (text,
          "no-such-target"), "%s", text);
  g_free (text);
  gst_object_unref (e);

  e = gst_element_factory_make ("eqrender", NULL);
  g_object_set (e, "measurement", bad, "target", "neutral", NULL);
  text = start_error (e, &ret);
  fail_unless_equals_int (ret, GST_STATE_CHANGE_FAILURE);
  fail_unless (text && strstr (text, "measurement") && strstr (text, bad)
      && strstr (text, ":3"), "%s", text);
  g_free (text);
  gst_object_unref (e);

  g_unlink (bad);
  g_free (bad);
  g_free (meas);
}

GST_END_TEST;

static Suite *
eqrender_suite (void)
{
  Suite *s = suite_create ("eqrender");
  TCase *tc = tcase_create ("general");

  tcase_set_timeout (tc, 120);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_caps);
  tcase_add_test (tc, test_band_response_matches_scipy);
  tcase_add_test (tc, test_channels_and_formats);
  tcase_add_test (tc, test_passthrough_when_flat);
  tcase_add_test (tc, test_flush_and_discont_reset);
  tcase_add_test (tc, test_nonfinite_input);
  tcase_add_test (tc, test_controlled_step_transient);
  tcase_add_test (tc, test_child_proxy);
  tcase_add_test (tc, test_presets);
  tcase_add_test (tc, test_preset_bass_auto_preamp);
  tcase_add_test (tc, test_parametric_eq_file);
  tcase_add_test (tc, test_parametric_eq_errors);
  tcase_add_test (tc, test_nyquist_error);
  tcase_add_test (tc, test_measurement_fit);
  tcase_add_test (tc, test_measurement_errors);
  return s;
}

GST_CHECK_MAIN (eqrender);
