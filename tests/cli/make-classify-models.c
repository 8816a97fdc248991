/* Writes the audio models the `earshot classify` tests use into DIR (no
 * trained model or data needed):
 *
 *  tones.safetensors   learned front-end (gammatone 16 bands with moved
 *                      bands, log) -> mean over 30 frames -> dense: hand
 *                      weights, "low" = the lower 8 bands louder than the
 *                      upper 8, "high" the other way round. A 300 Hz tone
 *                      is "low", a 5 kHz tone "high".
 *  cnn2d.safetensors   learned front-end (gammatone image 32 bands, log) ->
 *                      2D CNN with batch norm and global average pooling,
 *                      random weights: for comparing decision paths.
 *
 * Usage: make-classify-models DIR */
#include <stdio.h>
#include <glib.h>

#include "model/model.h"

#define BINS 257                /* 400-sample frames, FFT 512 */

static gboolean
save (EsModel * m, const char *dir, const char *name, GError ** error)
{
  g_autofree char *path = g_strdup_printf ("%s/%s.safetensors", dir, name);
  return es_model_save (m, path, error);
}

/* Raw gammatone offsets moved from the mel start, so the served bands are
 * the learned ones, not the description's. */
static void
move_bands (EsModel * m, guint32 seed)
{
  EsNetParam *p = es_net_find_param (es_model_get_net (m), "0.weight");
  GRand *rand = g_rand_new_with_seed (seed);

  for (size_t i = 0; i < es_tensor_numel (p->value); i++)
    p->value->data[i] = (float) g_rand_double_range (rand, -0.15, 0.15);
  g_rand_free (rand);
}

static EsModel *
tones (GError ** error)
{
  static const char *const labels[] = { "low", "high", NULL };
  size_t shape[2] = { 30, BINS };
  EsModel *m = es_model_new ("tones", "[{\"type\":\"gammatone\",\"rate\":16000,"
      "\"frame_size\":400,\"bands\":16},{\"type\":\"log\"},{\"type\":\"global_mean\"},"
      "{\"type\":\"dense\",\"out_features\":2}]", ES_MODEL_INPUT_FEATURES, 2, shape,
      labels, error);
  EsNetParam *w, *b;

  if (!m)
    return NULL;
  move_bands (m, 5);
  w = es_net_find_param (es_model_get_net (m), "3.weight");
  b = es_net_find_param (es_model_get_net (m), "3.bias");
  for (int band = 0; band < 16; band++) {
    w->value->data[band] = band < 8 ? 0.5f : -0.5f;
    w->value->data[16 + band] = band < 8 ? -0.5f : 0.5f;
  }
  b->value->data[0] = b->value->data[1] = 0.0f;
  es_model_set_task (m, "test model: is a tone low or high (hand weights)");
  if (!es_model_set_frontend (m, "{\"source\":\"audio\",\"bands\":16,\"frontend_layers\":2,"
          "\"window_hop\":15}", error)) {
    es_model_free (m);
    return NULL;
  }
  return m;
}

static EsModel *
cnn2d (GError ** error)
{
  static const char *const labels[] = { "a", "b", "c", "d", NULL };
  size_t shape[2] = { 40, BINS };
  EsModel *m = es_model_new ("cnn2d", "[{\"type\":\"gammatone\",\"rate\":16000,"
      "\"frame_size\":400,\"bands\":32,\"image\":true},{\"type\":\"log\"},"
      "{\"type\":\"conv2d\",\"out_channels\":4,\"kernel\":3,\"padding\":1},"
      "{\"type\":\"batchnorm\"},{\"type\":\"relu\"},{\"type\":\"maxpool2d\",\"kernel\":2},"
      "{\"type\":\"conv2d\",\"out_channels\":8,\"kernel\":3,\"padding\":1},"
      "{\"type\":\"batchnorm\"},{\"type\":\"relu\"},{\"type\":\"global_avgpool\"},"
      "{\"type\":\"dense\",\"out_features\":4}]", ES_MODEL_INPUT_FEATURES, 2, shape,
      labels, error);

  if (!m)
    return NULL;
  es_net_init_weights (es_model_get_net (m), 11);
  move_bands (m, 12);
  es_model_set_task (m, "test model: random weights (decision paths compared)");
  if (!es_model_set_frontend (m, "{\"source\":\"audio\",\"bands\":32,\"frontend_layers\":2,"
          "\"window_hop\":20}", error)) {
    es_model_free (m);
    return NULL;
  }
  return m;
}

int
main (int argc, char **argv)
{
  GError *error = NULL;
  EsModel *a, *b;
  gboolean ok;

  if (argc != 2) {
    fprintf (stderr, "usage: make-classify-models DIR\n");
    return 2;
  }
  a = tones (&error);
  b = a ? cnn2d (&error) : NULL;
  ok = a && b && save (a, argv[1], "tones", &error) && save (b, argv[1], "cnn2d", &error);
  if (!ok)
    fprintf (stderr, "make-classify-models: %s\n", error->message);
  if (a)
    es_model_free (a);
  if (b)
    es_model_free (b);
  return ok ? 0 : 1;
}
