/* Image resampling to a model's input size. Box (area-averaging) filtering:
 * every output pixel is the exact mean of the source area it covers, so a thin
 * curve keeps its ink whatever the source size. The 2D trainer and
 * cnnclassify both call this, so a model sees the same pixels in training and
 * in use. */
#ifndef ES_IO_RESIZE_H
#define ES_IO_RESIZE_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

G_BEGIN_DECLS

/* Resample an 8-bit grey image (src_w x src_h, rows src_stride bytes apart)
 * to dst_w x dst_h floats in [0, 1] (value / 255). All sizes >= 1. */
void es_resize_gray8_to_float (const uint8_t * src, unsigned src_w, unsigned src_h,
    size_t src_stride, float *dst, unsigned dst_w, unsigned dst_h);

/* The same area averaging for a float image (rows src_stride floats apart),
 * e.g. the levels of a spectrogram (io/spectrogram-image). All sizes >= 1. */
void es_resize_float (const float * src, unsigned src_w, unsigned src_h,
    size_t src_stride, float *dst, unsigned dst_w, unsigned dst_h);

G_END_DECLS

#endif
