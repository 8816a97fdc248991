/* The audio recipe keys: defaults, every key read, bad values named. */
#include <check.h>
#include <string.h>

#include "tasks/audio/audio-recipe.h"

static GKeyFile *
keyfile (const char *text)
{
  GKeyFile *kf = g_key_file_new ();
  ck_assert (g_key_file_load_from_data (kf, text, -1, G_KEY_FILE_NONE, NULL));
  return kf;
}

START_TEST (test_defaults)
{
  GKeyFile *kf = keyfile ("[data]\nkind = audio\n");
  EsAudioConfig c;
  EsAudioAugmentConfig a;
  ck_assert (es_audio_recipe_read_data (kf, "r.recipe", "data", &c, NULL));
  ck_assert_uint_eq (c.frontend.sample_rate, 16000);
  ck_assert_uint_eq (c.frontend.frame_size, 400);
  ck_assert_uint_eq (c.window_frames, 100);
  ck_assert_uint_eq (c.window_hop, 50);
  ck_assert_uint_eq (c.max_bytes, (size_t) 2048 << 20);
  ck_assert (es_audio_recipe_read_augment (kf, "r.recipe", "augment", 7, &a, NULL));
  ck_assert (a.random_crop);
  ck_assert_uint_eq (a.pool_size, 0);
  ck_assert_uint_eq (a.pool_seed, 7);
  ck_assert_uint_eq (c.background_clips, 0);
  ck_assert_str_eq (c.background_label, "background");
  ck_assert (!a.crop_active_frames && a.background_probability == 0);
  ck_assert (es_audio_recipe_is_key ("data", "window_frames"));
  ck_assert (es_audio_recipe_is_key ("augment", "mixup_alpha"));
  ck_assert (!es_audio_recipe_is_key ("augment", "window_frames"));
  ck_assert (!es_audio_recipe_is_key ("data", "path"));
  g_key_file_free (kf);
}
END_TEST

START_TEST (test_every_key)
{
  GKeyFile *kf = keyfile ("[data]\nrate = 8000\npreemphasis = 0\nframe_size = 200\n"
      "hop_size = 80\nwindow = hann\nwindow_frames = 64\nwarmup_frames = 8\n"
      "normalize = peak\nmax_clip_seconds = 30\nmax_memory_mb = 512\n"
      "[augment]\ncrop = grid\ngain_db = 6\npool = 4\npool_probability = 0.5\n"
      "pitch_semitones = 1.5\npitch_probability = 1\nstretch = 0.9;1.1\n"
      "stretch_probability = 0.25\nnoise_snr_db = 5;20\nnoise = pink\nnoise_probability = 0\n"
      "mixup_alpha = 0.4\nmixup_probability = 0.5\nmixup = any\ntime_masks = 2\n"
      "time_mask_frames = 8\nfreq_masks = 1\nfreq_mask_fraction = 0.2\nmask_fill = zero\n"
      "pool_seed = 99\ncrop_active_frames = true\nactive_db = 20\n"
      "background_probability = 0.7\nbackground_snr_db = -5;15\n"
      "filter_db = 4.5\nfilter_bands = 6\nfilter_probability = 0.3\n");
  EsAudioConfig c;
  EsAudioAugmentConfig a;
  ck_assert (es_audio_recipe_read_data (kf, "r", "data", &c, NULL));
  ck_assert_uint_eq (c.frontend.sample_rate, 8000);
  ck_assert (c.frontend.preemphasis == 0.0);
  ck_assert_uint_eq (c.frontend.hop_size, 80);
  ck_assert_int_eq (c.frontend.window, ES_WINDOW_HANN);
  ck_assert_uint_eq (c.window_frames, 64);
  ck_assert_uint_eq (c.window_hop, 32);
  ck_assert_uint_eq (c.warmup_frames, 8);
  ck_assert_int_eq (c.normalize, ES_AUDIO_NORMALIZE_PEAK);
  ck_assert (c.normalize_db == -1.0);
  ck_assert (c.max_clip_seconds == 30.0);
  ck_assert_uint_eq (c.max_bytes, (size_t) 512 << 20);
  ck_assert (es_audio_recipe_read_augment (kf, "r", "augment", 1, &a, NULL));
  ck_assert (!a.random_crop);
  ck_assert (a.gain_db == 6 && a.pool_size == 4 && a.pool_probability == 0.5);
  ck_assert (a.pitch_semitones == 1.5 && a.pitch_probability == 1.0);
  ck_assert (a.stretch_min == 0.9 && a.stretch_max == 1.1 && a.stretch_probability == 0.25);
  ck_assert (a.noise_snr_min == 5 && a.noise_snr_max == 20 && a.noise_colour == ES_AUDIO_NOISE_PINK);
  ck_assert (a.noise_probability == 0 && a.mixup_alpha == 0.4 && a.mixup_probability == 0.5);
  ck_assert (!a.mixup_between_classes);
  ck_assert (a.time_masks == 2 && a.time_mask_frames == 8 && a.freq_masks == 1);
  ck_assert (a.freq_mask_fraction == 0.2 && a.mask_fill == ES_AUDIO_MASK_FILL_ZERO);
  ck_assert_uint_eq (a.pool_seed, 99);
  ck_assert (a.crop_active_frames && a.active_db == 20);
  ck_assert (a.background_probability == 0.7);
  ck_assert (a.background_snr_min == -5 && a.background_snr_max == 15);
  ck_assert (a.filter_db == 4.5 && a.filter_bands == 6 && a.filter_probability == 0.3);
  g_key_file_free (kf);
  kf = keyfile ("[data]\nbackground_clips = 40\nbackground_seconds = 2.5\n"
      "background_label = room\n");
  ck_assert (es_audio_recipe_read_data (kf, "r", "data", &c, NULL));
  ck_assert_uint_eq (c.background_clips, 40);
  ck_assert (c.background_seconds == 2.5);
  ck_assert_str_eq (c.background_label, "room");
  g_key_file_free (kf);
}
END_TEST

