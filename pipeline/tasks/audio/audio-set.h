/* The audio data kind: labelled clips whose power spectra are computed once
 * and cut into windows of W frames for training and evaluation.
 *
 * Spectra. Each clip (mono float32 at the front-end's rate) goes through
 * pre-emphasis -> framing + window -> FFT power, with the very pipeline/dsp
 * calls and order of es_frontend_process_clip and of the elements
 * `preemphasis ! hammingframe ! gammatonefb` (before its band weighting): frame
 * t is |FFT_n_fft (window * frame)|^2, n_bins = n_fft / 2 + 1 values, n_fft =
 * es_next_pow2 (frame_size). Applying es_gammatone_fb_apply + es_log_compress
 * to a clip's spectra gives es_frontend_process_clip's output bit for bit
 * (tested). The spectra are cached, so epochs never redo an FFT; the network's
 * front-end layers (gammatone, log or pcen, ...) do the rest.
 *
 * Windows. An example is a window of W frames (frame-major, W x n_bins floats),
 * preceded by P warm-up frames when warmup_frames = P > 0 (for a pcen layer;
 * example size (P + W) x n_bins). Warm-up frames before the start of the audio
 * repeat its first frame, which equals a fresh start of the smoother. Evaluation
 * windows lie on a fixed grid: frames 0, hop, 2 hop, ... while the window fits
 * (a tail shorter than a window is not scored, as a streaming windower drops
 * it). Training windows may instead start anywhere (tasks/audio/audio-augment.h).
 *
 * Short clips. A clip with fewer than W frames is padded with digital silence:
 * Z = W - frames hops of zeros before it and zeros after it, so its spectra hold
 * exactly Z + W frames and any placement of the clip inside a window is an
 * exact window of them. Its evaluation window has the clip at the start and
 * silence after (zero power: the log layer's floor); a training window with
 * random crops places it anywhere inside. A clip shorter than one frame is
 * padded the same way (one partial frame of audio).
 *
 * Groups. Every clip has a group: the `group` column of the index, or the clip
 * itself when there is none. All windows of a clip carry its group, so grouped
 * splits and cross-validation keep them on one side. es_audio_set_has_groups ()
 * tells whether real groups were given (a grouped split should insist on it).
 *
 * Memory. The spectra take frames x n_bins x 4 bytes per clip: 100 frames/s and
 * 257 bins (16 kHz, 25 ms frames, 10 ms hop) are 103 kB per second of audio;
 * the 240 five-second clips of esc10 dev take 123 MB. The grid windows of
 * es_audio_set_dataset () are a second copy (times W / hop with overlap), and
 * kept samples (keep_audio) 64 kB per second. The set counts all of it against
 * max_bytes and fails with a clear error rather than exhausting memory.
 *
 * Threads: building a set is for one thread; a finished set is read-only and
 * may be read by many (the augmentation hook does). */
#ifndef ES_TASKS_AUDIO_SET_H
#define ES_TASKS_AUDIO_SET_H

#include <stddef.h>
#include <glib.h>

#include "dsp/frontend.h"
#include "train/dataset.h"
#include "tasks/audio/audio-transform.h"

G_BEGIN_DECLS

#define ES_AUDIO_DEFAULT_WINDOW_FRAMES 100
#define ES_AUDIO_DEFAULT_MAX_CLIP_SECONDS 600.0
#define ES_AUDIO_DEFAULT_MAX_BYTES ((size_t) 2 << 30)   /* 2 GiB */

