/* Dense float32 tensors: allocation, views and shape helpers. */
#include "nn/tensor.h"

#include <string.h>

gboolean
es_shape_numel (int ndim, const size_t *shape, size_t *numel)
{
  size_t n = 1;
  if (ndim < 0 || ndim > ES_TENSOR_MAX_DIMS)
    return FALSE;
  for (int i = 0; i < ndim; i++) {
    if (shape[i] != 0 && n > SIZE_MAX / shape[i])
      return FALSE;
    n *= shape[i];
  }
  *numel = n;
  return TRUE;
}

static EsTensor *
tensor_alloc_header (int ndim, const size_t *shape)
{
  EsTensor *t;
  size_t n;

  g_return_val_if_fail (ndim >= 0 && ndim <= ES_TENSOR_MAX_DIMS, NULL);
  g_return_val_if_fail (ndim == 0 || shape != NULL, NULL);
  /* Sizes come from validated architectures; an overflow here is a bug. */
  g_return_val_if_fail (es_shape_numel (ndim, shape, &n), NULL);
  g_return_val_if_fail (n <= G_MAXSIZE / sizeof (float), NULL);

  t = g_new0 (EsTensor, 1);
  t->ndim = ndim;
  for (int i = 0; i < ndim; i++)
    t->shape[i] = shape[i];
  return t;
}

EsTensor *
es_tensor_new (int ndim, const size_t *shape)
{
  EsTensor *t = tensor_alloc_header (ndim, shape);
  if (t == NULL)
    return NULL;
  t->data = g_new0 (float, MAX (es_tensor_numel (t), 1));
  t->view = FALSE;
  return t;
}

EsTensor *
es_tensor_new_view (int ndim, const size_t *shape, float *data)
{
  EsTensor *t = tensor_alloc_header (ndim, shape);
  if (t == NULL)
    return NULL;
  t->data = data;
  t->view = TRUE;
  return t;
}

void
es_tensor_free (EsTensor *t)
{
  if (t == NULL)
    return;
  if (!t->view)
    g_free (t->data);
  g_free (t);
}

size_t
es_tensor_numel (const EsTensor *t)
{
  size_t n = 1;
  for (int i = 0; i < t->ndim; i++)
    n *= t->shape[i];
  return n;
}

char *
es_shape_to_string (int ndim, const size_t *shape)
{
  GString *s = g_string_new ("[");
  for (int i = 0; i < ndim; i++)
    g_string_append_printf (s, "%s%zu", i ? ", " : "", shape[i]);
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}
