/* See input.h. */
#include "io/input.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_CHUNK (64u << 10)

/* "64 MiB": limits are whole units (g_format_size would print "64.0" with a
 * no-break space, awkward in messages that scripts grep). */
static char *
format_limit (gsize bytes)
{
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0)
    return g_strdup_printf ("%" G_GSIZE_FORMAT " MiB", bytes >> 20);
  if (bytes >= 1024 && bytes % 1024 == 0)
    return g_strdup_printf ("%" G_GSIZE_FORMAT " KiB", bytes >> 10);
  return g_strdup_printf ("%" G_GSIZE_FORMAT " bytes", bytes);
}

/* Opens for reading; a folder is an error (read() would fail with EISDIR on
 * the first call anyway, with a less useful message). */
static int
open_input (const char *path, struct stat *st, GError **error)
{
  int fd = open (path, O_RDONLY | O_NOCTTY | O_CLOEXEC);

  if (fd < 0) {
    int errsv = errno;
    g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_OPEN, "%s: %s", path, g_strerror (errsv));
    return -1;
  }
  if (fstat (fd, st) != 0) {
    int errsv = errno;
    close (fd);
    g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_OPEN, "%s: %s", path, g_strerror (errsv));
    return -1;
  }
  if (S_ISDIR (st->st_mode)) {
    close (fd);
    g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_OPEN, "%s: is a directory", path);
    return -1;
  }
  return fd;
}

static void
set_too_large (GError **error, const char *path, gsize limit, const char *what,
    const struct stat *st)
{
  g_autofree char *shown = format_limit (limit);

  if (S_ISREG (st->st_mode))
    g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_TOO_LARGE,
        "%s: %" G_GUINT64_FORMAT " bytes is larger than %s, the limit for %s", path,
        (guint64) st->st_size, shown, what);
  else
    g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_TOO_LARGE,
        "%s: not a regular file, and more than %s (the limit for %s) could be "
        "read from it", path, shown, what);
}

static void
set_no_memory (GError **error, const char *path, gsize bytes)
{
  g_autofree char *shown = format_limit (bytes);

  g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_TOO_LARGE,
      "%s: out of memory (%s needed to read it)", path, shown);
}

gboolean
es_input_read_file (const char *path, gsize max_bytes, const char *what,
    char **contents, gsize *length, GError **error)
{
  struct stat st;
  char *buf = NULL;
  gsize cap, len = 0;
  int fd;

  g_return_val_if_fail (path != NULL && contents != NULL, FALSE);
  *contents = NULL;
  if (length)
    *length = 0;
  if ((fd = open_input (path, &st, error)) < 0)
    return FALSE;
  if (S_ISREG (st.st_mode) && (guint64) st.st_size > max_bytes) {
    set_too_large (error, path, max_bytes, what, &st);
    close (fd);
    return FALSE;
  }
  /* a regular file's size is known (it may still grow: read to its end, within
   * the limit); anything else grows the buffer as it comes */
  cap = S_ISREG (st.st_mode) ? (gsize) st.st_size + 1 : READ_CHUNK;
  cap = MIN (cap, max_bytes + 1);
  cap = MAX (cap, 2);
  if ((buf = g_try_malloc (cap + 1)) == NULL) {
    set_no_memory (error, path, cap);
    close (fd);
    return FALSE;
  }
  for (;;) {
    ssize_t n;

    if (len == cap) {
      gsize grown;
      char *bigger;

      if (len > max_bytes)
        break;
      grown = MIN (cap * 2, max_bytes + 1);
      if ((bigger = g_try_realloc (buf, grown + 1)) == NULL) {
        set_no_memory (error, path, grown);
        goto failed;
      }
      buf = bigger;
      cap = grown;
    }
    n = read (fd, buf + len, cap - len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int errsv = errno;
      g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_OPEN, "%s: %s", path,
          g_strerror (errsv));
      goto failed;
    }
    if (n == 0)
      break;
    len += n;
  }
  if (len > max_bytes) {
    set_too_large (error, path, max_bytes, what, &st);
    goto failed;
  }
  close (fd);
  buf[len] = '\0';
  *contents = buf;
  if (length)
    *length = len;
  return TRUE;

