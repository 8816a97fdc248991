/* Every element of the earshot plugin. Add an element by declaring it here
 * (GST_ELEMENT_REGISTER_DECLARE) and listing it in ES_ELEMENTS. */
#ifndef ES_ELEMENTS_H
#define ES_ELEMENTS_H

#include <gst/gst.h>

G_BEGIN_DECLS

GST_ELEMENT_REGISTER_DECLARE (preemphasis);
GST_ELEMENT_REGISTER_DECLARE (hammingframe);
GST_ELEMENT_REGISTER_DECLARE (gammatonefb);
GST_ELEMENT_REGISTER_DECLARE (frsrc);
GST_ELEMENT_REGISTER_DECLARE (spectrogramimager);
GST_ELEMENT_REGISTER_DECLARE (cnnclassify);
GST_ELEMENT_REGISTER_DECLARE (eqrender);

#define ES_ELEMENTS(X) \
  X (preemphasis) \
  X (hammingframe) \
  X (gammatonefb) \
  X (frsrc) \
  X (spectrogramimager) \
  X (cnnclassify) \
  X (eqrender) \


G_END_DECLS

#endif
