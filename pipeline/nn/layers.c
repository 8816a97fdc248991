/* Layer kernels: convolutions as im2col + SGEMM (the ggml / Caffe way),
 * batch norm with PyTorch's semantics, pooling, activations, dense, dropout.
 * Every kernel works on whole batches so the BLAS calls are as large as the
 * geometry allows, and none allocates: scratch comes from the net. */
#include "nn/layers.h"

/* The elementwise loops (bias, batch norm, activations, scatter) are a large
 * share of the time of small nets; the library is built at -O2, which does
 * not vectorise them, so ask for the vectoriser here. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__OPTIMIZE__)
#pragma GCC optimize ("tree-vectorize")
#endif

#include <cblas.h>
#include <math.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

static const char *const layer_names[] = {
  [ES_LAYER_CONV1D] = "conv1d",
  [ES_LAYER_CONV2D] = "conv2d",
  [ES_LAYER_BATCHNORM] = "batchnorm",
  [ES_LAYER_RELU] = "relu",
  [ES_LAYER_TANH] = "tanh",
  [ES_LAYER_SOFTPLUS] = "softplus",
  [ES_LAYER_ABS] = "abs",
  [ES_LAYER_MAXPOOL1D] = "maxpool1d",
  [ES_LAYER_MAXPOOL2D] = "maxpool2d",
  [ES_LAYER_GLOBAL_MEAN] = "global_mean",
  [ES_LAYER_FLATTEN] = "flatten",
  [ES_LAYER_DENSE] = "dense",
  [ES_LAYER_DROPOUT] = "dropout",
  [ES_LAYER_SOFTARGMAX] = "softargmax",
  [ES_LAYER_CENTROID] = "centroid",
};

const char *
es_layer_type_name (EsLayerType type)
{
  if ((size_t) type < G_N_ELEMENTS (layer_names))
    return layer_names[type];
  return "?";
}

gboolean
es_layer_type_from_name (const char *name, EsLayerType *type)
{
  for (size_t i = 0; i < G_N_ELEMENTS (layer_names); i++) {
    if (g_strcmp0 (name, layer_names[i]) == 0) {
      *type = (EsLayerType) i;
      return TRUE;
    }
  }
  return FALSE;
}

/* Sums in double over one row, with four accumulators so the additions
 * pipeline (and pair up in SSE2); a fixed order, so deterministic. */
static double
sum_d (const float *restrict x, size_t n)
{
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += x[i];
    s1 += x[i + 1];
    s2 += x[i + 2];
    s3 += x[i + 3];
  }
  for (; i < n; i++)
    s0 += x[i];
  return (s0 + s1) + (s2 + s3);
}

/* Σ (x - mean)^2, or Σ w (x - mean) when w is not NULL. */
static double
sum_centred_d (const float *restrict x, const float *restrict w, size_t n, double mean)
{
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
  size_t i = 0;
  const float *restrict v = w ? w : x;
  for (; i + 4 <= n; i += 4) {
    s0 += (x[i] - mean) * v[i];
    s1 += (x[i + 1] - mean) * v[i + 1];
    s2 += (x[i + 2] - mean) * v[i + 2];
    s3 += (x[i + 3] - mean) * v[i + 3];
  }
  for (; i < n; i++)
    s0 += (x[i] - mean) * v[i];
  return (s0 + s1) + (s2 + s3);
}

/* ---- convolution ------------------------------------------------------- */

static size_t
conv_rows (const EsLayer *l)
{
  return l->channels_in * l->kernel_h * l->kernel_w;
}

/* Examples per GEMM. Small outputs (1-D nets) are batched together so the
 * GEMM is wide enough to run at full speed (about 512 columns: wider ones
 * gain nothing and push the column matrix and the result out of L2); large
 * ones (2-D nets) go one at a time. */
static size_t
conv_chunk (const EsLayer *l, size_t batch)
{
  const size_t positions = l->out_h * l->out_w;
  const size_t cap = (size_t) 1 << 22;       /* floats of im2col scratch */
  size_t chunk = (512 + positions - 1) / positions;

  if (chunk * positions * conv_rows (l) > cap)
    chunk = cap / (positions * conv_rows (l));
  return CLAMP (chunk, 1, MAX (batch, 1));
}

/* The output columns [lo, hi) whose input column iw = ow * stride + col_off
 * lies inside [0, W); the others read padding. Loops over that range need
 * no bounds test per element. */
static void
valid_columns (const EsLayer *l, ptrdiff_t col_off, size_t *lo, size_t *hi)
{
  const ptrdiff_t sw = (ptrdiff_t) l->stride_w, W = (ptrdiff_t) l->in_w;
  const size_t first = col_off < 0 ? (size_t) ((-col_off + sw - 1) / sw) : 0;
  const size_t end = W - col_off <= 0 ? 0 : (size_t) ((W - col_off + sw - 1) / sw);

  *hi = MIN (end, l->out_w);
  *lo = MIN (first, *hi);
}

/* Unfold output rows [oh0, oh1) of one example [C, H, W] into rows
 * (c, ki, kj) of a column matrix with leading dimension ld, one column per
 * output position. */
static void
im2col_band (const EsLayer *l, const float *x, float *cols, size_t ld,
    size_t oh0, size_t oh1)
{
  const size_t H = l->in_h, W = l->in_w, OW = l->out_w, sw = l->stride_w;

  for (size_t c = 0; c < l->channels_in; c++) {
    const float *xc = x + c * H * W;
    for (size_t ki = 0; ki < l->kernel_h; ki++) {
      for (size_t kj = 0; kj < l->kernel_w; kj++) {
        float *row = cols + ((c * l->kernel_h + ki) * l->kernel_w + kj) * ld;
        const ptrdiff_t col_off = (ptrdiff_t) kj - (ptrdiff_t) l->pad_w;
        size_t lo, hi;
        valid_columns (l, col_off, &lo, &hi);
        for (size_t oh = oh0; oh < oh1; oh++) {
          const ptrdiff_t ih = (ptrdiff_t) (oh * l->stride_h + ki) - (ptrdiff_t) l->pad_h;
          float *restrict dst = row + (oh - oh0) * OW;
          const float *restrict src;
          if (ih < 0 || ih >= (ptrdiff_t) H) {
            memset (dst, 0, OW * sizeof (float));
            continue;
          }
          /* one zero run, the copy, one zero run */
          memset (dst, 0, lo * sizeof (float));
          if (hi > lo) {
            src = xc + ih * W + ((ptrdiff_t) (lo * sw) + col_off);
            if (sw == 1) {
              memcpy (dst + lo, src, (hi - lo) * sizeof (float));
            } else {
              for (size_t k = 0; k < hi - lo; k++)
                dst[lo + k] = src[k * sw];
            }
          }
          memset (dst + hi, 0, (OW - hi) * sizeof (float));
        }
      }
    }
  }
}

