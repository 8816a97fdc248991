/* See output.h. The stream is a glibc cookie stream over the file
 * descriptor, so that the errno of a failed write (ENOSPC, EPIPE, EFBIG) is
 * kept for the message whatever stdio call the caller made. */
#define _GNU_SOURCE
#include "io/output.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

/* Symlink chains longer than this are refused (as the kernel does, ELOOP). */
#define MAX_LINK_DEPTH 40

struct _EsOutput {
  char *path;                   /* as given, for messages */
  char *target;                 /* where the bytes end up (symlinks followed) */
  char *temp;                   /* temporary file beside target, or NULL */
  int fd;
  gboolean is_stdout;
  FILE *stream;
  int write_errno;              /* first write error, 0 if none */
  int slot;                     /* temporary-file registry slot, -1 if none */
};

/* ---- temporary files to remove on a signal --------------------------------
 * A fixed table, so that the handler touches no heap: each slot is free (0),
 * being filled (1) or holds a path (2). */

#define N_SLOTS 32
#define SLOT_PATH_MAX 4096

static int slot_state[N_SLOTS];
static char slot_path[N_SLOTS][SLOT_PATH_MAX];

static int
register_temporary (const char *path)
{
  size_t len = strlen (path);

  if (len >= SLOT_PATH_MAX)
    return -1;
  for (int i = 0; i < N_SLOTS; i++) {
    int expected = 0;

    if (__atomic_compare_exchange_n (&slot_state[i], &expected, 1, FALSE,
            __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
      memcpy (slot_path[i], path, len + 1);
      __atomic_store_n (&slot_state[i], 2, __ATOMIC_RELEASE);
      return i;
    }
  }
  return -1;                    /* table full: still removed on error paths */
}

static void
unregister_temporary (int slot)
{
  if (slot >= 0)
    __atomic_store_n (&slot_state[slot], 0, __ATOMIC_RELEASE);
}

void
es_output_remove_temporaries (void)
{
  int saved = errno;

  for (int i = 0; i < N_SLOTS; i++)
    if (__atomic_load_n (&slot_state[i], __ATOMIC_ACQUIRE) == 2)
      unlink (slot_path[i]);
  errno = saved;
}

/* ---- paths --------------------------------------------------------------- */

/* The file `path` finally names: symlinks followed one by one (relative
 * targets against the link's folder), including a dangling last one, whose
 * target is then created. */
static char *
resolve_links (const char *path, GError **error)
{
  char *current = g_strdup (path);

  for (int depth = 0; depth <= MAX_LINK_DEPTH; depth++) {
    GStatBuf st;
    char *target, *next;

    if (g_lstat (current, &st) != 0 || !S_ISLNK (st.st_mode))
      return current;
    target = g_file_read_link (current, NULL);
    if (target == NULL)
      return current;
    if (g_path_is_absolute (target)) {
      next = target;
    } else {
      char *dir = g_path_get_dirname (current);
      next = g_build_filename (dir, target, NULL);
      g_free (dir);
      g_free (target);
    }
    g_free (current);
    current = next;
  }
  g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_OPEN,
      "cannot write %s: %s", path, g_strerror (ELOOP));
  g_free (current);
  return NULL;
}

static void
set_open_error (GError **error, const char *path, int errsv)
{
  g_set_error (error, ES_IO_ERROR, errsv == EPIPE ? ES_IO_ERROR_BROKEN_PIPE
      : ES_IO_ERROR_OPEN, "cannot write %s: %s", strcmp (path, "-") == 0
      ? "standard output" : path, g_strerror (errsv));
}

/* A new temporary file `.BASE.XXXXXX` in target's folder (same file system, so
 * the rename is atomic). Created 0666 minus the umask, like any new file. */
static int
create_temporary (const char *target, char **temp_path)
{
  char *dir = g_path_get_dirname (target);
  char *base = g_path_get_basename (target);
  char *template = g_strdup_printf ("%s%s.%s.XXXXXX", dir, G_DIR_SEPARATOR_S, base);
  int fd = g_mkstemp_full (template, O_RDWR | O_CLOEXEC, 0666);

  g_free (dir);
  g_free (base);
  if (fd < 0) {
    int errsv = errno;
    g_free (template);
    errno = errsv;
    return -1;
  }
  *temp_path = template;
  return fd;
}

/* ---- the stream ---------------------------------------------------------- */

static ssize_t
cookie_write (void *cookie, const char *buf, size_t size)
{
  EsOutput *out = cookie;
  size_t done = 0;

  while (done < size) {
    ssize_t n = write (out->fd, buf + done, size - done);

    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      if (out->write_errno == 0)
        out->write_errno = n < 0 ? errno : EIO;
      return done > 0 ? (ssize_t) done : -1;
    }
    done += n;
  }
  return (ssize_t) done;
}

static int
cookie_close (void *cookie)
{
  return 0;                     /* the descriptor is closed by its owner */
}

static gboolean
attach_stream (EsOutput *out)
{
  cookie_io_functions_t io = { NULL, cookie_write, NULL, cookie_close };

  out->stream = fopencookie (out, "w", io);
  return out->stream != NULL;
}

/* ---- public -------------------------------------------------------------- */

