/* Parametric EQ fit of a measurement to a target; see fit.h. */
#include "eq/fit.h"

#include <math.h>
#include <string.h>

#include "io/frcurve.h"


/* Penalty weights, relative to the error terms (which are in dB); the
 * slope's is an option. */
#define BOOST_WEIGHT 1.0        /* per dB beyond max_boost, per grid point */
#define LEVEL_WEIGHT 0.01       /* keeps the free level near the aligned one */
#define ALIGN_LO 500.0          /* Hz: both curves are 0 dB mean over this band */
#define ALIGN_HI 2000.0
#define STAGE_ITERATIONS 40     /* LM iterations after each filter is placed */
#define FD_STEP 1e-6
#define SWAP_ROUNDS 4           /* tries at moving the least useful peak */

void
es_eq_fit_options_init (EsEqFitOptions *opt)
{
  opt->max_filters = 10;
  opt->rate = 48000.0;
  opt->points = 480;
  opt->treble_hz = 10000.0;
  opt->max_gain_db = 16.0;
  opt->q_min = 0.18;
  opt->q_max = 6.0;
  opt->shelf_q_min = 0.4;
  opt->shelf_q_max = 1.0;
  opt->max_slope_db = 24.0;
  opt->slope_weight = 0.02;
  opt->max_boost_db = 12.0;
  opt->max_iterations = 200;
}

static gboolean
check_options (const EsEqFitOptions *o, GError **error)
{
  const char *bad = NULL;
  if (o->max_filters < 1 || o->max_filters > ES_EQ_FIT_MAX_FILTERS)
    bad = "max_filters must be 1..32";
  else if (!(o->rate >= ES_EQ_FIT_MIN_RATE && o->rate <= 768000.0))
    bad = "rate must be 40000..768000 Hz (the fit covers 20 Hz-20 kHz, below Nyquist)";
  else if (o->points < 16 || o->points > 65536)
    bad = "points must be 16..65536";
  else if (!(o->treble_hz > 1000.0 && o->treble_hz <= ES_EQ_FIT_FMAX))
    bad = "treble_hz must be above 1 kHz and at most 20 kHz";
  else if (!(o->max_gain_db > 0.0 && o->max_gain_db <= ES_BIQUAD_MAX_GAIN_DB))
    bad = "max_gain_db must be above 0 and at most 40 dB";
  else if (!(o->q_min > 0.0 && o->q_min <= o->q_max && o->q_max <= 100.0))
    bad = "peak Q bounds must satisfy 0 < q_min <= q_max <= 100";
  else if (!(o->shelf_q_min > 0.0 && o->shelf_q_min <= o->shelf_q_max && o->shelf_q_max <= 10.0))
    bad = "shelf Q bounds must satisfy 0 < shelf_q_min <= shelf_q_max <= 10";
  else if (!(o->max_slope_db > 0.0) || !(o->max_boost_db >= 0.0)
      || !isfinite (o->max_slope_db) || !isfinite (o->max_boost_db))
    bad = "max_slope_db must be above 0 and max_boost_db at least 0";
  else if (!(o->slope_weight >= 0.0 && o->slope_weight <= 100.0))
    bad = "slope_weight must be 0..100";
  else if (o->max_iterations > 100000)
    bad = "max_iterations must be at most 100000";
  if (bad)
    g_set_error (error, ES_EQ_ERROR, ES_EQ_ERROR_INVALID, "EQ fit: %s", bad);
  return bad == NULL;
}

static gboolean
check_curve (const EsFrMeasurement *c, const char *what, GError **error)
{
  const char *name = c && c->source ? c->source : what;
  if (!c || c->n < 2 || !c->frequency || !c->level) {
    g_set_error (error, ES_EQ_ERROR, ES_EQ_ERROR_DATA, "%s: the %s has fewer than 2 points",
        name, what);
    return FALSE;
  }
  for (size_t i = 0; i < c->n; i++)
    if (!isfinite (c->frequency[i]) || !isfinite (c->level[i]) || c->frequency[i] <= 0
        || (i > 0 && c->frequency[i] <= c->frequency[i - 1])) {
      g_set_error (error, ES_EQ_ERROR, ES_EQ_ERROR_DATA,
          "%s: the %s's point %zu is not finite or its frequency not increasing", name, what,
          i + 1);
      return FALSE;
    }
  if (c->frequency[0] > ES_EQ_FIT_FMIN * ES_FR_COVERAGE_TOLERANCE
      || c->frequency[c->n - 1] < ES_EQ_FIT_FMAX / ES_FR_COVERAGE_TOLERANCE) {
    g_set_error (error, ES_EQ_ERROR, ES_EQ_ERROR_DATA,
        "%s: the %s covers %g-%g Hz; the EQ fit needs 20 Hz-20 kHz", name, what,
        c->frequency[0], c->frequency[c->n - 1]);
    return FALSE;
  }
  return TRUE;
}