static void
im2col (const EsLayer *l, const float *x, float *cols, size_t ld)
{
  im2col_band (l, x, cols, ld, 0, l->out_h);
}

/* Adjoint of im2col: add the column matrix back into dx [C, H, W]. */
static void
col2im_add (const EsLayer *l, const float *cols, size_t ld, float *dx)
{
  const size_t H = l->in_h, W = l->in_w, OH = l->out_h, OW = l->out_w;

  for (size_t c = 0; c < l->channels_in; c++) {
    float *dxc = dx + c * H * W;
    for (size_t ki = 0; ki < l->kernel_h; ki++) {
      for (size_t kj = 0; kj < l->kernel_w; kj++) {
        const float *row = cols + ((c * l->kernel_h + ki) * l->kernel_w + kj) * ld;
        const ptrdiff_t col_off = (ptrdiff_t) kj - (ptrdiff_t) l->pad_w;
        const ptrdiff_t sw = (ptrdiff_t) l->stride_w;
        size_t ow_lo, ow_hi;
        valid_columns (l, col_off, &ow_lo, &ow_hi);
        for (size_t oh = 0; oh < OH; oh++) {
          const ptrdiff_t ih = (ptrdiff_t) (oh * l->stride_h + ki) - (ptrdiff_t) l->pad_h;
          const float *src = row + oh * OW;
          float *dst;
          if (ih < 0 || ih >= (ptrdiff_t) H || ow_lo >= ow_hi)
            continue;
          dst = dxc + ih * W;
          if (sw == 1) {
            float *restrict d = dst + ((ptrdiff_t) ow_lo + col_off);
            const float *restrict s = src + ow_lo;
            for (size_t k = 0; k < ow_hi - ow_lo; k++)
              d[k] += s[k];
          } else {
            for (size_t ow = ow_lo; ow < ow_hi; ow++)
              dst[(ptrdiff_t) (ow * l->stride_w) + col_off] += src[ow];
          }
        }
      }
    }
  }
}

static void
conv_forward (EsLayer *l, const float *in, float *out, size_t batch,
    EsLayerWorkspace *ws)
{
  const size_t P = l->out_h * l->out_w, K = conv_rows (l), O = l->channels_out;
  const size_t chunk = conv_chunk (l, batch);
  const float *w = l->weight->data, *bias = l->bias ? l->bias->data : NULL;

  for (size_t b0 = 0; b0 < batch; b0 += chunk) {
    const size_t nb = MIN (chunk, batch - b0), N = nb * P;
    for (size_t e = 0; e < nb; e++)
      im2col (l, in + (b0 + e) * l->in_size, ws->cols + e * P, N);
    if (nb == 1) {
      float *restrict y = out + b0 * l->out_size;
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, O, N, K,
          1.0f, w, K, ws->cols, N, 0.0f, y, N);
      if (bias)
        for (size_t o = 0; o < O; o++)
          for (size_t p = 0; p < P; p++)
            y[o * P + p] += bias[o];
    } else {
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, O, N, K,
          1.0f, w, K, ws->cols, N, 0.0f, ws->gemm, N);
      /* [O, nb*P] -> [nb, O, P] */
      for (size_t e = 0; e < nb; e++) {
        float *restrict y = out + (b0 + e) * l->out_size;
        for (size_t o = 0; o < O; o++) {
          const float *restrict g = ws->gemm + o * N + e * P;
          const float bo = bias ? bias[o] : 0.0f;
          for (size_t p = 0; p < P; p++)
            y[o * P + p] = g[p] + bo;
        }
      }
    }
  }
}

static void
conv_backward (EsLayer *l, const float *in, const float *grad_out,
    float *grad_in, size_t batch, EsLayerWorkspace *ws)
{
  const size_t P = l->out_h * l->out_w, K = conv_rows (l), O = l->channels_out;
  const size_t chunk = conv_chunk (l, batch);
  float *dw = l->weight_grad->data, *db = l->bias_grad ? l->bias_grad->data : NULL;

  if (grad_in)
    memset (grad_in, 0, batch * l->in_size * sizeof (float));

  for (size_t b0 = 0; b0 < batch; b0 += chunk) {
    const size_t nb = MIN (chunk, batch - b0), N = nb * P;
    const float *dy;
    if (nb == 1) {
      dy = grad_out + b0 * l->out_size;
    } else {
      for (size_t e = 0; e < nb; e++)
        for (size_t o = 0; o < O; o++)
          memcpy (ws->gemm + o * N + e * P,
              grad_out + (b0 + e) * l->out_size + o * P, P * sizeof (float));
      dy = ws->gemm;
    }
    if (db) {
      for (size_t o = 0; o < O; o++) {
        /* In double: before a batch norm this sum is zero in exact
         * arithmetic, and float accumulation over 50k positions is noisy. */
        db[o] += (float) sum_d (dy + o * N, N);
      }
    }
    for (size_t e = 0; e < nb; e++)
      im2col (l, in + (b0 + e) * l->in_size, ws->cols + e * P, N);
    /* dW [O, K] += dY [O, N] x cols^T [N, K] */
    cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, O, K, N,
        1.0f, dy, N, ws->cols, N, 1.0f, dw, K);
    if (grad_in) {
      /* dcols [K, N] = W^T [K, O] x dY [O, N], reusing the column buffer. */
      cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, K, N, O,
          1.0f, l->weight->data, K, dy, N, 0.0f, ws->cols, N);
      for (size_t e = 0; e < nb; e++)
        col2im_add (l, ws->cols + e * P, N, grad_in + (b0 + e) * l->in_size);
    }
  }
}

/* ---- batch norm -------------------------------------------------------- */


static void
batchnorm_set_channel (EsLayer *l, size_t c, double mean, double inv_std)
{
  const float *gamma = l->weight->data, *beta = l->bias->data;

  l->mean[c] = mean;
  l->inv_std[c] = inv_std;
  l->scale[c] = (float) (gamma[c] * inv_std);
  l->shift[c] = (float) (beta[c] - mean * gamma[c] * inv_std);
}

void
es_layer_batchnorm_prepare_inference (EsLayer *l)
{
  const float *rm = l->running_mean->data, *rv = l->running_var->data;

  for (size_t c = 0; c < l->channels_in; c++)
    batchnorm_set_channel (l, c, rm[c], 1.0 / sqrt ((double) rv[c] + l->eps));
}

