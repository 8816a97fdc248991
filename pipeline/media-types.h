/* Media types that flow between earshot elements, named here (plain strings,
 * no GStreamer type) so that the elements, the CLI's pipelines and other
 * programs that build earshot pipelines spell them alike.
 *
 * Frames: one buffer holds whole windowed frames of float32 samples.
 *   application/x-earshot-frames, rate=(int)R, frame-size=(int)N, hop-size=(int)H,
 *     window=(string){hamming,hann,rectangular}, framerate=(fraction)R/H
 * Features: one buffer holds whole vectors of `bands` float32 values.
 *   application/x-earshot-features, bands=(int)B, framerate=(fraction)F,
 *     scale=(string){gammatone,cepstrum,log-frequency}, rate=(int)R (audio rate, when
 *     the vectors come from audio)
 *   log-frequency vectors (a measurement from frsrc) also carry unit=(string)dB,
 *     fmin=(double) and fmax=(double): the grid's first and last frequency in Hz,
 *     points equally spaced in log frequency between them.
 * framerate is vectors per second (0/1 for a single vector, e.g. one measurement).
 * PTS/duration of a buffer follow the audio its first/last vector came from:
 * vector k after a (re)start at T0 is at T0 + k / framerate exactly
 * (dsp/frame-time.h), and a frames or features buffer's OFFSET .. OFFSET_END
 * numbers its vectors from that start (as video frame numbers). */
#ifndef ES_MEDIA_TYPES_H
#define ES_MEDIA_TYPES_H

#define ES_FRAMES_MEDIA_TYPE "application/x-earshot-frames"
#define ES_FEATURES_MEDIA_TYPE "application/x-earshot-features"

#define ES_SCALE_GAMMATONE "gammatone"
#define ES_SCALE_CEPSTRUM "cepstrum"
#define ES_SCALE_LOG_FREQUENCY "log-frequency"

#endif
