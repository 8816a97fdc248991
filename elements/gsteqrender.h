/* earshot: parametric equaliser element
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_EQ_RENDER_H__
#define __GST_EQ_RENDER_H__

#include <gst/gst.h>
#include <gst/audio/audio.h>
#include <gst/audio/gstaudiofilter.h>

#include "dsp/biquad.h"
#include "io/frcsv.h"

G_BEGIN_DECLS

/**
 * GstEqRenderBandType:
 * @GST_EQ_RENDER_BAND_PEAKING: a bell around the frequency (gain, Q)
 * @GST_EQ_RENDER_BAND_LOW_SHELF: gain below the frequency (gain, Q as slope)
 * @GST_EQ_RENDER_BAND_HIGH_SHELF: gain above the frequency (gain, Q as slope)
 * @GST_EQ_RENDER_BAND_LOW_PASS: 12 dB/octave low-pass (Q; gain unused)
 * @GST_EQ_RENDER_BAND_HIGH_PASS: 12 dB/octave high-pass (Q; gain unused)
 * @GST_EQ_RENDER_BAND_NOTCH: a notch at the frequency (Q; gain unused)
 *
 * The RBJ Audio EQ Cookbook sections, as AutoEq and Equalizer APO use them
 * (PK, LSC, HSC, LP, HP, NO in a ParametricEQ.txt).
 */
typedef enum
{
  GST_EQ_RENDER_BAND_PEAKING = ES_BIQUAD_PEAKING,
  GST_EQ_RENDER_BAND_LOW_SHELF = ES_BIQUAD_LOW_SHELF,
  GST_EQ_RENDER_BAND_HIGH_SHELF = ES_BIQUAD_HIGH_SHELF,
  GST_EQ_RENDER_BAND_LOW_PASS = ES_BIQUAD_LOW_PASS,
  GST_EQ_RENDER_BAND_HIGH_PASS = ES_BIQUAD_HIGH_PASS,
  GST_EQ_RENDER_BAND_NOTCH = ES_BIQUAD_NOTCH,
} GstEqRenderBandType;

#define GST_TYPE_EQ_RENDER_BAND_TYPE (gst_eq_render_band_type_get_type ())
GType gst_eq_render_band_type_get_type (void);

#define GST_TYPE_EQ_RENDER_BAND            (gst_eq_render_band_get_type ())
#define GST_EQ_RENDER_BAND(obj)            (G_TYPE_CHECK_INSTANCE_CAST ((obj), GST_TYPE_EQ_RENDER_BAND, GstEqRenderBand))
#define GST_IS_EQ_RENDER_BAND(obj)         (G_TYPE_CHECK_INSTANCE_TYPE ((obj), GST_TYPE_EQ_RENDER_BAND))

typedef struct _GstEqRenderBand GstEqRenderBand;
typedef struct _GstEqRenderBandClass GstEqRenderBandClass;

/**
 * GstEqRenderBand:
 *
 * One band of #GstEqRender (child "band0", "band1", ...). Opaque.
 */
struct _GstEqRenderBand
{
  GstObject parent;

  /* <private>, under the band's object lock */
  GstEqRenderBandType type;
  gdouble freq;                 /* Hz */
  gdouble gain;                 /* dB */
  gdouble q;
};

struct _GstEqRenderBandClass
{
  GstObjectClass parent_class;
};

GType gst_eq_render_band_get_type (void);

#define GST_TYPE_EQ_RENDER            (gst_eq_render_get_type ())
#define GST_EQ_RENDER(obj)            (G_TYPE_CHECK_INSTANCE_CAST ((obj), GST_TYPE_EQ_RENDER, GstEqRender))
#define GST_IS_EQ_RENDER(obj)         (G_TYPE_CHECK_INSTANCE_TYPE ((obj), GST_TYPE_EQ_RENDER))
#define GST_EQ_RENDER_CLASS(klass)    (G_TYPE_CHECK_CLASS_CAST ((klass), GST_TYPE_EQ_RENDER, GstEqRenderClass))

typedef struct _GstEqRender GstEqRender;
typedef struct _GstEqRenderClass GstEqRenderClass;

typedef void (*GstEqRenderProcessFunc) (GstEqRender * self, gpointer data,
    guint n_frames);

/**
 * GstEqRender:
 *
 * Opaque data structure.
 */
struct _GstEqRender
{
  GstAudioFilter parent;

  /* <private> */
  /* properties, under the object lock */
  GPtrArray *bands;             /* GstEqRenderBand, children band0...
                                 * (each referenced as a child) */
  GRecMutex resize_lock;        /* one band-count change at a time */
  gdouble preamp;               /* dB */
  gboolean auto_preamp;
  guint64 ramp_time;            /* ns */
  gchar *parametric_eq;
  gchar *measurement_path;
  gchar *target_name;
  guint max_filters;

  /* set from any thread: the bands or the preamp changed (atomic) */
  gint changed;
  /* a whole EQ (file, fit) is being applied band by band: the streaming
   * thread waits for the end before it takes the bands (atomic) */
  gint applying;
  /* per file property (parametric-eq, measurement, target): the error of
   * its current value while stopped, posted at start */
  GError *pending_error[3];
  /* curves of measurement= / target=, and the rate they were fitted at */
  EsFrMeasurement *measurement;
  EsFrMeasurement *target;
  gint fitted_rate;
  gboolean started;

  /* streaming thread */
  GstEqRenderProcessFunc process;       /* chosen per format in setup() */
  EsBiquadCascade *cascade;
  gint rate;
  gboolean refused;             /* the bands are invalid at this rate */
  gdouble applied_preamp;       /* dB, what the cascade's output gain is */
  guint64 nonfinite_seen;
  gboolean nonfinite_warned;
};

struct _GstEqRenderClass
{
  GstAudioFilterClass parent_class;
};

GType gst_eq_render_get_type (void);

GST_ELEMENT_REGISTER_DECLARE (eqrender);

G_END_DECLS

#endif /* __GST_EQ_RENDER_H__ */
