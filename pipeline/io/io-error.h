/* The error domain of io/: files that cannot be read or written, malformed
 * contents, unusable values, inputs over their size limit. */
#ifndef ES_IO_ERROR_H
#define ES_IO_ERROR_H

#include <glib.h>

G_BEGIN_DECLS

#define ES_IO_ERROR (es_io_error_quark ())
GQuark es_io_error_quark (void);

typedef enum {
  ES_IO_ERROR_OPEN,      /* cannot open/read/write the file */
  ES_IO_ERROR_FORMAT,    /* the file's contents are malformed */
  ES_IO_ERROR_DATA,      /* well-formed but unusable values (NaN, too few points...) */
  ES_IO_ERROR_TOO_LARGE, /* larger than the limit for its kind, or memory ran out */
  ES_IO_ERROR_SAME_FILE, /* an output that is one of the run's inputs */
  ES_IO_ERROR_BROKEN_PIPE, /* the reader of a pipe or FIFO went away (EPIPE) */
} EsIoError;

G_END_DECLS

#endif
