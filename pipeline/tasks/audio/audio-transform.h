/* Waveform transforms for audio training data: level (RMS, peak,
 * normalisation, gain), resampling (libsoxr), time stretch that keeps
 * the pitch (WSOLA), pitch shift that keeps the duration (resample + WSOLA back
 * to the original length), and white or pink noise at a given SNR.
 * Resampling is libsoxr's (Debian libsoxr0): fast enough to build a pool of
 * variants of a whole data set in seconds, and at SOXR_HQ (20-bit, flat to 91 %
 * of the band) far above what a power spectrum for a classifier can tell.
 *
 * Samples are mono float32. Functions that return arrays return newly
 * allocated memory (g_free). Everything random draws from the EsRng it is
 * given, so results are deterministic for a seed. Every function is reentrant. */
#ifndef ES_TASKS_AUDIO_TRANSFORM_H
#define ES_TASKS_AUDIO_TRANSFORM_H

#include <stddef.h>
#include <glib.h>

#include "nn/rng.h"

G_BEGIN_DECLS

/* Per-recording normalisation, applied to a whole clip before framing. */
typedef enum {
  ES_AUDIO_NORMALIZE_NONE = 0,
  ES_AUDIO_NORMALIZE_RMS = 1,     /* scale so the clip's RMS is the target (dBFS) */
  ES_AUDIO_NORMALIZE_PEAK = 2,    /* scale so the clip's largest |sample| is the target */
} EsAudioNormalize;

typedef enum {
  ES_AUDIO_NOISE_WHITE = 0,       /* flat power spectrum */
  ES_AUDIO_NOISE_PINK = 1,        /* power falling 3 dB per octave (1/f) */
} EsAudioNoiseColour;

/* Names as in recipes ("none", "rms", "peak"; "white", "pink"); FALSE if unknown. */
const char *es_audio_normalize_name (EsAudioNormalize mode);
gboolean es_audio_normalize_from_name (const char *name, EsAudioNormalize *mode);
const char *es_audio_noise_colour_name (EsAudioNoiseColour colour);
gboolean es_audio_noise_colour_from_name (const char *name, EsAudioNoiseColour *colour);

/* sqrt (mean (x^2)) and max |x|, summed in double; 0 for n == 0. */
double es_audio_rms (const float *x, size_t n);
double es_audio_peak (const float *x, size_t n);
/* x *= 10^(gain_db / 20). */
void es_audio_gain_db (float *x, size_t n, double gain_db);
/* Scale x so its RMS or peak is target_db dBFS (1.0 = 0 dBFS). A silent clip
 * (RMS or peak 0) cannot be scaled: it is left as it is and FALSE returned;
 * NONE leaves x alone and returns TRUE. */
gboolean es_audio_normalize (float *x, size_t n, EsAudioNormalize mode, double target_db);

/* Band-limited resampling by `ratio` = output rate / input rate (libsoxr,
 * SOXR_HQ, one thread). The output has round (n * ratio) samples, aligned in
 * time with the input (the resampler is flushed; a missing last sample is 0).
 * Fails on a ratio outside 1/256 .. 256. */
float *es_audio_resample (const float *x, size_t n, double ratio, size_t *n_out,
    GError **error);

/* Time-scale modification that keeps the pitch: WSOLA (Verhelst & Roelands
 * 1993). Frames of 32 ms with a raised-cosine window are overlap-added every
 * 16 ms of output; each is taken from near its nominal input position (output
 * time x n / n_out), shifted by up to 8 ms to the position whose waveform best
 * continues the previous frame (cross-correlation over the 16 ms overlap, a
 * coarse search in steps of 4 samples then a fine one around the best), so
 * periodic sounds keep their period. Returns
 * exactly n_out samples (the duration factor is n_out / n). Inputs shorter than
 * two frames are resampled instead (their pitch then changes with the speed). */
float *es_audio_time_stretch (const float *x, size_t n, size_t n_out, unsigned sample_rate,
    GError **error);

/* Pitch shift by `semitones` keeping the duration: resampled by
 * 2^(-semitones/12) (a shorter clip one whose frequencies are 2^(semitones/12)
 * higher when played at the same rate), then WSOLA-stretched back to
 * `n_out` samples (n_out = n keeps the duration; any other value also
 * stretches, in the same single WSOLA pass). */
float *es_audio_pitch_shift (const float *x, size_t n, double semitones, size_t n_out,
    unsigned sample_rate, GError **error);

/* n samples of unit-variance noise (Gaussian white, or that white noise through
 * Paul Kellet's pink filter, normalised to unit variance over the n samples). */
void es_audio_noise (float *out, size_t n, EsAudioNoiseColour colour, EsRng *rng);

/* Add noise so that 10 log10 (sum x^2 / sum noise^2) = snr_db exactly (up to
 * float rounding). A silent clip has no SNR: it is left alone and FALSE is
 * returned. */
gboolean es_audio_add_noise (float *x, size_t n, double snr_db, EsAudioNoiseColour colour,
    EsRng *rng);

/* n samples of generated background ("nothing here"), for a model's
 * background class (tasks/audio/audio-set.h, background_clips), every part
 * drawn from rng:
 *   - coloured noise: white, pink (Kellet) and brown (leaky integral of white)
 *     noise, each of unit variance, mixed with weights log-uniform in
 *     [0.05, 1] (a random spectral tilt), then with probability 1/2 a one-pole
 *     low-pass at 300-6000 Hz (log-uniform; muffled rooms, fans);
 *   - with probability 1/2 mains hum: 50 or 60 Hz and 1-5 harmonics with
 *     random phases and amplitudes falling 3-12 dB per harmonic, the whole
 *     hum 6-30 dB below the noise;
 *   - with probability 1/3 a slowly wandering tone (100-4000 Hz, a few % of
 *     drift, 10-30 dB below the noise: whines, engines);
 *   - level variation: a gain in dB, piecewise linear between points 0.3-3 s
 *     apart drawn uniformly in +-depth, depth uniform in 0-12 dB;
 *   - an overall level uniform in -60..-20 dBFS RMS (before any per-recording
 *     normalisation of the set).
 * The mix is kept inside (-1, 1). */
void es_audio_background (float *out, size_t n, unsigned sample_rate, EsRng *rng);

/* A standard normal draw (Box-Muller) and a Beta (a, b) draw (two Gamma draws,
 * Marsaglia-Tsang), for noise and mixup weights. a, b > 0. */
double es_audio_rng_gaussian (EsRng *rng);
double es_audio_rng_beta (EsRng *rng, double a, double b);

G_END_DECLS

#endif
