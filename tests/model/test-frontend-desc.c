/* EsFrontendDesc: JSON round trips for every source, the metadata of files
 * written before it existed, one malformed value per key (named in the
 * error), and the validator's ranges. */
#include <string.h>
#include <check.h>

#include "model/frontend-desc.h"

static void
round_trip (const EsFrontendDesc *d, const char *expected_json)
{
  EsFrontendDesc back;
  GError *error = NULL;
  char *json = es_frontend_desc_to_json (d), *again;

  if (expected_json)
    ck_assert_str_eq (json, expected_json);
  ck_assert_msg (es_frontend_desc_from_json (json, &back, &error), "%s: %s", json,
      error ? error->message : "");
  ck_assert_msg (es_frontend_desc_equal (d, &back), "%s", json);
  again = es_frontend_desc_to_json (&back);
  ck_assert_str_eq (again, json);
  ck_assert_msg (es_frontend_desc_validate (&back, &error), "%s: %s", json,
      error ? error->message : "");
  es_frontend_desc_clear (&back);
  g_free (again);
  g_free (json);
}

START_TEST (test_round_trip)
{
  EsFrontendDesc d;

  es_frontend_desc_init (&d, ES_FRONTEND_SOURCE_AUDIO);
  round_trip (&d, "{\"source\":\"audio\",\"rate\":16000,\"preemphasis\":0.96999999999999997,"
      "\"frame_size\":400,\"hop_size\":160,\"window\":\"hamming\",\"n_fft\":512,\"bands\":64,"
      "\"fmin\":50.0,\"fmax\":8000.0,\"bandwidth\":1.0189999999999999,\"compression\":\"log\","
      "\"log_floor\":1e-10,\"dct\":0,\"window_frames\":0,\"window_hop\":0,"
      "\"frontend_layers\":0}");
  /* every audio field away from its default */
  d.rate = 22050;
  d.preemphasis = 0;
  d.frame_size = 1024;
  d.n_fft = 1024;
  d.hop_size = 256;
  d.window = ES_WINDOW_HANN;
  d.bands = 40;
  d.fmin = 0;
  d.fmax = 11025;
  d.bandwidth = 2.5;
  d.compression = ES_FRONTEND_COMPRESSION_PCEN;
  d.log_floor = 1e-6;
  d.window_frames = 100;
  d.window_hop = 50;
  d.frontend_layers = 2;
  round_trip (&d, NULL);
  d.compression = ES_FRONTEND_COMPRESSION_LOG;
  d.dct = 13;
  round_trip (&d, NULL);
  es_frontend_desc_clear (&d);

  es_frontend_desc_init (&d, ES_FRONTEND_SOURCE_MEASUREMENT);
  d.points = 512;
  round_trip (&d, "{\"source\":\"measurement\",\"points\":512,\"fmin\":20.0,"
      "\"fmax\":20000.0,\"remove_mean\":true}");
  d.image = ES_FRONTEND_IMAGE_GRAPH;
  d.width = 448;
  d.height = 224;
  round_trip (&d, "{\"source\":\"measurement\",\"points\":512,\"fmin\":20.0,"
      "\"fmax\":20000.0,\"remove_mean\":true,\"image\":\"graph\",\"db_min\":-30.0,"
      "\"db_max\":30.0,\"width\":448,\"height\":224,\"resize\":\"area\"}");
  es_frontend_desc_clear (&d);

  es_frontend_desc_init (&d, ES_FRONTEND_SOURCE_IMAGE);
  round_trip (&d, "{\"source\":\"image\",\"resize\":\"area\"}");
  d.width = 64;
  d.height = 32;
  round_trip (&d, "{\"source\":\"image\",\"width\":64,\"height\":32,\"resize\":\"area\"}");
  es_frontend_desc_clear (&d);

  es_frontend_desc_init (&d, ES_FRONTEND_SOURCE_TABLE);
  d.features = 6;
  d.label_column = g_strdup ("genre");
  d.group_columns = g_strdup ("artist,album");
  round_trip (&d, "{\"source\":\"table\",\"features\":6,\"label_column\":\"genre\","
      "\"group_columns\":\"artist,album\"}");
  {
    EsFrontendDesc copy;
    es_frontend_desc_copy (&copy, &d);
    ck_assert (copy.label_column != d.label_column);
    ck_assert (es_frontend_desc_equal (&copy, &d));
    g_free (copy.group_columns);
    copy.group_columns = NULL;
    ck_assert (!es_frontend_desc_equal (&copy, &d));
    es_frontend_desc_clear (&copy);
  }
  es_frontend_desc_clear (&d);

  es_frontend_desc_init (&d, ES_FRONTEND_SOURCE_NONE);
  round_trip (&d, "{}");
  es_frontend_desc_clear (&d);
}
END_TEST

