/* Error domain of decide/ (settings of the decision path). */
#ifndef ES_DECIDE_ERROR_H
#define ES_DECIDE_ERROR_H

#include <glib.h>

G_BEGIN_DECLS

#define ES_DECIDE_ERROR (es_decide_error_quark ())

typedef enum {
  ES_DECIDE_ERROR_SETTINGS,     /* a setting out of range, or settings that contradict */
} EsDecideError;

GQuark es_decide_error_quark (void);

G_END_DECLS

#endif
