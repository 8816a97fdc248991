/* Events from per-window probabilities; see events.h for the rules. */
#include "decide/events.h"

#include <math.h>
#include <string.h>

typedef enum
{
  LABEL_IDLE,
  LABEL_PENDING,                /* started but shorter than min_duration so far */
  LABEL_ACTIVE,                 /* announced */
} LabelState;

typedef struct
{
  LabelState state;
  guint64 onset;
  guint64 last_active_end;      /* end of the newest window with s >= off */
  guint64 blocked_until;        /* refractory: no onset before (NONE: free) */
  double peak, sum;             /* windows up to the last active one */
  guint count;
  double tail_peak, tail_sum;   /* windows after it (below off so far) */
  guint tail_count;
  guint events;
  guint64 share_ns, share_windows;
} LabelTrack;

typedef struct
{
  guint64 new_start, end;
} Slot;

struct _EsEventDetector
{
  size_t n_labels;
  EsEventConfig config;
  EsSmoother *smoother;
  EsDecisionMean *mean;
  LabelTrack *tracks;
  Slot *slots;                  /* the last n windows, ring */
  double *slot_probs;           /* vote_n * n_labels smoothed probabilities */
  guint64 pushed;               /* windows since the last break */
  guint64 prev_end;             /* end of the previous window, NONE after a break */
  guint64 windows;              /* since the last reset */
  guint64 covered;
  GArray *queue;                /* EsEvent, read from queue_pos */
  guint queue_pos;
  double *scratch;
};

#define TIME_VALID(t) ((t) != ES_TIME_NONE)

void
es_event_config_init (EsEventConfig * c)
{
  memset (c, 0, sizeof *c);
  c->smoothing = ES_EVENT_DEFAULT_SMOOTHING;
  c->average_windows = ES_EVENT_DEFAULT_AVERAGE_WINDOWS;
  c->time_constant = ES_EVENT_DEFAULT_TIME_CONSTANT;
  c->step = 0;
  c->vote_k = ES_EVENT_DEFAULT_VOTE_K;
  c->vote_n = ES_EVENT_DEFAULT_VOTE_N;
  c->on_threshold = ES_EVENT_DEFAULT_ON_THRESHOLD;
  c->off_threshold = ES_EVENT_DEFAULT_OFF_THRESHOLD;
  c->min_duration = ES_EVENT_DEFAULT_MIN_DURATION;
  c->refractory = ES_EVENT_DEFAULT_REFRACTORY;
  c->background_label = ES_EVENT_NO_BACKGROUND;
}

static gboolean
check_thresholds (double on, double off, GError ** error)
{
  if (!(on > 0 && on <= 1)) {
    g_set_error (error, ES_DECIDE_ERROR, ES_DECIDE_ERROR_SETTINGS,
        "on-threshold %g is not in (0, 1]", on);
    return FALSE;
  }
  if (!(off >= 0 && off <= on)) {
    g_set_error (error, ES_DECIDE_ERROR, ES_DECIDE_ERROR_SETTINGS,
        "off-threshold %g must be in [0, on-threshold %g]", off, on);
    return FALSE;
  }
  return TRUE;
}

gboolean
es_event_config_check (const EsEventConfig * c, GError ** error)
{
  if (c->smoothing == ES_SMOOTHING_MOVING_AVERAGE
      && (c->average_windows < 1
          || c->average_windows > ES_EVENT_MAX_AVERAGE_WINDOWS)) {
    g_set_error (error, ES_DECIDE_ERROR, ES_DECIDE_ERROR_SETTINGS,
        "the moving average needs 1 to %d windows, not %u",
        ES_EVENT_MAX_AVERAGE_WINDOWS, c->average_windows);
    return FALSE;
  }
  if (c->smoothing == ES_SMOOTHING_EXPONENTIAL && c->time_constant == 0) {
    g_set_error (error, ES_DECIDE_ERROR, ES_DECIDE_ERROR_SETTINGS,
        "exponential smoothing needs a time constant above 0");
    return FALSE;
  }
  if (c->smoothing != ES_SMOOTHING_MOVING_AVERAGE
      && c->smoothing != ES_SMOOTHING_EXPONENTIAL) {
    g_set_error (error, ES_DECIDE_ERROR, ES_DECIDE_ERROR_SETTINGS,
        "unknown smoothing %d", (int) c->smoothing);
    return FALSE;
  }
  if (c->vote_k < 1 || c->vote_n < c->vote_k
      || c->vote_n > ES_EVENT_MAX_VOTE_N) {
    g_set_error (error, ES_DECIDE_ERROR, ES_DECIDE_ERROR_SETTINGS,
        "k-of-n voting needs 1 <= k <= n <= %d, not k = %u, n = %u",
        ES_EVENT_MAX_VOTE_N, c->vote_k, c->vote_n);
    return FALSE;
  }
  return check_thresholds (c->on_threshold, c->off_threshold, error);
}

