/* EsNet: a feed-forward network built from a JSON layer list, with
 * preallocated per-batch buffers so a forward or backward never allocates
 * once the batch size has been seen. */
#include "nn/net.h"
#include "nn/layer.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>
#include "nn/blas.h"


#define MAX_LAYERS 4096
#define MAX_EXTENT ES_NN_MAX_EXTENT
#define MAX_ELEMENTS ES_NN_MAX_ELEMENTS

struct _EsNet {
  int in_ndim;
  size_t in_shape[3];
  size_t in_size, out_size;

  EsLayer **layers;
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
  size_t first_layer;   /* of the last forward (es_net_forward_from) */
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
  es_blas_set_threads (n_threads);
}

int
es_nn_get_threads (void)
{
  if (threads_setting == 0 && es_blas_get_threads () > 0)
    return es_blas_get_threads ();
  return threads_setting > 0 ? threads_setting : 1;
}

/* ---- architecture parsing ---------------------------------------------- */

static gboolean
check_fields (const EsLayerArgs *args, const char *const *allowed, GError **error)
{
  GList *members = json_object_get_members (args->obj);
  gboolean ok = TRUE;

  for (GList *m = members; m && ok; m = m->next) {
    const char *key = m->data;
    gboolean known = g_str_equal (key, "type") || g_str_equal (key, "trainable");
    for (const char *const *a = allowed; *a && !known; a++)
      known = g_str_equal (key, *a);
    if (!known)
      ok = es_layer_error (error, args, "unknown field \"%s\"", key);
  }
  g_list_free (members);
  return ok;
}

/* Build one layer from its description and the incoming per-example shape:
 * the family reads its fields, sets the outgoing shape and declares its
 * parameters (created later, once every layer is known). */
static EsLayer *
layer_new (const EsLayerOps *ops, const EsLayerArgs *args, int in_ndim,
    const size_t *in_shape, GError **error)
{
  EsLayer *l = g_malloc0 (ops->size);
  gboolean trainable;

  l->ops = ops;
  l->index = args->index;
  l->in_ndim = in_ndim;
  memcpy (l->in_shape, in_shape, in_ndim * sizeof (size_t));
  /* Default: shape-preserving. */
  l->out_ndim = in_ndim;
  memcpy (l->out_shape, in_shape, in_ndim * sizeof (size_t));
  if (!check_fields (args, ops->fields, error)
      || !ops->configure (l, args, error)
      || !es_layer_args_bool (args, "trainable", TRUE, &trainable, error))
    goto fail;
  if (!es_shape_numel (in_ndim, in_shape, &l->in_size)
      || !es_shape_numel (l->out_ndim, l->out_shape, &l->out_size)
      || l->out_size > ES_NN_MAX_ELEMENTS) {
    es_layer_error (error, args, "output has more than %zu elements per example",
        ES_NN_MAX_ELEMENTS);
    goto fail;
  }
  if (l->out_size == 0) {
    es_layer_error (error, args, "output shape is empty");
    goto fail;
  }
  l->frozen = !trainable;
  if (l->frozen) {
    gboolean any = FALSE;
    for (int p = 0; p < l->n_params; p++)
      any |= l->params[p].kind == ES_LAYER_PARAM_TRAINABLE;
    if (!any) {
      es_layer_error (error, args, "\"trainable\" is given but the layer has no "
          "parameters to train");
      goto fail;
    }
  }
  return l;

fail:
  if (ops->finalize)
    ops->finalize (l);
  g_free (l);
  return NULL;
}

/* Add the layer's trainable parameter count to *total; FALSE if it overflows
 * or passes the limit (checked before anything is allocated). */
static gboolean
count_layer_params (const EsLayer *l, size_t *total)
{
  for (int p = 0; p < l->n_params; p++) {
    size_t n;
    if (l->params[p].kind != ES_LAYER_PARAM_TRAINABLE)
      continue;
    if (!es_shape_numel (l->params[p].ndim, l->params[p].shape, &n)
        || n > ES_NN_MAX_ELEMENTS || *total + n > ES_NN_MAX_ELEMENTS)
      return FALSE;
    *total += n;
  }
  return TRUE;
}

