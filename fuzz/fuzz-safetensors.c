/* libFuzzer target for the safetensors reader (see fuzz/README.md).
 *
 * Every input must either load or fail with an error in ES_SAFETENSORS_ERROR;
 * never crash, leak or read out of bounds (ASan/UBSan catch those). A file that
 * loads is also converted to float32 tensor by tensor and rewritten through the
 * writer: the copy must load again with the same tensors and metadata, which
 * checks that the reader only accepts what the format can express.
 *
 * With ES_FUZZ_MODEL defined (fuzz-model target) a file that loads is also
 * validated as an earshot model (architecture, tensors against it, labels). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "nn/safetensors.h"
#ifdef ES_FUZZ_MODEL
#include "model/model.h"
#endif

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

static void
check_same (const EsSafetensors * a, const EsSafetensors * b)
{
  const char *const *keys = es_safetensors_get_metadata_keys (a);
  const char *const *keys_b = es_safetensors_get_metadata_keys (b);
  size_t n = es_safetensors_get_n_tensors (a);

  if (es_safetensors_get_n_tensors (b) != n)
    abort ();
  for (size_t i = 0; i < n; i++) {
    const EsSafetensorsTensor *t = es_safetensors_get_tensor (a, i);
    const EsSafetensorsTensor *u = es_safetensors_find (b, t->name);
    if (!u || u->dtype != t->dtype || u->ndim != t->ndim || u->nbytes != t->nbytes
        || memcmp (u->shape, t->shape, sizeof (size_t) * t->ndim) != 0
        || memcmp (u->data, t->data, t->nbytes) != 0)
      abort ();
  }
  for (size_t i = 0; keys[i]; i++) {
    const char *v = es_safetensors_get_metadata (b, keys[i]);
    if (!v || strcmp (v, es_safetensors_get_metadata (a, keys[i])) != 0 || !keys_b[i])
      abort ();
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  GError *error = NULL;
  EsSafetensors *st = es_safetensors_load_data (data, size, &error);
  EsSafetensorsWriter *writer;
  EsSafetensors *copy;
  GBytes *bytes;

  if (!st) {
    /* A failure must always say why, in our domain. */
    if (!error || error->domain != ES_SAFETENSORS_ERROR || !error->message[0])
      abort ();
    g_error_free (error);
    return 0;
  }

  writer = es_safetensors_writer_new ();
  for (size_t i = 0; i < es_safetensors_get_n_tensors (st); i++) {
    const EsSafetensorsTensor *t = es_safetensors_get_tensor (st, i);
    /* Conversion reads exactly the tensor's bytes. */
    if (t->numel <= (1u << 20)) {
      float *out = g_new (float, t->numel ? t->numel : 1);
      if (!es_safetensors_read_f32 (st, t->name, t->ndim, t->shape, out, &error))
        g_clear_error (&error);
      g_free (out);
    }
    if (!es_safetensors_writer_add (writer, t->name, t->dtype, t->ndim, t->shape, t->data,
            &error))
      abort ();
  }
  for (const char *const *k = es_safetensors_get_metadata_keys (st); *k; k++)
    es_safetensors_writer_set_metadata (writer, *k, es_safetensors_get_metadata (st, *k));
  bytes = es_safetensors_writer_to_bytes (writer);
  copy = es_safetensors_load_bytes (bytes, &error);
  if (!copy)
    abort ();
  check_same (st, copy);
  es_safetensors_free (copy);
  g_bytes_unref (bytes);
  es_safetensors_writer_free (writer);

#ifdef ES_FUZZ_MODEL
  {
    EsModel *model = es_model_new_from_safetensors (st, &error);
    if (model)
      es_model_free (model);
    else
      g_error_free (error);
  }
#endif
  es_safetensors_free (st);
  return 0;
}
