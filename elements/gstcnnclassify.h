/* earshot: CNN classifier element
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_CNN_CLASSIFY_H__
#define __GST_CNN_CLASSIFY_H__

#include <gst/gst.h>
#include <gst/base/gstbasetransform.h>
#include <gst/video/video.h>

#include "model/model.h"

G_BEGIN_DECLS

#define GST_TYPE_CNN_CLASSIFY (gst_cnn_classify_get_type ())
G_DECLARE_FINAL_TYPE (GstCnnClassify, gst_cnn_classify, GST, CNN_CLASSIFY,
    GstBaseTransform)

/* Custom tag carrying the decided label (GST_TAG_GENRE is also set for
 * genre models). */
#define ES_TAG_LABEL "earshot-label"
#define ES_TAG_CONFIDENCE "earshot-confidence"

struct _GstCnnClassify
{
  GstBaseTransform parent;

  /* properties (object lock) */
  gchar *model_location;
  guint top_k;
  gdouble threshold;
  gboolean post_messages;
  guint smoothing;

  /* <private> streaming state */
  EsModel *model;
  size_t input_size;            /* values per example */
  gboolean image_input;
  GstVideoInfo vinfo;           /* for image input */
  guint bands;                  /* for feature input */
  gint fps_n, fps_d;            /* vector rate of feature input, 0/1 if none */
  float *batch;                 /* input_size * batch_capacity */
  gboolean *batch_finite;       /* batch_capacity: FALSE = no decision for that row */
  size_t batch_capacity;
  double *history;              /* smoothing ring: smoothing * n_labels */
  guint history_len, history_pos;
  double *probs;                /* n_labels, after smoothing */
  float *scratch;               /* n_labels, one example's softmax */
  gint last_tagged;             /* label index last sent as a tag, -1 none */
  gboolean warned_non_finite;   /* this stream's non-finite warning is posted */
};

GST_ELEMENT_REGISTER_DECLARE (cnnclassify);

G_END_DECLS

#endif /* __GST_CNN_CLASSIFY_H__ */
