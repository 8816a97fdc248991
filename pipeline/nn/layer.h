/* One layer of an EsNet behind an operations table. Internal to libearshot
 * (not installed): callers use net.h.
 *
 * A layer family is one file in nn/layers/ that defines its state (a struct
 * whose first member is EsLayer) and one EsLayerOps, plus one line in the
 * registry of layer.c. The net (net.c) only calls through the table: it reads
 * the JSON description, gives each layer its input shape, creates the
 * parameters the layer declares, allocates per-batch state and scratch, runs
 * forward and backward, and fuses layers at inference where their hooks say
 * they can be. */
#ifndef ES_NN_LAYER_H
#define ES_NN_LAYER_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include "nn/tensor.h"
#include "nn/rng.h"
#include "nn/net.h"

G_BEGIN_DECLS

/* Upper bounds that keep every size computation far from overflow and refuse
 * descriptions that could not run anyway. */
#define ES_NN_MAX_EXTENT ((gint64) 1 << 24)
#define ES_NN_MAX_ELEMENTS ((size_t) 1 << 28)

#define ES_LAYER_MAX_PARAMS 4

typedef enum {
  ES_LAYER_FRONTEND_NONE = 0,
  ES_LAYER_FRONTEND_SOURCE,     /* gammatone */
  ES_LAYER_FRONTEND_STAGE,      /* log, pcen, dct */
} EsLayerFrontend;

typedef struct _EsLayer EsLayer;
typedef struct _EsLayerOps EsLayerOps;

typedef enum {
  ES_LAYER_PARAM_TRAINABLE,     /* gets a gradient (unless the layer is frozen) */
  ES_LAYER_PARAM_BUFFER,        /* state such as running statistics: no gradient */
} EsLayerParamKind;

/* A tensor a layer declares in configure (name and shape); the net creates
 * value and grad and names it "<index>.<name>" (nn.Sequential's state_dict):
 * trainable tensors of every layer in order first, then the buffers. */
typedef struct {
  const char *name;             /* static string, e.g. "weight" */
  EsLayerParamKind kind;
  int ndim;
  size_t shape[4];
  EsTensor *value;              /* owned by the net's parameter list */
  EsTensor *grad;               /* NULL for buffers and for frozen layers */
} EsLayerParam;

/* Scratch memory shared by all layers of a net (grow-only, never shrinks). */
typedef struct {
  float *cols;          /* im2col / col2im matrix */
  size_t cols_size;
  float *gemm;          /* GEMM result before it is scattered to NCHW */
  size_t gemm_size;
} EsLayerWorkspace;

/* What a forward or backward runs in. */
typedef struct {
  gboolean training;    /* dropout active, batch norm on batch statistics */
  EsRng *rng;           /* dropout masks (xoshiro256**) */
  EsLayerWorkspace *ws;
} EsLayerContext;

/* The JSON object describing one layer, while the net is being built. */
typedef struct {
  int index;
  const char *type;
  JsonObject *obj;
} EsLayerArgs;

struct _EsLayer {
  const EsLayerOps *ops;
  int index;                    /* position in the architecture */
  int in_ndim, out_ndim;        /* per example, no batch axis */
  size_t in_shape[3], out_shape[3];
  size_t in_size, out_size;
  gboolean frozen;              /* "trainable": false: parameters get no gradient */
  int n_params;
  EsLayerParam params[ES_LAYER_MAX_PARAMS];
  char *config;                 /* the layer's JSON object, as text */
};

/* Inference-mode fusion: the pointwise layers after a fusable head (a
 * convolution), applied to its output while it is in cache. */
typedef enum {
  ES_EPILOGUE_IDENTITY,         /* nothing to do (dropout at inference) */
  ES_EPILOGUE_AFFINE,           /* y = y * scale[c] + shift[c] (batch norm) */
  ES_EPILOGUE_RELU,
} EsEpilogueKind;

typedef struct {
  EsEpilogueKind kind;
  const float *scale, *shift;
} EsEpilogueOp;

#define ES_EPILOGUE_MAX_OPS 8

/* A max-pool over windows of 2 (or 2x2) with stride = kernel that a fused
 * head applies while its output rows are in cache. */
typedef struct {
  size_t kernel_h, stride_h;    /* 1 and 1 (1-D) or 2 and 2 */
  size_t out_h, out_w, out_size;
} EsFusedPool;

struct _EsLayerOps {
  const char *name;             /* the JSON "type" */
  size_t size;                  /* of the family's struct (first member EsLayer) */
  const char *const *fields;    /* JSON fields besides "type" and "trainable",
                                 * NULL-terminated; others are refused */
  /* Serving runs leading front-end layers outside the net (in the
   * gammatonefb element): a run of them must start with a SOURCE (it takes
   * what the element computes from frames: power spectra) and goes on with
   * STAGEs (compression, DCT). es_net_get_n_frontend_layers counts the run. */
  EsLayerFrontend frontend;

