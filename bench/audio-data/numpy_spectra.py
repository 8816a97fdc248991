#!/usr/bin/python3
"""The peer for bench/audio-data: the same power spectra in NumPy (pre-emphasis
0.97, 400-sample Hamming frames every 160, rfft to 512, |X|^2) of the clips that
audio-data-bench decoded (--dump FILE), timed on one core."""
import sys
import time
import numpy as np


def main(path):
    clips = []
    with open(path, "rb") as f:
        count = int(np.frombuffer(f.read(8), dtype=np.uint64)[0])
        for _ in range(count):
            n = int(np.frombuffer(f.read(8), dtype=np.uint64)[0])
            clips.append(np.frombuffer(f.read(4 * n), dtype=np.float32))
    window = np.hamming(400).astype(np.float32)
    t0 = time.perf_counter()
    total = 0
    for x in clips:
        y = np.empty_like(x)
        y[0] = x[0]
        y[1:] = x[1:] - np.float32(0.97) * x[:-1]
        n_frames = (len(y) - 400) // 160 + 1
        idx = np.arange(400)[None, :] + 160 * np.arange(n_frames)[:, None]
        frames = y[idx] * window
        spec = np.fft.rfft(frames, 512, axis=1)
        power = (spec.real ** 2 + spec.imag ** 2).astype(np.float32)
        total += power.size
    dt = time.perf_counter() - t0
    print("numpy spectra (peer)      %7.2f s   %6.1f MB" % (dt, total * 4 / 1e6))


if __name__ == "__main__":
    main(sys.argv[1])
