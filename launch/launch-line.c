/* gst-launch-1.0 lines from a model's front-end description (launch-line.h). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "launch-line.h"

static void
append_double (GString *s, const char *property, double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  g_string_append_printf (s, " %s=%s", property, g_ascii_formatd (buf, sizeof buf, "%g", value));
}

char *
es_launch_line_derive (const EsModel *model)
{
  const EsFrontendDesc *fe = es_model_get_frontend_desc (model);
  const char *name = es_model_get_name (model);
  GString *s = g_string_new ("gst-launch-1.0 ");

  switch (fe->source) {
    case ES_FRONTEND_SOURCE_MEASUREMENT:
      g_string_append_printf (s, "frsrc location=FILE.csv points=%u", fe->points);
      append_double (s, "fmin", fe->fmin);
      append_double (s, "fmax", fe->fmax);
      if (fe->image == ES_FRONTEND_IMAGE_GRAPH)
        g_string_append_printf (s, " ! spectrogramimager mode=graph width=%u height=%u",
            fe->width, fe->height);
      break;
    case ES_FRONTEND_SOURCE_AUDIO:
      g_string_append_printf (s, "filesrc location=FILE ! decodebin ! audioconvert ! "
          "audioresample ! audio/x-raw,format=F32LE,channels=1,rate=%u", fe->rate);
      if (fe->preemphasis != 0.0) {
        g_string_append (s, " ! preemphasis");
        append_double (s, "coefficient", fe->preemphasis);
      }
      g_string_append_printf (s, " ! hammingframe frame-size=%u hop-size=%u window=%s",
          fe->frame_size, fe->hop_size, es_window_type_name (fe->window));
      /* bands, their range, compression, DCT and learned bands: from the model */
      g_string_append_printf (s, " ! gammatonefb model=%s", name);
      break;
    case ES_FRONTEND_SOURCE_IMAGE:
      g_string_append (s, "filesrc location=FILE ! decodebin ! videoconvert");
      break;
    case ES_FRONTEND_SOURCE_TABLE:
    case ES_FRONTEND_SOURCE_NONE:
      /* the application gives the input */
      g_string_append_printf (s, "appsrc caps=\"%s\"", es_model_get_input_media (model));
      break;
  }
  g_string_append_printf (s, " ! cnnclassify model=%s ! fakesink", name);
  return g_string_free (s, FALSE);
}

char *
es_launch_line_for_model (const EsModel *model, gboolean *derived)
{
  const char *own = es_model_get_launch (model);
  if (derived)
    *derived = own == NULL;
  return own ? g_strdup (own) : es_launch_line_derive (model);
}
