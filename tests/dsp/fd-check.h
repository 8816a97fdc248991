/* Finite-difference gradient checks for the dsp tests: the 4-point central
 * stencil (f(x-2h) - 8 f(x-h) + 8 f(x+h) - f(x+2h)) / 12h, error O(h^4), as
 * ggml's test-backend-ops gradient mode uses. */
#ifndef ES_TEST_FD_CHECK_H
#define ES_TEST_FD_CHECK_H

#include <check.h>
#include <math.h>
#include <glib.h>

/* A scalar loss of the float inputs x (the function may read x only). */
typedef double (*FdLoss) (const float *x, gpointer user_data);

/* d loss / d x[i] by the stencil; x[i] is restored afterwards. */
static inline double
fd_derivative (FdLoss loss, float *x, size_t i, double h, gpointer user_data)
{
  const float saved = x[i];
  double f[4];
  const double steps[4] = { -2.0, -1.0, 1.0, 2.0 };

  for (int s = 0; s < 4; s++) {
    x[i] = (float) (saved + steps[s] * h);
    f[s] = loss (x, user_data);
  }
  x[i] = saved;
  /* the float rounding of x[i] +- h is part of the step actually taken */
  {
    double hh = ((double) (float) (saved + h) - (double) (float) (saved - h)) / 2.0;
    return (f[0] - 8.0 * f[1] + 8.0 * f[2] - f[3]) / (12.0 * hh);
  }
}

/* Check analytic[i] against the stencil for every i in idx (n_idx entries):
 * |a - fd| <= rtol * max(|a|, |fd|) + atol. */
static inline void
fd_check (const char *what, FdLoss loss, float *x, const size_t *idx, size_t n_idx,
    const float *analytic, double h, double rtol, double atol, gpointer user_data)
{
  for (size_t j = 0; j < n_idx; j++) {
    size_t i = idx[j];
    double fd = fd_derivative (loss, x, i, h, user_data);
    double a = analytic[i];
    ck_assert_msg (fabs (a - fd) <= rtol * MAX (fabs (a), fabs (fd)) + atol,
        "%s: d/dx[%zu] analytic %.9g, finite differences %.9g", what, i, a, fd);
  }
}

#endif