/* ---- the grid and the curves --------------------------------------------- */

typedef struct {
  size_t n;
  double *f, *log2f, *cw, *c2w;
  double *m, *t;                /* aligned measurement and target */
  size_t n_low;                 /* points with f <= treble_hz: 0..n_low-1 */
  size_t n_metric;              /* points with f <= 10 kHz */
} Grid;

static void
grid_clear (Grid *g)
{
  g_free (g->f);
  g_free (g->log2f);
  g_free (g->cw);
  g_free (g->c2w);
  g_free (g->m);
  g_free (g->t);
  memset (g, 0, sizeof *g);
}

static void
resample_aligned (const EsFrMeasurement *c, const Grid *g, double *out)
{
  float *tmp = g_new (float, g->n);
  double sum = 0.0;
  size_t count = 0;
  es_fr_resample (c->frequency, c->level, c->n, ES_EQ_FIT_FMIN, ES_EQ_FIT_FMAX, TRUE, tmp, g->n);
  for (size_t i = 0; i < g->n; i++) {
    out[i] = tmp[i];
    if (g->f[i] >= ALIGN_LO && g->f[i] <= ALIGN_HI) {
      sum += out[i];
      count++;
    }
  }
  for (size_t i = 0; i < g->n; i++)
    out[i] -= count ? sum / count : 0.0;
  g_free (tmp);
}

static void
grid_init (Grid *g, const EsFrMeasurement *measurement, const EsFrMeasurement *target,
    const EsEqFitOptions *o)
{
  memset (g, 0, sizeof *g);
  g->n = o->points;
  g->f = g_new (double, g->n);
  g->log2f = g_new (double, g->n);
  g->cw = g_new (double, g->n);
  g->c2w = g_new (double, g->n);
  g->m = g_new (double, g->n);
  g->t = g_new (double, g->n);
  es_fr_log_grid (g->f, g->n, ES_EQ_FIT_FMIN, ES_EQ_FIT_FMAX);
  for (size_t i = 0; i < g->n; i++) {
    double w = 2.0 * G_PI * g->f[i] / o->rate;
    g->log2f[i] = log2 (g->f[i]);
    g->cw[i] = cos (w);
    g->c2w[i] = cos (2.0 * w);
    if (g->f[i] <= o->treble_hz * (1 + 1e-9))
      g->n_low = i + 1;
    if (g->f[i] <= ES_EQ_FIT_RESIDUAL_FMAX * (1 + 1e-9))
      g->n_metric = i + 1;
  }
  resample_aligned (measurement, g, g->m);
  resample_aligned (target, g, g->t);
}

/* The squared magnitude of a section as two cosine polynomials:
 * |B(e^jw)|^2 = nk + n1 cos w + n2 cos 2w, |A(e^jw)|^2 = dk + d1 cos w + d2 cos 2w. */
typedef struct {
  double nk, n1, n2, dk, d1, d2;
} Magnitude2;

static gboolean
section_magnitude2 (const EsBiquadParams *p, double rate, Magnitude2 *m)
{
  EsBiquadCoeffs c;
  if (!es_biquad_design (p, rate, &c, NULL))
    return FALSE;
  m->nk = c.b0 * c.b0 + c.b1 * c.b1 + c.b2 * c.b2;
  m->n1 = 2.0 * (c.b0 * c.b1 + c.b1 * c.b2);
  m->n2 = 2.0 * c.b0 * c.b2;
  m->dk = 1.0 + c.a1 * c.a1 + c.a2 * c.a2;
  m->d1 = 2.0 * (c.a1 + c.a1 * c.a2);
  m->d2 = 2.0 * c.a2;
  return TRUE;
}

/* 20 log10 |H| of one section at every grid point (0 if the design fails,
 * which the bounds rule out). */
