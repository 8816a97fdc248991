/* earshot: command-line front door to the earshot library and plugin.
 * Dispatches `earshot SUBCOMMAND ...` to the cmd-*.c files. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "commands.h"

static const EsCommand commands[] = {
  {"features", "extract front-end features from an audio file to CSV", es_cmd_features},
  {"model", "inspect model files (model info FILE|NAME)", es_cmd_model},
  {"train", "train a model from a recipe", es_cmd_train},
  {"eval", "evaluate a model on a labelled data set", es_cmd_eval},
  {"iem", "classify IEM frequency-response measurements or graphs", es_cmd_iem},
  {"plot", "draw a frequency-response measurement as a PNG graph", es_cmd_plot},
};

static void
usage (FILE * out)
{
  fprintf (out, "Usage: earshot [--version] [--help] COMMAND [ARGS...]\n\nCommands:\n");
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf (out, "\nRun 'earshot COMMAND --help' for the options of one command.\n");
}

int
main (int argc, char **argv)
{
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
    usage (stdout);
    return 0;
  }
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (argv[1], commands[i].name) == 0)
      return commands[i].run (argc - 1, argv + 1);
  fprintf (stderr, "earshot: unknown command '%s'\n\n", argv[1]);
  usage (stderr);
  return 2;
}
