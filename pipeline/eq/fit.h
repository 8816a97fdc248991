/* Headphone / IEM correction: fit a parametric EQ (a low shelf, a high shelf
 * and peaks) so that a frequency-response measurement plus the EQ matches a
 * target curve, AutoEq-style. Plain C, no GStreamer; the CLI (`earshot eq
 * fit`) and the `eqrender` element call the same function.
 *
 * The fit (docs/eq.md has the details and the figures):
 *  - measurement and target resampled onto a log grid, 20 Hz to 20 kHz
 *    (es_fr_resample), each aligned to 0 dB mean over 500 Hz-2 kHz; the
 *    desired EQ is target - measurement;
 *  - error: every grid point up to 10 kHz, plus one term for the mean above
 *    10 kHz (response and target are averaged there, as AutoEq does: the
 *    fine structure of the top octave is not worth correcting), with a free
 *    overall level (the metric removes the mean, and the level is the
 *    preamp's business);
 *  - penalties: the EQ's slope beyond max_slope dB/octave, its boost beyond
 *    max_boost dB;
 *  - greedy initialisation: shelves at 105 Hz / 10 kHz, then each peak at
 *    the error lobe with the most energy, its Q from the lobe's half-height
 *    width; after each filter is placed, every parameter (log Fc, gain,
 *    log Q of all filters) is refined jointly by Levenberg-Marquardt with a
 *    finite-difference Jacobian, the parameters clamped to their bounds;
 *  - the filters are rounded as ParametricEQ.txt writes them (Fc 1 Hz, gain
 *    0.1 dB, Q 0.01) and the preamp is minus the largest gain of the rounded
 *    cascade (es_biquad_cascade_max_gain_db, rounded down to 0.1 dB), so
 *    nothing clips.
 * Functions are reentrant (no global state). */
#ifndef ES_EQ_FIT_H
#define ES_EQ_FIT_H

#include <stddef.h>
#include <glib.h>

#include "eq-error.h"
#include "../io/frcsv.h"
#include "../io/parametric-eq.h"

G_BEGIN_DECLS

#define ES_EQ_FIT_FMIN 20.0             /* Hz: the grid */
#define ES_EQ_FIT_FMAX 20000.0
#define ES_EQ_FIT_RESIDUAL_FMAX 10000.0 /* Hz: the residual metric's band */

typedef struct {
  unsigned max_filters;         /* 1..ES_EQ_FIT_MAX_FILTERS; shelves count (default 10:
                                 * 2 shelves + 8 peaks; 1 gives one peak) */
  double rate;                  /* Hz the filters are designed at (default 48000,
                                 * ES_EQ_FIT_MIN_RATE..768000: 20 kHz below Nyquist) */
  unsigned points;              /* grid points 20 Hz-20 kHz (default 480, ~1/48 octave) */
  double treble_hz;             /* above: averaged (default 10000) */
  double max_gain_db;           /* |gain| of any filter (default 16) */
  double q_min, q_max;          /* peaks' Q (default 0.18 .. 6) */
  double shelf_q_min, shelf_q_max; /* shelves' Q (default 0.4 .. 1.0) */
  double max_slope_db;          /* dB/octave of the EQ before the penalty (default 24) */
  double slope_weight;          /* penalty per dB/octave beyond it, per 1/48-octave step,
                                 * as a dB of error at one point (default 0.02) */
  double max_boost_db;          /* EQ gain before the penalty (default 12) */
  unsigned max_iterations;      /* LM iterations of the final refinement (default 200) */
} EsEqFitOptions;

#define ES_EQ_FIT_MAX_FILTERS 32
#define ES_EQ_FIT_MIN_RATE 40000.0

/* The defaults above. */
void es_eq_fit_options_init (EsEqFitOptions *opt);

typedef struct {
  double residual_db;           /* RMS of measurement + EQ - target, 20 Hz-10 kHz,
                                 * after mean removal, for the returned (rounded) EQ */
  double max_error_db;          /* largest |error| there, after the same mean removal */
  double preamp_db;             /* = the returned EQ's preamp */
  double max_gain_db;           /* largest gain of the filters' response (10 Hz-Nyquist) */
  double max_slope_db;          /* steepest slope of the filters' response on the grid, dB/octave */
  unsigned n_filters;
  unsigned iterations;          /* LM iterations, all stages */
  double seconds;               /* wall time of the fit */
} EsEqFitReport;

/* Fit. @opt may be NULL (defaults); @report may be NULL. Both curves must
 * cover 20 Hz-20 kHz within ES_FR_COVERAGE_TOLERANCE (ES_EQ_ERROR_DATA
 * naming the curve's source). Returns a new EQ (es_parametric_eq_free):
 * LSC, HSC, then the peaks, filters whose rounded gain is 0 dB left out. */
EsParametricEq *es_eq_fit (const EsFrMeasurement *measurement, const EsFrMeasurement *target,
    const EsEqFitOptions *opt, EsEqFitReport *report, GError **error);

/* The curves of a fit on the grid, for plots and checks. measurement and
 * target are aligned as the fit aligns them; eq is the filters' response
 * (without preamp); result = measurement + eq, shifted by the mean error
 * below 10 kHz so it lies on the target where the fit is good. */
typedef struct {
  size_t n;
  double *frequency, *measurement, *target, *eq, *result;
} EsEqCurves;

/* Evaluate any EQ (e.g. a ParametricEQ.txt from AutoEq) against a
 * measurement and target: the report's residual, max error and gains (the
 * preamp is the file's), and optionally the curves (es_eq_curves_free).
 * Only @opt's rate, points and treble_hz matter. */
gboolean es_eq_fit_evaluate (const EsFrMeasurement *measurement, const EsFrMeasurement *target,
    const EsParametricEq *eq, const EsEqFitOptions *opt, EsEqFitReport *report,
    EsEqCurves **curves, GError **error);
void es_eq_curves_free (EsEqCurves *curves);

G_END_DECLS

#endif
