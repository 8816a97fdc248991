/* bench/classify: the model the benchmark runs, made here with RANDOM
 * weights (a speed benchmark needs the shape, not a trained model): a
 * learned gammatone front-end (bands moved randomly from their mel start)
 * and log, then the SpectNet-style 2D CNN of the shipped audio models —
 * three (or, with C4, four) 3x3 convolutions with batch norm, ReLU and 2x2
 * max-pooling between them, global average pooling, a dense layer to 10
 * classes.
 *
 *   make-bench-model OUT_DIR [BANDS HOP_SIZE WINDOW_FRAMES WINDOW_HOP C1 C2 C3 [C4]]
 *
 * Defaults: 64 bands, 400-sample frames every 160 samples at 16 kHz, windows
 * of 100 frames every 50, 16/32/64 channels. Writes OUT_DIR/bench-classify.safetensors
 * and OUT_DIR/bench-classify-fb.f32, the learned filterbank's weight matrix
 * (bands x 257 float32, es_gammatone_fb_get_weights) for the NumPy peer,
 * and prints the forward FLOPs of one window. */
#include <stdio.h>
#include <stdlib.h>
#include <glib.h>

#include "dsp/gammatone.h"
#include "model/model.h"

#define RATE 16000
#define FRAME 400
#define BINS 257

int
main (int argc, char **argv)
{
  static const char *const labels[] = { "dog", "rooster", "rain", "sea_waves",
    "crackling_fire", "crying_baby", "sneezing", "clock_tick", "helicopter",
    "chainsaw", NULL
  };
  unsigned v[8] = { 64, 160, 100, 50, 16, 32, 64, 0 };
  GError *error = NULL;
  EsModel *m;
  EsGammatoneBand *bands;
  EsGammatoneFb *fb;
  EsNetParam *raw;
  GRand *rand;
  char *arch, *fe, *path, *fourth;
  size_t shape[2];
  gboolean ok;

  if (argc != 2 && argc != 9 && argc != 10) {
    fprintf (stderr, "usage: make-bench-model OUT_DIR [BANDS HOP_SIZE WINDOW_FRAMES "
        "WINDOW_HOP C1 C2 C3 [C4]]\n");
    return 2;
  }
  for (int i = 2; i < argc; i++)
    v[i - 2] = (unsigned) strtoul (argv[i], NULL, 10);
  fourth = v[7] ? g_strdup_printf ("{\"type\":\"maxpool2d\",\"kernel\":2},"
      "{\"type\":\"conv2d\",\"out_channels\":%u,\"kernel\":3,\"padding\":1},"
      "{\"type\":\"batchnorm\"},{\"type\":\"relu\"},", v[7]) : g_strdup ("");
  shape[0] = v[2];
  shape[1] = BINS;
  arch = g_strdup_printf ("[{\"type\":\"gammatone\",\"rate\":%d,\"frame_size\":%d,"
      "\"bands\":%u,\"image\":true},{\"type\":\"log\"},"
      "{\"type\":\"conv2d\",\"out_channels\":%u,\"kernel\":3,\"padding\":1},"
      "{\"type\":\"batchnorm\"},{\"type\":\"relu\"},{\"type\":\"maxpool2d\",\"kernel\":2},"
      "{\"type\":\"conv2d\",\"out_channels\":%u,\"kernel\":3,\"padding\":1},"
      "{\"type\":\"batchnorm\"},{\"type\":\"relu\"},{\"type\":\"maxpool2d\",\"kernel\":2},"
      "{\"type\":\"conv2d\",\"out_channels\":%u,\"kernel\":3,\"padding\":1},"
      "{\"type\":\"batchnorm\"},{\"type\":\"relu\"},%s{\"type\":\"global_avgpool\"},"
      "{\"type\":\"dense\",\"out_features\":10}]", RATE, FRAME, v[0], v[4], v[5], v[6],
      fourth);
  fe = g_strdup_printf ("{\"source\":\"audio\",\"rate\":%d,\"frame_size\":%d,"
      "\"hop_size\":%u,\"bands\":%u,\"frontend_layers\":2,\"window_hop\":%u}", RATE, FRAME,
      v[1], v[0], v[3]);
  m = es_model_new ("bench-classify", arch, ES_MODEL_INPUT_FEATURES, 2, shape, labels,
      &error);
  ok = m != NULL;
  if (ok) {
    es_net_init_weights (es_model_get_net (m), 1);
    raw = es_net_find_param (es_model_get_net (m), "0.weight");
    rand = g_rand_new_with_seed (2);
    for (size_t i = 0; i < es_tensor_numel (raw->value); i++)
      raw->value->data[i] = (float) g_rand_double_range (rand, -0.1, 0.1);
    g_rand_free (rand);
    es_model_set_task (m, "benchmark model: random weights, the shape of the shipped "
        "audio models (speed only)");
    ok = es_model_set_frontend (m, fe, &error);
  }
  path = g_strdup_printf ("%s/bench-classify.safetensors", argv[1]);
  ok = ok && es_model_save (m, path, &error);
  g_free (path);
  if (ok) {
    bands = es_model_get_frontend_bands (m, &error);
    fb = bands ? es_gammatone_fb_new (bands, v[0], FRAME, RATE, &error) : NULL;
    ok = fb != NULL;
    if (ok) {
      path = g_strdup_printf ("%s/bench-classify-fb.f32", argv[1]);
      ok = g_file_set_contents (path, (const char *) es_gammatone_fb_get_weights (fb),
          (gssize) (sizeof (float) * v[0] * BINS), &error);
      g_free (path);
      es_gammatone_fb_free (fb);
    }
    g_free (bands);
  }
  if (ok) {
    EsNet *net = es_model_get_net (m);
    printf ("%.1f MFLOP per window (the whole network, front-end layers included), "
        "%zu parameters\n",
        es_net_forward_flops (net) / 1e6, es_net_count_trainable (net));
  } else {
    fprintf (stderr, "make-bench-model: %s\n", error->message);
  }
  if (m)
    es_model_free (m);
  g_free (arch);
  g_free (fourth);
  g_free (fe);
  return ok ? 0 : 1;
}
