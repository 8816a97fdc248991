/* See runtime.h. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "runtime.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "io/output.h"
#include "io/text.h"

/* ---- signals --------------------------------------------------------------- */

static void
on_fatal_signal (int sig)
{
  /* async-signal-safe: unlink() over a fixed table, then the default action
   * (SA_RESETHAND restored it; the signal is delivered when we return) */
  es_output_remove_temporaries ();
  raise (sig);
}

void
es_cli_init (void)
{
  static const int fatal[] = { SIGINT, SIGTERM, SIGHUP };
  struct sigaction sa;

  memset (&sa, 0, sizeof sa);
  sa.sa_handler = on_fatal_signal;
  sa.sa_flags = SA_RESETHAND;
  sigemptyset (&sa.sa_mask);
  for (gsize i = 0; i < G_N_ELEMENTS (fatal); i++) {
    struct sigaction old;

    /* a signal the parent ignores (nohup, a background job) stays ignored */
    if (sigaction (fatal[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
      continue;
    sigaction (fatal[i], &sa, NULL);
  }
  signal (SIGPIPE, SIG_IGN);
  signal (SIGXFSZ, SIG_IGN);
}

/* ---- running a pipeline ---------------------------------------------------- */

#define PROGRESS_INTERVAL (500 * GST_MSECOND)

static void
show_progress (GstElement *pipeline, const EsCliPipelineRun *run)
{
  gint64 position = -1, duration = -1;

  if (!gst_element_query_position (pipeline, GST_FORMAT_TIME, &position) || position < 0)
    return;
  if (gst_element_query_duration (pipeline, GST_FORMAT_TIME, &duration) && duration > 0)
    fprintf (stderr, "\r%s: %s %.1f / %.1f s (%d %%)\033[K", run->prog, run->input,
        (double) position / GST_SECOND, (double) duration / GST_SECOND,
        (int) (100.0 * position / duration));
  else
    fprintf (stderr, "\r%s: %s %.1f s\033[K", run->prog, run->input,
        (double) position / GST_SECOND);
  fflush (stderr);
}

gboolean
es_cli_run_pipeline (GstElement *pipeline, EsCliPipelineRun *run, GError **error)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  gboolean progress = run->progress && isatty (STDERR_FILENO);
  gboolean shown = FALSE, ok = FALSE;
  GstMessage *msg;

  /* a failure to start is on the bus as an error message: read it below */
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  for (;;) {
    msg = gst_bus_timed_pop_filtered (bus, progress ? PROGRESS_INTERVAL : GST_CLOCK_TIME_NONE,
        GST_MESSAGE_ERROR | GST_MESSAGE_EOS | GST_MESSAGE_WARNING);
    if (msg == NULL) {
      show_progress (pipeline, run);
      shown = TRUE;
      continue;
    }
    if (shown) {
      fprintf (stderr, "\r\033[K");
      shown = FALSE;
    }
    if (GST_MESSAGE_TYPE (msg) != GST_MESSAGE_WARNING)
      break;
    {
      GError *warning = NULL;
      g_autofree char *text = NULL;

      gst_message_parse_warning (msg, &warning, NULL);
      text = es_text_for_terminal (warning ? warning->message : "unknown problem",
          ES_TEXT_TERMINAL_MAX);
      fprintf (stderr, "%s: warning: '%s': %s\n", run->prog, run->input, text);
      run->n_warnings++;
      g_clear_error (&warning);
      gst_message_unref (msg);
    }
  }
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS) {
    ok = TRUE;
  } else {
    GError *err = NULL;
    gchar *debug = NULL;

    gst_message_parse_error (msg, &err, &debug);
    if (debug && g_getenv ("EARSHOT_DEBUG"))
      fprintf (stderr, "  (%s: %s)\n", GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), debug);
    if (err)
      g_propagate_error (error, err);
    else
      g_set_error_literal (error, GST_CORE_ERROR, GST_CORE_ERROR_FAILED, "unknown error");
    g_free (debug);
  }
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  return ok;
}

/* ---- finding inputs -------------------------------------------------------- */

gboolean
es_cli_has_extension (const char *path, const char *const *extensions)
{
  const char *base = strrchr (path, G_DIR_SEPARATOR);
  const char *dot = strrchr (base ? base + 1 : path, '.');

  if (dot == NULL)
    return FALSE;
  for (int i = 0; extensions[i]; i++)
    if (g_ascii_strcasecmp (dot + 1, extensions[i]) == 0)
      return TRUE;
  return FALSE;
}

static void
walk_dir (const char *dir, const char *const *extensions, gboolean recursive,
    GPtrArray *paths, GPtrArray *problems, guint *skipped_dirs)
{
  GError *error = NULL;
  GDir *d = g_dir_open (dir, 0, &error);
  const char *name;

  if (d == NULL) {
    g_ptr_array_add (problems, g_strdup_printf ("%s: %s", dir, error->message));
    g_error_free (error);
    return;
  }
  while ((name = g_dir_read_name (d)) != NULL) {
    char *path;

    if (name[0] == '.')
      continue;
    path = g_build_filename (dir, name, NULL);
    if (g_file_test (path, G_FILE_TEST_IS_DIR)) {
      if (recursive)
        walk_dir (path, extensions, TRUE, paths, problems, skipped_dirs);
      else
        (*skipped_dirs)++;
      g_free (path);
    } else if (es_cli_has_extension (name, extensions)) {
      g_ptr_array_add (paths, path);
    } else {
      g_free (path);
    }
  }
  g_dir_close (d);
}

static int
compare_paths (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static void
input_clear (gpointer data)
{
  g_free (((EsCliInput *) data)->path);
}

GArray *
es_cli_find_inputs (char **args, int n_args, const char *const *extensions,
    const char *kinds, gboolean recursive, GPtrArray *problems, guint *skipped_dirs)
{
  GArray *inputs = g_array_new (FALSE, TRUE, sizeof (EsCliInput));

  g_array_set_clear_func (inputs, input_clear);
  for (int a = 0; a < n_args; a++) {
    GPtrArray *found;

    if (!g_file_test (args[a], G_FILE_TEST_IS_DIR)) {
      EsCliInput in = { g_strdup (args[a]), FALSE };
      g_array_append_val (inputs, in);
      continue;
    }
    found = g_ptr_array_new ();
    walk_dir (args[a], extensions, recursive, found, problems, skipped_dirs);
    g_ptr_array_sort (found, compare_paths);
    if (found->len == 0)
      g_ptr_array_add (problems, g_strdup_printf ("%s: no %s%s", args[a], kinds,
              recursive ? "" : " (use -r for subfolders)"));
    for (guint i = 0; i < found->len; i++) {
      EsCliInput in = { found->pdata[i], TRUE };
      g_array_append_val (inputs, in);
    }
    g_ptr_array_free (found, TRUE);
  }
  return inputs;
}

/* ---- outputs --------------------------------------------------------------- */

gboolean
es_cli_check_output (const char *prog, const char *path, const char *const *inputs)
{
  GError *error = NULL;

  if (es_output_check (path, inputs, &error))
    return TRUE;
  {
    g_autofree char *text = es_text_for_terminal (error->message, ES_TEXT_TERMINAL_MAX);
    fprintf (stderr, "%s: %s\n", prog, text);
  }
  g_error_free (error);
  return FALSE;
}
