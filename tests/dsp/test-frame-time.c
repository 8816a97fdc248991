/* dsp/frame-time: the one timestamp formula, T0 + floor (k · num / den),
 * checked against its definition with 128-bit integers, and exact after 10^6
 * frames however the stream is cut into buffers. */
#include <check.h>
#include <glib.h>

#include "dsp/frame-time.h"

#define SECOND G_GUINT64_CONSTANT (1000000000)

/* Is t the floor of t0 + k·num/den?  (t − t0)·den ≤ k·num < (t − t0 + 1)·den */
static gboolean
is_floor (guint64 t, guint64 t0, guint64 k, guint64 num, guint64 den)
{
  unsigned __int128 q = (unsigned __int128) (t - t0);
  unsigned __int128 p = (unsigned __int128) k * num;

  return t >= t0 && q * den <= p && p < (q + 1) * den;
}

START_TEST (test_definition)
{
  GRand *rand = g_rand_new_with_seed (13);

  /* small and large products: the 64-bit quotient and the long division */
  for (int i = 0; i < 50000; i++) {
    guint64 t0 = g_rand_int_range (rand, 0, 1000) * SECOND;
    guint64 k = i % 2 ? (guint64) g_rand_int (rand) : ((guint64) g_rand_int (rand) << 24);
    guint64 num = i % 3 ? (guint64) g_rand_int_range (rand, 1, 4096) * SECOND
        : ((guint64) g_rand_int (rand) << 20) | g_rand_int (rand);
    guint64 den = i % 5 ? (guint64) g_rand_int_range (rand, 1, 192001)
        : ((guint64) g_rand_int (rand) << 28) | 1;
    guint64 t = es_frame_time (t0, k, num, den);

    if (t == ES_FRAME_TIME_NONE) {
      unsigned __int128 exact = (unsigned __int128) k * num / den;
      ck_assert_msg (exact >= ES_FRAME_TIME_NONE - t0,
          "NONE for a time that fits: k %" G_GUINT64_FORMAT " num %"
          G_GUINT64_FORMAT " den %" G_GUINT64_FORMAT, k, num, den);
      continue;
    }
    ck_assert_msg (is_floor (t, t0, k, num, den), "k %" G_GUINT64_FORMAT
        " num %" G_GUINT64_FORMAT " den %" G_GUINT64_FORMAT ": %"
        G_GUINT64_FORMAT, k, num, den, t);
  }
  g_rand_free (rand);
}
END_TEST

START_TEST (test_none_and_overflow)
{
  ck_assert_uint_eq (es_frame_time (ES_FRAME_TIME_NONE, 0, 1, 1), ES_FRAME_TIME_NONE);
  ck_assert_uint_eq (es_frame_time (0, 1, 1, 0), ES_FRAME_TIME_NONE);
  ck_assert_uint_eq (es_frame_time (0, G_MAXUINT64, 2, 1), ES_FRAME_TIME_NONE);
  ck_assert_uint_eq (es_frame_time (10, G_MAXUINT64 - 10, 1, 1), ES_FRAME_TIME_NONE);
  ck_assert_uint_eq (es_frame_time (10, G_MAXUINT64 - 11, 1, 1), G_MAXUINT64 - 1);
  /* a 128-bit product whose quotient fits */
  ck_assert_uint_eq (es_frame_time (0, G_MAXUINT64, G_MAXUINT64 - 1, G_MAXUINT64),
      G_MAXUINT64 - 1);
  ck_assert_uint_eq (es_frame_time (0, 0, 5, 3), 0);
  /* a buffer's first frame after its PTS cannot be placed */
  ck_assert_uint_eq (es_frame_time_in_buffer (SECOND, 1000, 0, SECOND, 1),
      ES_FRAME_TIME_NONE);
  ck_assert_uint_eq (es_frame_time_in_buffer (ES_FRAME_TIME_NONE, 0, 0, 1, 1),
      ES_FRAME_TIME_NONE);
  ck_assert_uint_eq (es_frame_time_in_buffer (0, ES_FRAME_TIME_NONE, 0, 1, 1),
      ES_FRAME_TIME_NONE);
}
END_TEST

/* 10^6 frames of 256 samples at 22050 Hz (11.609977324... ms each), cut
 * into buffers of 1 to 37 frames: every frame's time, from its producer's
 * count or recovered inside a buffer from the buffer's PTS and first index
 * (what cnnclassify does), is the exact rational time rounded down; frame
 * 10^6 is at 11609977324263 ns after T0, where adding whole-ns per-frame
 * steps would say 11609977000000 (0.32 ms late). */
START_TEST (test_million_frames)
{
  const guint64 t0 = 7 * SECOND + 3, num = 256 * SECOND, den = 22050;
  const guint64 n_frames = 1000000;
  GRand *rand = g_rand_new_with_seed (7);
  guint64 first = 0, naive = t0;
  /* under valgrind (./dev memcheck) every 101st frame is checked, not all */
  guint64 check_every = g_getenv ("ES_TEST_MEMCHECK") ? 101 : 1;

  while (first < n_frames) {
    guint64 n = g_rand_int_range (rand, 1, 38);
    guint64 pts = es_frame_time (t0, first, num, den);

    ck_assert_msg (is_floor (pts, t0, first, num, den), "frame %"
        G_GUINT64_FORMAT, first);
    for (guint64 i = 0; i < n; i++) {
      naive += num / den;
      if ((first + i) % check_every != 0)
        continue;
      ck_assert_msg (is_floor (es_frame_time_in_buffer (pts, first, i, num, den),
              t0, first + i, num, den), "frame %" G_GUINT64_FORMAT
          " of a buffer at %" G_GUINT64_FORMAT, first + i, first);
    }
    first += n;
  }
  ck_assert_uint_eq (es_frame_time (t0, n_frames, num, den) - t0,
      G_GUINT64_CONSTANT (11609977324263));
  /* the accumulated sum lags by then: what the formula is for */
  ck_assert_uint_lt (naive + 300000 - (first - n_frames) * (num / den),
      es_frame_time (t0, n_frames, num, den));
  g_rand_free (rand);
}
END_TEST

static Suite *
frame_time_suite (void)
{
  Suite *s = suite_create ("frame-time");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_definition);
  tcase_add_test (tc, test_none_and_overflow);
  tcase_add_test (tc, test_million_frames);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (frame_time_suite ());
  int failed;

  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed == 0 ? 0 : 1;
}