static void
section_response (const Grid *g, const EsBiquadParams *p, double rate, double *out)
{
  Magnitude2 m;

  if (!section_magnitude2 (p, rate, &m)) {
    memset (out, 0, g->n * sizeof *out);
    return;
  }
  for (size_t i = 0; i < g->n; i++) {
    double num = m.nk + m.n1 * g->cw[i] + m.n2 * g->c2w[i];
    double den = m.dk + m.d1 * g->cw[i] + m.d2 * g->c2w[i];
    out[i] = 10.0 * log10 (MAX (num, 1e-300) / MAX (den, 1e-300));
  }
}

/* ---- the fit ------------------------------------------------------------- */

typedef struct {
  const EsEqFitOptions *o;
  const Grid *g;
  double *d;                    /* desired EQ: target - measurement */
  double d_hi_mean;
  double scale;                 /* 1 / sqrt(number of error points) */
  unsigned nf;                  /* filters in use */
  EsBiquadType type[ES_EQ_FIT_MAX_FILTERS];
  double lo[1 + 3 * ES_EQ_FIT_MAX_FILTERS], hi[1 + 3 * ES_EQ_FIT_MAX_FILTERS];
  double *resp;                 /* nf × n: each filter's response */
  double *eq;                   /* their sum */
  size_t m;                     /* residual length */
  unsigned iterations;
} Fit;

/* x = [level, then per filter ln Fc, gain dB, ln Q]. */
static void
params_of (const Fit *fit, const double *x, unsigned k, EsBiquadParams *p)
{
  p->type = fit->type[k];
  p->freq = exp (x[1 + 3 * k]);
  p->gain_db = x[2 + 3 * k];
  p->q = exp (x[3 + 3 * k]);
}

static void
filter_response (const Fit *fit, const double *x, unsigned k, double *out)
{
  EsBiquadParams p;
  params_of (fit, x, k, &p);
  section_response (fit->g, &p, fit->o->rate, out);
}

static size_t
residual_length (const Grid *g)
{
  return g->n_low + 1 + (g->n - 1) + g->n + 1;
}

/* The residual vector of EQ response `eq` with free level `level`; returns
 * its squared norm. */
static double
residuals (const Fit *fit, const double *eq, double level, double *r)
{
  const Grid *g = fit->g;
  const EsEqFitOptions *o = fit->o;
  double s = fit->scale, sum = 0.0, hi = 0.0;
  size_t j = 0, n_hi = g->n - g->n_low;

  for (size_t i = 0; i < g->n_low; i++)
    r[j++] = (eq[i] + level - fit->d[i]) * s;
  for (size_t i = g->n_low; i < g->n; i++)
    hi += eq[i];
  r[j++] = n_hi ? sqrt ((double) n_hi) * (hi / n_hi + level - fit->d_hi_mean) * s : 0.0;
  for (size_t i = 0; i + 1 < g->n; i++) {
    double slope = (eq[i + 1] - eq[i]) / (g->log2f[i + 1] - g->log2f[i]);
    double excess = fabs (slope) - o->max_slope_db;
    r[j++] = excess > 0 ? o->slope_weight * excess * s : 0.0;
  }
  for (size_t i = 0; i < g->n; i++) {
    double excess = eq[i] - o->max_boost_db;
    r[j++] = excess > 0 ? BOOST_WEIGHT * excess * s : 0.0;
  }
  r[j++] = LEVEL_WEIGHT * level;
  for (size_t i = 0; i < j; i++)
    sum += r[i] * r[i];
  return sum;
}

static void
sum_responses (Fit *fit)
{
  size_t n = fit->g->n;
  memset (fit->eq, 0, n * sizeof *fit->eq);
  for (unsigned k = 0; k < fit->nf; k++)
    for (size_t i = 0; i < n; i++)
      fit->eq[i] += fit->resp[k * n + i];
}

static void
clamp_params (const Fit *fit, double *x, unsigned np)
{
  for (unsigned i = 0; i < np; i++)
    x[i] = CLAMP (x[i], fit->lo[i], fit->hi[i]);
}

/* Four partial sums: independent chains the compiler can pipeline (a single
 * running sum cannot be reordered without -ffast-math). */
static double
dot (const double *a, const double *b, size_t n)
{
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
    s2 += a[i + 2] * b[i + 2];
    s3 += a[i + 3] * b[i + 3];
  }
  for (; i < n; i++)
    s0 += a[i] * b[i];
  return (s0 + s1) + (s2 + s3);
}

