/* earshot: frequency-response measurement source element
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_FR_SRC_H__
#define __GST_FR_SRC_H__

#include <gst/gst.h>
#include <gst/base/gstbasesrc.h>

#include "io/frcsv.h"

G_BEGIN_DECLS

#define GST_TYPE_FR_SRC            (gst_fr_src_get_type ())
#define GST_FR_SRC(obj)            (G_TYPE_CHECK_INSTANCE_CAST ((obj), GST_TYPE_FR_SRC, GstFrSrc))
#define GST_IS_FR_SRC(obj)         (G_TYPE_CHECK_INSTANCE_TYPE ((obj), GST_TYPE_FR_SRC))
#define GST_FR_SRC_CLASS(klass)    (G_TYPE_CHECK_CLASS_CAST ((klass), GST_TYPE_FR_SRC, GstFrSrcClass))
#define GST_IS_FR_SRC_CLASS(klass) (G_TYPE_CHECK_CLASS_TYPE ((klass), GST_TYPE_FR_SRC))

typedef struct _GstFrSrc GstFrSrc;
typedef struct _GstFrSrcClass GstFrSrcClass;

/**
 * GstFrSrc:
 *
 * Opaque data structure.
 */
struct _GstFrSrc
{
  GstBaseSrc parent;

  /* properties (object lock) */
  gchar *location;
  guint points;
  gdouble fmin, fmax;

  /* <private> streaming state, set in start()/set_caps(), freed in stop() */
  EsFrMeasurement *measurement; /* the parsed rows, from start() */
  gfloat *curve;                /* curve_points values, dB, zero-mean (set_caps) */
  guint curve_points;
  gdouble curve_fmin, curve_fmax;
  gboolean sent;                /* the one buffer went out: next is EOS */
};

struct _GstFrSrcClass
{
  GstBaseSrcClass parent_class;
};

GType gst_fr_src_get_type (void);

GST_ELEMENT_REGISTER_DECLARE (frsrc);

G_END_DECLS

#endif /* __GST_FR_SRC_H__ */