/* The metadata of the shipped models and of the audio settings written
 * before the description existed. */
START_TEST (test_legacy)
{
  EsFrontendDesc d;
  GError *error = NULL;

  ck_assert (es_frontend_desc_from_json ("{\"source\":\"frsrc\",\"points\":512,\"fmin\":20.0,"
          "\"fmax\":20000.0,\"remove_mean\":true,\"image\":\"graph\",\"db_min\":-30.0,"
          "\"db_max\":30.0,\"resize\":\"area\"}", &d, &error));
  ck_assert_int_eq (d.source, ES_FRONTEND_SOURCE_MEASUREMENT);
  ck_assert_int_eq (d.image, ES_FRONTEND_IMAGE_GRAPH);
  ck_assert_uint_eq (d.points, 512);
  /* the size comes from the model's input */
  ck_assert_uint_eq (d.width, 0);
  ck_assert (es_frontend_desc_validate (&d, &error));
  es_frontend_desc_clear (&d);

  /* integers where numbers are wanted are numbers */
  ck_assert (es_frontend_desc_from_json ("{\"source\":\"frsrc\",\"points\":16,\"fmin\":20,"
          "\"fmax\":20000}", &d, &error));
  ck_assert (d.fmin == 20.0 && d.fmax == 20000.0 && d.remove_mean);
  es_frontend_desc_clear (&d);

  ck_assert (es_frontend_desc_from_json ("{\"rate\":8000,\"preemphasis\":0.97,"
          "\"frame_size\":200,\"hop_size\":80,\"window\":\"hann\",\"bands\":32,\"fmin\":50,"
          "\"dct\":0}", &d, &error));
  ck_assert_int_eq (d.source, ES_FRONTEND_SOURCE_AUDIO);
  ck_assert_uint_eq (d.rate, 8000);
  ck_assert_int_eq (d.window, ES_WINDOW_HANN);
  ck_assert (d.fmax == 4000.0);           /* half the rate given */
  ck_assert_uint_eq (d.n_fft, 256);       /* the filterbank's FFT */
  ck_assert (es_frontend_desc_validate (&d, &error));
  es_frontend_desc_clear (&d);

  ck_assert (es_frontend_desc_from_json ("{}", &d, &error));
  ck_assert_int_eq (d.source, ES_FRONTEND_SOURCE_NONE);
  es_frontend_desc_clear (&d);
}
END_TEST