static void
batchnorm_forward (EsLayer *l, const float *in, float *out, size_t batch,
    gboolean training)
{
  const size_t C = l->channels_in, S = l->in_h * l->in_w;
  float *rm = l->running_mean->data, *rv = l->running_var->data;

  if (!training)
    es_layer_batchnorm_prepare_inference (l);
  for (size_t c = 0; c < C; c++) {
    float scale, shift;
    if (training) {
      const double n = (double) batch * S;
      double sum = 0.0, sq = 0.0, var, mean;
      for (size_t b = 0; b < batch; b++)
        sum += sum_d (in + b * l->in_size + c * S, S);
      mean = sum / n;
      /* Two passes: the centred sum of squares does not cancel. */
      for (size_t b = 0; b < batch; b++)
        sq += sum_centred_d (in + b * l->in_size + c * S, NULL, S, mean);
      var = sq / n;
      batchnorm_set_channel (l, c, mean, 1.0 / sqrt (var + l->eps));
      /* PyTorch: running = (1 - m) running + m batch, variance unbiased. */
      rm[c] = (float) ((1.0 - l->momentum) * rm[c] + l->momentum * mean);
      rv[c] = (float) ((1.0 - l->momentum) * rv[c]
          + l->momentum * (n > 1 ? sq / (n - 1) : var));
    }
    scale = l->scale[c];
    shift = l->shift[c];
    for (size_t b = 0; b < batch; b++) {
      const float *restrict x = in + b * l->in_size + c * S;
      float *restrict y = out + b * l->in_size + c * S;
      for (size_t s = 0; s < S; s++)
        y[s] = x[s] * scale + shift;
    }
  }
}

static void
batchnorm_backward (EsLayer *l, const float *in, const float *grad_out,
    float *grad_in, size_t batch, gboolean training)
{
  const size_t C = l->channels_in, S = l->in_h * l->in_w;
  const double n = (double) batch * S;
  const float *gamma = l->weight->data;
  float *dgamma = l->weight_grad->data, *dbeta = l->bias_grad->data;

  for (size_t c = 0; c < C; c++) {
    const double mean = l->mean[c], inv_std = l->inv_std[c];
    double sum_dy = 0.0, sum_dy_xhat = 0.0;
    for (size_t b = 0; b < batch; b++) {
      const float *x = in + b * l->in_size + c * S;
      const float *dy = grad_out + b * l->in_size + c * S;
      sum_dy += sum_d (dy, S);
      sum_dy_xhat += sum_centred_d (x, dy, S, mean);
    }
    sum_dy_xhat *= inv_std;
    dgamma[c] += (float) sum_dy_xhat;
    dbeta[c] += (float) sum_dy;
    if (grad_in == NULL)
      continue;
    if (training) {
      /* dx = gamma inv_std (dy - mean(dy) - xhat mean(dy xhat)) */
      const double k = gamma[c] * inv_std;
      const double mdy = sum_dy / n, mdyx = sum_dy_xhat / n;
      for (size_t b = 0; b < batch; b++) {
        const float *x = in + b * l->in_size + c * S;
        const float *dy = grad_out + b * l->in_size + c * S;
        float *dx = grad_in + b * l->in_size + c * S;
        for (size_t s = 0; s < S; s++) {
          double xhat = (x[s] - mean) * inv_std;
          dx[s] = (float) (k * (dy[s] - mdy - xhat * mdyx));
        }
      }
    } else {
      const float k = (float) (gamma[c] * inv_std);
      for (size_t b = 0; b < batch; b++) {
        const float *dy = grad_out + b * l->in_size + c * S;
        float *dx = grad_in + b * l->in_size + c * S;
        for (size_t s = 0; s < S; s++)
          dx[s] = dy[s] * k;
      }
    }
  }
}

gboolean
es_layer_pool_fusable (const EsLayer *p)
{
  return (p->type == ES_LAYER_MAXPOOL1D || p->type == ES_LAYER_MAXPOOL2D)
      && p->kernel_w == 2 && p->stride_w == 2
      && ((p->kernel_h == 1 && p->stride_h == 1) || (p->kernel_h == 2 && p->stride_h == 2));
}

/* ---- max pooling (no padding, floor mode, like PyTorch's defaults) ------- */

/* The value kept for a window: strictly greater replaces, so the first
 * maximum wins as in PyTorch, and a NaN replaces anything (propagates). */
static inline float
pool_pick (float m, float v)
{
  return (v > m || v != v) ? v : m;
}

/* Pairs of a row: y[i] = pick (a[2i], a[2i+1]) [and b[2i], b[2i+1]]. SSE2
 * (x86-64 baseline) on four outputs at a time: the even/odd split is a
 * shuffle the auto-vectoriser does not find. */
static void
pool_row_2 (const float *restrict a, const float *restrict b, float *restrict y,
    size_t n)
{
  size_t i = 0;
#ifdef __SSE2__
  for (; i + 4 <= n; i += 4) {
    __m128 lo = _mm_loadu_ps (a + 2 * i), hi = _mm_loadu_ps (a + 2 * i + 4);
    __m128 m = _mm_shuffle_ps (lo, hi, _MM_SHUFFLE (2, 0, 2, 0));
    __m128 v = _mm_shuffle_ps (lo, hi, _MM_SHUFFLE (3, 1, 3, 1));
    __m128 take = _mm_or_ps (_mm_cmpgt_ps (v, m), _mm_cmpunord_ps (v, v));
    m = _mm_or_ps (_mm_and_ps (take, v), _mm_andnot_ps (take, m));
    if (b) {
      __m128 blo = _mm_loadu_ps (b + 2 * i), bhi = _mm_loadu_ps (b + 2 * i + 4);
      v = _mm_shuffle_ps (blo, bhi, _MM_SHUFFLE (2, 0, 2, 0));
      take = _mm_or_ps (_mm_cmpgt_ps (v, m), _mm_cmpunord_ps (v, v));
      m = _mm_or_ps (_mm_and_ps (take, v), _mm_andnot_ps (take, m));
      v = _mm_shuffle_ps (blo, bhi, _MM_SHUFFLE (3, 1, 3, 1));
      take = _mm_or_ps (_mm_cmpgt_ps (v, m), _mm_cmpunord_ps (v, v));
      m = _mm_or_ps (_mm_and_ps (take, v), _mm_andnot_ps (take, m));
    }
    _mm_storeu_ps (y + i, m);
  }
#endif
  for (; i < n; i++) {
    float m = pool_pick (a[2 * i], a[2 * i + 1]);
    if (b)
      m = pool_pick (pool_pick (m, b[2 * i]), b[2 * i + 1]);
    y[i] = m;
  }
}

/* Index (into one example) of the element a window keeps: the same scan
 * order and rule as the forward, so backward needs no stored argmax. */
