/* earshot: gammatone filterbank element
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_GAMMATONE_FB_H__
#define __GST_GAMMATONE_FB_H__

#include <gst/gst.h>
#include <gst/base/gstbasetransform.h>

#include "dsp/compress.h"
#include "dsp/gammatone.h"
#include "dsp/dct.h"
#include "model/model.h"

G_BEGIN_DECLS

#define GST_TYPE_GAMMATONE_FB            (gst_gammatone_fb_get_type ())
#define GST_GAMMATONE_FB(obj)            (G_TYPE_CHECK_INSTANCE_CAST ((obj), GST_TYPE_GAMMATONE_FB, GstGammatoneFb))
#define GST_IS_GAMMATONE_FB(obj)         (G_TYPE_CHECK_INSTANCE_TYPE ((obj), GST_TYPE_GAMMATONE_FB))
#define GST_GAMMATONE_FB_CLASS(klass)    (G_TYPE_CHECK_CLASS_CAST ((klass), GST_TYPE_GAMMATONE_FB, GstGammatoneFbClass))
#define GST_IS_GAMMATONE_FB_CLASS(klass) (G_TYPE_CHECK_CLASS_TYPE ((klass), GST_TYPE_GAMMATONE_FB))

typedef struct _GstGammatoneFb GstGammatoneFb;
typedef struct _GstGammatoneFbClass GstGammatoneFbClass;

/**
 * GstGammatoneFb:
 *
 * Opaque data structure.
 */
struct _GstGammatoneFb
{
  GstBaseTransform parent;

  /* properties (object lock) */
  guint bands;                  /* number of filters */
  gdouble fmin, fmax;           /* Hz; fmax 0 = rate / 2 */
  gdouble bandwidth;            /* ERB factor */
  gdouble log_floor;            /* floor before the log */
  guint dct;                    /* cepstral coefficients kept, 0 = off */
  gchar *model_location;        /* model= (path or name), or NULL */
  EsModel *model;               /* loaded from it; its front-end rules */
  GError *model_error;          /* why it did not load */
  guint explicit_props;         /* bit per property set by the user */
  gboolean dirty;               /* a filter property changed: rebuild */

  /* <private>: streaming state (streaming thread) */
  gint rate;                    /* Hz, from the frame caps */
  gint frame_size;              /* samples per input frame */
  gint hop_size;                /* samples between frames */
  const gchar *window;          /* the frames' window (caps string) */
  guint n_bands;                /* negotiated filter count */
  guint n_dct;                  /* negotiated DCT size, 0 = off */
  EsGammatoneBand *band_params; /* per-band parameters (data, not constants) */
  EsGammatoneFb *fb;
  EsDct *dct_plan;
  gint compression;             /* EsFrontendCompression in use */
  EsPcen *pcen;                 /* compression pcen */
  gfloat *pcen_raw;             /* its learned values (a copy of the model's), or NULL */
  gdouble *pcen_state;          /* n_bands smoothers carried along the stream */
  gfloat *energies;             /* n_bands scratch */
  gboolean warned_non_finite;   /* posted the non-finite warning */
};

struct _GstGammatoneFbClass
{
  GstBaseTransformClass parent_class;
};

GType gst_gammatone_fb_get_type (void);

GST_ELEMENT_REGISTER_DECLARE (gammatonefb);

G_END_DECLS

#endif /* __GST_GAMMATONE_FB_H__ */
