/* The audio data kind (tasks/audio/task-audio.c) on small WAV files written
 * here and decoded by the CLI's decoder: a folder of label/file and an
 * index.csv with groups, windows and their groups, the front-end it describes,
 * whole-file decisions (mean of window probabilities) and grouped
 * cross-validation on files, and each bad input as a clear error. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>
#include <gst/gst.h>

#include "audio-decode.h"
#include "tasks/audio/task-audio.h"
#include "tasks/tasks.h"
#include "train/recipe.h"
#include "train/run.h"

static char *tmp_dir;

/* 16-bit mono PCM WAV of a tone (f Hz) with a little deterministic noise. */
static void
write_wav (const char *path, unsigned rate, size_t n, double f, guint32 seed)
{
  FILE *fp = fopen (path, "wb");
  guint32 data_bytes = (guint32) (2 * n), v;
  guint16 s;
  ck_assert (fp != NULL);
  fwrite ("RIFF", 1, 4, fp);
  v = GUINT32_TO_LE (36 + data_bytes);
  fwrite (&v, 4, 1, fp);
  fwrite ("WAVEfmt ", 1, 8, fp);
  v = GUINT32_TO_LE (16);
  fwrite (&v, 4, 1, fp);
  s = GUINT16_TO_LE (1);
  fwrite (&s, 2, 1, fp);
  fwrite (&s, 2, 1, fp);          /* one channel */
  v = GUINT32_TO_LE (rate);
  fwrite (&v, 4, 1, fp);
  v = GUINT32_TO_LE (2 * rate);
  fwrite (&v, 4, 1, fp);
  s = GUINT16_TO_LE (2);
  fwrite (&s, 2, 1, fp);
  s = GUINT16_TO_LE (16);
  fwrite (&s, 2, 1, fp);
  fwrite ("data", 1, 4, fp);
  v = GUINT32_TO_LE (data_bytes);
  fwrite (&v, 4, 1, fp);
  for (size_t i = 0; i < n; i++) {
    double x;
    seed = seed * 1664525u + 1013904223u;
    x = 0.4 * sin (2 * G_PI * f * i / rate) + 0.02 * ((seed >> 8) / 16777216.0 - 0.5);
    s = GUINT16_TO_LE ((guint16) (gint16) lrint (x * 32767));
    fwrite (&s, 2, 1, fp);
  }
  fclose (fp);
}

static gboolean
read_audio (const char *path, const EsFrontendDesc *fe, float **values, size_t *n,
    gpointer data, GError **error)
{
  *values = es_audio_decode_file (path, fe->rate, 0, n, error);
  return *values != NULL;
}

/* The folder read as `earshot eval` reads it for a model: the data kind's
 * settings for the model (and the recipe's, when given), then its loader. */
static EsDataset *
load_for_model (const EsModel *m, const char *dir, gconstpointer recipe_settings)
{
  const EsDataKind *k = es_task_audio_kind ();
  gpointer s = k->settings_for_model (es_model_get_frontend_desc (m), dir, recipe_settings);
  EsDatasetOptions opt = { 0 };
  EsDataLoad load = { 0 };
  GError *err = NULL;
  EsDataset *e;

  ck_assert (s != NULL);
  opt.class_names = es_model_get_labels (m);
  load.path = dir;
  load.options = &opt;
  load.settings = s;
  load.read = read_audio;
  e = k->load (&load, &err);
  ck_assert_msg (e != NULL, "%s", err ? err->message : "");
  k->free_settings (s);
  return e;
}

/* A folder: labels low (300 Hz) and high (1500 Hz), `per_label` files each
 * in `groups` groups; file k of a label is 0.3 + 0.2 k s long, so the first
 * is shorter than a 0.4 s window. With index: index.csv path,label,group. */
