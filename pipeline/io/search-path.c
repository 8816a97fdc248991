/* Search paths of shipped data; see search-path.h. */
#define _GNU_SOURCE             /* dladdr */
#include "config.h"

#include "io/search-path.h"

#include <dlfcn.h>
#include <stdlib.h>

/* The library file this code was loaded from is in ES_BUILD_LIBDIR (meson's
 * build folder of pipeline/): compared as real paths, so symlinks and the
 * "../pipeline" of the build tree's run paths do not matter. */
static gboolean
find_uninstalled (void)
{
  Dl_info info;
  char *dir, *here, *build;
  gboolean same;

  if (dladdr ((void *) find_uninstalled, &info) == 0 || info.dli_fname == NULL)
    return FALSE;
  dir = g_path_get_dirname (info.dli_fname);
  here = realpath (dir, NULL);
  build = realpath (ES_BUILD_LIBDIR, NULL);
  same = here != NULL && build != NULL && g_strcmp0 (here, build) == 0;
  free (here);
  free (build);
  g_free (dir);
  return same;
}

gboolean
es_running_uninstalled (void)
{
  static gsize once = 0;
  static gboolean uninstalled;

  if (g_once_init_enter (&once)) {
    uninstalled = find_uninstalled ();
    g_once_init_leave (&once, 1);
  }
  return uninstalled;
}

char **
es_search_path_new (const char *env_var, const char *source_dir,
    const char *installed_dir)
{
  GPtrArray *dirs = g_ptr_array_new ();
  const char *env = g_getenv (env_var);

  if (env) {
    char **parts = g_strsplit (env, G_SEARCHPATH_SEPARATOR_S, -1);
    for (char **p = parts; *p; p++)
      if (**p)
        g_ptr_array_add (dirs, g_strdup (*p));
    g_strfreev (parts);
  }
  if (es_running_uninstalled ())
    g_ptr_array_add (dirs, g_strdup (source_dir));
  g_ptr_array_add (dirs, g_strdup (installed_dir));
  g_ptr_array_add (dirs, NULL);
  return (char **) g_ptr_array_free (dirs, FALSE);
}
