/* Frequency-response measurement files (CSV/text) as published by squig.link,
 * AutoEq or exported from REW.
 *
 * Accepted (the AutoEq family, see docs/measurements.md):
 *  - an optional header line naming the columns (`frequency,raw`, `frequency,db`,
 *    `X,Y`, `Frequency,SPL`, AutoEq's `frequency,raw,smoothed,...`), or REW's
 *    header given as a comment, `* Freq(Hz), SPL(dB), Phase(degrees)`;
 *  - comment lines starting with `#`, `*` or `//`, blank lines, a UTF-8 BOM,
 *    CRLF or LF line ends;
 *  - fields separated by `,`, `;`, tab, `|` or spaces (inferred from the first
 *    data line); with `;` a decimal comma is accepted (`20,5;-3,25`);
 *  - the frequency column is the first header field starting with "freq", "hz"
 *    or equal to "x"; the level column the first one starting with "spl",
 *    "raw", "db", "gain", "ampl", "mag", "level" or "y"; without a header (or
 *    with unrecognised names) column 0 is frequency and column 1 the level.
 * Rejected, each with a GError naming the file and line: non-numeric or
 * non-finite values, frequencies that are not positive or not strictly
 * increasing (duplicates included), too few rows, a range not covering the
 * band the caller needs.
 */
#ifndef ES_IO_FRCSV_H
#define ES_IO_FRCSV_H

#include <stddef.h>
#include <glib.h>

#include "io-error.h"

G_BEGIN_DECLS

/* Fewest data rows a measurement may have. */
#define ES_FR_MIN_POINTS_DEFAULT 10
/* Slack on the coverage check, as a frequency ratio (~1/7 octave): squig.link
 * grids start anywhere between 19.5 and 21.6 Hz and some stop at 19.3 kHz, and
 * frcurve holds the end values over such a small gap. */
#define ES_FR_COVERAGE_TOLERANCE 1.1

typedef struct {
  size_t n;                     /* number of rows */
  double *frequency;            /* Hz, > 0, strictly increasing */
  double *level;                /* dB (SPL, raw, gain... as the file gives it) */
  char *source;                 /* file name used in messages */
} EsFrMeasurement;

typedef struct {
  unsigned min_points;          /* 0 → ES_FR_MIN_POINTS_DEFAULT */
  /* Band the measurement must cover, in Hz (0 = no check): the first row must
   * be at or below required_fmin * tolerance and the last at or above
   * required_fmax / tolerance. */
  double required_fmin, required_fmax;
  double tolerance;             /* ≥ 1; 0 → ES_FR_COVERAGE_TOLERANCE */
} EsFrLimits;

/* Parse `length` bytes of text (-1: NUL-terminated); `name` is used in error
 * messages. limits may be NULL (defaults, no coverage check). Errors are in
 * ES_IO_ERROR: FORMAT for unparsable text, DATA for bad values. */
EsFrMeasurement *es_fr_measurement_parse (const char *text, gssize length,
    const char *name, const EsFrLimits * limits, GError ** error);

/* Read and parse a file (ES_IO_ERROR_OPEN when it cannot be read). */
EsFrMeasurement *es_fr_measurement_load (const char *path, const EsFrLimits * limits,
    GError ** error);

void es_fr_measurement_free (EsFrMeasurement * measurement);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EsFrMeasurement, es_fr_measurement_free)

G_END_DECLS

#endif