static char *
make_data (const char *name, int per_label, int groups, gboolean index)
{
  char *dir = g_build_filename (tmp_dir, name, NULL);
  GString *csv = g_string_new ("path,label,group\n");
  const char *labels[] = { "low", "high" };
  const double freqs[] = { 300, 1500 };

  for (int l = 0; l < 2; l++) {
    char *ld = g_build_filename (dir, labels[l], NULL);
    g_mkdir_with_parents (ld, 0755);
    for (int k = 0; k < per_label; k++) {
      char *file = g_strdup_printf ("%s/%d.wav", ld, k);
      write_wav (file, 8000, (size_t) (8000 * (0.3 + 0.2 * k)), freqs[l] * (1 + 0.02 * k),
          (guint32) (l * 100 + k + 1));
      g_string_append_printf (csv, "%s/%d.wav,%s,s%d\n", labels[l], k, labels[l], k % groups);
      g_free (file);
    }
    g_free (ld);
  }
  if (index) {
    char *p = g_build_filename (dir, "index.csv", NULL);
    ck_assert (g_file_set_contents (p, csv->str, -1, NULL));
    g_free (p);
  }
  g_string_free (csv, TRUE);
  return dir;
}

#define ARCH "[{\"type\":\"gammatone\",\"rate\":8000,\"frame_size\":200,\"bands\":16," \
  "\"image\":true},{\"type\":\"log\"},{\"type\":\"batchnorm\"},{\"type\":\"conv2d\"," \
  "\"out_channels\":4,\"kernel\":3,\"padding\":1},{\"type\":\"relu\"}," \
  "{\"type\":\"global_avgpool\"},{\"type\":\"dense\",\"out_features\":2}]"

static EsRecipe *
recipe_for (const char *data, const char *extra_data, const char *arch, gboolean grouped,
    GError **error)
{
  char *text = g_strdup_printf ("[data]\nkind = audio\npath = %s\n%srate = 8000\n"
      "frame_size = 200\nhop_size = 80\nwindow_frames = 40\nwindow_hop = 20\n%s"
      "[model]\nname = tiny-audio\narchitecture = %s\n[train]\nmax_epochs = 3\n"
      "batch_size = 8\nlearning_rate = 0.01\nseed = 2\n[split]\nmethod = %s\n"
      "validation = 0\ntest = 0\nfolds = 3\n", data, grouped ? "group = group\n" : "",
      extra_data ? extra_data : "", arch ? arch : ARCH, grouped ? "grouped" : "stratified");
  char *path = g_build_filename (tmp_dir, "tiny.recipe", NULL);
  EsRecipe *r = es_recipe_load_from_data (text, path, error);
  g_free (text);
  g_free (path);
  return r;
}

START_TEST (test_folder_windows)
{
  char *dir = make_data ("folder", 3, 1, FALSE);
  GError *err = NULL;
  EsRecipe *r = recipe_for (dir, NULL, NULL, FALSE, &err);
  EsDataset *d;
  int *unit;
  size_t units;

  ck_assert_msg (r != NULL, "%s", err ? err->message : "");
  d = es_recipe_load_dataset (r, read_audio, NULL, &err);
  ck_assert_msg (d != NULL, "%s", err ? err->message : "");
  /* [frames, bins]: 40 frames of n_fft 256 / 2 + 1 */
  ck_assert_int_eq (d->ndim, 2);
  ck_assert_uint_eq (d->shape[0], 40);
  ck_assert_uint_eq (d->shape[1], 129);
  ck_assert_uint_eq (d->input_size, 40 * 129);
  ck_assert_int_eq (d->n_classes, 2);
  /* sorted label folders */
  ck_assert_str_eq (d->class_names[0], "high");
  /* 0.3 s (padded to one window), 0.5 s and 0.7 s: 1 + 1 + 2 windows a label
   * (26, 48, 68 frames of 10 ms; windows of 40 every 20) */
  ck_assert_uint_eq (d->n, 8);
  units = es_task_audio_kind ()->decision_units (d, (unit = g_new (int, d->n)));
  ck_assert_uint_eq (units, 6);
  /* the two windows of the longest file are one unit, with one group */
  for (size_t i = 0; i + 1 < d->n; i++)
    if (unit[i] == unit[i + 1])
      ck_assert_int_eq (d->groups[i], d->groups[i + 1]);
  ck_assert (g_str_has_prefix (d->sample_names[0], "high/0.wav@0"));
  /* the short clip's window: audio first, silence (zero power) after */
  {
    const float *x = d->x;
    double head = 0, tail = 0;
    for (size_t b = 0; b < 129; b++) {
      head += x[5 * 129 + b];
      tail += x[39 * 129 + b];
    }
    ck_assert (head > 0);
    ck_assert (tail == 0);
  }
  g_free (unit);
  es_dataset_free (d);
  es_recipe_free (r);
  g_free (dir);
}
END_TEST

