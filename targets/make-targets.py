#!/usr/bin/python3
"""Make the shipped EQ-fit targets (targets/*.csv) from parametric descriptions.

Run with Debian's /usr/bin/python3 (numpy). Every target is a sum of RBJ
cookbook sections (peaking / shelf, Audio EQ Cookbook formulas) evaluated as
magnitude in dB on 1/48-octave points from 20 Hz to 20 kHz at a 192 kHz
design rate (so the top octave is not warped by the bilinear transform).
No third-party data file was read or copied; see targets/README.md for the
description each target follows.
"""
import os
import numpy as np

RATE = 192000.0


def rbj(kind, f0, gain_db, q, f):
    A = 10 ** (gain_db / 40)
    w0 = 2 * np.pi * f0 / RATE
    alpha = np.sin(w0) / (2 * q)
    c = np.cos(w0)
    if kind == "PK":
        b = [1 + alpha * A, -2 * c, 1 - alpha * A]
        a = [1 + alpha / A, -2 * c, 1 - alpha / A]
    elif kind == "LSC":
        s = 2 * np.sqrt(A) * alpha
        b = [A * ((A + 1) - (A - 1) * c + s), 2 * A * ((A - 1) - (A + 1) * c),
             A * ((A + 1) - (A - 1) * c - s)]
        a = [(A + 1) + (A - 1) * c + s, -2 * ((A - 1) + (A + 1) * c),
             (A + 1) + (A - 1) * c - s]
    elif kind == "HSC":
        s = 2 * np.sqrt(A) * alpha
        b = [A * ((A + 1) + (A - 1) * c + s), -2 * A * ((A - 1) + (A + 1) * c),
             A * ((A + 1) + (A - 1) * c - s)]
        a = [(A + 1) - (A - 1) * c + s, 2 * ((A - 1) - (A + 1) * c),
             (A + 1) - (A - 1) * c - s]
    else:
        raise ValueError(kind)
    z = np.exp(-1j * 2 * np.pi * f / RATE)
    h = (b[0] + b[1] * z + b[2] * z * z) / (a[0] + a[1] * z + a[2] * z * z)
    return 20 * np.log10(np.abs(h))


# The ear gain of an in-ear target: the open ear canal's quarter-wave resonance
# (about +9 dB near 3 kHz for an IEC 60318-4 coupler), the gentler fall above
# it and the roll-off of the top octave.
EAR_GAIN = [
    ("PK", 2800.0, 10.0, 1.0),     # ear-canal resonance
    ("PK", 7000.0, -2.0, 1.5),     # the fall above the resonance
    ("HSC", 12000.0, -4.0, 0.7),   # top-octave roll-off
]
# Harman-style in-ear (2019): the same ear gain plus a bass shelf.
HARMAN_BASS = [("LSC", 105.0, 10.0, 0.7)]

TARGETS = {
    "flat": ("flat: 0 dB at every frequency (the measurement is already compensated)", []),
    "neutral": ("neutral in-ear: diffuse-field-style ear gain, flat bass", EAR_GAIN),
    "harman-in-ear": ("Harman-style in-ear (2019 shape): ear gain + 10 dB bass shelf below ~105 Hz",
                      HARMAN_BASS + EAR_GAIN),
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    n = int(round(48 * np.log2(1000.0))) + 1
    f = 20.0 * 1000.0 ** (np.arange(n) / (n - 1))
    for name, (title, sections) in TARGETS.items():
        level = np.zeros(n)
        for kind, f0, g, q in sections:
            level += rbj(kind, f0, g, q, f)
        level -= np.interp(np.log(1000.0), np.log(f), level)   # 0 dB at 1 kHz
        with open(os.path.join(here, name + ".csv"), "w") as out:
            out.write("# earshot EQ-fit target: %s\n" % title)
            out.write("# made by targets/make-targets.py from: %s\n" %
                      ("; ".join("%s %g Hz %+g dB Q %g" % s for s in sections) or "nothing"))
            out.write("frequency,raw\n")
            for fi, li in zip(f, level):
                out.write("%.2f,%.3f\n" % (fi, li + 0.0))
        print(name, " ".join("%g:%+.1f" % (fq, np.interp(np.log(fq), np.log(f), level))
                             for fq in (20, 100, 200, 500, 1000, 2000, 3000, 5000, 8000, 10000, 15000, 20000)))


if __name__ == "__main__":
    main()
