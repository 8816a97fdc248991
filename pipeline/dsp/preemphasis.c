/* Pre-emphasis y[n] = x[n] - a x[n-1] on interleaved samples, in place. */
#include "dsp/preemphasis.h"

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
    double prev = last[0];
    for (size_t i = 0; i < n_frames; i++) {
      double x = data[i];
      data[i] = (float) (x - a * prev);
      prev = x;
    }
    last[0] = (float) prev;
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
