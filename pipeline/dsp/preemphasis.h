/* Pre-emphasis: y[n] = x[n] - a * x[n-1], a first-order high-pass that lifts the
 * spectral tilt of speech and music before framing. */
#ifndef ES_DSP_PREEMPHASIS_H
#define ES_DSP_PREEMPHASIS_H

#include <stddef.h>
#include <glib.h>

G_BEGIN_DECLS

#define ES_PREEMPHASIS_DEFAULT_COEFFICIENT 0.97

/* Filter interleaved samples in place.
 * @data: n_frames * channels interleaved samples, overwritten with the output.
 * @last: per-channel state, channels entries: the last *input* sample of the
 *        previous call (0 after a reset, so y[0] = x[0] at stream start). Updated.
 * Non-finite input propagates as non-finite output for that channel until the
 * state is reset; callers decide what to do about it. */
void es_preemphasis_f32 (float *data, size_t n_frames, unsigned channels,
    float coefficient, float *last);
void es_preemphasis_f64 (double *data, size_t n_frames, unsigned channels,
    double coefficient, double *last);

G_END_DECLS

#endif