static void
expect_fail (const char *text, gboolean augment, const char *needle)
{
  GKeyFile *kf = keyfile (text);
  GError *error = NULL;
  EsAudioConfig c;
  EsAudioAugmentConfig a;
  gboolean ok = augment ? es_audio_recipe_read_augment (kf, "x.recipe", "augment", 1, &a, &error)
      : es_audio_recipe_read_data (kf, "x.recipe", "data", &c, &error);
  ck_assert_msg (!ok && error && strstr (error->message, needle), "want '%s', got %s", needle,
      error ? error->message : "success");
  g_error_free (error);
  g_key_file_free (kf);
}

START_TEST (test_bad_values)
{
  expect_fail ("[data]\nrate = 12\n", FALSE, "x.recipe: [data] rate: '12' is not a whole number");
  expect_fail ("[data]\nwindow = kaiser\n", FALSE, "[data] window: 'kaiser' is not one of");
  expect_fail ("[data]\nnormalize = loud\n", FALSE, "[data] normalize");
  expect_fail ("[data]\nwindow_frames = -3\n", FALSE, "window_frames");
  expect_fail ("[data]\nrate = 8000\nframe_size = 9000\n", FALSE, "longer than a second");
  expect_fail ("[data]\nnormalize_db = 3\n", FALSE, "normalize_db");
  expect_fail ("[augment]\nstretch = 1.25;0.8\n", TRUE, "minimum is above the maximum");
  expect_fail ("[augment]\nstretch = 1.2\n", TRUE, "not a range");
  expect_fail ("[augment]\ngain_db = loud\n", TRUE, "[augment] gain_db");
  expect_fail ("[augment]\npool = 1000\n", TRUE, "[augment] pool");
  expect_fail ("[augment]\nmixup = sometimes\n", TRUE, "[augment] mixup");
  expect_fail ("[augment]\nnoise_probability = 2\n", TRUE, "noise_probability");
  expect_fail ("[augment]\ncrop_active_frames = maybe\n", TRUE, "crop_active_frames");
  expect_fail ("[augment]\nbackground_snr_db = 10;0\n", TRUE, "minimum is above");
  expect_fail ("[augment]\nbackground_probability = -1\n", TRUE, "background_probability");
  expect_fail ("[augment]\nfilter_bands = 1\n", TRUE, "[augment] filter_bands");
  expect_fail ("[augment]\nfilter_db = 50\n", TRUE, "[augment] filter_db");
  expect_fail ("[data]\nbackground_label = a,b\n", FALSE, "[data] background_label");
  expect_fail ("[data]\nbackground_clips = many\n", FALSE, "background_clips");
}
END_TEST

static Suite *
recipe_suite (void)
{
  Suite *s = suite_create ("audio-recipe");
  TCase *tc = tcase_create ("core");
  tcase_add_test (tc, test_defaults);
  tcase_add_test (tc, test_every_key);
  tcase_add_test (tc, test_bad_values);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *runner = srunner_create (recipe_suite ());
  int failed;
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
