/* EsNet: a feed-forward network built from a JSON layer list, with
 * preallocated per-batch buffers so a forward or backward never allocates
 * once the batch size has been seen. */
#include "nn/net.h"
#include "nn/layers.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>
#ifdef ES_BLAS_OPENBLAS
#include <cblas.h>
#endif

G_DEFINE_QUARK (es-nn-error-quark, es_nn_error)

/* Upper bounds that keep every size computation far from overflow and refuse
 * descriptions that could not run anyway. */
#define MAX_LAYERS 4096
#define MAX_EXTENT ((gint64) 1 << 24)
#define MAX_ELEMENTS ((size_t) 1 << 28)

struct _EsNet {
  int in_ndim;
  size_t in_shape[3];
  size_t in_size, out_size;

  EsLayer *layers;
  size_t n_layers;

  EsNetParam *params;
  size_t n_params, n_trainable;

  gboolean training;
  gboolean need_input_grad;
  EsRng rng;

  /* Buffers for up to `capacity` examples: acts[i] is the input of layer i
   * (acts[0] a copy of the net input), acts[n_layers] the logits. */
  size_t capacity;
  size_t last_batch;
  /* The last forward was a fused inference forward: only the input and the
   * logits in acts are current; backward recomputes the rest first. */
  gboolean acts_partial;
  float **acts;
  float *grad_a, *grad_b, *input_grad;
  size_t max_act;
  EsLayerWorkspace ws;
};

static int threads_setting = 0;

void
es_nn_set_threads (int n_threads)
{
  if (n_threads < 1)
    n_threads = 1;
  threads_setting = n_threads;
#ifdef ES_BLAS_OPENBLAS
  openblas_set_num_threads (n_threads);
#endif
}

int
es_nn_get_threads (void)
{
#ifdef ES_BLAS_OPENBLAS
  if (threads_setting == 0)
    return openblas_get_num_threads ();
#endif
  return threads_setting > 0 ? threads_setting : 1;
}

/* ---- architecture parsing ---------------------------------------------- */

typedef struct {
  int index;
  const char *type;
  JsonObject *obj;
} LayerCtx;