static void
add_params (EsNet *net, GPtrArray *names, GPtrArray *tensors, GPtrArray *grads,
    EsLayerParamKind kind)
{
  for (size_t i = 0; i < net->n_layers; i++) {
    EsLayer *l = net->layers[i];
    for (int k = 0; k < l->n_params; k++) {
      EsLayerParam *p = &l->params[k];
      if (p->kind != kind)
        continue;
      p->value = es_tensor_new (p->ndim, p->shape);
      p->grad = kind == ES_LAYER_PARAM_TRAINABLE && !l->frozen ?
          es_tensor_new (p->ndim, p->shape) : NULL;
      g_ptr_array_add (names, g_strdup_printf ("%d.%s", l->index, p->name));
      g_ptr_array_add (tensors, p->value);
      g_ptr_array_add (grads, p->grad);
    }
  }
}

static void
create_params (EsNet *net)
{
  GPtrArray *names = g_ptr_array_new (), *tensors = g_ptr_array_new (),
      *grads = g_ptr_array_new ();

  /* Trainable parameters in layer order first, then buffers, as documented. */
  add_params (net, names, tensors, grads, ES_LAYER_PARAM_TRAINABLE);
  net->n_trainable = names->len;
  add_params (net, names, tensors, grads, ES_LAYER_PARAM_BUFFER);

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

static void
free_layers (EsLayer **layers, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    if (layers[i] == NULL)
      continue;
    if (layers[i]->ops->finalize)
      layers[i]->ops->finalize (layers[i]);
    g_free (layers[i]->config);
    g_free (layers[i]);
  }
  g_free (layers);
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
  char *known;
  GError *json_error = NULL;
  guint n;

  g_return_val_if_fail (architecture_json != NULL, NULL);

  if (!es_blas_load (error))
    return NULL;
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
  net->layers = g_new0 (EsLayer *, n);
  net->n_layers = n;
  es_rng_init (&net->rng, 0);

  ndim = in_ndim;
  memcpy (shape, in_shape, in_ndim * sizeof (size_t));
  for (guint i = 0; i < n; i++) {
    JsonNode *node = json_array_get_element (arr, i);
    EsLayerArgs args = { (int) i, NULL, NULL };
    const EsLayerOps *ops;
    JsonNode *type_node;
    EsLayer *l;

    if (!JSON_NODE_HOLDS_OBJECT (node)) {
      es_layer_error (error, &args, "must be a JSON object");
      goto fail;
    }
    args.obj = json_node_get_object (node);
    type_node = json_object_get_member (args.obj, "type");
    if (type_node == NULL || !JSON_NODE_HOLDS_VALUE (type_node)
        || json_node_get_value_type (type_node) != G_TYPE_STRING) {
      es_layer_error (error, &args, "missing string field \"type\"");
      goto fail;
    }
    args.type = json_node_get_string (type_node);
    ops = es_layer_ops_lookup (args.type);
    if (ops == NULL) {
      known = es_layer_ops_list_names ();
      es_layer_error (error, &args, "unknown layer type \"%s\" (known: %s)", args.type,
          known);
      g_free (known);
      goto fail;
    }
    l = layer_new (ops, &args, ndim, shape, error);
    if (l == NULL)
      goto fail;
    net->layers[i] = l;
    l->config = json_to_string (node, FALSE);
    g_assert (l->out_size > 0 && l->in_size > 0);
    if (!count_layer_params (l, &n_trainable) || n_trainable > max_params) {
      es_layer_error (error, &args, "the network would have more than %zu parameters",
          MIN (max_params, MAX_ELEMENTS));
      goto fail;
    }
    ndim = l->out_ndim;
    memcpy (shape, l->out_shape, sizeof shape);
  }
  net->out_size = net->layers[n - 1]->out_size;
  g_object_unref (parser);

  create_params (net);
  net->max_act = net->in_size;
  for (size_t i = 0; i < net->n_layers; i++)
    net->max_act = MAX (net->max_act, net->layers[i]->out_size);
  es_net_init_weights (net, 0);
  return net;

fail:
  if (net) {
    /* Parameters were not created yet: only the layers are owned. */
    free_layers (net->layers, net->n_layers);
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
    EsLayer *l = net->layers[i];
    if (l->ops->release)
      l->ops->release (l);
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
  free_layers (net->layers, net->n_layers);
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
    EsLayer *l = net->layers[i];
    size_t cols = 0, gemm = 0;
    net->acts[i + 1] = g_new (float, batch * l->out_size);
    if (l->ops->reserve)
      l->ops->reserve (l, batch);
    if (l->ops->workspace)
      l->ops->workspace (l, batch, &cols, &gemm);
    net->ws.cols_size = MAX (net->ws.cols_size, cols);
    net->ws.gemm_size = MAX (net->ws.gemm_size, gemm);
  }
  net->ws.cols = g_new (float, MAX (net->ws.cols_size, 1));
  net->ws.gemm = g_new (float, MAX (net->ws.gemm_size, 1));
  net->grad_a = g_new (float, batch * net->max_act);
  net->grad_b = g_new (float, batch * net->max_act);
  net->input_grad = g_new0 (float, batch * net->max_act);
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
    if (net->params[i].grad)
      total += es_tensor_numel (net->params[i].value);
  return total;
}

