/* AutoEq / Equalizer APO "ParametricEQ.txt":
 *   Preamp: -6.1 dB
 *   Filter 1: ON LSC Fc 105 Hz Gain 6.4 dB Q 0.70
 * Filter types PK (peaking), LSC / HSC (shelves), LP / HP, NO (notch); filters
 * in any order; OFF filters, blank lines and '#' comments are skipped. */
#ifndef ES_IO_PARAMETRIC_EQ_H
#define ES_IO_PARAMETRIC_EQ_H

#include <glib.h>

#include "../dsp/biquad.h"
#include "io-error.h"

G_BEGIN_DECLS

typedef struct {
  double preamp_db;
  EsBiquadParams *filters;
  unsigned n_filters;
} EsParametricEq;

/* Parse text (ES_IO_ERROR_FORMAT / _DATA, the message names the line). */
EsParametricEq *es_parametric_eq_parse (const char *text, gsize length, GError **error);
/* Read and parse a file (ES_IO_ERROR_OPEN when it cannot be read). */
EsParametricEq *es_parametric_eq_load (const char *path, GError **error);
/* The file in AutoEq's byte format (g_free). */
char *es_parametric_eq_format (const EsParametricEq *eq);
/* Every filter is valid at @rate (e.g. its frequency is below Nyquist);
 * the error names the filter. */
gboolean es_parametric_eq_check_rate (const EsParametricEq *eq, double rate, GError **error);
void es_parametric_eq_free (EsParametricEq *eq);

G_END_DECLS

#endif