  /* Read the fields (args), check the input shape (in_ndim, in_shape, set by
   * the net, as are out_ndim/out_shape = the input's), set the output shape
   * and declare the parameters (es_layer_declare_param). Errors through
   * es_layer_error, which names the layer. Required. */
  gboolean (*configure) (EsLayer *l, const EsLayerArgs *args, GError **error);
  /* Free what configure allocated (also after configure failed half way).
   * NULL: nothing. */
  void (*finalize) (EsLayer *l);
  /* Initial values of the parameters, drawing from rng in a fixed order (the
   * net calls every layer in turn with one generator). NULL: all zero. */
  void (*init) (EsLayer *l, EsRng *rng);
  /* Per-batch state for up to `batch` examples (grown, never shrunk; the
   * previous state was released first) and its release. NULL: none. */
  void (*reserve) (EsLayer *l, size_t batch);
  void (*release) (EsLayer *l);
  /* Elements of shared scratch the layer needs for a batch. NULL: none. */
  void (*workspace) (const EsLayer *l, size_t batch, size_t *cols_size, size_t *gemm_size);
  /* FLOPs of one forward for one example (multiply and add counted apart).
   * NULL: one per input element. */
  double (*flops) (const EsLayer *l);
  /* The arguments shown by es_net_describe after the type, e.g. " 32 k3 s1 p1".
   * NULL: none. */
  void (*describe) (const EsLayer *l, GString *out);

  /* in (batch x in_size) -> out (batch x out_size); the buffers never overlap.
   * Required. */
  void (*forward) (EsLayer *l, const float *in, float *out, size_t batch,
      const EsLayerContext *ctx);
  /* Backward of the last forward: accumulate parameter gradients (where grad is
   * not NULL) and, if grad_in is not NULL, write dL/din (overwriting it).
   * Required. */
  void (*backward) (EsLayer *l, const float *in, const float *out,
      const float *grad_out, float *grad_in, size_t batch, const EsLayerContext *ctx);

  /* Inference fusion hooks, all optional. `epilogue`: the layer can run as a
   * pointwise op after a fused head; prepares its inference state and fills op.
   * `fused_pool`: the layer is a pool a head can apply in its epilogue.
   * `fused_forward`: the layer can head a fused chain: it runs itself, ops and
   * the optional pool in one kernel (bit-identical to running them one by one),
   * writing only the final output. */
  gboolean (*epilogue) (EsLayer *l, EsEpilogueOp *op);
  gboolean (*fused_pool) (const EsLayer *l, EsFusedPool *pool);
  void (*fused_forward) (EsLayer *l, const EsEpilogueOp *ops, int n_ops,
      const EsFusedPool *pool, const float *in, float *out, size_t batch,
      EsLayerWorkspace *ws);
};

/* Layer i of a net (net.c), NULL when out of range: for a family's own
 * queries on a built net. */
EsLayer *es_net_get_layer (EsNet *net, size_t i);

/* The registry (layer.c): the family of a JSON type name, or NULL. */
const EsLayerOps *es_layer_ops_lookup (const char *name);
/* "conv1d, conv2d, ..." in registry order (newly allocated). */
char *es_layer_ops_list_names (void);

/* ---- helpers for families ------------------------------------------------ */

/* Declare a parameter (in configure); returns it (its value and grad are set
 * once the net has created the tensors). */
EsLayerParam *es_layer_declare_param (EsLayer *l, const char *name, EsLayerParamKind kind,
    int ndim, const size_t *shape);
/* The trainable gradient of p, or NULL (frozen layer or buffer). */
static inline float *
es_layer_param_grad (const EsLayerParam *p)
{
  return p && p->grad ? p->grad->data : NULL;
}

/* Sets an ES_NN_ERROR_ARCHITECTURE error "layer I (TYPE): message"; returns FALSE. */
gboolean es_layer_error (GError **error, const EsLayerArgs *args, const char *fmt, ...)
    G_GNUC_PRINTF (3, 4);
gboolean es_layer_args_has (const EsLayerArgs *args, const char *field);
/* An integer field in [min, ES_NN_MAX_EXTENT], or a pair [h, w] (or one int
 * used for both) when `pair`; fallback when absent and not required. */
gboolean es_layer_args_ints (const EsLayerArgs *args, const char *field, gboolean required,
    gint64 fallback, gint64 min, gboolean pair, gint64 *h, gint64 *w, GError **error);
/* A number in [min, max] (or [min, max) when !max_inclusive); fallback when absent. */
gboolean es_layer_args_double (const EsLayerArgs *args, const char *field, double fallback,
    double min, double max, gboolean max_inclusive, double *value, GError **error);
/* true or false; fallback when absent. */
gboolean es_layer_args_bool (const EsLayerArgs *args, const char *field, gboolean fallback,
    gboolean *value, GError **error);
/* The input has `want` axes per example (`what` names them, e.g. "[C, L]"). */
gboolean es_layer_expect_rank (const EsLayerArgs *args, int ndim, int want, const char *what,
    GError **error);
/* Output extent of a window sliding over `in` (padding on both sides). */
gboolean es_layer_window_extent (const EsLayerArgs *args, const char *axis, size_t in,
    gint64 kernel, gint64 stride, gint64 pad, size_t *out, GError **error);

/* Geometry of a pooling window over [C, L] (1-D: height 1, kernel_h =
 * stride_h = 1) or [C, H, W]. */
typedef struct {
  gboolean two_d;
  size_t channels, in_h, in_w, out_h, out_w;
  size_t kernel_h, kernel_w, stride_h, stride_w;
} EsPoolWindow;

/* A pooling layer's "kernel" and "stride" (defaulting to the kernel, as
 * PyTorch), no padding, floor mode: checks the input rank, fills w and sets
 * the layer's output shape. */
gboolean es_layer_configure_pool (EsLayer *l, const EsLayerArgs *args, gboolean two_d,
    EsPoolWindow *w, GError **error);

/* PyTorch's default for conv and linear layers: kaiming_uniform(a = sqrt(5))
 * = U(+-1/sqrt(fan_in)) for the weight, then the bias (may be NULL) with the
 * same bound. */
void es_layer_init_kaiming (EsRng *rng, EsLayerParam *weight, EsLayerParam *bias);

G_END_DECLS

#endif
