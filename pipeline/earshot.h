/* libearshot — audio and measurement front-ends, a CNN engine and I/O in plain C.
 *
 * Every processing stage of the earshot GStreamer elements lives here without any
 * GStreamer type, so the trainer and the elements run the very same code.
 * Conventions: public symbols are es_*, types Es*; functions that can fail take a
 * GError ** (domain per area) and return NULL/FALSE; arrays are float32, row-major;
 * objects are created with *_new and released with *_free (NULL-safe).
 */
#ifndef EARSHOT_H
#define EARSHOT_H

#include <glib.h>

G_BEGIN_DECLS

/* The library version, e.g. "0.1.0". */
const char *es_version (void);

G_END_DECLS

#endif /* EARSHOT_H */