typedef struct {
  /* The front-end the model serves with. Used: sample_rate, preemphasis,
   * frame_size, hop_size, window (the rest belongs to the network's layers). */
  EsFrontendConfig frontend;
  size_t window_frames;       /* W >= 1; default 100 (1 s at a 10 ms hop) */
  size_t window_hop;          /* frames between evaluation windows; default W / 2 */
  size_t warmup_frames;       /* P; default 0 */
  EsAudioNormalize normalize; /* per-recording normalisation; default none */
  double normalize_db;        /* its target in dBFS; default -20 (rms) */
  double max_clip_seconds;    /* longer clips are an error; default 600 */
  size_t max_bytes;           /* bound on everything the set holds; default 2 GiB */
  gboolean keep_audio;        /* keep each clip's (normalised) samples: needed by the
                               * augmentation pool; default FALSE */
  size_t min_clips_per_class; /* es_audio_set_load: fewer is an error; default 2, 0 = any */
  /* es_audio_set_load: generated background clips added after the files, a
   * class of their own that teaches a live model "nothing here"
   * (es_audio_background: coloured noise, hum, tones, level variation). Each
   * is its own group; names "<label>/generated-K.wav"; the same clips for a
   * given count and length (seeded by K). The label is the last class unless
   * the data has it already. */
  size_t background_clips;    /* default 0 = none */
  double background_seconds;  /* each clip's length; default 5 */
  char background_label[64];  /* their class; default "background" */
} EsAudioConfig;

/* Defaults above; the front-end's from es_frontend_config_init (rate). */
void es_audio_config_init (EsAudioConfig *config, unsigned sample_rate);
/* n_fft / 2 + 1 for the config's frame size. */
size_t es_audio_config_n_bins (const EsAudioConfig *config);

/* Spectra of one clip (or of one augmented variant of it). */
typedef struct {
  float *power;               /* n_frames x n_bins, frame after frame */
  size_t n_frames;            /* >= W */
  size_t origin;              /* frame holding the clip's first frame (> 0 only
                               * for short clips, after their leading silence) */
  size_t audio_frames;        /* frames of the clip itself (may be < W) */
} EsAudioSpectra;

/* Power spectra of n samples as described above, padded to at least
 * min_frames frames (W) if the clip is shorter. The frontend config is used
 * as in EsAudioConfig. Returns FALSE with error on a bad front-end config. */
gboolean es_audio_spectra_compute (const EsFrontendConfig *frontend, const float *samples,
    size_t n, size_t min_frames, EsAudioSpectra *out, GError **error);
void es_audio_spectra_clear (EsAudioSpectra *spectra);

/* Copy the example that starts at frame `start` (0 <= start <= n_frames - W)
 * into out: P warm-up frames then W frames, (P + W) x n_bins floats. Warm-up
 * frames before frame `origin` (windows starting at or after the clip's start)
 * or before frame 0 (windows starting in a short clip's leading silence)
 * repeat that frame. */
void es_audio_spectra_window (const EsAudioSpectra *spectra, size_t n_bins, size_t start,
    size_t window_frames, size_t warmup_frames, float *out);

typedef struct {
  const char *name;           /* as given (the index path, or label/file) */
  int label;                  /* class index */
  int group;                  /* dense group id (a clip without a group has its own) */
  const EsAudioSpectra *spectra;
  const float *samples;       /* the normalised samples if keep_audio, else NULL */
  size_t n_samples;           /* the clip's length in samples (also without keep_audio) */
  gboolean silent;            /* every sample was 0 (normalisation left it alone) */
} EsAudioClip;

typedef struct _EsAudioSet EsAudioSet;

/* @class_names: a fixed class order (NULL-terminated), or NULL for the order of
 * first appearance. Fails on a bad config (front-end, W = 0, ...). */
EsAudioSet *es_audio_set_new (const EsAudioConfig *config, const char *const *class_names,
    GError **error);
void es_audio_set_free (EsAudioSet *set);

/* Add a clip: normalised (config), its spectra computed and cached. @group NULL
 * = the clip is its own group. Errors: a name already in the set, an empty
 * label, a label outside the fixed classes, no samples, a non-finite sample,
 * a clip longer than max_clip_seconds, the memory bound. On error the set is
 * unchanged. */
gboolean es_audio_set_add_clip (EsAudioSet *set, const float *samples, size_t n_samples,
    const char *name, const char *label, const char *group, GError **error);

