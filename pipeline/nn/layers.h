/* Layer kernels of the network engine: forward and backward passes, float32,
 * batch-first (NCL / NCHW), as used by EsNet (net.c). Internal to libearshot:
 * callers use net.h. One-dimensional layers are run as two-dimensional ones
 * with height 1, so every convolution and pooling kernel exists once. */
#ifndef ES_NN_LAYERS_H
#define ES_NN_LAYERS_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "nn/tensor.h"
#include "nn/rng.h"

G_BEGIN_DECLS

typedef enum {
  ES_LAYER_CONV1D,
  ES_LAYER_CONV2D,
  ES_LAYER_BATCHNORM,
  ES_LAYER_RELU,
  ES_LAYER_TANH,
  ES_LAYER_SOFTPLUS,
  ES_LAYER_ABS,
  ES_LAYER_MAXPOOL1D,
  ES_LAYER_MAXPOOL2D,
  ES_LAYER_GLOBAL_MEAN,
  ES_LAYER_FLATTEN,
  ES_LAYER_DENSE,
  ES_LAYER_DROPOUT,
  ES_LAYER_SOFTARGMAX,
  ES_LAYER_CENTROID,
} EsLayerType;

/* Scratch memory shared by all layers of a net (grow-only, never shrinks). */
typedef struct {
  float *cols;          /* im2col / col2im matrix */
  size_t cols_size;
  float *gemm;          /* GEMM result before it is scattered to NCHW */
  size_t gemm_size;
} EsLayerWorkspace;

typedef struct {
  EsLayerType type;
  int index;                    /* position in the architecture */

  int in_ndim, out_ndim;        /* per example, no batch axis */
  size_t in_shape[3], out_shape[3];
  size_t in_size, out_size;

  /* Convolution and pooling geometry; 1-D layers have in_h = out_h = 1,
   * kernel_h = stride_h = 1, pad_h = 0. For batch norm, channels_in is C
   * and in_h * in_w the spatial size per channel. */
  size_t channels_in, channels_out;
  size_t in_h, in_w, out_h, out_w;
  size_t kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w;

  double momentum, eps;         /* batch norm */
  double p;                     /* dropout */
  double beta, threshold;       /* softplus; beta also softargmax */
  /* momentum/eps above: eps is also centroid's prior mass */

  /* Owned by the net's parameter list. */
  EsTensor *weight, *weight_grad, *bias, *bias_grad;
  EsTensor *running_mean, *running_var;

  /* Per-batch state, sized for the net's batch capacity. */
  float *mask;                  /* dropout: 0 or 1/(1-p) per element */
  double *mean, *inv_std;       /* batch norm: statistics used by the last forward */
  float *scale, *shift;         /* batch norm: per-channel affine of the last forward */
  float *column_stats;          /* softargmax, centroid: per-column max, sum,
                                 * weighted sum (3 W) */
} EsLayer;

/* Inference-mode fusion (see es_layer_conv_fused_forward): the pointwise
 * layers after a convolution, applied to its output while it is in cache. */
typedef enum {
  ES_EPILOGUE_AFFINE,           /* y = y * scale[c] + shift[c] (batch norm) */
  ES_EPILOGUE_RELU,
} EsEpilogueKind;

typedef struct {
  EsEpilogueKind kind;
  const float *scale, *shift;
} EsEpilogueOp;

#define ES_EPILOGUE_MAX_OPS 8

const char *es_layer_type_name (EsLayerType type);
gboolean es_layer_type_from_name (const char *name, EsLayerType *type);

/* Elements of GEMM scratch a layer needs for a batch (0 if none). */
void es_layer_workspace_needs (const EsLayer *layer, size_t batch,
    size_t *cols_size, size_t *gemm_size);

/* Number of FLOPs (multiply and add counted separately) of one forward for one
 * example; elementwise layers count one per element. */
double es_layer_forward_flops (const EsLayer *layer);

/* Forward one batch from in (batch x in_size) to out (batch x out_size).
 * rng is the dropout generator state (xoshiro256**). */
void es_layer_forward (EsLayer *layer, const float *in, float *out, size_t batch,
    gboolean training, EsRng *rng, EsLayerWorkspace *ws);

/* Backward of the last forward: accumulates parameter gradients and, if
 * grad_in is not NULL, writes dL/din (overwriting it). */
void es_layer_backward (EsLayer *layer, const float *in, const float *out,
    const float *grad_out, float *grad_in, size_t batch, gboolean training,
    EsLayerWorkspace *ws);

/* Batch norm in inference mode: fill layer->scale/shift (and mean/inv_std)
 * from the running statistics, exactly as its forward would. */
void es_layer_batchnorm_prepare_inference (EsLayer *layer);

/* Whether `pool` (a max-pool layer) can be fused after a convolution. */
gboolean es_layer_pool_fusable (const EsLayer *pool);

/* Inference forward of conv -> ops[0..n_ops) -> optional max-pool, writing
 * only the final output (batch x the last layer's out_size). Each op is
 * applied in the order and with the float operations of the unfused layers,
 * so the result is bit-identical to running them one by one. */
void es_layer_conv_fused_forward (EsLayer *conv, const EsEpilogueOp *ops, int n_ops,
    const EsLayer *pool, const float *in, float *out, size_t batch,
    EsLayerWorkspace *ws);


G_END_DECLS

#endif
