/* Streaming framer: frame contents, counts, split invariance, hop > frame. */
#include <check.h>
#include <string.h>

#include "dsp/framer.h"
#include "dsp-fixture.h"

typedef struct {
  size_t frame;
  size_t hop;
} Geometry;

static const Geometry geometries[] = {
  { 400, 160 }, { 400, 400 }, { 256, 600 }, { 5, 3 }, { 1, 1 }, { 7, 1 }, { 3, 10 },
};

static float *
random_signal (GRand *rand, size_t n)
{
  float *x = g_new (float, n);
  for (size_t i = 0; i < n; i++)
    x[i] = (float) g_rand_double_range (rand, -1.0, 1.0);
  return x;
}

static size_t
expected_frames (size_t n, size_t frame, size_t hop)
{
  return n < frame ? 0 : 1 + (n - frame) / hop;
}

/* Feed x in pieces chosen by `rand` (NULL = one call); returns all frames. */
static float *
run_framer (EsFramer *framer, const float *x, size_t n, GRand *rand, size_t max_piece,
    size_t *n_frames)
{
  size_t frame = es_framer_get_frame_size (framer);
  float *out = g_new (float, (expected_frames (n, frame, es_framer_get_hop_size (framer)) + 1)
      * frame);
  size_t pos = 0, got = 0, bad_predictions = 0, bad_indices = 0;

  es_framer_reset (framer);
  do {
    size_t piece = rand ? (size_t) g_rand_int_range (rand, 0, (gint32) max_piece + 1) : n;
    size_t predicted, produced;
    piece = MIN (piece, n - pos);
    predicted = es_framer_frames_for (framer, piece);
    /* Counted, not asserted, here: a Check assertion costs a syscall and this
     * loop runs once per sample for the finest splits. */
    bad_indices += es_framer_next_frame_index (framer) != got;
    produced = es_framer_process (framer, x + pos, piece, out + got * frame);
    bad_predictions += produced != predicted;
    got += produced;
    pos += piece;
  } while (pos < n);
  ck_assert_uint_eq (bad_predictions, 0);
  ck_assert_uint_eq (bad_indices, 0);
  *n_frames = got;
  return out;
}

START_TEST (test_frames_are_windowed_input)
{
  GRand *rand = g_rand_new_with_seed (11);
  const size_t n = 3000;
  float *x = random_signal (rand, n);

  for (unsigned g = 0; g < G_N_ELEMENTS (geometries); g++) {
    size_t frame = geometries[g].frame, hop = geometries[g].hop, n_frames;
    EsFramer *framer = es_framer_new (frame, hop, ES_WINDOW_HANN);
    float *window = g_new (float, frame);
    float *out = run_framer (framer, x, n, NULL, 0, &n_frames);

    es_window_fill (ES_WINDOW_HANN, window, frame);
    ck_assert_int_eq (memcmp (window, es_framer_get_window (framer), frame * sizeof (float)), 0);
    ck_assert_uint_eq (n_frames, expected_frames (n, frame, hop));
    for (size_t k = 0; k < n_frames; k++)
      for (size_t i = 0; i < frame; i++)
        if (out[k * frame + i] != window[i] * x[k * hop + i])
          ck_abort_msg ("frame %zu hop %zu: frame %zu sample %zu is not window * input",
              frame, hop, k, i);
    ck_assert_uint_eq (es_framer_next_frame_index (framer), n_frames);
    g_free (out);
    g_free (window);
    es_framer_free (framer);
  }
  g_free (x);
  g_rand_free (rand);
}
END_TEST

START_TEST (test_split_invariance)
{
  GRand *rand = g_rand_new_with_seed (12345);
  const size_t n = 5000;
  float *x = random_signal (rand, n);
  const size_t max_pieces[] = { 1, 3, 17, 160, 399, 401, 1000, 4000 };

  for (unsigned g = 0; g < G_N_ELEMENTS (geometries); g++) {
    size_t frame = geometries[g].frame, hop = geometries[g].hop, n_whole;
    EsFramer *framer = es_framer_new (frame, hop, ES_WINDOW_HAMMING);
    float *whole = run_framer (framer, x, n, NULL, 0, &n_whole);

    for (unsigned m = 0; m < G_N_ELEMENTS (max_pieces); m++) {
      for (unsigned trial = 0; trial < 4; trial++) {
        size_t n_split;
        float *split = run_framer (framer, x, n, rand, max_pieces[m], &n_split);
        ck_assert_msg (n_split == n_whole, "frame %zu hop %zu: %zu frames split vs %zu",
            frame, hop, n_split, n_whole);
        ck_assert_msg (memcmp (whole, split, n_whole * frame * sizeof (float)) == 0,
            "frame %zu hop %zu max piece %zu: output depends on the split", frame, hop,
            max_pieces[m]);
        g_free (split);
      }
    }
    g_free (whole);
    es_framer_free (framer);
  }
  g_free (x);
  g_rand_free (rand);
}
END_TEST