START_TEST (test_describe)
{
  char *dir = make_data ("describe", 2, 1, FALSE);
  GError *err = NULL;
  EsRecipe *r = recipe_for (dir, "preemphasis = 0.9\n", NULL, FALSE, &err);
  EsFrontendDesc fe;
  EsDatasetOptions o;
  const char *task = NULL;
  EsModelTag tag;

  ck_assert_msg (r != NULL, "%s", err ? err->message : "");
  es_recipe_dataset_options (r, &o);
  r->data_kind->describe (r->data_settings, &o, NULL, &fe, &task, &tag);
  ck_assert_int_eq (fe.source, ES_FRONTEND_SOURCE_AUDIO);
  ck_assert_uint_eq (fe.rate, 8000);
  ck_assert_double_eq (fe.preemphasis, 0.9);
  ck_assert_uint_eq (fe.frame_size, 200);
  ck_assert_uint_eq (fe.hop_size, 80);
  ck_assert_uint_eq (fe.n_fft, 256);
  ck_assert_uint_eq (fe.bands, 16);
  ck_assert_int_eq (fe.compression, ES_FRONTEND_COMPRESSION_LOG);
  ck_assert_uint_eq (fe.window_frames, 40);
  ck_assert_uint_eq (fe.window_hop, 20);
  /* gammatone + log; the batch norm after them is the network's */
  ck_assert_uint_eq (fe.frontend_layers, 2);
  ck_assert (es_frontend_desc_validate (&fe, NULL));
  es_frontend_desc_clear (&fe);
  es_recipe_free (r);
  g_free (dir);
}
END_TEST

/* The file-level decision is the mean of window probabilities, not a vote. */
START_TEST (test_unit_metrics)
{
  char *dir = make_data ("units", 3, 1, FALSE);
  GError *err = NULL;
  EsRecipe *r = recipe_for (dir, NULL, NULL, FALSE, &err);
  EsDataset *d = es_recipe_load_dataset (r, read_audio, NULL, &err);
  float *p;
  EsMetrics *m;
  int *unit;

  ck_assert_msg (d != NULL, "%s", err ? err->message : "");
  p = g_new (float, d->n * 2);
  unit = g_new (int, d->n);
  es_task_audio_kind ()->decision_units (d, unit);
  /* every window right with 0.6, except that the first window of a file with
   * two is wrong with 0.95: the vote ties, the mean is wrong */
  for (size_t i = 0; i < d->n; i++) {
    gboolean first_of_two = i + 1 < d->n && unit[i] == unit[i + 1];
    float right = first_of_two ? 0.05f : 0.6f;
    p[i * 2 + d->labels[i]] = right;
    p[i * 2 + 1 - d->labels[i]] = 1 - right;
  }
  m = es_train_unit_metrics (r->data_kind, d, p);
  ck_assert (m != NULL);
  ck_assert_uint_eq (m->n, 6);
  /* 2 of 6 files (the long ones) wrong */
  ck_assert_double_eq_tol (m->accuracy, 4.0 / 6.0, 1e-12);
  es_metrics_free (m);
  g_free (unit);
  g_free (p);
  es_dataset_free (d);
  es_recipe_free (r);
  g_free (dir);
}
END_TEST

/* A whole run with grouped cross-validation: file-level figures on every
 * file once, the windows of a file in one fold, the model's front-end. */
