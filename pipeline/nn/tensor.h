/* Dense float32 tensors, row-major (C order, PyTorch's NCHW / NCL layouts). */
#ifndef ES_NN_TENSOR_H
#define ES_NN_TENSOR_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

G_BEGIN_DECLS

#define ES_TENSOR_MAX_DIMS 6

typedef struct {
  int ndim;
  size_t shape[ES_TENSOR_MAX_DIMS];
  float *data;        /* numel floats, owned unless `view` */
  gboolean view;
} EsTensor;

EsTensor *es_tensor_new (int ndim, const size_t *shape);       /* zero-filled */
EsTensor *es_tensor_new_view (int ndim, const size_t *shape, float *data);
void es_tensor_free (EsTensor *t);
size_t es_tensor_numel (const EsTensor *t);
/* Product of shape entries with overflow check; FALSE on overflow. */
gboolean es_shape_numel (int ndim, const size_t *shape, size_t *numel);
/* "[1, 32, 128]" style, newly allocated. */
char *es_shape_to_string (int ndim, const size_t *shape);

G_END_DECLS

#endif
