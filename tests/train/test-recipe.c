/* Recipes (good and each malformed case) and the table data-set loader. */
#include <check.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "tasks/iem/task-iem.h"
#include "tasks/tasks.h"
#include "train/recipe.h"
#include "train/train.h"

/* A data set of n empty examples with this geometry (0: a vector). */
static EsDataset *
shaped (size_t input_size, int ndim, size_t c, size_t h, size_t w)
{
  static const char *const names[] = { "a", "b", NULL };
  EsDataset *d = es_dataset_new (1, input_size, names);
  d->ndim = ndim;
  d->shape[0] = c;
  d->shape[1] = h;
  d->shape[2] = w;
  return d;
}

static int
input_shape (const EsRecipe *r, const char *arch, EsDataset *d, size_t *shape, GError **err)
{
  int ndim = es_recipe_input_shape (r, arch, d, shape, err);
  es_dataset_free (d);
  return ndim;
}

#define GOOD_RECIPE \
  "# a comment\n" \
  "[data]\nkind = table\npath = data/t.csv\nlabel = cls\ngroup = who,take\n" \
  "features = a,b\nfilter = who:x,y\nmax_rows = 10\nlabels = P;Q;R\n" \
  "[model]\nname = tiny\narchitecture = mlp\ninput_shape = 2\n" \
  "[train]\noptimizer = sgd\nlearning_rate = 0.05\nweight_decay = 1e-4\nmomentum = 0.9\n" \
  "batch_size = 16\nmax_epochs = 7\nclass_weights = balanced\nplateau_factor = 0.2\n" \
  "plateau_patience = 2\nmin_lr = 1e-5\nearly_stop_patience = 4\nema_decay = 0.998\n" \
  "seed = 99\nthreads = 2\n" \
  "[split]\nmethod = grouped\nvalidation = 0.1\ntest = 0.2\nfolds = 4\n" \
  "[output]\ndir = out\n"

START_TEST (test_recipe_good)
{
  GError *err = NULL;
  EsRecipe *r = es_recipe_load_from_data (GOOD_RECIPE, "/r/exp/tiny.recipe", &err);
  char *arch, *expect;
  size_t shape[4];

  ck_assert_msg (r, "%s", err ? err->message : "");
  ck_assert (r->data_kind == es_data_kind_table ());
  ck_assert (r->data_kind == es_data_kind_lookup ("table"));
  ck_assert_str_eq (r->data_path, "/r/exp/data/t.csv");   /* relative to the recipe */
  ck_assert_str_eq (r->output_dir, "/r/exp/out");
  ck_assert_str_eq (r->label_column, "cls");
  ck_assert_str_eq (r->group_columns, "who,take");
  ck_assert_str_eq (r->filter_column, "who");
  ck_assert_str_eq (r->filter_values, "x,y");
  ck_assert_uint_eq (r->max_rows, 10);
  ck_assert_uint_eq (g_strv_length (r->labels), 3);
  ck_assert_str_eq (r->labels[2], "R");
  ck_assert_str_eq (r->name, "tiny");
  ck_assert (r->architecture_builtin);
  ck_assert_int_eq (r->optimizer, ES_OPTIMIZER_SGD);
  ck_assert_double_eq_tol (r->learning_rate, 0.05, 1e-15);
  ck_assert_double_eq_tol (r->momentum, 0.9, 1e-15);
  ck_assert_uint_eq (r->batch_size, 16);
  ck_assert_int_eq (r->max_epochs, 7);
  ck_assert (r->balanced_class_weights);
  ck_assert_int_eq (r->plateau_patience, 2);
  ck_assert_int_eq (r->early_stop_patience, 4);
  ck_assert_double_eq_tol (r->ema_decay, 0.998, 1e-15);
  ck_assert_uint_eq (r->seed, 99);
  ck_assert_int_eq (r->threads, 2);
  ck_assert (r->grouped);
  ck_assert_int_eq (r->folds, 4);
  arch = es_recipe_architecture_for (r, 3);
  expect = es_builtin_architecture ("mlp", 3);
  ck_assert_str_eq (arch, expect);
  ck_assert (strstr (arch, "\"out_features\":3}]"));
  ck_assert_int_eq (input_shape (r, arch, shaped (2, 0, 0, 0, 0), shape, &err), 1);
  ck_assert_int_eq (input_shape (r, arch, shaped (3, 0, 0, 0, 0), shape, &err), 0);
  ck_assert (strstr (err->message, "input_shape"));
  g_clear_error (&err);
  g_free (arch);
  g_free (expect);
  es_recipe_free (r);
}
END_TEST

