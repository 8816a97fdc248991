/* The vector fast path of EsBiquadCascade; see biquad-kernel.h.
 *
 * Layout: a group of G channels (4, 2 or 1) is copied into a double scratch
 * block, interleaved by G. Its sections are split into chunks of at most
 * MAX_VECTORS (V) vectors of 4 lanes; lane slot j (j < P = 4 / G, G lanes
 * each, one per channel) of vector v holds section v + V j. At step t the
 * lanes of section k take the output section k - 1 produced at step t - 1:
 * vector v takes vector v - 1's outputs as they are, and vector 0 takes the
 * new input in slot 0 and vector V - 1's outputs moved up one slot, so one
 * step advances every section by one sample with a single shuffle. A chunk
 * is padded at its front with identity sections (b0 = 1) so its output always
 * comes from the last slot of the last vector; identity sections keep a zero
 * state.
 *
 * Each section is divided by its b0 (never 0 for a cookbook section), so a
 * step costs four multiplies per section instead of five: with G_k the
 * product of the b0 of a chunk's sections up to k, the lanes carry the
 * signal and the state divided by G_k, and the chunk's output is multiplied
 * back by G_last. (Within a chunk of at most 24 sections G stays far inside
 * the double range for any band the element accepts.) Steps where some sections are before their first or after their last
 * sample of the block (the first and last depth - 1 steps) keep those lanes'
 * state as it was, so a block ends with every section on the same sample. */
#include "config.h"
#include "dsp/biquad-kernel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* -Dvector_kernel=false leaves only the scalar loop (es_biquad_kernel_new
 * gives NULL), as on other CPUs */
#if ES_BIQUAD_VECTOR_KERNEL && defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_AVX2_KERNEL 1
#include <immintrin.h>
#define AVX2 __attribute__((target ("avx2,fma")))
#define ALWAYS_INLINE inline __attribute__((always_inline))
/* V is a constant in every instance: unrolled, the vectors stay in registers. */
#define UNROLL _Pragma ("GCC unroll 8")
#endif

#ifdef HAVE_AVX2_KERNEL

#define BLOCK_FRAMES 2048
/* Vectors per chunk. A step costs two FMA latencies whatever the chunk's
 * size, so chunks should be long; three state vectors each (output, s0, s1)
 * and 16 registers make 6 the most before spills cost more than they save. */
#define MAX_VECTORS 6

typedef struct {
  /* divided by b0, with y substituted into the state update (see step ()):
   * c1 = b1 / b0 - a1, c2 = b2 / b0 - a2, na2 = -a2 */
  double c1[4], c2[4], a1[4], na2[4];
  double scale[4];              /* G_k of the lane's section: state = lanes * scale */
  double section[4];            /* the lane's section within its chunk (for masks) */
} LaneVec;

typedef struct {
  unsigned first, count;        /* cascade sections [first, first + count) */
  unsigned vectors;
  unsigned lane_offset;         /* first LaneVec of the chunk */
  double gain;                  /* G of the last section: output = lanes * gain */
} Chunk;

typedef struct {
  Chunk *chunks;
  unsigned n_chunks;
  LaneVec *lanes;               /* 32-byte aligned */
  unsigned n_lanes, cap_lanes, cap_chunks;
  EsBiquadCoeffs *made_from;    /* the sections it was made for (reused while equal) */
  unsigned n_made_from;
  gboolean valid;
} Plan;

struct _EsBiquadKernel {
  double *scratch;              /* BLOCK_FRAMES * 4, 32-byte aligned */
  Plan plan[3];                 /* G = 1, 2, 4 */
};

static int
group_index (unsigned g)
{
  return g == 4 ? 2 : (int) g - 1;
}

EsBiquadKernel *
es_biquad_kernel_new (void)
{
  EsBiquadKernel *k;
  const char *env = g_getenv ("ES_BIQUAD_KERNEL");

  if (env && strcmp (env, "scalar") == 0)
    return NULL;
  __builtin_cpu_init ();
  if (!__builtin_cpu_supports ("avx2") || !__builtin_cpu_supports ("fma"))
    return NULL;
  k = g_new0 (EsBiquadKernel, 1);
  k->scratch = g_aligned_alloc (BLOCK_FRAMES * 4, sizeof (double), 32);
  return k;
}

