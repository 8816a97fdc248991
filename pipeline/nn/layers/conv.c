/* conv1d and conv2d: im2col + SGEMM (the ggml / Caffe way), PyTorch
 * layouts (weight [out, in, k] / [out, in, kh, kw]). A 1-D convolution is run
 * as a 2-D one with height 1, so every kernel exists once. In inference the
 * convolution heads a fused chain (conv -> batch norm / ReLU / dropout ->
 * 2-wide max-pool, see conv_fused_forward). */
#include "nn/layers/kernels.h"

#include "nn/blas.h"
#include <math.h>
#include <string.h>

typedef struct {
  EsLayer base;
  gboolean two_d;
  /* 1-D layers have in_h = out_h = 1, kernel_h = stride_h = 1, pad_h = 0. */
  size_t channels_in, channels_out;
  size_t in_h, in_w, out_h, out_w;
  size_t kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w;
  EsLayerParam *weight, *bias;  /* bias NULL with "bias": false */
} ConvLayer;

/* ---- convolution ------------------------------------------------------- */

static size_t
conv_rows (const ConvLayer *l)
{
  return l->channels_in * l->kernel_h * l->kernel_w;
}

/* Examples per GEMM. Small outputs (1-D nets) are batched together so the
 * GEMM is wide enough to run at full speed (about 512 columns: wider ones
 * gain nothing and push the column matrix and the result out of L2); large
 * ones (2-D nets) go one at a time. */
