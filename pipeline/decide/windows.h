/* Windows over a stream of feature frames: the network input of a
 * classifier that decides once every `hop` frames on the last `window`
 * frames. Frames come in one at a time in stream order (time-major, `values`
 * floats each, e.g. the band energies of one 10 ms frame); a complete window
 * is written channels × time, [values][window], the layout of a conv1d input
 * [C, L] and of a one-channel image [1, H, W] with H = values.
 *
 * Window j after a reset holds frames j·hop … j·hop + window − 1 (counted
 * from the reset); with hop > window the frames in between are skipped.
 * Each frame carries its stream time span [start, end) in nanoseconds (or
 * ES_TIME_NONE); a window's span runs from its first frame's start to its
 * last frame's end. Plain C, one thread at a time per object. */
#ifndef ES_DECIDE_WINDOWS_H
#define ES_DECIDE_WINDOWS_H

#include <stddef.h>
#include <glib.h>

G_BEGIN_DECLS

/* "No time", as GST_CLOCK_TIME_NONE. */
#define ES_TIME_NONE G_MAXUINT64

typedef struct _EsFrameWindows EsFrameWindows;

typedef struct
{
  guint64 index;                /* window number since the last reset */
  guint64 first_frame;          /* frame number (since the reset) it starts at */
  guint64 start, end;           /* stream time span (ns), ES_TIME_NONE if unknown */
  gboolean finite;              /* FALSE: a frame held NaN or Inf */
} EsWindowInfo;

/* values >= 1 per frame, window >= 1 frames, hop >= 1 frames. */
EsFrameWindows *es_frame_windows_new (size_t values, guint window, guint hop);
void es_frame_windows_free (EsFrameWindows * windows);
guint es_frame_windows_get_window (const EsFrameWindows * windows);
guint es_frame_windows_get_hop (const EsFrameWindows * windows);
/* Frames pushed since the last reset. */
guint64 es_frame_windows_get_frames (const EsFrameWindows * windows);
/* Forget buffered frames and restart the counts (discontinuities, flushes). */
void es_frame_windows_reset (EsFrameWindows * windows);
/* Adds one frame; when it completes a window, writes the window
 * ([values][window] floats) into out, its description into info, and
 * returns TRUE. out may be NULL to only count. */
gboolean es_frame_windows_push (EsFrameWindows * windows, const float *frame,
    guint64 start, guint64 end, float *out, EsWindowInfo * info);

/* Short streams. Audio cut into frames of frame_size samples every hop_size
 * holds its first window of W frames once it has (W - 1)·hop + frame
 * samples. A clip or stream that ends before (n > 0 samples, fewer than
 * that) is completed with digital silence to exactly one window, the audio
 * at its start: zeros appended to the samples before pre-emphasis, so the
 * frames, features and decision come from the same code as any other
 * window's. The one rule of the audio data kind (training and evaluation,
 * tasks/audio/audio-set.h), `earshot classify` and the elements at the end
 * of a stream (preemphasis, hammingframe, at cnnclassify's request). */

/* Samples one window of W frames spans: (W - 1)·hop + frame. */
guint64 es_window_samples (guint window, guint frame_size, guint hop_size);
/* Samples of silence that complete n samples to one window; 0 when they
 * already hold one, and for n = 0 (nothing to complete). */
guint64 es_window_padding (guint64 n_samples, guint window, guint frame_size,
    guint hop_size);

G_END_DECLS

#endif
