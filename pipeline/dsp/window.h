/* Analysis windows (symmetric, as numpy.hamming / numpy.hanning). */
#ifndef ES_DSP_WINDOW_H
#define ES_DSP_WINDOW_H

#include <stddef.h>
#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  ES_WINDOW_HAMMING = 0,     /* w(n) = 0.54 - 0.46 cos(2 pi n / (N - 1)) */
  ES_WINDOW_HANN = 1,        /* w(n) = 0.5 - 0.5 cos(2 pi n / (N - 1)) */
  ES_WINDOW_RECTANGULAR = 2, /* w(n) = 1 */
} EsWindowType;

/* Fill w[0..n) with the window; n == 1 gives w = {1}. */
void es_window_fill (EsWindowType type, float *w, size_t n);

/* Short lowercase name ("hamming", "hann", "rectangular"). */
const char *es_window_type_name (EsWindowType type);

/* Parse a name as returned above; FALSE if unknown. */
gboolean es_window_type_from_name (const char *name, EsWindowType *type);

G_END_DECLS

#endif
