/* earshot: CNN classifier element
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_CNN_CLASSIFY_H__
#define __GST_CNN_CLASSIFY_H__

#include <gst/gst.h>
#include <gst/base/gstbasetransform.h>
#include <gst/video/video.h>

#include "model/model.h"
#include "decide/events.h"
#include "decide/windows.h"

G_BEGIN_DECLS

#define GST_TYPE_CNN_CLASSIFY (gst_cnn_classify_get_type ())
G_DECLARE_FINAL_TYPE (GstCnnClassify, gst_cnn_classify, GST, CNN_CLASSIFY,
    GstBaseTransform)

/* Custom tag carrying the decided label (GST_TAG_GENRE is also set for
 * genre models). */
#define ES_TAG_LABEL "earshot-label"
#define ES_TAG_CONFIDENCE "earshot-confidence"

/* Names of the messages the element posts. */
#define ES_CNN_CLASSIFY_MESSAGE "cnnclassify"
#define ES_CNN_CLASSIFY_EVENT_MESSAGE "cnnclassify-event"
#define ES_CNN_CLASSIFY_SUMMARY_MESSAGE "cnnclassify-summary"

struct _GstCnnClassify
{
  GstBaseTransform parent;

  /* properties (object lock) */
  gchar *model_location;
  guint top_k;
  gdouble threshold;
  gboolean post_messages;
  gboolean post_events;
  guint window_frames;          /* 0: the model's */
  guint hop_frames;             /* 0: about 0.25 s */
  EsEventConfig events;         /* smoothing, voting, thresholds, durations;
                                 * average_windows 0 = automatic */
  gboolean pad_short;           /* complete a stream shorter than a window */
  gchar *background_label;      /* NULL: the model's; "": none */

  /* <private> streaming state */
  EsModel *model;
  size_t first_layer;           /* the net runs from here: the count of its
                                 * front-end layers gammatonefb computed
                                 * upstream (0: the whole net) */
  int input_ndim;               /* what layer first_layer takes, per example */
  size_t input_shape[3];
  size_t input_size;            /* values per example */
  size_t n_labels;
  gint background_index;        /* label that never starts an event, -1: none */
  gboolean image_input;         /* the stream is video (else features) */
  GstVideoInfo vinfo;           /* for image input */
  guint bands;                  /* for feature input */
  gint fps_n, fps_d;            /* vector rate of the stream, 0/1 if none */
  size_t frame_values;          /* values per frame given to the windows */
  EsFrameWindows *windows;
  EsEventDetector *detector;
  float *frame;                 /* frame_values: a resized image */
  float *batch;                 /* input_size * batch_capacity */
  EsWindowInfo *batch_info;     /* batch_capacity */
  size_t batch_capacity;
  double *probs;                /* n_labels: a window's probabilities */
  double *smoothed;             /* n_labels: after smoothing */
  GstClockTime next_pts;        /* expected PTS of the next buffer */
  guint64 untimed_frames;       /* frames without PTS since the last reset */
  gint last_tagged;             /* label index last sent as a tag, -1 none */
  gboolean warned_non_finite;   /* this stream's non-finite warning is posted */
  gdouble active_on, active_off;        /* thresholds the detector has */
  guint detector_average;       /* its moving-average length */
  GstClockTime padding_start;   /* where upstream's silence that completes a
                                 * short stream starts, NONE if none came */
  GstClockTime padding_duration;
};

GType gst_cnn_classify_smoothing_get_type (void);
#define GST_TYPE_CNN_CLASSIFY_SMOOTHING (gst_cnn_classify_smoothing_get_type ())

GST_ELEMENT_REGISTER_DECLARE (cnnclassify);

G_END_DECLS

#endif /* __GST_CNN_CLASSIFY_H__ */