static gboolean
arch_error (GError **error, const LayerCtx *ctx, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

static gboolean
arch_error (GError **error, const LayerCtx *ctx, const char *fmt, ...)
{
  va_list ap;
  char *msg;
  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, ES_NN_ERROR, ES_NN_ERROR_ARCHITECTURE, "layer %d (%s): %s",
      ctx->index, ctx->type ? ctx->type : "?", msg);
  g_free (msg);
  return FALSE;
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

/* An integer field, or a pair [h, w] (or one int used for both) when `pair`. */
static gboolean
get_ints (const LayerCtx *ctx, const char *field, gboolean required,
    gint64 fallback, gint64 min, gboolean pair, gint64 *h, gint64 *w,
    GError **error)
{
  JsonNode *node = json_object_get_member (ctx->obj, field);

  if (node == NULL) {
    if (required)
      return arch_error (error, ctx, "missing \"%s\"", field);
    *h = *w = fallback;
    return TRUE;
  }
  if (JSON_NODE_HOLDS_ARRAY (node)) {
    JsonArray *a = json_node_get_array (node);
    guint len = json_array_get_length (a);
    if (!pair || len != 2 || !node_get_int (json_array_get_element (a, 0), h)
        || !node_get_int (json_array_get_element (a, 1), w))
      return arch_error (error, ctx, "\"%s\" must be %s", field,
          pair ? "an integer or a pair [h, w] of integers" : "an integer");
  } else if (node_get_int (node, h)) {
    *w = *h;
  } else {
    return arch_error (error, ctx, "\"%s\" must be %s", field,
        pair ? "an integer or a pair [h, w] of integers" : "an integer");
  }
  if (*h < min || *w < min || *h > MAX_EXTENT || *w > MAX_EXTENT)
    return arch_error (error, ctx, "\"%s\" must be between %" G_GINT64_FORMAT
        " and %" G_GINT64_FORMAT, field, min, MAX_EXTENT);
  return TRUE;
}

static gboolean
get_double (const LayerCtx *ctx, const char *field, double fallback,
    double min, double max, gboolean max_inclusive, double *value, GError **error)
{
  JsonNode *node = json_object_get_member (ctx->obj, field);
  GType t;

  if (node == NULL) {
    *value = fallback;
    return TRUE;
  }
  t = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
  if (t != G_TYPE_DOUBLE && t != G_TYPE_INT64)
    return arch_error (error, ctx, "\"%s\" must be a number", field);
  *value = json_node_get_double (node);
  if (!(*value >= min) || *value > max || (!max_inclusive && *value == max))
    return arch_error (error, ctx, "\"%s\" %g is outside [%g, %g%s", field,
        *value, min, max, max_inclusive ? "]" : ")");
  return TRUE;
}

static gboolean
check_fields (const LayerCtx *ctx, const char *const *allowed, GError **error)
{
  GList *members = json_object_get_members (ctx->obj);
  gboolean ok = TRUE;

  for (GList *m = members; m && ok; m = m->next) {
    const char *key = m->data;
    gboolean known = g_str_equal (key, "type");
    for (const char *const *a = allowed; *a && !known; a++)
      known = g_str_equal (key, *a);
    if (!known)
      ok = arch_error (error, ctx, "unknown field \"%s\"", key);
  }
  g_list_free (members);
  return ok;
}

static gboolean
expect_rank (const LayerCtx *ctx, int ndim, int want, const char *what,
    GError **error)
{
  if (ndim != want)
    return arch_error (error, ctx, "needs a %s input (%d axes per example) but "
        "gets %d axes", what, want, ndim);
  return TRUE;
}

/* Output extent of a window sliding over `in` (with padding on both sides). */
static gboolean
window_extent (const LayerCtx *ctx, const char *axis, size_t in, gint64 kernel,
    gint64 stride, gint64 pad, size_t *out, GError **error)
{
  gint64 padded = (gint64) in + 2 * pad;
  if (kernel > padded)
    return arch_error (error, ctx, "kernel %" G_GINT64_FORMAT " is larger than "
        "the padded input %s %" G_GINT64_FORMAT ": the output would be empty",
        kernel, axis, padded);
  *out = (size_t) ((padded - kernel) / stride + 1);
  return TRUE;
}

static const char *const conv_fields[] =
    { "out_channels", "kernel", "stride", "padding", "bias", NULL };
static const char *const bn_fields[] = { "momentum", "eps", NULL };
static const char *const pool_fields[] = { "kernel", "stride", NULL };
static const char *const dense_fields[] = { "out_features", "bias", NULL };
static const char *const dropout_fields[] = { "p", NULL };
static const char *const softplus_fields[] = { "beta", "threshold", NULL };
static const char *const softargmax_fields[] = { "beta", "bias", NULL };
static const char *const centroid_fields[] = { "eps", "bias", NULL };
static const char *const no_fields[] = { NULL };

static gboolean
get_bias_flag (const LayerCtx *ctx, gboolean *bias, GError **error)
{
  JsonNode *node = json_object_get_member (ctx->obj, "bias");
  *bias = TRUE;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return arch_error (error, ctx, "\"bias\" must be true or false");
  *bias = json_node_get_boolean (node);
  return TRUE;
}

/* Fill in one layer from its description and the incoming per-example shape;
 * sets the outgoing shape. Parameter tensors are created later. */
static gboolean
layer_configure (EsLayer *l, const LayerCtx *ctx, int in_ndim,
    const size_t *in_shape, gboolean *has_bias, GError **error)
{
  gint64 kh, kw, sh, sw, ph, pw, n;

  l->in_ndim = in_ndim;
  memcpy (l->in_shape, in_shape, in_ndim * sizeof (size_t));
  /* Default: shape-preserving. */
  l->out_ndim = in_ndim;
  memcpy (l->out_shape, in_shape, in_ndim * sizeof (size_t));
  l->in_h = 1;
  l->out_h = 1;
  l->kernel_h = l->stride_h = 1;
  *has_bias = FALSE;

  switch (l->type) {
    case ES_LAYER_CONV1D:
    case ES_LAYER_CONV2D: {
      const gboolean two_d = l->type == ES_LAYER_CONV2D;
      if (!check_fields (ctx, conv_fields, error)
          || !expect_rank (ctx, in_ndim, two_d ? 3 : 2,
              two_d ? "[C, H, W]" : "[C, L]", error)
          || !get_ints (ctx, "out_channels", TRUE, 0, 1, FALSE, &n, &n, error)
          || !get_ints (ctx, "kernel", TRUE, 0, 1, two_d, &kh, &kw, error)
          || !get_ints (ctx, "stride", FALSE, 1, 1, two_d, &sh, &sw, error)
          || !get_ints (ctx, "padding", FALSE, 0, 0, two_d, &ph, &pw, error)
          || !get_bias_flag (ctx, has_bias, error))
        return FALSE;
      l->channels_in = in_shape[0];
      l->channels_out = (size_t) n;
      if (two_d) {
        l->in_h = in_shape[1];
        l->in_w = in_shape[2];
        l->kernel_h = kh;
        l->stride_h = sh;
        l->pad_h = ph;
        if (!window_extent (ctx, "height", l->in_h, kh, sh, ph, &l->out_h, error))
          return FALSE;
      } else {
        l->in_w = in_shape[1];
      }
      l->kernel_w = kw;
      l->stride_w = sw;
      l->pad_w = pw;
      if (!window_extent (ctx, two_d ? "width" : "length", l->in_w, kw, sw, pw,
              &l->out_w, error))
        return FALSE;
      l->out_shape[0] = l->channels_out;
      l->out_shape[1] = two_d ? l->out_h : l->out_w;
      if (two_d)
        l->out_shape[2] = l->out_w;
      break;
    }
    case ES_LAYER_BATCHNORM:
      if (!check_fields (ctx, bn_fields, error)
          || !get_double (ctx, "momentum", 0.1, 0.0, 1.0, TRUE, &l->momentum, error)
          || !get_double (ctx, "eps", 1e-5, 1e-12, 1.0, TRUE, &l->eps, error))
        return FALSE;
      if (in_ndim < 1 || in_ndim > 3)
        return arch_error (error, ctx, "needs a [C], [C, L] or [C, H, W] input "
            "but gets %d axes", in_ndim);
      l->channels_in = l->channels_out = in_shape[0];
      l->in_h = in_ndim == 3 ? in_shape[1] : 1;
      l->in_w = in_ndim == 3 ? in_shape[2] : in_ndim == 2 ? in_shape[1] : 1;
      *has_bias = TRUE;
      break;
    case ES_LAYER_MAXPOOL1D:
    case ES_LAYER_MAXPOOL2D: {
      const gboolean two_d = l->type == ES_LAYER_MAXPOOL2D;
      if (!check_fields (ctx, pool_fields, error)
          || !expect_rank (ctx, in_ndim, two_d ? 3 : 2,
              two_d ? "[C, H, W]" : "[C, L]", error)
          || !get_ints (ctx, "kernel", TRUE, 0, 1, two_d, &kh, &kw, error)
          || !get_ints (ctx, "stride", FALSE, 0, 1, two_d, &sh, &sw, error))
        return FALSE;
      if (json_object_get_member (ctx->obj, "stride") == NULL) {
        sh = kh;          /* PyTorch: stride defaults to the kernel */
        sw = kw;
      }
      l->channels_in = l->channels_out = in_shape[0];
      if (two_d) {
        l->in_h = in_shape[1];
        l->in_w = in_shape[2];
        l->kernel_h = kh;
        l->stride_h = sh;
        if (!window_extent (ctx, "height", l->in_h, kh, sh, 0, &l->out_h, error))
          return FALSE;
      } else {
        l->in_w = in_shape[1];
      }
      l->kernel_w = kw;
      l->stride_w = sw;
      if (!window_extent (ctx, two_d ? "width" : "length", l->in_w, kw, sw, 0,
              &l->out_w, error))
        return FALSE;
      l->out_shape[1] = two_d ? l->out_h : l->out_w;
      if (two_d)
        l->out_shape[2] = l->out_w;
      break;
    }
    case ES_LAYER_GLOBAL_MEAN:
      if (!check_fields (ctx, no_fields, error))
        return FALSE;
      if (in_ndim < 2)
        return arch_error (error, ctx, "needs at least two axes ([C, L]) to "
            "average the last one, but gets %d", in_ndim);
      l->out_ndim = in_ndim - 1;
      break;
    case ES_LAYER_FLATTEN:
      if (!check_fields (ctx, no_fields, error))
        return FALSE;
      l->out_ndim = 1;
      es_shape_numel (in_ndim, in_shape, &l->out_shape[0]);
      break;
    case ES_LAYER_DENSE:
      if (!check_fields (ctx, dense_fields, error)
          || !get_ints (ctx, "out_features", TRUE, 0, 1, FALSE, &n, &n, error)
          || !get_bias_flag (ctx, has_bias, error))
        return FALSE;
      if (in_ndim != 1)
        return arch_error (error, ctx, "needs a flat [N] input but gets %d axes; "
            "add a flatten or global_mean layer before it", in_ndim);
      l->out_shape[0] = (size_t) n;
      break;
    case ES_LAYER_DROPOUT:
      if (!check_fields (ctx, dropout_fields, error)
          || !get_double (ctx, "p", 0.5, 0.0, 1.0, FALSE, &l->p, error))
        return FALSE;
      break;
    case ES_LAYER_SOFTPLUS:
      if (!check_fields (ctx, softplus_fields, error)
          || !get_double (ctx, "beta", 1.0, 1e-6, 1e6, TRUE, &l->beta, error)
          || !get_double (ctx, "threshold", 20.0, 0.0, 1e6, TRUE, &l->threshold, error))
        return FALSE;
      break;
    case ES_LAYER_RELU:
    case ES_LAYER_TANH:
    case ES_LAYER_ABS:
      if (!check_fields (ctx, no_fields, error))
        return FALSE;
      break;
    case ES_LAYER_SOFTARGMAX:
    case ES_LAYER_CENTROID:
      if (l->type == ES_LAYER_SOFTARGMAX
          ? (!check_fields (ctx, softargmax_fields, error)
              || !get_double (ctx, "beta", 1.0, 1e-3, 1e3, TRUE, &l->beta, error))
          : (!check_fields (ctx, centroid_fields, error)
              || !get_double (ctx, "eps", 1e-2, 1e-6, 1e3, TRUE, &l->eps, error)))
        return FALSE;
      if (!expect_rank (ctx, in_ndim, 3, "[C, H, W]", error)
          || !get_bias_flag (ctx, has_bias, error))
        return FALSE;
      l->channels_in = l->channels_out = in_shape[0];
      l->in_h = in_shape[1];
      l->in_w = l->out_w = in_shape[2];
      l->out_ndim = 2;
      l->out_shape[0] = in_shape[0];
      l->out_shape[1] = in_shape[2];
      break;
  }

  if (!es_shape_numel (in_ndim, in_shape, &l->in_size)
      || !es_shape_numel (l->out_ndim, l->out_shape, &l->out_size)
      || l->out_size > MAX_ELEMENTS)
    return arch_error (error, ctx, "output has more than %zu elements per example",
        MAX_ELEMENTS);
  if (l->out_size == 0)
    return arch_error (error, ctx, "output shape is empty");
  return TRUE;
}

/* Add the layer's trainable parameter count to *total; FALSE if it overflows
 * or passes the limit (checked before anything is allocated). */
static gboolean
count_layer_params (const EsLayer *l, gboolean has_bias, size_t *total)
{
  size_t dims[4], n = 0;

  switch (l->type) {
    case ES_LAYER_CONV1D:
    case ES_LAYER_CONV2D:
      dims[0] = l->channels_out;
      dims[1] = l->channels_in;
      dims[2] = l->kernel_h;
      dims[3] = l->kernel_w;
      if (!es_shape_numel (4, dims, &n))
        return FALSE;
      break;
    case ES_LAYER_DENSE:
      dims[0] = l->out_size;
      dims[1] = l->in_size;
      if (!es_shape_numel (2, dims, &n))
        return FALSE;
      break;
    case ES_LAYER_BATCHNORM:
      n = l->channels_in;
      break;
    case ES_LAYER_SOFTARGMAX:
    case ES_LAYER_CENTROID:
      /* one position bias per channel and row */
      if (has_bias && (l->in_h > MAX_ELEMENTS / l->channels_in
              || *total + l->in_h * l->channels_in > MAX_ELEMENTS))
        return FALSE;
      *total += has_bias ? l->in_h * l->channels_in : 0;
      return TRUE;
    default:
      return TRUE;
  }
  if (has_bias)
    n += l->type == ES_LAYER_DENSE ? l->out_size : l->channels_out;
  if (n > MAX_ELEMENTS || *total + n > MAX_ELEMENTS)
    return FALSE;
  *total += n;
  return TRUE;
}

static EsTensor *
add_param (GPtrArray *names, GPtrArray *tensors, GPtrArray *grads, int index,
    const char *what, int ndim, const size_t *shape, gboolean trainable)
{
  EsTensor *t = es_tensor_new (ndim, shape);
  g_ptr_array_add (names, g_strdup_printf ("%d.%s", index, what));
  g_ptr_array_add (tensors, t);
  g_ptr_array_add (grads, trainable ? es_tensor_new (ndim, shape) : NULL);
  return t;
}

static void
create_params (EsNet *net)
{
  GPtrArray *names = g_ptr_array_new (), *tensors = g_ptr_array_new (),
      *grads = g_ptr_array_new ();

  /* Trainable parameters in layer order first, then buffers, as documented. */
  for (size_t i = 0; i < net->n_layers; i++) {
    EsLayer *l = &net->layers[i];
    size_t shape[4];
    gboolean has_bias = l->bias != NULL;   /* marker set by es_net_new */
    l->bias = NULL;
    switch (l->type) {
      case ES_LAYER_CONV1D:
      case ES_LAYER_CONV2D: {
        int nd = 0;
        shape[nd++] = l->channels_out;
        shape[nd++] = l->channels_in;
        if (l->type == ES_LAYER_CONV2D)
          shape[nd++] = l->kernel_h;
        shape[nd++] = l->kernel_w;
        l->weight = add_param (names, tensors, grads, l->index, "weight", nd, shape, TRUE);
        break;
      }
      case ES_LAYER_DENSE:
        shape[0] = l->out_size;
        shape[1] = l->in_size;
        l->weight = add_param (names, tensors, grads, l->index, "weight", 2, shape, TRUE);
        break;
      case ES_LAYER_BATCHNORM:
        shape[0] = l->channels_in;
        l->weight = add_param (names, tensors, grads, l->index, "weight", 1, shape, TRUE);
        break;
      case ES_LAYER_SOFTARGMAX:
      case ES_LAYER_CENTROID:
        /* no weight; the position bias is [C, H] and starts at zero */
        if (has_bias) {
          shape[0] = l->channels_in;
          shape[1] = l->in_h;
          l->bias = add_param (names, tensors, grads, l->index, "bias", 2, shape, TRUE);
          l->bias_grad = g_ptr_array_index (grads, grads->len - 1);
        }
        continue;
      default:
        continue;
    }
    l->weight_grad = g_ptr_array_index (grads, grads->len - 1);
    if (has_bias) {
      shape[0] = l->type == ES_LAYER_DENSE ? l->out_size : l->channels_out;
      l->bias = add_param (names, tensors, grads, l->index, "bias", 1, shape, TRUE);
      l->bias_grad = g_ptr_array_index (grads, grads->len - 1);
    }
  }
  net->n_trainable = names->len;
  for (size_t i = 0; i < net->n_layers; i++) {
    EsLayer *l = &net->layers[i];
    size_t shape[1] = { l->channels_in };
    if (l->type != ES_LAYER_BATCHNORM)
      continue;
    l->running_mean = add_param (names, tensors, grads, l->index, "running_mean", 1,
        shape, FALSE);
    l->running_var = add_param (names, tensors, grads, l->index, "running_var", 1,
        shape, FALSE);
  }

  net->n_params = names->len;
  net->params = g_new0 (EsNetParam, MAX (net->n_params, 1));
  for (size_t i = 0; i < net->n_params; i++) {
    net->params[i].name = g_ptr_array_index (names, i);
    net->params[i].value = g_ptr_array_index (tensors, i);
    net->params[i].grad = g_ptr_array_index (grads, i);
  }
  g_ptr_array_free (names, TRUE);
  g_ptr_array_free (tensors, TRUE);
  g_ptr_array_free (grads, TRUE);
}

EsNet *
es_net_new (const char *architecture_json, int in_ndim, const size_t *in_shape,
    GError **error)
{
  return es_net_new_limited (architecture_json, in_ndim, in_shape, MAX_ELEMENTS,
      error);
}

EsNet *
es_net_new_limited (const char *architecture_json, int in_ndim,
    const size_t *in_shape, size_t max_params, GError **error)
{
  JsonParser *parser = NULL;
  JsonArray *arr;
  JsonNode *root;
  EsNet *net = NULL;
  int ndim;
  size_t shape[3], numel, n_trainable = 0;
  GError *json_error = NULL;
  guint n;

  g_return_val_if_fail (architecture_json != NULL, NULL);

  if (in_ndim < 1 || in_ndim > 3 || in_shape == NULL) {
    g_set_error (error, ES_NN_ERROR, ES_NN_ERROR_SHAPE,
        "input must have 1 to 3 axes per example ([N], [C, L] or [C, H, W]), got %d",
        in_ndim);
    return NULL;
  }
  for (int i = 0; i < in_ndim; i++) {
    if (in_shape[i] == 0 || in_shape[i] > (size_t) MAX_EXTENT) {
      char *s = es_shape_to_string (in_ndim, in_shape);
      g_set_error (error, ES_NN_ERROR, ES_NN_ERROR_SHAPE,
          "input shape %s: every extent must be between 1 and %" G_GINT64_FORMAT,
          s, MAX_EXTENT);
      g_free (s);
      return NULL;
    }
  }
  if (!es_shape_numel (in_ndim, in_shape, &numel) || numel > MAX_ELEMENTS) {
    g_set_error (error, ES_NN_ERROR, ES_NN_ERROR_SHAPE,
        "input has more than %zu elements per example", MAX_ELEMENTS);
    return NULL;
  }

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, architecture_json, -1, &json_error)) {
    g_set_error (error, ES_NN_ERROR, ES_NN_ERROR_ARCHITECTURE,
        "architecture is not valid JSON: %s", json_error->message);
    g_error_free (json_error);
    goto fail;
  }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root)) {
    g_set_error (error, ES_NN_ERROR, ES_NN_ERROR_ARCHITECTURE,
        "architecture must be a JSON array of layer objects");
    goto fail;
  }
  arr = json_node_get_array (root);
  n = json_array_get_length (arr);
  if (n == 0 || n > MAX_LAYERS) {
    g_set_error (error, ES_NN_ERROR, ES_NN_ERROR_ARCHITECTURE,
        "architecture must have between 1 and %d layers, has %u", MAX_LAYERS, n);
    goto fail;
  }

  net = g_new0 (EsNet, 1);
  net->in_ndim = in_ndim;
  memcpy (net->in_shape, in_shape, in_ndim * sizeof (size_t));
  net->in_size = numel;
  net->need_input_grad = TRUE;
  net->layers = g_new0 (EsLayer, n);
  net->n_layers = n;
  es_rng_init (&net->rng, 0);

  ndim = in_ndim;
  memcpy (shape, in_shape, in_ndim * sizeof (size_t));
  for (guint i = 0; i < n; i++) {
    JsonNode *node = json_array_get_element (arr, i);
    EsLayer *l = &net->layers[i];
    LayerCtx ctx = { (int) i, NULL, NULL };
    JsonNode *type_node;
    gboolean has_bias;

    if (!JSON_NODE_HOLDS_OBJECT (node)) {
      arch_error (error, &ctx, "must be a JSON object");
      goto fail;
    }
    ctx.obj = json_node_get_object (node);
    type_node = json_object_get_member (ctx.obj, "type");
    if (type_node == NULL || !JSON_NODE_HOLDS_VALUE (type_node)
        || json_node_get_value_type (type_node) != G_TYPE_STRING) {
      arch_error (error, &ctx, "missing string field \"type\"");
      goto fail;
    }
    ctx.type = json_node_get_string (type_node);
    if (!es_layer_type_from_name (ctx.type, &l->type)) {
      arch_error (error, &ctx, "unknown layer type \"%s\" (known: conv1d, conv2d, "
          "batchnorm, relu, tanh, softplus, abs, maxpool1d, maxpool2d, global_mean, "
          "flatten, dense, dropout, softargmax, centroid)", ctx.type);
      goto fail;
    }
    l->index = (int) i;
    if (!layer_configure (l, &ctx, ndim, shape, &has_bias, error))
      goto fail;
    /* Shape invariants every kernel relies on (ggml-style asserts). */
    g_assert (l->out_size > 0 && l->in_size > 0);
    if (l->type == ES_LAYER_CONV1D || l->type == ES_LAYER_CONV2D
        || l->type == ES_LAYER_MAXPOOL1D || l->type == ES_LAYER_MAXPOOL2D) {
      g_assert (l->in_size == l->channels_in * l->in_h * l->in_w);
      g_assert (l->out_size == l->channels_out * l->out_h * l->out_w);
    }
    if (!count_layer_params (l, has_bias, &n_trainable)
        || n_trainable > max_params) {
      arch_error (error, &ctx, "the network would have more than %zu parameters",
          MIN (max_params, MAX_ELEMENTS));
      goto fail;
    }
    /* Remember the bias flag until the parameters are created. */
    l->bias = has_bias ? (EsTensor *) l : NULL;
    ndim = l->out_ndim;
    memcpy (shape, l->out_shape, sizeof shape);
  }
  net->out_size = net->layers[n - 1].out_size;
  g_object_unref (parser);

  create_params (net);
  net->max_act = net->in_size;
  for (size_t i = 0; i < net->n_layers; i++)
    net->max_act = MAX (net->max_act, net->layers[i].out_size);
  es_net_init_weights (net, 0);
  return net;