size_t
es_net_get_n_layers (const EsNet *net)
{
  return net->n_layers;
}

EsLayer *
es_net_get_layer (EsNet *net, size_t i)
{
  return i < net->n_layers ? net->layers[i] : NULL;
}

const char *
es_net_get_layer_type (const EsNet *net, size_t i)
{
  return i < net->n_layers ? net->layers[i]->ops->name : NULL;
}

const char *
es_net_get_layer_config (const EsNet *net, size_t i)
{
  return i < net->n_layers ? net->layers[i]->config : NULL;
}

gboolean
es_net_get_layer_trainable (const EsNet *net, size_t i)
{
  return i < net->n_layers && !net->layers[i]->frozen;
}

int
es_net_get_layer_input_shape (const EsNet *net, size_t i, size_t *shape)
{
  const EsLayer *l;
  if (i > net->n_layers)
    return 0;
  if (i == net->n_layers) {
    l = net->layers[i - 1];
    memcpy (shape, l->out_shape, l->out_ndim * sizeof (size_t));
    return l->out_ndim;
  }
  l = net->layers[i];
  memcpy (shape, l->in_shape, l->in_ndim * sizeof (size_t));
  return l->in_ndim;
}

size_t
es_net_get_layer_input_size (const EsNet *net, size_t i)
{
  if (i > net->n_layers)
    return 0;
  return i == net->n_layers ? net->out_size : net->layers[i]->in_size;
}

EsNetParam *
es_net_get_layer_param (EsNet *net, size_t i, const char *name)
{
  char *full = g_strdup_printf ("%zu.%s", i, name);
  EsNetParam *p = es_net_find_param (net, full);
  g_free (full);
  return p;
}

size_t
es_net_get_n_frontend_layers (const EsNet *net)
{
  size_t n = 1;
  if (net->layers[0]->ops->frontend != ES_LAYER_FRONTEND_SOURCE)
    return 0;
  while (n < net->n_layers && net->layers[n]->ops->frontend == ES_LAYER_FRONTEND_STAGE)
    n++;
  return n;
}

static double
layer_flops (const EsLayer *l)
{
  return l->ops->flops ? l->ops->flops (l) : (double) l->in_size;
}

double
es_net_forward_flops (const EsNet *net)
{
  double f = 0.0;
  for (size_t i = 0; i < net->n_layers; i++)
    f += layer_flops (net->layers[i]);
  return f;
}

