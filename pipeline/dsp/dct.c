/* Orthonormal DCT-II as a precomputed n_out x n_in matrix (n_in is a band count,
 * tens of values, so a matrix beats an FFT-based DCT and is exact to rounding). */
#include "dsp/dct.h"

#include <math.h>

struct _EsDct {
  unsigned n_in;
  unsigned n_out;
  double *matrix;   /* n_out x n_in; double so cancellation in high coefficients stays small */
};

EsDct *
es_dct_new (unsigned n_in, unsigned n_out)
{
  EsDct *dct;

  g_return_val_if_fail (n_in >= 1, NULL);
  g_return_val_if_fail (n_out >= 1 && n_out <= n_in, NULL);

  dct = g_new (EsDct, 1);
  dct->n_in = n_in;
  dct->n_out = n_out;
  dct->matrix = g_new (double, (size_t) n_out * n_in);
  for (unsigned k = 0; k < n_out; k++) {
    double scale = sqrt ((k == 0 ? 1.0 : 2.0) / n_in);
    for (unsigned n = 0; n < n_in; n++)
      dct->matrix[(size_t) k * n_in + n] =
          scale * cos (G_PI * k * (2.0 * n + 1.0) / (2.0 * n_in));
  }
  return dct;
}

void
es_dct_free (EsDct *dct)
{
  if (dct == NULL)
    return;
  g_free (dct->matrix);
  g_free (dct);
}

unsigned
es_dct_get_n_in (const EsDct *dct)
{
  return dct->n_in;
}

unsigned
es_dct_get_n_out (const EsDct *dct)
{
  return dct->n_out;
}

void
es_dct_process (const EsDct *dct, const float *in, float *out)
{
  for (unsigned k = 0; k < dct->n_out; k++) {
    const double *row = dct->matrix + (size_t) k * dct->n_in;
    double sum = 0.0;
    for (unsigned n = 0; n < dct->n_in; n++)
      sum += row[n] * in[n];
    out[k] = (float) sum;
  }
}
