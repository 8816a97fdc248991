/* Streaming framer.
 *
 * The state is the start of the next frame: either `skip` samples ahead of the
 * next input (hop > frame size, or nothing buffered yet), or the `n_pending`
 * buffered samples beginning exactly at that frame. A call sees the virtual
 * stream pending ++ input, emits every complete frame in it, and keeps the
 * incomplete tail (always shorter than one frame), so no sample is copied more
 * than twice and the result cannot depend on how the input was split. */
#include "dsp/framer.h"

#include <string.h>

#include "dsp/simd.h"

struct _EsFramer {
  size_t frame_size;
  size_t hop_size;
  float *window;
  float *pending;     /* frame_size capacity */
  size_t n_pending;
  size_t skip;        /* only non-zero while n_pending == 0 */
  uint64_t frame_index;
};

EsFramer *
es_framer_new (size_t frame_size, size_t hop_size, EsWindowType window)
{
  EsFramer *framer;

  g_return_val_if_fail (frame_size >= 1, NULL);
  g_return_val_if_fail (hop_size >= 1, NULL);
  g_return_val_if_fail (es_window_type_name (window) != NULL, NULL);

  framer = g_new0 (EsFramer, 1);
  framer->frame_size = frame_size;
  framer->hop_size = hop_size;
  framer->window = g_new (float, frame_size);
  es_window_fill (window, framer->window, frame_size);
  framer->pending = g_new (float, frame_size);
  return framer;
}

void
es_framer_free (EsFramer *framer)
{
  if (framer == NULL)
    return;
  g_free (framer->window);
  g_free (framer->pending);
  g_free (framer);
}

void
es_framer_reset (EsFramer *framer)
{
  framer->n_pending = 0;
  framer->skip = 0;
  framer->frame_index = 0;
}

size_t
es_framer_get_frame_size (const EsFramer *framer)
{
  return framer->frame_size;
}

size_t
es_framer_get_hop_size (const EsFramer *framer)
{
  return framer->hop_size;
}

const float *
es_framer_get_window (const EsFramer *framer)
{
  return framer->window;
}

uint64_t
es_framer_next_frame_index (const EsFramer *framer)
{
  return framer->frame_index;
}

size_t
es_framer_frames_for (const EsFramer *framer, size_t n_in)
{
  size_t total = framer->n_pending + n_in;
  size_t first_end = framer->skip + framer->frame_size;

  if (total < first_end)
    return 0;
  return 1 + (total - first_end) / framer->hop_size;
}

/* out[i] = window[i] * x[i] for i in [0, n). */
ES_SIMD_CLONES static void
apply_window (const float *restrict window, const float *restrict x, size_t n,
    float *restrict out)
{
  size_t i = 0;

  for (; i + 8 <= n; i += 8)
    es_f8_store (out + i, es_f8_load (window + i) * es_f8_load (x + i));
  for (; i < n; i++)
    out[i] = window[i] * x[i];
}

size_t
es_framer_process (EsFramer *framer, const float *in, size_t n_in, float *out)
{
  const size_t frame_size = framer->frame_size;
  const size_t n_pending = framer->n_pending;
  const size_t total = n_pending + n_in;
  size_t start = framer->skip;
  size_t n_out = 0;

  /* Positions below are in the virtual stream pending ++ in. */
  while (start <= total && total - start >= frame_size) {
    float *frame = out + n_out * frame_size;
    if (start >= n_pending) {
      apply_window (framer->window, in + (start - n_pending), frame_size, frame);
    } else {
      size_t head = n_pending - start;     /* < frame_size */
      apply_window (framer->window, framer->pending + start, head, frame);
      apply_window (framer->window + head, in, frame_size - head, frame + head);
    }
    n_out++;
    start += framer->hop_size;
  }
  framer->frame_index += n_out;

  if (start >= total) {
    framer->skip = start - total;
    framer->n_pending = 0;
  } else if (start < n_pending) {
    size_t kept = n_pending - start;
    memmove (framer->pending, framer->pending + start, kept * sizeof (float));
    if (n_in > 0)
      memcpy (framer->pending + kept, in, n_in * sizeof (float));
    framer->skip = 0;
    framer->n_pending = kept + n_in;
  } else {
    framer->skip = 0;
    framer->n_pending = total - start;
    memcpy (framer->pending, in + (start - n_pending), framer->n_pending * sizeof (float));
  }
  return n_out;
}
