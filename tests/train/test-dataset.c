/* The table loader at scale and on hostile inputs: a million rows with a
 * thousand labels load in one pass (hash lookups, not a search per row) and
 * split (sparse class counts per group),
 * a label per row is refused instead of never finishing, a
 * missing column is reported after the header without reading the rest, a
 * label column with too many values and endless inputs are clear errors. */
#include <check.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "train/dataset.h"
#include "train/split.h"

static char *
make_dir (void)
{
  char *dir = g_dir_make_tmp ("es-dataset-XXXXXX", NULL);
  ck_assert (dir != NULL);
  return dir;
}

static void
remove_dir (char *dir)
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
  g_free (dir);
}

/* rows x (a, b, label, who): label i % n_labels, written in one go. */
static char *
write_table (const char *dir, size_t rows, size_t n_labels)
{
  char *path = g_build_filename (dir, "big.csv", NULL);
  FILE *f = fopen (path, "w");

  ck_assert (f != NULL);
  fputs ("a,b,label,who\n", f);
  for (size_t i = 0; i < rows; i++)
    fprintf (f, "%zu,%zu,L%zu,g%zu\n", i % 97, i % 13, i % n_labels, i % 50);
  ck_assert_int_eq (fclose (f), 0);
  return path;
}

START_TEST (test_many_rows_many_labels)
{
  gboolean memcheck = g_getenv ("ES_TEST_MEMCHECK") != NULL;
  size_t rows = memcheck ? 50000 : 1000000, labels = ES_DATASET_MAX_CLASSES;
  char *dir = make_dir ();
  char *path = write_table (dir, rows, labels);
  EsDatasetOptions o = { 0 };
  GError *err = NULL;
  EsDataset *d;

  o.group_columns = "who";
  d = es_dataset_load_table (path, &o, &err);
  ck_assert_msg (d != NULL, "%s", err ? err->message : "");
  ck_assert_uint_eq (d->n, rows);
  ck_assert_int_eq (d->n_classes, (int) MIN (rows, labels));
  ck_assert_uint_eq (d->input_size, 2);
  ck_assert_str_eq (d->class_names[123], "L123");
  ck_assert_int_eq (d->labels[rows - 1], (int) ((rows - 1) % labels));
  ck_assert_float_eq (d->x[2 * (rows - 1)], (float) ((rows - 1) % 97));
  ck_assert_uint_eq (es_dataset_count_groups (d), 50);
  {
    g_autofree char *first = g_strdup_printf ("%s:2", path);
    ck_assert_str_eq (d->sample_names[0], first);
  }
  {
    /* the splits at this scale: a stratified split is a group per sample,
     * which a dense groups x classes table (8 GB here) and a placement cost
     * over every class (3e9 steps) made impossible */
    g_autofree int *side = g_new (int, d->n);
    size_t count[3] = { 0 };

    ck_assert_msg (es_split_assign (d->labels, NULL, d->n, d->n_classes, 0.15, 0.15, 1,
            side, &err), "%s", err ? err->message : "");
    for (size_t i = 0; i < d->n; i++)
      count[side[i]]++;
    ck_assert_msg (count[ES_SPLIT_TRAIN] > 0.69 * d->n && count[ES_SPLIT_TRAIN] < 0.71 * d->n
        && count[ES_SPLIT_TEST] > 0.14 * d->n && count[ES_SPLIT_TEST] < 0.16 * d->n,
        "%zu / %zu / %zu", count[0], count[1], count[2]);
    ck_assert (es_kfold_assign (d->labels, d->groups, d->n, d->n_classes, 5, 1, side, &err));
  }
  es_dataset_free (d);
  g_free (path);
  remove_dir (dir);
}
END_TEST

START_TEST (test_label_per_row)
{
  /* every row its own label (a wrong label column): refused at the row that
   * brings one label too many. The loader before searched the labels so far
   * for each row (5e11 comparisons here) and never came back. */
  gboolean memcheck = g_getenv ("ES_TEST_MEMCHECK") != NULL;
  size_t rows = memcheck ? 50000 : 1000000;
  char *dir = make_dir ();
  char *path = write_table (dir, rows, rows);
  EsDatasetOptions o = { 0 };
  GError *err = NULL;

  o.group_columns = "who";
  ck_assert (es_dataset_load_table (path, &o, &err) == NULL);
  ck_assert_msg (strstr (err->message, "big.csv:1002: more than 1000 distinct labels"),
      "%s", err->message);
  g_clear_error (&err);
  g_free (path);
  remove_dir (dir);
}
END_TEST

/* The writer of a FIFO that sends a header and a row, then keeps the FIFO
 * open until the reader is done (or 60 s have passed). */
typedef struct {
  char *path;
  GMutex lock;
  GCond cond;
  gboolean reader_done;
  gboolean gave_up;
} Writer;

static gpointer
fifo_writer (gpointer data)
{
  Writer *w = data;
  FILE *f = fopen (w->path, "w");
  gint64 deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;

  if (f == NULL)
    return NULL;
  fputs ("a,b,cls\n1,2,P\n", f);
  fflush (f);
  g_mutex_lock (&w->lock);
  while (!w->reader_done)
    if (!g_cond_wait_until (&w->cond, &w->lock, deadline)) {
      w->gave_up = TRUE;
      break;
    }
  g_mutex_unlock (&w->lock);
  fclose (f);
  return NULL;
}

START_TEST (test_missing_column_after_header)
{
  char *dir = make_dir ();
  Writer w = { g_build_filename (dir, "table.fifo", NULL) };
  EsDatasetOptions o = { 0 };
  GError *err = NULL;
  GThread *thread;

  ck_assert_int_eq (mkfifo (w.path, 0600), 0);
  g_mutex_init (&w.lock);
  g_cond_init (&w.cond);
  thread = g_thread_new ("writer", fifo_writer, &w);
  o.label_column = "label";     /* the table has "cls" */
  ck_assert (es_dataset_load_table (w.path, &o, &err) == NULL);
  g_mutex_lock (&w.lock);
  w.reader_done = TRUE;
  g_cond_signal (&w.cond);
  g_mutex_unlock (&w.lock);
  g_thread_join (thread);
  ck_assert_msg (strstr (err->message, "no column named 'label'"), "%s", err->message);
  ck_assert_msg (!w.gave_up, "the loader waited for the end of the table before "
      "checking its header");
  g_error_free (err);
  g_mutex_clear (&w.lock);
  g_cond_clear (&w.cond);
  g_free (w.path);
  remove_dir (dir);
}
END_TEST

START_TEST (test_endless_input)
{
  EsDatasetOptions o = { 0 };
  GError *err = NULL;

  /* no line break ever: the line limit ends it */
  ck_assert (es_dataset_load_table ("/dev/zero", &o, &err) == NULL);
  ck_assert_msg (strstr (err->message, "/dev/zero:1: line longer than 16 MiB"), "%s",
      err->message);
  g_clear_error (&err);
  ck_assert (es_dataset_load_table ("/nonexistent/t.csv", &o, &err) == NULL);
  ck_assert_msg (strstr (err->message, "/nonexistent/t.csv: No such file"), "%s",
      err->message);
  g_clear_error (&err);
}
END_TEST

static Suite *
dataset_suite (void)
{
  Suite *s = suite_create ("dataset");
  TCase *tc = tcase_create ("core");
  tcase_add_test (tc, test_many_rows_many_labels);
  tcase_add_test (tc, test_label_per_row);
  tcase_add_test (tc, test_missing_column_after_header);
  tcase_add_test (tc, test_endless_input);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (dataset_suite ());
  int failed;

  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? 1 : 0;
}
