/* Eight-lane float vectors for the dsp kernels (internal to dsp/, not installed).
 *
 * GCC and Clang vector extensions, so the kernels are SIMD whatever the
 * optimisation level (GCC 12's -O2 cost model leaves loops with a run-time trip
 * count scalar) and portable (on x86-64 an 8-lane vector is one AVX register or
 * two SSE2 registers). Every helper works lane by lane with plain IEEE
 * operations and no FMA, so a value does not depend on the instruction set, on
 * its position in a vector or on how the data was split into calls: tails go
 * through the same code, padded to eight lanes. */
#ifndef ES_DSP_SIMD_H
#define ES_DSP_SIMD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__GNUC__) && !defined(__clang__)
/* The helpers are inline; no 32-byte vector crosses a real call. */
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

typedef float EsF8 __attribute__((vector_size (32)));
typedef int32_t EsI8 __attribute__((vector_size (32)));
typedef uint32_t EsU8 __attribute__((vector_size (32)));
typedef float EsF4 __attribute__((vector_size (16)));
typedef double EsD4 __attribute__((vector_size (32)));

/* A kernel marked ES_SIMD_CLONES gets an AVX2 version, chosen once at load time
 * where the CPU has it. No FMA: both versions round every lane the same way.
 * GCC only: Clang (14) refuses an AVX2 clone that calls the inline helpers
 * below, compiled for the default target, with 32-byte vectors ("changes the
 * ABI"), so a Clang build (the fuzzers') runs the default version. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define ES_SIMD_CLONES __attribute__((target_clones ("avx2", "default")))
#endif
#endif
#ifndef ES_SIMD_CLONES
#define ES_SIMD_CLONES
#endif

/* Lanes of the 16-lane concatenation a ++ b, picked by eight constant indices. */
#if defined(__clang__)
#define ES_F8_SHUFFLE(a, b, ...) __builtin_shufflevector (a, b, __VA_ARGS__)
#else
#define ES_F8_SHUFFLE(a, b, ...) __builtin_shuffle (a, b, (EsI8) { __VA_ARGS__ })
#endif
#define ES_F8_EVEN(a, b) ES_F8_SHUFFLE (a, b, 0, 2, 4, 6, 8, 10, 12, 14)
#define ES_F8_ODD(a, b) ES_F8_SHUFFLE (a, b, 1, 3, 5, 7, 9, 11, 13, 15)

static inline EsF8
es_f8_load (const float *p)
{
  EsF8 v;

  memcpy (&v, p, sizeof (v));
  return v;
}

static inline void
es_f8_store (float *p, EsF8 v)
{
  memcpy (p, &v, sizeof (v));
}

static inline EsF8
es_f8_splat (float x)
{
  return (EsF8) { x, x, x, x, x, x, x, x };
}

/* mask ? a : b per lane (mask lanes all ones or all zeros, as comparisons give). */
static inline EsF8
es_f8_select (EsI8 mask, EsF8 a, EsF8 b)
{
  return (EsF8) (((EsI8) a & mask) | ((EsI8) b & ~mask));
}

/* Natural log of positive finite lanes (subnormals included), within about
 * 1 ulp: x = m 2^e with m in [sqrt(1/2), sqrt(2)), ln(m) = ln(1 + f) from the
 * Cephes single-precision polynomial, e ln 2 added in two parts. */
static inline EsF8
es_f8_log (EsF8 x)
{
  EsI8 subnormal = x < es_f8_splat (1.17549435e-38f);
  EsI8 bits, e, small;
  EsF8 m, f, z, y, fe;

  x = es_f8_select (subnormal, x * es_f8_splat (8388608.0f), x);   /* 2^23 */
  bits = (EsI8) x;
  e = (EsI8) ((EsU8) bits >> 23) - 126 - (subnormal & 23);
  m = (EsF8) ((bits & 0x007fffff) | 0x3f000000);    /* [0.5, 1) */
  small = m < es_f8_splat (0.707106781186547524f);
  e += small;                                       /* -1 where small */
  f = (m + es_f8_select (small, m, es_f8_splat (0.0f))) - 1.0f;
  z = f * f;
  y = es_f8_splat (7.0376836292e-2f);
  y = y * f - 1.1514610310e-1f;
  y = y * f + 1.1676998740e-1f;
  y = y * f - 1.2420140846e-1f;
  y = y * f + 1.4249322787e-1f;
  y = y * f - 1.6668057665e-1f;
  y = y * f + 2.0000714765e-1f;
  y = y * f - 2.4999993993e-1f;
  y = y * f + 3.3333331174e-1f;
  y = y * f * z;
  fe = __builtin_convertvector (e, EsF8);
  y += -2.12194440e-4f * fe;
  y += -0.5f * z;
  return (f + y) + 0.693359375f * fe;
}

#endif
