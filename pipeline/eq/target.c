/* Target curves by name or path; see target.h. */
#include "config.h"

#include "eq/target.h"

#include <string.h>

#include "eq/fit.h"
#include "io/search-path.h"

char **
es_eq_target_get_search_path (void)
{
  return es_search_path_new ("ES_TARGET_PATH", ES_TARGETS_SOURCE_DIR, ES_TARGETS_INSTALL_DIR);
}

char *
es_eq_target_find (const char *name)
{
  char **dirs, *file, *found = NULL;

  if (!name || !*name || strchr (name, G_DIR_SEPARATOR) || strchr (name, '/'))
    return NULL;
  file = g_str_has_suffix (name, ".csv") ? g_strdup (name) : g_strconcat (name, ".csv", NULL);
  dirs = es_eq_target_get_search_path ();
  for (char **d = dirs; *d && !found; d++) {
    char *candidate = g_build_filename (*d, file, NULL);
    if (g_file_test (candidate, G_FILE_TEST_IS_REGULAR))
      found = candidate;
    else
      g_free (candidate);
  }
  g_strfreev (dirs);
  g_free (file);
  return found;
}

char **
es_eq_target_list (void)
{
  char **dirs = es_eq_target_get_search_path ();
  GPtrArray *names = g_ptr_array_new ();

  for (char **d = dirs; *d; d++) {
    GDir *dir = g_dir_open (*d, 0, NULL);
    const char *entry;
    if (!dir)
      continue;
    while ((entry = g_dir_read_name (dir))) {
      char *name;
      gboolean seen = FALSE;
      if (!g_str_has_suffix (entry, ".csv"))
        continue;
      name = g_strndup (entry, strlen (entry) - 4);
      for (guint i = 0; i < names->len && !seen; i++)
        seen = strcmp (names->pdata[i], name) == 0;
      if (seen)
        g_free (name);
      else
        g_ptr_array_add (names, name);
    }
    g_dir_close (dir);
  }
  g_strfreev (dirs);
  /* insertion sort: a handful of names */
  for (guint i = 1; i < names->len; i++)
    for (guint j = i; j > 0 && strcmp (names->pdata[j - 1], names->pdata[j]) > 0; j--) {
      gpointer t = names->pdata[j];
      names->pdata[j] = names->pdata[j - 1];
      names->pdata[j - 1] = t;
    }
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (names, FALSE);
}

EsFrMeasurement *
es_eq_target_load (const char *name_or_path, GError **error)
{
  EsFrLimits limits = { 0, ES_EQ_FIT_FMIN, ES_EQ_FIT_FMAX, 0 };
  char *path;
  EsFrMeasurement *curve;

  if (!name_or_path || !*name_or_path) {
    g_set_error (error, ES_EQ_ERROR, ES_EQ_ERROR_NOT_FOUND, "no target given");
    return NULL;
  }
  if (g_file_test (name_or_path, G_FILE_TEST_EXISTS) || strchr (name_or_path, '/')
      || strchr (name_or_path, G_DIR_SEPARATOR))
    return es_fr_measurement_load (name_or_path, &limits, error);
  path = es_eq_target_find (name_or_path);
  if (!path) {
    char **names = es_eq_target_list ();
    char *list = names[0] ? g_strjoinv (", ", names) : g_strdup ("none");
    g_set_error (error, ES_EQ_ERROR, ES_EQ_ERROR_NOT_FOUND,
        "no target file or target named '%s' (known targets: %s; set ES_TARGET_PATH "
        "to add folders)", name_or_path, list);
    g_free (list);
    g_strfreev (names);
    return NULL;
  }
  curve = es_fr_measurement_load (path, &limits, error);
  g_free (path);
  return curve;
}