void
es_biquad_kernel_free (EsBiquadKernel *k)
{
  int i;

  if (!k)
    return;
  for (i = 0; i < 3; i++) {
    g_aligned_free (k->plan[i].lanes);
    g_free (k->plan[i].chunks);
    g_free (k->plan[i].made_from);
  }
  g_aligned_free (k->scratch);
  g_free (k);
}

/* Split @n_sections into chunks for groups of @g channels and lay out their
 * coefficients lane by lane. */
static const Plan *
make_plan (EsBiquadKernel *k, unsigned g, const EsBiquadCoeffs *coeffs, unsigned n_sections)
{
  Plan *p = &k->plan[group_index (g)];
  unsigned per_vector = 4 / g;
  unsigned n_vectors = (n_sections + per_vector - 1) / per_vector;
  unsigned n_chunks = (n_vectors + MAX_VECTORS - 1) / MAX_VECTORS;
  unsigned c, first = 0, lanes = 0;

  if (p->valid && p->n_made_from == n_sections
      && (n_sections == 0 || memcmp (p->made_from, coeffs, n_sections * sizeof *coeffs) == 0))
    return p;
  p->made_from = g_renew (EsBiquadCoeffs, p->made_from, MAX (n_sections, 1));
  if (n_sections)
    memcpy (p->made_from, coeffs, n_sections * sizeof *coeffs);
  p->n_made_from = n_sections;
  p->valid = TRUE;

  if (n_chunks > p->cap_chunks) {
    p->chunks = g_renew (Chunk, p->chunks, n_chunks);
    p->cap_chunks = n_chunks;
  }
  for (c = 0; c < n_chunks; c++) {
    Chunk *ch = &p->chunks[c];

    /* balanced in vectors (the first n_vectors % n_chunks take one more),
     * every slot used but in the last vector of the cascade */
    ch->vectors = n_vectors / n_chunks + (c < n_vectors % n_chunks);
    ch->count = MIN (ch->vectors * per_vector, n_sections - first);
    ch->first = first;
    ch->lane_offset = lanes;
    first += ch->count;
    lanes += ch->vectors;
  }
  if (lanes > p->cap_lanes) {
    g_aligned_free (p->lanes);
    p->lanes = g_aligned_alloc (lanes, sizeof (LaneVec), 32);
    p->cap_lanes = lanes;
  }
  for (c = 0; c < n_chunks; c++) {
    Chunk *ch = &p->chunks[c];
    unsigned depth = ch->vectors * per_vector, pad = depth - ch->count, v, l, k;
    double scale[MAX_VECTORS * 4], gk = 1.0;

    for (k = 0; k < depth; k++) {
      if (k >= pad)
        gk *= coeffs[ch->first + k - pad].b0;
      scale[k] = gk;
    }
    ch->gain = gk;
    for (v = 0; v < ch->vectors; v++) {
      LaneVec *lv = &p->lanes[ch->lane_offset + v];

      for (l = 0; l < 4; l++) {
        unsigned local = v + ch->vectors * (l / g);
        const EsBiquadCoeffs *s = local >= pad ? &coeffs[ch->first + local - pad] : NULL;

        lv->c1[l] = s ? s->b1 / s->b0 - s->a1 : 0.0;
        lv->c2[l] = s ? s->b2 / s->b0 - s->a2 : 0.0;
        lv->a1[l] = s ? s->a1 : 0.0;
        lv->na2[l] = s ? -s->a2 : 0.0;
        lv->scale[l] = scale[local];
        lv->section[l] = local;
      }
    }
  }
  p->n_chunks = n_chunks;
  p->n_lanes = lanes;
  return p;
}

/* Copy a chunk's state between the cascade layout and the lanes ([vector]
 * [s0 | s1][lane], divided by the lane's G); padding lanes are identity
 * sections with zero state. */