fail:
  if (net) {
    /* Parameters were not created yet: only the layer array is owned. */
    g_free (net->layers);
    g_free (net);
  }
  g_clear_object (&parser);
  return NULL;
}

static void
free_batch_buffers (EsNet *net)
{
  if (net->acts)
    for (size_t i = 0; i <= net->n_layers; i++)
      g_free (net->acts[i]);
  g_clear_pointer (&net->acts, g_free);
  g_clear_pointer (&net->grad_a, g_free);
  g_clear_pointer (&net->grad_b, g_free);
  g_clear_pointer (&net->input_grad, g_free);
  for (size_t i = 0; i < net->n_layers; i++) {
    EsLayer *l = &net->layers[i];
    g_clear_pointer (&l->mask, g_free);
    g_clear_pointer (&l->mean, g_free);
    g_clear_pointer (&l->inv_std, g_free);
    g_clear_pointer (&l->scale, g_free);
    g_clear_pointer (&l->shift, g_free);
    g_clear_pointer (&l->column_stats, g_free);
  }
  g_clear_pointer (&net->ws.cols, g_free);
  g_clear_pointer (&net->ws.gemm, g_free);
  net->ws.cols_size = net->ws.gemm_size = 0;
  net->capacity = 0;
}

void
es_net_free (EsNet *net)
{
  if (net == NULL)
    return;
  free_batch_buffers (net);
  for (size_t i = 0; i < net->n_params; i++) {
    g_free (net->params[i].name);
    es_tensor_free (net->params[i].value);
    es_tensor_free (net->params[i].grad);
  }
  g_free (net->params);
  g_free (net->layers);
  g_free (net);
}

