/* The CLI's audio decoder (launch/audio-decode.c): samples of a WAV as
 * written, resampling and the mono mix, an Ogg Vorbis file, each kind of bad
 * input as its own error; and the development data (esc10) loaded through it
 * into the audio data kind, its spectra bit for bit the front-end's.
 * The esc10 part needs ../shared/data/audio and is skipped without it. */
#include <check.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gst/gst.h>

#include "audio-decode.h"
#include "dsp/frontend.h"
#include "tasks/audio/audio-set.h"
#include "fixture.h"
#include "audio-test-util.h"

static char *tmp_dir;

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

START_TEST (test_wav_samples)
{
  char *path = es_fixture_path ("audio/tone-8k.wav");
  size_t n;
  float *x = es_audio_decode_file (path, 8000, 0, &n, NULL);

  ck_assert (x != NULL);
  ck_assert_uint_eq (n, 4000);
  /* 16-bit PCM as written by the fixture script, scaled by 1/32768 */
  for (size_t i = 0; i < n; i++) {
    double want = nearbyint (0.5 * sin (2 * G_PI * 440 * i / 8000.0) * 32767) / 32768.0;
    ck_assert (fabs (x[i] - want) < 1.0 / 32768 + 1e-7);
  }
  g_free (x);
  /* resampled to 16 kHz: twice as long, still 440 Hz */
  x = es_audio_decode_file (path, 16000, 0, &n, NULL);
  ck_assert (n >= 7990 && n <= 8010);
  ck_assert_double_eq_tol (test_peak_hz (x, 1000, 4096, 16000, 300, 600), 440.0, 0.5);
  g_free (x);
  g_free (path);
}
END_TEST

START_TEST (test_stereo_mixed_to_mono)
{
  char *path = es_fixture_path ("audio/stereo-44k.wav");
  size_t n;
  float *x = es_audio_decode_file (path, 16000, 0, &n, NULL);

  ck_assert (x != NULL);
  ck_assert (n >= 4790 && n <= 4810);
  ck_assert_double_eq_tol (test_peak_hz (x, 500, 3000, 16000, 800, 1200), 1000.0, 0.5);
  /* left 0.6 and right 0.2: the mono mix is 0.4 */
  ck_assert_double_eq_tol (es_audio_rms (x + 500, 3500), 0.4 / sqrt (2), 0.005);
  g_free (x);
  g_free (path);
}
END_TEST

START_TEST (test_ogg_vorbis)
{
  char *path = tmp_path ("tone.ogg");
  char *line = g_strdup_printf ("audiotestsrc num-buffers=20 samplesperbuffer=1600 freq=660 "
      "! audio/x-raw,rate=16000,channels=2 ! vorbisenc ! oggmux ! filesink location=\"%s\"", path);
  GstElement *p = gst_parse_launch (line, NULL);
  GstBus *bus;
  GstMessage *m;
  size_t n;
  float *x;

  if (p == NULL) {
    g_free (line);
    g_free (path);
    return;     /* no Vorbis encoder: nothing to check here */
  }
  bus = gst_element_get_bus (p);
  gst_element_set_state (p, GST_STATE_PLAYING);
  m = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  ck_assert (m && GST_MESSAGE_TYPE (m) == GST_MESSAGE_EOS);
  gst_message_unref (m);
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (p);
  x = es_audio_decode_file (path, 8000, 0, &n, NULL);
  ck_assert (x != NULL);
  /* 2 s */
  ck_assert (n >= 15800 && n <= 16200);
  ck_assert_double_eq_tol (test_peak_hz (x, 2000, 4096, 8000, 500, 800), 660.0, 0.5);
  g_free (x);
  g_free (line);
  g_free (path);
}
END_TEST

/* Run a gst-launch description to EOS; FALSE if an element is missing. */
static gboolean
run_line (const char *line)
{
  GstElement *p = gst_parse_launch (line, NULL);
  GstBus *bus;
  GstMessage *m;
  gboolean ok;

  if (p == NULL)
    return FALSE;
  bus = gst_element_get_bus (p);
  gst_element_set_state (p, GST_STATE_PLAYING);
  m = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  ok = m && GST_MESSAGE_TYPE (m) == GST_MESSAGE_EOS;
  if (m)
    gst_message_unref (m);
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (p);
  return ok;
}

