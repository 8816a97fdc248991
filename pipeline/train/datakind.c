/* The registry of data kinds, and the generic "table" kind (datakind.h). */
#include "train/datakind.h"

#include <string.h>

#include "train/recipe.h"

static GMutex lock;
static GPtrArray *kinds;        /* const EsDataKind *, in registration order */

static void ensure_table (void);

gboolean
es_data_kind_register (const EsDataKind *kind)
{
  gboolean ok = TRUE;

  g_return_val_if_fail (kind != NULL && kind->name != NULL && kind->load != NULL, FALSE);
  ensure_table ();
  g_mutex_lock (&lock);
  for (guint i = 0; i < kinds->len && ok; i++) {
    const EsDataKind *k = kinds->pdata[i];
    if (k == kind)
      goto out;
    if (!strcmp (k->name, kind->name)) {
      g_warning ("data kind '%s' is registered already", kind->name);
      ok = FALSE;
    }
  }
  if (ok)
    g_ptr_array_add (kinds, (gpointer) kind);
out:
  g_mutex_unlock (&lock);
  return ok;
}

const EsDataKind *
es_data_kind_lookup (const char *name)
{
  const EsDataKind *found = NULL;

  ensure_table ();
  g_mutex_lock (&lock);
  for (guint i = 0; i < kinds->len && !found; i++)
    if (!g_strcmp0 (((const EsDataKind *) kinds->pdata[i])->name, name))
      found = kinds->pdata[i];
  g_mutex_unlock (&lock);
  return found;
}

const char **
es_data_kind_names (void)
{
  const char **names;

  ensure_table ();
  g_mutex_lock (&lock);
  names = g_new0 (const char *, kinds->len + 1);
  for (guint i = 0; i < kinds->len; i++)
    names[i] = ((const EsDataKind *) kinds->pdata[i])->name;
  g_mutex_unlock (&lock);
  return names;
}

/* ---- table ------------------------------------------------------------- */

typedef struct {
  char *feature_columns;        /* NULL: every other column */
  /* set for a model's evaluation: the columns it was trained on */
  char *label_column, *group_columns;
} TableSettings;

static const char *const table_keys[] = { "features", NULL };

static void
table_free (gpointer data)
{
  TableSettings *t = data;
  g_free (t->feature_columns);
  g_free (t->label_column);
  g_free (t->group_columns);
  g_free (t);
}

static gpointer
table_parse (EsRecipeReader *reader, const EsRecipe *recipe)
{
  TableSettings *t = g_new0 (TableSettings, 1);
  t->feature_columns = es_recipe_reader_string (reader, "data", "features", NULL);
  return t;
}

static EsDataset *
table_load (const EsDataLoad *load, GError **error)
{
  const TableSettings *t = load->settings;
  EsDatasetOptions o = *load->options;

  if (t) {
    o.feature_columns = t->feature_columns;
    if (t->label_column)
      o.label_column = t->label_column;
    if (t->group_columns)
      o.group_columns = t->group_columns;
  }
  return es_dataset_load_table (load->path, &o, error);
}

static void
table_describe (gconstpointer settings, const EsDatasetOptions *options, const EsDataset *data,
    EsFrontendDesc *fe, const char **task, EsModelTag *tag)
{
  const TableSettings *t = settings;

  /* what evaluation needs to pick the same columns from a table again */
  es_frontend_desc_init (fe, ES_FRONTEND_SOURCE_TABLE);
  fe->features = (unsigned) data->input_size;
  fe->label_column = g_strdup (options->label_column ? options->label_column : "label");
  fe->group_columns = g_strdup (options->group_columns);
  fe->feature_columns = g_strdup (t ? t->feature_columns : NULL);
  *task = "";
  *tag = ES_MODEL_TAG_NONE;
}

static char *
table_card_data (gconstpointer settings)
{
  return g_strdup ("table");
}

static gpointer
table_settings_for_model (const EsFrontendDesc *fe, const char *path, gconstpointer recipe)
{
  const TableSettings *r = recipe;
  TableSettings *t;

  if (fe->source != ES_FRONTEND_SOURCE_TABLE && fe->source != ES_FRONTEND_SOURCE_NONE)
    return NULL;
  t = g_new0 (TableSettings, 1);
  if (r) {
    /* a recipe says which columns */
    t->feature_columns = g_strdup (r->feature_columns);
  } else {
    t->feature_columns = g_strdup (fe->feature_columns);
    t->label_column = g_strdup (fe->label_column);
    t->group_columns = g_strdup (fe->group_columns);
  }
  return t;
}

static const EsDataKind table_kind = {
  .name = "table",
  .data_keys = table_keys,
  .parse = table_parse,
  .free_settings = table_free,
  .load = table_load,
  .describe = table_describe,
  .card_data = table_card_data,
  .settings_for_model = table_settings_for_model,
};

const EsDataKind *
es_data_kind_table (void)
{
  return &table_kind;
}

static void
ensure_table (void)
{
  static gsize once = 0;
  if (g_once_init_enter (&once)) {
    kinds = g_ptr_array_new ();
    g_ptr_array_add (kinds, (gpointer) &table_kind);
    g_once_init_leave (&once, 1);
  }
}
