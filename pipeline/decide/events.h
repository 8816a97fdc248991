/* Events on a live stream of per-window class probabilities: smoothing,
 * k-of-n voting, on/off thresholds with hysteresis, a minimum duration and a
 * refractory time, turned into "label X started / ended" with onset and
 * offset times, and a file-level summary. What each setting does, the
 * defaults and how they differ from TF micro_speech's recipe: docs/live.md.
 *
 * The caller pushes one window at a time: its class probabilities (from
 * es_decision_probabilities) and its stream time span [start, end) in
 * nanoseconds. Each window "reports on" the part of the stream it is the
 * first to cover, its new span [max (start, end of the previous window),
 * end): with windows of W frames every H frames that is its newest hop, and
 * the first window after a reset covers its whole span. Times are exact
 * integers, so tests can check event times to the nanosecond.
 *
 * Per label, on the smoothed probabilities s of the last n windows:
 *   - start: at least k of them have s >= on-threshold (counting only
 *     windows whose new span starts at or after the end of the label's
 *     refractory time); the onset is the start of the new span of the
 *     earliest of those votes;
 *   - the event is announced (START) once its active part, onset to the end
 *     of its newest window with s >= off-threshold, is at least min-duration
 *     long; an event that ends before that is never announced;
 *   - it goes on while at least k of the last n windows have s >=
 *     off-threshold (on > off gives hysteresis), and ends (END) at the end
 *     of its newest window at or above off-threshold: that is its offset;
 *   - after an END the label cannot start again with an onset earlier than
 *     offset + refractory.
 * A background label (config background_label) never starts an event: it
 * is what the stream is made of between sounds, not a sound.
 * Several labels can be active at once (only when thresholds allow). The
 * events of one window come ends first, then starts, each in label order.
 *
 * Windows without times (ES_TIME_NONE) still vote; min-duration and the
 * refractory time then do not apply and onsets/offsets are ES_TIME_NONE. */
#ifndef ES_DECIDE_EVENTS_H
#define ES_DECIDE_EVENTS_H

#include <stddef.h>
#include <glib.h>

#include "decide-error.h"
#include "decision.h"
#include "windows.h"

G_BEGIN_DECLS

typedef struct
{
  EsSmoothingKind smoothing;
  guint average_windows;        /* moving average over N windows, N >= 1 (1 = none) */
  guint64 time_constant;        /* exponential: ns > 0; a = 1 - exp (-step / tc) */
  guint64 step;                 /* ns between windows when windows come without times
                                 * (exponential smoothing only); 0 = one time constant */
  guint vote_k, vote_n;         /* k of the last n windows, 1 <= k <= n */
  double on_threshold;          /* (0, 1] */
  double off_threshold;         /* [0, on_threshold] */
  guint64 min_duration;         /* ns */
  guint64 refractory;           /* ns */
  gint background_label;        /* a label that never starts an event (a model's
                                 * "nothing here" class), -1 = none; it still
                                 * counts in the summary's mean and shares */
} EsEventConfig;

/* The defaults (docs/live.md says why). */
#define ES_EVENT_NO_BACKGROUND (-1)
#define ES_EVENT_DEFAULT_SMOOTHING ES_SMOOTHING_MOVING_AVERAGE
#define ES_EVENT_DEFAULT_AVERAGE_WINDOWS 2
#define ES_EVENT_DEFAULT_TIME_CONSTANT (G_GUINT64_CONSTANT (350000000))      /* 0.35 s */
#define ES_EVENT_DEFAULT_VOTE_K 1
#define ES_EVENT_DEFAULT_VOTE_N 1
#define ES_EVENT_DEFAULT_ON_THRESHOLD 0.8
#define ES_EVENT_DEFAULT_OFF_THRESHOLD 0.3
#define ES_EVENT_DEFAULT_MIN_DURATION 0
#define ES_EVENT_DEFAULT_REFRACTORY (G_GUINT64_CONSTANT (1000000000)) /* 1 s */
#define ES_EVENT_MAX_VOTE_N 1000
#define ES_EVENT_MAX_AVERAGE_WINDOWS 1000

void es_event_config_init (EsEventConfig * config);
/* FALSE with ES_DECIDE_ERROR_SETTINGS naming the setting. */
gboolean es_event_config_check (const EsEventConfig * config, GError ** error);

typedef enum
{
  ES_EVENT_START,
  ES_EVENT_END,
} EsEventKind;

typedef enum
{
  ES_EVENT_END_DECIDED,         /* the label fell below the off-threshold */
  ES_EVENT_END_GAP,             /* a discontinuity or a gap in the stream */
  ES_EVENT_END_EOS,             /* the stream ended */
} EsEventEndReason;

typedef struct
{
  EsEventKind kind;
  EsEventEndReason reason;      /* END only */
  size_t label;
  guint64 onset;                /* stream time the event began (ns) */
  guint64 offset;               /* END: when it ended; START: ES_TIME_NONE */
  guint64 decided;              /* end of the window that decided it (START:
                                 * the announcement; the latency is decided - true onset) */
  double confidence;            /* START: s of the deciding window; END: the mean */
  double peak;                  /* highest s over the event's windows (so far) */
  double mean;                  /* mean s over the event's windows (so far) */
  guint windows;                /* windows from the onset to the last active one */
} EsEvent;

typedef struct _EsEventDetector EsEventDetector;

/* NULL with the error when the config is not valid. */
EsEventDetector *es_event_detector_new (size_t n_labels,
    const EsEventConfig * config, GError ** error);
void es_event_detector_free (EsEventDetector * det);
size_t es_event_detector_get_n_labels (const EsEventDetector * det);
/* Thresholds may change between windows (controllable properties);
 * FALSE if they are not valid (nothing changed then). */
gboolean es_event_detector_set_thresholds (EsEventDetector * det, double on,
    double off);

/* One window: probabilities in label order and its span. Writes the
 * smoothed probabilities into smoothed (n_labels, may be NULL). Returns how
 * many events it produced (read them with es_event_detector_pop). */
guint es_event_detector_push (EsEventDetector * det, const double *probs,
    guint64 start, guint64 end, double *smoothed);
/* Oldest unread event; FALSE when there is none. */
gboolean es_event_detector_pop (EsEventDetector * det, EsEvent * event);
/* A discontinuity, gap or the end of the stream: active events end (reason
 * ES_EVENT_END_GAP or ES_EVENT_END_EOS) at their offsets, events not yet
 * announced are dropped, smoothing and votes start again. The summary and
 * the refractory times are kept. Returns the number of events produced. */
guint es_event_detector_break (EsEventDetector * det, EsEventEndReason reason);
/* Forget everything (flush, new stream): active events are dropped without
 * an END, the summary starts again. */
void es_event_detector_reset (EsEventDetector * det);

/* The summary since the last reset. */
guint64 es_event_detector_get_windows (const EsEventDetector * det);
/* File-level decision: the mean of the windows' (unsmoothed) probabilities
 * (es_decision_mean); FALSE when no window was pushed. */
gboolean es_event_detector_get_mean (const EsEventDetector * det,
    double *probs);
/* Each label's share of time as the decision (the best smoothed label),
 * weighted by the windows' new spans (by window count when the windows have
 * no times); sums to 1. FALSE when no window was pushed. */
gboolean es_event_detector_get_shares (const EsEventDetector * det,
    double *shares);
/* Events of the label announced since the last reset. */
guint es_event_detector_get_event_count (const EsEventDetector * det,
    size_t label);
/* Stream time covered by the windows' new spans (ns; 0 without times). */
guint64 es_event_detector_get_covered (const EsEventDetector * det);

G_END_DECLS

#endif