static gboolean
same_file (const GStatBuf *a, const GStatBuf *b)
{
  return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

gboolean
es_output_check (const char *path, const char *const *inputs, GError **error)
{
  g_autofree char *target = NULL;
  GStatBuf st;
  gboolean exists;

  g_return_val_if_fail (path != NULL, FALSE);
  if (strcmp (path, "-") == 0)
    return TRUE;
  if ((target = resolve_links (path, error)) == NULL)
    return FALSE;
  exists = g_stat (target, &st) == 0;
  if (exists && S_ISDIR (st.st_mode)) {
    g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_OPEN, "cannot write %s: it is a directory",
        path);
    return FALSE;
  }
  for (int i = 0; exists && inputs && inputs[i]; i++) {
    GStatBuf in;

    if (g_stat (inputs[i], &in) == 0 && same_file (&st, &in)) {
      g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_SAME_FILE,
          "output %s is the input %s; refusing to overwrite it", path, inputs[i]);
      return FALSE;
    }
  }
  if (exists && !S_ISREG (st.st_mode)) {
    if (access (target, W_OK) != 0) {
      set_open_error (error, path, errno);
      return FALSE;
    }
  } else {
    char *temp = NULL;
    int fd = create_temporary (target, &temp), slot;

    if (fd < 0) {
      set_open_error (error, path, errno);
      return FALSE;
    }
    slot = register_temporary (temp);
    close (fd);
    g_unlink (temp);
    unregister_temporary (slot);
    g_free (temp);
  }
  return TRUE;
}

EsOutput *
es_output_open (const char *path, GError **error)
{
  EsOutput *out;
  GStatBuf st;

  g_return_val_if_fail (path != NULL, NULL);
  out = g_new0 (EsOutput, 1);
  out->path = g_strdup (path);
  out->fd = -1;
  out->slot = -1;

  if (strcmp (path, "-") == 0) {
    /* what the program printed before comes first */
    fflush (stdout);
    out->is_stdout = TRUE;
    out->fd = STDOUT_FILENO;
  } else {
    if ((out->target = resolve_links (path, error)) == NULL)
      goto failed;
    if (g_stat (out->target, &st) == 0 && S_ISDIR (st.st_mode)) {
      g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_OPEN,
          "cannot write %s: it is a directory", path);
      goto failed;
    }
    if (g_stat (out->target, &st) == 0 && !S_ISREG (st.st_mode)) {
      /* a device, FIFO or socket: written in place, never replaced */
      out->fd = open (out->target, O_WRONLY | O_NOCTTY | O_CLOEXEC);
      if (out->fd < 0) {
        set_open_error (error, path, errno);
        goto failed;
      }
    } else {
      gboolean replacing = g_stat (out->target, &st) == 0;

      out->fd = create_temporary (out->target, &out->temp);
      if (out->fd < 0) {
        set_open_error (error, path, errno);
        goto failed;
      }
      out->slot = register_temporary (out->temp);
      if (replacing) {
        /* the replaced file's permissions (no set-id bits), owner where allowed */
        if (fchown (out->fd, st.st_uid, st.st_gid) != 0 && fchown (out->fd, -1,
                st.st_gid) != 0) {
          /* not allowed: the new file is ours */
        }
        if (fchmod (out->fd, st.st_mode & 0777) != 0) {
          /* keep the new-file mode */
        }
      }
    }
  }
  if (!attach_stream (out)) {
    set_open_error (error, path, errno);
    goto failed;
  }
  return out;

failed:
  es_output_abort (out);
  return NULL;
}

FILE *
es_output_stream (EsOutput *out)
{
  g_return_val_if_fail (out != NULL, NULL);
  return out->stream;
}

gboolean
es_output_failed (const EsOutput *out)
{
  return out->write_errno != 0 || ferror (out->stream);
}

gboolean
es_output_write (EsOutput *out, const void *data, gsize length, GError **error)
{
  g_return_val_if_fail (out != NULL, FALSE);
  if (length > 0 && fwrite (data, 1, length, out->stream) != length) {
    set_open_error (error, out->path, out->write_errno ? out->write_errno : EIO);
    return FALSE;
  }
  return TRUE;
}

/* Closes the stream and descriptor; the first error's errno, or 0. */
static int
close_output (EsOutput *out, gboolean sync)
{
  int errsv = 0;

  if (out->stream) {
    if (fflush (out->stream) != 0 || ferror (out->stream))
      errsv = out->write_errno ? out->write_errno : EIO;
    fclose (out->stream);
    out->stream = NULL;
  }
  if (out->write_errno && !errsv)
    errsv = out->write_errno;
  if (sync && !errsv && fsync (out->fd) != 0)
    errsv = errno;
  if (out->fd >= 0 && !out->is_stdout && close (out->fd) != 0 && !errsv)
    errsv = errno;
  out->fd = -1;
  return errsv;
}

static void
output_free (EsOutput *out)
{
  g_free (out->path);
  g_free (out->target);
  g_free (out->temp);
  g_free (out);
}

gboolean
es_output_commit (EsOutput *out, GError **error)
{
  int errsv;

  g_return_val_if_fail (out != NULL, FALSE);
  errsv = close_output (out, out->temp != NULL);
  if (errsv == 0 && out->temp && g_rename (out->temp, out->target) != 0)
    errsv = errno;
  if (errsv != 0) {
    set_open_error (error, out->path, errsv);
    es_output_abort (out);
    return FALSE;
  }
  /* renamed: nothing left to remove on a signal */
  unregister_temporary (out->slot);
  output_free (out);
  return TRUE;
}

void
es_output_abort (EsOutput *out)
{
  if (out == NULL)
    return;
  close_output (out, FALSE);
  if (out->temp)
    g_unlink (out->temp);
  unregister_temporary (out->slot);
  output_free (out);
}

gboolean
es_output_write_file (const char *path, const void *data, gsize length, GError **error)
{
  EsOutput *out = es_output_open (path, error);

  if (out == NULL)
    return FALSE;
  if (!es_output_write (out, data, length, error)) {
    es_output_abort (out);
    return FALSE;
  }
  return es_output_commit (out, error);
}
