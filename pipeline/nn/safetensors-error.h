/* Error domain of the safetensors reader and writer (nn/safetensors.h): one
 * code per failure class, so callers and tests can tell them apart. */
#ifndef ES_NN_SAFETENSORS_ERROR_H
#define ES_NN_SAFETENSORS_ERROR_H

#include <glib.h>

G_BEGIN_DECLS

#define ES_SAFETENSORS_ERROR (es_safetensors_error_quark ())
GQuark es_safetensors_error_quark (void);

typedef enum {
  ES_SAFETENSORS_ERROR_IO,                    /* the file cannot be opened, read or written */
  ES_SAFETENSORS_ERROR_TRUNCATED,             /* fewer than 8 bytes, or data shorter than the offsets need */
  ES_SAFETENSORS_ERROR_HEADER_TOO_LARGE,      /* N > ES_SAFETENSORS_MAX_HEADER_SIZE */
  ES_SAFETENSORS_ERROR_INVALID_HEADER_LENGTH, /* 8 + N overflows or is past the end of the file */
  ES_SAFETENSORS_ERROR_INVALID_UTF8,          /* header is not UTF-8 */
  ES_SAFETENSORS_ERROR_BAD_JSON,              /* header is not (strict) JSON or not of the expected shape */
  ES_SAFETENSORS_ERROR_DUPLICATE_KEY,         /* a key appears twice in one JSON object */
  ES_SAFETENSORS_ERROR_UNKNOWN_DTYPE,         /* dtype string not in the specification */
  ES_SAFETENSORS_ERROR_BAD_SHAPE,             /* shape not an array of non-negative integers, or its size overflows */
  ES_SAFETENSORS_ERROR_BAD_OFFSETS,           /* data_offsets not [BEGIN, END] integers with BEGIN <= END */
  ES_SAFETENSORS_ERROR_OFFSETS_GAP,           /* unused bytes between tensors (or before the first) */
  ES_SAFETENSORS_ERROR_OFFSETS_OVERLAP,       /* two tensors share bytes */
  ES_SAFETENSORS_ERROR_SIZE_MISMATCH,         /* END - BEGIN differs from the size dtype x shape needs */
  ES_SAFETENSORS_ERROR_TRAILING_BYTES,        /* bytes after the last tensor */
  ES_SAFETENSORS_ERROR_BAD_METADATA,          /* __metadata__ is not a string -> string map */
  ES_SAFETENSORS_ERROR_NOT_FOUND,             /* lookup: no tensor of that name */
  ES_SAFETENSORS_ERROR_SHAPE_MISMATCH,        /* lookup: the tensor has another shape */
  ES_SAFETENSORS_ERROR_UNSUPPORTED_DTYPE,     /* lookup: the tensor cannot be converted to float32 */
  ES_SAFETENSORS_ERROR_INVALID_ARGUMENT,      /* writer: bad name, duplicate name or shape */
} EsSafetensorsError;

G_END_DECLS

#endif
