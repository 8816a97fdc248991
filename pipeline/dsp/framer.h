/* Streaming framer: cuts a mono sample stream into overlapping windowed frames.
 *
 * Frame k covers input samples [k*hop, k*hop + frame_size) counted from the last
 * reset; only complete frames are produced (a trailing partial frame is never
 * emitted), so the output is identical whatever way the input is split into
 * calls. hop may exceed frame_size (samples between frames are skipped). */
#ifndef ES_DSP_FRAMER_H
#define ES_DSP_FRAMER_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "window.h"

G_BEGIN_DECLS

typedef struct _EsFramer EsFramer;

/* frame_size >= 1, hop_size >= 1. */
EsFramer *es_framer_new (size_t frame_size, size_t hop_size, EsWindowType window);
void es_framer_free (EsFramer *framer);

/* Forget buffered samples and restart frame numbering at 0. */
void es_framer_reset (EsFramer *framer);

size_t es_framer_get_frame_size (const EsFramer *framer);
size_t es_framer_get_hop_size (const EsFramer *framer);
/* The window coefficients, frame_size entries. */
const float *es_framer_get_window (const EsFramer *framer);

/* How many frames a following es_framer_process() with n_in more samples yields. */
size_t es_framer_frames_for (const EsFramer *framer, size_t n_in);

/* Index (since reset) of the next frame to be produced. Its first sample is
 * index * hop_size; callers derive timestamps from it. */
uint64_t es_framer_next_frame_index (const EsFramer *framer);

/* Consume n_in samples and write every frame completed by them, windowed, to
 * out (frame after frame, frame_size floats each; room for
 * es_framer_frames_for (framer, n_in) frames). Returns the number written. */
size_t es_framer_process (EsFramer *framer, const float *in, size_t n_in, float *out);

G_END_DECLS

#endif