static size_t
pool_argmax (const EsLayer *l, const float *x, size_t c, size_t oh, size_t ow)
{
  const size_t H = l->in_h, W = l->in_w;
  size_t best = c * H * W + oh * l->stride_h * W + ow * l->stride_w;
  float v = x[best];

  for (size_t ki = 0; ki < l->kernel_h; ki++) {
    for (size_t kj = 0; kj < l->kernel_w; kj++) {
      size_t at = c * H * W + (oh * l->stride_h + ki) * W + ow * l->stride_w + kj;
      if (x[at] > v || isnan (x[at])) {
        v = x[at];
        best = at;
      }
    }
  }
  return best;
}

static void
maxpool_forward (EsLayer *l, const float *in, float *out, size_t batch)
{
  const size_t C = l->channels_in, H = l->in_h, W = l->in_w;
  const size_t OH = l->out_h, OW = l->out_w;
  const gboolean pairs = l->kernel_w == 2 && l->stride_w == 2
      && ((l->kernel_h == 1 && l->stride_h == 1) || (l->kernel_h == 2 && l->stride_h == 2));

  for (size_t b = 0; b < batch; b++) {
    const float *x = in + b * l->in_size;
    float *y = out + b * l->out_size;
    for (size_t c = 0; c < C; c++) {
      for (size_t oh = 0; oh < OH; oh++) {
        float *yr = y + (c * OH + oh) * OW;
        if (pairs) {
          const float *r0 = x + (c * H + oh * l->stride_h) * W;
          pool_row_2 (r0, l->kernel_h == 2 ? r0 + W : NULL, yr, OW);
          continue;
        }
        for (size_t ow = 0; ow < OW; ow++)
          yr[ow] = x[pool_argmax (l, x, c, oh, ow)];
      }
    }
  }
}

static void
maxpool_backward (EsLayer *l, const float *in, const float *grad_out,
    float *grad_in, size_t batch)
{
  const size_t C = l->channels_in, H = l->in_h, W = l->in_w, OH = l->out_h, OW = l->out_w;

  memset (grad_in, 0, batch * l->in_size * sizeof (float));
  for (size_t b = 0; b < batch; b++) {
    const float *x = in + b * l->in_size;
    const float *dy = grad_out + b * l->out_size;
    float *dx = grad_in + b * l->in_size;
    if (es_layer_pool_fusable (l)) {
      /* Windows of 2 (or 2x2) that do not overlap: route each gradient to
       * the element pool_row_2 keeps, with the same rule. */
      const gboolean two_rows = l->kernel_h == 2;
      for (size_t c = 0; c < C; c++) {
        for (size_t oh = 0; oh < OH; oh++) {
          const size_t r0 = (c * H + oh * l->stride_h) * W;
          const float *a = x + r0;
          const float *restrict g = dy + (c * OH + oh) * OW;
          float *restrict d = dx + r0;
          for (size_t ow = 0; ow < OW; ow++) {
            size_t best = 2 * ow;
            float m = a[best];
            if (a[2 * ow + 1] > m || isnan (a[2 * ow + 1])) {
              best = 2 * ow + 1;
              m = a[best];
            }
            if (two_rows) {
              if (a[W + 2 * ow] > m || isnan (a[W + 2 * ow])) {
                best = W + 2 * ow;
                m = a[best];
              }
              if (a[W + 2 * ow + 1] > m || isnan (a[W + 2 * ow + 1]))
                best = W + 2 * ow + 1;
            }
            d[best] = g[ow];
          }
        }
      }
      continue;
    }
    for (size_t c = 0; c < C; c++)
      for (size_t oh = 0; oh < OH; oh++)
        for (size_t ow = 0; ow < OW; ow++)
          dx[pool_argmax (l, x, c, oh, ow)] += dy[(c * OH + oh) * OW + ow];
  }
}

/* C [O, N] = W [O, K] x B [K, N] (row-major, ld N). Split into row blocks
 * small enough for OpenBLAS's small-matrix kernels (M N K <= 1e6), which do
 * not pack the operands: for narrow GEMMs (batch-1 1-D convolutions, the
 * bands of 2-D ones) packing the weights every call costs more than the
 * arithmetic. Up to 256 columns measured faster; 1024 is slower. */
static void
conv_gemm (size_t O, size_t N, size_t K, const float *w, const float *b, float *c)
{
  const double small = 1e6;
  size_t rows = O;

  if ((double) O * N * K > small && N <= 256)
    rows = MAX ((size_t) (small / ((double) N * K)) & ~(size_t) 15, 16);
  for (size_t o0 = 0; o0 < O; o0 += rows) {
    const size_t m = MIN (rows, O - o0);
    cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, m, N, K,
        1.0f, w + o0 * K, K, b, N, 0.0f, c + o0 * N, N);
  }
}

/* Direct convolution for few taps (C_in x kh x kw <= DIRECT_MAX_TAPS, stride
 * 1), e.g. the first layer of an image net (one channel, 3x3): im2col + GEMM
 * with K = 9 is bound by memory traffic, not arithmetic. Input rows of the
 * band are copied once into a zero-padded buffer; then for each group of 8
 * output positions the taps are loaded once and reused for every output
 * channel. Built for AVX2/FMA too where the compiler can (picked at run time). */
#define DIRECT_MAX_TAPS 32

typedef float es_v8sf __attribute__ ((vector_size (32)));

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define ES_TARGET_CLONES __attribute__ ((target_clones ("arch=x86-64-v3", "default")))
#else
#define ES_TARGET_CLONES
#endif

static gboolean
conv_direct_ok (const EsLayer *l)
{
  return l->stride_h == 1 && l->stride_w == 1 && conv_rows (l) <= DIRECT_MAX_TAPS
      && l->out_w >= 8;
}

/* g [O, rows * OW] = taps of xp (C planes of `plane` floats, rows of Wp).
 * Always inlined into callers with constant geometry, so the taps of the
 * common shapes stay in registers. */
