/* PNG files through libpng: 8-bit grey and RGB images, read and write.
 *
 * Writing goes through io/output: a temporary file beside the target renamed
 * over it only once libpng has finished (a reader never sees a half-written
 * PNG, an existing file survives a failed write), or a device written in place.
 *
 * Reading accepts every PNG colour type and bit depth: palettes are expanded,
 * 1/2/4-bit grey is scaled to 8 bits, 16-bit samples are reduced to 8 bits,
 * alpha (and tRNS transparency) is composited on a white background, and the
 * result is converted to the number of channels the caller asked for
 * (RGB → grey uses libpng's Rec. 709 weights). */
#include "io/png.h"
#include "io/output.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>
#include <png.h>

EsImage *
es_image_new (unsigned width, unsigned height, unsigned channels)
{
  EsImage *image;

  g_return_val_if_fail (width > 0 && height > 0, NULL);
  g_return_val_if_fail (channels == 1 || channels == 3, NULL);

  image = g_new0 (EsImage, 1);
  image->width = width;
  image->height = height;
  image->channels = channels;
  image->stride = (size_t) width * channels;
  image->pixels = g_malloc0_n (height, image->stride);
  return image;
}

void
es_image_free (EsImage * image)
{
  if (image == NULL)
    return;
  g_free (image->pixels);
  g_free (image);
}

/* libpng reports errors through a callback that must not return; we keep the
 * message for the GError and longjmp back to the caller's setjmp. */
typedef struct {
  char message[256];
} EsPngErrorState;

static void
es_png_error_fn (png_structp png, png_const_charp msg)
{
  EsPngErrorState *state = png_get_error_ptr (png);
  g_strlcpy (state->message, msg, sizeof state->message);
  png_longjmp (png, 1);
}

static void
es_png_warning_fn (png_structp png, png_const_charp msg)
{
  /* Warnings (e.g. a bad iCCP chunk) do not stop decoding; they are not ours
   * to print from a library. */
}

gboolean
es_png_write (const char *path, const EsImage * image, GError ** error)
{
  EsPngErrorState state = { "" };
  png_structp png = NULL;
  png_infop info = NULL;
  EsOutput *volatile out;
  volatile gboolean ok = FALSE;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (image != NULL && image->pixels != NULL, FALSE);
  g_return_val_if_fail (image->channels == 1 || image->channels == 3, FALSE);
  g_return_val_if_fail (image->stride >= (size_t) image->width * image->channels, FALSE);

  /* a temporary file renamed on success, or a device written in place */
  if ((out = es_output_open (path, error)) == NULL)
    return FALSE;
  png = png_create_write_struct (PNG_LIBPNG_VER_STRING, &state,
      es_png_error_fn, es_png_warning_fn);
  if (png)
    info = png_create_info_struct (png);
  if (png == NULL || info == NULL) {
    g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_OPEN, "%s: out of memory in libpng", path);
    goto out;
  }
  if (setjmp (png_jmpbuf (png))) {
    /* a failed write (disk full, file-size limit) is told with its reason */
    if (!es_output_failed (out))
      g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_OPEN, "%s: cannot write PNG: %s",
          path, state.message);
    goto out;
  }

  png_init_io (png, es_output_stream (out));
  png_set_IHDR (png, info, image->width, image->height, 8,
      image->channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB,
      PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info (png, info);
  for (unsigned y = 0; y < image->height; y++)
    png_write_row (png, image->pixels + (size_t) y * image->stride);
  png_write_end (png, info);
  ok = TRUE;

out:
  if (png)
    png_destroy_write_struct (&png, info ? &info : NULL);
  /* commit flushes: a full disk shows up there, not in libpng */
  if (ok || es_output_failed (out))
    return es_output_commit (out, error) && ok;
  es_output_abort (out);
  return FALSE;
}

/* Alpha composited on white: the graphs we read are drawn on white, so a
 * transparent background must read as paper, not as ink. */
static inline unsigned
over_white (unsigned value, unsigned alpha)
{
  return (value * alpha + 255u * (255u - alpha) + 127u) / 255u;
}

/* One decoded row (1 = grey, 2 = grey+alpha, 3 = RGB, 4 = RGBA) to grey or RGB.
 * RGB to grey uses the Rec. 709 luma weights (as libpng's own conversion). */
static void
convert_row (const uint8_t * in, unsigned in_channels, uint8_t * out,
    unsigned out_channels, unsigned width)
{
  for (unsigned x = 0; x < width; x++, in += in_channels, out += out_channels) {
    unsigned r, g, b;

    switch (in_channels) {
      case 1:
        r = g = b = in[0];
        break;
      case 2:
        r = g = b = over_white (in[0], in[1]);
        break;
      case 3:
        r = in[0], g = in[1], b = in[2];
        break;
      default:
        r = over_white (in[0], in[3]);
        g = over_white (in[1], in[3]);
        b = over_white (in[2], in[3]);
        break;
    }
    if (out_channels == 3) {
      out[0] = r, out[1] = g, out[2] = b;
    } else if (in_channels <= 2) {
      out[0] = r;
    } else {
      out[0] = (uint8_t) ((2126u * r + 7152u * g + 722u * b + 5000u) / 10000u);
    }
  }
}

