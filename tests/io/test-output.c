/* io/output: what each kind of destination becomes, and that nothing the user
 * had is destroyed — regular files replaced atomically (mode kept), symlinks
 * kept, devices and FIFOs written in place with their errors reported, inputs
 * refused, temporary files never left behind. Device nodes are made with
 * mknod in a temporary folder when running as root (so a regression can only
 * destroy that copy); otherwise /dev/null and /dev/full are used, which a
 * non-root process cannot replace. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "io/output.h"

static char *dir;

static void
setup (void)
{
  dir = g_dir_make_tmp ("es-output-XXXXXX", NULL);
  ck_assert (dir != NULL);
  /* a FIFO whose reader left is EPIPE, a size limit EFBIG: errors, not deaths */
  signal (SIGPIPE, SIG_IGN);
  signal (SIGXFSZ, SIG_IGN);
}

static void
teardown (void)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d)) != NULL) {
    char *path = g_build_filename (dir, name, NULL);
    g_unlink (path);
    g_free (path);
  }
  if (d)
    g_dir_close (d);
  g_rmdir (dir);
  g_clear_pointer (&dir, g_free);
}

static char *
in_dir (const char *name)
{
  return g_build_filename (dir, name, NULL);
}

static char *
contents (const char *path)
{
  char *text = NULL;
  ck_assert_msg (g_file_get_contents (path, &text, NULL, NULL), "cannot read %s", path);
  return text;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Entries of the folder, sorted, joined by spaces: temporary files show up. */
static char *
listing (void)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  GPtrArray *names = g_ptr_array_new ();
  const char *name;
  char *joined;

  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, (gpointer) name);
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  joined = g_strjoinv (" ", (char **) names->pdata);
  g_ptr_array_free (names, TRUE);
  g_dir_close (d);
  return joined;
}

static void
assert_listing (const char *expected)
{
  g_autofree char *got = listing ();
  ck_assert_str_eq (got, expected);
}

START_TEST (test_new_and_replaced_files)
{
  g_autofree char *path = in_dir ("out.txt");
  g_autofree char *text = NULL;
  GError *err = NULL;
  mode_t old_mask = umask (022);
  GStatBuf st;

  ck_assert (es_output_write_file (path, "one\n", 4, &err));
  ck_assert (g_stat (path, &st) == 0);
  ck_assert_int_eq (st.st_mode & 0777, 0644);   /* 0666 minus the umask */

  /* a replaced file keeps its permissions */
  ck_assert_int_eq (chmod (path, 0600), 0);
  ck_assert (es_output_write_file (path, "two\n", 4, &err));
  ck_assert (g_stat (path, &st) == 0);
  ck_assert_int_eq (st.st_mode & 07777, 0600);
  text = contents (path);
  ck_assert_str_eq (text, "two\n");
  assert_listing ("out.txt");
  umask (old_mask);
}
END_TEST

START_TEST (test_stream_and_abort)
{
  g_autofree char *path = in_dir ("out.csv");
  g_autofree char *text = NULL;
  GError *err = NULL;
  EsOutput *out;

  ck_assert (g_file_set_contents (path, "precious\n", -1, NULL));
  out = es_output_open (path, &err);
  ck_assert (out != NULL);
  fprintf (es_output_stream (out), "a,b\n1,2\n");
  /* nothing is visible before the commit, and an abort leaves no trace */
  text = contents (path);
  ck_assert_str_eq (text, "precious\n");
  es_output_abort (out);
  g_clear_pointer (&text, g_free);
  text = contents (path);
  ck_assert_str_eq (text, "precious\n");
  assert_listing ("out.csv");

  out = es_output_open (path, &err);
  fprintf (es_output_stream (out), "a,b\n1,2\n");
  ck_assert (!es_output_failed (out));
  ck_assert (es_output_commit (out, &err));
  g_clear_pointer (&text, g_free);
  text = contents (path);
  ck_assert_str_eq (text, "a,b\n1,2\n");
  assert_listing ("out.csv");
}
END_TEST

