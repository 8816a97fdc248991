/* reshape: the same values in a new per-example shape, e.g. the 40 time-mean
 * cepstra [40] -> [1, 40] so a conv1d runs along them (PyTorch's
 * unflatten / view). "shape": 1 to 3 extents whose product is the input's. */
#include "nn/layers/kernels.h"

#include <string.h>

static gboolean
reshape_configure (EsLayer *l, const EsLayerArgs *a, GError **error)
{
  JsonNode *node = json_object_get_member (a->obj, "shape");
  JsonArray *arr;
  guint n;
  size_t numel = 1, shape[3];

  if (node == NULL)
    return es_layer_error (error, a, "missing \"shape\"");
  if (!JSON_NODE_HOLDS_ARRAY (node) || (n = json_array_get_length (arr =
              json_node_get_array (node))) < 1 || n > 3)
    return es_layer_error (error, a, "\"shape\" must be an array of 1 to 3 integers");
  for (guint i = 0; i < n; i++) {
    JsonNode *e = json_array_get_element (arr, i);
    gint64 v;
    if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_INT64
        || (v = json_node_get_int (e)) < 1 || v > ES_NN_MAX_EXTENT)
      return es_layer_error (error, a, "\"shape\" must be an array of 1 to 3 integers "
          "between 1 and %" G_GINT64_FORMAT, ES_NN_MAX_EXTENT);
    shape[i] = (size_t) v;
    numel *= shape[i];        /* <= 2^72 cannot happen: checked against the input */
    if (numel > ES_NN_MAX_ELEMENTS)
      break;
  }
  {
    size_t in_numel;
    es_shape_numel (l->in_ndim, l->in_shape, &in_numel);
    if (numel != in_numel) {
      char *want = es_shape_to_string (l->in_ndim, l->in_shape);
      es_layer_error (error, a, "\"shape\" must hold as many values as the input %s "
          "(%zu)", want, in_numel);
      g_free (want);
      return FALSE;
    }
  }
  l->out_ndim = (int) n;
  memcpy (l->out_shape, shape, n * sizeof (size_t));
  return TRUE;
}

static double
reshape_flops (const EsLayer *l)
{
  (void) l;
  return 0.0;
}

static void
reshape_forward (EsLayer *l, const float *in, float *out, size_t batch,
    const EsLayerContext *ctx)
{
  (void) ctx;
  memcpy (out, in, batch * l->in_size * sizeof (float));
}

static void
reshape_backward (EsLayer *l, const float *in, const float *out, const float *grad_out,
    float *grad_in, size_t batch, const EsLayerContext *ctx)
{
  (void) in;
  (void) out;
  (void) ctx;
  if (grad_in)
    memcpy (grad_in, grad_out, batch * l->in_size * sizeof (float));
}

static const char *const reshape_fields[] = { "shape", NULL };

const EsLayerOps es_layer_reshape = {
  .name = "reshape",
  .size = sizeof (EsLayer),
  .fields = reshape_fields,
  .configure = reshape_configure,
  .flops = reshape_flops,
  .forward = reshape_forward,
  .backward = reshape_backward,
};