/* Grow the per-batch buffers to hold `batch` examples (never shrinks, so a
 * steady stream of equal batches allocates once). */
static void
ensure_capacity (EsNet *net, size_t batch)
{
  if (batch <= net->capacity)
    return;
  free_batch_buffers (net);
  net->acts = g_new0 (float *, net->n_layers + 1);
  net->acts[0] = g_new (float, batch * net->in_size);
  for (size_t i = 0; i < net->n_layers; i++) {
    EsLayer *l = &net->layers[i];
    size_t cols, gemm;
    net->acts[i + 1] = g_new (float, batch * l->out_size);
    if (l->type == ES_LAYER_DROPOUT)
      l->mask = g_new (float, batch * l->in_size);
    if (l->type == ES_LAYER_BATCHNORM) {
      l->mean = g_new0 (double, l->channels_in);
      l->inv_std = g_new0 (double, l->channels_in);
      l->scale = g_new0 (float, l->channels_in);
      l->shift = g_new0 (float, l->channels_in);
    }
    if (l->type == ES_LAYER_SOFTARGMAX || l->type == ES_LAYER_CENTROID)
      l->column_stats = g_new0 (float, 3 * l->in_w);
    es_layer_workspace_needs (l, batch, &cols, &gemm);
    net->ws.cols_size = MAX (net->ws.cols_size, cols);
    net->ws.gemm_size = MAX (net->ws.gemm_size, gemm);
  }
  net->ws.cols = g_new (float, MAX (net->ws.cols_size, 1));
  net->ws.gemm = g_new (float, MAX (net->ws.gemm_size, 1));
  net->grad_a = g_new (float, batch * net->max_act);
  net->grad_b = g_new (float, batch * net->max_act);
  net->input_grad = g_new0 (float, batch * net->in_size);
  net->capacity = batch;
}