EsEventDetector *
es_event_detector_new (size_t n_labels, const EsEventConfig * config,
    GError ** error)
{
  EsEventDetector *det;

  if (!es_event_config_check (config, error))
    return NULL;
  if (n_labels < 1) {
    g_set_error (error, ES_DECIDE_ERROR, ES_DECIDE_ERROR_SETTINGS,
        "no labels to decide between");
    return NULL;
  }
  if (config->background_label < ES_EVENT_NO_BACKGROUND
      || (config->background_label >= 0
          && (size_t) config->background_label >= n_labels)) {
    g_set_error (error, ES_DECIDE_ERROR, ES_DECIDE_ERROR_SETTINGS,
        "background label %d is not one of the %zu labels",
        config->background_label, n_labels);
    return NULL;
  }
  det = g_new0 (EsEventDetector, 1);
  det->n_labels = n_labels;
  det->config = *config;
  det->smoother = config->smoothing == ES_SMOOTHING_EXPONENTIAL
      ? es_smoother_new_exponential (n_labels, 1.0)
      : es_smoother_new_moving_average (n_labels, config->average_windows);
  det->mean = es_decision_mean_new (n_labels);
  det->tracks = g_new0 (LabelTrack, n_labels);
  det->slots = g_new0 (Slot, config->vote_n);
  det->slot_probs = g_new0 (double, (size_t) config->vote_n * n_labels);
  det->queue = g_array_new (FALSE, FALSE, sizeof (EsEvent));
  det->scratch = g_new0 (double, n_labels);
  es_event_detector_reset (det);
  return det;
}

void
es_event_detector_free (EsEventDetector * det)
{
  if (det == NULL)
    return;
  es_smoother_free (det->smoother);
  es_decision_mean_free (det->mean);
  g_free (det->tracks);
  g_free (det->slots);
  g_free (det->slot_probs);
  g_array_unref (det->queue);
  g_free (det->scratch);
  g_free (det);
}

size_t
es_event_detector_get_n_labels (const EsEventDetector * det)
{
  return det->n_labels;
}

gboolean
es_event_detector_set_thresholds (EsEventDetector * det, double on, double off)
{
  if (!check_thresholds (on, off, NULL))
    return FALSE;
  det->config.on_threshold = on;
  det->config.off_threshold = off;
  return TRUE;
}

static void
label_idle (LabelTrack * t)
{
  t->state = LABEL_IDLE;
  t->onset = t->last_active_end = ES_TIME_NONE;
  t->peak = t->sum = t->tail_peak = t->tail_sum = 0;
  t->count = t->tail_count = 0;
}

static void
forget_votes (EsEventDetector * det)
{
  det->pushed = 0;
  det->prev_end = ES_TIME_NONE;
  es_smoother_reset (det->smoother);
}

void
es_event_detector_reset (EsEventDetector * det)
{
  forget_votes (det);
  es_decision_mean_reset (det->mean);
  for (size_t c = 0; c < det->n_labels; c++) {
    LabelTrack *t = &det->tracks[c];

    label_idle (t);
    t->blocked_until = ES_TIME_NONE;
    t->events = 0;
    t->share_ns = t->share_windows = 0;
  }
  det->windows = 0;
  det->covered = 0;
  g_array_set_size (det->queue, 0);
  det->queue_pos = 0;
}

