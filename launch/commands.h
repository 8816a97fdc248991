/* Subcommands of the earshot CLI. Each takes argv with argv[0] = subcommand name
 * and returns the process exit status (0 ok, 1 failure, 2 usage error). */
#ifndef ES_COMMANDS_H
#define ES_COMMANDS_H

typedef int (*EsCommandFunc) (int argc, char **argv);

typedef struct {
  const char *name;
  const char *summary;
  EsCommandFunc run;
} EsCommand;

int es_cmd_features (int argc, char **argv);   /* cmd-features.c */
int es_cmd_model (int argc, char **argv);      /* cmd-model.c: model info ... */
int es_cmd_train (int argc, char **argv);      /* cmd-train.c */
int es_cmd_eval (int argc, char **argv);       /* cmd-train.c */
int es_cmd_iem (int argc, char **argv);        /* cmd-iem.c */
int es_cmd_plot (int argc, char **argv);       /* cmd-plot.c */
int es_cmd_eq (int argc, char **argv);         /* cmd-eq.c: eq fit ... */
int es_cmd_listen (int argc, char **argv);     /* cmd-listen.c */
int es_cmd_classify (int argc, char **argv);   /* cmd-classify.c */

/* Make the earshot GStreamer plugin visible after gst_init(): when the
 * registry (GST_PLUGIN_PATH included) does not already have it, scan the build
 * tree (<exe_dir>/../elements) and then the installed plugin directory.
 * Returns TRUE if the plugin is available afterwards. (earshot.c) */
int es_cli_ensure_plugin (void);

#endif