static void
state_in (const Chunk *ch, const LaneVec *lv, unsigned g, unsigned c0, unsigned channels,
    const double *state, double *lanes)
{
  unsigned per_vector = 4 / g, pad = ch->vectors * per_vector - ch->count, v, l;

  for (v = 0; v < ch->vectors; v++)
    for (l = 0; l < 4; l++) {
      unsigned local = v + ch->vectors * (l / g);
      double s0 = 0.0, s1 = 0.0;

      if (local >= pad) {
        const double *s = state + ((size_t) (ch->first + local - pad) * channels + c0 + l % g) * 2;
        s0 = s[0] / lv[v].scale[l];
        s1 = s[1] / lv[v].scale[l];
      }
      lanes[v * 8 + l] = s0;
      lanes[v * 8 + 4 + l] = s1;
    }
}

static void
state_out (const Chunk *ch, const LaneVec *lv, unsigned g, unsigned c0, unsigned channels,
    double *state, const double *lanes)
{
  unsigned per_vector = 4 / g, pad = ch->vectors * per_vector - ch->count, v, l;

  for (v = 0; v < ch->vectors; v++)
    for (l = 0; l < 4; l++) {
      unsigned local = v + ch->vectors * (l / g);

      if (local >= pad) {
        double *s = state + ((size_t) (ch->first + local - pad) * channels + c0 + l % g) * 2;
        s[0] = lanes[v * 8 + l] * lv[v].scale[l];
        s[1] = lanes[v * 8 + 4 + l] * lv[v].scale[l];
      }
    }
}

/* One step of a chunk: shift the outputs one section along, take the new
 * input, run every lane's section. G and V are constants in every caller. */
static ALWAYS_INLINE AVX2 void
step (const int G, const int V, const int F32, const LaneVec *lv, __m256d *y, __m256d *s0,
    __m256d *s1, const void *in)
{
  __m256d x0, t;
  int v;

  if (G == 4) {
    if (!in)
      x0 = _mm256_setzero_pd ();
    else if (F32)
      x0 = _mm256_cvtps_pd (_mm_loadu_ps (in));
    else
      x0 = _mm256_loadu_pd (in);
  } else if (G == 2) {
    /* slot 0: the input; slot 1: the last vector's slot 0 */
    __m128d x;
    if (!in)
      x = _mm_setzero_pd ();
    else if (F32)
      x = _mm_cvtps_pd (_mm_castsi128_ps (_mm_loadl_epi64 (in)));
    else
      x = _mm_loadu_pd (in);
    x0 = _mm256_permute2f128_pd (y[V - 1], _mm256_castpd128_pd256 (x), 0x02);
  } else {
    /* lane 0: the input; lanes 1-3: the last vector's lanes 0-2 */
    __m256d x;
    if (!in)
      x = _mm256_setzero_pd ();
    else if (F32)
      x = _mm256_set1_pd (*(const float *) in);
    else
      x = _mm256_broadcast_sd (in);
    x0 = _mm256_blend_pd (_mm256_permute4x64_pd (y[V - 1], 0x90), x, 0x1);
  }
  /* Divided by b0: y = x + s0. The state updates are written with y
   * substituted, so each state depends on the previous state through one
   * FMA and not through y: s0' = (b1 - a1) x + s1 - a1 s0,
   * s1' = (b2 - a2) x - a2 s0.
   *
   * The last vector first: vector v reads y[v - 1] of the previous step, so
   * once vector v + 1 has run, y[v] is dead and its register takes the new
   * y; s1' goes where s0 was and s0' where s1 was (the names swap, no
   * move). Each vector then needs only its own three registers, and a chunk
   * of five vectors (ten sections of stereo) needs the sixteen with the
   * input's (GCC keeps one value a step on the stack). Written as
   * intrinsics GCC interleaves the vectors and spills five or more a step
   * (about 20 % slower, bench/eq-kernel), hence the five instructions in
   * assembly; the arithmetic is what the intrinsics would do. */
  UNROLL
  for (v = V - 1; v >= 0; v--) {
    __asm__ ("vaddpd %[x], %[s0], %[y]\n\t"
        "vfmadd231pd %[c1], %[x], %[s1]\n\t"
        "vfnmadd231pd %[a1], %[s0], %[s1]\n\t"
        "vmulpd %[na2], %[s0], %[s0]\n\t"
        "vfmadd231pd %[c2], %[x], %[s0]"
        : [y] "=&x" (y[v]), [s0] "+x" (s0[v]), [s1] "+x" (s1[v])
        : [x] "x" (v ? y[v - 1] : x0), [c1] "m" (lv[v].c1), [c2] "m" (lv[v].c2),
          [a1] "m" (lv[v].a1), [na2] "m" (lv[v].na2));
    t = s0[v];
    s0[v] = s1[v];
    s1[v] = t;
  }
}

