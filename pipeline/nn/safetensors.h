/* safetensors: reader and writer of the Hugging Face safetensors format.
 *
 *   [u64 little-endian N][N bytes UTF-8 JSON header][byte buffer to EOF]
 *
 * The header maps tensor names to {"dtype", "shape", "data_offsets": [BEGIN, END]}
 * (offsets relative to the byte buffer, END exclusive) plus an optional
 * "__metadata__" string -> string map. The reader performs every check of the
 * reference implementation (huggingface/safetensors, see docs/model.md) so a
 * malformed or hostile file fails with its own error code and a clear message
 * and is never read out of bounds. Tensor data is never assumed to be aligned:
 * values are copied out with memcpy.
 *
 * The writer pads the header with spaces to a multiple of 8 and orders tensors
 * by descending element size then name, so every tensor is naturally aligned
 * when the file is mapped; it writes a temporary file in the destination's
 * directory and renames it, so a failure never leaves a half-written file or
 * clobbers an existing one. */
#ifndef ES_NN_SAFETENSORS_H
#define ES_NN_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "safetensors-error.h"

G_BEGIN_DECLS

/* The reference reader's limit (MAX_HEADER_SIZE). */
#define ES_SAFETENSORS_MAX_HEADER_SIZE G_GUINT64_CONSTANT (100000000)

typedef enum {
  ES_DTYPE_BOOL, ES_DTYPE_U8, ES_DTYPE_I8, ES_DTYPE_I16, ES_DTYPE_U16, ES_DTYPE_F16,
  ES_DTYPE_BF16, ES_DTYPE_I32, ES_DTYPE_U32, ES_DTYPE_F32, ES_DTYPE_F64, ES_DTYPE_I64,
  ES_DTYPE_U64, ES_DTYPE_C64, ES_DTYPE_F8_E5M2, ES_DTYPE_F8_E4M3, ES_DTYPE_F8_E8M0,
  ES_DTYPE_F8_E4M3FNUZ, ES_DTYPE_F8_E5M2FNUZ, ES_DTYPE_F4, ES_DTYPE_F6_E2M3,
  ES_DTYPE_F6_E3M2,
  ES_DTYPE_N_TYPES,
} EsDtype;

/* "F32" etc.; NULL for an out-of-range value. */
const char *es_dtype_name (EsDtype dtype);
/* Parse a dtype string; FALSE if it is not one of the specification's. */
gboolean es_dtype_from_name (const char *name, EsDtype * dtype);
/* Size of one element in bits (sub-byte types: 4, 6). */
guint es_dtype_bits (EsDtype dtype);

/* IEEE 754 binary16 and bfloat16 to float32 (exact: every value is representable). */
float es_half_to_float (guint16 bits);
float es_bfloat16_to_float (guint16 bits);
/* float32 to binary16, rounding to nearest even (for writing F16 fixtures). */
guint16 es_float_to_half (float value);

typedef struct {
  const char *name;
  EsDtype dtype;
  int ndim;              /* 0 for a scalar */
  const size_t *shape;   /* ndim entries */
  size_t numel;
  size_t nbytes;
  size_t offset;         /* BEGIN, relative to the byte buffer */
  const guint8 *data;    /* nbytes little-endian bytes, NOT aligned */
} EsSafetensorsTensor;

typedef struct _EsSafetensors EsSafetensors;

/* Read and validate a whole file. */
EsSafetensors *es_safetensors_load (const char *path, GError ** error);
/* Validate a file image in memory; the bytes are referenced, not copied. */
EsSafetensors *es_safetensors_load_bytes (GBytes * bytes, GError ** error);
/* Same from a plain buffer, which is copied. */
EsSafetensors *es_safetensors_load_data (const void *data, size_t size, GError ** error);
void es_safetensors_free (EsSafetensors * st);

/* Tensors in data order (ascending offset). */
size_t es_safetensors_get_n_tensors (const EsSafetensors * st);
const EsSafetensorsTensor *es_safetensors_get_tensor (const EsSafetensors * st, size_t index);
/* NULL if absent. */
const EsSafetensorsTensor *es_safetensors_find (const EsSafetensors * st, const char *name);

/* __metadata__ value, or NULL. */
const char *es_safetensors_get_metadata (const EsSafetensors * st, const char *key);
/* Sorted NULL-terminated list of metadata keys, owned by st. */
const char *const *es_safetensors_get_metadata_keys (const EsSafetensors * st);

/* Look a tensor up by name AND expected shape and copy it to `out` (numel
 * floats) as float32, converting F16, BF16 and F64. Errors: NOT_FOUND,
 * SHAPE_MISMATCH ("tensor '3.weight' has shape [32, 1, 3], model expects
 * [32, 1, 5]"), UNSUPPORTED_DTYPE. */
gboolean es_safetensors_read_f32 (const EsSafetensors * st, const char *name,
    int ndim, const size_t * shape, float *out, GError ** error);

/* Writer. Tensors are copied when added. */
typedef struct _EsSafetensorsWriter EsSafetensorsWriter;

EsSafetensorsWriter *es_safetensors_writer_new (void);
void es_safetensors_writer_free (EsSafetensorsWriter * writer);
void es_safetensors_writer_set_metadata (EsSafetensorsWriter * writer,
    const char *key, const char *value);
/* `data` holds the tensor in host byte order (values are stored little-endian);
 * for sub-byte dtypes it is the already packed little-endian buffer. */
gboolean es_safetensors_writer_add (EsSafetensorsWriter * writer, const char *name,
    EsDtype dtype, int ndim, const size_t * shape, const void *data, GError ** error);
gboolean es_safetensors_writer_add_f32 (EsSafetensorsWriter * writer, const char *name,
    int ndim, const size_t * shape, const float *data, GError ** error);
/* The complete file image. */
GBytes *es_safetensors_writer_to_bytes (EsSafetensorsWriter * writer);
/* Write atomically: temporary file in the same directory, then rename. */
gboolean es_safetensors_writer_save (EsSafetensorsWriter * writer, const char *path,
    GError ** error);

G_END_DECLS

#endif
