#!/usr/bin/python3
"""Test streams for bench/live from the development ESC-10 clips.

  make_streams.py ESC10_DIR OUT_DIR [--hours H] [--seed S]

Writes into OUT_DIR (16 kHz mono 16-bit WAV, Debian python3 + NumPy/SciPy):
  events.wav, events.csv  H hours of background noise with clips of ESC fold 3
                          spliced in at known times (label,onset,offset in s)
  background.wav          H hours of the same kind of background, no clip
  train/*.wav, train.csv  the clips of folds 1-2, each mixed twice into
                          background at a random SNR and gain (path,label,
                          group,onset,offset) for the bench's own model (no
                          source recording is on both sides)

The background is pink noise whose level drifts slowly (+-6 dB over tens of
seconds) around -45 dBFS, with a 50 Hz hum 20 dB below it. A clip is cut to
its active part (the 25 ms frames within 30 dB of its loudest one, ESC clips
are padded with silence), scaled to an SNR drawn from 3-20 dB against the
local background, and faded in/out over 5 ms; its onset and offset in the
stream are the active part's. Clips are 4-10 s apart (offset to next onset).
"""
import argparse
import csv
import os
import sys

import numpy as np
from scipy.io import wavfile

RATE = 16000


def read_clip(path):
    rate, x = wavfile.read(path)
    if rate != RATE:
        sys.exit(f"make_streams: {path}: {rate} Hz, expected {RATE}")
    x = x.astype(np.float64)
    if x.ndim > 1:
        x = x.mean(axis=1)
    return x / 32768.0


def active_part(x):
    """First and last sample of the frames within 30 dB of the loudest."""
    frame = RATE * 25 // 1000
    n = len(x) // frame
    if n == 0:
        return 0, len(x)
    rms = np.sqrt((x[: n * frame].reshape(n, frame) ** 2).mean(axis=1) + 1e-20)
    on = np.nonzero(rms >= rms.max() * 10 ** (-30 / 20))[0]
    return on[0] * frame, (on[-1] + 1) * frame


def pink(n, rng):
    """Pink (1/f power) noise of unit RMS, by shaping white noise's spectrum."""
    white = rng.standard_normal(n)
    spec = np.fft.rfft(white)
    f = np.fft.rfftfreq(n, 1 / RATE)
    f[0] = f[1]
    spec /= np.sqrt(f)
    x = np.fft.irfft(spec, n)
    return x / np.sqrt((x ** 2).mean())


def background(seconds, rng):
    n = int(seconds * RATE)
    out = np.empty(n)
    block = 60 * RATE          # pink noise in one-minute blocks, cross-faded
    fade = RATE // 10
    pos = 0
    prev_tail = None
    while pos < n:
        m = min(block + fade, n - pos + fade)
        b = pink(m, rng)
        if prev_tail is not None:
            w = np.linspace(0, 1, fade)
            b[:fade] = b[:fade] * w + prev_tail * (1 - w)
        take = min(block, n - pos)
        out[pos:pos + take] = b[:take]
        prev_tail = b[take:take + fade] if take + fade <= m else None
        pos += take
    t = np.arange(n) / RATE
    drift_db = 6 * np.sin(2 * np.pi * t / 47.0) * np.sin(2 * np.pi * t / 173.0)
    level = 10 ** ((-45 + drift_db) / 20)
    hum = 10 ** (-65 / 20) * np.sqrt(2) * np.sin(2 * np.pi * 50 * t)
    return out * level + hum


def local_rms(x, start, stop):
    seg = x[max(0, start):stop]
    return np.sqrt((seg ** 2).mean() + 1e-20)


def splice(bg, clip, at, snr_db):
    a, b = active_part(clip)
    part = clip[a:b].copy()
    rms = np.sqrt((part ** 2).mean() + 1e-20)
    gain = local_rms(bg, at, at + len(part)) * 10 ** (snr_db / 20) / rms
    part *= gain
    fade = RATE * 5 // 1000
    if len(part) > 2 * fade:
        w = np.linspace(0, 1, fade)
        part[:fade] *= w
        part[-fade:] *= w[::-1]
    end = min(len(bg), at + len(part))
    bg[at:end] += part[: end - at]
    return end - at


def write(path, x):
    peak = np.abs(x).max()
    if peak > 0.999:
        x = x * (0.999 / peak)
    wavfile.write(path, RATE, np.round(x * 32767).astype(np.int16))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("esc10")
    ap.add_argument("out")
    ap.add_argument("--hours", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=15)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    os.makedirs(os.path.join(args.out, "train"), exist_ok=True)

    with open(os.path.join(args.esc10, "index.csv")) as f:
        rows = list(csv.DictReader(f))
    test_rows = [r for r in rows if r["group"].startswith("fold3-")]
    train_rows = [r for r in rows if not r["group"].startswith("fold3-")]
    if not test_rows or not train_rows:
        sys.exit("make_streams: index.csv has no fold-3 (test) or fold-1/2 (train) clips")
    clips = {r["path"]: read_clip(os.path.join(args.esc10, r["path"])) for r in rows}

    seconds = args.hours * 3600
    bg = background(seconds, rng)
    write(os.path.join(args.out, "background.wav"), bg)

    ev = background(seconds, rng)
    truth = []
    at = int(rng.uniform(3, 6) * RATE)
    order = rng.permutation(len(test_rows))
    k = 0
    while True:
        r = test_rows[order[k % len(order)]]
        k += 1
        clip = clips[r["path"]]
        a, b = active_part(clip)
        if at + (b - a) + RATE > len(ev):
            break
        n = splice(ev, clip, at, rng.uniform(3, 20))
        truth.append((r["label"], at / RATE, (at + n) / RATE))
        at += n + int(rng.uniform(4, 10) * RATE)
    write(os.path.join(args.out, "events.wav"), ev)
    with open(os.path.join(args.out, "events.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["label", "onset", "offset"])
        for label, on, off in truth:
            w.writerow([label, f"{on:.6f}", f"{off:.6f}"])

    with open(os.path.join(args.out, "train.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["path", "label", "group", "onset", "offset"])
        for r in train_rows:
            clip = clips[r["path"]]
            for copy in range(2):
                x = background(len(clip) / RATE + 1, rng)
                n = splice(x, clip, RATE // 2, rng.uniform(3, 20))
                x *= 10 ** (rng.uniform(-10, 10) / 20)
                name = f"{os.path.splitext(os.path.basename(r['path']))[0]}-{copy}.wav"
                write(os.path.join(args.out, "train", name), x)
                w.writerow([f"train/{name}", r["label"], r["group"],
                            "0.5", f"{0.5 + n / RATE:.6f}"])
    print(f"make_streams: {len(truth)} events in {seconds:.0f} s, "
          f"{2 * len(train_rows)} training mixes")


if __name__ == "__main__":
    main()