/* The chunk's output (the last slot of the last vector), times its G (and
 * the output gain when the chunk writes the caller's buffer). */
static ALWAYS_INLINE AVX2 void
store_output (const int G, const int V, const int F32, const __m256d *y, __m256d gain, void *out)
{
  __m256d o = _mm256_mul_pd (y[V - 1], gain);

  if (G == 4) {
    if (F32)
      _mm_storeu_ps (out, _mm256_cvtpd_ps (o));
    else
      _mm256_storeu_pd (out, o);
  } else if (G == 2) {
    __m128d h = _mm256_extractf128_pd (o, 1);
    if (F32)
      _mm_storel_epi64 (out, _mm_castps_si128 (_mm_cvtpd_ps (h)));
    else
      _mm_storeu_pd (out, h);
  } else {
    __m128d h = _mm256_extractf128_pd (o, 1);
    if (F32)
      *(float *) out = (float) _mm_cvtsd_f64 (_mm_unpackhi_pd (h, h));
    else
      _mm_storeh_pd (out, h);
  }
}

/* Element t of a block of G-channel frames of doubles or floats. */
static ALWAYS_INLINE void *
frame_at (const int G, const int F32, void *x, size_t t)
{
  return F32 ? (void *) ((float *) x + t * G) : (void *) ((double *) x + t * G);
}

/* A chunk's lanes between steps. */
typedef struct {
  __m256d y[6], s0[6], s1[6];
} Lanes;

/* Steps [t, end) where some sections are before their first or after their
 * last sample of the block (t < depth - 1 or t >= n): only the lanes of
 * sections k with t - n < k <= t change state. Few, so the lanes stay in
 * memory. */
static ALWAYS_INLINE AVX2 void
masked_steps (const int G, const int V, const int F32, const LaneVec *lv, __m256d gain,
    Lanes *L, void *x, size_t n, size_t t, size_t end)
{
  const size_t depth = (size_t) V * (4 / G);
  int v;

  for (; t < end; t++) {
    __m256d lo = _mm256_set1_pd ((double) t - (double) n + 1.0);
    __m256d hi = _mm256_set1_pd ((double) t);
    __m256d olds0[6], olds1[6];

    UNROLL
    for (v = 0; v < V; v++) {
      olds0[v] = L->s0[v];
      olds1[v] = L->s1[v];
    }
    step (G, V, F32, lv, L->y, L->s0, L->s1, t < n ? frame_at (G, F32, x, t) : NULL);
    UNROLL
    for (v = 0; v < V; v++) {
      __m256d k = _mm256_load_pd (lv[v].section);
      __m256d m = _mm256_and_pd (_mm256_cmp_pd (k, hi, _CMP_LE_OQ), _mm256_cmp_pd (k, lo, _CMP_GE_OQ));
      L->s0[v] = _mm256_blendv_pd (olds0[v], L->s0[v], m);
      L->s1[v] = _mm256_blendv_pd (olds1[v], L->s1[v], m);
    }
    if (t + 1 >= depth)
      store_output (G, V, F32, L->y, gain, frame_at (G, F32, x, t + 1 - depth));
  }
}

/* Steps [t, end), every section on a sample of the block: the hot loop, in
 * a function of its own so the lanes live in registers. */
