/* Augmentation of audio training windows (training batches only; validation
 * and test windows are never touched).
 *
 * Two stages, so that no epoch computes an FFT:
 *
 * 1. A pool, built once by es_audio_augment_new: for every clip of the set,
 *    pool_size variants of its (normalised) waveform, each with a pitch shift
 *    (uniform in +-pitch_semitones; libsoxr + WSOLA, keeps the duration),
 *    a time stretch (duration factor log-uniform in [stretch_min, stretch_max];
 *    WSOLA, keeps the pitch) and noise at an SNR uniform in [noise_snr_min,
 *    noise_snr_max] dB (white or pink), each applied with its own probability,
 *    normalised again like the clip, and turned into power spectra by the
 *    set's own code. Seeded by pool_seed and the clip's index: the same
 *    variants whatever order or subset trains on them.
 *    Memory: pool_size times the set's spectra (more with stretch > 1): 4
 *    variants of esc10 dev are about 0.5 GB; counted against the set's
 *    max_bytes. Time: see docs/audio-training.md (measured with bench/audio-data).
 *
 * 2. Per drawn example (es_audio_augment_batch, the trainer's EsAugmentFunc),
 *    on the cached spectra:
 *    - source: a pool variant with probability pool_probability, else the clip;
 *    - crop: with random_crop the window starts at a uniformly random frame of
 *      the source (a short clip lands at a random place inside its window, the
 *      rest silence), else at its grid position. With crop_active_frames (and
 *      random_crop) it is drawn around an active frame instead: a frame whose
 *      energy (sum of its bins' power) is within active_db of the source's
 *      loudest is drawn uniformly, then the window start uniformly among those
 *      whose window holds it, so a window much shorter than the clip hears the
 *      sound rather than the silence around it (ESC clips are a sound padded
 *      to 5 s). Windows of the background class and sources without an
 *      active frame (all silence) crop at random;
 *    - background: with probability background_probability a window that is
 *      not of the background class is mixed with a window (at a random
 *      place) of a random background-class clip, at an SNR uniform in
 *      [background_snr_min, background_snr_max] dB: the background window's
 *      power is scaled to the source's mean active-frame power / 10^(SNR/10)
 *      and added (powers of independent sounds add, in expectation). The
 *      background class is the set's background_label (generated clips or
 *      clips labelled so); the label stays the sound's. This is the live
 *      case: sounds in a room's noise, often barely above it;
 *    - gain: uniform in +-gain_db dB. Exact on power spectra: every stage up to
 *      the FFT is linear, so a gain g on the waveform is g^2 on the power;
 *    - filter (FilterAugment, Nam et al. 2022): with probability
 *      filter_probability the window's bins are multiplied by a random smooth
 *      curve (es_audio_filter_draw): 2 to filter_bands bands with edges drawn
 *      on the mel scale, a gain uniform in +-filter_db dB at each edge, the
 *      dB interpolated linearly (in mel) in between; the same curve for every
 *      frame. Another microphone, room or voice colours a sound like this,
 *      and the recordings of one speaker or one session share theirs;
 *    - mixup: with probability mixup_probability the window is mixed with
 *      another example of the batch (one of another class when
 *      mixup_between_classes, as between-class learning does; none in the batch:
 *      not mixed): x = lam x_a + (1 - lam) x_b with lam ~ Beta (alpha, alpha)
 *      (alpha = 1: uniform, as BC learning), target lam e_a + (1 - lam) e_b, label
 *      the larger part. Mixed on power spectra: the power spectrum of two
 *      independent sounds played together is, in expectation, the sum of theirs,
 *      so this is mixing sounds with weights lam and 1 - lam on their energy,
 *      without an FFT per epoch. Needs soft targets (the trainer's soft_targets,
 *      which hands the hook a target array): without them no example is mixed;
 *    - masks (SpecAugment): time_masks masks of 0..time_mask_frames frames and
 *      freq_masks masks whose width is up to freq_mask_fraction of the mel scale
 *      from 0 Hz to rate/2, at uniform positions. Masks act on the power-spectrum
 *      bins, before the network's filterbank: a band-level mask would have to live
 *      in the network's gammatone layer; bin masks with edges drawn on the mel
 *      scale cover about the same number of (mel-initialised) bands wherever they
 *      fall, and also stay meaningful as the learnable bands move. A mask
 *      replaces the masked values by their mean along the masked axis
 *      (mask_fill mean: a time mask flattens each bin to its mean over the masked
 *      frames, a frequency mask flattens each frame to its mean over the masked
 *      bins), which hides the detail without creating silence that a log would
 *      turn into a cliff; mask_fill zero sets them to 0 (silence). Time masks
 *      cover the W window frames, frequency masks the warm-up frames too.
 * Everything draws from the trainer's generator, so a seed gives the same run;
 * the hook keeps no state between calls and is reentrant (cross-validation
 * folds may run it at once). */
#ifndef ES_TASKS_AUDIO_AUGMENT_H
#define ES_TASKS_AUDIO_AUGMENT_H

#include <stddef.h>
#include <glib.h>

