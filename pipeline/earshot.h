/* libearshot — audio and measurement front-ends, a CNN engine and I/O in plain C.
 *
 * Every processing stage of the earshot GStreamer elements lives here without any
 * GStreamer type, so the trainer and the elements run the very same code.
 * Conventions: public symbols are es_*, types Es*; functions that can fail take a
 * GError ** (domain per area) and return NULL/FALSE; arrays are float32, row-major;
 * objects are created with *_new and released with *_free (NULL-safe).
 *
 * Installed as <earshot/earshot.h> (pkg-config earshot: -I$includedir):
 * include it, or an area header (<earshot/dsp.h>, <earshot/nn.h>,
 * <earshot/model.h>, <earshot/io.h>, <earshot/decide.h>, <earshot/eq.h>,
 * <earshot/train.h>, <earshot/tasks.h>), or one header of an area
 * (<earshot/dsp/frontend.h>). Public headers include each other by paths
 * relative to themselves, so no other include folder is needed; headers that
 * are not reached from here are internal and not installed
 * (tests/cli/install.sh checks both).
 */
#ifndef EARSHOT_H
#define EARSHOT_H

#include <glib.h>

#include "media-types.h"
#include "dsp.h"
#include "nn.h"
#include "model.h"
#include "io.h"
#include "decide.h"
#include "eq.h"
#include "train.h"
#include "tasks.h"

G_BEGIN_DECLS

/* The library version, e.g. "0.1.0". */
const char *es_version (void);

G_END_DECLS

#endif /* EARSHOT_H */