static void
queue_event (EsEventDetector * det, EsEventKind kind, EsEventEndReason reason,
    size_t label, guint64 decided, double confidence)
{
  LabelTrack *t = &det->tracks[label];
  EsEvent e = { 0 };

  /* drop what was read, so the queue never grows with the stream */
  if (det->queue_pos == det->queue->len) {
    g_array_set_size (det->queue, 0);
    det->queue_pos = 0;
  }
  e.kind = kind;
  e.reason = reason;
  e.label = label;
  e.onset = t->onset;
  e.offset = kind == ES_EVENT_END ? t->last_active_end : ES_TIME_NONE;
  e.decided = decided;
  e.peak = t->peak;
  e.mean = t->count ? t->sum / t->count : 0;
  e.windows = t->count;
  e.confidence = kind == ES_EVENT_END ? e.mean : confidence;
  g_array_append_val (det->queue, e);
}

gboolean
es_event_detector_pop (EsEventDetector * det, EsEvent * event)
{
  if (det->queue_pos >= det->queue->len)
    return FALSE;
  *event = g_array_index (det->queue, EsEvent, det->queue_pos);
  det->queue_pos++;
  return TRUE;
}

/* Slot i back from the newest (0 = newest), for i < MIN (pushed, n). */
static guint
slot_back (const EsEventDetector * det, guint i)
{
  return (guint) ((det->pushed - 1 - i) % det->config.vote_n);
}

static double
slot_prob (const EsEventDetector * det, guint slot, size_t label)
{
  return det->slot_probs[(size_t) slot * det->n_labels + label];
}

/* Add one window of the event: windows at or above off make the event's
 * active part longer (taking the windows in between with them). */
static void
extend (EsEventDetector * det, LabelTrack * t, guint slot, size_t label)
{
  double s = slot_prob (det, slot, label);

  if (s >= det->config.off_threshold) {
    t->sum += t->tail_sum + s;
    t->count += t->tail_count + 1;
    t->peak = MAX (MAX (t->peak, t->tail_peak), s);
    t->tail_sum = t->tail_peak = 0;
    t->tail_count = 0;
    t->last_active_end = det->slots[slot].end;
  } else {
    t->tail_sum += s;
    t->tail_peak = MAX (t->tail_peak, s);
    t->tail_count++;
  }
}

static gboolean
outside_refractory (const LabelTrack * t, const Slot * slot)
{
  return !TIME_VALID (t->blocked_until) || !TIME_VALID (slot->new_start)
      || slot->new_start >= t->blocked_until;
}

static gboolean
long_enough (const EsEventDetector * det, const LabelTrack * t)
{
  return det->config.min_duration == 0 || !TIME_VALID (t->onset)
      || !TIME_VALID (t->last_active_end)
      || t->last_active_end - t->onset >= det->config.min_duration;
}

static void
end_event (EsEventDetector * det, size_t label, EsEventEndReason reason,
    guint64 decided)
{
  LabelTrack *t = &det->tracks[label];

  if (t->state == LABEL_ACTIVE) {
    queue_event (det, ES_EVENT_END, reason, label, decided, 0);
    if (TIME_VALID (t->last_active_end))
      t->blocked_until = t->last_active_end + det->config.refractory;
  }
  label_idle (t);
}

static void
decide_label (EsEventDetector * det, size_t label)
{
  LabelTrack *t = &det->tracks[label];
  guint seen = (guint) MIN (det->pushed, (guint64) det->config.vote_n);
  guint newest = slot_back (det, 0);
  guint64 decided = det->slots[newest].end;
  guint votes = 0;

  if (t->state == LABEL_IDLE) {
    gint earliest = -1;

    for (guint i = 0; i < seen; i++) {
      guint slot = slot_back (det, i);

      if (slot_prob (det, slot, label) >= det->config.on_threshold
          && outside_refractory (t, &det->slots[slot])) {
        votes++;
        earliest = (gint) i;
      }
    }
    if (votes < det->config.vote_k)
      return;
    t->state = LABEL_PENDING;
    t->onset = det->slots[slot_back (det, (guint) earliest)].new_start;
    for (gint i = earliest; i >= 0; i--)
      extend (det, t, slot_back (det, (guint) i), label);
  } else {
    extend (det, t, newest, label);
    for (guint i = 0; i < seen; i++)
      votes += slot_prob (det, slot_back (det, i), label)
          >= det->config.off_threshold;
    if (votes < det->config.vote_k) {
      end_event (det, label, ES_EVENT_END_DECIDED, decided);
      return;
    }
  }
  if (t->state == LABEL_PENDING && long_enough (det, t)) {
    t->state = LABEL_ACTIVE;
    t->events++;
    queue_event (det, ES_EVENT_START, 0, label, decided,
        slot_prob (det, newest, label));
  }
}