START_TEST (test_recipe_defaults)
{
  GError *err = NULL;
  EsRecipe *r = es_recipe_load_from_data ("[data]\nkind=iem\npath=/d/iem\n"
      "[model]\nname=m\narchitecture=iem-1d\n", "rel/r.recipe", &err);
  size_t shape[4];
  char *arch;
  ck_assert_msg (r, "%s", err ? err->message : "");
  ck_assert (r->data_kind == es_task_iem_kind ());
  ck_assert_str_eq (r->data_path, "/d/iem");
  ck_assert_uint_eq (((const EsIemTaskSettings *) r->data_settings)->data.points, 128);
  ck_assert_int_eq (r->optimizer, ES_OPTIMIZER_ADAM);
  ck_assert_double_eq_tol (r->beta2, 0.999, 1e-15);
  ck_assert (!r->grouped);
  ck_assert (!r->labels);
  arch = es_recipe_architecture_for (r, 4);
  /* conv1d first: one input channel */
  ck_assert_int_eq (input_shape (r, arch, shaped (128, 0, 0, 0, 0), shape, &err), 2);
  ck_assert_uint_eq (shape[0], 1);
  ck_assert_uint_eq (shape[1], 128);
  g_free (arch);
  es_recipe_free (r);

  r = es_recipe_load_from_data ("[data]\nkind=table\npath=t.csv\n[model]\nname=m\n"
      "architecture=[{\"type\":\"dense\",\"out_features\":2}]\n", "r.recipe", &err);
  ck_assert_msg (r, "%s", err ? err->message : "");
  ck_assert (!r->architecture_builtin);
  ck_assert_str_eq (r->architecture_json, "[{\"type\":\"dense\",\"out_features\":2}]");
  ck_assert (r->label_smoothing == 0.0);
  es_recipe_free (r);
  r = es_recipe_load_from_data ("[data]\nkind=table\npath=t.csv\n[model]\nname=m\n"
      "architecture=[{\"type\":\"dense\",\"out_features\":2}]\n[train]\n"
      "label_smoothing = 0.1\n", "r.recipe", &err);
  ck_assert_msg (r, "%s", err ? err->message : "");
  ck_assert_double_eq_tol (r->label_smoothing, 0.1, 1e-15);
  {
    EsTrainConfig tc;
    es_train_config_from_recipe (&tc, r);
    ck_assert_double_eq_tol (tc.label_smoothing, 0.1, 1e-15);
  }
  es_recipe_free (r);

  /* graph images and augmentation */
  r = es_recipe_load_from_data ("[data]\nkind=iem-graph\npath=d\nwidth=96\nheight=64\n"
      "look=varied\n[model]\nname=m\narchitecture=[{\"type\":\"conv2d\",\"out_channels\":2,"
      "\"kernel\":3},{\"type\":\"flatten\"},{\"type\":\"dense\",\"out_features\":4}]\n"
      "[augment]\nprobability=0.25\nshelf_db=5\nlooks=0.5\nlabel_softness=0.1\n", "r.recipe",
      &err);
  ck_assert_msg (r, "%s", err ? err->message : "");
  ck_assert (r->data_kind == es_task_iem_graph_kind ());
  {
    const EsIemTaskSettings *iem = r->data_settings;
    ck_assert (iem->graph);
    ck_assert_uint_eq (iem->data.width, 96);
    ck_assert_uint_eq (iem->data.height, 64);
    ck_assert_int_eq (iem->data.look_family, ES_FR_LOOK_VARIED);
    ck_assert (iem->augment);
    ck_assert_double_eq (iem->augment_config.probability, 0.25);
    ck_assert_double_eq (iem->augment_config.shelf_db, 5.0);
    ck_assert_double_eq (iem->augment_config.looks, 0.5);
    ck_assert_double_eq (iem->augment_config.peak_db, 4.0);      /* default */
    ck_assert_double_eq (iem->augment_config.label_softness, 0.1);
    ck_assert_int_eq (iem->augment_config.look_family, ES_FR_LOOK_VARIED);
  }
  {
    /* soft targets are what the trainer is asked for */
    EsTrainConfig tc;
    es_train_config_from_recipe (&tc, r);
    ck_assert (tc.soft_targets);
  }
  arch = es_recipe_architecture_for (r, 4);
  ck_assert_int_eq (input_shape (r, arch, shaped (96 * 64, 3, 1, 64, 96), shape, &err), 3);
  ck_assert_uint_eq (shape[0], 1);
  ck_assert_uint_eq (shape[1], 64);
  ck_assert_uint_eq (shape[2], 96);
  g_free (arch);
  es_recipe_free (r);

  /* the wide look family: stored images and augmentation both use it */
  r = es_recipe_load_from_data ("[data]\nkind=iem-graph\npath=d\nlook=wide\n[model]\nname=m\n"
      "architecture=[{\"type\":\"flatten\"},{\"type\":\"dense\",\"out_features\":4}]\n"
      "[augment]\nlooks=0.5\n", "r.recipe", &err);
  ck_assert_msg (r, "%s", err ? err->message : "");
  {
    const EsIemTaskSettings *iem = r->data_settings;
    ck_assert_int_eq (iem->data.look_family, ES_FR_LOOK_WIDE);
    ck_assert_int_eq (iem->augment_config.look_family, ES_FR_LOOK_WIDE);
  }
  es_recipe_free (r);
}
END_TEST

