/* earshot: command-line front door to the earshot library and plugin.
 * Dispatches `earshot SUBCOMMAND ...` to the cmd-*.c files. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>
#include <glib.h>
#include <gst/gst.h>

#include "commands.h"
#include "runtime.h"

/* Installed plugin directory, from launch/meson.build. */
#ifndef ES_PLUGIN_INSTALL_DIR
#define ES_PLUGIN_INSTALL_DIR NULL
#endif

static const EsCommand commands[] = {
  {"features", "extract front-end features from an audio file to CSV", es_cmd_features},
  {"model", "inspect model files (model info FILE|NAME)", es_cmd_model},
  {"train", "train a model from a recipe", es_cmd_train},
  {"eval", "evaluate a model on a labelled data set", es_cmd_eval},
  {"iem", "classify IEM frequency-response measurements or graphs", es_cmd_iem},
  {"plot", "draw a measurement's graph or an audio clip's spectrogram as a PNG", es_cmd_plot},
  {"eq", "fit or draw a correction EQ for a headphone/IEM measurement (eq fit|plot ...)", es_cmd_eq},
  {"classify", "classify audio files with an audio model (one row per file or window)", es_cmd_classify},
  {"listen", "classify live audio (microphone, device or replayed file) into events", es_cmd_listen},
};

static gboolean
scan_plugin_dir (GstRegistry * registry, const gchar * dir)
{
  GstPlugin *plugin;

  if (dir == NULL || !g_file_test (dir, G_FILE_TEST_IS_DIR))
    return FALSE;
  gst_registry_scan_path (registry, dir);
  plugin = gst_registry_find_plugin (registry, "earshot");
  if (plugin == NULL)
    return FALSE;
  gst_object_unref (plugin);
  return TRUE;
}

int
es_cli_ensure_plugin (void)
{
  GstRegistry *registry = gst_registry_get ();
  GstPlugin *plugin;
  gchar *exe, *exe_dir, *build_dir;
  gboolean found;

  plugin = gst_registry_find_plugin (registry, "earshot");
  if (plugin) {
    gst_object_unref (plugin);
    return TRUE;
  }

  /* A binary in <build>/launch finds the plugin in <build>/elements. */
  exe = g_file_read_link ("/proc/self/exe", NULL);
  exe_dir = exe ? g_path_get_dirname (exe) : NULL;
  build_dir = exe_dir ? g_build_filename (exe_dir, "..", "elements", NULL) : NULL;
  found = scan_plugin_dir (registry, build_dir)
      || scan_plugin_dir (registry, ES_PLUGIN_INSTALL_DIR);
  g_free (build_dir);
  g_free (exe_dir);
  g_free (exe);
  return found;
}

static void
usage (FILE * out)
{
  fprintf (out, "Usage: earshot [--version] [--help] COMMAND [ARGS...]\n\nCommands:\n");
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf (out, "\nRun 'earshot COMMAND --help' for the options of one command.\n"
      "Exit status: 0 success, 1 failure, 2 usage error.\n");
}

static const EsCommand *
find_command (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (name, commands[i].name) == 0)
      return &commands[i];
  return NULL;
}

int
main (int argc, char **argv)
{
  const EsCommand *command;
  int status;

  if (argc < 2) {
    usage (stderr);
    return 2;
  }
  if (strcmp (argv[1], "--version") == 0 || strcmp (argv[1], "version") == 0) {
    printf ("earshot %s\n", VERSION);
    return 0;
  }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0
      || strcmp (argv[1], "help") == 0) {
    /* `earshot help COMMAND` is `earshot COMMAND --help` */
    if (argc >= 3 && (command = find_command (argv[2])) != NULL) {
      char *help_argv[] = { argv[2], (char *) "--help", NULL };
      return command->run (2, help_argv);
    }
    if (argc >= 3) {
      fprintf (stderr, "earshot: no help for unknown command '%s'\n\n", argv[2]);
      usage (stderr);
      return 2;
    }
    usage (stdout);
    return 0;
  }
  command = find_command (argv[1]);
  if (command == NULL) {
    fprintf (stderr, "earshot: unknown command '%s'\n\n", argv[1]);
    usage (stderr);
    return 2;
  }
  es_cli_init ();
  status = command->run (argc - 1, argv + 1);
  /* release GStreamer's global state so leak checkers see a clean exit */
  if (gst_is_initialized ())
    gst_deinit ();
  return status;
}
