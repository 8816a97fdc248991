/* decide/events: made-up probability sequences through the event rules, with
 * the event times worked out by hand (nanoseconds, exact).
 *
 * Unless a test says otherwise, windows are 1 s long every 0.25 s: window j
 * spans [j/4, j/4 + 1) s, so its new span is [j/4 + 0.75, j/4 + 1) s (the
 * first window after a reset: its whole span). Label "a" gets p, labels "b"
 * and "c" (1 - p) / 2 each, which never reaches an on-threshold of 0.6. */
#include <math.h>
#include <string.h>
#include <check.h>
#include "decide/events.h"

#define S (G_GUINT64_CONSTANT (1000000000))
#define Q (S / 4)

static guint64
start_of (guint j)
{
  return j * Q;
}

static guint64
end_of (guint j)
{
  return j * Q + S;
}

typedef struct
{
  EsEventDetector *det;
  EsEvent events[64];
  guint n_events;
  guint next;                   /* window number */
  double smoothed[3];
} Run;

static void
run_init (Run * r, const EsEventConfig * c)
{
  GError *err = NULL;

  memset (r, 0, sizeof *r);
  r->det = es_event_detector_new (3, c, &err);
  ck_assert_msg (r->det != NULL, "%s", err ? err->message : "");
}

static void
collect (Run * r)
{
  EsEvent e;

  while (es_event_detector_pop (r->det, &e)) {
    ck_assert_uint_lt (r->n_events, G_N_ELEMENTS (r->events));
    r->events[r->n_events++] = e;
  }
}

static void
push3 (Run * r, double a, double b, double c)
{
  double p[3] = { a, b, c };

  es_event_detector_push (r->det, p, start_of (r->next), end_of (r->next),
      r->smoothed);
  r->next++;
  collect (r);
}

static void
push (Run * r, double p)
{
  push3 (r, p, (1 - p) / 2, (1 - p) / 2);
}

static void
push_seq (Run * r, const double *p, guint n)
{
  for (guint i = 0; i < n; i++)
    push (r, p[i]);
}

static void
run_clear (Run * r)
{
  es_event_detector_free (r->det);
}

/* Plain hysteresis: no smoothing, k = n = 1, no minimum, no refractory. */
static void
plain_config (EsEventConfig * c)
{
  es_event_config_init (c);
  c->average_windows = 1;
  c->vote_k = c->vote_n = 1;
  c->on_threshold = 0.6;
  c->off_threshold = 0.4;
  c->min_duration = 0;
  c->refractory = 0;
}

static void
expect_start (const EsEvent * e, size_t label, guint64 onset, guint64 decided)
{
  ck_assert_int_eq (e->kind, ES_EVENT_START);
  ck_assert_uint_eq (e->label, label);
  ck_assert_uint_eq (e->onset, onset);
  ck_assert_uint_eq (e->decided, decided);
  ck_assert_uint_eq (e->offset, ES_TIME_NONE);
}

static void
expect_end (const EsEvent * e, size_t label, guint64 onset, guint64 offset,
    guint64 decided, EsEventEndReason reason)
{
  ck_assert_int_eq (e->kind, ES_EVENT_END);
  ck_assert_uint_eq (e->label, label);
  ck_assert_uint_eq (e->onset, onset);
  ck_assert_uint_eq (e->offset, offset);
  ck_assert_uint_eq (e->decided, decided);
  ck_assert_int_eq (e->reason, reason);
}

START_TEST (test_hysteresis_exact_times)
{
  EsEventConfig c;
  Run r;
  const double p[] = { 0.1, 0.5, 0.7, 0.8, 0.5, 0.3, 0.1 };

  plain_config (&c);
  run_init (&r, &c);
  push_seq (&r, p, G_N_ELEMENTS (p));
  ck_assert_uint_eq (r.n_events, 2);
  /* 0.5 at window 1 is above off but below on: no start. Window 2 starts
   * it: onset = its new span's start 2/4 + 0.75 = 1.25 s, decided at its
   * end 1.5 s; 0.5 at window 4 keeps it (hysteresis); 0.3 at window 5 ends
   * it at the end of window 4 (2.0 s), decided at window 5's end 2.25 s. */
  expect_start (&r.events[0], 0, 5 * Q, 6 * Q);
  ck_assert_double_eq (r.events[0].confidence, 0.7);
  expect_end (&r.events[1], 0, 5 * Q, 8 * Q, 9 * Q, ES_EVENT_END_DECIDED);
  ck_assert_double_eq_tol (r.events[1].mean, (0.7 + 0.8 + 0.5) / 3, 1e-15);
  ck_assert_double_eq (r.events[1].peak, 0.8);
  ck_assert_double_eq (r.events[1].confidence, r.events[1].mean);
  ck_assert_uint_eq (r.events[1].windows, 3);
  ck_assert_uint_eq (es_event_detector_get_event_count (r.det, 0), 1);
  ck_assert_uint_eq (es_event_detector_get_event_count (r.det, 1), 0);
  run_clear (&r);
}
END_TEST

