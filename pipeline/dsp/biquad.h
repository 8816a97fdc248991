/* RBJ-cookbook biquads (peaking, shelves, low/high-pass, notch) parametrised by
 * frequency, gain and Q, and a multichannel cascade that renders them with
 * click-free parameter changes. */
#ifndef ES_DSP_BIQUAD_H
#define ES_DSP_BIQUAD_H

#include <stddef.h>
#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  ES_BIQUAD_PEAKING,
  ES_BIQUAD_LOW_SHELF,
  ES_BIQUAD_HIGH_SHELF,
  ES_BIQUAD_LOW_PASS,
  ES_BIQUAD_HIGH_PASS,
  ES_BIQUAD_NOTCH,
} EsBiquadType;

typedef struct {
  EsBiquadType type;
  double freq;    /* Hz, 0 < freq < rate / 2 */
  double gain_db; /* used by peaking and shelves */
  double q;       /* > 0; for shelves the cookbook's Q (as AutoEq / Equalizer APO) */
} EsBiquadParams;

/* Normalised coefficients (a0 = 1). */
typedef struct {
  double b0, b1, b2, a1, a2;
} EsBiquadCoeffs;

#define ES_BIQUAD_MAX_GAIN_DB 40.0

/* Design one section. Errors (ES_DSP_ERROR) name the bad parameter, e.g. a
 * frequency at or above Nyquist for @rate. A peaking or shelf section at
 * 0 dB is exactly unity and its frequency is not checked against Nyquist. */
gboolean es_biquad_design (const EsBiquadParams *params, double rate,
    EsBiquadCoeffs *out, GError **error);
const char *es_biquad_type_name (EsBiquadType type);

/* |H(e^jw)| in dB at @freq Hz. */
double es_biquad_magnitude_db (const EsBiquadCoeffs *c, double freq, double rate);

/* A cascade of sections applied to interleaved audio with double-precision
 * transposed-direct-form-II state per channel, plus an output gain. Parameter
 * changes ramp the coefficients linearly per sample over the ramp length: the
 * stability region of (a1, a2) is a triangle, so every intermediate section of
 * two stable sections is stable. A non-finite input sample resets that
 * channel's state, comes out as 0 and is counted; denormal state is flushed.
 *
 * Two paths give the same result (to rounding): a scalar loop, which runs
 * ramps and blocks holding non-finite samples, and a vector path (AVX2 + FMA
 * where the CPU has it; dsp/biquad-kernel.c) for everything else. One object
 * is used by one thread at a time. */
typedef struct _EsBiquadCascade EsBiquadCascade;

#define ES_BIQUAD_DEFAULT_RAMP_SECONDS 0.02

EsBiquadCascade *es_biquad_cascade_new (unsigned channels, double rate);
void es_biquad_cascade_free (EsBiquadCascade *c);
/* Replace the bands (targets; the running sections ramp to them). On error
 * nothing changes. */
gboolean es_biquad_cascade_set_bands (EsBiquadCascade *c,
    const EsBiquadParams *bands, unsigned n_bands, GError **error);
/* Output gain in dB (ramped like the coefficients). */
void es_biquad_cascade_set_gain_db (EsBiquadCascade *c, double gain_db);
/* Ramp length in frames (0: parameter changes apply at once). */
void es_biquad_cascade_set_ramp_frames (EsBiquadCascade *c, size_t frames);
/* Zero the state and finish any ramp (flush / discont / stop). */
void es_biquad_cascade_reset (EsBiquadCascade *c);
void es_biquad_cascade_process_f32 (EsBiquadCascade *c, float *data, size_t n_frames);
void es_biquad_cascade_process_f64 (EsBiquadCascade *c, double *data, size_t n_frames);
/* TRUE when the target response is exactly unity and no ramp is running. */
gboolean es_biquad_cascade_is_identity (const EsBiquadCascade *c);
/* Largest magnitude (dB) of the target bands' combined response (without the
 * output gain) on a dense log grid, 10 Hz to Nyquist: the headroom a preamp
 * needs so a boost never clips. */
double es_biquad_cascade_max_gain_db (const EsBiquadCascade *c);
/* Non-finite input samples seen (each reset its channel), plus state
 * overflows caused by huge finite input (each reset every channel). */
guint64 es_biquad_cascade_nonfinite_count (const EsBiquadCascade *c);
/* Use the vector path when the CPU has one (the default) or only the scalar
 * loop (for tests and comparisons; also ES_BIQUAD_KERNEL=scalar). */
void es_biquad_cascade_set_vector_path (EsBiquadCascade *c, gboolean enabled);
gboolean es_biquad_cascade_has_vector_path (const EsBiquadCascade *c);

G_END_DECLS

#endif
