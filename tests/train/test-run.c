/* The data-kind registry and the library's training run: a kind registered
 * here (its raw data read by a caller-supplied reader, as the CLI will for
 * audio) is named by a recipe, checked key by key, loaded, trained through
 * es_train_run and written with a model card, plots and its front-end. */
#include <check.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "model/model.h"
#include "tasks/tasks.h"
#include "train/datakind.h"
#include "train/recipe.h"
#include "train/run.h"

/* ---- a kind of data the library cannot read itself ---------------------- */

/* Its settings: [data] scale = S multiplies the two features. */
typedef struct {
  double scale;
} ToneSettings;

static const char *const tone_keys[] = { "scale", NULL };

static gpointer
tone_parse (EsRecipeReader *rd, const EsRecipe *recipe)
{
  ToneSettings *s = g_new0 (ToneSettings, 1);
  s->scale = es_recipe_reader_double (rd, "data", "scale", 1.0, 0.1, 10.0);
  return s;
}

/* index.csv (path,label,group); each file's values come from the caller's
 * reader; features: mean and RMS. */
static EsDataset *
tone_load (const EsDataLoad *load, GError **error)
{
  const ToneSettings *s = load->settings;
  char *index = g_build_filename (load->path, "index.csv", NULL), *text = NULL;
  char **lines;
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  EsDataset *d = NULL;
  static const char *const classes[] = { "quiet", "loud", NULL };
  EsFrontendDesc fe;

  if (!load->read) {
    g_set_error (error, ES_TRAIN_ERROR, ES_TRAIN_ERROR_DATA, "tone data needs a reader");
    g_free (index);
    g_ptr_array_unref (rows);
    return NULL;
  }
  if (!g_file_get_contents (index, &text, NULL, error)) {
    g_free (index);
    g_ptr_array_unref (rows);
    return NULL;
  }
  lines = g_strsplit (text, "\n", -1);
  for (char **l = lines + 1; *l; l++)
    if (**l)
      g_ptr_array_add (rows, g_strsplit (*l, ",", 3));
  es_frontend_desc_init (&fe, ES_FRONTEND_SOURCE_AUDIO);
  d = es_dataset_new (rows->len, 2, classes);
  d->groups = g_new (int, rows->len);
  for (guint i = 0; i < rows->len; i++) {
    char **f = rows->pdata[i];
    char *file = g_build_filename (load->path, f[0], NULL);
    float *values = NULL;
    size_t n = 0;
    double sum = 0, sq = 0;
    if (!load->read (file, &fe, &values, &n, load->read_data, error)) {
      g_free (file);
      es_dataset_free (d);
      d = NULL;
      break;
    }
    for (size_t k = 0; k < n; k++) {
      sum += values[k];
      sq += values[k] * values[k];
    }
    d->x[2 * i] = (float) (s->scale * sum / n);
    d->x[2 * i + 1] = (float) (s->scale * sqrt (sq / n));
    d->labels[i] = strcmp (f[1], "loud") == 0;
    d->groups[i] = atoi (f[2]);
    d->sample_names[i] = g_strdup (f[0]);
    g_free (values);
    g_free (file);
  }
  es_frontend_desc_clear (&fe);
  g_strfreev (lines);
  g_free (text);
  g_free (index);
  g_ptr_array_unref (rows);
  return d;
}

static void
tone_describe (gconstpointer settings, const EsDatasetOptions *options, const EsDataset *data,
    EsFrontendDesc *fe, const char **task, EsModelTag *tag)
{
  es_frontend_desc_init (fe, ES_FRONTEND_SOURCE_NONE);
  *task = "loud or quiet tones";
  *tag = ES_MODEL_TAG_GENRE;    /* any tag: it must reach the model */
}

static char *
tone_card (gconstpointer settings)
{
  return g_strdup_printf ("tones read by the caller, scaled by %g",
      ((const ToneSettings *) settings)->scale);
}