static inline __attribute__ ((always_inline)) void
direct_rows_body (const float *restrict xp, size_t plane, size_t Wp,
    const float *restrict w, size_t O, const size_t C, const size_t KH,
    const size_t KW, size_t rows, size_t OW, float *restrict g)
{
  const size_t T = C * KH * KW, N = rows * OW;

  for (size_t r = 0; r < rows; r++) {
    size_t ow = 0;
    for (; ow + 8 <= OW; ow += 8) {
      es_v8sf xv[DIRECT_MAX_TAPS];
      size_t t = 0, o = 0;
      for (size_t c = 0; c < C; c++)
        for (size_t ki = 0; ki < KH; ki++)
          for (size_t kj = 0; kj < KW; kj++)
            memcpy (&xv[t++], xp + c * plane + (r + ki) * Wp + ow + kj, sizeof (es_v8sf));
      /* Eight output channels at a time: eight independent FMA chains. */
      for (; o + 8 <= O; o += 8) {
        const float *restrict wo = w + o * T;
        es_v8sf a0 = xv[0] * wo[0], a1 = xv[0] * wo[T], a2 = xv[0] * wo[2 * T],
            a3 = xv[0] * wo[3 * T], a4 = xv[0] * wo[4 * T], a5 = xv[0] * wo[5 * T],
            a6 = xv[0] * wo[6 * T], a7 = xv[0] * wo[7 * T];
        float *go = g + o * N + r * OW + ow;
        for (t = 1; t < T; t++) {
          const es_v8sf v = xv[t];
          a0 += v * wo[t];
          a1 += v * wo[T + t];
          a2 += v * wo[2 * T + t];
          a3 += v * wo[3 * T + t];
          a4 += v * wo[4 * T + t];
          a5 += v * wo[5 * T + t];
          a6 += v * wo[6 * T + t];
          a7 += v * wo[7 * T + t];
        }
        memcpy (go, &a0, sizeof a0);
        memcpy (go + N, &a1, sizeof a1);
        memcpy (go + 2 * N, &a2, sizeof a2);
        memcpy (go + 3 * N, &a3, sizeof a3);
        memcpy (go + 4 * N, &a4, sizeof a4);
        memcpy (go + 5 * N, &a5, sizeof a5);
        memcpy (go + 6 * N, &a6, sizeof a6);
        memcpy (go + 7 * N, &a7, sizeof a7);
      }
      for (; o < O; o++) {
        const float *restrict wo = w + o * T;
        es_v8sf acc = xv[0] * wo[0];
        for (t = 1; t < T; t++)
          acc += xv[t] * wo[t];
        memcpy (g + o * N + r * OW + ow, &acc, sizeof acc);
      }
    }
    for (; ow < OW; ow++) {
      for (size_t o = 0; o < O; o++) {
        const float *restrict wo = w + o * T;
        float acc = 0.0f;
        size_t t = 0;
        for (size_t c = 0; c < C; c++)
          for (size_t ki = 0; ki < KH; ki++)
            for (size_t kj = 0; kj < KW; kj++)
              acc += xp[c * plane + (r + ki) * Wp + ow + kj] * wo[t++];
        g[o * N + r * OW + ow] = acc;
      }
    }
  }
}

static ES_TARGET_CLONES void
conv_direct_rows (const float *restrict xp, size_t plane, size_t Wp,
    const float *restrict w, size_t O, size_t C, size_t KH, size_t KW,
    size_t rows, size_t OW, float *restrict g)
{
  if (C == 1 && KH == 3 && KW == 3)
    direct_rows_body (xp, plane, Wp, w, O, 1, 3, 3, rows, OW, g);
  else if (C == 1 && KH == 1 && KW == 5)
    direct_rows_body (xp, plane, Wp, w, O, 1, 1, 5, rows, OW, g);
  else
    direct_rows_body (xp, plane, Wp, w, O, C, KH, KW, rows, OW, g);
}

/* Floats of padded input a band of `rows` output rows needs. */
static size_t
conv_direct_scratch (const EsLayer *l, size_t rows)
{
  return l->channels_in * (rows + l->kernel_h - 1) * (l->in_w + 2 * l->pad_w);
}

static void
conv_direct_band (const EsLayer *l, const float *x, float *scratch, size_t oh0,
    size_t rows, float *g)
{
  const size_t C = l->channels_in, H = l->in_h, W = l->in_w;
  const size_t rows_in = rows + l->kernel_h - 1, Wp = W + 2 * l->pad_w;
  const size_t plane = rows_in * Wp;

  for (size_t c = 0; c < C; c++) {
    for (size_t r = 0; r < rows_in; r++) {
      const ptrdiff_t ih = (ptrdiff_t) (oh0 + r) - (ptrdiff_t) l->pad_h;
      float *dst = scratch + c * plane + r * Wp;
      if (ih < 0 || ih >= (ptrdiff_t) H) {
        memset (dst, 0, Wp * sizeof (float));
        continue;
      }
      memset (dst, 0, l->pad_w * sizeof (float));
      memcpy (dst + l->pad_w, x + (c * H + ih) * W, W * sizeof (float));
      memset (dst + l->pad_w + W, 0, l->pad_w * sizeof (float));
    }
  }
  conv_direct_rows (scratch, plane, Wp, l->weight->data, l->channels_out, C,
      l->kernel_h, l->kernel_w, rows, l->out_w, g);
}

/* ---- fused inference: conv -> pointwise layers -> max-pool ------------- */

/* Output rows per band when a large convolution is run band by band, so the
 * column matrix (about 128 KB) and the GEMM tile stay in L2. */
static size_t
conv_band_rows (const EsLayer *l)
{
  size_t r = 32768 / MAX (conv_rows (l) * l->out_w, 1);

  r = MAX (r & ~(size_t) 1, 2);       /* even, so 2x2 pooling never straddles */
  return MIN (r, l->out_h);
}

/* g = relu (g + bias) * scale + shift when relu_first, else
 * relu ((g + bias) * scale + shift); each step rounded as the layers do. */
static ES_TARGET_CLONES void
epilogue_bias_affine_relu (float *restrict g, size_t n, float bias, float scale,
    float shift, gboolean relu_first)
{
  if (relu_first) {
    for (size_t i = 0; i < n; i++) {
      float v = g[i] + bias;
      v = v > 0.0f ? v : 0.0f;
      g[i] = v * scale + shift;
    }
  } else {
    for (size_t i = 0; i < n; i++) {
      const float v = (g[i] + bias) * scale + shift;
      g[i] = v > 0.0f ? v : 0.0f;
    }
  }
}

/* Bias, the pointwise ops, then pooling or a copy, for output rows
 * [oh0, oh0 + rows) of channel o held in g (rows x out_w, modified). */
