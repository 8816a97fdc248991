/* EsModel: save/load round trip, a model written by PyTorch + a hand-rolled
 * Python writer, one test per model-level failure (each bad model is the good
 * fixture rewritten with exactly one change), the search path and the derived
 * launch lines. */
#include <check.h>
#include <math.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "model/model.h"
#include "fixture.h"

#define TINY_ARCH "[{\"type\":\"conv1d\",\"out_channels\":4,\"kernel\":3,\"stride\":1," \
  "\"padding\":1},{\"type\":\"batchnorm\"},{\"type\":\"relu\"}," \
  "{\"type\":\"maxpool1d\",\"kernel\":2},{\"type\":\"flatten\"}," \
  "{\"type\":\"dense\",\"out_features\":3}]"

static const char *const tiny_labels[] = { "Neutral", "Bright", "Warm", NULL };
static const size_t tiny_shape[2] = { 1, 16 };

static EsModel *
new_tiny_model (void)
{
  GError *error = NULL;
  EsModel *model = es_model_new ("tiny", TINY_ARCH, ES_MODEL_INPUT_FEATURES, 2, tiny_shape,
      tiny_labels, &error);
  ck_assert_msg (model != NULL, "%s", error ? error->message : "");
  es_net_init_weights (es_model_get_net (model), 7);
  return model;
}

static char *
make_tmp_dir (void)
{
  char *dir = g_dir_make_tmp ("es-model-XXXXXX", NULL);
  ck_assert (dir != NULL);
  return dir;
}

static void
remove_tmp_dir (char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name (d))) {
    char *path = g_build_filename (dir, name, NULL);
    if (g_file_test (path, G_FILE_TEST_IS_DIR))
      remove_tmp_dir (g_strdup (path));
    else
      g_unlink (path);
    g_free (path);
  }
  if (d)
    g_dir_close (d);
  g_rmdir (dir);
  g_free (dir);
}