/* Solve (A) y = b in place by Cholesky; FALSE if A is not positive definite. */
static gboolean
cholesky_solve (double *a, double *b, unsigned p)
{
  for (unsigned j = 0; j < p; j++) {
    double s = a[j * p + j];
    for (unsigned k = 0; k < j; k++)
      s -= a[j * p + k] * a[j * p + k];
    if (!(s > 0))
      return FALSE;
    a[j * p + j] = sqrt (s);
    for (unsigned i = j + 1; i < p; i++) {
      double t = a[i * p + j];
      for (unsigned k = 0; k < j; k++)
        t -= a[i * p + k] * a[j * p + k];
      a[i * p + j] = t / a[j * p + j];
    }
  }
  for (unsigned i = 0; i < p; i++) {
    double t = b[i];
    for (unsigned k = 0; k < i; k++)
      t -= a[i * p + k] * b[k];
    b[i] = t / a[i * p + i];
  }
  for (int i = (int) p - 1; i >= 0; i--) {
    double t = b[i];
    for (unsigned k = i + 1; k < p; k++)
      t -= a[k * p + i] * b[k];
    b[i] = t / a[i * p + i];
  }
  return TRUE;
}

/* Levenberg-Marquardt on every parameter of the nf filters in use, the
 * parameters clamped to their bounds. Returns the final loss. */