static void
conv_epilogue (const EsLayer *l, size_t o, float *restrict g, size_t rows, size_t oh0,
    const EsEpilogueOp *ops, int n_ops, const EsLayer *pool, float *restrict y)
{
  const size_t n = rows * l->out_w;

  const float bo = l->bias ? l->bias->data[o] : 0.0f;
  int k = 0;

  /* The common chains in one pass (same operations, same order). */
  if (n_ops >= 2 && ops[0].kind == ES_EPILOGUE_AFFINE && ops[1].kind == ES_EPILOGUE_RELU) {
    epilogue_bias_affine_relu (g, n, bo, ops[0].scale[o], ops[0].shift[o], FALSE);
    k = 2;
  } else if (n_ops >= 2 && ops[0].kind == ES_EPILOGUE_RELU
      && ops[1].kind == ES_EPILOGUE_AFFINE) {
    epilogue_bias_affine_relu (g, n, bo, ops[1].scale[o], ops[1].shift[o], TRUE);
    k = 2;
  } else if (l->bias) {
    for (size_t i = 0; i < n; i++)
      g[i] += bo;
  }
  for (; k < n_ops; k++) {
    if (ops[k].kind == ES_EPILOGUE_AFFINE) {
      const float sc = ops[k].scale[o], sh = ops[k].shift[o];
      for (size_t i = 0; i < n; i++)
        g[i] = g[i] * sc + sh;
    } else {
      for (size_t i = 0; i < n; i++)
        g[i] = g[i] > 0.0f ? g[i] : 0.0f;
    }
  }
  if (pool) {
    const size_t PH = pool->out_h, PW = pool->out_w, sh = pool->stride_h;
    const size_t end = MIN (PH, (oh0 + rows - pool->kernel_h) / sh + 1);
    for (size_t ph = oh0 / sh; ph < end; ph++) {
      const float *r0 = g + (ph * sh - oh0) * l->out_w;
      pool_row_2 (r0, pool->kernel_h == 2 ? r0 + l->out_w : NULL,
          y + (o * PH + ph) * PW, PW);
    }
  } else {
    memcpy (y + o * l->out_h * l->out_w + oh0 * l->out_w, g, n * sizeof (float));
  }
}

void
es_layer_conv_fused_forward (EsLayer *l, const EsEpilogueOp *ops, int n_ops,
    const EsLayer *pool, const float *in, float *out, size_t batch,
    EsLayerWorkspace *ws)
{
  const size_t P = l->out_h * l->out_w, K = conv_rows (l), O = l->channels_out;
  const size_t chunk = conv_chunk (l, batch);
  const size_t out_size = pool ? pool->out_size : l->out_size;
  const float *w = l->weight->data;

  g_assert (n_ops <= ES_EPILOGUE_MAX_OPS);
  g_assert (pool == NULL || es_layer_pool_fusable (pool));

  if (chunk > 1) {
    /* Small outputs: several examples per GEMM, as conv_forward. */
    for (size_t b0 = 0; b0 < batch; b0 += chunk) {
      const size_t nb = MIN (chunk, batch - b0), N = nb * P;
      for (size_t e = 0; e < nb; e++)
        im2col (l, in + (b0 + e) * l->in_size, ws->cols + e * P, N);
      conv_gemm (O, N, K, w, ws->cols, ws->gemm);
      for (size_t e = 0; e < nb; e++)
        for (size_t o = 0; o < O; o++)
          conv_epilogue (l, o, ws->gemm + o * N + e * P, l->out_h, 0, ops, n_ops,
              pool, out + (b0 + e) * out_size);
    }
    return;
  }
  /* Large outputs: one example at a time, in bands of output rows. */
  {
    const size_t R = conv_band_rows (l), OW = l->out_w;
    const gboolean direct = conv_direct_ok (l)
        && conv_direct_scratch (l, R) <= ws->cols_size;
    for (size_t b = 0; b < batch; b++) {
      const float *x = in + b * l->in_size;
      float *y = out + b * out_size;
      for (size_t oh0 = 0; oh0 < l->out_h; oh0 += R) {
        const size_t rows = MIN (R, l->out_h - oh0), N = rows * OW;
        if (direct)
          conv_direct_band (l, x, ws->cols, oh0, rows, ws->gemm);
        else {
          im2col_band (l, x, ws->cols, N, oh0, oh0 + rows);
          conv_gemm (O, N, K, w, ws->cols, ws->gemm);
        }
        for (size_t o = 0; o < O; o++)
          conv_epilogue (l, o, ws->gemm + o * N, rows, oh0, ops, n_ops, pool, y);
      }
    }
  }
}

/* ---- dense ------------------------------------------------------------- */

static void
dense_forward (EsLayer *l, const float *in, float *out, size_t batch)
{
  const size_t n_in = l->in_size, n_out = l->out_size;
  const float *bias = l->bias ? l->bias->data : NULL;

  for (size_t b = 0; b < batch; b++) {
    if (bias)
      memcpy (out + b * n_out, bias, n_out * sizeof (float));
    else
      memset (out + b * n_out, 0, n_out * sizeof (float));
  }
  /* One example: a matrix-vector product (OpenBLAS's GEMM with M = 1 does
   * not stream W as fast). */
  if (batch == 1) {
    cblas_sgemv (CblasRowMajor, CblasNoTrans, n_out, n_in, 1.0f, l->weight->data, n_in,
        in, 1, 1.0f, out, 1);
    return;
  }
  /* Y [B, n_out] = X [B, n_in] x W^T [n_in, n_out] + Y */
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, batch, n_out, n_in,
      1.0f, in, n_in, l->weight->data, n_in, 1.0f, out, n_out);
}

static void
dense_backward (EsLayer *l, const float *in, const float *grad_out,
    float *grad_in, size_t batch)
{
  const size_t n_in = l->in_size, n_out = l->out_size;

  if (l->bias_grad) {
    float *db = l->bias_grad->data;
    for (size_t b = 0; b < batch; b++)
      for (size_t o = 0; o < n_out; o++)
        db[o] += grad_out[b * n_out + o];
  }
  /* dW [n_out, n_in] += dY^T [n_out, B] x X [B, n_in] */
  cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, n_out, n_in, batch,
      1.0f, grad_out, n_out, in, n_in, 1.0f, l->weight_grad->data, n_in);
  /* dX [B, n_in] = dY [B, n_out] x W [n_out, n_in] */
  if (grad_in)
    cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, batch, n_in, n_out,
        1.0f, grad_out, n_out, l->weight->data, n_in, 0.0f, grad_in, n_in);
}

/* ---- dispatch ---------------------------------------------------------- */

void
es_layer_workspace_needs (const EsLayer *l, size_t batch, size_t *cols_size,
    size_t *gemm_size)
{
  *cols_size = 0;
  *gemm_size = 0;
  if (l->type == ES_LAYER_CONV1D || l->type == ES_LAYER_CONV2D) {
    const size_t chunk = conv_chunk (l, batch), P = l->out_h * l->out_w;
    *cols_size = conv_rows (l) * chunk * P;
    /* chunk > 1: the grouped GEMM result; else one band of the fused path. */
    *gemm_size = l->channels_out * (chunk > 1 ? chunk * P : conv_band_rows (l) * l->out_w);
  }
}

/* Soft-argmax over the height of [C, H, W]: for each channel and column, the
 * expected row position under softmax(beta (x[c, :, w] + bias[c, :])), positions
 * (r + 0.5) / H, so 0 is the top edge and 1 the bottom one. It turns a map of
 * "where the curve is" into the curve's height per column, normalised whatever
 * the line's width or contrast (DSNT / integral regression, Nibali 2018,
 * Sun 2018). beta (inverse temperature) makes the softmax sharp from the
 * first step, so the net need not first grow large weights; the learnable
 * per-row bias lets the net ignore fixed rows such as
 * a graph's frame. The per-column running max, sum and weighted sum are kept
 * in W-long rows so the inner loops run along memory. */
