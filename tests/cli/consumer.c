/* A program outside the source tree using the installed library the way its
 * users do: <earshot/...> includes only, flags from `pkg-config earshot`
 * (tests/cli/install.sh builds and runs it against a staged install). */
#include <stdio.h>
#include <string.h>

#include <earshot/earshot.h>

int
main (void)
{
  GError *err = NULL;
  EsModel *model;
  /* frame 3 of 256 samples at 22050 Hz */
  guint64 t = es_frame_time (0, 3, 256 * G_GUINT64_CONSTANT (1000000000), 22050);

  if (t != G_GUINT64_CONSTANT (34829931)) {
    fprintf (stderr, "es_frame_time: %" G_GUINT64_FORMAT "\n", t);
    return 1;
  }
  model = es_model_load ("/nonexistent/none.safetensors", &err);
  if (model != NULL || err == NULL) {
    fprintf (stderr, "loading a missing model did not fail\n");
    return 1;
  }
  g_error_free (err);
  printf ("earshot %s, %s\n", es_version (), ES_FEATURES_MEDIA_TYPE);
  return strcmp (es_version (), "") == 0;
}