static const EsDataKind tone_kind = {
  .name = "tone",
  .data_keys = tone_keys,
  .parse = tone_parse,
  .free_settings = g_free,
  .load = tone_load,
  .describe = tone_describe,
  .card_data = tone_card,
};

/* The caller's reader: the "files" hold amplitudes as text; counts calls. */
static gboolean
read_tone (const char *path, const EsFrontendDesc *fe, float **values, size_t *n,
    gpointer user_data, GError **error)
{
  char *text;
  double amplitude;
  if (!g_file_get_contents (path, &text, NULL, error))
    return FALSE;
  amplitude = g_ascii_strtod (text, NULL);
  g_free (text);
  *n = fe->rate / 100;          /* 10 ms at the front-end's rate */
  *values = g_new (float, *n);
  for (size_t i = 0; i < *n; i++)
    (*values)[i] = (float) (amplitude * sin (2 * G_PI * 440 * i / fe->rate));
  (*(int *) user_data)++;
  return TRUE;
}

static char *tmp;

static void
setup (void)
{
  GString *index = g_string_new ("path,label,group\n");
  tmp = g_dir_make_tmp ("es-run-XXXXXX", NULL);
  for (int i = 0; i < 60; i++) {
    char *name = g_strdup_printf ("t%02d.txt", i), *path = g_build_filename (tmp, name, NULL);
    char *amp = g_strdup_printf ("%g", (i % 2 ? 0.8 : 0.1) * (1 + 0.1 * (i % 7)));
    ck_assert (g_file_set_contents (path, amp, -1, NULL));
    g_string_append_printf (index, "%s,%s,%d\n", name, i % 2 ? "loud" : "quiet", i / 6);
    g_free (amp);
    g_free (path);
    g_free (name);
  }
  {
    char *path = g_build_filename (tmp, "index.csv", NULL);
    ck_assert (g_file_set_contents (path, index->str, -1, NULL));
    g_free (path);
  }
  g_string_free (index, TRUE);
}

static void
remove_tree (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name (d))) {
    char *path = g_build_filename (dir, name, NULL);
    if (g_file_test (path, G_FILE_TEST_IS_DIR))
      remove_tree (path);
    else
      g_unlink (path);
    g_free (path);
  }
  if (d)
    g_dir_close (d);
  g_rmdir (dir);
}

static void
teardown (void)
{
  remove_tree (tmp);
  g_free (tmp);
}

/* ---- the registry --------------------------------------------------------- */

START_TEST (test_registry)
{
  const char **names;
  static const EsDataKind impostor = {.name = "iem",.load = tone_load };

  names = es_data_kind_names ();
  ck_assert_str_eq (names[0], "table");
  ck_assert_str_eq (names[1], "iem");
  ck_assert_str_eq (names[2], "iem-graph");
  ck_assert_str_eq (names[3], "audio");
  ck_assert_str_eq (names[4], "tone");
  ck_assert (names[5] == NULL);
  g_free (names);
  ck_assert (es_data_kind_lookup ("tone") == &tone_kind);
  ck_assert (es_data_kind_lookup ("sound") == NULL);
  /* again: a no-op; another kind of a taken name: refused */
  ck_assert (es_data_kind_register (&tone_kind));
  ck_assert (!es_data_kind_register (&impostor));
  ck_assert (es_data_kind_lookup ("iem") != &impostor);
}
END_TEST

