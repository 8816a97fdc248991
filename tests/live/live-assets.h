/* Test assets for live classification: small audio models with a real audio
 * front-end, and WAV files with tones at known times, made from nothing but
 * the library (no trained model, no data).
 *
 * Models (input [16, 50]: 16 gammatone bands x 50 frames = 0.5 s windows):
 *   tiny-live.safetensors     rate 16000: labels quiet, low (300 Hz tone),
 *                             high (2500 Hz tone)
 *   tiny-live-8k.safetensors  the same at rate 8000 (fmax 4000)
 *   tiny-live-2d.safetensors  the same as a one-channel image [1, 16, 50]
 *   tiny-not-audio.safetensors a features model whose front-end is frsrc's
 *   tiny-bad-window, tiny-bad-preemphasis, tiny-wrong-bands: [16, 50] models
 *     whose front-end settings cannot be served (an unknown window, a
 *     pre-emphasis of 5, 64 bands for a 16-band input)
 * The weights are set by hand: the logit of "low" is K times the window's
 * mean log energy in the band where the 300 Hz tone stands out, minus a
 * threshold at 30 % of the way from the noise floor to the tone's level
 * (calibrated here through es_frontend_process_clip, the elements' code), so
 * a window that is at least about 30 % tone says "low"; "high" likewise;
 * "quiet" is 0.
 *
 * Files (16-bit PCM, white noise at amplitude 0.01 throughout):
 *   burst.wav          16 kHz mono, 3.5 s, 300 Hz tone at 0.3 from 1.0 to 2.0 s
 *   burst-44k-stereo.wav the same at 44.1 kHz, two channels
 *   two-tones.wav      16 kHz mono, 4 s: 300 Hz 0.5-1.5 s, 2500 Hz 2.0-3.0 s
 *   quiet.wav          16 kHz mono, 2 s of noise only
 *   long-burst.wav     16 kHz mono, 20 s: 300 Hz from 1.0 s to the end */
#ifndef ES_TEST_LIVE_ASSETS_H
#define ES_TEST_LIVE_ASSETS_H

#include <glib.h>

G_BEGIN_DECLS

#define LIVE_TONE_LOW_HZ 300.0
#define LIVE_TONE_HIGH_HZ 2500.0

/* Writes every model and file into dir; FALSE with a message on stderr. */
gboolean live_assets_write (const char *dir);

G_END_DECLS

#endif
