/* dct: the orthonormal DCT-II over the band axis of [bands, T], keeping the
 * first N coefficients: [bands, T] -> [N, T]. Fixed (no parameters), exactly
 * dsp/dct.h (es_dct_process on each frame), so the cepstra equal the
 * front-end's; the backward applies the transpose of the same matrix. */
#include "nn/layers/kernels.h"

#include "nn/blas.h"
#include <string.h>

#include "dsp/dct.h"

#define MAX_BANDS 1024

typedef struct {
  EsLayer base;
  size_t n_in, n_out, n_frames;
  EsDct *dct;
  float *matrix;                /* [n_out, n_in]: es_dct_process of unit vectors */
  float *column, *coefficients; /* one frame */
} DctLayer;

static gboolean
dct_configure (EsLayer *layer, const EsLayerArgs *a, GError **error)
{
  DctLayer *l = (DctLayer *) layer;
  gint64 n, unused;

  if (!es_layer_args_ints (a, "coefficients", TRUE, 0, 1, FALSE, &n, &unused, error)
      || !es_layer_expect_rank (a, layer->in_ndim, 2, "[bands, frames]", error))
    return FALSE;
  l->n_in = layer->in_shape[0];
  l->n_frames = layer->in_shape[1];
  if (l->n_in > MAX_BANDS)
    return es_layer_error (error, a, "at most %d bands", MAX_BANDS);
  if ((size_t) n > l->n_in)
    return es_layer_error (error, a, "%" G_GINT64_FORMAT " coefficients of %zu bands: "
        "at most as many as bands", n, l->n_in);
  l->n_out = (size_t) n;
  l->dct = es_dct_new (l->n_in, l->n_out);
  l->column = g_new0 (float, l->n_in);
  l->coefficients = g_new (float, l->n_out);
  l->matrix = g_new (float, l->n_out * l->n_in);
  for (size_t j = 0; j < l->n_in; j++) {
    l->column[j] = 1.0f;
    es_dct_process (l->dct, l->column, l->coefficients);
    for (size_t k = 0; k < l->n_out; k++)
      l->matrix[k * l->n_in + j] = l->coefficients[k];
    l->column[j] = 0.0f;
  }
  layer->out_shape[0] = l->n_out;
  return TRUE;
}

static void
dct_finalize (EsLayer *layer)
{
  DctLayer *l = (DctLayer *) layer;
  es_dct_free (l->dct);
  g_free (l->matrix);
  g_free (l->column);
  g_free (l->coefficients);
}

static double
dct_flops (const EsLayer *layer)
{
  const DctLayer *l = (const DctLayer *) layer;
  return 2.0 * l->n_in * l->n_out * l->n_frames;
}

static void
dct_describe (const EsLayer *layer, GString *out)
{
  g_string_append_printf (out, " %zu of %zu", ((const DctLayer *) layer)->n_out,
      ((const DctLayer *) layer)->n_in);
}

static void
dct_forward (EsLayer *layer, const float *in, float *out, size_t batch,
    const EsLayerContext *ctx)
{
  DctLayer *l = (DctLayer *) layer;
  const size_t T = l->n_frames;
  (void) ctx;

  for (size_t e = 0; e < batch; e++) {
    const float *x = in + e * layer->in_size;
    float *y = out + e * layer->out_size;
    for (size_t t = 0; t < T; t++) {
      for (size_t j = 0; j < l->n_in; j++)
        l->column[j] = x[j * T + t];
      es_dct_process (l->dct, l->column, l->coefficients);
      for (size_t k = 0; k < l->n_out; k++)
        y[k * T + t] = l->coefficients[k];
    }
  }
}

static void
dct_backward (EsLayer *layer, const float *in, const float *out, const float *grad_out,
    float *grad_in, size_t batch, const EsLayerContext *ctx)
{
  DctLayer *l = (DctLayer *) layer;
  const size_t T = l->n_frames;
  (void) in;
  (void) out;
  (void) ctx;

  if (grad_in == NULL)
    return;
  /* dx [n_in, T] = D^T [n_in, n_out] dy [n_out, T], per example */
  for (size_t e = 0; e < batch; e++)
    es_blas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, l->n_in, T, l->n_out, 1.0f,
        l->matrix, l->n_in, grad_out + e * layer->out_size, T, 0.0f,
        grad_in + e * layer->in_size, T);
}

static const char *const dct_fields[] = { "coefficients", NULL };

const EsLayerOps es_layer_dct = {
  .name = "dct",
  .size = sizeof (DctLayer),
  .fields = dct_fields,
  .frontend = ES_LAYER_FRONTEND_STAGE,
  .configure = dct_configure,
  .finalize = dct_finalize,
  .flops = dct_flops,
  .describe = dct_describe,
  .forward = dct_forward,
  .backward = dct_backward,
};