int
es_net_get_input_shape (const EsNet *net, size_t *shape)
{
  memcpy (shape, net->in_shape, net->in_ndim * sizeof (size_t));
  return net->in_ndim;
}

size_t
es_net_get_input_size (const EsNet *net)
{
  return net->in_size;
}

size_t
es_net_get_output_size (const EsNet *net)
{
  return net->out_size;
}

EsNetParam *
es_net_get_params (EsNet *net, size_t *n_params)
{
  *n_params = net->n_params;
  return net->params;
}

EsNetParam *
es_net_find_param (EsNet *net, const char *name)
{
  for (size_t i = 0; i < net->n_params; i++)
    if (g_strcmp0 (net->params[i].name, name) == 0)
      return &net->params[i];
  return NULL;
}

size_t
es_net_count_trainable (const EsNet *net)
{
  size_t total = 0;
  for (size_t i = 0; i < net->n_trainable; i++)
    total += es_tensor_numel (net->params[i].value);
  return total;
}

size_t
es_net_get_n_layers (const EsNet *net)
{
  return net->n_layers;
}

double
es_net_forward_flops (const EsNet *net)
{
  double f = 0.0;
  for (size_t i = 0; i < net->n_layers; i++)
    f += es_layer_forward_flops (&net->layers[i]);
  return f;
}

