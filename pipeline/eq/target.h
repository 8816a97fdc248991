/* EQ-fit targets: frequency-response curves in any format a measurement can
 * be (io/frcsv.h), found by path or by name. The shipped ones live in the
 * source tree's targets/ (installed to $datadir/earshot/targets); their
 * sources and licences are in targets/README.md. */
#ifndef ES_EQ_TARGET_H
#define ES_EQ_TARGET_H

#include <glib.h>

#include "eq-error.h"
#include "../io/frcsv.h"

G_BEGIN_DECLS

/* Directories searched for a target NAME (NAME.csv), in order: every
 * directory of $ES_TARGET_PATH (colon-separated), the source tree's targets/
 * (only while the library runs uninstalled from its build directory), the
 * installed targets directory. Newly allocated. */
char **es_eq_target_get_search_path (void);

/* Path of the target called `name` ("harman-in-ear" or "harman-in-ear.csv"),
 * newly allocated, or NULL. A name with a directory separator is not
 * searched for. */
char *es_eq_target_find (const char *name);

/* Names of the targets on the search path (sorted, each once; g_strfreev). */
char **es_eq_target_list (void);

/* Load `name_or_path`: an existing file (or anything with a directory
 * separator) is read as it is, otherwise the name is looked up. The curve
 * must cover 20 Hz-20 kHz. Errors: ES_EQ_ERROR_NOT_FOUND (naming the
 * search path and the targets found there), or the reader's ES_IO_ERROR
 * naming the file and line. */
EsFrMeasurement *es_eq_target_load (const char *name_or_path, GError **error);

G_END_DECLS

#endif
