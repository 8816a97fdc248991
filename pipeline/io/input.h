/* Reading input files within a limit: every earshot reader of a whole file
 * (measurements, EQ files, recipes, architectures, index files) or of a file
 * line by line (tables) goes through here, so a wrong path — /dev/zero, a FIFO
 * that never ends, a multi-gigabyte file, a file without line breaks — ends
 * with a clear error instead of eating the memory.
 *
 * A regular file's size is checked before anything is read; a device, FIFO or
 * other non-regular file is read up to the limit, and one byte more means the
 * error. Memory for the contents is asked for with g_try_malloc: when it is not
 * there, the error says so. Errors are ES_IO_ERROR_OPEN (cannot open or read;
 * a folder) and ES_IO_ERROR_TOO_LARGE (over the limit, out of memory). */
#ifndef ES_IO_INPUT_H
#define ES_IO_INPUT_H

#include <glib.h>

#include "io-error.h"

G_BEGIN_DECLS

/* The limits of the readers that use this (documented in docs/cli.md). */
#define ES_INPUT_MAX_MEASUREMENT (64u << 20)   /* a frequency-response CSV */
#define ES_INPUT_MAX_EQ (1u << 20)             /* a ParametricEQ.txt */
#define ES_INPUT_MAX_RECIPE (4u << 20)         /* a recipe or an architecture .json */
#define ES_INPUT_MAX_INDEX (256u << 20)        /* a data set's index.csv */
#define ES_INPUT_MAX_LINE (16u << 20)          /* one line of a table */

/* Reads all of `path` (at most `max_bytes`) into a NUL-terminated buffer (free
 * with g_free); `what` names the kind of file in the size error ("a
 * measurement"). */
gboolean es_input_read_file (const char *path, gsize max_bytes, const char *what,
    char **contents, gsize *length, GError **error);

/* Lines of a text file, read as they are needed: a table of millions of rows
 * is never held whole, and its header is seen before the rest is read. */
typedef struct _EsLineReader EsLineReader;

EsLineReader *es_line_reader_open (const char *path, gsize max_line, GError **error);
/* The next line without its "\n" (and the "\r" of CRLF), NUL-terminated, valid
 * until the next call; NULL at the end of the file, or on an error (set in
 * `error`: unreadable, a line longer than max_line, a NUL byte). */
char *es_line_reader_next (EsLineReader *reader, gsize *length, GError **error);
/* 1-based number of the line last returned. */
guint64 es_line_reader_line_number (const EsLineReader *reader);
void es_line_reader_free (EsLineReader *reader);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EsLineReader, es_line_reader_free)

G_END_DECLS

#endif