/* A recipe names the kind; its keys are its own. */
START_TEST (test_recipe_keys)
{
  GError *err = NULL;
  EsRecipe *r = es_recipe_load_from_data ("[data]\nkind = tone\npath = t\nscale = 2\n"
      "[model]\nname = m\narchitecture = mlp\n", "/x/a.recipe", &err);
  ck_assert_msg (r, "%s", err ? err->message : "");
  ck_assert (r->data_kind == &tone_kind);
  ck_assert (((ToneSettings *) r->data_settings)->scale == 2.0);
  es_recipe_free (r);

  /* the kind's reader names group and key */
  ck_assert (!es_recipe_load_from_data ("[data]\nkind = tone\npath = t\nscale = 20\n"
          "[model]\nname = m\narchitecture = mlp\n", "/x/a.recipe", &err));
  ck_assert_msg (strstr (err->message, "/x/a.recipe: [data] scale: 20 is outside [0.1, 10]"),
      "%s", err->message);
  g_clear_error (&err);
  /* another kind's key, and this kind's key under another kind */
  ck_assert (!es_recipe_load_from_data ("[data]\nkind = tone\npath = t\npoints = 20\n"
          "[model]\nname = m\narchitecture = mlp\n", "/x/a.recipe", &err));
  ck_assert_msg (strstr (err->message, "[data] points: applies to kind = iem or iem-graph "
          "only"), "%s", err->message);
  g_clear_error (&err);
  ck_assert (!es_recipe_load_from_data ("[data]\nkind = table\npath = t\nscale = 2\n"
          "[model]\nname = m\narchitecture = mlp\n", "/x/a.recipe", &err));
  ck_assert_msg (strstr (err->message, "[data] scale: applies to kind = tone only"), "%s",
      err->message);
  g_clear_error (&err);
  /* no augmentation for this kind */
  ck_assert (!es_recipe_load_from_data ("[data]\nkind = tone\npath = t\n[augment]\n"
          "probability = 1\n[model]\nname = m\narchitecture = mlp\n", "/x/a.recipe", &err));
  ck_assert_msg (strstr (err->message, "[augment] probability: augmentation applies to kind "
          "= iem or iem-graph only"), "%s", err->message);
  g_clear_error (&err);
}
END_TEST

/* ---- the training run ----------------------------------------------------- */

static void
count_stage (const char *line, gpointer data)
{
  g_string_append_printf (data, "%s\n", line);
}

START_TEST (test_run_writes_a_card)
{
  char *text = g_strdup_printf ("[data]\nkind = tone\npath = %s\ngroup = g\nscale = 3\n"
      "labels = quiet;loud\n[model]\nname = tones\narchitecture = mlp\n[train]\n"
      "learning_rate = 0.05\nmax_epochs = 15\nseed = 2\n[split]\nmethod = grouped\n"
      "validation = 0.2\ntest = 0.2\nfolds = 3\n", tmp);
  char *recipe_path = g_build_filename (tmp, "tones.recipe", NULL);
  char *out = g_build_filename (tmp, "out", NULL), *card;
  GError *err = NULL;
  EsRecipe *r;
  EsTrainRunOptions o;
  EsTrainRunResult *res;
  GString *stages = g_string_new (NULL);
  EsModel *model;
  int reads = 0;

  r = es_recipe_load_from_data (text, recipe_path, &err);
  ck_assert_msg (r, "%s", err ? err->message : "");

  /* without a reader this kind cannot load: the run says so and writes nothing */
  es_train_run_options_init (&o);
  o.out_dir = out;
  ck_assert (es_train_run (r, &o, &err) == NULL);
  ck_assert_msg (strstr (err->message, "tone data needs a reader"), "%s", err->message);
  g_clear_error (&err);
  ck_assert (!g_file_test (out, G_FILE_TEST_EXISTS));

  o.read = read_tone;
  o.read_data = &reads;
  o.cross_validate = TRUE;
  o.jobs = 2;
  o.on_stage = count_stage;
  o.user_data = stages;
  res = es_train_run (r, &o, &err);
  ck_assert_msg (res, "%s", err ? err->message : "");
  ck_assert_int_eq (reads, 60);
  ck_assert_msg (strstr (stages->str, "60 examples, 2 classes, 2 values each, grouped split\n"
          "split: "), "%s", stages->str);
  ck_assert (strstr (stages->str, "cross-validation: 3 folds, beside the model's training"));

  /* the files, and a card that says what was trained */
  ck_assert (g_file_test (res->model_path, G_FILE_TEST_IS_REGULAR));
  ck_assert (g_file_test (res->loss_png, G_FILE_TEST_IS_REGULAR));
  ck_assert (g_file_test (res->accuracy_png, G_FILE_TEST_IS_REGULAR));
  ck_assert (res->confusion_png && g_file_test (res->confusion_png, G_FILE_TEST_IS_REGULAR));
  ck_assert (g_file_get_contents (res->card_path, &card, NULL, NULL));
  ck_assert_str_eq (card, res->card);
  ck_assert (g_str_has_prefix (card, "# tones\n\nTrained by `earshot train`"));
  ck_assert_msg (strstr (card, "(tones read by the caller, scaled by 3), 60 examples of 2 "
          "values"), "%s", card);
  ck_assert (strstr (card, "- classes: quiet 30, loud 30\n"));
  ck_assert (strstr (card, "kept (lowest validation loss)\n"));
  ck_assert (strstr (card, "## Held-out test split"));
  ck_assert (strstr (card, "## 3-fold cross-validation (grouped)"));
  ck_assert (strstr (card, "## Recipe\n\n```ini\n[data]\nkind = tone"));
  ck_assert (res->test && res->test->accuracy >= 0.9);
  ck_assert (res->cv && res->cv->k == 3);

  /* the model carries the kind's task and front-end */
  model = es_model_load (res->model_path, &err);
  ck_assert_msg (model, "%s", err ? err->message : "");
  ck_assert_str_eq (es_model_get_task (model), "loud or quiet tones");
  ck_assert_int_eq (es_model_get_tag (model), ES_MODEL_TAG_GENRE);
  ck_assert_int_eq (es_model_get_frontend_desc (model)->source, ES_FRONTEND_SOURCE_NONE);
  ck_assert (strstr (es_model_get_training (model), "\"cv\":{\"folds\":3"));
  es_model_free (model);

  g_free (card);
  es_train_run_result_free (res);
  es_recipe_free (r);
  g_string_free (stages, TRUE);
  g_free (recipe_path);
  g_free (out);
  g_free (text);
}
END_TEST