/* Each malformed recipe fails with a message naming what is wrong. */
static const struct {
  const char *text;
  const char *expect;
} bad_recipes[] = {
  {"[data]\nkind=table\npath=t.csv\nlearning_rate=1\n[model]\nname=m\narchitecture=mlp\n",
      "[data] learning_rate: unknown key"},
  {"[data]\nkind=table\npath=t.csv\n[model]\nname=m\narchitecture=mlp\n[trian]\n",
      "unknown group [trian]"},
  {"[data]\npath=t.csv\n[model]\nname=m\narchitecture=mlp\n", "[data] kind: missing"},
  {"[data]\nkind=sql\npath=t.csv\n[model]\nname=m\narchitecture=mlp\n",
      "[data] kind: 'sql' is not one of table, iem, iem-graph"},
  {"[data]\nkind=table\npath=t.csv\npoints=64\n[model]\nname=m\narchitecture=mlp\n",
      "[data] points: applies to kind = iem or iem-graph only"},
  {"[data]\nkind=iem\npath=d\nfeatures=a\n[model]\nname=m\narchitecture=mlp\n",
      "[data] features: applies to kind = table only"},
  {"[data]\nkind=iem\npath=d\nwidth=100\n[model]\nname=m\narchitecture=mlp\n",
      "[data] width: applies to kind = iem-graph only"},
  {"[data]\nkind=iem-graph\npath=d\nlook=fancy\n[model]\nname=m\narchitecture=mlp\n",
      "[data] look: 'fancy' is not one of seed, varied, wide"},
  {"[data]\nkind=table\npath=t.csv\n[model]\nname=m\narchitecture=mlp\n[augment]\n"
        "probability=0.5\n", "[augment] probability: augmentation applies to kind = iem or "
        "iem-graph only"},
  {"[data]\nkind=iem\npath=d\n[model]\nname=m\narchitecture=mlp\n[augment]\n"
        "probability=2\n", "[augment] probability: 2 is outside [0, 1]"},
  {"[data]\nkind=iem\npath=d\n[model]\nname=m\narchitecture=mlp\n[augment]\n"
        "shelf=3\n", "[augment] shelf: unknown key"},
  {"[data]\nkind=iem\npath=d\n[model]\nname=m\narchitecture=mlp\n[augment]\n"
        "label_softness=5\n", "[augment] label_softness: 5 is outside [0, 3]"},
  {"[data]\nkind=iem\npath=d\n[model]\nname=m\narchitecture=mlp\n[train]\n"
        "class_weights=balanced\n[augment]\nlabel_softness=0.2\n",
      "[augment] label_softness: soft targets do not combine with class_weights = balanced"},
  {"[data]\nkind=table\n[model]\nname=m\narchitecture=mlp\n", "[data] path: missing"},
  {"[data]\nkind=table\npath=t.csv\n[model]\nname=m\narchitecture=mlp\n[train]\n"
        "ema_decay=1\n", "[train] ema_decay: 1 is outside"},
  {"[data]\nkind=table\npath=t.csv\n[model]\nname=m\narchitecture=mlp\n[train]\n"
        "label_smoothing=1\n", "[train] label_smoothing: 1 is outside"},
  {"[data]\nkind=table\npath=t.csv\n[model]\nname=m\narchitecture=mlp\n[train]\n"
        "class_weights=balanced\nlabel_smoothing=0.1\n",
      "[train] label_smoothing: does not combine with class_weights = balanced"},
  {"[data]\nkind=table\npath=t.csv\n[model]\narchitecture=mlp\n", "[model] name: missing"},
  {"[data]\nkind=table\npath=t.csv\n[model]\nname=../m\narchitecture=mlp\n",
      "[model] name: '../m' must be a plain name"},
  {"[data]\nkind=table\npath=t.csv\n[model]\nname=m\narchitecture=resnet\n",
      "[model] architecture: 'resnet' is neither a built-in"},
  {"[data]\nkind=table\npath=t.csv\n[model]\nname=m\narchitecture=[{\"type\":\n",
      "[model] architecture: bad JSON"},
  {"[data]\nkind=table\npath=t.csv\n[model]\nname=m\narchitecture=nowhere.json\n",
      "[model] architecture:"},
  {"[data]\nkind=table\npath=t.csv\n[model]\nname=m\narchitecture=mlp\n"
        "[train]\nlearning_rate=fast\n", "[train] learning_rate: 'fast' is not a number"},
  /* found by fuzz-recipe: a value that is not UTF-8 crashed the reader */
  {"[data]\nkind=table\xff\npath=t.csv\n[model]\nname=m\narchitecture=mlp\n",
      "[data] kind: not a valid string"},
  /* found by fuzz-recipe: two bad escapes made GLib set its error twice */
  {"[data]\nkind=table\npath=t\\q.csv\\\n[model]\nname=m\narchitecture=mlp\n",
      "[data] path: ends with an escape character"},
  {"[data]\nkind=table\npath=t.csv\n[model]\nname=m\narchitecture=mlp\n"
        "[train]\nbatch_size=0\n", "[train] batch_size:"},
  {"[data]\nkind=table\npath=t.csv\n[model]\nname=m\narchitecture=mlp\n"
        "[train]\noptimizer=rmsprop\n", "[train] optimizer: 'rmsprop' is not one of adam, sgd"},
  {"[data]\nkind=table\npath=t.csv\n[model]\nname=m\narchitecture=mlp\n"
        "[train]\nmomentum=0.9\n", "[train] momentum: applies to optimizer = sgd only"},
  {"[data]\nkind=table\npath=t.csv\n[model]\nname=m\narchitecture=mlp\n"
        "[train]\nbetas=0.9\n", "[train] betas:"},
  {"[data]\nkind=table\npath=t.csv\n[model]\nname=m\narchitecture=mlp\n"
        "[train]\nclass_weights=some\n", "[train] class_weights:"},
  {"[data]\nkind=table\npath=t.csv\n[model]\nname=m\narchitecture=mlp\n"
        "[split]\nmethod=grouped\n", "[split] method: grouped needs a group column"},
  {"[data]\nkind=table\npath=t.csv\n[model]\nname=m\narchitecture=mlp\n"
        "[split]\nvalidation=0.5\ntest=0.5\n", "[split] test:"},
  {"[data]\nkind=table\npath=t.csv\n[model]\nname=m\narchitecture=mlp\n"
        "[split]\nfolds=1\n", "[split] folds:"},
  {"[data]\nkind=table\npath=t.csv\nlabels=A;A\n[model]\nname=m\narchitecture=mlp\n",
      "[data] labels: class 'A' listed twice"},
  {"[data]\nkind=table\npath=t.csv\nfilter=reviewer\n[model]\nname=m\narchitecture=mlp\n",
      "[data] filter: 'reviewer' is not COLUMN:VALUE"},
  {"[data]\nkind=iem\npath=d\nfmin=100\nfmax=50\n[model]\nname=m\narchitecture=mlp\n",
      "[data] fmax: 50 is not above fmin 100"},
  {"[data]\nkind=table\npath=t.csv\n[model]\nname=m\narchitecture=mlp\ninput_shape=2,x\n",
      "[model] input_shape: 'x' is not a positive size"},
  {"[data]\nkind=table\npath=t.csv\n", "no [model] group"},
  {"this is not a key file\n", "bad.recipe:"},
};

