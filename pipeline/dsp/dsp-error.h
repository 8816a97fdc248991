/* Error domain of the dsp/ stages (bad parameters given to a constructor). */
#ifndef ES_DSP_ERROR_H
#define ES_DSP_ERROR_H

#include <glib.h>

G_BEGIN_DECLS

#define ES_DSP_ERROR (es_dsp_error_quark ())

typedef enum {
  ES_DSP_ERROR_INVALID_BAND,    /* a filterbank band has a bad centre, bandwidth or gain */
  ES_DSP_ERROR_INVALID_CONFIG,  /* a size, rate or other setting is out of range */
} EsDspError;

GQuark es_dsp_error_quark (void);

G_END_DECLS

#endif