static double
refine (Fit *fit, double *x, unsigned max_iter)
{
  const size_t n = fit->g->n, m = fit->m;
  const unsigned np = 1 + 3 * fit->nf;
  double *r = g_new (double, m), *rt = g_new (double, m), *jac = g_new (double, m * np);
  double *a = g_new (double, np * np), *ad = g_new (double, np * np), *grad = g_new (double, np);
  double *step = g_new (double, np), *xt = g_new (double, np);
  double *rk = g_new (double, n), *eqt = g_new (double, n);
  double *resp_t = g_new (double, fit->nf * n), *eq_t = g_new (double, n);
  double *inv_num = g_new (double, n), *inv_den = g_new (double, n);
  double *r_active = g_new (double, m);
  gboolean *active = g_new0 (gboolean, m), have_m0 = FALSE;
  size_t *rows = g_new (size_t, m), n_active;
  Magnitude2 m0 = { 0 };
  double loss, mu = 1e-3;
  unsigned small = 0;

  clamp_params (fit, x, np);
  for (unsigned k = 0; k < fit->nf; k++)
    filter_response (fit, x, k, fit->resp + k * n);
  sum_responses (fit);
  loss = residuals (fit, fit->eq, x[0], r);

  for (unsigned it = 0; it < max_iter; it++) {
    gboolean accepted = FALSE;

    fit->iterations++;
    /* Jacobian by forward differences (backward at an upper bound). A
     * filter's response is differenced through its squared-magnitude
     * polynomials: d(10 log10 N/D) = 10/ln 10 (dN/N - dD/D), so no logarithm
     * per point and step (the logarithms were a third of the fit's time). */
    for (unsigned p = 0; p < np; p++) {
      double h = FD_STEP, saved = x[p];
      double *col = jac + (size_t) p * m;
      if (x[p] + h > fit->hi[p])
        h = -h;
      x[p] = saved + h;
      if (p == 0) {
        residuals (fit, fit->eq, x[0], rt);
      } else {
        unsigned k = (p - 1) / 3;
        const double *old = fit->resp + k * n;
        EsBiquadParams bp;
        Magnitude2 mh;
        if ((p - 1) % 3 == 0) {
          /* the filter's 1/N and 1/D at x, shared by its three parameters */
          x[p] = saved;
          params_of (fit, x, k, &bp);
          have_m0 = section_magnitude2 (&bp, fit->o->rate, &m0);
          for (size_t i = 0; have_m0 && i < n; i++) {
            double num = m0.nk + m0.n1 * fit->g->cw[i] + m0.n2 * fit->g->c2w[i];
            double den = m0.dk + m0.d1 * fit->g->cw[i] + m0.d2 * fit->g->c2w[i];
            inv_num[i] = num > 1e-300 ? 1.0 / num : 0.0;
            inv_den[i] = den > 1e-300 ? 1.0 / den : 0.0;
          }
          x[p] = saved + h;
        }
        params_of (fit, x, k, &bp);
        if (have_m0 && section_magnitude2 (&bp, fit->o->rate, &mh)) {
          const double dnk = mh.nk - m0.nk, dn1 = mh.n1 - m0.n1, dn2 = mh.n2 - m0.n2;
          const double ddk = mh.dk - m0.dk, dd1 = mh.d1 - m0.d1, dd2 = mh.d2 - m0.d2;
          for (size_t i = 0; i < n; i++) {
            double cw = fit->g->cw[i], c2w = fit->g->c2w[i];
            double dn = dnk + dn1 * cw + dn2 * c2w, dd = ddk + dd1 * cw + dd2 * c2w;
            eqt[i] = fit->eq[i] + (10.0 / G_LN10) * (dn * inv_num[i] - dd * inv_den[i]);
          }
        } else {
          filter_response (fit, x, k, rk);
          for (size_t i = 0; i < n; i++)
            eqt[i] = fit->eq[i] - old[i] + rk[i];
        }
        residuals (fit, eqt, x[0], rt);
      }
      x[p] = saved;
      for (size_t i = 0; i < m; i++) {
        col[i] = (rt[i] - r[i]) / h;
        active[i] |= col[i] != 0.0;
      }
    }
    /* A = J^T J, grad = J^T r over the rows that are not all zero (most
     * slope and boost rows), as dot products of columns. */
    n_active = 0;
    for (size_t i = 0; i < m; i++)
      if (active[i] || r[i] != 0.0)
        rows[n_active++] = i;
    for (unsigned p = 0; p < np; p++) {
      double *col = jac + (size_t) p * m;
      for (size_t j = 0; j < n_active; j++)
        col[j] = col[rows[j]];
    }
    for (size_t j = 0; j < n_active; j++)
      r_active[j] = r[rows[j]];
    for (unsigned p = 0; p < np; p++) {
      const double *cp = jac + (size_t) p * m;
      grad[p] = dot (cp, r_active, n_active);
      for (unsigned q = 0; q <= p; q++)
        a[p * np + q] = a[q * np + p] = dot (cp, jac + (size_t) q * m, n_active);
    }
    memset (active, 0, m * sizeof *active);

    while (mu < 1e12) {
      double loss_t;
      memcpy (ad, a, np * np * sizeof *a);
      for (unsigned p = 0; p < np; p++) {
        ad[p * np + p] += mu * a[p * np + p] + 1e-12;
        step[p] = -grad[p];
      }
      if (!cholesky_solve (ad, step, np)) {
        mu *= 4;
        continue;
      }
      for (unsigned p = 0; p < np; p++)
        xt[p] = x[p] + step[p];
      clamp_params (fit, xt, np);
      for (unsigned k = 0; k < fit->nf; k++)
        filter_response (fit, xt, k, resp_t + k * n);
      memset (eq_t, 0, n * sizeof *eq_t);
      for (unsigned k = 0; k < fit->nf; k++)
        for (size_t i = 0; i < n; i++)
          eq_t[i] += resp_t[k * n + i];
      loss_t = residuals (fit, eq_t, xt[0], rt);
      if (loss_t < loss) {
        small = (loss - loss_t) < 1e-7 * loss ? small + 1 : 0;
        memcpy (x, xt, np * sizeof *x);
        memcpy (fit->resp, resp_t, fit->nf * n * sizeof *resp_t);
        memcpy (fit->eq, eq_t, n * sizeof *eq_t);
        memcpy (r, rt, m * sizeof *r);
        loss = loss_t;
        mu = MAX (mu / 3, 1e-9);
        accepted = TRUE;
        break;
      }
      mu *= 4;
    }
    if (!accepted || small >= 3)
      break;
  }
  g_free (r);
  g_free (rt);
  g_free (jac);
  g_free (a);
  g_free (ad);
  g_free (grad);
  g_free (step);
  g_free (xt);
  g_free (rk);
  g_free (eqt);
  g_free (resp_t);
  g_free (eq_t);
  g_free (inv_num);
  g_free (inv_den);
  g_free (r_active);
  g_free (active);
  g_free (rows);
  return loss;
}

static void
set_bounds (Fit *fit, unsigned k, EsBiquadType type, double f_lo, double f_hi, double q_lo,
    double q_hi)
{
  unsigned b = 1 + 3 * k;
  fit->type[k] = type;
  fit->lo[b] = log (f_lo);
  fit->hi[b] = log (f_hi);
  fit->lo[b + 1] = -fit->o->max_gain_db;
  fit->hi[b + 1] = fit->o->max_gain_db;
  fit->lo[b + 2] = log (q_lo);
  fit->hi[b + 2] = log (q_hi);
}