START_TEST (test_symlinks)
{
  g_autofree char *target = in_dir ("target.txt");
  g_autofree char *link = in_dir ("link.txt");
  g_autofree char *chain = in_dir ("chain.txt");
  g_autofree char *dangling = in_dir ("dangling.txt");
  g_autofree char *created = in_dir ("created.txt");
  g_autofree char *text = NULL;
  GError *err = NULL;
  GStatBuf st;

  ck_assert (g_file_set_contents (target, "old\n", -1, NULL));
  ck_assert_int_eq (symlink ("target.txt", link), 0);     /* relative */
  ck_assert_int_eq (symlink (link, chain), 0);             /* absolute, to a link */
  ck_assert (es_output_write_file (chain, "new\n", 4, &err));
  ck_assert (g_lstat (link, &st) == 0 && S_ISLNK (st.st_mode));
  ck_assert (g_lstat (chain, &st) == 0 && S_ISLNK (st.st_mode));
  text = contents (target);
  ck_assert_str_eq (text, "new\n");

  /* a dangling link: its target is created, the link stays */
  ck_assert_int_eq (symlink ("created.txt", dangling), 0);
  ck_assert (es_output_write_file (dangling, "made\n", 5, &err));
  ck_assert (g_lstat (dangling, &st) == 0 && S_ISLNK (st.st_mode));
  g_clear_pointer (&text, g_free);
  text = contents (created);
  ck_assert_str_eq (text, "made\n");
  assert_listing ("chain.txt created.txt dangling.txt link.txt target.txt");
}
END_TEST

/* A character device node: (1, 3) is null, (1, 7) is full. */
static char *
device (const char *name, unsigned minor, const char *fallback)
{
  char *path;

  if (geteuid () != 0)
    return g_strdup (fallback);
  path = in_dir (name);
  ck_assert_msg (mknod (path, S_IFCHR | 0666, makedev (1, minor)) == 0, "mknod: %s",
      g_strerror (errno));
  return path;
}

START_TEST (test_devices)
{
  g_autofree char *null = device ("null", 3, "/dev/null");
  g_autofree char *full = device ("full", 7, "/dev/full");
  char block[4096] = { 0 };
  GError *err = NULL;
  EsOutput *out;
  GStatBuf st;

  /* written in place: still a device afterwards */
  ck_assert (es_output_write_file (null, "x\n", 2, &err));
  ck_assert (g_stat (null, &st) == 0 && S_ISCHR (st.st_mode));

  /* ENOSPC is reported, by the commit when the stream buffered it */
  ck_assert (!es_output_write_file (full, "x\n", 2, &err));
  ck_assert_int_eq (err->code, ES_IO_ERROR_OPEN);
  ck_assert_msg (strstr (err->message, g_strerror (ENOSPC)), "%s", err->message);
  g_clear_error (&err);
  out = es_output_open (full, &err);
  ck_assert (out != NULL);
  for (int i = 0; i < 4; i++)
    fwrite (block, 1, sizeof block, es_output_stream (out));
  ck_assert (es_output_failed (out));
  ck_assert (!es_output_commit (out, &err));
  ck_assert_msg (strstr (err->message, g_strerror (ENOSPC)), "%s", err->message);
  g_clear_error (&err);
  ck_assert (g_stat (full, &st) == 0 && S_ISCHR (st.st_mode));
  if (geteuid () == 0)
    assert_listing ("full null");
}
END_TEST

typedef struct {
  char *path;
  gsize keep;                   /* bytes to read before leaving */
  GString *got;
} Reader;

static gpointer
fifo_reader (gpointer data)
{
  Reader *r = data;
  int fd = open (r->path, O_RDONLY);
  char buf[4096];
  ssize_t n;

  r->got = g_string_new (NULL);
  if (fd < 0)
    return NULL;
  while ((r->keep == 0 || r->got->len < r->keep) && (n = read (fd, buf, sizeof buf)) > 0)
    g_string_append_len (r->got, buf, n);
  close (fd);
  return NULL;
}

START_TEST (test_fifo)
{
  Reader r = { in_dir ("fifo"), 0, NULL };
  char *block = g_malloc0 (1 << 20);
  GError *err = NULL;
  GThread *thread;
  EsOutput *out;
  GStatBuf st;

  ck_assert_int_eq (mkfifo (r.path, 0600), 0);
  thread = g_thread_new ("reader", fifo_reader, &r);
  ck_assert (es_output_write_file (r.path, "through\n", 8, &err));
  g_thread_join (thread);
  ck_assert_str_eq (r.got->str, "through\n");
  ck_assert (g_lstat (r.path, &st) == 0 && S_ISFIFO (st.st_mode));
  g_string_free (r.got, TRUE);

  /* the reader leaves after 10 bytes: EPIPE, as its own error code */
  r.keep = 10;
  thread = g_thread_new ("reader", fifo_reader, &r);
  out = es_output_open (r.path, &err);
  ck_assert (out != NULL);
  for (int i = 0; i < 16 && !es_output_failed (out); i++)
    fwrite (block, 1, 1 << 20, es_output_stream (out));
  ck_assert (!es_output_commit (out, &err));
  ck_assert_int_eq (err->code, ES_IO_ERROR_BROKEN_PIPE);
  ck_assert_msg (strstr (err->message, g_strerror (EPIPE)), "%s", err->message);
  g_clear_error (&err);
  g_thread_join (thread);
  g_string_free (r.got, TRUE);
  ck_assert (g_lstat (r.path, &st) == 0 && S_ISFIFO (st.st_mode));
  assert_listing ("fifo");
  g_free (r.path);
  g_free (block);
}
END_TEST