EsImage *
es_png_read (const char *path, unsigned channels, GError ** error)
{
  EsPngErrorState state = { "" };
  png_structp png = NULL;
  png_infop info = NULL;
  FILE *fp;
  png_bytep volatile decoded = NULL;
  png_bytep *volatile rows = NULL;
  EsImage *image;
  unsigned char signature[8];
  png_uint_32 width, height;
  int bit_depth, color_type;
  unsigned decoded_channels;
  size_t decoded_stride;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (channels == 1 || channels == 3, NULL);

  fp = g_fopen (path, "rb");
  if (fp == NULL) {
    int saved = errno;
    g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_OPEN, "%s: %s", path, g_strerror (saved));
    return NULL;
  }
  if (fread (signature, 1, sizeof signature, fp) != sizeof signature
      || png_sig_cmp (signature, 0, sizeof signature) != 0) {
    g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_FORMAT, "%s: not a PNG file", path);
    fclose (fp);
    return NULL;
  }

  png = png_create_read_struct (PNG_LIBPNG_VER_STRING, &state,
      es_png_error_fn, es_png_warning_fn);
  if (png)
    info = png_create_info_struct (png);
  if (png == NULL || info == NULL) {
    g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_OPEN, "%s: out of memory in libpng", path);
    goto fail;
  }
  if (setjmp (png_jmpbuf (png))) {
    g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_FORMAT, "%s: bad PNG: %s", path, state.message);
    goto fail;
  }

  png_init_io (png, fp);
  png_set_sig_bytes (png, sizeof signature);
  /* Refuse absurd dimensions before allocating: a corrupt header must not
   * make us ask for gigabytes. */
  png_set_user_limits (png, 1 << 15, 1 << 15);
  png_read_info (png, info);
  png_get_IHDR (png, info, &width, &height, &bit_depth, &color_type, NULL, NULL, NULL);

  /* Everything to 8-bit grey, grey+alpha, RGB or RGBA; the conversion to what
   * the caller asked for happens in convert_row. */
  if (color_type == PNG_COLOR_TYPE_PALETTE)
    png_set_palette_to_rgb (png);
  if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8)
    png_set_expand_gray_1_2_4_to_8 (png);
  if (png_get_valid (png, info, PNG_INFO_tRNS))
    png_set_tRNS_to_alpha (png);
  if (bit_depth == 16)
    png_set_strip_16 (png);
  png_set_interlace_handling (png);
  png_read_update_info (png, info);

  decoded_channels = png_get_channels (png, info);
  if (png_get_bit_depth (png, info) != 8 || decoded_channels < 1 || decoded_channels > 4) {
    g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_FORMAT,
        "%s: unsupported PNG layout (%u channels of %u bits after expansion)", path,
        decoded_channels, (unsigned) png_get_bit_depth (png, info));
    goto fail;
  }
  decoded_stride = png_get_rowbytes (png, info);
  /* up to 32768 x 32768 x 4 bytes from the header: asked for, not assumed */
  decoded = g_try_malloc_n (height, decoded_stride);
  rows = g_try_new (png_bytep, height);
  if (decoded == NULL || rows == NULL) {
    g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_TOO_LARGE,
        "%s: out of memory for a %u x %u image", path, (unsigned) width, (unsigned) height);
    goto fail;
  }
  for (png_uint_32 y = 0; y < height; y++)
    rows[y] = decoded + (size_t) y * decoded_stride;
  png_read_image (png, rows);
  png_read_end (png, NULL);

  png_destroy_read_struct (&png, &info, NULL);
  fclose (fp);

  image = g_new0 (EsImage, 1);
  image->width = width;
  image->height = height;
  image->channels = channels;
  image->stride = (size_t) width * channels;
  image->pixels = g_try_malloc_n (height, image->stride);
  if (image->pixels == NULL) {
    g_set_error (error, ES_IO_ERROR, ES_IO_ERROR_TOO_LARGE,
        "%s: out of memory for a %u x %u image", path, (unsigned) width, (unsigned) height);
    g_free (image);
    g_free (rows);
    g_free (decoded);
    return NULL;
  }
  for (png_uint_32 y = 0; y < height; y++)
    convert_row (rows[y], decoded_channels, image->pixels + (size_t) y * image->stride,
        channels, width);
  g_free (rows);
  g_free (decoded);
  return image;

fail:
  g_free (rows);
  g_free (decoded);
  if (png)
    png_destroy_read_struct (&png, info ? &info : NULL, NULL);
  fclose (fp);
  return NULL;
}