/* Mean of the error d - eq - level over grid points with lo <= f < hi. */
static double
band_error (const Fit *fit, const double *x, double lo, double hi)
{
  double sum = 0.0;
  size_t count = 0;
  for (size_t i = 0; i < fit->g->n; i++)
    if (fit->g->f[i] >= lo && fit->g->f[i] < hi) {
      sum += fit->d[i] - fit->eq[i] - x[0];
      count++;
    }
  return count ? sum / count : 0.0;
}

/* Place a new peak at the error lobe (run of one sign below treble_hz) with
 * the largest energy; its Q from the lobe's half-height width. */
static void
place_peak (Fit *fit, double *x, unsigned k)
{
  const Grid *g = fit->g;
  size_t n = g->n_low, best_lo = 0, best_hi = 0, i = 0;
  double best = -1.0, *e = g_new (double, n);
  size_t peak, l, r;
  double bw, q, gain;

  for (size_t j = 0; j < n; j++)
    e[j] = fit->d[j] - fit->eq[j] - x[0];
  while (i < n) {
    size_t j = i;
    double energy = 0.0;
    while (j < n && (e[j] >= 0) == (e[i] >= 0)) {
      energy += e[j] * e[j];
      j++;
    }
    if (energy > best) {
      best = energy;
      best_lo = i;
      best_hi = j;
    }
    i = j;
  }
  peak = best_lo;
  for (size_t j = best_lo; j < best_hi; j++)
    if (fabs (e[j]) > fabs (e[peak]))
      peak = j;
  l = r = peak;
  while (l > best_lo && fabs (e[l - 1]) >= 0.5 * fabs (e[peak]))
    l--;
  while (r + 1 < best_hi && fabs (e[r + 1]) >= 0.5 * fabs (e[peak]))
    r++;
  /* half-height width in octaves → Q of a peaking section of that bandwidth */
  bw = MAX (g->log2f[MIN (r + 1, g->n - 1)] - g->log2f[l > 0 ? l - 1 : 0], 0.05);
  q = sqrt (exp2 (bw)) / (exp2 (bw) - 1.0);
  gain = e[peak];
  x[1 + 3 * k] = log (g->f[peak]);
  x[2 + 3 * k] = gain;
  x[3 + 3 * k] = log (q);
  g_free (e);
}

/* Round as the ParametricEQ.txt writer prints (Fc %.0f, gain %.1f, Q %.2f). */
static double
round_to (double v, double step)
{
  return round (v / step) * step;
}

static gboolean
preamp_of (const EsBiquadParams *bands, unsigned n, double rate, double *max_gain,
    double *preamp, GError **error)
{
  EsBiquadCascade *c = es_biquad_cascade_new (1, rate);
  gboolean ok = es_biquad_cascade_set_bands (c, bands, n, error);
  if (ok) {
    *max_gain = es_biquad_cascade_max_gain_db (c);
    /* rounded down to 0.1 dB so preamp + max gain <= 0 */
    *preamp = floor (-*max_gain * 10.0 + 1e-6) / 10.0 + 0.0;
  }
  es_biquad_cascade_free (c);
  return ok;
}

