/* RBJ Audio EQ Cookbook biquads and a ramped cascade; see biquad.h. */
#include "dsp/biquad.h"

#include <math.h>
#include <string.h>

#include "dsp/biquad-kernel.h"
#include "dsp/dsp-error.h"

/* State below this is flushed to 0 so decaying tails never go denormal. */
#define DENORMAL_LIMIT 1e-30

static const char *const type_names[] = {
  "peaking", "low-shelf", "high-shelf", "low-pass", "high-pass", "notch",
};

const char *
es_biquad_type_name (EsBiquadType type)
{
  if ((unsigned) type >= G_N_ELEMENTS (type_names))
    return "unknown";
  return type_names[type];
}

static const EsBiquadCoeffs identity = { 1.0, 0.0, 0.0, 0.0, 0.0 };

gboolean
es_biquad_design (const EsBiquadParams *p, double rate, EsBiquadCoeffs *out, GError **error)
{
  double w0, cw, sw, alpha, A, sqA, b0, b1, b2, a0, a1, a2;

  if (!(rate > 0.0) || !isfinite (rate)) {
    g_set_error (error, ES_DSP_ERROR, ES_DSP_ERROR_INVALID_CONFIG,
        "sample rate %g Hz is not a positive number", rate);
    return FALSE;
  }
  if ((unsigned) p->type >= G_N_ELEMENTS (type_names)) {
    g_set_error (error, ES_DSP_ERROR, ES_DSP_ERROR_INVALID_BAND, "unknown filter type %d", p->type);
    return FALSE;
  }
  if (!(p->freq > 0.0) || !isfinite (p->freq)) {
    g_set_error (error, ES_DSP_ERROR, ES_DSP_ERROR_INVALID_BAND,
        "%s filter frequency %g Hz is not a positive number", es_biquad_type_name (p->type), p->freq);
    return FALSE;
  }
  if (!(p->q > 0.0) || !isfinite (p->q) || p->q > 1000.0) {
    g_set_error (error, ES_DSP_ERROR, ES_DSP_ERROR_INVALID_BAND,
        "%s filter Q %g is outside (0, 1000]", es_biquad_type_name (p->type), p->q);
    return FALSE;
  }
  if (!isfinite (p->gain_db) || fabs (p->gain_db) > ES_BIQUAD_MAX_GAIN_DB) {
    g_set_error (error, ES_DSP_ERROR, ES_DSP_ERROR_INVALID_BAND,
        "%s filter gain %g dB is outside +-%g dB", es_biquad_type_name (p->type), p->gain_db,
        ES_BIQUAD_MAX_GAIN_DB);
    return FALSE;
  }

  if (p->gain_db == 0.0 && (p->type == ES_BIQUAD_PEAKING || p->type == ES_BIQUAD_LOW_SHELF
          || p->type == ES_BIQUAD_HIGH_SHELF)) {
    /* exactly unity, so a flat band lets the element pass through; it is
     * unity at any rate, so its frequency is not held against Nyquist (a
     * flat 16 kHz band of a default layout must not fail 32 kHz audio) */
    *out = identity;
    return TRUE;
  }
  if (p->freq >= rate / 2.0) {
    g_set_error (error, ES_DSP_ERROR, ES_DSP_ERROR_INVALID_BAND,
        "%s filter frequency %g Hz is at or above the Nyquist frequency %g Hz of %g Hz audio",
        es_biquad_type_name (p->type), p->freq, rate / 2.0, rate);
    return FALSE;
  }
  w0 = 2.0 * G_PI * p->freq / rate;
  cw = cos (w0);
  sw = sin (w0);
  alpha = sw / (2.0 * p->q);
  A = pow (10.0, p->gain_db / 40.0);
  sqA = sqrt (A);

  switch (p->type) {
    case ES_BIQUAD_PEAKING:
      b0 = 1.0 + alpha * A; b1 = -2.0 * cw; b2 = 1.0 - alpha * A;
      a0 = 1.0 + alpha / A; a1 = -2.0 * cw; a2 = 1.0 - alpha / A;
      break;
    case ES_BIQUAD_LOW_SHELF:
      b0 = A * ((A + 1.0) - (A - 1.0) * cw + 2.0 * sqA * alpha);
      b1 = 2.0 * A * ((A - 1.0) - (A + 1.0) * cw);
      b2 = A * ((A + 1.0) - (A - 1.0) * cw - 2.0 * sqA * alpha);
      a0 = (A + 1.0) + (A - 1.0) * cw + 2.0 * sqA * alpha;
      a1 = -2.0 * ((A - 1.0) + (A + 1.0) * cw);
      a2 = (A + 1.0) + (A - 1.0) * cw - 2.0 * sqA * alpha;
      break;
    case ES_BIQUAD_HIGH_SHELF:
      b0 = A * ((A + 1.0) + (A - 1.0) * cw + 2.0 * sqA * alpha);
      b1 = -2.0 * A * ((A - 1.0) + (A + 1.0) * cw);
      b2 = A * ((A + 1.0) + (A - 1.0) * cw - 2.0 * sqA * alpha);
      a0 = (A + 1.0) - (A - 1.0) * cw + 2.0 * sqA * alpha;
      a1 = 2.0 * ((A - 1.0) - (A + 1.0) * cw);
      a2 = (A + 1.0) - (A - 1.0) * cw - 2.0 * sqA * alpha;
      break;
    case ES_BIQUAD_LOW_PASS:
      b0 = (1.0 - cw) / 2.0; b1 = 1.0 - cw; b2 = b0;
      a0 = 1.0 + alpha; a1 = -2.0 * cw; a2 = 1.0 - alpha;
      break;
    case ES_BIQUAD_HIGH_PASS:
      b0 = (1.0 + cw) / 2.0; b1 = -(1.0 + cw); b2 = b0;
      a0 = 1.0 + alpha; a1 = -2.0 * cw; a2 = 1.0 - alpha;
      break;
    case ES_BIQUAD_NOTCH:
    default:
      b0 = 1.0; b1 = -2.0 * cw; b2 = 1.0;
      a0 = 1.0 + alpha; a1 = -2.0 * cw; a2 = 1.0 - alpha;
      break;
  }
  out->b0 = b0 / a0;
  out->b1 = b1 / a0;
  out->b2 = b2 / a0;
  out->a1 = a1 / a0;
  out->a2 = a2 / a0;
  return TRUE;
}

