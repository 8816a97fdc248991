#!/usr/bin/env python3
"""Write samples/iem-sample.csv: a synthetic but plausible IEM frequency
response, and (given a build directory) render samples/iem-sample.png from it
with `earshot plot` (800x500, the seed paper's look).

Not a measurement of any real IEM: the curve is computed here so the project
can ship it freely. It is a diffuse-field-like in-ear response (flat lows and
mids, the ear-canal/pinna gain peaking near 2.8 kHz, a smaller 8 kHz peak, a
treble roll-off above 10 kHz) plus a +10 dB low shelf at 180 Hz, so by the
label rule of data/iem/README.md it is Warm (bass about 4.4 dB above the mids,
treble below 3 dB). The grid is squig.link's: 1/48 octave from 20 Hz to
20 kHz, absolute level around 85 dB SPL as most reviewers publish.

Deterministic: plain Python (no NumPy), fixed formulas, fixed rounding.

Usage: scripts/make-iem-sample.py [BUILD_DIR] [OUT.csv]
  BUILD_DIR: where launch/earshot is; when given, OUT.png is rendered too.
"""
import math
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def peak(f, centre, gain_db, q):
    """Gain of a peaking bell on a log-frequency axis (Gaussian in octaves)."""
    octaves = math.log2(f / centre)
    width = 1.0 / q
    return gain_db * math.exp(-0.5 * (octaves / width) ** 2)


def low_shelf(f, corner, gain_db):
    """A first-order-like shelf: gain_db well below corner, 0 well above."""
    return gain_db / (1.0 + (f / corner) ** 2)


def response(f):
    db = 85.0
    db += low_shelf(f, 180.0, 10.0)              # the warm bass shelf
    db += peak(f, 2800.0, 8.0, 1.6)              # ear-canal gain, diffuse-field-like
    db += peak(f, 8000.0, 3.0, 2.5)              # the usual second resonance
    db -= 10.0 / (1.0 + (11000.0 / f) ** 4)      # roll-off above ~10 kHz
    db += 0.25 * math.sin(7.0 * math.log(f))     # a little measurement ripple
    return db


def label_rule(freqs, levels):
    """data/iem/README.md's rule on the raw rows (mirrors es_fr_signature)."""
    mean = sum(levels) / len(levels)
    norm = [v - mean for v in levels]
    bands = {"sub": (20, 60), "midbass": (60, 250), "lowmid": (250, 500),
             "mid": (500, 2000), "uppermid": (2000, 4000),
             "presence": (4000, 6000), "brilliance": (6000, 12000)}
    means = {}
    for name, (lo, hi) in bands.items():
        vals = [v for f, v in zip(freqs, norm) if lo <= f < hi]
        if vals:
            means[name] = sum(vals) / len(vals)

    def region(names):
        vals = [means[n] for n in names if n in means]
        return sum(vals) / len(vals)

    bass = region(["sub", "midbass"])
    mid = region(["lowmid", "mid", "uppermid"])
    treble = region(["presence", "brilliance"])
    bass_diff, treble_diff = bass - mid, treble - mid
    if bass_diff >= 3 and treble_diff >= 3:
        label = "V-shape"
    elif treble_diff >= 3:
        label = "Bright"
    elif bass_diff >= 3:
        label = "Warm"
    else:
        label = "Neutral"
    return label, bass_diff, treble_diff


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else None
    out_csv = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "samples", "iem-sample.csv")
    n = int(round(48 * math.log2(20000.0 / 20.0))) + 1
    freqs = [round(20.0 * 2.0 ** (i / 48.0), 2) for i in range(n)]
    levels = [round(response(f), 3) for f in freqs]
    label, bass_diff, treble_diff = label_rule(freqs, levels)
    if label != "Warm":
        sys.exit("make-iem-sample: the curve came out %s (bass %+.2f, treble %+.2f dB), "
                 "expected Warm" % (label, bass_diff, treble_diff))

    tmp = out_csv + ".tmp"
    with open(tmp, "w", newline="\n") as f:
        f.write("# earshot sample IEM measurement: SYNTHETIC, not a real IEM; made by "
                "scripts/make-iem-sample.py (diffuse-field-like curve + 10 dB bass shelf)\n")
        f.write("# label rule (data/iem/README.md): %s, bass_diff %+.2f dB, treble_diff %+.2f dB\n"
                % (label, bass_diff, treble_diff))
        f.write("frequency,raw\n")
        for fr, lv in zip(freqs, levels):
            f.write("%g,%.3f\n" % (fr, lv))
    os.replace(tmp, out_csv)
    print("wrote %s: %d points, label rule: %s (bass %+.2f dB, treble %+.2f dB)"
          % (out_csv, n, label, bass_diff, treble_diff))

    if build:
        out_png = os.path.splitext(out_csv)[0] + ".png"
        earshot = os.path.join(build, "launch", "earshot")
        subprocess.run([earshot, "plot", "--width", "800", "--height", "500", out_csv, out_png],
                       check=True)
        print("wrote %s (earshot plot, 800x500)" % out_png)


if __name__ == "__main__":
    main()
