/* Decoding audio files for the CLI: any format GStreamer decodes, its first
 * audio stream, converted to mono float32 and resampled to the front-end's
 * rate (filesrc ! decodebin ! audioconvert ! audioresample ! appsink). The
 * library stays free of GStreamer types; commands that need a whole clip in
 * memory (earshot plot, and any trainer or classifier that reads clips) call
 * this and hand the samples to pipeline/ (e.g. es_frontend_process_clip). */
#ifndef ES_CLI_AUDIO_DECODE_H
#define ES_CLI_AUDIO_DECODE_H

#include <glib.h>

G_BEGIN_DECLS

/* Decode `path` to mono float32 samples at `rate` Hz (gst_init must have
 * run). At most max_samples are kept: a longer clip is an error, so memory
 * stays bounded. Returns the samples (g_free; NULL when there are none, then
 * *n_samples is 0 and the call still succeeds) or FALSE with a message that
 * says what is wrong (not a regular file, not decodable, no audio stream, too
 * long). Warnings from the decoder (damaged data it skipped) are counted in
 * *n_warnings when not NULL. */
gboolean es_cli_decode_audio (const char *path, int rate, gsize max_samples,
    float **samples, gsize * n_samples, guint * n_warnings, GError ** error);

G_END_DECLS

#endif
