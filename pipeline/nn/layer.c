/* The layer registry and the helpers layer families share (JSON fields,
 * window geometry, parameter declaration, PyTorch's default init). */
#include "nn/layer.h"
#include "nn/net.h"

#include <math.h>
#include <string.h>

/* Every layer family, one line each, in the order error messages list them.
 * A family `NAME` is the EsLayerOps es_layer_NAME defined in nn/layers/. */
#define ES_LAYER_FAMILIES(X) \
  X (conv1d) \
  X (conv2d) \
  X (batchnorm) \
  X (relu) \
  X (tanh) \
  X (softplus) \
  X (abs) \
  X (maxpool1d) \
  X (maxpool2d) \
  X (global_mean) \
  X (flatten) \
  X (dense) \
  X (dropout) \
  X (softargmax) \
  X (centroid) \
  X (avgpool1d) \
  X (avgpool2d) \
  X (global_avgpool) \
  X (reshape) \
  X (gammatone) \
  X (log) \
  X (pcen) \
  X (dct)

#define ES_LAYER_DECLARE(name) extern const EsLayerOps es_layer_##name;
ES_LAYER_FAMILIES (ES_LAYER_DECLARE)
#define ES_LAYER_ENTRY(name) &es_layer_##name,
static const EsLayerOps *const registry[] = { ES_LAYER_FAMILIES (ES_LAYER_ENTRY) };

const EsLayerOps *
es_layer_ops_lookup (const char *name)
{
  for (size_t i = 0; i < G_N_ELEMENTS (registry); i++)
    if (g_strcmp0 (name, registry[i]->name) == 0)
      return registry[i];
  return NULL;
}

char *
es_layer_ops_list_names (void)
{
  GString *s = g_string_new (NULL);
  for (size_t i = 0; i < G_N_ELEMENTS (registry); i++)
    g_string_append_printf (s, "%s%s", i ? ", " : "", registry[i]->name);
  return g_string_free (s, FALSE);
}

EsLayerParam *
es_layer_declare_param (EsLayer *l, const char *name, EsLayerParamKind kind, int ndim,
    const size_t *shape)
{
  EsLayerParam *p;

  g_assert (l->n_params < ES_LAYER_MAX_PARAMS && ndim >= 1 && ndim <= 4);
  p = &l->params[l->n_params++];
  p->name = name;
  p->kind = kind;
  p->ndim = ndim;
  memcpy (p->shape, shape, ndim * sizeof (size_t));
  p->value = p->grad = NULL;
  return p;
}

gboolean
es_layer_error (GError **error, const EsLayerArgs *args, const char *fmt, ...)
{
  va_list ap;
  char *msg;
  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, ES_NN_ERROR, ES_NN_ERROR_ARCHITECTURE, "layer %d (%s): %s",
      args->index, args->type ? args->type : "?", msg);
  g_free (msg);
  return FALSE;
}

gboolean
es_layer_args_has (const EsLayerArgs *args, const char *field)
{
  return json_object_get_member (args->obj, field) != NULL;
}

static gboolean
node_get_int (JsonNode *node, gint64 *value)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *value = json_node_get_int (node);
  return TRUE;
}

gboolean
es_layer_args_ints (const EsLayerArgs *args, const char *field, gboolean required,
    gint64 fallback, gint64 min, gboolean pair, gint64 *h, gint64 *w, GError **error)
{
  JsonNode *node = json_object_get_member (args->obj, field);

  if (node == NULL) {
    if (required)
      return es_layer_error (error, args, "missing \"%s\"", field);
    *h = *w = fallback;
    return TRUE;
  }
  if (JSON_NODE_HOLDS_ARRAY (node)) {
    JsonArray *a = json_node_get_array (node);
    guint len = json_array_get_length (a);
    if (!pair || len != 2 || !node_get_int (json_array_get_element (a, 0), h)
        || !node_get_int (json_array_get_element (a, 1), w))
      return es_layer_error (error, args, "\"%s\" must be %s", field,
          pair ? "an integer or a pair [h, w] of integers" : "an integer");
  } else if (node_get_int (node, h)) {
    *w = *h;
  } else {
    return es_layer_error (error, args, "\"%s\" must be %s", field,
        pair ? "an integer or a pair [h, w] of integers" : "an integer");
  }
  if (*h < min || *w < min || *h > ES_NN_MAX_EXTENT || *w > ES_NN_MAX_EXTENT)
    return es_layer_error (error, args, "\"%s\" must be between %" G_GINT64_FORMAT
        " and %" G_GINT64_FORMAT, field, min, ES_NN_MAX_EXTENT);
  return TRUE;
}