static ALWAYS_INLINE AVX2 void
steady_steps (const int G, const int V, const int F32, const LaneVec *lv, __m256d gain,
    Lanes *L, void *x, size_t t, size_t end)
{
  const size_t depth = (size_t) V * (4 / G);
  __m256d y[6], s0[6], s1[6];
  int v;

  UNROLL
  for (v = 0; v < V; v++) {
    y[v] = L->y[v];
    s0[v] = L->s0[v];
    s1[v] = L->s1[v];
  }
  /* two steps a turn: step () swaps the names of s0 and s1, so after two
   * every value is back in the register it started in */
  for (; t + 2 <= end; t += 2) {
    const void *in0 = frame_at (G, F32, x, t), *in1 = frame_at (G, F32, x, t + 1);
    if (!in0 || !in1)
      __builtin_unreachable ();   /* (spares the hot loop the NULL test) */
    step (G, V, F32, lv, y, s0, s1, in0);
    store_output (G, V, F32, y, gain, frame_at (G, F32, x, t + 1 - depth));
    step (G, V, F32, lv, y, s0, s1, in1);
    store_output (G, V, F32, y, gain, frame_at (G, F32, x, t + 2 - depth));
  }
  for (; t < end; t++) {
    const void *in = frame_at (G, F32, x, t);
    if (!in)
      __builtin_unreachable ();   /* (spares the hot loop the NULL test) */
    step (G, V, F32, lv, y, s0, s1, in);
    store_output (G, V, F32, y, gain, frame_at (G, F32, x, t + 1 - depth));
  }
  UNROLL
  for (v = 0; v < V; v++) {
    L->y[v] = y[v];
    L->s0[v] = s0[v];
    L->s1[v] = s1[v];
  }
}

/* Run a chunk of V vectors over @n frames of @x (interleaved by G, doubles
 * or floats), in place. */
static ALWAYS_INLINE AVX2 void
run_chunk (const int G, const int V, const int F32, void (*steady) (const LaneVec *, __m256d,
        Lanes *, void *, size_t, size_t), const LaneVec *lv, double chunk_gain,
    double *lane_state, void *x, const size_t n)
{
  const size_t depth = (size_t) V * (4 / G), total = n + depth - 1;
  const __m256d gain = _mm256_set1_pd (chunk_gain);
  Lanes L;
  size_t first = MIN (depth - 1, n);
  int v;

  UNROLL
  for (v = 0; v < V; v++) {
    L.y[v] = _mm256_setzero_pd ();
    L.s0[v] = _mm256_loadu_pd (lane_state + v * 8);
    L.s1[v] = _mm256_loadu_pd (lane_state + v * 8 + 4);
  }
  /* steady steps are [depth - 1, n) when the block is at least as long as
   * the chunk is deep, otherwise every step is masked */
  masked_steps (G, V, F32, lv, gain, &L, x, n, 0, first);
  if (depth - 1 < n)
    steady (lv, gain, &L, x, depth - 1, n);
  masked_steps (G, V, F32, lv, gain, &L, x, n, depth - 1 < n ? n : first, total);
  UNROLL
  for (v = 0; v < V; v++) {
    _mm256_storeu_pd (lane_state + v * 8, L.s0[v]);
    _mm256_storeu_pd (lane_state + v * 8 + 4, L.s1[v]);
  }
}

typedef void (*ChunkFunc) (const LaneVec *lv, double gain, double *lane_state, void *x,
    size_t n);

/* One function per group width, chunk size and sample type: G, V and F32
 * are constants inside. */