failed:
  close (fd);
  g_free (buf);
  return FALSE;
}

/* ---- lines --------------------------------------------------------------- */

struct _EsLineReader {
  char *path;
  int fd;
  char *buf;
  gsize cap, start, end;        /* unread bytes are buf[start, end) */
  gsize max_line;
  gboolean eof;
  guint64 line;
};

EsLineReader *
es_line_reader_open (const char *path, gsize max_line, GError **error)
{
  EsLineReader *r;
  struct stat st;
  int fd;

  g_return_val_if_fail (path != NULL && max_line > 0, NULL);
  if ((fd = open_input (path, &st, error)) < 0)
    return NULL;
  r = g_new0 (EsLineReader, 1);
  r->path = g_strdup (path);
  r->fd = fd;
  r->max_line = max_line;
  r->cap = MIN ((gsize) READ_CHUNK, max_line + 2);
  r->buf = g_malloc (r->cap + 1);
  return r;
}

static gboolean
line_too_long (EsLineReader *r, GError **error)
{
  g_autofree char *shown = format_limit (r->max_line);

  g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_TOO_LARGE,
      "%s:%" G_GUINT64_FORMAT ": line longer than %s (not a text table?)", r->path,
      r->line + 1, shown);
  return FALSE;
}

/* Reads more into the buffer, making room first. FALSE on an error. */
static gboolean
fill (EsLineReader *r, GError **error)
{
  ssize_t n;

  if (r->start > 0) {
    memmove (r->buf, r->buf + r->start, r->end - r->start);
    r->end -= r->start;
    r->start = 0;
  }
  if (r->end == r->cap) {
    gsize grown;
    char *bigger;

    if (r->end > r->max_line)
      return line_too_long (r, error);
    grown = MIN (r->cap * 2, r->max_line + 2);
    if ((bigger = g_try_realloc (r->buf, grown + 1)) == NULL) {
      set_no_memory (error, r->path, grown);
      return FALSE;
    }
    r->buf = bigger;
    r->cap = grown;
  }
  do
    n = read (r->fd, r->buf + r->end, r->cap - r->end);
  while (n < 0 && errno == EINTR);
  if (n < 0) {
    int errsv = errno;
    g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_OPEN, "%s: %s", r->path,
        g_strerror (errsv));
    return FALSE;
  }
  if (n == 0)
    r->eof = TRUE;
  r->end += n;
  return TRUE;
}

char *
es_line_reader_next (EsLineReader *r, gsize *length, GError **error)
{
  char *line, *newline;
  gsize len;

  g_return_val_if_fail (r != NULL, NULL);
  for (;;) {
    newline = memchr (r->buf + r->start, '\n', r->end - r->start);
    if (newline || (r->eof && r->start < r->end))
      break;
    if (r->eof)
      return NULL;
    if (!fill (r, error))
      return NULL;
  }
  line = r->buf + r->start;
  len = newline ? (gsize) (newline - line) : r->end - r->start;
  r->start += len + (newline ? 1 : 0);
  if (len > r->max_line)
    return line_too_long (r, error), NULL;
  r->line++;
  if (len > 0 && line[len - 1] == '\r')
    len--;
  line[len] = '\0';             /* the '\n' slot, or the spare byte at the end */
  if (memchr (line, '\0', len)) {
    g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_FORMAT,
        "%s:%" G_GUINT64_FORMAT ": contains a NUL byte (not a text file?)", r->path, r->line);
    return NULL;
  }
  if (length)
    *length = len;
  return line;
}

guint64
es_line_reader_line_number (const EsLineReader *r)
{
  return r->line;
}

void
es_line_reader_free (EsLineReader *r)
{
  if (r == NULL)
    return;
  close (r->fd);
  g_free (r->buf);
  g_free (r->path);
  g_free (r);
}