/* A film: its video stream is discarded, its sound decoded. */
START_TEST (test_audio_of_a_video)
{
  char *path = tmp_path ("film.mkv");
  char *line = g_strdup_printf ("matroskamux name=m ! filesink location=\"%s\" "
      "videotestsrc num-buffers=10 ! video/x-raw,width=64,height=48,framerate=10/1 ! jpegenc ! m. "
      "audiotestsrc num-buffers=10 samplesperbuffer=1600 freq=500 "
      "! audio/x-raw,rate=16000,channels=1,format=S16LE ! m.", path);
  size_t n;
  float *x;

  if (run_line (line)) {
    GError *error = NULL;
    x = es_audio_decode_file (path, 16000, 0, &n, &error);
    ck_assert_msg (x != NULL, "%s", error ? error->message : "");
    ck_assert (n >= 15900 && n <= 16100);
    ck_assert_double_eq_tol (test_peak_hz (x, 2000, 4096, 16000, 400, 600), 500.0, 0.5);
    g_free (x);
  }
  g_free (line);
  g_free (path);
}
END_TEST

static void
expect_error (const char *path, size_t max_samples, EsAudioDecodeError code, const char *needle)
{
  GError *error = NULL;
  size_t n = 7;
  float *x = es_audio_decode_file (path, 16000, max_samples, &n, &error);

  ck_assert_msg (x == NULL, "%s decoded", path);
  ck_assert (error != NULL);
  ck_assert_msg (error->domain == ES_AUDIO_DECODE_ERROR && error->code == (int) code
      && strstr (error->message, needle), "%s: got code %d '%s', want %d '%s'", path,
      error->code, error->message, code, needle);
  ck_assert_uint_eq (n, 0);
  g_error_free (error);
}

START_TEST (test_bad_input)
{
  char *missing = tmp_path ("missing.wav"), *text = tmp_path ("notes.txt");
  char *empty = tmp_path ("empty.wav"), *fifo = tmp_path ("fifo.wav");
  char *truncated = tmp_path ("truncated.wav"), *png = tmp_path ("picture.png");
  char *fixture = es_fixture_path ("audio/tone-8k.wav"), *wav;
  gsize len;

  expect_error (missing, 0, ES_AUDIO_DECODE_ERROR_MISSING, "No such file");
  expect_error (tmp_dir, 0, ES_AUDIO_DECODE_ERROR_NOT_FILE, "folder");
  ck_assert_int_eq (mkfifo (fifo, 0600), 0);
  expect_error (fifo, 0, ES_AUDIO_DECODE_ERROR_NOT_FILE, "not a regular file");
  ck_assert (g_file_set_contents (empty, "", 0, NULL));
  expect_error (empty, 0, ES_AUDIO_DECODE_ERROR_NOT_AUDIO, "empty");
  ck_assert (g_file_set_contents (text, "label,path\nthis is not audio at all\n", -1, NULL));
  expect_error (text, 0, ES_AUDIO_DECODE_ERROR_NOT_AUDIO, "not an audio file");
  /* a WAVE file cut in the middle of its samples */
  ck_assert (g_file_get_contents (fixture, &wav, &len, NULL));
  ck_assert (g_file_set_contents (truncated, wav, len / 2, NULL));
  expect_error (truncated, 0, ES_AUDIO_DECODE_ERROR_TRUNCATED, "truncated");
  /* longer than the bound: 0.5 s at 16 kHz is 8000 samples */
  expect_error (fixture, 1000, ES_AUDIO_DECODE_ERROR_TOO_LONG, "maximum");
  /* a picture: a stream, but not audio */
  {
    char *line = g_strdup_printf ("videotestsrc num-buffers=1 ! pngenc ! filesink location=\"%s\"",
        png);
    GstElement *p = gst_parse_launch (line, NULL);
    if (p) {
      GstBus *bus = gst_element_get_bus (p);
      GstMessage *m;
      gst_element_set_state (p, GST_STATE_PLAYING);
      m = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
      gst_message_unref (m);
      gst_element_set_state (p, GST_STATE_NULL);
      gst_object_unref (bus);
      gst_object_unref (p);
      expect_error (png, 0, ES_AUDIO_DECODE_ERROR_NOT_AUDIO, "not an audio file");
    }
    g_free (line);
  }
  g_unlink (fifo);
  g_unlink (empty);
  g_unlink (text);
  g_unlink (truncated);
  g_unlink (png);
  g_free (wav);
  g_free (fixture);
  g_free (missing);
  g_free (text);
  g_free (empty);
  g_free (fifo);
  g_free (truncated);
  g_free (png);
}
END_TEST