const EsAudioConfig *es_audio_set_get_config (const EsAudioSet *set);
size_t es_audio_set_get_n_clips (const EsAudioSet *set);
size_t es_audio_set_get_n_bins (const EsAudioSet *set);
/* (P + W) x n_bins: the values of one example. */
size_t es_audio_set_get_example_size (const EsAudioSet *set);
int es_audio_set_get_n_classes (const EsAudioSet *set);
/* NULL-terminated, owned by the set. */
const char *const *es_audio_set_get_class_names (const EsAudioSet *set);
/* TRUE when at least one clip was given a group (else every clip is its own). */
gboolean es_audio_set_has_groups (const EsAudioSet *set);
size_t es_audio_set_get_n_groups (const EsAudioSet *set);
/* Bytes the set holds now (spectra, kept samples). */
size_t es_audio_set_get_bytes (const EsAudioSet *set);
/* Clip i (valid until the set is freed). */
void es_audio_set_get_clip (const EsAudioSet *set, size_t i, EsAudioClip *clip);
/* Evaluation windows of clip i and the start frame (in its spectra) of window j. */
size_t es_audio_set_clip_n_windows (const EsAudioSet *set, size_t i);
size_t es_audio_set_clip_window_start (const EsAudioSet *set, size_t i, size_t j);

/* Every evaluation window of every clip as a data set: one example per window
 * ((P + W) x n_bins floats), the clip's label and group (always set), sample
 * name "NAME@F" (the window starts F frames after the clip's start). Clips
 * in order, windows in time order. Fails if the copy would take the set past
 * max_bytes. */
EsDataset *es_audio_set_dataset (const EsAudioSet *set, GError **error);
/* The clip and window start frame (in the clip's spectra) of an example of
 * such a data set (or of any subset of it), from its sample name; FALSE if the
 * name is not one of the set's. */
gboolean es_audio_set_lookup (const EsAudioSet *set, const char *sample_name, size_t *clip,
    size_t *start);

/* Clip-level decisions from window scores (the file-level decision of
 * `earshot classify`: the mean of its windows' probabilities). @dataset: a
 * data set of windows of this set (e.g. a test fold), @scores: its n x
 * n_classes probabilities. Returns the number of distinct clips m and sets
 * *clip_scores (m x n_classes means), *clip_labels (m) and *clip_index (m,
 * indices into the set), newly allocated, clips in order of first appearance. */
size_t es_audio_set_clip_scores (const EsAudioSet *set, const EsDataset *dataset,
    const float *scores, float **clip_scores, int **clip_labels, size_t **clip_index);

/* Reads one audio file: returns n samples (g_malloc) of mono float32 at
 * sample_rate, or NULL with error. More than max_samples samples is an error
 * (the decoder should stop reading there). launch/audio-decode.h is the
 * GStreamer one the CLI passes; the library never decodes itself. */
typedef float *(*EsAudioDecodeFunc) (const char *path, unsigned sample_rate,
    size_t max_samples, size_t *n_samples, gpointer user_data, GError **error);

/* Load a folder of labelled audio:
 *  - with index.csv (or @path naming a CSV file): columns `path` (relative to
 *    the index's folder), the label column (options->label_column, default
 *    "label") and the group column(s) (options->group_columns; NULL = "group"
 *    when the index has that column, else none). options->filter_*,
 *    max_rows and class_names work as for the other kinds (train/dataset.h).
 *  - without an index: every sub-folder is a label and every regular file in it
 *    (names not starting with '.') a clip of that label; files elsewhere are
 *    ignored; labels in sorted order unless options->class_names fixes it;
 *    no groups (each clip its own).
 * Names are the index paths (or label/file). Errors name the file: a missing
 * folder, index or file, a file the decoder cannot read (not audio, truncated,
 * too long), an empty label folder, a class with fewer than
 * config->min_clips_per_class clips, the memory bound. An all-zero clip is
 * loaded (it is a valid example of silence; normalisation leaves it alone).
 * @progress (may be NULL) is called after each clip. */
typedef void (*EsAudioLoadProgress) (size_t done, size_t total, const char *name,
    gpointer user_data);
EsAudioSet *es_audio_set_load (const char *path, const EsAudioConfig *config,
    const EsDatasetOptions *options, EsAudioDecodeFunc decode, gpointer decode_data,
    EsAudioLoadProgress progress, gpointer progress_data, GError **error);

G_END_DECLS

#endif
