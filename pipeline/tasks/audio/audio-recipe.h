/* Recipe keys of the audio data kind and its augmentation, read from a
 * GKeyFile group, every value range-checked (an error names the file, group
 * and key). The trainer's recipe reader owns the file and the common keys
 * (path, label, group, labels, filter, max_rows); it hands the audio groups to
 * these functions and asks es_audio_recipe_is_key () before calling a key
 * unknown.
 *
 *   [data]
 *   kind = audio
 *   rate = 16000            # front-end rate (Hz); clips are decoded and resampled to it
 *   preemphasis = 0.97      # the front-end the model serves with
 *   frame_size = 400        # samples
 *   hop_size = 160          # samples
 *   window = hamming        # hamming, hann, rectangular
 *   window_frames = 100     # W: frames per example
 *   window_hop = 50         # frames between evaluation windows (default W / 2)
 *   warmup_frames = 0       # P: leading frames for a pcen layer's smoother
 *   normalize = none        # none, rms or peak: per-recording level before framing
 *   normalize_db = -20      # its target, dBFS
 *   max_clip_seconds = 600  # longer files are an error
 *   max_memory_mb = 2048    # bound on spectra + pool + windows
 *   background_clips = 0    # generated background clips, a class of their own
 *   background_seconds = 5  # each one's length
 *   background_label = background  # their class (also the class the
 *                           # augmentation mixes in, and the model's background label)
 *
 *   [augment]               # training windows only (tasks/audio/audio-augment.h)
 *   crop = random           # random or grid
 *   gain_db = 6             # +- dB, on the power spectra (exact)
 *   pool = 4                # waveform variants per clip, built once (0 = none)
 *   pool_probability = 0.75 # share of draws taken from the pool
 *   pitch_semitones = 2     # +- semitones (0 = off)
 *   pitch_probability = 0.5 # per variant
 *   stretch = 0.8;1.25      # duration factors (1;1 = off)
 *   stretch_probability = 0.5
 *   noise_snr_db = 10;40    # SNR range, dB
 *   noise = white           # white or pink
 *   noise_probability = 0.5 # per variant (0 = off)
 *   mixup_alpha = 0         # Beta (alpha, alpha); 0 = off; needs soft targets
 *   mixup_probability = 1
 *   mixup = between-class   # between-class or any
 *   time_masks = 0          # SpecAugment time masks per example
 *   time_mask_frames = 10   # their largest width
 *   freq_masks = 0          # frequency masks per example
 *   freq_mask_fraction = 0.1  # their largest width, share of the mel scale
 *   mask_fill = mean        # mean or zero
 *   pool_seed = 1           # the pool's seed (default: the recipe's seed)
 *   crop_active_frames = false  # random crops hold an active frame of the sound
 *   active_db = 30          # active: frame energy within this of the loudest frame
 *   background_probability = 0  # share of sound windows mixed with background
 *   background_snr_db = 0;20    # their SNR (sound's active frames : background)
 */
#ifndef ES_TASKS_AUDIO_RECIPE_H
#define ES_TASKS_AUDIO_RECIPE_H

#include <glib.h>

#include "tasks/audio/audio-set.h"
#include "tasks/audio/audio-augment.h"

G_BEGIN_DECLS

/* The audio keys of each group, NULL-terminated. */
const char *const *es_audio_recipe_data_keys (void);
const char *const *es_audio_recipe_augment_keys (void);
/* TRUE if key is one of the audio keys of that group ("data" or "augment"
 * lists; group_kind is one of those two words). */
gboolean es_audio_recipe_is_key (const char *group_kind, const char *key);

/* Fill config (starting from es_audio_config_init (rate)) from the audio keys
 * of `group`; keys not present keep their defaults. @file names the recipe in
 * messages. */
gboolean es_audio_recipe_read_data (GKeyFile *kf, const char *file, const char *group,
    EsAudioConfig *config, GError **error);
/* Fill config (starting from es_audio_augment_config_init) from the audio keys
 * of `group` (absent: defaults); pool_seed defaults to @seed. */
gboolean es_audio_recipe_read_augment (GKeyFile *kf, const char *file, const char *group,
    guint64 seed, EsAudioAugmentConfig *config, GError **error);

G_END_DECLS

#endif