START_TEST (test_round_trip)
{
  EsModel *model = new_tiny_model (), *copy;
  GError *error = NULL;
  char *dir = make_tmp_dir ();
  char *path = g_build_filename (dir, "tiny.safetensors", NULL);
  size_t n_params, n_copy, shape[3];
  EsNetParam *params, *copy_params;
  float input[2 * 16];
  const float *out;
  float saved[2 * 3];

  /* Non-default running statistics, so buffers are checked too. */
  params = es_net_get_params (es_model_get_net (model), &n_params);
  for (size_t i = 0; i < n_params; i++)
    if (g_str_has_suffix (params[i].name, "running_var"))
      for (size_t j = 0; j < es_tensor_numel (params[i].value); j++)
        params[i].value->data[j] = 0.5f + (float) j;
  es_model_set_task (model, "round trip \"test\"");
  ck_assert (es_model_set_frontend (model,
          "{\"source\":\"frsrc\",\"points\":16,\"fmin\":20,\"fmax\":20000}", &error));
  ck_assert (es_model_set_training (model, "{\"accuracy\":0.5}", &error));
  ck_assert (!es_model_set_frontend (model, "[1]", &error));
  ck_assert_int_eq (error->code, ES_MODEL_ERROR_FRONTEND);
  g_clear_error (&error);
  /* the description must fit the input: 16 points, not 17 */
  ck_assert (!es_model_set_frontend (model, "{\"source\":\"measurement\",\"points\":17}",
          &error));
  ck_assert_int_eq (error->code, ES_MODEL_ERROR_FRONTEND);
  ck_assert_msg (strstr (error->message, "points 17") != NULL, "%s", error->message);
  g_clear_error (&error);
  ck_assert (es_model_save (model, path, &error));

  copy = es_model_load (path, &error);
  ck_assert_msg (copy != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (es_model_get_name (copy), "tiny");
  ck_assert_str_eq (es_model_get_task (copy), "round trip \"test\"");
  ck_assert_str_eq (es_model_get_architecture (copy), TINY_ARCH);
  ck_assert_str_eq (es_model_get_training (copy), "{\"accuracy\":0.5}");
  ck_assert_str_eq (es_model_get_path (copy), path);
  ck_assert_uint_eq (es_model_get_n_labels (copy), 3);
  ck_assert_str_eq (es_model_get_labels (copy)[2], "Warm");
  ck_assert (es_model_get_labels (copy)[3] == NULL);
  ck_assert_int_eq (es_model_get_input_kind (copy), ES_MODEL_INPUT_FEATURES);
  ck_assert_int_eq (es_model_get_input_shape (copy, shape), 2);
  ck_assert (shape[0] == 1 && shape[1] == 16);
  ck_assert_str_eq (es_model_get_input_media (copy), "application/x-earshot-features, bands=16");
  /* written by the one writer: the legacy "frsrc" reads as a measurement */
  ck_assert_str_eq (es_model_get_frontend (copy), "{\"source\":\"measurement\","
      "\"points\":16,\"fmin\":20.0,\"fmax\":20000.0,\"remove_mean\":true}");
  ck_assert_int_eq (es_model_get_frontend_desc (copy)->source, ES_FRONTEND_SOURCE_MEASUREMENT);
  ck_assert_int_eq (es_model_get_tag (copy), ES_MODEL_TAG_NONE);

  copy_params = es_net_get_params (es_model_get_net (copy), &n_copy);
  ck_assert_uint_eq (n_copy, n_params);
  for (size_t i = 0; i < n_params; i++) {
    ck_assert_str_eq (copy_params[i].name, params[i].name);
    ck_assert_uint_eq (es_tensor_numel (copy_params[i].value), es_tensor_numel (params[i].value));
    ck_assert_msg (memcmp (copy_params[i].value->data, params[i].value->data,
            es_tensor_numel (params[i].value) * sizeof (float)) == 0, "%s differs",
        params[i].name);
  }

  /* Same weights, same outputs (inference mode). */
  for (int i = 0; i < 32; i++)
    input[i] = (float) sin (i * 0.37);
  es_net_set_training (es_model_get_net (model), FALSE);
  es_net_set_training (es_model_get_net (copy), FALSE);
  out = es_net_forward (es_model_get_net (model), input, 2);
  memcpy (saved, out, sizeof saved);
  out = es_net_forward (es_model_get_net (copy), input, 2);
  ck_assert (memcmp (saved, out, sizeof saved) == 0);

  es_model_free (copy);
  es_model_free (model);
  g_free (path);
  remove_tmp_dir (dir);
}
END_TEST

START_TEST (test_python_model)
{
  char *path = es_fixture_path ("model/tiny-model.safetensors");
  char *path16 = es_fixture_path ("model/tiny-model-f16.safetensors");
  GError *error = NULL;
  EsModel *model = es_model_load (path, &error), *model16;
  size_t n;
  double *expected = es_fixture_load_doubles ("model/tiny-model-values.txt", &n);
  EsNetParam *w, *w16;

  ck_assert_msg (model != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (es_model_get_name (model), "tiny-model");
  ck_assert_str_eq (es_model_get_labels (model)[1], "Bright");
  ck_assert_str_eq (es_model_get_input_media (model),
      "application/x-earshot-features, bands=16, scale=log-frequency");
  w = es_net_find_param (es_model_get_net (model), "0.weight");
  ck_assert (w != NULL && n == 12 && es_tensor_numel (w->value) == 12);
  for (size_t i = 0; i < n; i++)
    ck_assert (w->value->data[i] == (float) expected[i]);

  model16 = es_model_load (path16, &error);
  ck_assert_msg (model16 != NULL, "%s", error ? error->message : "");
  w16 = es_net_find_param (es_model_get_net (model16), "0.weight");
  for (size_t i = 0; i < n; i++)
    ck_assert (fabs (w16->value->data[i] - expected[i]) <= 1e-3 * fabs (expected[i]) + 1e-7);
  /* Written by Python with the task as a line and the front-end of the time. */
  ck_assert (es_model_get_launch (model) == NULL);
  ck_assert_int_eq (es_model_get_frontend_desc (model)->source,
      ES_FRONTEND_SOURCE_MEASUREMENT);
  ck_assert_uint_eq (es_model_get_frontend_desc (model)->points, 16);

  es_model_free (model16);
  es_model_free (model);
  g_free (expected);
  g_free (path16);
  g_free (path);
}
END_TEST

/* ---- one bad model per failure class ------------------------------------ */

typedef struct {
  const char *set_key, *set_value;  /* metadata override (value NULL: remove) */
  const char *drop_tensor;
  const char *add_tensor;           /* F32 [2] */
  EsDtype add_dtype;
  const char *reshape_tensor;       /* rewritten as F32 [4, 1, 5] */
} Change;

/* The PyTorch fixture rewritten with one change, loaded as a model. */
static void
expect_model_error (const Change * c, GQuark domain, int code, const char *needle)
{
  char *path = es_fixture_path ("model/tiny-model.safetensors");
  GError *error = NULL;
  EsSafetensors *st = es_safetensors_load (path, &error);
  EsSafetensorsWriter *w = es_safetensors_writer_new ();
  GBytes *bytes;
  EsModel *model;
  static const float zeros[20] = { 0 };

  ck_assert_msg (st != NULL, "%s", error ? error->message : "");
  for (size_t i = 0; i < es_safetensors_get_n_tensors (st); i++) {
    const EsSafetensorsTensor *t = es_safetensors_get_tensor (st, i);
    if (g_strcmp0 (t->name, c->drop_tensor) == 0)
      continue;
    if (g_strcmp0 (t->name, c->reshape_tensor) == 0) {
      size_t shape[3] = { 4, 1, 5 };
      ck_assert (es_safetensors_writer_add_f32 (w, t->name, 3, shape, zeros, NULL));
      continue;
    }
    ck_assert (es_safetensors_writer_add (w, t->name, t->dtype, t->ndim, t->shape, t->data,
            NULL));
  }
  if (c->add_tensor) {
    size_t shape[1] = { 2 };
    ck_assert (es_safetensors_writer_add (w, c->add_tensor, c->add_dtype, 1, shape, zeros,
            NULL));
  }
  for (const char *const *k = es_safetensors_get_metadata_keys (st); *k; k++)
    if (g_strcmp0 (*k, c->set_key) != 0)
      es_safetensors_writer_set_metadata (w, *k, es_safetensors_get_metadata (st, *k));
  if (c->set_key && c->set_value)
    es_safetensors_writer_set_metadata (w, c->set_key, c->set_value);

  bytes = es_safetensors_writer_to_bytes (w);
  model = es_model_load_bytes (bytes, &error);
  ck_assert_msg (model == NULL, "the bad model was accepted (expected: %s)", needle);
  ck_assert_msg (error->domain == domain && error->code == code,
      "expected code %d, got %d: %s", code, error->code, error->message);
  ck_assert_msg (strstr (error->message, needle) != NULL, "message '%s' lacks '%s'",
      error->message, needle);
  g_error_free (error);
  g_bytes_unref (bytes);
  es_safetensors_writer_free (w);
  es_safetensors_free (st);
  g_free (path);
}

/* A weight or running statistic holding NaN/Inf would give plausible-looking
 * answers: refuse it at load, naming the tensor and the element. */
START_TEST (test_non_finite_weights)
{
  const char *names[] = { "0.weight", "1.running_var" };
  const float bad[] = { NAN, INFINITY };

  for (guint k = 0; k < G_N_ELEMENTS (names); k++) {
    EsModel *model = new_tiny_model (), *copy;
    GError *error = NULL;
    char *dir = make_tmp_dir ();
    char *path = g_build_filename (dir, "bad.safetensors", NULL);
    EsNetParam *param = es_net_find_param (es_model_get_net (model), names[k]);

    ck_assert (param != NULL);
    param->value->data[2] = bad[k];
    ck_assert (es_model_save (model, path, &error));
    copy = es_model_load (path, &error);
    ck_assert (copy == NULL);
    ck_assert_msg (g_error_matches (error, ES_MODEL_ERROR, ES_MODEL_ERROR_NON_FINITE),
        "%s", error ? error->message : "loaded");
    ck_assert_msg (strstr (error->message, names[k]) != NULL, "%s", error->message);
    ck_assert_msg (strstr (error->message, "element 2") != NULL, "%s", error->message);
    g_error_free (error);
    es_model_free (model);
    g_free (path);
    remove_tmp_dir (dir);
  }
}
END_TEST

START_TEST (test_shape_mismatch)
{
  Change c = {.reshape_tensor = "0.weight" };
  expect_model_error (&c, ES_MODEL_ERROR, ES_MODEL_ERROR_SHAPE_MISMATCH,
      "tensor '0.weight' has shape [4, 1, 5], model expects [4, 1, 3]");
}
END_TEST

START_TEST (test_missing_tensor)
{
  Change c = {.drop_tensor = "5.bias" };
  expect_model_error (&c, ES_MODEL_ERROR, ES_MODEL_ERROR_MISSING_TENSOR, "'5.bias'");
  c.drop_tensor = "1.running_var";
  expect_model_error (&c, ES_MODEL_ERROR, ES_MODEL_ERROR_MISSING_TENSOR, "'1.running_var'");
}
END_TEST

START_TEST (test_extra_tensor)
{
  Change c = {.add_tensor = "6.weight", .add_dtype = ES_DTYPE_F32 };
  expect_model_error (&c, ES_MODEL_ERROR, ES_MODEL_ERROR_UNEXPECTED_TENSOR,
      "tensor '6.weight' is not a parameter");
  /* num_batches_tracked is tolerated only where there is a batch norm. */
  c.add_tensor = "0.num_batches_tracked";
  c.add_dtype = ES_DTYPE_I64;
  expect_model_error (&c, ES_MODEL_ERROR, ES_MODEL_ERROR_UNEXPECTED_TENSOR,
      "'0.num_batches_tracked'");
}
END_TEST

START_TEST (test_num_batches_tracked_tolerated)
{
  /* A PyTorch state_dict keeps "<bn>.num_batches_tracked" (I64). */
  char *path = es_fixture_path ("model/tiny-model.safetensors");
  EsSafetensors *st = es_safetensors_load (path, NULL);
  EsSafetensorsWriter *w = es_safetensors_writer_new ();
  gint64 count = 12;
  size_t no_shape[1] = { 0 };
  GError *error = NULL;
  GBytes *bytes;
  EsModel *model;

  for (size_t i = 0; i < es_safetensors_get_n_tensors (st); i++) {
    const EsSafetensorsTensor *t = es_safetensors_get_tensor (st, i);
    es_safetensors_writer_add (w, t->name, t->dtype, t->ndim, t->shape, t->data, NULL);
  }
  es_safetensors_writer_add (w, "1.num_batches_tracked", ES_DTYPE_I64, 0, no_shape, &count,
      NULL);
  for (const char *const *k = es_safetensors_get_metadata_keys (st); *k; k++)
    es_safetensors_writer_set_metadata (w, *k, es_safetensors_get_metadata (st, *k));
  bytes = es_safetensors_writer_to_bytes (w);
  model = es_model_load_bytes (bytes, &error);
  ck_assert_msg (model != NULL, "%s", error ? error->message : "");
  es_model_free (model);
  g_bytes_unref (bytes);
  es_safetensors_writer_free (w);
  es_safetensors_free (st);
  g_free (path);
}
END_TEST

START_TEST (test_integer_weights)
{
  /* 5.bias stored as I32: present, right shape, wrong kind of number. */
  {
    char *path = es_fixture_path ("model/tiny-model.safetensors");
    EsSafetensors *st = es_safetensors_load (path, NULL);
    EsSafetensorsWriter *w = es_safetensors_writer_new ();
    gint32 ints[3] = { 1, 2, 3 };
    size_t shape[1] = { 3 };
    GError *error = NULL;
    GBytes *bytes;

    for (size_t i = 0; i < es_safetensors_get_n_tensors (st); i++) {
      const EsSafetensorsTensor *t = es_safetensors_get_tensor (st, i);
      if (strcmp (t->name, "5.bias") != 0)
        es_safetensors_writer_add (w, t->name, t->dtype, t->ndim, t->shape, t->data, NULL);
    }
    es_safetensors_writer_add (w, "5.bias", ES_DTYPE_I32, 1, shape, ints, NULL);
    for (const char *const *k = es_safetensors_get_metadata_keys (st); *k; k++)
      es_safetensors_writer_set_metadata (w, *k, es_safetensors_get_metadata (st, *k));
    bytes = es_safetensors_writer_to_bytes (w);
    ck_assert (es_model_load_bytes (bytes, &error) == NULL);
    ck_assert_int_eq (error->code, ES_MODEL_ERROR_DTYPE);
    ck_assert (strstr (error->message, "I32") != NULL);
    g_error_free (error);
    g_bytes_unref (bytes);
    es_safetensors_writer_free (w);
    es_safetensors_free (st);
    g_free (path);
  }
}
END_TEST

START_TEST (test_labels_count)
{
  Change c = {.set_key = "labels",.set_value = "[\"Neutral\", \"Bright\"]" };
  expect_model_error (&c, ES_MODEL_ERROR, ES_MODEL_ERROR_LABELS,
      "2 labels but its network has 3 outputs");
  c.set_value = "{\"a\": 1}";
  expect_model_error (&c, ES_MODEL_ERROR, ES_MODEL_ERROR_METADATA, "'labels'");
  c.set_value = "[\"a\", 2, \"c\"]";
  expect_model_error (&c, ES_MODEL_ERROR, ES_MODEL_ERROR_METADATA, "entry 1");
}
END_TEST

START_TEST (test_not_a_model)
{
  Change c = {.set_key = "format",.set_value = "pt" };
  expect_model_error (&c, ES_MODEL_ERROR, ES_MODEL_ERROR_NOT_A_MODEL, "\"pt\"");
  c.set_value = NULL;
  expect_model_error (&c, ES_MODEL_ERROR, ES_MODEL_ERROR_NOT_A_MODEL, "missing");
  c.set_key = "format_version";
  c.set_value = "2";
  expect_model_error (&c, ES_MODEL_ERROR, ES_MODEL_ERROR_VERSION, "\"2\"");
}
END_TEST

START_TEST (test_bad_metadata)
{
  Change c = {.set_key = "architecture" };
  expect_model_error (&c, ES_MODEL_ERROR, ES_MODEL_ERROR_METADATA,
      "metadata key 'architecture' is missing");
  c.set_key = "frontend";
  expect_model_error (&c, ES_MODEL_ERROR, ES_MODEL_ERROR_METADATA, "'frontend'");
  c.set_value = "\"rate=16000\"";
  expect_model_error (&c, ES_MODEL_ERROR, ES_MODEL_ERROR_FRONTEND, "'frontend'");
  /* each malformed field named (tests/model/test-frontend-desc.c has them all) */
  c.set_value = "{\"source\": \"measurement\", \"points\": \"many\"}";
  expect_model_error (&c, ES_MODEL_ERROR, ES_MODEL_ERROR_FRONTEND,
      "metadata 'frontend': front-end key \"points\": expected a non-negative integer, "
      "not \"many\"");
  c.set_key = "input";
  c.set_value = "{\"kind\": \"audio\", \"shape\": [1, 16]}";
  expect_model_error (&c, ES_MODEL_ERROR, ES_MODEL_ERROR_METADATA, "\"kind\"");
  c.set_value = "{\"kind\": \"features\", \"shape\": [1, 0]}";
  expect_model_error (&c, ES_MODEL_ERROR, ES_MODEL_ERROR_METADATA, "shape entry 1");
  c.set_value = "{\"kind\": \"features\", \"shape\": [1, 16.5]}";
  expect_model_error (&c, ES_MODEL_ERROR, ES_MODEL_ERROR_METADATA, "shape entry 1");
  c.set_value = "{\"kind\": \"features\", \"shape\": [1, 16], \"media\": 3}";
  expect_model_error (&c, ES_MODEL_ERROR, ES_MODEL_ERROR_METADATA, "\"media\"");
  c.set_value = "not json";
  expect_model_error (&c, ES_MODEL_ERROR, ES_MODEL_ERROR_METADATA, "'input' is not valid JSON");
  c.set_key = "training";
  c.set_value = "{";
  expect_model_error (&c, ES_MODEL_ERROR, ES_MODEL_ERROR_METADATA, "training");
  c.set_key = "task";
  c.set_value = "{\"classifies\": \"x\", \"background\": \"nope\"}";
  expect_model_error (&c, ES_MODEL_ERROR, ES_MODEL_ERROR_METADATA,
      "metadata 'task': background label \"nope\" is not one of the model's labels");
}
END_TEST

START_TEST (test_bad_architecture)
{
  Change c = {.set_key = "architecture",.set_value = "[{\"type\": \"lstm\"}]" };
  expect_model_error (&c, ES_MODEL_ERROR, ES_MODEL_ERROR_ARCHITECTURE, "architecture");
  /* Valid layers, but the input is declared 2-D for a 1-D net's weights. */
  c.set_key = "input";
  c.set_value = "{\"kind\": \"features\", \"shape\": [2, 16]}";
  expect_model_error (&c, ES_MODEL_ERROR, ES_MODEL_ERROR_SHAPE_MISMATCH,
      "tensor '0.weight' has shape [4, 1, 3], model expects [4, 2, 3]");
  /* A few hundred bytes declaring a 56-million-weight dense layer: refused from
   * the file size before the net allocates anything. */
  c.set_key = "architecture";
  c.set_value = "[{\"type\": \"conv1d\", \"out_channels\": 4, \"kernel\": 3},"
      " {\"type\": \"flatten\"}, {\"type\": \"dense\", \"out_features\": 1000000}]";
  expect_model_error (&c, ES_MODEL_ERROR, ES_MODEL_ERROR_ARCHITECTURE,
      "would have more than");
}
END_TEST

START_TEST (test_file_errors_pass_through)
{
  GError *error = NULL;
  char *dir = make_tmp_dir ();
  char *path = g_build_filename (dir, "cut.safetensors", NULL);
  char *good = es_fixture_path ("model/tiny-model.safetensors");
  char *contents;
  gsize len;

  ck_assert (g_file_get_contents (good, &contents, &len, NULL));
  ck_assert (g_file_set_contents (path, contents, (gssize) len - 10, NULL));
  ck_assert (es_model_load (path, &error) == NULL);
  ck_assert (error->domain == ES_SAFETENSORS_ERROR);
  ck_assert_int_eq (error->code, ES_SAFETENSORS_ERROR_TRUNCATED);
  ck_assert (strstr (error->message, "cut.safetensors") != NULL);
  g_clear_error (&error);
  g_free (contents);
  g_free (good);
  g_free (path);
  remove_tmp_dir (dir);
}
END_TEST

START_TEST (test_search_path)
{
  char *root = make_tmp_dir ();
  char *first = g_build_filename (root, "first", NULL);
  char *second = g_build_filename (root, "second", NULL);
  char *env = g_strjoin (G_SEARCHPATH_SEPARATOR_S, first, "", second, NULL);
  char *in_first = g_build_filename (first, "findme.safetensors", NULL);
  char *in_second = g_build_filename (second, "findme.safetensors", NULL);
  char *only_second = g_build_filename (second, "other.safetensors", NULL);
  EsModel *model = new_tiny_model (), *loaded;
  GError *error = NULL;
  char *found;
  char **dirs;

  g_mkdir (first, 0755);
  g_mkdir (second, 0755);
  g_setenv ("ES_MODEL_PATH", env, TRUE);
  ck_assert (es_model_save (model, in_second, &error));
  ck_assert (es_model_save (model, only_second, &error));

  found = es_model_find ("findme");
  ck_assert_str_eq (found, in_second);
  g_free (found);
  found = es_model_find ("findme.safetensors");
  ck_assert_str_eq (found, in_second);
  g_free (found);
  /* Earlier directories win. */
  ck_assert (es_model_save (model, in_first, &error));
  found = es_model_find ("findme");
  ck_assert_str_eq (found, in_first);
  g_free (found);
  found = es_model_find ("other");
  ck_assert_str_eq (found, only_second);
  g_free (found);
  ck_assert (es_model_find ("absent") == NULL);
  ck_assert (es_model_find ("first/findme") == NULL);

  /* Build and install directories come after the environment. */
  dirs = es_model_get_search_path ();
  ck_assert_str_eq (dirs[0], first);
  ck_assert_str_eq (dirs[1], second);
  ck_assert (dirs[2] != NULL && dirs[3] != NULL && dirs[4] == NULL);
  g_strfreev (dirs);

  loaded = es_model_load ("findme", &error);
  ck_assert_msg (loaded != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (es_model_get_path (loaded), in_first);
  es_model_free (loaded);

  ck_assert (es_model_load ("absent", &error) == NULL);
  ck_assert (error->domain == ES_MODEL_ERROR && error->code == ES_MODEL_ERROR_NOT_FOUND);
  ck_assert (strstr (error->message, "'absent'") != NULL);
  ck_assert (strstr (error->message, second) != NULL);
  g_clear_error (&error);

  g_unsetenv ("ES_MODEL_PATH");
  es_model_free (model);
  g_free (in_first);
  g_free (in_second);
  g_free (only_second);
  g_free (env);
  g_free (first);
  g_free (second);
  remove_tmp_dir (root);
}
END_TEST

START_TEST (test_new_checks)
{
  GError *error = NULL;
  const char *const two[] = { "a", "b", NULL };
  size_t image[3] = { 1, 8, 8 };

  ck_assert (es_model_new ("tiny", TINY_ARCH, ES_MODEL_INPUT_FEATURES, 2, tiny_shape, two,
          &error) == NULL);
  ck_assert_int_eq (error->code, ES_MODEL_ERROR_LABELS);
  g_clear_error (&error);
  ck_assert (es_model_new ("a/b", TINY_ARCH, ES_MODEL_INPUT_FEATURES, 2, tiny_shape,
          tiny_labels, &error) == NULL);
  ck_assert_int_eq (error->code, ES_MODEL_ERROR_METADATA);
  g_clear_error (&error);
  ck_assert (es_model_new ("img", TINY_ARCH, ES_MODEL_INPUT_FEATURES, 3, image, tiny_labels,
          &error) == NULL);
  ck_assert_int_eq (error->code, ES_MODEL_ERROR_METADATA);
  g_clear_error (&error);
}
END_TEST

/* The task: what the model classifies and the tag its decisions go out as,
 * kept through a file; the text alone (files written before) reads as tag none. */
START_TEST (test_task_tag)
{
  EsModel *model = new_tiny_model (), *copy;
  GError *error = NULL;
  char *dir = make_tmp_dir ();
  char *path = g_build_filename (dir, "genre.safetensors", NULL);
  EsSafetensors *st;

  ck_assert_int_eq (es_model_get_tag (model), ES_MODEL_TAG_NONE);
  es_model_set_task (model, "music genre");
  es_model_set_tag (model, ES_MODEL_TAG_GENRE);
  ck_assert (es_model_save (model, path, &error));
  st = es_safetensors_load (path, &error);
  ck_assert_msg (st != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (es_safetensors_get_metadata (st, "task"),
      "{\"classifies\":\"music genre\",\"tag\":\"genre\"}");
  es_safetensors_free (st);
  copy = es_model_load (path, &error);
  ck_assert_msg (copy != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (es_model_get_task (copy), "music genre");
  ck_assert_int_eq (es_model_get_tag (copy), ES_MODEL_TAG_GENRE);
  ck_assert_str_eq (es_model_tag_name (ES_MODEL_TAG_GENRE), "genre");
  ck_assert (es_model_get_background_label (copy) == NULL);
  ck_assert_int_eq (es_model_get_background_index (copy), -1);
  es_model_free (copy);

  /* a background label: one of the labels, kept in the task */
  ck_assert (!es_model_set_background_label (model, "silence", &error));
  ck_assert (strstr (error->message, "\"silence\" is not one of") != NULL);
  g_clear_error (&error);
  ck_assert (es_model_set_background_label (model, tiny_labels[1], &error));
  ck_assert (es_model_save (model, path, &error));
  st = es_safetensors_load (path, &error);
  ck_assert (strstr (es_safetensors_get_metadata (st, "task"), "\"background\":") != NULL);
  es_safetensors_free (st);
  copy = es_model_load (path, &error);
  ck_assert_msg (copy != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (es_model_get_background_label (copy), tiny_labels[1]);
  ck_assert_int_eq (es_model_get_background_index (copy), 1);
  ck_assert_int_eq (es_model_get_label_index (copy, tiny_labels[0]), 0);
  ck_assert_int_eq (es_model_get_label_index (copy, tiny_labels[1]), 1);
  ck_assert_int_eq (es_model_get_label_index (copy, "no such label"), -1);
  es_model_free (copy);
  es_model_free (model);
  g_free (path);
  remove_tmp_dir (dir);
}
END_TEST

/* The front-end is fitted to the model's input and checked against it. */
START_TEST (test_frontend_fits_input)
{
  EsModel *model = new_tiny_model ();
  GError *error = NULL;
  const EsFrontendDesc *fe;

  /* points left out: the input's 16 */
  ck_assert_msg (es_model_set_frontend (model, "{\"source\":\"measurement\"}", &error),
      "%s", error ? error->message : "");
  fe = es_model_get_frontend_desc (model);
  ck_assert_uint_eq (fe->points, 16);
  /* an image front-end for a features model */
  ck_assert (!es_model_set_frontend (model, "{\"source\":\"image\"}", &error));
  ck_assert_msg (strstr (error->message, "image but the model takes features [1, 16]"),
      "%s", error->message);
  g_clear_error (&error);
  /* audio: 16 values per decision = 16 bands, or 8 bands x 2 frames (the
   * frames taken from the input when not given) */
  ck_assert_msg (es_model_set_frontend (model, "{\"source\":\"audio\",\"bands\":16}",
          &error), "%s", error ? error->message : "");
  ck_assert_uint_eq (es_model_get_frontend_desc (model)->window_frames, 1);
  ck_assert_msg (es_model_set_frontend (model, "{\"source\":\"audio\",\"bands\":8}",
          &error), "%s", error ? error->message : "");
  ck_assert_uint_eq (es_model_get_frontend_desc (model)->window_frames, 2);
  ck_assert (!es_model_set_frontend (model, "{\"source\":\"audio\",\"bands\":8,"
          "\"window_frames\":3}", &error));
  ck_assert_msg (strstr (error->message, "8 values per frame x 3 frames, but the model's "
          "input [1, 16] holds 16"), "%s", error->message);
  g_clear_error (&error);
  ck_assert (!es_model_set_frontend (model, "{\"source\":\"audio\",\"bands\":5}", &error));
  ck_assert_msg (strstr (error->message, "5 values per frame, but the model's input [1, 16] holds 16, not a whole number of frames"), "%s",
      error->message);
  g_clear_error (&error);
  ck_assert (!es_model_set_frontend (model, "{\"source\":\"audio\",\"bands\":8,"
          "\"window_hop\":4}", &error));
  ck_assert_msg (strstr (error->message, "window_hop 4 is larger than the model's 2 frames"),
      "%s", error->message);
  g_clear_error (&error);
  /* a learned front-end must be the network's first layers: conv1d is not */
  ck_assert (!es_model_set_frontend (model, "{\"source\":\"audio\",\"bands\":16,"
          "\"frontend_layers\":1}", &error));
  ck_assert_msg (strstr (error->message, "starting with a \"gammatone\" layer"), "%s",
      error->message);
  g_clear_error (&error);
  /* a failed set keeps what was there */
  ck_assert_uint_eq (es_model_get_frontend_desc (model)->window_frames, 2);
  es_model_free (model);
}
END_TEST

static Suite *
model_suite (void)
{
  Suite *s = suite_create ("model");
  TCase *tc = tcase_create ("good");
  tcase_add_test (tc, test_round_trip);
  tcase_add_test (tc, test_non_finite_weights);
  tcase_add_test (tc, test_python_model);
  tcase_add_test (tc, test_num_batches_tracked_tolerated);
  tcase_add_test (tc, test_search_path);
  tcase_add_test (tc, test_new_checks);
  tcase_add_test (tc, test_task_tag);
  tcase_add_test (tc, test_frontend_fits_input);
  suite_add_tcase (s, tc);
  tc = tcase_create ("bad");
  tcase_add_test (tc, test_shape_mismatch);
  tcase_add_test (tc, test_missing_tensor);
  tcase_add_test (tc, test_extra_tensor);
  tcase_add_test (tc, test_integer_weights);
  tcase_add_test (tc, test_labels_count);
  tcase_add_test (tc, test_not_a_model);
  tcase_add_test (tc, test_bad_metadata);
  tcase_add_test (tc, test_bad_architecture);
  tcase_add_test (tc, test_file_errors_pass_through);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *runner = srunner_create (model_suite ());
  int failed;
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