START_TEST (test_without_hysteresis)
{
  EsEventConfig c;
  Run r;
  const double p[] = { 0.1, 0.7, 0.5, 0.7, 0.1 };

  /* off = on: 0.5 ends the event, the next 0.7 starts a new one */
  plain_config (&c);
  c.off_threshold = 0.6;
  run_init (&r, &c);
  push_seq (&r, p, G_N_ELEMENTS (p));
  ck_assert_uint_eq (r.n_events, 4);
  expect_start (&r.events[0], 0, 4 * Q, 5 * Q);
  expect_end (&r.events[1], 0, 4 * Q, 5 * Q, 6 * Q, ES_EVENT_END_DECIDED);
  expect_start (&r.events[2], 0, 6 * Q, 7 * Q);
  expect_end (&r.events[3], 0, 6 * Q, 7 * Q, 8 * Q, ES_EVENT_END_DECIDED);
  run_clear (&r);
}
END_TEST

START_TEST (test_k_of_n)
{
  EsEventConfig c;
  Run r;
  const double p[] = { 0.1, 0.9, 0.1, 0.1, 0.7, 0.1, 0.7, 0.1 };

  plain_config (&c);
  c.vote_k = 2;
  c.vote_n = 3;
  run_init (&r, &c);
  push_seq (&r, p, G_N_ELEMENTS (p));
  /* the lone 0.9 at window 1 never has a second vote within 3 windows;
   * windows 4 and 6 do: start decided at window 6's end (2.5 s), onset at
   * window 4's new span (1.75 s). Window 7 leaves one window of 3 at or
   * above off: the event ends at window 6's end, decided at 2.75 s. */
  ck_assert_uint_eq (r.n_events, 2);
  expect_start (&r.events[0], 0, 7 * Q, 10 * Q);
  expect_end (&r.events[1], 0, 7 * Q, 10 * Q, 11 * Q, ES_EVENT_END_DECIDED);
  /* windows 4..6 (0.1 between them included) */
  ck_assert_uint_eq (r.events[1].windows, 3);
  ck_assert_double_eq_tol (r.events[1].mean, 1.5 / 3, 1e-15);
  ck_assert_double_eq (r.events[1].peak, 0.7);
  run_clear (&r);
}
END_TEST

START_TEST (test_min_duration)
{
  EsEventConfig c;
  Run r;
  const double p[] = { 0.1, 0.1, 0.7, 0.1, 0.1, 0.7, 0.7, 0.7, 0.1 };

  plain_config (&c);
  c.min_duration = S / 2;
  run_init (&r, &c);
  push_seq (&r, p, G_N_ELEMENTS (p));
  /* window 2 alone lasts 0.25 s: never announced, no end either. Windows
   * 5.. start at 2.0 s; at window 6 the active part (2.0 .. 2.5 s) is 0.5 s
   * long: announced at 2.5 s. It ends at window 7's end (2.75 s). */
  ck_assert_uint_eq (r.n_events, 2);
  expect_start (&r.events[0], 0, 8 * Q, 10 * Q);
  expect_end (&r.events[1], 0, 8 * Q, 11 * Q, 12 * Q, ES_EVENT_END_DECIDED);
  ck_assert_uint_eq (es_event_detector_get_event_count (r.det, 0), 1);
  run_clear (&r);
}
END_TEST

