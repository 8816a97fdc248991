/* PNG files through libpng: 8-bit grey and RGB images, read and write.
 * Writers go through a temporary file renamed on success, so an existing file
 * is never left half-written. */
#ifndef ES_IO_PNG_H
#define ES_IO_PNG_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "io-error.h"

G_BEGIN_DECLS

typedef struct {
  unsigned width, height;
  unsigned channels;     /* 1 = grey, 3 = RGB */
  size_t stride;         /* bytes per row */
  uint8_t *pixels;       /* height * stride bytes */
} EsImage;

EsImage *es_image_new (unsigned width, unsigned height, unsigned channels);  /* zeroed */
void es_image_free (EsImage *image);

/* Write an image (1 or 3 channels) as PNG. */
gboolean es_png_write (const char *path, const EsImage *image, GError **error);
/* Read any PNG, converted to 8-bit grey (channels = 1) or RGB (channels = 3)
 * as asked; alpha is composited on white. */
EsImage *es_png_read (const char *path, unsigned channels, GError **error);

G_END_DECLS

#endif
