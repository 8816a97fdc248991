/* decide/windows: windows of W frames every H frames, laid out
 * [values][window], with exact spans and the non-finite flag. */
#include <math.h>
#include <check.h>
#include "decide/windows.h"

#define MS (G_GUINT64_CONSTANT (1000000))

/* frame k holds (k, 100 + k): easy to find in a window */
static void
frame_of (guint64 k, float *f)
{
  f[0] = (float) k;
  f[1] = 100.0f + (float) k;
}

START_TEST (test_overlapping)
{
  EsFrameWindows *w = es_frame_windows_new (2, 3, 2);
  float f[2], out[6];
  EsWindowInfo info;
  guint n = 0;
  /* windows complete at frames 2, 4, 6 and hold frames 0-2, 2-4, 4-6 */
  const guint64 ends_at[] = { 2, 4, 6 };

  ck_assert_uint_eq (es_frame_windows_get_window (w), 3);
  ck_assert_uint_eq (es_frame_windows_get_hop (w), 2);
  for (guint64 k = 0; k < 7; k++) {
    frame_of (k, f);
    if (!es_frame_windows_push (w, f, k * 10 * MS, (k + 1) * 10 * MS, out,
            &info))
      continue;
    ck_assert_uint_eq (k, ends_at[n]);
    ck_assert_uint_eq (info.index, n);
    ck_assert_uint_eq (info.first_frame, 2 * n);
    ck_assert_uint_eq (info.start, 2 * n * 10 * MS);
    ck_assert_uint_eq (info.end, (2 * n + 3) * 10 * MS);
    ck_assert (info.finite);
    /* [values][window]: row 0 the first value of each frame, oldest first */
    for (guint t = 0; t < 3; t++) {
      ck_assert_float_eq (out[t], (float) (2 * n + t));
      ck_assert_float_eq (out[3 + t], 100.0f + (float) (2 * n + t));
    }
    n++;
  }
  ck_assert_uint_eq (n, 3);
  ck_assert_uint_eq (es_frame_windows_get_frames (w), 7);
  es_frame_windows_free (w);
}
END_TEST

START_TEST (test_hop_beyond_window)
{
  EsFrameWindows *w = es_frame_windows_new (2, 2, 3);
  float f[2], out[4];
  EsWindowInfo info;
  guint n = 0;

  /* frames 0-1, 3-4, 6-7: frames 2 and 5 are skipped */
  for (guint64 k = 0; k < 9; k++) {
    frame_of (k, f);
    if (es_frame_windows_push (w, f, k, k + 1, out, &info)) {
      ck_assert_uint_eq (info.first_frame, 3 * n);
      ck_assert_float_eq (out[0], (float) (3 * n));
      ck_assert_float_eq (out[1], (float) (3 * n + 1));
      ck_assert_uint_eq (info.start, 3 * n);
      ck_assert_uint_eq (info.end, 3 * n + 2);
      n++;
    }
  }
  ck_assert_uint_eq (n, 3);
  es_frame_windows_free (w);
}
END_TEST

START_TEST (test_single_frame_windows_and_reset)
{
  EsFrameWindows *w = es_frame_windows_new (2, 1, 1);
  float f[2], out[2];
  EsWindowInfo info;

  /* W = 1: every frame is its own window, values unchanged */
  for (guint64 k = 0; k < 4; k++) {
    frame_of (k, f);
    ck_assert (es_frame_windows_push (w, f, ES_TIME_NONE, ES_TIME_NONE, out,
            &info));
    ck_assert_float_eq (out[0], f[0]);
    ck_assert_float_eq (out[1], f[1]);
    ck_assert_uint_eq (info.index, k);
    ck_assert_uint_eq (info.start, ES_TIME_NONE);
  }
  es_frame_windows_free (w);

  /* a reset forgets the frames: the next window needs W new ones */
  w = es_frame_windows_new (2, 3, 1);
  frame_of (0, f);
  ck_assert (!es_frame_windows_push (w, f, 0, 1, out, &info));
  ck_assert (!es_frame_windows_push (w, f, 1, 2, out, &info));
  es_frame_windows_reset (w);
  ck_assert_uint_eq (es_frame_windows_get_frames (w), 0);
  ck_assert (!es_frame_windows_push (w, f, 50, 51, out, &info));
  ck_assert (!es_frame_windows_push (w, f, 51, 52, out, &info));
  ck_assert (es_frame_windows_push (w, f, 52, 53, NULL, &info));
  ck_assert_uint_eq (info.index, 0);
  ck_assert_uint_eq (info.start, 50);
  ck_assert_uint_eq (info.end, 53);
  es_frame_windows_free (w);
}
END_TEST

START_TEST (test_non_finite)
{
  EsFrameWindows *w = es_frame_windows_new (2, 2, 1);
  float good[2] = { 1, 2 }, bad[2] = { 1, NAN };
  EsWindowInfo info;

  ck_assert (!es_frame_windows_push (w, good, 0, 1, NULL, &info));
  ck_assert (es_frame_windows_push (w, bad, 1, 2, NULL, &info));
  ck_assert (!info.finite);
  /* the window after still holds the bad frame */
  ck_assert (es_frame_windows_push (w, good, 2, 3, NULL, &info));
  ck_assert (!info.finite);
  /* and the next one is clean again */
  ck_assert (es_frame_windows_push (w, good, 3, 4, NULL, &info));
  ck_assert (info.finite);
  es_frame_windows_free (w);
}
END_TEST

/* The short-stream rule: silence completes a stream to exactly one window
 * (its frame count is then W), and nothing is added to a stream of one
 * window or more, or to an empty one. */
START_TEST (test_short_stream_padding)
{
  /* digits: 64 frames of 200 samples every 80 at 8 kHz, 0.655 s */
  ck_assert_uint_eq (es_window_samples (64, 200, 80), 5240);
  ck_assert_uint_eq (es_window_padding (2384, 64, 200, 80), 5240 - 2384);
  ck_assert_uint_eq (es_window_padding (5239, 64, 200, 80), 1);
  ck_assert_uint_eq (es_window_padding (5240, 64, 200, 80), 0);
  ck_assert_uint_eq (es_window_padding (5241, 64, 200, 80), 0);
  ck_assert_uint_eq (es_window_padding (0, 64, 200, 80), 0);
  /* one window of one frame; a hop longer than the frame */
  ck_assert_uint_eq (es_window_padding (1, 1, 400, 160), 399);
  ck_assert_uint_eq (es_window_samples (3, 100, 250), 600);
  for (guint window = 1; window <= 7; window += 3)
    for (guint64 n = 1; n < es_window_samples (window, 50, 20); n++) {
      guint64 total = n + es_window_padding (n, window, 50, 20);

      ck_assert_uint_eq (total >= 50 ? (total - 50) / 20 + 1 : 0, window);
    }
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("windows");
  TCase *tc = tcase_create ("windows");
  SRunner *sr;
  int failed;

  tcase_add_test (tc, test_overlapping);
  tcase_add_test (tc, test_hop_beyond_window);
  tcase_add_test (tc, test_single_frame_windows_and_reset);
  tcase_add_test (tc, test_non_finite);
  tcase_add_test (tc, test_short_stream_padding);
  suite_add_tcase (s, tc);
  sr = srunner_create (s);
  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? 1 : 0;
}