START_TEST (test_refractory)
{
  EsEventConfig c;
  Run r;
  const double p[] = { 0.1, 0.1, 0.7, 0.1, 0.7, 0.7 };

  plain_config (&c);
  c.refractory = S / 2;
  run_init (&r, &c);
  push_seq (&r, p, G_N_ELEMENTS (p));
  /* the first event ends at 1.5 s: no onset before 2.0 s. Window 4's new
   * span starts at 1.75 s (refused), window 5's at 2.0 s (starts). */
  ck_assert_uint_eq (r.n_events, 3);
  expect_start (&r.events[0], 0, 5 * Q, 6 * Q);
  expect_end (&r.events[1], 0, 5 * Q, 6 * Q, 7 * Q, ES_EVENT_END_DECIDED);
  expect_start (&r.events[2], 0, 8 * Q, 9 * Q);
  run_clear (&r);
}
END_TEST

START_TEST (test_moving_average)
{
  EsEventConfig c;
  Run r;

  plain_config (&c);
  c.average_windows = 2;
  run_init (&r, &c);
  /* a one-window spike is halved: 0.5 < on */
  push (&r, 0.0);
  push (&r, 1.0);
  ck_assert_double_eq_tol (r.smoothed[0], 0.5, 1e-15);
  ck_assert_double_eq_tol (r.smoothed[1], 0.25, 1e-15);
  push (&r, 0.0);
  ck_assert_uint_eq (r.n_events, 0);
  /* two windows at 0.6 and 0.8 average to 0.7 >= on, decided at the
   * second (window 4, 2.0 s): onset at its new span (1.75 s) */
  push (&r, 0.6);
  ck_assert_double_eq_tol (r.smoothed[0], 0.3, 1e-15);
  push (&r, 0.8);
  ck_assert_double_eq_tol (r.smoothed[0], 0.7, 1e-15);
  ck_assert_uint_eq (r.n_events, 1);
  expect_start (&r.events[0], 0, 7 * Q, 8 * Q);
  run_clear (&r);
}
END_TEST

START_TEST (test_exponential_time_constant)
{
  EsEventConfig c;
  Run r;
  double p0[3] = { 0.2, 0.4, 0.4 }, p1[3] = { 0.8, 0.1, 0.1 };
  double p2[3] = { 0.5, 0.25, 0.25 }, s[3], a, e;

  plain_config (&c);
  c.smoothing = ES_SMOOTHING_EXPONENTIAL;
  c.time_constant = S / 2;
  run_init (&r, &c);
  es_event_detector_push (r.det, p0, 0, S, s);
  ck_assert_double_eq (s[0], 0.2);      /* the first window is taken as is */
  /* 0.25 s later: a = 1 - exp (-0.25 / 0.5) */
  es_event_detector_push (r.det, p1, Q, S + Q, s);
  a = 1 - exp (-0.5);
  e = a * 0.8 + (1 - a) * 0.2;
  ck_assert_double_eq_tol (s[0], e, 1e-15);
  /* gap-aware: 1 s later (no break), a = 1 - exp (-2) */
  es_event_detector_push (r.det, p2, S + Q, 2 * S + Q, s);
  a = 1 - exp (-2.0);
  ck_assert_double_eq_tol (s[0], a * 0.5 + (1 - a) * e, 1e-15);
  run_clear (&r);

  /* windows without times use the configured step */
  c.step = Q;
  run_init (&r, &c);
  es_event_detector_push (r.det, p0, ES_TIME_NONE, ES_TIME_NONE, s);
  es_event_detector_push (r.det, p1, ES_TIME_NONE, ES_TIME_NONE, s);
  a = 1 - exp (-0.5);
  ck_assert_double_eq_tol (s[0], a * 0.8 + (1 - a) * 0.2, 1e-15);
  run_clear (&r);
}
END_TEST