/* Within one window, ends come before starts (a label handing over to
 * another reads "A ended, B started"); otherwise label order. */
static void
order_ends_first (EsEventDetector * det, guint from)
{
  guint n = det->queue->len - from, k = 0;
  EsEvent *events, *sorted;

  if (n < 2)
    return;
  events = &g_array_index (det->queue, EsEvent, from);
  sorted = g_newa (EsEvent, n);
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < n; i++)
      if ((events[i].kind == ES_EVENT_END) == (pass == 0))
        sorted[k++] = events[i];
  memcpy (events, sorted, n * sizeof (EsEvent));
}

guint
es_event_detector_push (EsEventDetector * det, const double *probs,
    guint64 start, guint64 end, double *smoothed)
{
  guint before = det->queue->len - det->queue_pos;
  double *s = smoothed ? smoothed : det->scratch;
  guint slot;
  Slot *sl;
  size_t best;

  if (det->config.smoothing == ES_SMOOTHING_EXPONENTIAL) {
    double step = 0, alpha;

    if (TIME_VALID (det->prev_end) && TIME_VALID (end) && end > det->prev_end)
      step = (double) (end - det->prev_end);
    else if (det->config.step > 0)
      step = (double) det->config.step;
    alpha = step > 0 ? -expm1 (-step / det->config.time_constant)
        : -expm1 (-1.0);
    es_smoother_set_alpha (det->smoother, MAX (alpha, 1e-300));
  }
  es_smoother_push (det->smoother, probs, s);
  es_decision_mean_add (det->mean, probs);

  slot = (guint) (det->pushed % det->config.vote_n);
  sl = &det->slots[slot];
  sl->end = end;
  sl->new_start = start;
  if (TIME_VALID (det->prev_end) && TIME_VALID (start)
      && det->prev_end > start)
    sl->new_start = MIN (det->prev_end, end);
  memcpy (det->slot_probs + (size_t) slot * det->n_labels, s,
      det->n_labels * sizeof (double));
  det->pushed++;
  det->windows++;

  best = es_decision_best (s, det->n_labels);
  det->tracks[best].share_windows++;
  if (TIME_VALID (sl->new_start) && TIME_VALID (end) && end > sl->new_start) {
    det->tracks[best].share_ns += end - sl->new_start;
    det->covered += end - sl->new_start;
  }

  for (size_t c = 0; c < det->n_labels; c++)
    if ((gint) c != det->config.background_label)
      decide_label (det, c);
  order_ends_first (det, det->queue_pos + before);
  det->prev_end = end;
  return det->queue->len - det->queue_pos - before;
}

guint
es_event_detector_break (EsEventDetector * det, EsEventEndReason reason)
{
  guint before = det->queue->len - det->queue_pos;

  for (size_t c = 0; c < det->n_labels; c++)
    end_event (det, c, reason, det->prev_end);
  forget_votes (det);
  return det->queue->len - det->queue_pos - before;
}

guint64
es_event_detector_get_windows (const EsEventDetector * det)
{
  return det->windows;
}

gboolean
es_event_detector_get_mean (const EsEventDetector * det, double *probs)
{
  return es_decision_mean_get (det->mean, probs);
}

gboolean
es_event_detector_get_shares (const EsEventDetector * det, double *shares)
{
  if (det->windows == 0)
    return FALSE;
  for (size_t c = 0; c < det->n_labels; c++)
    shares[c] = det->covered > 0
        ? (double) det->tracks[c].share_ns / (double) det->covered
        : (double) det->tracks[c].share_windows / (double) det->windows;
  return TRUE;
}

guint
es_event_detector_get_event_count (const EsEventDetector * det, size_t label)
{
  return label < det->n_labels ? det->tracks[label].events : 0;
}

guint64
es_event_detector_get_covered (const EsEventDetector * det)
{
  return det->covered;
}