/* Each key with a value of the wrong kind: the error names the key. */
static const struct {
  const char *json;
  const char *message;
} malformed[] = {
  {"[]", "not a JSON object"},
  {"{\"source\":", "not a JSON object"},
  {"{\"source\":\"microphone\"}", "key \"source\": expected \"audio\""},
  {"{\"source\":7}", "key \"source\": expected"},
  {"{\"source\":\"audio\",\"rate\":\"16k\"}", "key \"rate\": expected a non-negative integer, not \"16k\""},
  {"{\"source\":\"audio\",\"rate\":-1}", "key \"rate\": expected a non-negative integer, not -1"},
  {"{\"source\":\"audio\",\"rate\":16000.5}", "key \"rate\": expected a non-negative integer"},
  {"{\"source\":\"audio\",\"rate\":99999999999}", "key \"rate\": expected a non-negative integer"},
  {"{\"source\":\"audio\",\"preemphasis\":true}", "key \"preemphasis\": expected a number, not true"},
  {"{\"source\":\"audio\",\"frame_size\":null}", "key \"frame_size\": expected a non-negative integer, not null"},
  {"{\"source\":\"audio\",\"hop_size\":[160]}", "key \"hop_size\": expected a non-negative integer"},
  {"{\"source\":\"audio\",\"window\":\"blackman\"}", "key \"window\": expected \"hamming\", \"hann\" or \"rectangular\", not \"blackman\""},
  {"{\"source\":\"audio\",\"n_fft\":\"512\"}", "key \"n_fft\": expected a non-negative integer"},
  {"{\"source\":\"audio\",\"bands\":64.0}", "key \"bands\": expected a non-negative integer, not 64.0"},
  {"{\"source\":\"audio\",\"fmin\":\"50\"}", "key \"fmin\": expected a number, not \"50\""},
  {"{\"source\":\"audio\",\"fmax\":{}}", "key \"fmax\": expected a number"},
  {"{\"source\":\"audio\",\"bandwidth\":\"wide\"}", "key \"bandwidth\": expected a number"},
  {"{\"source\":\"audio\",\"compression\":\"sqrt\"}", "key \"compression\": expected \"log\", \"pcen\" or \"none\", not \"sqrt\""},
  {"{\"source\":\"audio\",\"log_floor\":\"tiny\"}", "key \"log_floor\": expected a number"},
  {"{\"source\":\"audio\",\"dct\":-40}", "key \"dct\": expected a non-negative integer"},
  {"{\"source\":\"audio\",\"window_frames\":1.5}", "key \"window_frames\": expected a non-negative integer"},
  {"{\"source\":\"audio\",\"window_hop\":\"x\"}", "key \"window_hop\": expected a non-negative integer"},
  {"{\"source\":\"audio\",\"frontend_layers\":false}", "key \"frontend_layers\": expected a non-negative integer"},
  {"{\"source\":\"measurement\",\"points\":\"many\"}", "key \"points\": expected a non-negative integer"},
  {"{\"source\":\"measurement\",\"remove_mean\":1}", "key \"remove_mean\": expected true or false, not 1"},
  {"{\"source\":\"measurement\",\"image\":\"photo\"}", "key \"image\": expected \"none\" or \"graph\", not \"photo\""},
  {"{\"source\":\"measurement\",\"db_min\":\"-30\"}", "key \"db_min\": expected a number"},
  {"{\"source\":\"measurement\",\"db_max\":null}", "key \"db_max\": expected a number"},
  {"{\"source\":\"image\",\"width\":-4}", "key \"width\": expected a non-negative integer"},
  {"{\"source\":\"image\",\"height\":\"224\"}", "key \"height\": expected a non-negative integer"},
  {"{\"source\":\"image\",\"resize\":\"nearest\"}", "key \"resize\": expected \"area\", not \"nearest\""},
  {"{\"source\":\"table\",\"features\":\"6\"}", "key \"features\": expected a non-negative integer"},
  {"{\"source\":\"table\",\"label_column\":3}", "key \"label_column\": expected a string, not 3"},
  {"{\"source\":\"table\",\"group_columns\":[\"a\"]}", "key \"group_columns\": expected a string"},
  {"{\"source\":\"table\",\"feature_columns\":null}", "key \"feature_columns\": expected a string"},
  /* keys that do not exist, or not for this source */
  {"{\"source\":\"audio\",\"bandz\":64}", "key \"bandz\" is not known"},
  {"{\"source\":\"audio\",\"points\":64}", "key \"points\" does not apply to source \"audio\""},
  {"{\"source\":\"measurement\",\"rate\":16000}", "key \"rate\" does not apply to source \"measurement\""},
  {"{\"points\":64}", "key \"points\" does not apply to source \"none\""},
  /* a long value is shortened in the message */
  {"{\"source\":\"audio\",\"window\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}", "aaaaaaaaaa..."},
};

START_TEST (test_malformed)
{
  EsFrontendDesc d;
  GError *error = NULL;

  ck_assert (!es_frontend_desc_from_json (malformed[_i].json, &d, &error));
  ck_assert (error != NULL);
  ck_assert_int_eq (error->code, ES_MODEL_ERROR_FRONTEND);
  ck_assert_msg (strstr (error->message, malformed[_i].message) != NULL,
      "%s: message '%s' lacks '%s'", malformed[_i].json, error->message,
      malformed[_i].message);
  /* a failed parse leaves nothing to free */
  ck_assert_int_eq (d.source, ES_FRONTEND_SOURCE_NONE);
  ck_assert (d.label_column == NULL);
  g_error_free (error);
}
END_TEST