START_TEST (test_grouped_cv_run)
{
  char *dir = make_data ("cv", 6, 3, TRUE);
  char *out = g_build_filename (tmp_dir, "cv-out", NULL);
  GError *err = NULL;
  EsRecipe *r = recipe_for (dir, NULL, NULL, TRUE, &err);
  EsTrainRunOptions o;
  EsTrainRunResult *res;
  EsDataset *d;
  int *unit;

  ck_assert_msg (r != NULL, "%s", err ? err->message : "");
  es_train_run_options_init (&o);
  o.out_dir = out;
  o.cross_validate = TRUE;
  o.read = read_audio;
  res = es_train_run (r, &o, &err);
  ck_assert_msg (res != NULL, "%s", err ? err->message : "");
  ck_assert (res->cv_units != NULL);
  ck_assert_int_eq (res->cv_units->k, 3);
  ck_assert_uint_eq (res->cv_units->pooled->n, 12);
  ck_assert_uint_eq (res->cv_units->folds[0]->n + res->cv_units->folds[1]->n
      + res->cv_units->folds[2]->n, 12);
  ck_assert (strstr (res->card, "Whole-file decisions") != NULL);
  ck_assert (strstr (res->card, "3-fold cross-validation (grouped), files") != NULL);
  /* no validation part: the epoch kept is the one of lowest training loss */
  ck_assert_msg (strstr (res->card, "kept (lowest training loss: there is no validation part)")
      != NULL, "%s", res->card);
  /* each file's windows in one fold; each group in one fold */
  d = es_recipe_load_dataset (r, read_audio, NULL, &err);
  unit = g_new (int, d->n);
  es_task_audio_kind ()->decision_units (d, unit);
  for (size_t i = 0; i < d->n; i++)
    for (size_t j = 0; j < d->n; j++) {
      if (unit[i] == unit[j] || d->groups[i] == d->groups[j])
        ck_assert_int_eq (res->cv->fold_of[i], res->cv->fold_of[j]);
    }
  /* the model describes its learned front-end */
  {
    char *path = g_build_filename (out, "tiny-audio.safetensors", NULL);
    EsModel *m = es_model_load (path, &err);
    ck_assert_msg (m != NULL, "%s", err ? err->message : "");
    ck_assert_uint_eq (es_model_get_frontend_desc (m)->frontend_layers, 2);
    ck_assert_uint_eq (es_model_get_frontend_desc (m)->window_frames, 40);
    /* and eval's settings for it read the folder as trained */
    {
      EsDataset *e = load_for_model (m, dir, NULL);
      ck_assert_uint_eq (e->input_size, d->input_size);
      ck_assert_uint_eq (e->n, d->n);
      es_dataset_free (e);
    }
    es_model_free (m);
    g_free (path);
  }
  g_free (unit);
  es_dataset_free (d);
  es_train_run_result_free (res);
  es_recipe_free (r);
  g_free (out);
  g_free (dir);
}
END_TEST

static void
expect_load_error (const char *data, const char *extra, gboolean grouped, const char *what)
{
  GError *err = NULL;
  EsRecipe *r = recipe_for (data, extra, NULL, grouped, &err);
  EsDataset *d;
  ck_assert_msg (r != NULL, "%s", err ? err->message : "");
  d = es_recipe_load_dataset (r, read_audio, NULL, &err);
  ck_assert (d == NULL);
  ck_assert (err != NULL);
  ck_assert_msg (strstr (err->message, what) != NULL, "'%s' lacks '%s'", err->message, what);
  g_error_free (err);
  es_recipe_free (r);
}

/* A recipe with generated background clips and the live augmentation: the
 * background is a third class, the model names it as its background label,
 * and eval's settings for that model read the folder without generating any. */
