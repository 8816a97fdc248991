/* Frequency-response curves: resampling a measurement onto a log-spaced grid
 * (the 1D model's input) and the tuning-signature label rule of the seed paper
 * (STAT4984), as the development data's index.csv applies it. */
#ifndef ES_IO_FRCURVE_H
#define ES_IO_FRCURVE_H

#include <stddef.h>
#include <glib.h>

G_BEGIN_DECLS

#define ES_FR_POINTS_DEFAULT 128
#define ES_FR_FMIN_DEFAULT 20.0         /* Hz */
#define ES_FR_FMAX_DEFAULT 20000.0      /* Hz */

/* n frequencies from fmin to fmax (both included), equally spaced in log
 * frequency: f_i = fmin * (fmax / fmin)^(i / (n - 1)). n ≥ 2, 0 < fmin < fmax. */
void es_fr_log_grid (double *frequency, size_t n, double fmin, double fmax);

/* Resample a measurement (frequency strictly increasing, n_in ≥ 1) onto the
 * log grid above by linear interpolation in log frequency (numpy.interp on
 * log f); outside the measured range the first/last value is held. With
 * remove_mean the mean of the n_out resampled values is subtracted, so the
 * curve is zero-mean whatever the absolute level of the rig. */
void es_fr_resample (const double *frequency, const double *level, size_t n_in,
    double fmin, double fmax, gboolean remove_mean, float *out, size_t n_out);

/* Mean of n values (0 for n = 0). */
double es_fr_mean (const double *values, size_t n);

typedef enum {
  ES_FR_SIGNATURE_NEUTRAL,
  ES_FR_SIGNATURE_BRIGHT,
  ES_FR_SIGNATURE_WARM,
  ES_FR_SIGNATURE_V_SHAPE,
} EsFrSignature;

#define ES_FR_N_SIGNATURES 4

/* "Neutral", "Bright", "Warm", "V-shape" (the labels of index.csv). */
const char *es_fr_signature_name (EsFrSignature signature);
/* The inverse (exact match); FALSE for an unknown name. */
gboolean es_fr_signature_from_name (const char *name, EsFrSignature * signature);

/* Threshold of the rule: a region 3 dB above the mids counts as emphasised. */
#define ES_FR_SIGNATURE_THRESHOLD_DB 3.0

/* The seed paper's label rule (data/iem/README.md): subtract the mean of all
 * rows; average the rows with low <= f < high in each band (sub-bass 20-60,
 * mid-bass 60-250, low-mids 250-500, mids 500-2k, upper-mids 2k-4k, presence
 * 4k-6k, brilliance 6k-12k Hz); bass = mean of the bass bands, mid of the mid
 * bands, treble of the treble bands, each over the bands that have rows;
 * bass_diff = bass - mid, treble_diff = treble - mid; V-shape if both ≥ 3 dB,
 * Bright if only treble, Warm if only bass, else Neutral (also when a region
 * has no rows). bass_diff / treble_diff may be NULL; they are NaN when
 * undefined. Works on raw rows or on a resampled curve alike. */
EsFrSignature es_fr_signature (const double *frequency, const double *level, size_t n,
    double *bass_diff, double *treble_diff);

G_END_DECLS

#endif