START_TEST (test_break_gap_and_eos)
{
  EsEventConfig c;
  Run r;

  plain_config (&c);
  c.average_windows = 2;
  run_init (&r, &c);
  push (&r, 0.9);               /* window 0: alone, s = 0.9: starts, onset 0 */
  push (&r, 0.7);               /* window 1: s = 0.8 */
  ck_assert_uint_eq (r.n_events, 1);
  expect_start (&r.events[0], 0, 0, S);
  ck_assert_uint_eq (es_event_detector_break (r.det, ES_EVENT_END_GAP), 1);
  collect (&r);
  /* ends at window 1's end (1.25 s), decided there too */
  expect_end (&r.events[1], 0, 0, 5 * Q, 5 * Q, ES_EVENT_END_GAP);
  /* the average restarted: window 2 alone (0.5); as the first window after
   * the break its new span is its whole span */
  push (&r, 0.5);
  ck_assert_double_eq (r.smoothed[0], 0.5);
  ck_assert_uint_eq (r.n_events, 2);
  push (&r, 0.9);               /* s = 0.7: starts at window 3's new span 1.5 s */
  ck_assert_uint_eq (r.n_events, 3);
  expect_start (&r.events[2], 0, 6 * Q, 7 * Q);
  ck_assert_uint_eq (es_event_detector_break (r.det, ES_EVENT_END_EOS), 1);
  collect (&r);
  expect_end (&r.events[3], 0, 6 * Q, 7 * Q, 7 * Q, ES_EVENT_END_EOS);
  /* nothing active: a second break makes no event */
  ck_assert_uint_eq (es_event_detector_break (r.det, ES_EVENT_END_EOS), 0);
  ck_assert_uint_eq (es_event_detector_get_windows (r.det), 4);
  run_clear (&r);
}
END_TEST

START_TEST (test_reset_drops_everything)
{
  EsEventConfig c;
  Run r;
  double mean[3];
  EsEvent e;

  plain_config (&c);
  run_init (&r, &c);
  push (&r, 0.9);
  ck_assert_uint_eq (r.n_events, 1);
  es_event_detector_reset (r.det);
  ck_assert (!es_event_detector_pop (r.det, &e));
  ck_assert (!es_event_detector_get_mean (r.det, mean));
  ck_assert_uint_eq (es_event_detector_get_windows (r.det), 0);
  ck_assert_uint_eq (es_event_detector_get_event_count (r.det, 0), 0);
  /* no END for the dropped event, even at the end of the stream */
  ck_assert_uint_eq (es_event_detector_break (r.det, ES_EVENT_END_EOS), 0);
  run_clear (&r);
}
END_TEST

START_TEST (test_summary)
{
  EsEventConfig c;
  Run r;
  double mean[3], shares[3];

  plain_config (&c);
  run_init (&r, &c);
  ck_assert (!es_event_detector_get_shares (r.det, shares));
  push3 (&r, 0.7, 0.2, 0.1);    /* covers 1 s */
  push3 (&r, 0.1, 0.8, 0.1);    /* 0.25 s each */
  push3 (&r, 0.1, 0.7, 0.2);
  /* a hands over to b in window 1: the end comes first */
  ck_assert_uint_eq (r.n_events, 3);
  expect_start (&r.events[0], 0, 0, S);
  expect_end (&r.events[1], 0, 0, S, 5 * Q, ES_EVENT_END_DECIDED);
  expect_start (&r.events[2], 1, S, 5 * Q);
  ck_assert (es_event_detector_get_mean (r.det, mean));
  ck_assert_double_eq_tol (mean[0], 0.3, 1e-15);
  ck_assert_double_eq_tol (mean[1], 1.7 / 3, 1e-15);
  ck_assert_double_eq_tol (mean[2], 0.4 / 3, 1e-15);
  ck_assert (es_event_detector_get_shares (r.det, shares));
  ck_assert_uint_eq (es_event_detector_get_covered (r.det), S + 2 * Q);
  ck_assert_double_eq_tol (shares[0], 1.0 / 1.5, 1e-15);
  ck_assert_double_eq_tol (shares[1], 0.5 / 1.5, 1e-15);
  ck_assert_double_eq (shares[2], 0);
  ck_assert_uint_eq (es_event_detector_get_event_count (r.det, 0), 1);
  ck_assert_uint_eq (es_event_detector_get_event_count (r.det, 1), 1);
  run_clear (&r);
}
END_TEST

START_TEST (test_handover_order)
{
  EsEventConfig c;
  Run r;

  plain_config (&c);
  run_init (&r, &c);
  push3 (&r, 0.1, 0.8, 0.1);
  push3 (&r, 0.8, 0.1, 0.1);
  /* b hands over to a: b's end comes before a's start (not label order) */
  ck_assert_uint_eq (r.n_events, 3);
  expect_start (&r.events[0], 1, 0, S);
  expect_end (&r.events[1], 1, 0, S, 5 * Q, ES_EVENT_END_DECIDED);
  expect_start (&r.events[2], 0, S, 5 * Q);
  run_clear (&r);
}
END_TEST