#define DEFINE_CHUNK_T(G, V, F32, T)                                               \
static AVX2 __attribute__((noinline)) void                                        \
steady_##T##_##G##_##V (const LaneVec *lv, __m256d gain, Lanes *L, void *x,       \
    size_t t, size_t end)                                                         \
{                                                                                 \
  steady_steps (G, V, F32, lv, gain, L, x, t, end);                               \
}                                                                                 \
static AVX2 void                                                                  \
chunk_##T##_##G##_##V (const LaneVec *lv, double gain, double *lane_state, void *x, \
    size_t n)                                                                     \
{                                                                                 \
  run_chunk (G, V, F32, steady_##T##_##G##_##V, lv, gain, lane_state, x, n);      \
}
#define DEFINE_CHUNK(G, V) DEFINE_CHUNK_T (G, V, 0, d) DEFINE_CHUNK_T (G, V, 1, f)
#define DEFINE_CHUNKS(G) DEFINE_CHUNK (G, 1) DEFINE_CHUNK (G, 2) DEFINE_CHUNK (G, 3) \
  DEFINE_CHUNK (G, 4) DEFINE_CHUNK (G, 5) DEFINE_CHUNK (G, 6)
DEFINE_CHUNKS (1)
DEFINE_CHUNKS (2)
DEFINE_CHUNKS (4)

#define CHUNK_ROW(T, G) {chunk_##T##_##G##_1, chunk_##T##_##G##_2, chunk_##T##_##G##_3, \
  chunk_##T##_##G##_4, chunk_##T##_##G##_5, chunk_##T##_##G##_6}
/* [F32][group][vectors - 1] */
static const ChunkFunc chunk_funcs[2][3][6] = {
  { CHUNK_ROW (d, 1), CHUNK_ROW (d, 2), CHUNK_ROW (d, 4) },
  { CHUNK_ROW (f, 1), CHUNK_ROW (f, 2), CHUNK_ROW (f, 4) },
};

/* The channel groups: as many 4s as fit, then a 2, then a 1. */
static unsigned
group_width (unsigned left)
{
  return left >= 4 ? 4 : left >= 2 ? 2 : 1;
}

/* Copy G channels starting at c0 of @n frames into the scratch block (as
 * double) and back. When the group is every channel (mono, stereo, 4
 * channels) it is a plain conversion, done 4 values at a time. */
static AVX2 void
copy_in_f32 (double *dst, const float *src, size_t n, unsigned g, unsigned c0, unsigned channels)
{
  size_t i = 0, count = n * g;
  unsigned j;

  if (g == channels) {
    for (; i + 4 <= count; i += 4)
      _mm256_store_pd (dst + i, _mm256_cvtps_pd (_mm_loadu_ps (src + i)));
    for (; i < count; i++)
      dst[i] = src[i];
    return;
  }
  for (i = 0; i < n; i++)
    for (j = 0; j < g; j++)
      dst[i * g + j] = src[i * channels + c0 + j];
}

static AVX2 void
copy_out_f32 (float *dst, const double *src, size_t n, unsigned g, unsigned c0, unsigned channels,
    double gain)
{
  size_t i = 0, count = n * g;
  unsigned j;

  if (g == channels) {
    __m256d k = _mm256_set1_pd (gain);
    for (; i + 4 <= count; i += 4)
      _mm_storeu_ps (dst + i, _mm256_cvtpd_ps (_mm256_mul_pd (_mm256_load_pd (src + i), k)));
    for (; i < count; i++)
      dst[i] = (float) (src[i] * gain);
    return;
  }
  for (i = 0; i < n; i++)
    for (j = 0; j < g; j++)
      dst[i * channels + c0 + j] = (float) (src[i * g + j] * gain);
}

static void
copy_in_f64 (double *dst, const double *src, size_t n, unsigned g, unsigned c0, unsigned channels)
{
  size_t i;
  unsigned j;

  if (g == channels) {
    memcpy (dst, src, n * g * sizeof (double));
    return;
  }
  for (i = 0; i < n; i++)
    for (j = 0; j < g; j++)
      dst[i * g + j] = src[i * channels + c0 + j];
}

static AVX2 void
copy_out_f64 (double *dst, const double *src, size_t n, unsigned g, unsigned c0, unsigned channels,
    double gain)
{
  size_t i = 0, count = n * g;
  unsigned j;

  if (g == channels) {
    __m256d k = _mm256_set1_pd (gain);
    for (; i + 4 <= count; i += 4)
      _mm256_storeu_pd (dst + i, _mm256_mul_pd (_mm256_load_pd (src + i), k));
    for (; i < count; i++)
      dst[i] = src[i] * gain;
    return;
  }
  for (i = 0; i < n; i++)
    for (j = 0; j < g; j++)
      dst[i * channels + c0 + j] = src[i * g + j] * gain;
}

/* TRUE when every value is finite (x - x is 0 for finite x, NaN otherwise). */
static AVX2 gboolean
finite_f32 (const float *x, size_t n)
{
  __m256 bad = _mm256_setzero_ps ();
  size_t i = 0;

  for (; i + 8 <= n; i += 8) {
    __m256 v = _mm256_loadu_ps (x + i);
    bad = _mm256_or_ps (bad, _mm256_cmp_ps (_mm256_sub_ps (v, v), _mm256_setzero_ps (), _CMP_NEQ_UQ));
  }
  for (; i < n; i++)
    if (!isfinite (x[i]))
      return FALSE;
  return _mm256_movemask_ps (bad) == 0;
}

static AVX2 gboolean
finite_f64 (const double *x, size_t n)
{
  __m256d bad = _mm256_setzero_pd ();
  size_t i = 0;

  for (; i + 4 <= n; i += 4) {
    __m256d v = _mm256_loadu_pd (x + i);
    bad = _mm256_or_pd (bad, _mm256_cmp_pd (_mm256_sub_pd (v, v), _mm256_setzero_pd (), _CMP_NEQ_UQ));
  }
  for (; i < n; i++)
    if (!isfinite (x[i]))
      return FALSE;
  return _mm256_movemask_pd (bad) == 0;
}

/* A group that is the whole frame and fits one chunk runs on the caller's
 * buffer directly (no copies; the output gain folded into the chunk's);
 * otherwise through the double scratch block. */
#define DEFINE_RUN(suffix, T, F32)                                                \
size_t                                                                            \
es_biquad_kernel_run_##suffix (EsBiquadKernel *k, const EsBiquadCoeffs *coeffs,   \
    unsigned n_sections, unsigned channels, double *state, double gain, T *data,     \
    size_t n_frames)                                                              \
{                                                                                 \
  const Plan *plans[3] = { NULL, NULL, NULL };                                    \
  double lane_state[6 * 8];                                             \
  size_t f0;                                                                      \
                                                                                  \
  for (f0 = 0; f0 < n_frames; f0 += BLOCK_FRAMES) {                               \
    size_t n = MIN (BLOCK_FRAMES, n_frames - f0);                                 \
    unsigned c0, g, c;                                                            \
    T *block = data + f0 * channels;                                              \
                                                                                  \
    if (!finite_##suffix (block, n * channels))                                   \
      return f0;                                                                  \
    for (c0 = 0; c0 < channels; c0 += g) {                                        \
      const Plan *p;                                                              \
      g = group_width (channels - c0);                                            \
      if (!plans[group_index (g)])                                                \
        plans[group_index (g)] = make_plan (k, g, coeffs, n_sections);            \
      p = plans[group_index (g)];                                                 \
      if (g == channels && p->n_chunks == 1) {                                    \
        const Chunk *ch = &p->chunks[0];                                          \
        const LaneVec *lv = p->lanes + ch->lane_offset;                           \
        state_in (ch, lv, g, c0, channels, state, lane_state);                    \
        chunk_funcs[F32][group_index (g)][ch->vectors - 1] (lv, ch->gain * gain,  \
            lane_state, block, n);                                                \
        state_out (ch, lv, g, c0, channels, state, lane_state);                   \
        continue;                                                                 \
      }                                                                           \
      copy_in_##suffix (k->scratch, block, n, g, c0, channels);                   \
      for (c = 0; c < p->n_chunks; c++) {                                         \
        const Chunk *ch = &p->chunks[c];                                          \
        const LaneVec *lv = p->lanes + ch->lane_offset;                           \
        state_in (ch, lv, g, c0, channels, state, lane_state);                    \
        chunk_funcs[0][group_index (g)][ch->vectors - 1] (lv, ch->gain,           \
            lane_state, k->scratch, n);                                           \
        state_out (ch, lv, g, c0, channels, state, lane_state);                   \
      }                                                                           \
      copy_out_##suffix (block, k->scratch, n, g, c0, channels, gain);             \
    }                                                                             \
  }                                                                               \
  return n_frames;                                                                \
}

DEFINE_RUN (f32, float, 1)
DEFINE_RUN (f64, double, 0)

#else /* no vector kernel for this target: the cascade's scalar loop runs */

EsBiquadKernel *
es_biquad_kernel_new (void)
{
  return NULL;
}

void
es_biquad_kernel_free (EsBiquadKernel *k)
{
}

size_t
es_biquad_kernel_run_f32 (EsBiquadKernel *k, const EsBiquadCoeffs *coeffs, unsigned n_sections,
    unsigned channels, double *state, double gain, float *data, size_t n_frames)
{
  g_assert_not_reached ();
  return 0;
}

size_t
es_biquad_kernel_run_f64 (EsBiquadKernel *k, const EsBiquadCoeffs *coeffs, unsigned n_sections,
    unsigned channels, double *state, double gain, double *data, size_t n_frames)
{
  g_assert_not_reached ();
  return 0;
}

#endif