START_TEST (test_check)
{
  g_autofree char *input = in_dir ("in.csv");
  g_autofree char *soft = in_dir ("link.csv");
  g_autofree char *hard = in_dir ("hard.csv");
  g_autofree char *other = in_dir ("other.csv");
  g_autofree char *missing = g_build_filename (dir, "no-such-dir", "out.csv", NULL);
  const char *inputs[] = { "/nonexistent", input, NULL };
  GError *err = NULL;

  ck_assert (g_file_set_contents (input, "data\n", -1, NULL));
  ck_assert_int_eq (symlink (input, soft), 0);
  ck_assert_int_eq (link (input, hard), 0);
  ck_assert (es_output_check (other, inputs, &err));
  ck_assert (es_output_check ("-", inputs, &err));
  const char *same[] = { input, soft, hard };
  for (gsize i = 0; i < G_N_ELEMENTS (same); i++) {
    ck_assert (!es_output_check (same[i], inputs, &err));
    ck_assert_int_eq (err->code, ES_IO_ERROR_SAME_FILE);
    ck_assert_msg (strstr (err->message, "refusing to overwrite"), "%s", err->message);
    g_clear_error (&err);
  }
  ck_assert (!es_output_check (dir, NULL, &err));
  ck_assert_msg (strstr (err->message, "is a directory"), "%s", err->message);
  g_clear_error (&err);
  ck_assert (!es_output_check (missing, NULL, &err));
  ck_assert_msg (strstr (err->message, g_strerror (ENOENT)), "%s", err->message);
  g_clear_error (&err);
  ck_assert (es_output_open (dir, &err) == NULL);
  g_clear_error (&err);
  /* the check's probe file is gone */
  assert_listing ("hard.csv in.csv link.csv");
}
END_TEST

START_TEST (test_size_limit)
{
  g_autofree char *path = in_dir ("big.bin");
  g_autofree char *text = NULL;
  char *block = g_malloc0 (1 << 16);
  struct rlimit old, limited;
  GError *err = NULL;
  gboolean ok;

  ck_assert (g_file_set_contents (path, "keep\n", -1, NULL));
  ck_assert_int_eq (getrlimit (RLIMIT_FSIZE, &old), 0);
  limited = old;
  limited.rlim_cur = 4096;
  ck_assert_int_eq (setrlimit (RLIMIT_FSIZE, &limited), 0);
  ok = es_output_write_file (path, block, 1 << 16, &err);
  ck_assert_int_eq (setrlimit (RLIMIT_FSIZE, &old), 0);
  ck_assert (!ok);
  ck_assert_msg (strstr (err->message, g_strerror (EFBIG)), "%s", err->message);
  g_clear_error (&err);
  text = contents (path);
  ck_assert_str_eq (text, "keep\n");
  assert_listing ("big.bin");
  g_free (block);
}
END_TEST

START_TEST (test_remove_temporaries)
{
  g_autofree char *a = in_dir ("a.txt");
  g_autofree char *b = in_dir ("b.txt");
  EsOutput *oa = es_output_open (a, NULL), *ob = es_output_open (b, NULL);
  g_autofree char *during = listing ();

  ck_assert (oa && ob);
  /* two hidden temporary files, nothing under the real names yet */
  ck_assert_msg (g_str_has_prefix (during, ".a.txt.") && strstr (during, " .b.txt.")
      && !strstr (during, " a.txt"), "%s", during);
  es_output_remove_temporaries ();       /* what the CLI's signal handler does */
  assert_listing ("");
  es_output_abort (oa);
  es_output_abort (ob);
  assert_listing ("");
}
END_TEST

static Suite *
output_suite (void)
{
  Suite *s = suite_create ("output");
  TCase *tc = tcase_create ("core");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_new_and_replaced_files);
  tcase_add_test (tc, test_stream_and_abort);
  tcase_add_test (tc, test_symlinks);
  tcase_add_test (tc, test_devices);
  tcase_add_test (tc, test_fifo);
  tcase_add_test (tc, test_check);
  tcase_add_test (tc, test_size_limit);
  tcase_add_test (tc, test_remove_temporaries);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (output_suite ());
  int failed;

  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? 1 : 0;
}
