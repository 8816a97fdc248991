#!/usr/bin/python3
"""How far can a model that sees a curve at N columns agree with the labels?

The IEM labels (data/iem/README.md) are a rule of each file's raw rows: band
means of the zero-mean curve, differences thresholded at 3 dB. A graph image
or a resampled vector shows the curve only at N log-spaced columns. This
script applies the same rule to each file's curve box-averaged over N
log-spaced columns from 20 Hz to 20 kHz (what area-resizing a drawn graph
does to a column) and prints the share of files whose label survives: the
accuracy of a perfect reader of such an input.

A 224-px graph has about 174 columns inside matplotlib's default axes (12.5 %
to 90 % of the width), a 448-px one about 347.

Usage: /usr/bin/python3 scripts/graph-resolution-ceiling.py [DATA_DIR [N ...]]
  DATA_DIR: the IEM folder with index.csv (default ../shared/data/iem)
"""
import csv
import os
import sys

import numpy as np

BANDS = [(20, 60), (60, 250), (250, 500), (500, 2000), (2000, 4000), (4000, 6000),
         (6000, 12000)]
OVERSAMPLE = 8      # fine points per column, averaged


def label(freq, level):
    level = level - level.mean()
    means = [level[(freq >= lo) & (freq < hi)].mean() for lo, hi in BANDS]
    bass = (means[0] + means[1]) / 2
    mid = (means[2] + means[3] + means[4]) / 3
    treble = (means[5] + means[6]) / 2
    bass_diff, treble_diff = bass - mid, treble - mid
    if bass_diff >= 3 and treble_diff >= 3:
        return "V-shape"
    if treble_diff >= 3:
        return "Bright"
    if bass_diff >= 3:
        return "Warm"
    return "Neutral"


def columns(freq, level, n):
    """The curve box-averaged over n log-spaced columns: (centres, values)."""
    lo, hi = np.log10(20.0), np.log10(20000.0)
    edges = np.logspace(lo, hi, n + 1)
    fine = np.linspace(lo, hi, n * OVERSAMPLE)
    values = np.interp(fine, np.log10(freq), level).reshape(n, OVERSAMPLE).mean(axis=1)
    return np.sqrt(edges[:-1] * edges[1:]), values


def main():
    data_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join("..", "shared", "data", "iem")
    sizes = [int(a) for a in sys.argv[2:]] or [128, 174, 256, 347, 512]
    rows = list(csv.DictReader(open(os.path.join(data_dir, "index.csv"))))
    curves = []
    for r in rows:
        table = np.loadtxt(os.path.join(data_dir, r["path"]), delimiter=",", skiprows=1)
        curves.append((table[:, 0], table[:, 1], r["label"]))
    exact = np.mean([label(f, l) == y for f, l, y in curves])
    print("files: %d; the rule on the raw rows agrees with index.csv: %.2f %%"
          % (len(curves), 100 * exact))
    for n in sizes:
        agree = np.mean([label(*columns(f, l, n)) == y for f, l, y in curves])
        print("%4d columns: the rule agrees with the labels on %.2f %% of the files"
              % (n, 100 * agree))


if __name__ == "__main__":
    main()
