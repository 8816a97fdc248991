/* gst-launch-1.0 lines for models: the library describes what a model's
 * input is made from (model/frontend-desc.h) and its input geometry; this is
 * the one place that turns that into element and property names. */
#ifndef ES_LAUNCH_LINE_H
#define ES_LAUNCH_LINE_H

#include <glib.h>

#include "model/model.h"

G_BEGIN_DECLS

/* The line that runs `model` (its name stands for it after model=):
 *  - measurement: frsrc at the model's grid [! spectrogramimager mode=graph
 *    at the model's image size] ! cnnclassify;
 *  - audio: decode, convert and resample to the model's rate, mono F32
 *    ! preemphasis ! hammingframe ! gammatonefb model=NAME (which takes
 *    bands, their settings and learned values from the model) ! cnnclassify;
 *  - image: decode ! videoconvert ! cnnclassify (which area-averages any
 *    image size to the model's, as the trainer does: no videoscale);
 *  - table or none: appsrc with the model's input caps ! cnnclassify.
 * "FILE" stands for the input file. Newly allocated. */
char *es_launch_line_derive (const EsModel *model);

/* The author's line from the file, else the derived one; *derived (may be
 * NULL) says which. Newly allocated. */
char *es_launch_line_for_model (const EsModel *model, gboolean *derived);

G_END_DECLS

#endif