START_TEST (test_background_run)
{
  char *dir = make_data ("background", 3, 1, FALSE);
  char *out = g_build_filename (tmp_dir, "background-out", NULL);
  char *arch = g_strdup (ARCH), *three;
  GError *err = NULL;
  EsRecipe *r;
  EsTrainRunOptions o;
  EsTrainRunResult *res;
  EsDataset *d;
  EsModel *m;
  char *path;

  three = strstr (arch, "\"out_features\":2");
  three[strlen ("\"out_features\":")] = '3';
  r = recipe_for (dir, "background_clips = 4\nbackground_seconds = 0.6\n"
      "[augment]\ncrop_active_frames = true\nbackground_probability = 0.5\n"
      "background_snr_db = 0;10\n", arch, FALSE, &err);
  ck_assert_msg (r != NULL, "%s", err ? err->message : "");
  d = es_recipe_load_dataset (r, read_audio, NULL, &err);
  ck_assert_msg (d != NULL, "%s", err ? err->message : "");
  ck_assert_int_eq (d->n_classes, 3);
  ck_assert_str_eq (d->class_names[2], "background");
  es_dataset_free (d);
  es_train_run_options_init (&o);
  o.out_dir = out;
  o.read = read_audio;
  res = es_train_run (r, &o, &err);
  ck_assert_msg (res != NULL, "%s", err ? err->message : "");
  ck_assert (strstr (res->card, "4 generated background clips") != NULL);
  ck_assert (strstr (res->card, "mixed with a 'background' window at 0-10 dB SNR") != NULL);
  path = g_build_filename (out, "tiny-audio.safetensors", NULL);
  m = es_model_load (path, &err);
  ck_assert_msg (m != NULL, "%s", err ? err->message : "");
  ck_assert_str_eq (es_model_get_background_label (m), "background");
  ck_assert_int_eq (es_model_get_background_index (m), 2);
  {
    EsDataset *e = load_for_model (m, dir, r->data_settings);
    for (size_t i = 0; i < e->n; i++)
      ck_assert (!g_str_has_prefix (e->sample_names[i], "background/"));
    es_dataset_free (e);
  }
  es_model_free (m);
  g_free (path);
  es_train_run_result_free (res);
  es_recipe_free (r);
  g_free (arch);
  g_free (out);
  g_free (dir);
}
END_TEST

START_TEST (test_errors)
{
  char *dir = make_data ("errors", 2, 1, FALSE);
  char *one = make_data ("one", 1, 1, FALSE);
  char *missing = g_build_filename (tmp_dir, "no-such-folder", NULL);
  char *bad = g_strdup_printf ("%s/high/junk.wav", dir);
  GError *err = NULL;
  EsRecipe *r;

  /* a label with one example */
  expect_load_error (one, NULL, FALSE, "has 1 clip");
  /* grouping by a column a folder does not have */
  expect_load_error (dir, NULL, TRUE, "no such column");
  /* a missing folder */
  expect_load_error (missing, NULL, FALSE, "no such folder");
  /* a file that is not audio, named */
  ck_assert (g_file_set_contents (bad, "not audio at all", -1, NULL));
  expect_load_error (dir, NULL, FALSE, "high/junk.wav");
  g_unlink (bad);

  /* a network that does not start with the filterbank */
  r = recipe_for (dir, NULL, "[{\"type\":\"dense\",\"out_features\":2}]", FALSE, &err);
  ck_assert (r == NULL);
  ck_assert (strstr (err->message, "must start with a \"gammatone\" layer") != NULL);
  g_clear_error (&err);
  /* a filterbank at another rate than the data's */
  r = recipe_for (dir, "rate = 16000\n", NULL, FALSE, &err);
  ck_assert (r == NULL);
  ck_assert (strstr (err->message, "must be the [data] rate") != NULL);
  g_clear_error (&err);
  /* a bad audio key names the key */
  r = recipe_for (dir, "window = triangle\n", NULL, FALSE, &err);
  ck_assert (r == NULL);
  ck_assert (strstr (err->message, "window") != NULL);
  g_clear_error (&err);
  g_free (bad);
  g_free (missing);
  g_free (one);
  g_free (dir);
}
END_TEST

static Suite *
suite (void)
{
  Suite *s = suite_create ("task-audio");
  TCase *tc = tcase_create ("core");
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_folder_windows);
  tcase_add_test (tc, test_describe);
  tcase_add_test (tc, test_unit_metrics);
  tcase_add_test (tc, test_grouped_cv_run);
  tcase_add_test (tc, test_errors);
  tcase_add_test (tc, test_background_run);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr;
  int failed;

  gst_init (NULL, NULL);
  es_tasks_register_builtin ();
  tmp_dir = g_dir_make_tmp ("es-task-audio-XXXXXX", NULL);
  sr = srunner_create (suite ());
  srunner_set_fork_status (sr, CK_NOFORK);
  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  {
    char *cmd = g_strdup_printf ("rm -rf '%s'", tmp_dir);
    if (system (cmd) != 0)
      failed++;
    g_free (cmd);
  }
  g_free (tmp_dir);
  return failed ? 1 : 0;
}
