/* What every earshot command shares: exit codes, signals, running a GStreamer
 * pipeline to its end, finding input files, and checking outputs before work.
 * Writing itself goes through the library's io/output.h (es_output_*). */
#ifndef ES_CLI_RUNTIME_H
#define ES_CLI_RUNTIME_H

#include <glib.h>
#include <gst/gst.h>

G_BEGIN_DECLS

#define ES_EXIT_OK 0
#define ES_EXIT_FAILURE 1       /* missing, unreadable or bad input; unwritable output */
#define ES_EXIT_USAGE 2         /* unknown option, bad value, wrong arguments */
#define ES_EXIT_BAD_DATA 3      /* completed, but the input held bad data */

/* Once, before any command runs: SIGINT, SIGTERM and SIGHUP remove the
 * temporary files of outputs being written and then end the process as the
 * signal would; SIGPIPE and SIGXFSZ are ignored, so that a FIFO whose reader
 * left (EPIPE) or a file-size limit (EFBIG) is a write error the command
 * reports, not a silent death that leaves a temporary file behind. */
void es_cli_init (void);

/* ---- running a pipeline ---------------------------------------------------- */

typedef struct {
  const char *prog;             /* "earshot features", for messages */
  const char *input;            /* the input as shown in messages (escaped) */
  gboolean progress;            /* a progress line when stderr is a terminal */
  guint n_warnings;             /* out: GStreamer warnings, each printed */
} EsCliPipelineRun;

/* Sets `pipeline` PLAYING and waits for EOS or the first error. Warnings (a
 * decoder skipping damaged data) are printed as they come and counted. TRUE at
 * EOS; FALSE with the bus error in `error` (EARSHOT_DEBUG=1 also prints its
 * debug text). The pipeline is back in NULL state either way. */
gboolean es_cli_run_pipeline (GstElement *pipeline, EsCliPipelineRun *run,
    GError **error);

/* ---- finding inputs -------------------------------------------------------- */

typedef struct {
  char *path;
  gboolean walked;              /* found in a folder rather than named */
} EsCliInput;

/* The files the arguments name, the same way in every command: a named file
 * is taken as it is (whatever its name; its reader decides), a folder gives
 * its files whose extension is one of `extensions` (case-insensitive,
 * without the dot), sorted by path, hidden entries skipped; subfolders with
 * `recursive` (-r), else they are counted in *skipped_dirs. A folder that
 * cannot be read, or holds no such file, adds a message to `problems`
 * ("DIR: ..."; `kinds` describes the files sought, e.g. "measurement (*.csv)
 * or image files"). Returns an array of EsCliInput (cleared with it). */
GArray *es_cli_find_inputs (char **args, int n_args, const char *const *extensions,
    const char *kinds, gboolean recursive, GPtrArray *problems, guint *skipped_dirs);

/* TRUE if `path`'s extension is one of `extensions` (without the dot). */
gboolean es_cli_has_extension (const char *path, const char *const *extensions);

/* ---- outputs --------------------------------------------------------------- */

/* es_output_check with the message printed ("PROG: cannot write ...").
 * `inputs` is NULL-terminated (may be NULL). */
gboolean es_cli_check_output (const char *prog, const char *path,
    const char *const *inputs);

G_END_DECLS

#endif