static void
fill_uniform (EsRng *rng, EsTensor *t, double bound)
{
  size_t n = es_tensor_numel (t);
  for (size_t i = 0; i < n; i++)
    t->data[i] = (float) ((2.0 * es_rng_uniform (rng) - 1.0) * bound);
}

void
es_net_init_weights (EsNet *net, guint64 seed)
{
  EsRng rng;

  es_rng_init (&rng, seed ^ 0x5eed0f1a17ULL);
  for (size_t i = 0; i < net->n_layers; i++) {
    EsLayer *l = &net->layers[i];
    if (l->type == ES_LAYER_BATCHNORM) {
      for (size_t c = 0; c < l->channels_in; c++) {
        l->weight->data[c] = 1.0f;
        l->bias->data[c] = 0.0f;
        l->running_mean->data[c] = 0.0f;
        l->running_var->data[c] = 1.0f;
      }
    } else if (l->type == ES_LAYER_SOFTARGMAX || l->type == ES_LAYER_CENTROID) {
      /* position biases start neutral: every row weighs the same */
      if (l->bias)
        memset (l->bias->data, 0, es_tensor_numel (l->bias) * sizeof (float));
    } else if (l->weight) {
      /* kaiming_uniform_(a = sqrt(5)): gain sqrt(2 / (1 + 5)), bound
       * gain * sqrt(3 / fan_in) = 1 / sqrt(fan_in); biases use the same. */
      const size_t fan_in = es_tensor_numel (l->weight) / l->weight->shape[0];
      const double bound = 1.0 / sqrt ((double) fan_in);
      fill_uniform (&rng, l->weight, bound);
      if (l->bias)
        fill_uniform (&rng, l->bias, bound);
    }
  }
}

