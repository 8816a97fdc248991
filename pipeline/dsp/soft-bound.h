/* Internal to pipeline/dsp (not installed): the bounded log parametrisation
 * shared by the learnable filterbank and PCEN.
 *
 * A trainable positive quantity y is stored as a raw offset u from its initial
 * value y0 (u = 0 at initialisation):
 *     y = y0 * exp (phi (u)),   phi (u) = hi * tanh (u / hi)   for u >= 0
 *                                        lo * tanh (u / lo)   for u <  0
 * so ln y moves one for one with u near the start (a log parametrisation), y
 * stays inside (y0 e^-lo, y0 e^hi) however large a step is, phi is smooth
 * (phi' = 1 and phi'' = 0 on both sides of 0), and u = 0 gives y0 exactly
 * (tanh (0) = 0, exp (0) = 1), so an untrained layer reproduces its
 * initialisation bit for bit. An infinite gap leaves that side unbounded. */
#ifndef ES_DSP_SOFT_BOUND_H
#define ES_DSP_SOFT_BOUND_H

#include <math.h>

/* phi (u), and phi' (u) in *deriv. */
static inline double
es_soft_bound_phi (double u, double lo, double hi, double *deriv)
{
  double gap = u >= 0.0 ? hi : lo;
  double t;

  if (isinf (gap)) {
    *deriv = 1.0;
    return u;
  }
  t = tanh (u / gap);
  *deriv = 1.0 - t * t;
  return gap * t;
}

/* y0 * exp (phi (u)) kept strictly inside (min, max) (tanh rounds to +-1 far
 * out, which would put y on the bound), and dy/du in *deriv. */
static inline double
es_soft_bound_value (double y0, double u, double lo, double hi, double min, double max,
    double *deriv)
{
  double dphi, y = y0 * exp (es_soft_bound_phi (u, lo, hi, &dphi));

  if (y >= max)
    y = nextafter (max, 0.0);
  if (y <= min)
    y = nextafter (min, INFINITY);
  *deriv = y * dphi;
  return y;
}

#endif