EsParametricEq *
es_eq_fit (const EsFrMeasurement *measurement, const EsFrMeasurement *target,
    const EsEqFitOptions *opt, EsEqFitReport *report, GError **error)
{
  EsEqFitOptions defaults;
  const EsEqFitOptions *o = opt;
  gint64 start = g_get_monotonic_time ();
  Grid g;
  Fit fit;
  double x[1 + 3 * ES_EQ_FIT_MAX_FILTERS];
  double f_top;
  unsigned n_shelves, n_total, np;
  double loss = INFINITY;
  EsParametricEq *eq;
  EsEqFitReport rep;

  if (!o) {
    es_eq_fit_options_init (&defaults);
    o = &defaults;
  }
  if (!check_options (o, error) || !check_curve (measurement, "measurement", error)
      || !check_curve (target, "target", error))
    return NULL;

  grid_init (&g, measurement, target, o);
  memset (&fit, 0, sizeof fit);
  fit.o = o;
  fit.g = &g;
  fit.d = g_new (double, g.n);
  for (size_t i = 0; i < g.n; i++)
    fit.d[i] = g.t[i] - g.m[i];
  for (size_t i = g.n_low; i < g.n; i++)
    fit.d_hi_mean += fit.d[i];
  if (g.n > g.n_low)
    fit.d_hi_mean /= (double) (g.n - g.n_low);
  fit.scale = 1.0 / sqrt ((double) (g.n_low + (g.n > g.n_low ? g.n - g.n_low : 0)));
  fit.m = residual_length (&g);
  n_total = o->max_filters;
  fit.resp = g_new0 (double, (size_t) n_total * g.n);
  fit.eq = g_new0 (double, g.n);
  memset (x, 0, sizeof x);
  fit.lo[0] = -200.0;
  fit.hi[0] = 200.0;

  /* Bounds: shelves 20 Hz-1 kHz and 1 kHz-16 kHz, peaks 20 Hz to the lower
   * of 20 kHz and 0.45 × rate. */
  f_top = MIN (ES_EQ_FIT_FMAX, 0.45 * o->rate);
  n_shelves = n_total >= 2 ? 2 : 0;
  if (n_shelves) {
    set_bounds (&fit, 0, ES_BIQUAD_LOW_SHELF, 20.0, 1000.0, o->shelf_q_min, o->shelf_q_max);
    set_bounds (&fit, 1, ES_BIQUAD_HIGH_SHELF, 1000.0, MIN (16000.0, f_top), o->shelf_q_min,
        o->shelf_q_max);
  }
  for (unsigned k = n_shelves; k < n_total; k++)
    set_bounds (&fit, k, ES_BIQUAD_PEAKING, ES_EQ_FIT_FMIN, f_top, o->q_min, o->q_max);

  /* Greedy: the shelves from the band means, then one peak at a time. */
  if (n_shelves) {
    fit.nf = 2;
    x[1] = log (105.0);
    x[3] = log (CLAMP (M_SQRT1_2, o->shelf_q_min, o->shelf_q_max));
    x[4] = log (MIN (10000.0, MIN (16000.0, f_top)));
    x[6] = x[3];
    x[2] = band_error (&fit, x, 20.0, 80.0);
    x[5] = band_error (&fit, x, o->treble_hz, ES_EQ_FIT_FMAX * 1.01);
    refine (&fit, x, STAGE_ITERATIONS);
  }
  for (unsigned k = n_shelves; k < n_total; k++) {
    place_peak (&fit, x, k);
    fit.nf = k + 1;
    loss = refine (&fit, x, k + 1 == n_total ? MAX (o->max_iterations, 1) : STAGE_ITERATIONS);
  }
  if (fit.nf == n_total && n_total == n_shelves)
    loss = refine (&fit, x, MAX (o->max_iterations, 1));

  /* Swap rounds: move the peak that helps least to the largest error lobe
   * left, refine, keep it if the loss drops. */
  for (unsigned round = 0; round < SWAP_ROUNDS && fit.nf > n_shelves; round++) {
    double saved[1 + 3 * ES_EQ_FIT_MAX_FILTERS], *r = g_new (double, fit.m);
    double *eq_wo = g_new (double, g.n), least = INFINITY, loss_t;
    unsigned victim = n_shelves;
    for (unsigned k = n_shelves; k < fit.nf; k++) {
      double l;
      for (size_t i = 0; i < g.n; i++)
        eq_wo[i] = fit.eq[i] - fit.resp[k * g.n + i];
      l = residuals (&fit, eq_wo, x[0], r);
      if (l < least) {
        least = l;
        victim = k;
      }
    }
    memcpy (saved, x, sizeof saved);
    for (size_t i = 0; i < g.n; i++) {
      fit.eq[i] -= fit.resp[victim * g.n + i];
      fit.resp[victim * g.n + i] = 0.0;
    }
    place_peak (&fit, x, victim);
    loss_t = refine (&fit, x, MAX (o->max_iterations, 1));
    g_free (r);
    g_free (eq_wo);
    if (!(loss_t < loss * (1.0 - 1e-3))) {
      memcpy (x, saved, sizeof saved);
      break;
    }
    loss = loss_t;
  }

  /* Round as written, drop filters that round to 0 dB, add the preamp. */
  np = fit.nf;
  eq = g_new0 (EsParametricEq, 1);
  eq->filters = g_new0 (EsBiquadParams, MAX (np, 1));
  for (unsigned k = 0; k < np; k++) {
    EsBiquadParams p;
    params_of (&fit, x, k, &p);
    p.freq = CLAMP (round (p.freq), 1.0, floor (f_top));
    p.gain_db = round_to (p.gain_db, 0.1) + 0.0;
    p.q = MAX (round_to (p.q, 0.01), 0.01);
    if (fabs (p.gain_db) < 0.05)
      continue;
    eq->filters[eq->n_filters++] = p;
  }
  {
    double max_gain = 0.0;
    if (!preamp_of (eq->filters, eq->n_filters, o->rate, &max_gain, &eq->preamp_db, error)) {
      es_parametric_eq_free (eq);
      eq = NULL;
    }
  }
  if (eq && !es_eq_fit_evaluate (measurement, target, eq, o, &rep, NULL, error)) {
    es_parametric_eq_free (eq);
    eq = NULL;
  }
  if (eq && report) {
    rep.iterations = fit.iterations;
    rep.seconds = (g_get_monotonic_time () - start) / 1e6;
    *report = rep;
  }
  g_free (fit.d);
  g_free (fit.resp);
  g_free (fit.eq);
  grid_clear (&g);
  return eq;
}