/* esc10 development data through the decoder into the data kind: counts from
 * its README, and a clip's spectra through the front-end's filterbank equal
 * es_frontend_process_clip on the same decoded samples, bit for bit. */
START_TEST (test_esc10)
{
  const char *data = es_test_data_dir ();
  char *path;
  EsAudioConfig c;
  EsAudioSet *set;
  GError *error = NULL;
  EsAudioClip clip;

  ck_assert (data != NULL);      /* main skips this case without the data */
  path = g_build_filename (data, "audio", "esc10", NULL);
  es_audio_config_init (&c, 16000);
  set = es_audio_set_load (path, &c, NULL, es_audio_decode_func, NULL, NULL, NULL, &error);
  ck_assert_msg (set != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (es_audio_set_get_n_clips (set), 240);
  ck_assert_int_eq (es_audio_set_get_n_classes (set), 10);
  ck_assert (es_audio_set_has_groups (set));
  ck_assert_uint_eq (es_audio_set_get_n_groups (set), 188);
  /* 5 s at 16 kHz: 498 frames of 257 bins, 8 windows of 100 frames every 50 */
  es_audio_set_get_clip (set, 17, &clip);
  ck_assert_uint_eq (clip.n_samples, 80000);
  ck_assert_uint_eq (clip.spectra->n_frames, 498);
  ck_assert_uint_eq (es_audio_set_clip_n_windows (set, 17), 8);
  ck_assert_uint_eq (es_audio_set_get_bytes (set), (size_t) 240 * 498 * 257 * 4);
  {
    char *file = g_build_filename (path, clip.name, NULL);
    size_t n, n_frames;
    float *x = es_audio_decode_file (file, 16000, 0, &n, NULL), *want, e[64];
    EsFrontendConfig fc;
    EsFrontend *fe;
    es_frontend_config_init (&fc, 16000);
    fe = es_frontend_new (&fc, NULL);
    want = es_frontend_process_clip (fe, x, n, &n_frames);
    ck_assert_uint_eq (n_frames, 498);
    for (size_t t = 0; t < n_frames; t++) {
      es_gammatone_fb_apply (es_frontend_get_filterbank (fe), clip.spectra->power + t * 257, e);
      es_log_compress (e, 64, (float) fc.log_floor);
      ck_assert (memcmp (e, want + t * 64, sizeof e) == 0);
    }
    g_free (want);
    es_frontend_free (fe);
    g_free (x);
    g_free (file);
  }
  es_audio_set_free (set);
  g_free (path);
}
END_TEST

static char *
esc10_dir (void)
{
  const char *data = es_test_data_dir ();
  char *path = data ? g_build_filename (data, "audio", "esc10", "index.csv", NULL) : NULL;
  gboolean there = path && g_file_test (path, G_FILE_TEST_IS_REGULAR);
  g_free (path);
  return there ? g_build_filename (data, "audio", "esc10", NULL) : NULL;
}

/* Without arguments: the decoder cases. With "esc10": the development-data
 * case, exit 77 (skipped) when ../shared/data/audio/esc10 is absent. */
static Suite *
decode_suite (gboolean esc10)
{
  Suite *s = suite_create ("audio-decode");
  TCase *tc = tcase_create ("core");
  tcase_set_timeout (tc, 300);
  if (esc10) {
    tcase_add_test (tc, test_esc10);
  } else {
    tcase_add_test (tc, test_wav_samples);
    tcase_add_test (tc, test_stereo_mixed_to_mono);
    tcase_add_test (tc, test_ogg_vorbis);
    tcase_add_test (tc, test_audio_of_a_video);
    tcase_add_test (tc, test_bad_input);
  }
  suite_add_tcase (s, tc);
  return s;
}

int
main (int argc, char **argv)
{
  SRunner *runner;
  int failed;
  char *cmd;
  gboolean esc10 = argc > 1 && strcmp (argv[1], "esc10") == 0;

  gst_init (&argc, &argv);
  if (esc10) {
    char *dir = esc10_dir ();
    if (!dir) {
      printf ("SKIP: no ../shared/data/audio/esc10\n");
      return 77;
    }
    g_free (dir);
  }
  tmp_dir = g_dir_make_tmp ("es-audio-decode-XXXXXX", NULL);
  runner = srunner_create (decode_suite (esc10));
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  cmd = g_strdup_printf ("rm -rf '%s'", tmp_dir);
  if (system (cmd) != 0)
    failed++;
  g_free (cmd);
  g_free (tmp_dir);
  return failed == 0 ? 0 : 1;
}
