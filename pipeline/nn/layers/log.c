/* log: ln(max(x, floor)) elementwise, exactly es_log_compress (dsp/gammatone.h)
 * as the front-end applies it to band energies, with its backward
 * es_log_compress_backward (no gradient where the floor holds). Any shape. */
#include "nn/layers/kernels.h"

#include <string.h>

#include "dsp/compress.h"
#include "dsp/gammatone.h"

typedef struct {
  EsLayer base;
  float floor;
} LogLayer;

static gboolean
log_configure (EsLayer *layer, const EsLayerArgs *a, GError **error)
{
  double floor;
  if (!es_layer_args_double (a, "floor", ES_GAMMATONE_DEFAULT_LOG_FLOOR, 1e-30, 1e30, TRUE,
          &floor, error))
    return FALSE;
  ((LogLayer *) layer)->floor = (float) floor;
  return TRUE;
}

static void
log_describe (const EsLayer *layer, GString *out)
{
  g_string_append_printf (out, " floor=%g", (double) ((const LogLayer *) layer)->floor);
}

static void
log_forward (EsLayer *layer, const float *in, float *out, size_t batch,
    const EsLayerContext *ctx)
{
  const size_t n = batch * layer->in_size;
  (void) ctx;
  memcpy (out, in, n * sizeof (float));
  es_log_compress (out, n, ((LogLayer *) layer)->floor);
}

static void
log_backward (EsLayer *layer, const float *in, const float *out, const float *grad_out,
    float *grad_in, size_t batch, const EsLayerContext *ctx)
{
  (void) out;
  (void) ctx;
  if (grad_in)
    es_log_compress_backward (in, grad_out, batch * layer->in_size,
        ((LogLayer *) layer)->floor, grad_in);
}

static const char *const log_fields[] = { "floor", NULL };

const EsLayerOps es_layer_log = {
  .name = "log",
  .size = sizeof (LogLayer),
  .fields = log_fields,
  .frontend = ES_LAYER_FRONTEND_STAGE,
  .configure = log_configure,
  .describe = log_describe,
  .forward = log_forward,
  .backward = log_backward,
};
