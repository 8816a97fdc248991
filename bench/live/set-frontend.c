/* bench/live: give a model trained on a table of feature windows the audio
 * front-end those features came from, so `earshot listen` and gammatonefb
 * serve it exactly as the windows were made.
 * Usage: live-set-frontend MODEL.safetensors FRONTEND_JSON */
#include <stdio.h>

#include "model/model.h"

int
main (int argc, char **argv)
{
  GError *error = NULL;
  EsModel *model;
  int status = 0;

  if (argc != 3) {
    fprintf (stderr, "usage: live-set-frontend MODEL.safetensors FRONTEND_JSON\n");
    return 2;
  }
  model = es_model_load (argv[1], &error);
  if (model == NULL || !es_model_set_frontend (model, argv[2], &error)
      || !es_model_save (model, argv[1], &error)) {
    fprintf (stderr, "live-set-frontend: %s\n", error->message);
    g_error_free (error);
    status = 1;
  }
  es_model_free (model);
  return status;
}