#include "nn/rng.h"
#include "train/dataset.h"
#include "tasks/audio/audio-set.h"
#include "tasks/audio/audio-transform.h"

G_BEGIN_DECLS

typedef enum {
  ES_AUDIO_MASK_FILL_MEAN = 0,
  ES_AUDIO_MASK_FILL_ZERO = 1,
} EsAudioMaskFill;

const char *es_audio_mask_fill_name (EsAudioMaskFill fill);
gboolean es_audio_mask_fill_from_name (const char *name, EsAudioMaskFill *fill);

typedef struct {
  /* per drawn example */
  gboolean random_crop;         /* default TRUE */
  double gain_db;               /* +-; 0 = off; default 0 */
  double mixup_alpha;           /* Beta (alpha, alpha); 0 = off; default 0 */
  double mixup_probability;     /* default 1 */
  gboolean mixup_between_classes; /* default TRUE */
  unsigned time_masks;          /* default 0 */
  size_t time_mask_frames;      /* largest width; default 10 */
  unsigned freq_masks;          /* default 0 */
  double freq_mask_fraction;    /* largest width, share of the mel scale; default 0.1 */
  EsAudioMaskFill mask_fill;    /* default mean */
  double filter_db;             /* +- at each band edge; 0 = off; default 0 */
  unsigned filter_bands;        /* most bands of a curve (2 .. 16); default 4 */
  double filter_probability;    /* default 0.5 */
  /* the pool */
  unsigned pool_size;           /* variants per clip; 0 = no pool; default 0 */
  double pool_probability;      /* share of draws from the pool; default 0.75 */
  double pitch_semitones;       /* +-; 0 = off; default 2 */
  double pitch_probability;     /* per variant; default 0.5 */
  double stretch_min, stretch_max; /* duration factors; 1, 1 = off; default 0.8, 1.25 */
  double stretch_probability;   /* default 0.5 */
  double noise_snr_min, noise_snr_max; /* dB; default 10, 40 */
  double noise_probability;     /* default 0.5; 0 = off */
  EsAudioNoiseColour noise_colour; /* default white */
  guint64 pool_seed;            /* default 1 */
  /* live models: where the window is and what is around the sound */
  gboolean crop_active_frames;  /* random crops hold an active frame; default FALSE */
  double active_db;             /* active: frame energy within active_db of the source's
                                 * loudest frame; default 30 */
  double background_probability; /* share of (non-background) windows mixed with a
                                 * background window; default 0 = off */
  double background_snr_min, background_snr_max; /* dB; default 0, 20 */
} EsAudioAugmentConfig;

void es_audio_augment_config_init (EsAudioAugmentConfig *config);

typedef struct _EsAudioAugment EsAudioAugment;

/* Builds the pool (if pool_size > 0; needs a set made with keep_audio) for every
 * clip of @set, which must outlive the result. Fails on a bad setting or when
 * the pool would take the set past its max_bytes. @progress (may be NULL) is
 * called after each clip. */
EsAudioAugment *es_audio_augment_new (const EsAudioSet *set, const EsAudioAugmentConfig *config,
    EsAudioLoadProgress progress, gpointer progress_data, GError **error);
void es_audio_augment_free (EsAudioAugment *augment);
/* Bytes of the pool. */
size_t es_audio_augment_get_bytes (const EsAudioAugment *augment);
/* Variant v (0 .. pool_size - 1) of clip i; NULL without a pool. */
const EsAudioSpectra *es_audio_augment_get_variant (const EsAudioAugment *augment, size_t clip,
    size_t v);

#define ES_AUDIO_FILTER_MAX_BANDS 16

/* Draws one random filter curve (see filter above) for @n_bins (>= 2) power
 * bins from 0 Hz to @sample_rate / 2 into @gain (power factors, n_bins
 * floats); @max_bands is clamped to [2, ES_AUDIO_FILTER_MAX_BANDS]. */
void es_audio_filter_draw (EsRng *rng, double sample_rate, size_t n_bins, unsigned max_bands,
    double max_db, float *gain);

/* The trainer's augmentation hook (EsAugmentFunc; user data: the
 * EsAudioAugment). @train must be a data set of es_audio_set_dataset () of the
 * augment's set or a subset of one (examples are found by their sample names;
 * an unknown name leaves its example as it is). @targets: NULL, or batch x
 * n_classes soft targets to fill (one-hot unless mixed). */
void es_audio_augment_batch (const EsDataset *train, const size_t *indices, size_t batch,
    float *x, int *labels, float *targets, EsRng *rng, gpointer augment);

/* The two mask kinds on one example of W (+ P warm-up) frames, exposed for
 * tests and other callers: frames [start, start + width) of the window part;
 * bins [first_bin, first_bin + n) of every frame. */
void es_audio_mask_time (float *example, size_t n_bins, size_t warmup_frames,
    size_t start, size_t width, EsAudioMaskFill fill);
void es_audio_mask_bins (float *example, size_t n_bins, size_t n_frames, size_t first_bin,
    size_t width, EsAudioMaskFill fill);

G_END_DECLS

#endif