double
es_biquad_magnitude_db (const EsBiquadCoeffs *c, double freq, double rate)
{
  double w = 2.0 * G_PI * freq / rate;
  double c1 = cos (w), s1 = sin (w), c2 = cos (2.0 * w), s2 = sin (2.0 * w);
  /* H = (b0 + b1 z^-1 + b2 z^-2) / (1 + a1 z^-1 + a2 z^-2), z = e^jw */
  double nr = c->b0 + c->b1 * c1 + c->b2 * c2, ni = -(c->b1 * s1 + c->b2 * s2);
  double dr = 1.0 + c->a1 * c1 + c->a2 * c2, di = -(c->a1 * s1 + c->a2 * s2);
  return 10.0 * log10 ((nr * nr + ni * ni) / (dr * dr + di * di));
}

struct _EsBiquadCascade {
  unsigned channels;
  double rate;
  /* per running section (>= n_bands while a removed band ramps out) */
  EsBiquadCoeffs *cur, *target, *step;
  unsigned n_sections, cap_sections;
  unsigned n_bands;
  double *state;         /* [section][channel][2] */
  double gain, gain_target, gain_step;
  size_t ramp_frames, ramp_left;
  guint64 nonfinite;
  EsBiquadKernel *kernel; /* the vector path, NULL without one */
};

EsBiquadCascade *
es_biquad_cascade_new (unsigned channels, double rate)
{
  EsBiquadCascade *c;

  g_return_val_if_fail (channels > 0 && rate > 0.0, NULL);
  c = g_new0 (EsBiquadCascade, 1);
  c->channels = channels;
  c->rate = rate;
  c->gain = c->gain_target = 1.0;
  c->ramp_frames = (size_t) (ES_BIQUAD_DEFAULT_RAMP_SECONDS * rate + 0.5);
  c->kernel = es_biquad_kernel_new ();
  return c;
}

void
es_biquad_cascade_free (EsBiquadCascade *c)
{
  if (!c)
    return;
  g_free (c->cur);
  g_free (c->target);
  g_free (c->step);
  g_free (c->state);
  es_biquad_kernel_free (c->kernel);
  g_free (c);
}

void
es_biquad_cascade_set_vector_path (EsBiquadCascade *c, gboolean enabled)
{
  if (!enabled) {
    g_clear_pointer (&c->kernel, es_biquad_kernel_free);
  } else if (!c->kernel) {
    c->kernel = es_biquad_kernel_new ();
  }
}

gboolean
es_biquad_cascade_has_vector_path (const EsBiquadCascade *c)
{
  return c->kernel != NULL;
}

