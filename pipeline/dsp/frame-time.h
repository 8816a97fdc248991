/* Timestamps of a stream of frames (samples, frames of samples, feature
 * vectors, images of a window of frames), in nanoseconds as GStreamer counts
 * them, without any GStreamer type.
 *
 * The one formula: frame k of a stream whose frame 0 is at T0 and whose frames
 * are step_num / step_den ns apart is at
 *     T0 + floor (k · step_num / step_den)
 * computed exactly (a 128-bit product), from the count k alone. Frame k's time
 * therefore never depends on how the stream was cut into buffers, and nothing
 * accumulates: after 10^6 frames of 256 samples at 22050 Hz it is the exact
 * rational time rounded down, where summing per-buffer durations of a whole
 * number of ns drifts. `hammingframe` (frames of hop H at rate R: step H·10^9 / R),
 * `gammatonefb` (copies its input's times: one vector per frame),
 * `spectrogramimager` and `cnnclassify` (framerate F = n/d: step d·10^9 / n)
 * all use it, so the k-th vector has the same time in every element. */
#ifndef ES_DSP_FRAME_TIME_H
#define ES_DSP_FRAME_TIME_H

#include <glib.h>

G_BEGIN_DECLS

/* "No time": the value GStreamer's GST_CLOCK_TIME_NONE has. */
#define ES_FRAME_TIME_NONE G_MAXUINT64

/* T0 + floor (index · step_num / step_den) ns; ES_FRAME_TIME_NONE when t0 is
 * ES_FRAME_TIME_NONE, step_den is 0 or the time does not fit in 64 bits. */
guint64 es_frame_time (guint64 t0, guint64 index, guint64 step_num,
    guint64 step_den);

/* The time of frame @index of a buffer of frames, exactly as the producer's
 * frame count gives it. @first is the index of the buffer's first frame since
 * the stream's T0 (a frames/features buffer's OFFSET), @pts its time: T0 =
 * pts − es_frame_time (0, first, ...). ES_FRAME_TIME_NONE when pts is, or when
 * first is ES_FRAME_TIME_NONE or lies after pts. */
guint64 es_frame_time_in_buffer (guint64 pts, guint64 first, guint64 index,
    guint64 step_num, guint64 step_den);

G_END_DECLS

#endif