START_TEST (test_hop_larger_than_frame)
{
  /* frame 3, hop 10: frames start at 0, 10, 20 ... and samples between are skipped,
   * also when the skip spans several calls. */
  EsFramer *framer = es_framer_new (3, 10, ES_WINDOW_RECTANGULAR);
  float x[35], out[3 * 4];
  size_t got = 0;

  for (unsigned i = 0; i < G_N_ELEMENTS (x); i++)
    x[i] = (float) i;
  got += es_framer_process (framer, x, 2, out);          /* 0 1 */
  ck_assert_uint_eq (got, 0);
  got += es_framer_process (framer, x + 2, 2, out);      /* 2 3: frame 0 */
  ck_assert_uint_eq (got, 1);
  got += es_framer_process (framer, x + 4, 3, out + 3 * got);   /* skip 4..6 */
  got += es_framer_process (framer, x + 7, 4, out + 3 * got);   /* 7..10: frame 1 starts */
  ck_assert_uint_eq (got, 1);
  ck_assert_uint_eq (es_framer_frames_for (framer, 24), 3);   /* at 10, 20, 30 */
  got += es_framer_process (framer, x + 11, 24, out + 3 * got); /* up to 34 */
  ck_assert_uint_eq (got, 4);
  for (unsigned k = 0; k < 4; k++)
    for (unsigned i = 0; i < 3; i++)
      ck_assert_float_eq (out[3 * k + i], (float) (10 * k + i));
  ck_assert_uint_eq (es_framer_next_frame_index (framer), 4);
  es_framer_free (framer);
}
END_TEST

START_TEST (test_frame_count_formula)
{
  EsFramer *framer = es_framer_new (400, 160, ES_WINDOW_HAMMING);
  const size_t lengths[] = { 0, 1, 399, 400, 401, 559, 560, 561, 16000, 160000 };

  for (unsigned i = 0; i < G_N_ELEMENTS (lengths); i++) {
    es_framer_reset (framer);
    ck_assert_uint_eq (es_framer_frames_for (framer, lengths[i]),
        expected_frames (lengths[i], 400, 160));
  }
  /* 16000 samples at 16 kHz, 25 ms / 10 ms: 98 frames. */
  ck_assert_uint_eq (expected_frames (16000, 400, 160), 98);
  es_framer_free (framer);
}
END_TEST

START_TEST (test_reset_and_short_input)
{
  EsFramer *framer = es_framer_new (4, 2, ES_WINDOW_RECTANGULAR);
  float x[6] = { 1, 2, 3, 4, 5, 6 }, out[4 * 3];

  ck_assert_uint_eq (es_framer_process (framer, x, 3, out), 0);  /* too short */
  ck_assert_uint_eq (es_framer_process (framer, x, 0, out), 0);  /* empty */
  es_framer_reset (framer);   /* the 3 buffered samples are forgotten */
  ck_assert_uint_eq (es_framer_process (framer, x + 2, 4, out), 1);
  ck_assert_float_eq (out[0], 3.0f);
  ck_assert_float_eq (out[3], 6.0f);
  ck_assert_uint_eq (es_framer_next_frame_index (framer), 1);
  es_framer_reset (framer);
  ck_assert_uint_eq (es_framer_next_frame_index (framer), 0);
  ck_assert_uint_eq (es_framer_get_frame_size (framer), 4);
  ck_assert_uint_eq (es_framer_get_hop_size (framer), 2);
  es_framer_free (framer);
  es_framer_free (NULL);
}
END_TEST

static Suite *
framer_suite (void)
{
  Suite *s = suite_create ("dsp-framer");
  TCase *tc = tcase_create ("core");
  tcase_add_test (tc, test_frames_are_windowed_input);
  tcase_add_test (tc, test_split_invariance);
  tcase_add_test (tc, test_hop_larger_than_frame);
  tcase_add_test (tc, test_frame_count_formula);
  tcase_add_test (tc, test_reset_and_short_input);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *runner = srunner_create (framer_suite ());
  int failed;
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