/* Values that parse but are out of range or inconsistent. */
static const struct {
  const char *json;
  const char *message;
} out_of_range[] = {
  {"{\"source\":\"audio\",\"rate\":0}", "rate 0 Hz is outside [1, 1000000]"},
  {"{\"source\":\"audio\",\"preemphasis\":1.5}", "preemphasis 1.5 is outside [-1, 1]"},
  {"{\"source\":\"audio\",\"frame_size\":0,\"n_fft\":2}", "frame_size 0 is outside"},
  {"{\"source\":\"audio\",\"hop_size\":0}", "hop_size 0 is outside"},
  {"{\"source\":\"audio\",\"bands\":0}", "bands 0 is outside [1, 4096]"},
  {"{\"source\":\"audio\",\"bands\":5000}", "bands 5000 is outside [1, 4096]"},
  {"{\"source\":\"audio\",\"fmax\":9000}", "fmax 9000 Hz is above the Nyquist frequency 8000 Hz of the 16000 Hz rate"},
  {"{\"source\":\"audio\",\"fmin\":8000}", "fmin 8000 Hz must be >= 0 and below fmax 8000 Hz"},
  {"{\"source\":\"audio\",\"fmin\":-1}", "fmin -1 Hz must be >= 0"},
  {"{\"source\":\"audio\",\"bandwidth\":0}", "bandwidth 0 must be finite and > 0"},
  {"{\"source\":\"audio\",\"log_floor\":0}", "log_floor 0 must be finite and > 0"},
  {"{\"source\":\"audio\",\"bands\":20,\"dct\":40}", "dct 40 is larger than bands 20"},
  {"{\"source\":\"audio\",\"n_fft\":400}", "n_fft 400: the filterbank's FFT is 512 points"},
  {"{\"source\":\"audio\",\"dct\":13,\"compression\":\"pcen\"}", "dct 13 needs compression \"log\""},
  {"{\"source\":\"audio\",\"window_frames\":10,\"window_hop\":11}", "window_hop 11 is larger than window_frames 10"},
  {"{\"source\":\"audio\",\"window_frames\":2000000}", "window_frames 2000000 is above"},
  {"{\"source\":\"measurement\",\"points\":1}", "points 1 is outside [2, 1048576]"},
  {"{\"source\":\"measurement\",\"fmin\":0}", "need 0 < fmin < fmax"},
  {"{\"source\":\"measurement\",\"fmin\":500,\"fmax\":100}", "grid 500 - 100 Hz"},
  {"{\"source\":\"measurement\",\"fmax\":2e6}", "need 0 < fmin < fmax <= 1e+06 Hz"},
  {"{\"source\":\"measurement\",\"image\":\"graph\",\"db_min\":30,\"db_max\":-30}", "graph level range 30 .. -30 dB"},
  {"{\"source\":\"measurement\",\"image\":\"graph\",\"width\":448}", "give both width and height"},
  {"{\"source\":\"image\",\"width\":20000,\"height\":10}", "image size 20000 x 10: each side must be at most 16384"},
};

START_TEST (test_out_of_range)
{
  EsFrontendDesc d;
  GError *error = NULL;

  ck_assert_msg (es_frontend_desc_from_json (out_of_range[_i].json, &d, &error), "%s: %s",
      out_of_range[_i].json, error ? error->message : "");
  ck_assert (!es_frontend_desc_validate (&d, &error));
  ck_assert_int_eq (error->code, ES_MODEL_ERROR_FRONTEND);
  ck_assert_msg (strstr (error->message, out_of_range[_i].message) != NULL,
      "%s: message '%s' lacks '%s'", out_of_range[_i].json, error->message,
      out_of_range[_i].message);
  g_error_free (error);
  es_frontend_desc_clear (&d);
}
END_TEST

/* The edges of the ranges are accepted, and the audio part is the dsp
 * front-end's own check (a config the front-end accepts is accepted here). */
START_TEST (test_in_range)
{
  static const char *const good[] = {
    "{\"source\":\"audio\",\"rate\":1,\"fmin\":0,\"fmax\":0.5,\"frame_size\":1,\"n_fft\":2}",
    "{\"source\":\"audio\",\"preemphasis\":-1,\"bands\":4096,\"fmax\":8000}",
    "{\"source\":\"audio\",\"bands\":40,\"dct\":40,\"window_frames\":5,\"window_hop\":5}",
    "{\"source\":\"audio\",\"compression\":\"none\",\"frontend_layers\":3}",
    "{\"source\":\"measurement\",\"points\":2,\"fmin\":1e-3,\"fmax\":1e6}",
    "{\"source\":\"image\",\"width\":16384,\"height\":1}",
    "{\"source\":\"table\"}",
  };
  EsFrontendDesc d;
  EsFrontendConfig c;
  GError *error = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++) {
    ck_assert (es_frontend_desc_from_json (good[i], &d, &error));
    ck_assert_msg (es_frontend_desc_validate (&d, &error), "%s: %s", good[i],
        error ? error->message : "");
    if (d.source == ES_FRONTEND_SOURCE_AUDIO) {
      es_frontend_desc_to_config (&d, &c);
      ck_assert (es_frontend_config_validate (&c, NULL));
      ck_assert_uint_eq (es_frontend_desc_n_features (&d), d.dct ? d.dct : d.bands);
    }
    es_frontend_desc_clear (&d);
  }
}
END_TEST

static Suite *
frontend_desc_suite (void)
{
  Suite *s = suite_create ("frontend-desc");
  TCase *tc = tcase_create ("json");
  tcase_add_test (tc, test_round_trip);
  tcase_add_test (tc, test_legacy);
  tcase_add_loop_test (tc, test_malformed, 0, G_N_ELEMENTS (malformed));
  suite_add_tcase (s, tc);
  tc = tcase_create ("validate");
  tcase_add_loop_test (tc, test_out_of_range, 0, G_N_ELEMENTS (out_of_range));
  tcase_add_test (tc, test_in_range);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *runner = srunner_create (frontend_desc_suite ());
  int failed;
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
