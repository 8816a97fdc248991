/* The earshot GStreamer plugin: registers every element of the set. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>

#include "elements.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  gboolean ret = FALSE;

  /* ES_ELEMENTS: one line per element, in elements.h */
#define ES_REGISTER(name) ret |= GST_ELEMENT_REGISTER (name, plugin);
  ES_ELEMENTS (ES_REGISTER)
#undef ES_REGISTER

  return ret;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, earshot,
    "Audio and measurement front-ends and CNN classification for decisions",
    plugin_init, VERSION, GST_LICENSE, GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
