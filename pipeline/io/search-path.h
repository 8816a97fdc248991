/* Folders searched for a shipped data file by name (models, EQ targets).
 * Internal to libearshot (not installed).
 *
 * The source tree's folder is searched only when the library runs from its
 * build directory (uninstalled: `./dev test`, build/launch/earshot,
 * GST_PLUGIN_PATH=build/elements), never once installed, so an installed
 * library does not look in the tree of the machine that built it. */
#ifndef ES_IO_SEARCH_PATH_H
#define ES_IO_SEARCH_PATH_H

#include <glib.h>

G_BEGIN_DECLS

/* Each folder of the environment variable @env_var (colon-separated, empty
 * parts skipped), then @source_dir when es_running_uninstalled(), then
 * @installed_dir. NULL-terminated, g_strfreev. */
char **es_search_path_new (const char *env_var, const char *source_dir,
    const char *installed_dir);

/* TRUE when this library is the file in its own build directory rather than
 * an installed copy (found with dladdr, compared with the build's folder). */
gboolean es_running_uninstalled (void);

G_END_DECLS

#endif
