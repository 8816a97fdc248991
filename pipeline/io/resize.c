/* Area-averaging image resampling (see resize.h). */
#include "io/resize.h"

/* Weights of source pixels [first, first + count) for each output coordinate:
 * the overlap of [i*scale, (i+1)*scale) with each unit source cell. */
typedef struct {
  unsigned first, count;
  float *weights;               /* count entries, summing to 1 */
} Span;

static Span *
make_spans (unsigned src, unsigned dst)
{
  Span *spans = g_new0 (Span, dst);
  double scale = (double) src / dst;

  for (unsigned i = 0; i < dst; i++) {
    double lo = i * scale, hi = (i + 1) * scale;
    unsigned first = (unsigned) lo;
    unsigned last = (unsigned) hi;      /* inclusive, clipped below */

    if (last >= src)
      last = src - 1;
    if ((double) last == hi && last > first)
      last--;                   /* hi on a cell border: that cell is not covered */
    spans[i].first = first;
    spans[i].count = last - first + 1;
    spans[i].weights = g_new (float, spans[i].count);
    for (unsigned k = 0; k < spans[i].count; k++) {
      double c0 = first + k, c1 = c0 + 1;
      double a = MAX (lo, c0), b = MIN (hi, c1);
      spans[i].weights[k] = (float) (MAX (b - a, 0.0) / scale);
    }
  }
  return spans;
}

static void
free_spans (Span * spans, unsigned n)
{
  for (unsigned i = 0; i < n; i++)
    g_free (spans[i].weights);
  g_free (spans);
}

void
es_resize_gray8_to_float (const uint8_t * src, unsigned src_w, unsigned src_h,
    size_t src_stride, float *dst, unsigned dst_w, unsigned dst_h)
{
  Span *xs, *ys;
  float *row;

  g_return_if_fail (src_w > 0 && src_h > 0 && dst_w > 0 && dst_h > 0);

  if (src_w == dst_w && src_h == dst_h) {
    for (unsigned y = 0; y < src_h; y++)
      for (unsigned x = 0; x < src_w; x++)
        dst[(size_t) y * dst_w + x] = src[y * src_stride + x] * (1.0f / 255.0f);
    return;
  }

  xs = make_spans (src_w, dst_w);
  ys = make_spans (src_h, dst_h);
  row = g_new (float, dst_w);
  /* separable: filter each needed source row horizontally, accumulate rows */
  for (unsigned oy = 0; oy < dst_h; oy++) {
    float *out = dst + (size_t) oy * dst_w;
    for (unsigned ox = 0; ox < dst_w; ox++)
      out[ox] = 0.0f;
    for (unsigned k = 0; k < ys[oy].count; k++) {
      const uint8_t *s = src + (size_t) (ys[oy].first + k) * src_stride;
      float wy = ys[oy].weights[k] * (1.0f / 255.0f);
      for (unsigned ox = 0; ox < dst_w; ox++) {
        float acc = 0.0f;
        const Span *sx = &xs[ox];
        for (unsigned j = 0; j < sx->count; j++)
          acc += sx->weights[j] * s[sx->first + j];
        row[ox] = acc;
      }
      for (unsigned ox = 0; ox < dst_w; ox++)
        out[ox] += wy * row[ox];
    }
  }
  g_free (row);
  free_spans (xs, dst_w);
  free_spans (ys, dst_h);
}

void
es_resize_float (const float * src, unsigned src_w, unsigned src_h, size_t src_stride,
    float *dst, unsigned dst_w, unsigned dst_h)
{
  Span *xs, *ys;
  float *row;

  g_return_if_fail (src_w > 0 && src_h > 0 && dst_w > 0 && dst_h > 0);

  if (src_w == dst_w && src_h == dst_h) {
    for (unsigned y = 0; y < src_h; y++)
      for (unsigned x = 0; x < src_w; x++)
        dst[(size_t) y * dst_w + x] = src[y * src_stride + x];
    return;
  }

  xs = make_spans (src_w, dst_w);
  ys = make_spans (src_h, dst_h);
  row = g_new (float, dst_w);
  for (unsigned oy = 0; oy < dst_h; oy++) {
    float *out = dst + (size_t) oy * dst_w;
    for (unsigned ox = 0; ox < dst_w; ox++)
      out[ox] = 0.0f;
    for (unsigned k = 0; k < ys[oy].count; k++) {
      const float *s = src + (size_t) (ys[oy].first + k) * src_stride;
      float wy = ys[oy].weights[k];
      for (unsigned ox = 0; ox < dst_w; ox++) {
        float acc = 0.0f;
        const Span *sx = &xs[ox];
        for (unsigned j = 0; j < sx->count; j++)
          acc += sx->weights[j] * s[sx->first + j];
        row[ox] = acc;
      }
      for (unsigned ox = 0; ox < dst_w; ox++)
        out[ox] += wy * row[ox];
    }
  }
  g_free (row);
  free_spans (xs, dst_w);
  free_spans (ys, dst_h);
}
