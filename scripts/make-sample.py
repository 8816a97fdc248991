#!/usr/bin/python3
"""Make the shipped demo sample: 4 s of 16 kHz mono 16-bit WAV with events the
front-end should make visible in its band energies:

  0.0-1.0 s  a 440 Hz note with decaying harmonics (a plucked-string-like tone)
  1.0-2.0 s  an exponential chirp 100 Hz -> 6 kHz (the loudest band rises)
  2.0-3.0 s  three noise bursts, low-passed, band-passed and high-passed
  3.0-4.0 s  a C major chord (262, 330, 392 Hz) with a 2 kHz beep on top
plus quiet background noise all along. Deterministic (fixed seed), so the file
only changes when this script does.

Usage: /usr/bin/python3 scripts/make-sample.py [OUT.wav]   (default samples/sample.wav)
Needs python3-numpy and python3-scipy (Debian).
"""
import os
import sys
import tempfile

import numpy as np
from scipy import signal
from scipy.io import wavfile

RATE = 16000
SECONDS = 4.0


def segment_time(start, length):
    n = int(round(length * RATE))
    return np.arange(n) / RATE, int(round(start * RATE))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "samples", "sample.wav")
    rng = np.random.default_rng(20240601)
    total = int(SECONDS * RATE)
    x = 0.003 * rng.standard_normal(total)  # background noise floor

    # 0-1 s: note with harmonics, each decaying faster than the fundamental
    t, start = segment_time(0.0, 1.0)
    note = sum((0.5 / k) * np.exp(-t * (2.0 + k)) * np.sin(2 * np.pi * 440 * k * t)
               for k in range(1, 7))
    x[start:start + len(t)] += 0.8 * note

    # 1-2 s: exponential chirp with short fades so it does not click
    t, start = segment_time(1.0, 1.0)
    chirp = signal.chirp(t, f0=100, t1=t[-1], f1=6000, method="logarithmic")
    fade = np.minimum(1.0, np.minimum(t, t[-1] - t) / 0.01)
    x[start:start + len(t)] += 0.3 * chirp * fade

    # 2-3 s: three 250 ms noise bursts in different bands
    for i, (kind, edges) in enumerate((("lowpass", 500), ("bandpass", (1000, 2500)),
                                       ("highpass", 4000))):
        t, start = segment_time(2.0 + 0.33 * i, 0.25)
        sos = signal.butter(6, edges, btype=kind, fs=RATE, output="sos")
        burst = signal.sosfilt(sos, rng.standard_normal(len(t)))
        envelope = np.exp(-t * 8.0) * np.minimum(1.0, t / 0.005)
        x[start:start + len(t)] += 0.4 * burst * envelope / np.max(np.abs(burst))

    # 3-4 s: chord plus a beep
    t, start = segment_time(3.0, 1.0)
    chord = sum(np.sin(2 * np.pi * f * t) for f in (261.63, 329.63, 392.0)) / 3
    beep = np.sin(2 * np.pi * 2000 * t) * ((t > 0.4) & (t < 0.6))
    fade = np.minimum(1.0, np.minimum(t, t[-1] - t) / 0.02)
    x[start:start + len(t)] += (0.4 * chord + 0.15 * beep) * fade

    pcm = np.clip(np.round(x * 32767), -32768, 32767).astype(np.int16)
    # write beside the target and rename, so a failed run keeps the old sample
    directory = os.path.dirname(os.path.abspath(out))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".sample-", suffix=".wav")
    os.close(fd)
    try:
        wavfile.write(tmp, RATE, pcm)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        os.unlink(tmp)
        raise
    print(f"wrote {os.path.normpath(out)}: {SECONDS:g} s, {RATE} Hz mono 16-bit", file=sys.stderr)


if __name__ == "__main__":
    main()
