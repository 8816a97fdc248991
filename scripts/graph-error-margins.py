#!/usr/bin/python3
"""Where does a graph model go wrong: which sizes, and how close to the rule's
thresholds?

The IEM labels threshold two band differences (bass_diff, treble_diff) at
3 dB (data/iem/README.md), so a model of graph pictures is really measuring
those differences from pixels. This script draws a seeded random sample of
the measurements at each given size with `earshot plot --grey` (the seed's
look, scaled), classifies the pictures with `earshot iem --csv`, and prints
per size the accuracy, the confusions, and for every error how far its file
lies from the nearer threshold (the margin, min |diff - 3| in dB). Beside it,
the share of the whole data set within such margins: the precision in dB a
model needs for a given accuracy.

The sample mixes files the model was trained on with others; errors on the
former still show what the model cannot read (it does not memorise: its
training accuracy on augmented examples is no higher than its validation
accuracy).

Usage: /usr/bin/python3 scripts/graph-error-margins.py [--model M] [--files N]
           [--data DIR] [--earshot PATH] [WxH ...]
  defaults: model iem-signature-2d, 1000 files, ../shared/data/iem,
  build/launch/earshot, sizes 224x224 800x500.
"""
import argparse
import collections
import csv
import os
import random
import subprocess
import sys
import tempfile


def margin(row):
    return min(abs(float(row["bass_diff"]) - 3), abs(float(row["treble_diff"]) - 3))


def classify(args, rows, size, workdir):
    width, height = size.split("x")
    folder = os.path.join(workdir, size)
    os.makedirs(folder)
    for i, row in enumerate(rows):
        subprocess.run([args.earshot, "plot", "--grey", "-W", width, "-H", height,
                        os.path.join(args.data, row["path"]),
                        os.path.join(folder, "%05d.png" % i)], check=True)
    out = subprocess.run([args.earshot, "iem", "-q", "--csv", "--model-2d", args.model,
                          folder], check=False, capture_output=True, text=True)
    results = sorted(csv.DictReader(out.stdout.splitlines()), key=lambda r: r["path"])
    if len(results) != len(rows):
        sys.exit("earshot iem classified %d of %d images:\n%s" %
                 (len(results), len(rows), out.stderr))
    return [r["label"] for r in results]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="iem-signature-2d")
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--data", default=os.path.join("..", "shared", "data", "iem"))
    parser.add_argument("--earshot", default=os.path.join("build", "launch", "earshot"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("sizes", nargs="*", default=["224x224", "800x500"])
    args = parser.parse_args()

    with open(os.path.join(args.data, "index.csv"), newline="") as f:
        everything = list(csv.DictReader(f))
    rows = random.Random(args.seed).sample(everything, min(args.files, len(everything)))

    with tempfile.TemporaryDirectory() as workdir:
        for size in args.sizes:
            labels = classify(args, rows, size, workdir)
            errors = [(row, got) for row, got in zip(rows, labels) if got != row["label"]]
            print("%s: %.2f %% of %d files" %
                  (size, 100 * (1 - len(errors) / len(rows)), len(rows)))
            confusions = collections.Counter((r["label"], got) for r, got in errors)
            for (want, got), n in confusions.most_common():
                print("  %-8s read as %-8s %d" % (want, got, n))
            margins = sorted(margin(r) for r, _ in errors)
            if margins:
                print("  error margins (dB from a threshold): median %.3f, max %.3f" %
                      (margins[len(margins) // 2], margins[-1]))

    all_margins = [margin(r) for r in everything]
    print("share of all %d files within a margin of the thresholds:" % len(everything))
    for m in (0.02, 0.05, 0.1, 0.2, 0.5):
        print("  %.2f dB: %5.2f %%" %
              (m, 100 * sum(x < m for x in all_margins) / len(all_margins)))


if __name__ == "__main__":
    main()
