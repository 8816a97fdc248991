/* libFuzzer target for the frequency-response measurement parser (see
 * fuzz/README.md): es_fr_measurement_parse, then what every caller does with a
 * measurement that parses (resampling onto a log grid, the label rule).
 *
 * Every input must either parse or fail with an ES_IO_ERROR and a message;
 * one that parses must hold what frcsv.h promises (at least min_points rows,
 * finite values, frequencies positive and strictly increasing, the band
 * asked for covered). The first byte picks the limits, so the coverage and
 * row-count checks are fuzzed too. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "io/frcsv.h"
#include "io/frcurve.h"

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  static const EsFrLimits limit_sets[4] = {
    {0, 0, 0, 0},                       /* defaults */
    {0, 20, 20000, 0},                  /* what plot, iem and frsrc ask */
    {2, 100, 10000, 1.5},
    {1000, 0, 0, 1},
  };
  const EsFrLimits *limits;
  GError *error = NULL;
  EsFrMeasurement *m;
  float curve[64];
  double bass, treble;

  if (size == 0)
    return 0;
  limits = &limit_sets[data[0] & 3];
  /* not NUL-terminated: the parser must respect the length */
  m = es_fr_measurement_parse ((const char *) data + 1, (gssize) size - 1, "fuzz.csv",
      limits, &error);
  if (m == NULL) {
    if (error == NULL || error->domain != ES_IO_ERROR || error->message[0] == '\0')
      abort ();
    g_error_free (error);
    return 0;
  }
  if (error != NULL || m->n < (limits->min_points ? limits->min_points
          : ES_FR_MIN_POINTS_DEFAULT))
    abort ();
  for (size_t i = 0; i < m->n; i++)
    if (!isfinite (m->frequency[i]) || !isfinite (m->level[i]) || !(m->frequency[i] > 0)
        || (i > 0 && !(m->frequency[i] > m->frequency[i - 1])))
      abort ();
  if (limits->required_fmin > 0 && m->frequency[0] > limits->required_fmin
      * (limits->tolerance >= 1 ? limits->tolerance : ES_FR_COVERAGE_TOLERANCE))
    abort ();

  /* what frsrc / earshot iem / the data set loaders do next */
  es_fr_resample (m->frequency, m->level, m->n, 20, 20000, TRUE, curve, G_N_ELEMENTS (curve));
  es_fr_signature (m->frequency, m->level, m->n, &bass, &treble);
  es_fr_measurement_free (m);
  return 0;
}
