/* A feed-forward network built from a description (data, not code).
 *
 * The architecture is a JSON array of layer objects, applied in order, e.g.
 *   [{"type":"conv1d","out_channels":32,"kernel":3,"stride":1,"padding":1},
 *    {"type":"batchnorm"}, {"type":"relu"}, {"type":"dropout","p":0.2},
 *    {"type":"maxpool1d","kernel":2}, {"type":"flatten"},
 *    {"type":"dense","out_features":4}]
 * Layer types: conv1d, conv2d (kernel/stride/padding as an int or [h, w]),
 * batchnorm (1d or 2d from the input rank; "momentum" 0.1 and "eps" 1e-5 as
 * PyTorch), relu, tanh, softplus, abs, maxpool1d, maxpool2d, avgpool1d,
 * avgpool2d ("kernel", "stride" defaulting to kernel), global_mean (mean over
 * the last axis: [C, L] -> [C]), global_avgpool ([C, ...] -> [C]), flatten,
 * reshape ("shape"), dense ("out_features"), dropout ("p"; inverted, identity
 * at inference), softargmax, centroid, and the audio front-end layers
 * gammatone, log, pcen, dct (nn/audio-layers.h). Any layer with parameters
 * takes "trainable": false (frozen: no gradient, no update). Every layer
 * type and field is in docs/nn.md. Shapes exclude the batch axis: input
 * [C, L] for 1-D nets, [C, H, W] for 2-D nets, [N] for dense-only nets,
 * [frames, bins] for nets that start with a gammatone layer.
 *
 * Parameters are named like a PyTorch nn.Sequential state_dict: "<index>.weight",
 * "<index>.bias", "<index>.running_mean", "<index>.running_var",
 * "<index>.num_batches_tracked" is not stored. Weight layouts are PyTorch's
 * (conv: [out, in, k...], dense: [out, in]). */
#ifndef ES_NN_NET_H
#define ES_NN_NET_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "nn-error.h"
#include "tensor.h"

G_BEGIN_DECLS

typedef struct {
  char *name;          /* "3.weight" */
  EsTensor *value;
  EsTensor *grad;      /* same shape; NULL for buffers such as running statistics */
} EsNetParam;

typedef struct _EsNet EsNet;

EsNet *es_net_new (const char *architecture_json, int in_ndim, const size_t *in_shape,
    GError **error);
/* The same, refusing (before allocating anything) an architecture with more
 * than max_params trainable parameters: a model loader passes what the file
 * can hold, so a small hostile file cannot make it allocate gigabytes. */
EsNet *es_net_new_limited (const char *architecture_json, int in_ndim,
    const size_t *in_shape, size_t max_params, GError **error);
void es_net_free (EsNet *net);

/* Shapes per example (no batch axis). */
int es_net_get_input_shape (const EsNet *net, size_t *shape);   /* returns ndim */
size_t es_net_get_input_size (const EsNet *net);
size_t es_net_get_output_size (const EsNet *net);

/* Every named tensor (parameters first in layer order, then buffers). */
EsNetParam *es_net_get_params (EsNet *net, size_t *n_params);
/* Look up by name; NULL if absent. */
EsNetParam *es_net_find_param (EsNet *net, const char *name);
size_t es_net_count_trainable (const EsNet *net);

/* PyTorch's default initialisation (kaiming-uniform weights, uniform biases,
 * BN weight 1 bias 0, running mean 0 var 1), deterministic for a seed. */
void es_net_init_weights (EsNet *net, guint64 seed);
/* Seed of the dropout mask generator. */
void es_net_set_seed (EsNet *net, guint64 seed);
/* Training mode: dropout active, batch norm uses and updates batch statistics. */
void es_net_set_training (EsNet *net, gboolean training);

/* Run a batch: input is batch x input_size floats; returns batch x output_size
 * logits owned by the net, valid until the next forward. */
const float *es_net_forward (EsNet *net, const float *input, size_t batch);
/* Run layers first_layer .. n_layers - 1 only: input is what layer
 * first_layer takes (batch x es_net_get_layer_input_size (net, first_layer)),
 * e.g. features a front-end element computed with the layers before it
 * (es_net_get_n_frontend_layers). first_layer 0 is es_net_forward. The
 * result is bit for bit the one the whole forward gives from the same
 * activation. */
const float *es_net_forward_from (EsNet *net, size_t first_layer, const float *input,
    size_t batch);
/* Back-propagate dL/dlogits (batch x output_size, for the last forward) and
 * accumulate parameter gradients of the layers that forward ran. */
void es_net_backward (EsNet *net, const float *grad_output);
/* dL/dinput of the last backward (batch x the input size of the first layer
 * the last forward ran), owned by the net. */
const float *es_net_get_input_grad (const EsNet *net);
void es_net_zero_grad (EsNet *net);

/* Whether es_net_backward computes dL/dinput (default TRUE). A trainer that
 * never reads es_net_get_input_grad can turn it off to save the first
 * layer's input-gradient work. */
void es_net_set_need_input_grad (EsNet *net, gboolean need);
gboolean es_net_get_training (const EsNet *net);
size_t es_net_get_n_layers (const EsNet *net);
/* FLOPs of one forward pass for one example (multiply and add counted apart). */
double es_net_forward_flops (const EsNet *net);

/* Layer i (0 <= i < n_layers): its JSON "type", its whole JSON object as
 * given in the architecture (owned by the net), and whether its parameters
 * train ("trainable": false freezes them: no gradient, no update). NULL /
 * FALSE when i is out of range. */
const char *es_net_get_layer_type (const EsNet *net, size_t i);
const char *es_net_get_layer_config (const EsNet *net, size_t i);
gboolean es_net_get_layer_trainable (const EsNet *net, size_t i);
/* The shape (returns ndim) and size per example of what layer i takes;
 * i = n_layers gives the net's output. 0 when i is out of range. */
int es_net_get_layer_input_shape (const EsNet *net, size_t i, size_t *shape);
size_t es_net_get_layer_input_size (const EsNet *net, size_t i);
/* Parameter or buffer `name` ("weight", "bias", "running_mean", ...) of layer
 * i, i.e. "<i>.<name>"; NULL if absent. */
EsNetParam *es_net_get_layer_param (EsNet *net, size_t i, const char *name);
/* How many leading layers are front-end layers: a gammatone layer first,
 * then any log, pcen and dct layers after it (0 if the net does not start
 * with a gammatone layer). In serving they run in the gammatonefb element;
 * the net runs from there on with es_net_forward_from. */
size_t es_net_get_n_frontend_layers (const EsNet *net);

/* Threads used by the BLAS (OpenBLAS) for all nets of the process. Results
 * are deterministic for a given thread count. es_nn_get_threads returns the
 * current setting (OpenBLAS's own default until es_nn_set_threads is called). */
void es_nn_set_threads (int n_threads);
int es_nn_get_threads (void);

/* One line per layer with output shape and parameter count; newly allocated. */
char *es_net_describe (const EsNet *net);

G_END_DECLS

#endif
