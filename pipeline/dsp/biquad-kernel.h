/* Internal to pipeline/dsp (not installed): the fast path of EsBiquadCascade,
 * used while no parameter ramp is running and the input is finite.
 *
 * The cascade's sections are run "skewed": at step t section k works on sample
 * t - k, so every section of a channel is independent within a step and the
 * sections (and up to four channels) fill the lanes of 4-wide double vectors
 * (AVX2 + FMA, chosen at run time). Each call is exact: every section ends on
 * the same sample (a masked prologue and epilogue per block), so the state
 * left in the cascade's [section][channel][2] layout is the one the scalar
 * path reads and writes. Arithmetic is double precision throughout. */
#ifndef ES_DSP_BIQUAD_KERNEL_H
#define ES_DSP_BIQUAD_KERNEL_H

#include <stddef.h>
#include <glib.h>

#include "dsp/biquad.h"

G_BEGIN_DECLS

typedef struct _EsBiquadKernel EsBiquadKernel;

/* NULL when the CPU (or the build) has no vector kernel; the caller then
 * uses its scalar loop. ES_BIQUAD_KERNEL=scalar in the environment disables
 * it (for comparisons). */
EsBiquadKernel *es_biquad_kernel_new (void);
void es_biquad_kernel_free (EsBiquadKernel *k);

/* Filter interleaved audio through @n_sections fixed sections (@coeffs),
 * then multiply by @gain, updating @state ([section][channel][2],
 * transposed direct form II). Works block by block and stops before the
 * first block holding a non-finite sample: returns the frames done (the
 * caller's scalar loop takes the rest). */
size_t es_biquad_kernel_run_f32 (EsBiquadKernel *k, const EsBiquadCoeffs *coeffs,
    unsigned n_sections, unsigned channels, double *state, double gain, float *data,
    size_t n_frames);
size_t es_biquad_kernel_run_f64 (EsBiquadKernel *k, const EsBiquadCoeffs *coeffs,
    unsigned n_sections, unsigned channels, double *state, double gain, double *data,
    size_t n_frames);

G_END_DECLS

#endif