void
es_net_set_seed (EsNet *net, guint64 seed)
{
  es_rng_init (&net->rng, seed);
}

void
es_net_set_training (EsNet *net, gboolean training)
{
  net->training = training;
}

gboolean
es_net_get_training (const EsNet *net)
{
  return net->training;
}

void
es_net_set_need_input_grad (EsNet *net, gboolean need)
{
  net->need_input_grad = need;
}

/* Inference: a convolution and the pointwise layers after it (batch norm,
 * ReLU, dropout, which is the identity) and a 2-wide max-pool run as one
 * fused kernel, band by band, without writing the intermediate activations.
 * Returns the index of the last layer consumed. */
static size_t
forward_fused (EsNet *net, size_t i, size_t batch)
{
  EsLayer *conv = &net->layers[i];
  EsEpilogueOp ops[ES_EPILOGUE_MAX_OPS];
  const EsLayer *pool = NULL;
  int n_ops = 0;
  size_t j = i;

  while (j + 1 < net->n_layers && n_ops < ES_EPILOGUE_MAX_OPS) {
    EsLayer *next = &net->layers[j + 1];
    if (next->type == ES_LAYER_BATCHNORM) {
      es_layer_batchnorm_prepare_inference (next);
      ops[n_ops++] = (EsEpilogueOp) { ES_EPILOGUE_AFFINE, next->scale, next->shift };
    } else if (next->type == ES_LAYER_RELU) {
      ops[n_ops++] = (EsEpilogueOp) { ES_EPILOGUE_RELU, NULL, NULL };
    } else if (next->type != ES_LAYER_DROPOUT) {
      break;
    }
    j++;
  }
  if (j + 1 < net->n_layers && es_layer_pool_fusable (&net->layers[j + 1])) {
    pool = &net->layers[j + 1];
    j++;
  }
  es_layer_conv_fused_forward (conv, ops, n_ops, pool, net->acts[i], net->acts[j + 1],
      batch, &net->ws);
  return j;
}