static void
softargmax_columns (const EsLayer *l, const float *restrict x, const float *restrict bias,
    float *restrict m, float *restrict s, float *restrict ws)
{
  const size_t H = l->in_h, W = l->in_w;
  const float beta = (float) l->beta;
  for (size_t w = 0; w < W; w++)
    m[w] = -INFINITY;
  for (size_t r = 0; r < H; r++) {
    const float b = bias ? bias[r] : 0.0f;
    for (size_t w = 0; w < W; w++) {
      const float v = beta * (x[r * W + w] + b);
      m[w] = v > m[w] ? v : m[w];
    }
  }
  memset (s, 0, W * sizeof (float));
  memset (ws, 0, W * sizeof (float));
  for (size_t r = 0; r < H; r++) {
    const float b = bias ? bias[r] : 0.0f, pos = ((float) r + 0.5f) / (float) H;
    for (size_t w = 0; w < W; w++) {
      const float e = expf (beta * (x[r * W + w] + b) - m[w]);
      s[w] += e;
      ws[w] += e * pos;
    }
  }
}

/* d y / d x[r] = p[r] (pos[r] - y); the bias gradient is the same summed
 * over examples and columns. */
static void
softargmax_backward (EsLayer *l, const float *in, const float *out,
    const float *grad_out, float *grad_in, size_t batch)
{
  const size_t C = l->channels_in, H = l->in_h, W = l->in_w;
  const float beta = (float) l->beta;
  float *m = l->column_stats, *s = m + W, *ws = m + 2 * W;

  for (size_t bc = 0; bc < batch * C; bc++) {
    const size_t c = bc % C;
    const float *bias = l->bias ? l->bias->data + c * H : NULL;
    const float *x = in + bc * H * W, *y = out + bc * W, *g = grad_out + bc * W;
    softargmax_columns (l, x, bias, m, s, ws);
    for (size_t w = 0; w < W; w++)
      s[w] = beta * g[w] / s[w];        /* now beta g / sum */
    for (size_t r = 0; r < H; r++) {
      const float b = bias ? bias[r] : 0.0f, pos = ((float) r + 0.5f) / (float) H;
      double gb = 0.0;
      for (size_t w = 0; w < W; w++) {
        const float d = expf (beta * (x[r * W + w] + b) - m[w]) * s[w] * (pos - y[w]);
        if (grad_in)
          grad_in[bc * H * W + r * W + w] = d;
        gb += d;
      }
      if (l->bias_grad)
        l->bias_grad->data[c * H + r] += (float) gb;
    }
  }
}

/* Centroid over the height of [C, H, W]: the same expected row position, but
 * with weights proportional to the (non-negative part of the) input times a
 * learnable per-row gain exp(bias), plus a prior mass eps at the middle:
 *   y = (sum_r g_r x_r pos_r + eps / 2) / (sum_r g_r x_r + eps).
 * Scaling a column scales both sums, so the height read from a map of "how
 * much curve is here" does not depend on how thick or dark the line was
 * drawn, which a softmax (or a linear read-out) does; an empty column reads
 * as the middle. */
static void
centroid_columns (const EsLayer *l, const float *restrict x, const float *restrict bias,
    float *restrict s, float *restrict ws)
{
  const size_t H = l->in_h, W = l->in_w;
  const float eps = (float) l->eps;
  for (size_t w = 0; w < W; w++) {
    s[w] = eps;
    ws[w] = 0.5f * eps;
  }
  for (size_t r = 0; r < H; r++) {
    const float g = bias ? expf (bias[r]) : 1.0f, pos = ((float) r + 0.5f) / (float) H;
    for (size_t w = 0; w < W; w++) {
      const float v = x[r * W + w] > 0.0f ? g * x[r * W + w] : 0.0f;
      s[w] += v;
      ws[w] += v * pos;
    }
  }
}

/* Forward of both column read-outs: y = weighted sum / sum per column. */
static void
column_position_forward (EsLayer *l, const float *in, float *out, size_t batch)
{
  const size_t C = l->channels_in, H = l->in_h, W = l->in_w;
  float *m = l->column_stats, *s = m + W, *ws = m + 2 * W;

  for (size_t bc = 0; bc < batch * C; bc++) {
    const float *bias = l->bias ? l->bias->data + (bc % C) * H : NULL;
    if (l->type == ES_LAYER_SOFTARGMAX)
      softargmax_columns (l, in + bc * H * W, bias, m, s, ws);
    else
      centroid_columns (l, in + bc * H * W, bias, s, ws);
    for (size_t w = 0; w < W; w++)
      out[bc * W + w] = ws[w] / s[w];
  }
}

/* d y / d x[r] = g_r (pos[r] - y) / S where x[r] > 0 (else 0);
 * d y / d b[r] = x[r] times that. */
static void
centroid_backward (EsLayer *l, const float *in, const float *out,
    const float *grad_out, float *grad_in, size_t batch)
{
  const size_t C = l->channels_in, H = l->in_h, W = l->in_w;
  float *s = l->column_stats, *ws = s + W;

  for (size_t bc = 0; bc < batch * C; bc++) {
    const size_t c = bc % C;
    const float *bias = l->bias ? l->bias->data + c * H : NULL;
    const float *x = in + bc * H * W, *y = out + bc * W, *g = grad_out + bc * W;
    centroid_columns (l, x, bias, s, ws);
    for (size_t w = 0; w < W; w++)
      s[w] = g[w] / s[w];               /* now g / S */
    for (size_t r = 0; r < H; r++) {
      const float gain = bias ? expf (bias[r]) : 1.0f, pos = ((float) r + 0.5f) / (float) H;
      double gb = 0.0;
      for (size_t w = 0; w < W; w++) {
        const float xv = x[r * W + w];
        const float d = xv > 0.0f ? gain * s[w] * (pos - y[w]) : 0.0f;
        if (grad_in)
          grad_in[bc * H * W + r * W + w] = d;
        gb += d * xv;
      }
      if (l->bias_grad)
        l->bias_grad->data[c * H + r] += (float) gb;
    }
  }
}

