/* earshot: completing a stream shorter than one window, between elements
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A stream that ends before the first window of a classifier is complete
 * would make no decision. At EOS the first element that sees its samples
 * (#preemphasis, else #hammingframe) completes it with digital silence to one
 * window, by the rule of decide/windows.h (es_window_padding, the rule of
 * training and `earshot classify`), so the silence goes through the very
 * pre-emphasis, framing, filterbank, compression (log, PCEN, learned) and
 * network every other window goes through:
 *
 * 1. it asks downstream how long one window is with the custom query
 *    ES_WINDOW_QUERY: #cnnclassify answers `frames` (W) when it completes
 *    short streams (pad-short), #hammingframe on the way adds `frame-size`
 *    and `hop-size` (no answer: nothing is padded);
 * 2. if the samples since its last restart fall short of one window, it
 *    sends the serialized custom event ES_WINDOW_PADDING_EVENT (`start`: the
 *    time the silence starts, the end of the audio; `duration`; `samples`),
 *    which tells #cnnclassify which part of its window is silence;
 * 3. it pushes the zeros through its own processing, then forwards EOS.
 *
 * Nothing else changes: a stream that reached one window is left alone. A
 * window longer than 64 Mi samples is not completed (a warning, no
 * decision), so a hand-made model cannot ask for gigabytes of zeros.
 */
#ifndef ES_WINDOW_PADDING_H
#define ES_WINDOW_PADDING_H

#include <gst/gst.h>

G_BEGIN_DECLS

#define ES_WINDOW_QUERY "earshot-window"
#define ES_WINDOW_PADDING_EVENT "earshot-window-padding"

/* Asks downstream of srcpad how long one window is. TRUE when an element
 * completes short streams: frames = W, and frame_size, hop_size when an
 * element on the way frames audio (else 0). */
gboolean es_window_query_run (GstPad * srcpad, guint * frames,
    guint * frame_size, guint * hop_size);
gboolean es_window_query_is (GstQuery * query);
/* The answers: cnnclassify's window, hammingframe's framing. */
void es_window_query_set_frames (GstQuery * query, guint frames);
void es_window_query_set_framing (GstQuery * query, guint frame_size,
    guint hop_size);

/* At EOS in an element that has seen n_samples samples at rate Hz since
 * its last restart (the first at t0, or NONE): the samples of silence that
 * complete them to one window downstream asks for, 0 for none. When > 0 the
 * padding event has been sent and *pts, *duration are the silence's times,
 * to push on the zeros. frame_size, hop_size: the element's own framing
 * (hammingframe), 0 to take the answer's. */
guint64 es_window_padding_begin (GstPad * srcpad, guint64 n_samples,
    GstClockTime t0, gint rate, guint frame_size, guint hop_size,
    GstClockTime * pts, GstClockTime * duration);
/* TRUE (with the silence's start and duration) for the padding event. */
gboolean es_window_padding_parse (GstEvent * event, GstClockTime * start,
    GstClockTime * duration);

G_END_DECLS

#endif
