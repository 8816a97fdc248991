/* Error domain of eq/: the parametric fit and its targets. */
#ifndef ES_EQ_EQ_ERROR_H
#define ES_EQ_EQ_ERROR_H

#include <glib.h>

G_BEGIN_DECLS

#define ES_EQ_ERROR (es_eq_error_quark ())
GQuark es_eq_error_quark (void);

typedef enum {
  ES_EQ_ERROR_INVALID,          /* an option is out of range */
  ES_EQ_ERROR_DATA,             /* a curve is unusable (coverage, non-finite values) */
  ES_EQ_ERROR_NOT_FOUND,        /* no target of that name on the search path */
} EsEqError;

G_END_DECLS

#endif
