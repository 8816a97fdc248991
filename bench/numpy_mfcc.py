"""NumPy/SciPy MFCC peer for bench/frontend.sh (run with /usr/bin/python3).

Vectorised f32 MFCC: pre-emphasis 0.97, 400-sample Hamming frames every 160,
512-point rfft power, 40 mel triangles, log, DCT-II (13 coefficients),
processed in blocks of 4096 frames. Prints the frame count only, so the
timing is the computation plus start-up and imports.
Usage: /usr/bin/python3 bench/numpy_mfcc.py IN.wav
"""
import sys

import numpy as np
from scipy.fft import dct, rfft
from scipy.io import wavfile

FRAME, HOP, NFFT, MELS, CEPS, BLOCK = 400, 160, 512, 40, 13, 4096


def mel_bank(rate):
    def hz_to_mel(f):
        return 2595.0 * np.log10(1.0 + f / 700.0)

    mels = np.linspace(0.0, hz_to_mel(rate / 2.0), MELS + 2)
    hz = 700.0 * (10.0 ** (mels / 2595.0) - 1.0)
    bins = np.fft.rfftfreq(NFFT, 1.0 / rate)
    lo, mid, hi = hz[:-2, None], hz[1:-1, None], hz[2:, None]
    rise = (bins - lo) / (mid - lo)
    fall = (hi - bins) / (hi - mid)
    return np.maximum(0.0, np.minimum(rise, fall)).astype(np.float32).T


def main():
    rate, pcm = wavfile.read(sys.argv[1])
    x = pcm.astype(np.float32) / np.float32(32768.0)
    y = np.empty_like(x)
    y[0] = x[0]
    y[1:] = x[1:] - np.float32(0.97) * x[:-1]
    window = np.hamming(FRAME).astype(np.float32)
    bank = mel_bank(rate)
    n_frames = 1 + (len(y) - FRAME) // HOP
    frames = np.lib.stride_tricks.as_strided(
        y, shape=(n_frames, FRAME), strides=(HOP * y.strides[0], y.strides[0]))
    total = 0
    for start in range(0, n_frames, BLOCK):
        block = frames[start:start + BLOCK] * window
        spec = rfft(block, n=NFFT, axis=1)
        power = (spec.real * spec.real + spec.imag * spec.imag).astype(np.float32)
        logmel = np.log(power @ bank + np.float32(1e-10))
        ceps = dct(logmel, type=2, axis=1, norm="ortho")[:, :CEPS].astype(np.float32)
        total += ceps.shape[0]
    print(total)


main()
