/* Windows over a feature-frame stream; see windows.h. */
#include "decide/windows.h"

#include <math.h>
#include <string.h>

struct _EsFrameWindows
{
  size_t values;
  guint window, hop;
  float *ring;                  /* window frames, time-major, slot = frame % window */
  guint64 *starts, *ends;       /* per slot */
  gboolean *finite;             /* per slot */
  guint64 frames;               /* pushed since the reset */
  guint64 windows;              /* completed since the reset */
};

EsFrameWindows *
es_frame_windows_new (size_t values, guint window, guint hop)
{
  EsFrameWindows *w;

  g_return_val_if_fail (values >= 1 && window >= 1 && hop >= 1, NULL);
  w = g_new0 (EsFrameWindows, 1);
  w->values = values;
  w->window = window;
  w->hop = hop;
  w->ring = g_new0 (float, values * window);
  w->starts = g_new0 (guint64, window);
  w->ends = g_new0 (guint64, window);
  w->finite = g_new0 (gboolean, window);
  return w;
}

void
es_frame_windows_free (EsFrameWindows * w)
{
  if (w == NULL)
    return;
  g_free (w->ring);
  g_free (w->starts);
  g_free (w->ends);
  g_free (w->finite);
  g_free (w);
}

guint
es_frame_windows_get_window (const EsFrameWindows * w)
{
  return w->window;
}

guint
es_frame_windows_get_hop (const EsFrameWindows * w)
{
  return w->hop;
}

guint64
es_frame_windows_get_frames (const EsFrameWindows * w)
{
  return w->frames;
}

void
es_frame_windows_reset (EsFrameWindows * w)
{
  w->frames = 0;
  w->windows = 0;
}

gboolean
es_frame_windows_push (EsFrameWindows * w, const float *frame, guint64 start,
    guint64 end, float *out, EsWindowInfo * info)
{
  guint64 k = w->frames++;
  guint slot = (guint) (k % w->window);
  gboolean finite = TRUE;
  guint64 first;

  /* frames that no window will use (hop > window) are only counted */
  if (k % w->hop >= w->window)
    return FALSE;
  memcpy (w->ring + (size_t) slot * w->values, frame,
      w->values * sizeof (float));
  for (size_t v = 0; v < w->values; v++)
    finite &= isfinite (frame[v]) != 0;
  w->starts[slot] = start;
  w->ends[slot] = end;
  w->finite[slot] = finite;

  /* window j ends at frame j·hop + window − 1 */
  if (k + 1 < w->window || (k + 1 - w->window) % w->hop != 0)
    return FALSE;
  first = k + 1 - w->window;
  if (info) {
    guint first_slot = (guint) (first % w->window);

    info->index = w->windows;
    info->first_frame = first;
    info->start = w->starts[first_slot];
    info->end = w->ends[slot];
    info->finite = TRUE;
    for (guint t = 0; t < w->window; t++)
      info->finite &= w->finite[t];
  }
  if (out) {
    /* transpose time-major frames into [values][window], oldest first */
    for (guint t = 0; t < w->window; t++) {
      const float *src = w->ring + (size_t) ((first + t) % w->window) * w->values;

      for (size_t v = 0; v < w->values; v++)
        out[v * w->window + t] = src[v];
    }
  }
  w->windows++;
  return TRUE;
}

guint64
es_window_samples (guint window, guint frame_size, guint hop_size)
{
  g_return_val_if_fail (window >= 1 && frame_size >= 1 && hop_size >= 1, 0);
  return (guint64) (window - 1) * hop_size + frame_size;
}

guint64
es_window_padding (guint64 n_samples, guint window, guint frame_size,
    guint hop_size)
{
  guint64 one = es_window_samples (window, frame_size, hop_size);

  return n_samples > 0 && n_samples < one ? one - n_samples : 0;
}