START_TEST (test_recipe_malformed)
{
  GError *err = NULL;
  EsRecipe *r = es_recipe_load_from_data (bad_recipes[_i].text, "/x/bad.recipe", &err);
  ck_assert_msg (r == NULL, "case %d accepted", _i);
  ck_assert (err);
  ck_assert_int_eq (err->code, ES_TRAIN_ERROR_RECIPE);
  ck_assert_msg (strstr (err->message, bad_recipes[_i].expect),
      "case %d: '%s' does not mention '%s'", _i, err->message, bad_recipes[_i].expect);
  ck_assert_msg (strstr (err->message, "/x/bad.recipe"), "no file name in '%s'",
      err->message);
  g_error_free (err);
}
END_TEST

START_TEST (test_recipe_missing_file)
{
  GError *err = NULL;
  ck_assert (!es_recipe_load ("/nonexistent/earshot.recipe", &err));
  ck_assert (strstr (err->message, "/nonexistent/earshot.recipe"));
  g_error_free (err);
}
END_TEST

/* ---- table data sets ---- */

static char *
write_temp (const char *dir, const char *name, const char *text)
{
  char *path = g_build_filename (dir, name, NULL);
  ck_assert (g_file_set_contents (path, text, -1, NULL));
  return path;
}

START_TEST (test_table_loader)
{
  char *dir = g_dir_make_tmp ("es-train-XXXXXX", NULL);
  char *csv = write_temp (dir, "t.csv",
      "a,who,b,cls\n1,x,2,P\n# comment\n3,y,4.5,Q\r\n5,x,6,P\n7,z,8,R\n");
  EsDatasetOptions o = { 0 };
  GError *err = NULL;
  EsDataset *d;
  size_t *counts;

  o.label_column = "cls";
  o.group_columns = "who";
  d = es_dataset_load_table (csv, &o, &err);
  ck_assert_msg (d, "%s", err ? err->message : "");
  ck_assert_uint_eq (d->n, 4);
  ck_assert_uint_eq (d->input_size, 2);       /* a and b; who is the group */
  ck_assert_int_eq (d->n_classes, 3);
  ck_assert_str_eq (d->class_names[1], "Q");
  ck_assert_float_eq (d->x[2 * 2 + 1], 6.0f);
  ck_assert_float_eq (d->x[1 * 2 + 1], 4.5f);
  ck_assert_int_eq (d->groups[0], d->groups[2]);
  ck_assert_int_ne (d->groups[0], d->groups[1]);
  ck_assert_uint_eq (es_dataset_count_groups (d), 3);
  counts = es_dataset_class_counts (d);
  ck_assert_uint_eq (counts[0], 2);
  g_free (counts);
  es_dataset_free (d);

  /* fixed class order and a filter */
  o.class_names = (const char *const[]) { "R", "Q", "P", NULL };
  o.filter_column = "who";
  o.filter_values = "x,z";
  d = es_dataset_load_table (csv, &o, &err);
  ck_assert_msg (d, "%s", err ? err->message : "");
  ck_assert_uint_eq (d->n, 3);
  ck_assert_int_eq (d->labels[0], 2);
  ck_assert_int_eq (d->labels[2], 0);
  ck_assert_int_eq (d->n_classes, 3);
  es_dataset_free (d);

  /* a label outside the fixed classes names file and line */
  o.class_names = (const char *const[]) { "P", "Q", NULL };
  o.filter_column = NULL;
  ck_assert (!es_dataset_load_table (csv, &o, &err));
  ck_assert_msg (strstr (err->message, "t.csv:6: label 'R'"), "%s", err->message);
  g_clear_error (&err);

  g_unlink (csv);
  g_free (csv);
  g_rmdir (dir);
  g_free (dir);
}
END_TEST

