/* Frequency-response curves: log-grid resampling and the signature rule. */
#include "io/frcurve.h"

#include <math.h>

void
es_fr_log_grid (double *frequency, size_t n, double fmin, double fmax)
{
  const double log_min = log (fmin), log_max = log (fmax);

  g_return_if_fail (n >= 2 && fmin > 0 && fmax > fmin);
  for (size_t i = 0; i < n; i++)
    frequency[i] = exp (log_min + (log_max - log_min) * (double) i / (double) (n - 1));
  /* exp(log x) is not always x: make the ends exact. */
  frequency[0] = fmin;
  frequency[n - 1] = fmax;
}

double
es_fr_mean (const double *values, size_t n)
{
  double sum = 0.0;
  for (size_t i = 0; i < n; i++)
    sum += values[i];
  return n ? sum / (double) n : 0.0;
}

void
es_fr_resample (const double *frequency, const double *level, size_t n_in,
    double fmin, double fmax, gboolean remove_mean, float *out, size_t n_out)
{
  double *grid, *resampled;
  size_t j = 0;

  g_return_if_fail (n_in >= 1 && n_out >= 2);
  grid = g_new (double, n_out);
  resampled = g_new (double, n_out);
  es_fr_log_grid (grid, n_out, fmin, fmax);

  /* Both the grid and the measurement increase, so one forward walk finds
   * every bracketing pair. */
  for (size_t i = 0; i < n_out; i++) {
    double f = grid[i];
    if (f <= frequency[0]) {
      resampled[i] = level[0];
    } else if (f >= frequency[n_in - 1]) {
      resampled[i] = level[n_in - 1];
    } else {
      double x0, x1, t;
      while (frequency[j + 1] < f)
        j++;
      x0 = log (frequency[j]);
      x1 = log (frequency[j + 1]);
      t = (log (f) - x0) / (x1 - x0);
      resampled[i] = level[j] + t * (level[j + 1] - level[j]);
    }
  }

  {
    double mean = remove_mean ? es_fr_mean (resampled, n_out) : 0.0;
    for (size_t i = 0; i < n_out; i++)
      out[i] = (float) (resampled[i] - mean);
  }
  g_free (grid);
  g_free (resampled);
}

static const char *const signature_names[ES_FR_N_SIGNATURES] = {
  "Neutral", "Bright", "Warm", "V-shape",
};

const char *
es_fr_signature_name (EsFrSignature signature)
{
  g_return_val_if_fail ((unsigned) signature < ES_FR_N_SIGNATURES, NULL);
  return signature_names[signature];
}

gboolean
es_fr_signature_from_name (const char *name, EsFrSignature * signature)
{
  for (unsigned i = 0; i < ES_FR_N_SIGNATURES; i++)
    if (g_strcmp0 (name, signature_names[i]) == 0) {
      *signature = (EsFrSignature) i;
      return TRUE;
    }
  return FALSE;
}

/* The seven bands of the rule, in Hz, and the region each belongs to. */
enum { REGION_BASS, REGION_MID, REGION_TREBLE, N_REGIONS };
static const struct {
  double low, high;
  int region;
} signature_bands[] = {
  {20, 60, REGION_BASS},        /* sub-bass */
  {60, 250, REGION_BASS},       /* mid-bass */
  {250, 500, REGION_MID},       /* low-mids */
  {500, 2000, REGION_MID},      /* mids */
  {2000, 4000, REGION_MID},     /* upper-mids */
  {4000, 6000, REGION_TREBLE},  /* presence */
  {6000, 12000, REGION_TREBLE}, /* brilliance */
};

EsFrSignature
es_fr_signature (const double *frequency, const double *level, size_t n,
    double *bass_diff_out, double *treble_diff_out)
{
  double mean = es_fr_mean (level, n);
  double region_sum[N_REGIONS] = { 0 };
  unsigned region_bands[N_REGIONS] = { 0 };
  double bass_diff = NAN, treble_diff = NAN;
  EsFrSignature signature = ES_FR_SIGNATURE_NEUTRAL;

  for (gsize b = 0; b < G_N_ELEMENTS (signature_bands); b++) {
    double sum = 0.0;
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
      if (frequency[i] >= signature_bands[b].low && frequency[i] < signature_bands[b].high) {
        sum += level[i] - mean;
        count++;
      }
    /* A band without rows does not take part in its region's mean. */
    if (count > 0) {
      region_sum[signature_bands[b].region] += sum / (double) count;
      region_bands[signature_bands[b].region]++;
    }
  }

  if (region_bands[REGION_BASS] && region_bands[REGION_MID] && region_bands[REGION_TREBLE]) {
    double bass = region_sum[REGION_BASS] / region_bands[REGION_BASS];
    double mid = region_sum[REGION_MID] / region_bands[REGION_MID];
    double treble = region_sum[REGION_TREBLE] / region_bands[REGION_TREBLE];
    gboolean bassy, bright;

    bass_diff = bass - mid;
    treble_diff = treble - mid;
    bassy = bass_diff >= ES_FR_SIGNATURE_THRESHOLD_DB;
    bright = treble_diff >= ES_FR_SIGNATURE_THRESHOLD_DB;
    if (bassy && bright)
      signature = ES_FR_SIGNATURE_V_SHAPE;
    else if (bright)
      signature = ES_FR_SIGNATURE_BRIGHT;
    else if (bassy)
      signature = ES_FR_SIGNATURE_WARM;
  }
  if (bass_diff_out)
    *bass_diff_out = bass_diff;
  if (treble_diff_out)
    *treble_diff_out = treble_diff;
  return signature;
}
