/* The audio task: labelled recordings classified by a network whose first
 * layers are the front-end (a gammatone filterbank on power spectra, then log
 * or PCEN, optionally a DCT; nn/audio-layers.h). It registers the data kind
 *
 *   [data]
 *   kind = audio
 *   path = ../../shared/data/audio/esc10   # a folder of label/file, a folder
 *                                          # with index.csv, or an index CSV
 *                                          # (path,label,group; paths relative
 *                                          # to the index's folder)
 *   group = group                          # the group column (grouped splits, CV)
 *   rate, preemphasis, frame_size, hop_size, window, window_frames, window_hop,
 *   warmup_frames, normalize, normalize_db, max_clip_seconds, max_memory_mb
 *                                          # tasks/audio/audio-recipe.h
 *   [augment]                              # tasks/audio/audio-augment.h
 *
 * Clips are decoded by the caller's EsDataReadFunc (the CLI: GStreamer,
 * resampled to `rate`), their power spectra cached, and cut into windows of
 * W frames every window_hop frames (tasks/audio/audio-set.h); every window is
 * one example with its clip's label and group. A clip shorter than a window
 * is padded with silence to one window (audio-set.h). A window hop shorter
 * than the window makes overlapping windows of one file: they always share
 * the file's group, so a grouped split never puts a file on two sides.
 *
 * The network must start with a "gammatone" layer whose rate and frame_size
 * are the [data] ones (checked when the recipe is read); its following log /
 * pcen / dct layers make up the model's front-end (frontend_layers), which
 * the model's metadata describes with the band settings of the layer.
 *
 * Decisions on whole files: the windows of one file form one decision unit
 * (EsDataKind.decision_units); the trainer and `earshot eval` report, beside
 * the window figures, file-level figures whose decision is the mean of the
 * file's window probabilities (pipeline/decide, as `earshot classify`). */
#ifndef ES_TASKS_AUDIO_TASK_AUDIO_H
#define ES_TASKS_AUDIO_TASK_AUDIO_H

#include <glib.h>

#include "model/frontend-desc.h"
#include "tasks/audio/audio-augment.h"
#include "tasks/audio/audio-set.h"
#include "train/datakind.h"

G_BEGIN_DECLS

/* A recipe's settings for kind audio (EsRecipe.data_settings). */
typedef struct {
  EsAudioConfig audio;            /* clips, spectra and windows */
  gboolean augment;               /* the recipe has an [augment] group */
  EsAudioAugmentConfig augment_config;
  /* the network's front-end layers, read from its architecture */
  unsigned bands;
  double fmin, fmax, bandwidth;
  EsFrontendCompression compression;
  double log_floor;
  unsigned dct;
  unsigned frontend_layers;
} EsAudioTaskSettings;

/* The kind "audio". */
const EsDataKind *es_task_audio_kind (void);

/* Register it (idempotent). */
void es_task_audio_register (void);

G_END_DECLS

#endif