gboolean
es_layer_args_double (const EsLayerArgs *args, const char *field, double fallback,
    double min, double max, gboolean max_inclusive, double *value, GError **error)
{
  JsonNode *node = json_object_get_member (args->obj, field);
  GType t;

  if (node == NULL) {
    *value = fallback;
    return TRUE;
  }
  t = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
  if (t != G_TYPE_DOUBLE && t != G_TYPE_INT64)
    return es_layer_error (error, args, "\"%s\" must be a number", field);
  *value = json_node_get_double (node);
  if (!(*value >= min) || *value > max || (!max_inclusive && *value == max))
    return es_layer_error (error, args, "\"%s\" %g is outside [%g, %g%s", field,
        *value, min, max, max_inclusive ? "]" : ")");
  return TRUE;
}

gboolean
es_layer_args_bool (const EsLayerArgs *args, const char *field, gboolean fallback,
    gboolean *value, GError **error)
{
  JsonNode *node = json_object_get_member (args->obj, field);

  *value = fallback;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return es_layer_error (error, args, "\"%s\" must be true or false", field);
  *value = json_node_get_boolean (node);
  return TRUE;
}

gboolean
es_layer_expect_rank (const EsLayerArgs *args, int ndim, int want, const char *what,
    GError **error)
{
  if (ndim != want)
    return es_layer_error (error, args, "needs a %s input (%d axes per example) but "
        "gets %d axes", what, want, ndim);
  return TRUE;
}

gboolean
es_layer_window_extent (const EsLayerArgs *args, const char *axis, size_t in,
    gint64 kernel, gint64 stride, gint64 pad, size_t *out, GError **error)
{
  gint64 padded = (gint64) in + 2 * pad;
  if (kernel > padded)
    return es_layer_error (error, args, "kernel %" G_GINT64_FORMAT " is larger than "
        "the padded input %s %" G_GINT64_FORMAT ": the output would be empty",
        kernel, axis, padded);
  *out = (size_t) ((padded - kernel) / stride + 1);
  return TRUE;
}

gboolean
es_layer_configure_pool (EsLayer *layer, const EsLayerArgs *a, gboolean two_d,
    EsPoolWindow *l, GError **error)
{
  const size_t *in_shape = layer->in_shape;
  gint64 kh, kw, sh, sw;

  if (!es_layer_expect_rank (a, layer->in_ndim, two_d ? 3 : 2,
          two_d ? "[C, H, W]" : "[C, L]", error)
      || !es_layer_args_ints (a, "kernel", TRUE, 0, 1, two_d, &kh, &kw, error)
      || !es_layer_args_ints (a, "stride", FALSE, 0, 1, two_d, &sh, &sw, error))
    return FALSE;
  if (!es_layer_args_has (a, "stride")) {
    sh = kh;          /* PyTorch: stride defaults to the kernel */
    sw = kw;
  }
  l->two_d = two_d;
  l->channels = in_shape[0];
  l->in_h = l->out_h = 1;
  l->kernel_h = l->stride_h = 1;
  if (two_d) {
    l->in_h = in_shape[1];
    l->in_w = in_shape[2];
    l->kernel_h = kh;
    l->stride_h = sh;
    if (!es_layer_window_extent (a, "height", l->in_h, kh, sh, 0, &l->out_h, error))
      return FALSE;
  } else {
    l->in_w = in_shape[1];
  }
  l->kernel_w = kw;
  l->stride_w = sw;
  if (!es_layer_window_extent (a, two_d ? "width" : "length", l->in_w, kw, sw, 0,
          &l->out_w, error))
    return FALSE;
  layer->out_shape[1] = two_d ? l->out_h : l->out_w;
  if (two_d)
    layer->out_shape[2] = l->out_w;
  return TRUE;
}

static void
fill_uniform (EsRng *rng, EsTensor *t, double bound)
{
  size_t n = es_tensor_numel (t);
  for (size_t i = 0; i < n; i++)
    t->data[i] = (float) ((2.0 * es_rng_uniform (rng) - 1.0) * bound);
}

void
es_layer_init_kaiming (EsRng *rng, EsLayerParam *weight, EsLayerParam *bias)
{
  /* kaiming_uniform_(a = sqrt(5)): gain sqrt(2 / (1 + 5)), bound
   * gain * sqrt(3 / fan_in) = 1 / sqrt(fan_in); biases use the same. */
  const size_t fan_in = es_tensor_numel (weight->value) / weight->value->shape[0];
  const double bound = 1.0 / sqrt ((double) fan_in);
  fill_uniform (rng, weight->value, bound);
  if (bias)
    fill_uniform (rng, bias->value, bound);
}