static void
forward_layers (EsNet *net, size_t batch, gboolean fuse)
{
  net->acts_partial = FALSE;
  for (size_t i = 0; i < net->n_layers; i++) {
    EsLayer *l = &net->layers[i];
    if (fuse && (l->type == ES_LAYER_CONV1D || l->type == ES_LAYER_CONV2D)) {
      size_t j = forward_fused (net, i, batch);
      net->acts_partial = TRUE;
      i = j;
      continue;
    }
    es_layer_forward (l, net->acts[i], net->acts[i + 1], batch, net->training,
        &net->rng, &net->ws);
  }
}

const float *
es_net_forward (EsNet *net, const float *input, size_t batch)
{
  g_return_val_if_fail (net != NULL && input != NULL && batch > 0, NULL);

  ensure_capacity (net, batch);
  memcpy (net->acts[0], input, batch * net->in_size * sizeof (float));
  forward_layers (net, batch, !net->training);
  net->last_batch = batch;
  return net->acts[net->n_layers];
}

void
es_net_backward (EsNet *net, const float *grad_output)
{
  const float *g = grad_output;
  const size_t batch = net->last_batch;

  g_return_if_fail (batch > 0 && grad_output != NULL);

  if (net->acts_partial) {
    /* Backward after a fused inference forward needs every activation:
     * rerun the layers one by one (inference mode, so deterministic and
     * equal to the fused result up to float rounding). grad_output may be
     * the caller's copy of the logits buffer, which is not touched. */
    float *logits = net->acts[net->n_layers];
    float *keep = g_memdup2 (logits, batch * net->out_size * sizeof (float));
    const gboolean training = net->training;
    net->training = FALSE;      /* the mode of that forward, even if changed since */
    forward_layers (net, batch, FALSE);
    net->training = training;
    memcpy (logits, keep, batch * net->out_size * sizeof (float));
    g_free (keep);
  }

  for (size_t k = net->n_layers; k-- > 0;) {
    EsLayer *l = &net->layers[k];
    float *din;
    if (k == 0)
      din = net->need_input_grad ? net->input_grad : NULL;
    else
      din = (g == net->grad_a) ? net->grad_b : net->grad_a;
    es_layer_backward (l, net->acts[k], net->acts[k + 1], g, din, batch,
        net->training, &net->ws);
    g = din;
  }
}

const float *
es_net_get_input_grad (const EsNet *net)
{
  return net->input_grad;
}

void
es_net_zero_grad (EsNet *net)
{
  for (size_t i = 0; i < net->n_params; i++)
    if (net->params[i].grad)
      memset (net->params[i].grad->data, 0,
          es_tensor_numel (net->params[i].grad) * sizeof (float));
}

char *
es_net_describe (const EsNet *net)
{
  GString *s = g_string_new (NULL);
  char *in = es_shape_to_string (net->in_ndim, net->in_shape);

  g_string_append_printf (s, "input %s\n", in);
  g_free (in);
  for (size_t i = 0; i < net->n_layers; i++) {
    const EsLayer *l = &net->layers[i];
    char *shape = es_shape_to_string (l->out_ndim, l->out_shape);
    size_t n_params = 0;
    GString *args = g_string_new (NULL);

    if (l->weight && l->type != ES_LAYER_BATCHNORM)
      n_params += es_tensor_numel (l->weight);
    if (l->type == ES_LAYER_BATCHNORM)
      n_params += 2 * l->channels_in;
    else if (l->bias)
      n_params += es_tensor_numel (l->bias);

    switch (l->type) {
      case ES_LAYER_CONV1D:
        g_string_printf (args, " %zu k%zu s%zu p%zu", l->channels_out, l->kernel_w,
            l->stride_w, l->pad_w);
        break;
      case ES_LAYER_CONV2D:
        g_string_printf (args, " %zu k%zux%zu s%zux%zu p%zux%zu", l->channels_out,
            l->kernel_h, l->kernel_w, l->stride_h, l->stride_w, l->pad_h, l->pad_w);
        break;
      case ES_LAYER_MAXPOOL1D:
        g_string_printf (args, " k%zu s%zu", l->kernel_w, l->stride_w);
        break;
      case ES_LAYER_MAXPOOL2D:
        g_string_printf (args, " k%zux%zu s%zux%zu", l->kernel_h, l->kernel_w,
            l->stride_h, l->stride_w);
        break;
      case ES_LAYER_DENSE:
        g_string_printf (args, " %zu", l->out_size);
        break;
      case ES_LAYER_DROPOUT:
        g_string_printf (args, " p=%g", l->p);
        break;
      case ES_LAYER_BATCHNORM:
        g_string_printf (args, " %zu", l->channels_in);
        break;
      default:
        break;
    }
    g_string_append_printf (s, "%3zu %s%s -> %s, %zu params\n", i,
        es_layer_type_name (l->type), args->str, shape, n_params);
    g_string_free (args, TRUE);
    g_free (shape);
  }
  g_string_append_printf (s, "trainable parameters: %zu\n", es_net_count_trainable (net));
  return g_string_free (s, FALSE);
}