/* The table fixture, as `earshot train` runs it, from the library. */
START_TEST (test_run_table)
{
  char *recipe_path = es_fixture_path ("train/blobs.recipe");
  char *out = g_build_filename (tmp, "blobs", NULL);
  GError *err = NULL;
  EsRecipe *r = es_recipe_load (recipe_path, &err);
  EsTrainRunOptions o;
  EsTrainRunResult *res;
  EsModel *model;

  ck_assert_msg (r, "%s", err ? err->message : "");
  es_train_run_options_init (&o);
  o.out_dir = out;
  o.max_epochs = 5;
  res = es_train_run (r, &o, &err);
  ck_assert_msg (res, "%s", err ? err->message : "");
  ck_assert_int_eq (res->epochs, 5);
  ck_assert (res->cv == NULL);
  ck_assert (strstr (res->card, "relative to the recipe (table), 300 examples of 4 values"));
  model = es_model_load (res->model_path, &err);
  ck_assert_msg (model, "%s", err ? err->message : "");
  ck_assert_str_eq (es_model_get_frontend (model), "{\"source\":\"table\",\"features\":4,"
      "\"label_column\":\"label\",\"group_columns\":\"who\"}");
  es_model_free (model);
  es_train_run_result_free (res);
  es_recipe_free (r);
  g_free (recipe_path);
  g_free (out);
}
END_TEST

static Suite *
run_suite (void)
{
  Suite *s = suite_create ("run");
  TCase *tc = tcase_create ("core");
  tcase_set_timeout (tc, 240);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_registry);
  tcase_add_test (tc, test_recipe_keys);
  tcase_add_test (tc, test_run_writes_a_card);
  tcase_add_test (tc, test_run_table);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr;
  int failed;

  es_tasks_register_builtin ();
  es_data_kind_register (&tone_kind);
  sr = srunner_create (run_suite ());
  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