static void
coeffs_step (const EsBiquadCoeffs *from, const EsBiquadCoeffs *to, double inv, EsBiquadCoeffs *step)
{
  step->b0 = (to->b0 - from->b0) * inv;
  step->b1 = (to->b1 - from->b1) * inv;
  step->b2 = (to->b2 - from->b2) * inv;
  step->a1 = (to->a1 - from->a1) * inv;
  step->a2 = (to->a2 - from->a2) * inv;
}

static void
finish_ramp (EsBiquadCascade *c)
{
  if (c->n_sections)
    memcpy (c->cur, c->target, sizeof (EsBiquadCoeffs) * c->n_sections);
  c->gain = c->gain_target;
  c->ramp_left = 0;
  c->n_sections = c->n_bands; /* sections ramped out to unity are dropped */
}

static void
start_ramp (EsBiquadCascade *c)
{
  unsigned i;
  gboolean moving = c->gain != c->gain_target || c->n_sections != c->n_bands;

  for (i = 0; i < c->n_sections && !moving; i++)
    moving = memcmp (&c->cur[i], &c->target[i], sizeof (EsBiquadCoeffs)) != 0;
  if (c->ramp_frames == 0 || !moving) {
    finish_ramp (c); /* nothing to ramp: the fast path stays on */
    return;
  }
  for (i = 0; i < c->n_sections; i++)
    coeffs_step (&c->cur[i], &c->target[i], 1.0 / c->ramp_frames, &c->step[i]);
  c->gain_step = (c->gain_target - c->gain) / c->ramp_frames;
  c->ramp_left = c->ramp_frames;
}

gboolean
es_biquad_cascade_set_bands (EsBiquadCascade *c, const EsBiquadParams *bands,
    unsigned n_bands, GError **error)
{
  EsBiquadCoeffs *designed = g_new (EsBiquadCoeffs, n_bands ? n_bands : 1);
  unsigned i, n;

  for (i = 0; i < n_bands; i++) {
    if (!es_biquad_design (&bands[i], c->rate, &designed[i], error)) {
      g_prefix_error (error, "band %u: ", i);
      g_free (designed);
      return FALSE;
    }
  }
  n = MAX (n_bands, c->n_sections);
  if (n > c->cap_sections) {
    c->cur = g_renew (EsBiquadCoeffs, c->cur, n);
    c->target = g_renew (EsBiquadCoeffs, c->target, n);
    c->step = g_renew (EsBiquadCoeffs, c->step, n);
    c->state = g_renew (double, c->state, (size_t) n * c->channels * 2);
    c->cap_sections = n;
  }
  if (n > c->n_sections) {
    for (i = c->n_sections; i < n; i++)
      c->cur[i] = identity; /* a new band fades in from unity */
    memset (c->state + (size_t) c->n_sections * c->channels * 2, 0,
        sizeof (double) * (n - c->n_sections) * c->channels * 2);
  }
  for (i = 0; i < n; i++)
    c->target[i] = i < n_bands ? designed[i] : identity;
  c->n_sections = n;
  c->n_bands = n_bands;
  g_free (designed);
  start_ramp (c);
  return TRUE;
}

void
es_biquad_cascade_set_gain_db (EsBiquadCascade *c, double gain_db)
{
  c->gain_target = pow (10.0, gain_db / 20.0);
  start_ramp (c); /* restarts every ramp from where it is, so they stay in step */
}

void
es_biquad_cascade_set_ramp_frames (EsBiquadCascade *c, size_t frames)
{
  c->ramp_frames = frames;
}

void
es_biquad_cascade_reset (EsBiquadCascade *c)
{
  finish_ramp (c);
  if (c->state)
    memset (c->state, 0, sizeof (double) * c->n_sections * c->channels * 2);
}

/* One sample of one channel through all running sections. */
static inline double
run_sections (EsBiquadCascade *c, unsigned ch, double x)
{
  unsigned i, stride = c->channels * 2;
  double *s = c->state + (size_t) ch * 2;

  for (i = 0; i < c->n_sections; i++, s += stride) {
    const EsBiquadCoeffs *k = &c->cur[i];
    double y = k->b0 * x + s[0];
    s[0] = k->b1 * x - k->a1 * y + s[1];
    s[1] = k->b2 * x - k->a2 * y;
    x = y;
  }
  return x * c->gain;
}

static void
reset_channel (EsBiquadCascade *c, unsigned ch)
{
  unsigned i;

  for (i = 0; i < c->n_sections; i++) {
    c->state[((size_t) i * c->channels + ch) * 2] = 0.0;
    c->state[((size_t) i * c->channels + ch) * 2 + 1] = 0.0;
  }
}

