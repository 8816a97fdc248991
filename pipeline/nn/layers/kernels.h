/* Kernels shared by several layer families (internal to nn/layers/). Include
 * it first in a layer file: it also asks for the vectoriser.
 *
 * The elementwise loops (bias, batch norm, activations, scatter) are a large
 * share of the time of small nets; the library is built at -O2, which does
 * not vectorise them, so ask for the vectoriser in every layer file. It never
 * reorders float operations (no -ffast-math), so results do not change. */
#ifndef ES_NN_LAYERS_KERNELS_H
#define ES_NN_LAYERS_KERNELS_H

#if defined(__GNUC__) && !defined(__clang__) && defined(__OPTIMIZE__)
#pragma GCC optimize ("tree-vectorize")
#endif

#include <stddef.h>
#include <glib.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "nn/layer.h"

/* Kernels also built for x86-64-v3 (AVX2/FMA) and picked at load time. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define ES_TARGET_CLONES __attribute__ ((target_clones ("arch=x86-64-v3", "default")))
#else
#define ES_TARGET_CLONES
#endif

/* Sums in double over one row, with four accumulators so the additions
 * pipeline (and pair up in SSE2); a fixed order, so deterministic. */
static inline double
es_sum_d (const float *restrict x, size_t n)
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
static inline double
es_sum_centred_d (const float *restrict x, const float *restrict w, size_t n, double mean)
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

/* The value a max-pool keeps for a window: strictly greater replaces, so the
 * first maximum wins as in PyTorch, and a NaN replaces anything (propagates). */
static inline float
es_pool_pick (float m, float v)
{
  return (v > m || v != v) ? v : m;
}

/* Pairs of a row: y[i] = pick (a[2i], a[2i+1]) [and b[2i], b[2i+1]]. SSE2
 * (x86-64 baseline) on four outputs at a time: the even/odd split is a
 * shuffle the auto-vectoriser does not find. Used by max-pool and by the
 * fused convolution's epilogue. */
static inline void
es_pool_row_2 (const float *restrict a, const float *restrict b, float *restrict y,
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
    float m = es_pool_pick (a[2 * i], a[2 * i + 1]);
    if (b)
      m = es_pool_pick (es_pool_pick (m, b[2 * i]), b[2 * i + 1]);
    y[i] = m;
  }
}

#endif