void
es_net_init_weights (EsNet *net, guint64 seed)
{
  EsRng rng;

  /* One generator through every layer in order, so a layer's draws depend
   * on the layers before it exactly as in earlier versions. */
  es_rng_init (&rng, seed ^ 0x5eed0f1a17ULL);
  for (size_t i = 0; i < net->n_layers; i++) {
    EsLayer *l = net->layers[i];
    if (l->ops->init) {
      l->ops->init (l, &rng);
      continue;
    }
    for (int p = 0; p < l->n_params; p++)
      memset (l->params[p].value->data, 0,
          es_tensor_numel (l->params[p].value) * sizeof (float));
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

/* Inference: a layer that can head a fused chain (a convolution), the
 * pointwise layers after it that can run in its epilogue (batch norm, ReLU,
 * dropout, which is the identity) and a pool it can apply, run as one
 * kernel without writing the intermediate activations. Returns the index of
 * the last layer consumed. */
static size_t
forward_fused (EsNet *net, size_t i, size_t batch)
{
  EsLayer *head = net->layers[i];
  EsEpilogueOp ops[ES_EPILOGUE_MAX_OPS];
  EsFusedPool pool;
  gboolean has_pool = FALSE;
  int n_ops = 0;
  size_t j = i;

  while (j + 1 < net->n_layers && n_ops < ES_EPILOGUE_MAX_OPS) {
    EsLayer *next = net->layers[j + 1];
    EsEpilogueOp op;
    if (next->ops->epilogue == NULL || !next->ops->epilogue (next, &op))
      break;
    if (op.kind != ES_EPILOGUE_IDENTITY)
      ops[n_ops++] = op;
    j++;
  }
  if (j + 1 < net->n_layers && net->layers[j + 1]->ops->fused_pool
      && net->layers[j + 1]->ops->fused_pool (net->layers[j + 1], &pool)) {
    has_pool = TRUE;
    j++;
  }
  head->ops->fused_forward (head, ops, n_ops, has_pool ? &pool : NULL, net->acts[i],
      net->acts[j + 1], batch, &net->ws);
  return j;
}

static void
forward_layers (EsNet *net, size_t first, size_t batch, gboolean fuse)
{
  const EsLayerContext ctx = { net->training, &net->rng, &net->ws };

  net->acts_partial = FALSE;
  for (size_t i = first; i < net->n_layers; i++) {
    EsLayer *l = net->layers[i];
    if (fuse && l->ops->fused_forward) {
      size_t j = forward_fused (net, i, batch);
      net->acts_partial = TRUE;
      i = j;
      continue;
    }
    l->ops->forward (l, net->acts[i], net->acts[i + 1], batch, &ctx);
  }
}

const float *
es_net_forward_from (EsNet *net, size_t first_layer, const float *input, size_t batch)
{
  size_t in_size;

  g_return_val_if_fail (net != NULL && input != NULL && batch > 0, NULL);
  g_return_val_if_fail (first_layer < net->n_layers, NULL);

  ensure_capacity (net, batch);
  in_size = first_layer == 0 ? net->in_size : net->layers[first_layer - 1]->out_size;
  memcpy (net->acts[first_layer], input, batch * in_size * sizeof (float));
  forward_layers (net, first_layer, batch, !net->training);
  net->first_layer = first_layer;
  net->last_batch = batch;
  return net->acts[net->n_layers];
}

const float *
es_net_forward (EsNet *net, const float *input, size_t batch)
{
  return es_net_forward_from (net, 0, input, batch);
}

void
es_net_backward (EsNet *net, const float *grad_output)
{
  const float *g = grad_output;
  const size_t batch = net->last_batch;
  EsLayerContext ctx;

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
    forward_layers (net, net->first_layer, batch, FALSE);
    net->training = training;
    memcpy (logits, keep, batch * net->out_size * sizeof (float));
    g_free (keep);
  }

  ctx = (EsLayerContext) { net->training, &net->rng, &net->ws };
  for (size_t k = net->n_layers; k-- > net->first_layer;) {
    EsLayer *l = net->layers[k];
    float *din;
    if (k == net->first_layer)
      din = net->need_input_grad ? net->input_grad : NULL;
    else
      din = (g == net->grad_a) ? net->grad_b : net->grad_a;
    l->ops->backward (l, net->acts[k], net->acts[k + 1], g, din, batch, &ctx);
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
    const EsLayer *l = net->layers[i];
    char *shape = es_shape_to_string (l->out_ndim, l->out_shape);
    size_t n_params = 0;
    GString *args = g_string_new (NULL);

    for (int p = 0; p < l->n_params; p++)
      if (l->params[p].kind == ES_LAYER_PARAM_TRAINABLE)
        n_params += es_tensor_numel (l->params[p].value);
    if (l->ops->describe)
      l->ops->describe (l, args);
    g_string_append_printf (s, "%3zu %s%s -> %s, %zu params%s\n", i, l->ops->name,
        args->str, shape, n_params, l->frozen ? " (frozen)" : "");
    g_string_free (args, TRUE);
    g_free (shape);
  }
  g_string_append_printf (s, "trainable parameters: %zu\n", es_net_count_trainable (net));
  return g_string_free (s, FALSE);
}