START_TEST (test_concurrent_labels)
{
  EsEventConfig c;
  Run r;

  plain_config (&c);
  c.on_threshold = 0.4;
  c.off_threshold = 0.3;
  run_init (&r, &c);
  push3 (&r, 0.45, 0.45, 0.1);
  ck_assert_uint_eq (r.n_events, 2);
  expect_start (&r.events[0], 0, 0, S);
  expect_start (&r.events[1], 1, 0, S);
  push3 (&r, 0.6, 0.2, 0.2);    /* b below off: b ends, a goes on */
  ck_assert_uint_eq (r.n_events, 3);
  expect_end (&r.events[2], 1, 0, S, 5 * Q, ES_EVENT_END_DECIDED);
  run_clear (&r);
}
END_TEST

START_TEST (test_without_times)
{
  EsEventConfig c;
  Run r;
  double p[3] = { 0.9, 0.05, 0.05 }, q[3] = { 0.1, 0.45, 0.45 }, shares[3];
  EsEvent e;

  plain_config (&c);
  c.min_duration = 10 * S;      /* cannot apply without times */
  c.refractory = 10 * S;
  run_init (&r, &c);
  es_event_detector_push (r.det, p, ES_TIME_NONE, ES_TIME_NONE, NULL);
  ck_assert (es_event_detector_pop (r.det, &e));
  ck_assert_int_eq (e.kind, ES_EVENT_START);
  ck_assert_uint_eq (e.onset, ES_TIME_NONE);
  es_event_detector_push (r.det, q, ES_TIME_NONE, ES_TIME_NONE, NULL);
  ck_assert (es_event_detector_pop (r.det, &e));
  ck_assert_int_eq (e.kind, ES_EVENT_END);
  ck_assert_uint_eq (e.offset, ES_TIME_NONE);
  es_event_detector_push (r.det, p, ES_TIME_NONE, ES_TIME_NONE, NULL);
  ck_assert (es_event_detector_pop (r.det, &e));
  ck_assert_int_eq (e.kind, ES_EVENT_START);
  /* shares by window count */
  ck_assert (es_event_detector_get_shares (r.det, shares));
  ck_assert_double_eq_tol (shares[0], 2.0 / 3, 1e-15);
  ck_assert_double_eq_tol (shares[1], 1.0 / 3, 1e-15);
  run_clear (&r);
}
END_TEST

static void
expect_bad_config (const EsEventConfig * c, const char *text)
{
  GError *err = NULL;

  ck_assert (!es_event_config_check (c, &err));
  ck_assert (g_error_matches (err, ES_DECIDE_ERROR, ES_DECIDE_ERROR_SETTINGS));
  ck_assert_msg (strstr (err->message, text) != NULL, "\"%s\" lacks \"%s\"",
      err->message, text);
  g_clear_error (&err);
  ck_assert (es_event_detector_new (3, c, &err) == NULL);
  ck_assert (err != NULL);
  g_clear_error (&err);
}

START_TEST (test_settings)
{
  EsEventConfig c;
  EsEventDetector *det;
  GError *err = NULL;

  es_event_config_init (&c);
  ck_assert (es_event_config_check (&c, NULL));
  ck_assert (c.on_threshold > c.off_threshold);
  c.vote_k = 4;
  c.vote_n = 3;
  expect_bad_config (&c, "k = 4, n = 3");
  es_event_config_init (&c);
  c.off_threshold = 0.9;
  expect_bad_config (&c, "off-threshold 0.9");
  es_event_config_init (&c);
  c.on_threshold = 0;
  expect_bad_config (&c, "on-threshold 0");
  es_event_config_init (&c);
  c.average_windows = 0;
  expect_bad_config (&c, "moving average");
  es_event_config_init (&c);
  c.smoothing = ES_SMOOTHING_EXPONENTIAL;
  c.time_constant = 0;
  expect_bad_config (&c, "time constant");

  es_event_config_init (&c);
  ck_assert (es_event_detector_new (0, &c, &err) == NULL);
  g_clear_error (&err);
  det = es_event_detector_new (3, &c, NULL);
  ck_assert_uint_eq (es_event_detector_get_n_labels (det), 3);
  ck_assert (!es_event_detector_set_thresholds (det, 0.5, 0.6));
  ck_assert (!es_event_detector_set_thresholds (det, NAN, 0.1));
  ck_assert (es_event_detector_set_thresholds (det, 0.9, 0.1));
  es_event_detector_free (det);
  es_event_detector_free (NULL);
}
END_TEST

