/* earshot: pre-emphasis filter element
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_PREEMPHASIS_H__
#define __GST_PREEMPHASIS_H__

#include <gst/gst.h>
#include <gst/audio/audio.h>
#include <gst/audio/gstaudiofilter.h>

G_BEGIN_DECLS

#define GST_TYPE_PREEMPHASIS            (gst_preemphasis_get_type ())
#define GST_PREEMPHASIS(obj)            (G_TYPE_CHECK_INSTANCE_CAST ((obj), GST_TYPE_PREEMPHASIS, GstPreemphasis))
#define GST_IS_PREEMPHASIS(obj)         (G_TYPE_CHECK_INSTANCE_TYPE ((obj), GST_TYPE_PREEMPHASIS))
#define GST_PREEMPHASIS_CLASS(klass)    (G_TYPE_CHECK_CLASS_CAST ((klass), GST_TYPE_PREEMPHASIS, GstPreemphasisClass))
#define GST_IS_PREEMPHASIS_CLASS(klass) (G_TYPE_CHECK_CLASS_TYPE ((klass), GST_TYPE_PREEMPHASIS))

typedef struct _GstPreemphasis GstPreemphasis;
typedef struct _GstPreemphasisClass GstPreemphasisClass;

typedef void (*GstPreemphasisProcessFunc) (GstPreemphasis * self,
    gpointer data, guint n_frames, gdouble coefficient);

/**
 * GstPreemphasis:
 *
 * Opaque data structure.
 */
struct _GstPreemphasis
{
  GstAudioFilter parent;

  /* properties */
  gdouble coefficient;          /* a in y[n] = x[n] - a x[n-1] */

  /* <private> */
  GstPreemphasisProcessFunc process;    /* chosen per format in setup() */
  guint channels;
  gfloat *last_f32;             /* per channel: last input sample */
  gdouble *last_f64;
  guint64 samples_in;           /* samples per channel since the last reset */
  GstClockTime start_ts;        /* PTS of the first of them */
};

struct _GstPreemphasisClass
{
  GstAudioFilterClass parent_class;
};

GType gst_preemphasis_get_type (void);

GST_ELEMENT_REGISTER_DECLARE (preemphasis);

G_END_DECLS

#endif /* __GST_PREEMPHASIS_H__ */