/* ---- evaluation ---------------------------------------------------------- */

void
es_eq_curves_free (EsEqCurves *c)
{
  if (!c)
    return;
  g_free (c->frequency);
  g_free (c->measurement);
  g_free (c->target);
  g_free (c->eq);
  g_free (c->result);
  g_free (c);
}

gboolean
es_eq_fit_evaluate (const EsFrMeasurement *measurement, const EsFrMeasurement *target,
    const EsParametricEq *eq, const EsEqFitOptions *opt, EsEqFitReport *report,
    EsEqCurves **curves, GError **error)
{
  EsEqFitOptions defaults;
  const EsEqFitOptions *o = opt;
  Grid g;
  double *resp, *sec, mean = 0.0, sum2 = 0.0, max_err = 0.0, max_gain = 0.0, unused;

  if (curves)
    *curves = NULL;
  if (!o) {
    es_eq_fit_options_init (&defaults);
    o = &defaults;
  }
  if (!check_options (o, error) || !check_curve (measurement, "measurement", error)
      || !check_curve (target, "target", error))
    return FALSE;
  if (!es_parametric_eq_check_rate (eq, o->rate, error))
    return FALSE;
  for (unsigned k = 0; k < eq->n_filters; k++) {
    EsBiquadCoeffs c;
    if (!es_biquad_design (&eq->filters[k], o->rate, &c, error)) {
      g_prefix_error (error, "filter %u: ", k + 1);
      return FALSE;
    }
  }
  if (!preamp_of (eq->filters, eq->n_filters, o->rate, &max_gain, &unused, error))
    return FALSE;

  grid_init (&g, measurement, target, o);
  resp = g_new0 (double, g.n);
  sec = g_new (double, g.n);
  for (unsigned k = 0; k < eq->n_filters; k++) {
    section_response (&g, &eq->filters[k], o->rate, sec);
    for (size_t i = 0; i < g.n; i++)
      resp[i] += sec[i];
  }
  for (size_t i = 0; i < g.n_metric; i++)
    mean += g.m[i] + resp[i] - g.t[i];
  mean /= (double) g.n_metric;
  for (size_t i = 0; i < g.n_metric; i++) {
    double e = g.m[i] + resp[i] - g.t[i] - mean;
    sum2 += e * e;
    max_err = MAX (max_err, fabs (e));
  }
  if (report) {
    memset (report, 0, sizeof *report);
    report->residual_db = sqrt (sum2 / (double) g.n_metric);
    report->max_error_db = max_err;
    report->preamp_db = eq->preamp_db;
    report->max_gain_db = max_gain;
    report->n_filters = eq->n_filters;
    for (size_t i = 0; i + 1 < g.n; i++)
      report->max_slope_db = MAX (report->max_slope_db,
          fabs (resp[i + 1] - resp[i]) / (g.log2f[i + 1] - g.log2f[i]));
  }
  if (curves) {
    EsEqCurves *c = g_new0 (EsEqCurves, 1);
    c->n = g.n;
    c->frequency = g_memdup2 (g.f, g.n * sizeof (double));
    c->measurement = g_memdup2 (g.m, g.n * sizeof (double));
    c->target = g_memdup2 (g.t, g.n * sizeof (double));
    c->eq = g_memdup2 (resp, g.n * sizeof (double));
    c->result = g_new (double, g.n);
    for (size_t i = 0; i < g.n; i++)
      c->result[i] = g.m[i] + resp[i] - mean;
    *curves = c;
  }
  g_free (resp);
  g_free (sec);
  grid_clear (&g);
  return TRUE;
}