/* A background label never starts an event, whatever its probability; the
 * other labels decide as before and the summary still counts it. */
START_TEST (test_background_label)
{
  EsEventConfig c;
  Run r;
  GError *err = NULL;
  double shares[3];

  plain_config (&c);
  c.background_label = 2;
  run_init (&r, &c);
  push3 (&r, 0.05, 0.05, 0.9);
  push3 (&r, 0.05, 0.05, 0.9);
  ck_assert_uint_eq (r.n_events, 0);
  push3 (&r, 0.1, 0.8, 0.1);    /* window 2: b starts at its new span */
  ck_assert_uint_eq (r.n_events, 1);
  expect_start (&r.events[0], 1, S + Q, 6 * Q);
  push3 (&r, 0.05, 0.05, 0.9);  /* back to background: b ends, nothing starts */
  ck_assert_uint_eq (r.n_events, 2);
  expect_end (&r.events[1], 1, S + Q, 6 * Q, 7 * Q, ES_EVENT_END_DECIDED);
  ck_assert_uint_eq (es_event_detector_get_event_count (r.det, 2), 0);
  ck_assert (es_event_detector_get_shares (r.det, shares));
  ck_assert_double_eq_tol (shares[2], 1.5 / 1.75, 1e-15);
  run_clear (&r);

  /* without it, the same windows start the background label */
  plain_config (&c);
  run_init (&r, &c);
  push3 (&r, 0.05, 0.05, 0.9);
  ck_assert_uint_eq (r.n_events, 1);
  expect_start (&r.events[0], 2, 0, S);
  run_clear (&r);

  plain_config (&c);
  c.background_label = 3;
  ck_assert (es_event_detector_new (3, &c, &err) == NULL);
  ck_assert (strstr (err->message, "background label 3") != NULL);
  g_clear_error (&err);
  c.background_label = -2;
  ck_assert (es_event_detector_new (3, &c, &err) == NULL);
  g_clear_error (&err);
}
END_TEST

/* Hours of windows: events come and go, the queue is read as it fills. */
START_TEST (test_long_stream)
{
  EsEventConfig c;
  EsEventDetector *det;
  EsEvent e;
  guint starts = 0, ends = 0;
  double p[3];

  es_event_config_init (&c);
  det = es_event_detector_new (3, &c, NULL);
  for (guint j = 0; j < 4 * 3600 * 4; j++) {
    /* 10 s on, 10 s off */
    double a = (j / 40) % 2 ? 0.95 : 0.05;

    p[0] = a;
    p[1] = p[2] = (1 - a) / 2;
    es_event_detector_push (det, p, start_of (j), end_of (j), NULL);
    while (es_event_detector_pop (det, &e))
      (e.kind == ES_EVENT_START ? starts++ : ends++);
  }
  es_event_detector_break (det, ES_EVENT_END_EOS);
  while (es_event_detector_pop (det, &e))
    (e.kind == ES_EVENT_START ? starts++ : ends++);
  ck_assert_uint_eq (starts, 4 * 3600 / 20);
  ck_assert_uint_eq (ends, starts);
  es_event_detector_free (det);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("events");
  TCase *tc = tcase_create ("events");
  SRunner *sr;
  int failed;

  tcase_add_test (tc, test_hysteresis_exact_times);
  tcase_add_test (tc, test_without_hysteresis);
  tcase_add_test (tc, test_k_of_n);
  tcase_add_test (tc, test_min_duration);
  tcase_add_test (tc, test_refractory);
  tcase_add_test (tc, test_moving_average);
  tcase_add_test (tc, test_exponential_time_constant);
  tcase_add_test (tc, test_break_gap_and_eos);
  tcase_add_test (tc, test_reset_drops_everything);
  tcase_add_test (tc, test_summary);
  tcase_add_test (tc, test_handover_order);
  tcase_add_test (tc, test_concurrent_labels);
  tcase_add_test (tc, test_without_times);
  tcase_add_test (tc, test_settings);
  tcase_add_test (tc, test_long_stream);
  tcase_add_test (tc, test_background_label);
  suite_add_tcase (s, tc);
  sr = srunner_create (s);
  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? 1 : 0;
}