double
es_layer_forward_flops (const EsLayer *l)
{
  switch (l->type) {
    case ES_LAYER_CONV1D:
    case ES_LAYER_CONV2D:
      return 2.0 * l->channels_out * conv_rows (l) * l->out_h * l->out_w;
    case ES_LAYER_DENSE:
      return 2.0 * l->in_size * l->out_size;
    case ES_LAYER_BATCHNORM:
      return 2.0 * l->in_size;
    case ES_LAYER_MAXPOOL1D:
    case ES_LAYER_MAXPOOL2D:
      return (double) l->out_size * l->kernel_h * l->kernel_w;
    case ES_LAYER_FLATTEN:
      return 0.0;
    case ES_LAYER_SOFTARGMAX:
      return 5.0 * l->in_size;
    case ES_LAYER_CENTROID:
      return 3.0 * l->in_size;
    default:
      return (double) l->in_size;
  }
}

void
es_layer_forward (EsLayer *l, const float *in_, float *out_, size_t batch,
    gboolean training, EsRng *rng, EsLayerWorkspace *ws)
{
  /* Input and output buffers never overlap (net.c gives each layer its own). */
  const float *restrict in = in_;
  float *restrict out = out_;
  const size_t n = batch * l->in_size;

  switch (l->type) {
    case ES_LAYER_CONV1D:
    case ES_LAYER_CONV2D:
      conv_forward (l, in, out, batch, ws);
      break;
    case ES_LAYER_BATCHNORM:
      batchnorm_forward (l, in, out, batch, training);
      break;
    case ES_LAYER_RELU:
      for (size_t i = 0; i < n; i++)
        out[i] = in[i] > 0.0f ? in[i] : 0.0f;
      break;
    case ES_LAYER_TANH:
      for (size_t i = 0; i < n; i++)
        out[i] = tanhf (in[i]);
      break;
    case ES_LAYER_SOFTPLUS: {
      const float beta = (float) l->beta, threshold = (float) l->threshold;
      for (size_t i = 0; i < n; i++) {
        const float bx = in[i] * beta;
        out[i] = bx > threshold ? in[i] : log1pf (expf (bx)) / beta;
      }
      break;
    }
    case ES_LAYER_ABS:
      for (size_t i = 0; i < n; i++)
        out[i] = fabsf (in[i]);
      break;
    case ES_LAYER_MAXPOOL1D:
    case ES_LAYER_MAXPOOL2D:
      maxpool_forward (l, in, out, batch);
      break;
    case ES_LAYER_GLOBAL_MEAN: {
      const size_t L = l->in_shape[l->in_ndim - 1], rows = n / L;
      for (size_t r = 0; r < rows; r++) {
        float s = 0.0f;
        for (size_t j = 0; j < L; j++)
          s += in[r * L + j];
        out[r] = s / (float) L;
      }
      break;
    }
    case ES_LAYER_FLATTEN:
      memcpy (out, in, n * sizeof (float));
      break;
    case ES_LAYER_DENSE:
      dense_forward (l, in, out, batch);
      break;
    case ES_LAYER_SOFTARGMAX:
    case ES_LAYER_CENTROID:
      column_position_forward (l, in, out, batch);
      break;
    case ES_LAYER_DROPOUT:
      if (training && l->p > 0.0) {
        const float keep_scale = (float) (1.0 / (1.0 - l->p));
        const double p = l->p;
        float *restrict mask = l->mask;
        for (size_t i = 0; i < n; i++)
          mask[i] = es_rng_uniform (rng) < p ? 0.0f : keep_scale;
        for (size_t i = 0; i < n; i++)
          out[i] = in[i] * mask[i];
      } else {
        memcpy (out, in, n * sizeof (float));
      }
      break;
  }
}

void
es_layer_backward (EsLayer *l, const float *in_, const float *out_,
    const float *grad_out_, float *grad_in_, size_t batch, gboolean training,
    EsLayerWorkspace *ws)
{
  /* grad_in is a buffer of its own (net.c); the others are only read. */
  const float *restrict in = in_;
  const float *restrict out = out_;
  const float *restrict grad_out = grad_out_;
  float *restrict grad_in = grad_in_;
  const size_t n = batch * l->in_size;

  switch (l->type) {
    case ES_LAYER_CONV1D:
    case ES_LAYER_CONV2D:
      conv_backward (l, in, grad_out, grad_in, batch, ws);
      return;
    case ES_LAYER_BATCHNORM:
      batchnorm_backward (l, in, grad_out, grad_in, batch, training);
      return;
    case ES_LAYER_DENSE:
      dense_backward (l, in, grad_out, grad_in, batch);
      return;
    case ES_LAYER_SOFTARGMAX:
      softargmax_backward (l, in, out, grad_out, grad_in, batch);
      return;
    case ES_LAYER_CENTROID:
      centroid_backward (l, in, out, grad_out, grad_in, batch);
      return;
    default:
      break;
  }
  /* The remaining layers have no parameters. */
  if (grad_in == NULL)
    return;

  switch (l->type) {
    case ES_LAYER_RELU:
      for (size_t i = 0; i < n; i++) {
        const float g = grad_out[i];    /* loaded unconditionally: vectorises */
        grad_in[i] = out[i] > 0.0f ? g : 0.0f;
      }
      break;
    case ES_LAYER_TANH:
      for (size_t i = 0; i < n; i++)
        grad_in[i] = grad_out[i] * (1.0f - out[i] * out[i]);
      break;
    case ES_LAYER_SOFTPLUS: {
      const float beta = (float) l->beta, threshold = (float) l->threshold;
      for (size_t i = 0; i < n; i++) {
        const float bx = in[i] * beta;
        if (bx > threshold) {
          grad_in[i] = grad_out[i];
        } else {
          const float z = expf (bx);
          grad_in[i] = grad_out[i] * z / (z + 1.0f);
        }
      }
      break;
    }
    case ES_LAYER_ABS:
      for (size_t i = 0; i < n; i++)
        grad_in[i] = in[i] > 0.0f ? grad_out[i] : in[i] < 0.0f ? -grad_out[i] : 0.0f;
      break;
    case ES_LAYER_MAXPOOL1D:
    case ES_LAYER_MAXPOOL2D:
      maxpool_backward (l, in, grad_out, grad_in, batch);
      break;
    case ES_LAYER_GLOBAL_MEAN: {
      const size_t L = l->in_shape[l->in_ndim - 1], rows = n / L;
      for (size_t r = 0; r < rows; r++) {
        const float g = grad_out[r] / (float) L;
        for (size_t j = 0; j < L; j++)
          grad_in[r * L + j] = g;
      }
      break;
    }
    case ES_LAYER_FLATTEN:
      memcpy (grad_in, grad_out, n * sizeof (float));
      break;
    case ES_LAYER_DROPOUT:
      if (training && l->p > 0.0) {
        const float *restrict mask = l->mask;
        for (size_t i = 0; i < n; i++)
          grad_in[i] = grad_out[i] * mask[i];
      } else {
        memcpy (grad_in, grad_out, n * sizeof (float));
      }
      break;
    default:
      g_assert_not_reached ();
  }
}