static void
advance_ramp (EsBiquadCascade *c)
{
  unsigned i;

  if (--c->ramp_left == 0) {
    finish_ramp (c); /* land exactly on the target */
    return;
  }
  for (i = 0; i < c->n_sections; i++) {
    EsBiquadCoeffs *k = &c->cur[i];
    const EsBiquadCoeffs *d = &c->step[i];
    k->b0 += d->b0;
    k->b1 += d->b1;
    k->b2 += d->b2;
    k->a1 += d->a1;
    k->a2 += d->a2;
  }
  c->gain += c->gain_step;
}

/* After each call: state that decayed below the denormal limit is flushed
 * (between calls and not per sample, which would make the filter nonlinear
 * and can leave a tiny limit cycle; a tail needs far longer than a call to
 * get from 1e-30 to denormals), and a state overflowed by huge finite input is cleared
 * so it cannot poison what follows. */
static void
tidy_state (EsBiquadCascade *c)
{
  size_t i, n = (size_t) c->n_sections * c->channels * 2;
  gboolean bad = FALSE;

  for (i = 0; i < n; i++) {
    double v = c->state[i];
    if (!isfinite (v))
      bad = TRUE;
    else if (fabs (v) < DENORMAL_LIMIT)
      c->state[i] = 0.0;
  }
  if (bad) {
    memset (c->state, 0, sizeof (double) * n);
    c->nonfinite++;
  }
}

#define DEFINE_PROCESS(suffix, T)                                              \
static void                                                                    \
process_scalar_##suffix (EsBiquadCascade *c, T *data, size_t n_frames)         \
{                                                                              \
  size_t f;                                                                    \
  unsigned ch;                                                                 \
  for (f = 0; f < n_frames; f++, data += c->channels) {                        \
    for (ch = 0; ch < c->channels; ch++) {                                     \
      double x = data[ch];                                                     \
      if (!isfinite (x)) {                                                     \
        reset_channel (c, ch);                                                 \
        c->nonfinite++;                                                        \
        data[ch] = 0;                                                          \
        continue;                                                              \
      }                                                                        \
      data[ch] = (T) run_sections (c, ch, x);                                  \
    }                                                                          \
    if (c->ramp_left)                                                          \
      advance_ramp (c);                                                        \
  }                                                                            \
}                                                                              \
                                                                               \
void                                                                           \
es_biquad_cascade_process_##suffix (EsBiquadCascade *c, T *data, size_t n_frames) \
{                                                                              \
  size_t done = 0;                                                             \
  /* A ramp runs sample by sample in the scalar loop; once it has landed, */   \
  /* finite input goes through the vector path. */                             \
  if (c->ramp_left && c->kernel) {                                             \
    done = MIN (c->ramp_left, n_frames);                                       \
    process_scalar_##suffix (c, data, done);                                   \
  }                                                                            \
  data += done * c->channels;                                                  \
  n_frames -= done;                                                            \
  if (c->kernel && !c->ramp_left) {                                            \
    /* stops before a block with a NaN or infinity, which the scalar loop */   \
    /* handles sample by sample */                                             \
    done = es_biquad_kernel_run_##suffix (c->kernel, c->cur, c->n_sections,    \
        c->channels, c->state, c->gain, data, n_frames);                       \
    data += done * c->channels;                                                \
    n_frames -= done;                                                          \
  }                                                                            \
  if (n_frames)                                                                \
    process_scalar_##suffix (c, data, n_frames);                               \
  tidy_state (c);                                                              \
}

DEFINE_PROCESS (f32, float)
DEFINE_PROCESS (f64, double)

gboolean
es_biquad_cascade_is_identity (const EsBiquadCascade *c)
{
  unsigned i;

  if (c->ramp_left || c->gain_target != 1.0)
    return FALSE;
  for (i = 0; i < c->n_sections; i++)
    if (memcmp (&c->target[i], &identity, sizeof identity) != 0)
      return FALSE;
  return TRUE;
}

double
es_biquad_cascade_max_gain_db (const EsBiquadCascade *c)
{
  const unsigned n_points = 2048;
  double lo = log (10.0), hi = log (c->rate / 2.0 * 0.9999), best = -INFINITY;
  unsigned p, i;

  if (c->n_bands == 0)
    return 0.0;
  for (p = 0; p < n_points; p++) {
    double f = exp (lo + (hi - lo) * p / (n_points - 1)), db = 0.0;
    for (i = 0; i < c->n_bands; i++)
      db += es_biquad_magnitude_db (&c->target[i], f, c->rate);
    best = MAX (best, db);
  }
  return best;
}

guint64
es_biquad_cascade_nonfinite_count (const EsBiquadCascade *c)
{
  return c->nonfinite;
}
