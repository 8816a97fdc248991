/* libearshot, dsp/: Signal processing stages: pre-emphasis, windows and framing, FFT power,
 * gammatone filterbank, DCT, the whole-clip audio front-end, compression,
 * biquads (parametric EQ) and exact frame timestamps.
 * Part of <earshot/earshot.h>; may be included alone. */
#ifndef EARSHOT_DSP_H
#define EARSHOT_DSP_H

#include "dsp/biquad.h"
#include "dsp/compress.h"
#include "dsp/dct.h"
#include "dsp/dsp-error.h"
#include "dsp/fft.h"
#include "dsp/frame-time.h"
#include "dsp/framer.h"
#include "dsp/frontend.h"
#include "dsp/gammatone-params.h"
#include "dsp/gammatone.h"
#include "dsp/preemphasis.h"
#include "dsp/window.h"

#endif /* EARSHOT_DSP_H */
