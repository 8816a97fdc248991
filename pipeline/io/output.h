/* Writing an output file without ever destroying anything: the one helper
 * every earshot writer uses (CSV, JSON, PNG, model files, model cards).
 *
 * What a path names decides how it is written:
 *  - "-": standard output, written as a stream;
 *  - a regular file, or nothing yet: a temporary file `.NAME.XXXXXX` beside it
 *    is written, flushed to disk and renamed over NAME only on success, so a
 *    failure or an interruption leaves any previous file as it was. A file
 *    that is replaced keeps its permission bits (and its owner and group
 *    where the system allows); a new file gets 0666 minus the umask;
 *  - a symlink (chains too, dangling ones included): the file it points to is
 *    written as above, the link stays;
 *  - a device, FIFO or socket: opened and written directly (it cannot be
 *    renamed over), every write error reported (ENOSPC on /dev/full, EPIPE
 *    when a FIFO's reader goes away, EFBIG over a file-size limit);
 *  - a directory: an error.
 *
 * Temporary files are removed on every error path (es_output_abort) and, in a
 * program that calls es_output_remove_temporaries() from its SIGINT/SIGTERM
 * handler (the earshot CLI does), when the program is interrupted.
 *
 * Errors are ES_IO_ERROR_OPEN (cannot open, write or rename; the message names
 * the path and the system's reason), ES_IO_ERROR_BROKEN_PIPE (EPIPE: the
 * reader went away) and ES_IO_ERROR_SAME_FILE. */
#ifndef ES_IO_OUTPUT_H
#define ES_IO_OUTPUT_H

#include <stdio.h>
#include <glib.h>

#include "io-error.h"

G_BEGIN_DECLS

typedef struct _EsOutput EsOutput;

/* Checks, before any long work, that `path` can be written and names none of
 * `inputs` (NULL-terminated, may be NULL): the same file through symlinks or
 * hard links counts. A regular destination is tested by creating and removing
 * a temporary file beside it, so an unwritable or read-only folder, a missing
 * folder or a directory in the way is found now, not after the work. */
gboolean es_output_check (const char *path, const char *const *inputs, GError **error);

/* Opens `path` for writing (see above). Returns NULL with an error if it
 * cannot be opened. */
EsOutput *es_output_open (const char *path, GError **error);

/* The stdio stream to write to. Write errors are remembered (with their
 * errno) and reported by es_output_commit; es_output_failed() tells early. */
FILE *es_output_stream (EsOutput *output);
/* Writes `length` bytes; FALSE with an error if they could not be written. */
gboolean es_output_write (EsOutput *output, const void *data, gsize length,
    GError **error);
/* TRUE once a write has failed (the output cannot be committed). */
gboolean es_output_failed (const EsOutput *output);

/* Finishes the output: flushes it, syncs a regular file and renames it over
 * the destination. On failure the temporary file is removed and the
 * destination is left as it was. Frees `output` either way. */
gboolean es_output_commit (EsOutput *output, GError **error);
/* Drops the output: closes it and removes the temporary file. Frees
 * `output`; NULL is allowed. */
void es_output_abort (EsOutput *output);

/* The whole of `data` to `path`: open, write, commit. */
gboolean es_output_write_file (const char *path, const void *data, gsize length,
    GError **error);

/* Removes the temporary files of every output still open. Async-signal-safe:
 * meant for a SIGINT/SIGTERM handler, which then ends the process. */
void es_output_remove_temporaries (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EsOutput, es_output_abort)

G_END_DECLS

#endif
