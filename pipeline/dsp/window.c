/* Symmetric analysis windows, computed in double and stored as float. */
#include "dsp/window.h"

#include <math.h>
#include <string.h>

static const char *const window_names[] = {
  [ES_WINDOW_HAMMING] = "hamming",
  [ES_WINDOW_HANN] = "hann",
  [ES_WINDOW_RECTANGULAR] = "rectangular",
};

void
es_window_fill (EsWindowType type, float *w, size_t n)
{
  double a0, a1;

  if (n == 0)
    return;
  /* numpy.hamming (1) and numpy.hanning (1) are both {1}. */
  if (n == 1 || type == ES_WINDOW_RECTANGULAR) {
    for (size_t i = 0; i < n; i++)
      w[i] = 1.0f;
    return;
  }

  if (type == ES_WINDOW_HANN) {
    a0 = 0.5;
    a1 = 0.5;
  } else {
    g_return_if_fail (type == ES_WINDOW_HAMMING);
    a0 = 0.54;
    a1 = 0.46;
  }
  for (size_t i = 0; i < n; i++)
    w[i] = (float) (a0 - a1 * cos (2.0 * G_PI * (double) i / (double) (n - 1)));
}

const char *
es_window_type_name (EsWindowType type)
{
  if ((unsigned) type < G_N_ELEMENTS (window_names))
    return window_names[type];
  return NULL;
}

gboolean
es_window_type_from_name (const char *name, EsWindowType *type)
{
  if (name == NULL)
    return FALSE;
  for (unsigned i = 0; i < G_N_ELEMENTS (window_names); i++) {
    if (strcmp (name, window_names[i]) == 0) {
      if (type)
        *type = (EsWindowType) i;
      return TRUE;
    }
  }
  /* Common spellings from numpy and DESIGN.md. */
  if (strcmp (name, "hanning") == 0 || strcmp (name, "rect") == 0) {
    if (type)
      *type = name[0] == 'h' ? ES_WINDOW_HANN : ES_WINDOW_RECTANGULAR;
    return TRUE;
  }
  return FALSE;
}