static const struct {
  const char *text;
  const char *options_label;
  const char *expect;
} bad_tables[] = {
  {"a,label\n1,P\n2\n", NULL, "t.csv:3: 1 fields, the header has 2"},
  {"a,label\n1,P\nx,Q\n", NULL, "t.csv:3: column 'a': 'x' is not a finite number"},
  {"a,label\n1,P\nnan,Q\n", NULL, "'nan' is not a finite number"},
  {"a,label\n", NULL, "no data rows"},
  {"a,label\n1,P\n2,P\n", NULL, "1 class(es) found"},
  {"a,label\n1,P\n2,Q\n", "cls", "no column named 'cls'"},
  {"a,label\n1,\n2,Q\n", NULL, "t.csv:2: empty label"},
};

START_TEST (test_table_malformed)
{
  char *dir = g_dir_make_tmp ("es-train-XXXXXX", NULL);
  char *csv = write_temp (dir, "t.csv", bad_tables[_i].text);
  EsDatasetOptions o = { 0 };
  GError *err = NULL;
  o.label_column = bad_tables[_i].options_label;
  ck_assert (!es_dataset_load_table (csv, &o, &err));
  ck_assert_int_eq (err->code, ES_TRAIN_ERROR_DATA);
  ck_assert_msg (strstr (err->message, bad_tables[_i].expect), "case %d: %s", _i,
      err->message);
  g_error_free (err);
  g_unlink (csv);
  g_free (csv);
  g_rmdir (dir);
  g_free (dir);
}
END_TEST

START_TEST (test_table_missing_file)
{
  EsDatasetOptions o = { 0 };
  GError *err = NULL;
  ck_assert (!es_dataset_load_table ("/nonexistent/t.csv", &o, &err));
  ck_assert (strstr (err->message, "/nonexistent/t.csv"));
  g_error_free (err);
}
END_TEST

static Suite *
recipe_suite (void)
{
  Suite *s = suite_create ("recipe");
  TCase *tc = tcase_create ("core");
  tcase_add_test (tc, test_recipe_good);
  tcase_add_test (tc, test_recipe_defaults);
  tcase_add_loop_test (tc, test_recipe_malformed, 0, G_N_ELEMENTS (bad_recipes));
  tcase_add_test (tc, test_recipe_missing_file);
  tcase_add_test (tc, test_table_loader);
  tcase_add_loop_test (tc, test_table_malformed, 0, G_N_ELEMENTS (bad_tables));
  tcase_add_test (tc, test_table_missing_file);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr;
  int failed;
  es_tasks_register_builtin ();
  sr = srunner_create (recipe_suite ());
  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