static size_t
conv_chunk (const ConvLayer *l, size_t batch)
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
valid_columns (const ConvLayer *l, ptrdiff_t col_off, size_t *lo, size_t *hi)
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
im2col_band (const ConvLayer *l, const float *x, float *cols, size_t ld,
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
im2col (const ConvLayer *l, const float *x, float *cols, size_t ld)
{
  im2col_band (l, x, cols, ld, 0, l->out_h);
}

/* Adjoint of im2col: add the column matrix back into dx [C, H, W]. */
static void
col2im_add (const ConvLayer *l, const float *cols, size_t ld, float *dx)
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
conv_forward (ConvLayer *l, const float *in, float *out, size_t batch,
    EsLayerWorkspace *ws)
{
  const size_t P = l->out_h * l->out_w, K = conv_rows (l), O = l->channels_out;
  const size_t chunk = conv_chunk (l, batch);
  const float *w = l->weight->value->data, *bias = l->bias ? l->bias->value->data : NULL;

  for (size_t b0 = 0; b0 < batch; b0 += chunk) {
    const size_t nb = MIN (chunk, batch - b0), N = nb * P;
    for (size_t e = 0; e < nb; e++)
      im2col (l, in + (b0 + e) * l->base.in_size, ws->cols + e * P, N);
    if (nb == 1) {
      float *restrict y = out + b0 * l->base.out_size;
      es_blas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, O, N, K,
          1.0f, w, K, ws->cols, N, 0.0f, y, N);
      if (bias)
        for (size_t o = 0; o < O; o++)
          for (size_t p = 0; p < P; p++)
            y[o * P + p] += bias[o];
    } else {
      es_blas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, O, N, K,
          1.0f, w, K, ws->cols, N, 0.0f, ws->gemm, N);
      /* [O, nb*P] -> [nb, O, P] */
      for (size_t e = 0; e < nb; e++) {
        float *restrict y = out + (b0 + e) * l->base.out_size;
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
conv_backward (ConvLayer *l, const float *in, const float *grad_out,
    float *grad_in, size_t batch, EsLayerWorkspace *ws)
{
  const size_t P = l->out_h * l->out_w, K = conv_rows (l), O = l->channels_out;
  const size_t chunk = conv_chunk (l, batch);
  float *dw = es_layer_param_grad (l->weight), *db = es_layer_param_grad (l->bias);

  if (grad_in)
    memset (grad_in, 0, batch * l->base.in_size * sizeof (float));

  for (size_t b0 = 0; b0 < batch; b0 += chunk) {
    const size_t nb = MIN (chunk, batch - b0), N = nb * P;
    const float *dy;
    if (nb == 1) {
      dy = grad_out + b0 * l->base.out_size;
    } else {
      for (size_t e = 0; e < nb; e++)
        for (size_t o = 0; o < O; o++)
          memcpy (ws->gemm + o * N + e * P,
              grad_out + (b0 + e) * l->base.out_size + o * P, P * sizeof (float));
      dy = ws->gemm;
    }
    if (db) {
      for (size_t o = 0; o < O; o++) {
        /* In double: before a batch norm this sum is zero in exact
         * arithmetic, and float accumulation over 50k positions is noisy. */
        db[o] += (float) es_sum_d (dy + o * N, N);
      }
    }
    if (dw) {
      for (size_t e = 0; e < nb; e++)
        im2col (l, in + (b0 + e) * l->base.in_size, ws->cols + e * P, N);
      /* dW [O, K] += dY [O, N] x cols^T [N, K] */
      es_blas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, O, K, N,
          1.0f, dy, N, ws->cols, N, 1.0f, dw, K);
    }
    if (grad_in) {
      /* dcols [K, N] = W^T [K, O] x dY [O, N], reusing the column buffer. */
      es_blas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, K, N, O,
          1.0f, l->weight->value->data, K, dy, N, 0.0f, ws->cols, N);
      for (size_t e = 0; e < nb; e++)
        col2im_add (l, ws->cols + e * P, N, grad_in + (b0 + e) * l->base.in_size);
    }
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
    es_blas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, m, N, K,
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

static gboolean
conv_direct_ok (const ConvLayer *l)
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
conv_direct_scratch (const ConvLayer *l, size_t rows)
{
  return l->channels_in * (rows + l->kernel_h - 1) * (l->in_w + 2 * l->pad_w);
}

static void
conv_direct_band (const ConvLayer *l, const float *x, float *scratch, size_t oh0,
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
  conv_direct_rows (scratch, plane, Wp, l->weight->value->data, l->channels_out, C,
      l->kernel_h, l->kernel_w, rows, l->out_w, g);
}

/* ---- fused inference: conv -> pointwise layers -> max-pool ------------- */

/* Output rows per band when a large convolution is run band by band, so the
 * column matrix (about 128 KB) and the GEMM tile stay in L2. */
static size_t
conv_band_rows (const ConvLayer *l)
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
conv_epilogue (const ConvLayer *l, size_t o, float *restrict g, size_t rows, size_t oh0,
    const EsEpilogueOp *ops, int n_ops, const EsFusedPool *pool, float *restrict y)
{
  const size_t n = rows * l->out_w;

  const float bo = l->bias ? l->bias->value->data[o] : 0.0f;
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
      es_pool_row_2 (r0, pool->kernel_h == 2 ? r0 + l->out_w : NULL,
          y + (o * PH + ph) * PW, PW);
    }
  } else {
    memcpy (y + o * l->out_h * l->out_w + oh0 * l->out_w, g, n * sizeof (float));
  }
}

static void
conv_fused_forward (EsLayer *layer, const EsEpilogueOp *ops, int n_ops,
    const EsFusedPool *pool, const float *in, float *out, size_t batch,
    EsLayerWorkspace *ws)
{
  const ConvLayer *l = (const ConvLayer *) layer;
  const size_t P = l->out_h * l->out_w, K = conv_rows (l), O = l->channels_out;
  const size_t chunk = conv_chunk (l, batch);
  const size_t out_size = pool ? pool->out_size : l->base.out_size;
  const float *w = l->weight->value->data;

  g_assert (n_ops <= ES_EPILOGUE_MAX_OPS);

  if (chunk > 1) {
    /* Small outputs: several examples per GEMM, as conv_forward. */
    for (size_t b0 = 0; b0 < batch; b0 += chunk) {
      const size_t nb = MIN (chunk, batch - b0), N = nb * P;
      for (size_t e = 0; e < nb; e++)
        im2col (l, in + (b0 + e) * l->base.in_size, ws->cols + e * P, N);
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
      const float *x = in + b * l->base.in_size;
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

/* ---- the operations table ----------------------------------------------- */

static gboolean
conv_configure (EsLayer *layer, const EsLayerArgs *a, gboolean two_d, GError **error)
{
  ConvLayer *l = (ConvLayer *) layer;
  const size_t *in_shape = layer->in_shape;
  gint64 kh, kw, sh, sw, ph, pw, n;
  gboolean has_bias;
  size_t shape[4];
  int nd = 0;

  if (!es_layer_expect_rank (a, layer->in_ndim, two_d ? 3 : 2,
          two_d ? "[C, H, W]" : "[C, L]", error)
      || !es_layer_args_ints (a, "out_channels", TRUE, 0, 1, FALSE, &n, &n, error)
      || !es_layer_args_ints (a, "kernel", TRUE, 0, 1, two_d, &kh, &kw, error)
      || !es_layer_args_ints (a, "stride", FALSE, 1, 1, two_d, &sh, &sw, error)
      || !es_layer_args_ints (a, "padding", FALSE, 0, 0, two_d, &ph, &pw, error)
      || !es_layer_args_bool (a, "bias", TRUE, &has_bias, error))
    return FALSE;
  l->two_d = two_d;
  l->channels_in = in_shape[0];
  l->channels_out = (size_t) n;
  l->in_h = l->out_h = 1;
  l->kernel_h = l->stride_h = 1;
  l->pad_h = 0;
  if (two_d) {
    l->in_h = in_shape[1];
    l->in_w = in_shape[2];
    l->kernel_h = kh;
    l->stride_h = sh;
    l->pad_h = ph;
    if (!es_layer_window_extent (a, "height", l->in_h, kh, sh, ph, &l->out_h, error))
      return FALSE;
  } else {
    l->in_w = in_shape[1];
  }
  l->kernel_w = kw;
  l->stride_w = sw;
  l->pad_w = pw;
  if (!es_layer_window_extent (a, two_d ? "width" : "length", l->in_w, kw, sw, pw,
          &l->out_w, error))
    return FALSE;
  layer->out_shape[0] = l->channels_out;
  layer->out_shape[1] = two_d ? l->out_h : l->out_w;
  if (two_d)
    layer->out_shape[2] = l->out_w;

  shape[nd++] = l->channels_out;
  shape[nd++] = l->channels_in;
  if (two_d)
    shape[nd++] = l->kernel_h;
  shape[nd++] = l->kernel_w;
  l->weight = es_layer_declare_param (layer, "weight", ES_LAYER_PARAM_TRAINABLE, nd, shape);
  l->bias = has_bias ? es_layer_declare_param (layer, "bias", ES_LAYER_PARAM_TRAINABLE, 1,
      shape) : NULL;
  return TRUE;
}

static gboolean
conv1d_configure (EsLayer *layer, const EsLayerArgs *a, GError **error)
{
  return conv_configure (layer, a, FALSE, error);
}

static gboolean
conv2d_configure (EsLayer *layer, const EsLayerArgs *a, GError **error)
{
  return conv_configure (layer, a, TRUE, error);
}

static void
conv_init (EsLayer *layer, EsRng *rng)
{
  ConvLayer *l = (ConvLayer *) layer;
  es_layer_init_kaiming (rng, l->weight, l->bias);
}

static void
conv_reserve (EsLayer *layer, size_t batch)
{
  const ConvLayer *l = (const ConvLayer *) layer;
  /* Shape invariants every kernel relies on (ggml-style asserts). */
  g_assert (layer->in_size == l->channels_in * l->in_h * l->in_w);
  g_assert (layer->out_size == l->channels_out * l->out_h * l->out_w);
  (void) batch;
}

static void
conv_workspace (const EsLayer *layer, size_t batch, size_t *cols_size, size_t *gemm_size)
{
  const ConvLayer *l = (const ConvLayer *) layer;
  const size_t chunk = conv_chunk (l, batch), P = l->out_h * l->out_w;
  *cols_size = conv_rows (l) * chunk * P;
  /* chunk > 1: the grouped GEMM result; else one band of the fused path. */
  *gemm_size = l->channels_out * (chunk > 1 ? chunk * P : conv_band_rows (l) * l->out_w);
}

static double
conv_flops (const EsLayer *layer)
{
  const ConvLayer *l = (const ConvLayer *) layer;
  return 2.0 * l->channels_out * conv_rows (l) * l->out_h * l->out_w;
}

static void
conv_describe (const EsLayer *layer, GString *out)
{
  const ConvLayer *l = (const ConvLayer *) layer;
  if (l->two_d)
    g_string_append_printf (out, " %zu k%zux%zu s%zux%zu p%zux%zu", l->channels_out,
        l->kernel_h, l->kernel_w, l->stride_h, l->stride_w, l->pad_h, l->pad_w);
  else
    g_string_append_printf (out, " %zu k%zu s%zu p%zu", l->channels_out, l->kernel_w,
        l->stride_w, l->pad_w);
}

static void
conv_layer_forward (EsLayer *layer, const float *in, float *out, size_t batch,
    const EsLayerContext *ctx)
{
  conv_forward ((ConvLayer *) layer, in, out, batch, ctx->ws);
}

static void
conv_layer_backward (EsLayer *layer, const float *in, const float *out,
    const float *grad_out, float *grad_in, size_t batch, const EsLayerContext *ctx)
{
  (void) out;
  conv_backward ((ConvLayer *) layer, in, grad_out, grad_in, batch, ctx->ws);
}

static const char *const conv_fields[] =
    { "out_channels", "kernel", "stride", "padding", "bias", NULL };

#define CONV_OPS(type_name, configure_fn) { \
    .name = type_name, \
    .size = sizeof (ConvLayer), \
    .fields = conv_fields, \
    .configure = configure_fn, \
    .init = conv_init, \
    .reserve = conv_reserve, \
    .workspace = conv_workspace, \
    .flops = conv_flops, \
    .describe = conv_describe, \
    .forward = conv_layer_forward, \
    .backward = conv_layer_backward, \
    .fused_forward = conv_fused_forward, \
  }

const EsLayerOps es_layer_conv1d = CONV_OPS ("conv1d", conv1d_configure);
const EsLayerOps es_layer_conv2d = CONV_OPS ("conv2d", conv2d_configure);
