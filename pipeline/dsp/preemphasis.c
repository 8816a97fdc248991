/* Pre-emphasis y[n] = x[n] - a x[n-1] on interleaved samples, in place. */
#include "dsp/preemphasis.h"

#include <string.h>

#include "dsp/simd.h"

/* The mono case, eight samples at a time in double lanes. It runs from the
 * end down, so each x[i - 1] is read before it is overwritten; every sample is
 * rounded exactly as in the scalar loop. */
ES_SIMD_CLONES static void
preemphasis_mono_f32 (float *data, size_t n, double a, float prev)
{
  const EsD4 av = { a, a, a, a };
  size_t i = n;

  for (; i >= 9; i -= 8) {
    float *lo = data + i - 8, *hi = data + i - 4;
    EsF4 x_lo, p_lo, x_hi, p_hi;

    memcpy (&x_lo, lo, sizeof (x_lo));
    memcpy (&p_lo, lo - 1, sizeof (p_lo));
    memcpy (&x_hi, hi, sizeof (x_hi));
    memcpy (&p_hi, hi - 1, sizeof (p_hi));
    x_lo = __builtin_convertvector (__builtin_convertvector (x_lo, EsD4)
        - av * __builtin_convertvector (p_lo, EsD4), EsF4);
    x_hi = __builtin_convertvector (__builtin_convertvector (x_hi, EsD4)
        - av * __builtin_convertvector (p_hi, EsD4), EsF4);
    memcpy (lo, &x_lo, sizeof (x_lo));
    memcpy (hi, &x_hi, sizeof (x_hi));
  }
  for (; i > 1; i--)
    data[i - 1] = (float) ((double) data[i - 1] - a * (double) data[i - 2]);
  data[0] = (float) ((double) data[0] - a * (double) prev);
}

void
es_preemphasis_f32 (float *data, size_t n_frames, unsigned channels,
    float coefficient, float *last)
{
  /* The difference is formed in double: x[n] and a x[n-1] are often close, and
   * float rounding of the product would show up as relative error in y. */
  const double a = coefficient;

  /* a = 0 is the identity, even after a non-finite sample (0 * inf is NaN). */
  if (coefficient == 0) {
    if (n_frames > 0)
      for (unsigned c = 0; c < channels; c++)
        last[c] = data[(n_frames - 1) * channels + c];
    return;
  }

  if (channels == 1) {
    if (n_frames > 0) {
      float x_end = data[n_frames - 1];
      preemphasis_mono_f32 (data, n_frames, a, last[0]);
      last[0] = x_end;
    }
    return;
  }

  /* Frame-major so the data is walked once, in memory order. */
  for (size_t i = 0; i < n_frames; i++) {
    float *frame = data + i * channels;
    for (unsigned c = 0; c < channels; c++) {
      float x = frame[c];
      frame[c] = (float) ((double) x - a * last[c]);
      last[c] = x;
    }
  }
}

void
es_preemphasis_f64 (double *data, size_t n_frames, unsigned channels,
    double coefficient, double *last)
{
  const double a = coefficient;

  /* a = 0 is the identity, even after a non-finite sample (0 * inf is NaN). */
  if (coefficient == 0) {
    if (n_frames > 0)
      for (unsigned c = 0; c < channels; c++)
        last[c] = data[(n_frames - 1) * channels + c];
    return;
  }

  if (channels == 1) {
    double prev = last[0];
    for (size_t i = 0; i < n_frames; i++) {
      double x = data[i];
      data[i] = x - a * prev;
      prev = x;
    }
    last[0] = prev;
    return;
  }

  for (size_t i = 0; i < n_frames; i++) {
    double *frame = data + i * channels;
    for (unsigned c = 0; c < channels; c++) {
      double x = frame[c];
      frame[c] = x - a * last[c];
      last[c] = x;
    }
  }
}
