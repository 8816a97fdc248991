/* earshot: windowed framing element
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_HAMMING_FRAME_H__
#define __GST_HAMMING_FRAME_H__

#include <gst/gst.h>
#include <gst/base/gstbasetransform.h>

#include "dsp/framer.h"

G_BEGIN_DECLS

#define GST_TYPE_HAMMING_FRAME            (gst_hamming_frame_get_type ())
#define GST_HAMMING_FRAME(obj)            (G_TYPE_CHECK_INSTANCE_CAST ((obj), GST_TYPE_HAMMING_FRAME, GstHammingFrame))
#define GST_IS_HAMMING_FRAME(obj)         (G_TYPE_CHECK_INSTANCE_TYPE ((obj), GST_TYPE_HAMMING_FRAME))
#define GST_HAMMING_FRAME_CLASS(klass)    (G_TYPE_CHECK_CLASS_CAST ((klass), GST_TYPE_HAMMING_FRAME, GstHammingFrameClass))
#define GST_IS_HAMMING_FRAME_CLASS(klass) (G_TYPE_CHECK_CLASS_TYPE ((klass), GST_TYPE_HAMMING_FRAME))

#define GST_TYPE_HAMMING_FRAME_WINDOW (gst_hamming_frame_window_get_type ())

/**
 * GstHammingFrameWindow:
 * @GST_HAMMING_FRAME_WINDOW_HAMMING: w(n) = 0.54 − 0.46·cos(2πn/(N−1))
 * @GST_HAMMING_FRAME_WINDOW_HANN: w(n) = 0.5 − 0.5·cos(2πn/(N−1))
 * @GST_HAMMING_FRAME_WINDOW_RECTANGULAR: w(n) = 1
 *
 * Analysis window applied to every frame (same values as EsWindowType).
 */
typedef enum
{
  GST_HAMMING_FRAME_WINDOW_HAMMING = ES_WINDOW_HAMMING,
  GST_HAMMING_FRAME_WINDOW_HANN = ES_WINDOW_HANN,
  GST_HAMMING_FRAME_WINDOW_RECTANGULAR = ES_WINDOW_RECTANGULAR,
} GstHammingFrameWindow;

typedef struct _GstHammingFrame GstHammingFrame;
typedef struct _GstHammingFrameClass GstHammingFrameClass;

/**
 * GstHammingFrame:
 *
 * Opaque data structure.
 */
struct _GstHammingFrame
{
  GstBaseTransform parent;

  /* properties (object lock) */
  guint frame_size;             /* samples per frame */
  guint hop_size;               /* samples between frame starts */
  GstClockTime frame_duration;  /* 0, or replaces frame_size at any rate */
  GstClockTime hop_duration;    /* 0, or replaces hop_size at any rate */
  GstHammingFrameWindow window;
  guint active_frame_size;      /* negotiated; 0 before caps (latency) */

  /* <private>: streaming state (streaming thread) */
  EsFramer *framer;             /* NULL until caps are set */
  gint rate;                    /* Hz */
  GstClockTime start_ts;        /* PTS of sample 0 since the last reset */
  guint64 samples_in;           /* samples consumed since the last reset */
  gboolean anchored;            /* start_ts taken from a buffer */
  gboolean discont;             /* mark the next output buffer DISCONT */
};

struct _GstHammingFrameClass
{
  GstBaseTransformClass parent_class;
};

GType gst_hamming_frame_get_type (void);
GType gst_hamming_frame_window_get_type (void);

GST_ELEMENT_REGISTER_DECLARE (hammingframe);

G_END_DECLS

#endif /* __GST_HAMMING_FRAME_H__ */
