/* Decoding an audio file for the CLI: any format GStreamer decodes, converted
 * to mono float32 at a given rate, into memory.
 *
 *   filesrc ! decodebin ! audioconvert ! audioresample
 *     ! audio/x-raw,format=F32LE,channels=1,rate=R ! appsink
 *
 * (audioconvert mixes several channels down to mono with equal weights.)
 * Memory is bounded: decoding stops with an error once the file gives more
 * than max_samples samples (ES_AUDIO_DECODE_DEFAULT_MAX_SECONDS at the rate
 * unless the caller says otherwise). Errors (ES_AUDIO_DECODE_ERROR) say what
 * is wrong: a missing or unreadable file, a path that is not a regular file
 * (folder, FIFO, device), a file that is not audio or holds no audio stream,
 * a RIFF/WAVE file shorter than its header says (truncated), no samples at all,
 * a non-finite sample, a decoder error.
 *
 * This is the loader callback the library's audio data kind calls
 * (EsAudioDecodeFunc in pipeline/tasks/audio/audio-set.h); the library itself
 * never sees a GStreamer type. gst_init must have been called. */
#ifndef ES_LAUNCH_AUDIO_DECODE_H
#define ES_LAUNCH_AUDIO_DECODE_H

#include <stddef.h>
#include <glib.h>

G_BEGIN_DECLS

#define ES_AUDIO_DECODE_DEFAULT_MAX_SECONDS 600

#define ES_AUDIO_DECODE_ERROR (es_audio_decode_error_quark ())
GQuark es_audio_decode_error_quark (void);

typedef enum {
  ES_AUDIO_DECODE_ERROR_MISSING,      /* no such file, or it cannot be opened */
  ES_AUDIO_DECODE_ERROR_NOT_FILE,     /* a folder, FIFO, device... */
  ES_AUDIO_DECODE_ERROR_NOT_AUDIO,    /* unknown type, or no audio stream in it */
  ES_AUDIO_DECODE_ERROR_TRUNCATED,    /* shorter than its header says */
  ES_AUDIO_DECODE_ERROR_TOO_LONG,     /* more than max_samples */
  ES_AUDIO_DECODE_ERROR_EMPTY,        /* an audio stream without samples */
  ES_AUDIO_DECODE_ERROR_BAD_SAMPLES,  /* NaN or infinite samples */
  ES_AUDIO_DECODE_ERROR_FAILED,       /* any other GStreamer error */
} EsAudioDecodeError;

/* Decode @path to mono float32 at @sample_rate Hz. Returns *n_samples samples
 * (g_free) or NULL with @error set. @max_samples 0 = the default maximum. */
float *es_audio_decode_file (const char *path, unsigned sample_rate, size_t max_samples,
    size_t *n_samples, GError **error);

/* The same with the signature of EsAudioDecodeFunc (user_data unused). */
float *es_audio_decode_func (const char *path, unsigned sample_rate, size_t max_samples,
    size_t *n_samples, gpointer user_data, GError **error);

G_END_DECLS

#endif
