#!/usr/bin/python3
"""How the 2D IEM model reads graphs drawn by another tool (issue 12 §5).

Draws held-out measurements with matplotlib (not earshot's io/graph.c) in six
looks, classifies the PNGs with `earshot iem --model-2d`, and prints each
look's accuracy, macro-F1 and confusion against the label rule's labels in
index.csv. The looks, each with its own random parameters per file:

  seed                the seed paper's figure: 8x5 in at 100 dpi, 2-px #1f77b4 line
  sizes-dpi           other figure sizes (5-11 x 3-7 in) and dpi (50-160)
  colours             the seed's size, other line colours, 1-3 px lines
  thick-grid-lowres   thick dark lines (2.5-4 pt) on a major+minor grid, 40-64 dpi
  grid-antialias-off  the seed's size, aliased line, major grid
  ticks-labels        ticks, tick labels and axis labels drawn

Every look keeps the seed's axes (log x 20 Hz-20 kHz, y -30..+30 dB after the
file's mean is removed, default subplot margins): the label is a 3 dB rule, so
the model must know the dB scale. Needs python3-matplotlib (Debian).

  /usr/bin/python3 scripts/graph-looks-eval.py --earshot build/launch/earshot \
      --reviewers animagus,iemworld,melatonin,recode,wdym --per-look 600 \
      --work /tmp/looks [--model PATH] [--json OUT] [--looks L1,L2] ../shared/data/iem

Images are cached in --work (drawn once, reused by later runs with another
--model); the file sample is fixed by --seed.
"""
import argparse
import csv
import json
import os
import random
import subprocess
import sys
from multiprocessing import Pool

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

LOOKS = ["seed", "sizes-dpi", "colours", "thick-grid-lowres", "grid-antialias-off",
         "ticks-labels"]
CLASSES = ["Neutral", "Bright", "Warm", "V-shape"]


def read_measurement(path):
    f, l = [], []
    with open(path) as fh:
        for row in csv.reader(fh):
            try:
                f.append(float(row[0]))
                l.append(float(row[1]))
            except (ValueError, IndexError):
                continue
    f, l = np.array(f), np.array(l)
    return f, l - l.mean()


def look_params(look, rng):
    """Figure size (in), dpi, line width (pt), colour, grid, antialias, ticks."""
    p = dict(size=(8.0, 5.0), dpi=100, lw=2.0 * 72 / 100, colour="#1f77b4", grid=None,
             aa=True, ticks=False)
    if look == "sizes-dpi":
        p["size"] = (rng.uniform(5, 11), rng.uniform(3, 7))
        p["dpi"] = rng.randint(50, 160)
        p["lw"] = rng.uniform(1.0, 2.5)
    elif look == "colours":
        p["colour"] = rng.choice(["black", "tab:red", "tab:green", "purple", "darkorange",
                                  "navy", "teal", "crimson", "dimgray"])
        p["lw"] = rng.uniform(1.0, 3.0) * 72 / 100
    elif look == "thick-grid-lowres":
        p["dpi"] = rng.randint(40, 64)
        p["lw"] = rng.uniform(2.5, 4.0)
        p["colour"] = rng.choice(["black", "navy", "darkred", "darkgreen", "#333333"])
        p["grid"] = "both"
    elif look == "grid-antialias-off":
        p["aa"] = False
        p["grid"] = "major"
        p["colour"] = rng.choice(["#1f77b4", "black", "tab:red"])
    elif look == "ticks-labels":
        p["ticks"] = True
        p["lw"] = rng.uniform(1.0, 2.5)
    return p


def draw(job):
    src, out, look, seed = job
    if os.path.exists(out):
        return out
    rng = random.Random(seed)
    p = look_params(look, rng)
    f, l = read_measurement(src)
    fig = plt.figure(figsize=p["size"], dpi=p["dpi"])
    ax = fig.add_subplot(111)
    ax.semilogx(f, l, color=p["colour"], linewidth=p["lw"], antialiased=p["aa"])
    ax.set_xlim(20, 20000)
    ax.set_ylim(-30, 30)
    if p["grid"] == "both":
        ax.grid(True, which="both", color="#c8c8c8", linewidth=0.6)
    elif p["grid"] == "major":
        ax.grid(True, which="major", color="#d0d0d0", linewidth=0.8)
    if p["ticks"]:
        ax.set_xlabel("Frequency (Hz)")
        ax.set_ylabel("SPL (dB)")
    else:
        # no tick marks or labels; the locators stay, so grid lines still fall on them
        ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    tmp = out + ".tmp.png"
    fig.savefig(tmp, dpi=p["dpi"])
    plt.close(fig)
    os.replace(tmp, out)
    return out


def macro_f1(conf):
    f1s = []
    for c in range(len(CLASSES)):
        tp = conf[c][c]
        fp = sum(conf[r][c] for r in range(len(CLASSES))) - tp
        fn = sum(conf[c]) - tp
        if tp + fp + fn == 0:
            continue
        f1s.append(2 * tp / (2 * tp + fp + fn))
    return sum(f1s) / len(f1s)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data", help="../shared/data/iem (with index.csv)")
    ap.add_argument("--earshot", required=True)
    ap.add_argument("--model", default="iem-signature-2d")
    ap.add_argument("--reviewers", required=True, help="comma-separated, held out from training")
    ap.add_argument("--per-look", type=int, default=600)
    ap.add_argument("--work", required=True)
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--json")
    ap.add_argument("--looks", default=",".join(LOOKS), help="comma-separated subset")
    a = ap.parse_args()
    looks = a.looks.split(",")
    for look in looks:
        if look not in LOOKS:
            sys.exit("unknown look %s (have %s)" % (look, ", ".join(LOOKS)))

    reviewers = set(a.reviewers.split(","))
    rows = []
    with open(os.path.join(a.data, "index.csv")) as fh:
        for r in csv.DictReader(fh):
            if r["reviewer"] in reviewers:
                rows.append(r)
    if not rows:
        sys.exit("no files of those reviewers in index.csv")
    rng = random.Random(a.seed)
    jobs, truth = [], {}
    for li, look in enumerate(LOOKS):
        # every look's sample is drawn, so a subset sees the same files
        sample = rng.sample(rows, min(a.per_look, len(rows)))
        if look not in looks:
            continue
        d = os.path.join(a.work, look)
        os.makedirs(d, exist_ok=True)
        for i, r in enumerate(sample):
            out = os.path.join(d, "%04d.png" % i)
            jobs.append((os.path.join(a.data, r["path"]), out, look, a.seed * 1000003 + li * 10007 + i))
            truth[os.path.abspath(out)] = r["label"]
    with Pool(a.jobs) as pool:
        pool.map(draw, jobs, chunksize=16)

    res = subprocess.run([a.earshot, "iem", "--csv", "-q", "--model-2d", a.model, a.work, "-r"],
                         capture_output=True, text=True)
    if res.returncode not in (0, 1):
        sys.exit("earshot iem failed: " + res.stderr)
    conf = {look: [[0] * 4 for _ in CLASSES] for look in LOOKS}
    failed = 0
    for r in csv.DictReader(res.stdout.splitlines()):
        p = os.path.abspath(r["path"])
        if p not in truth:
            continue
        if r["error"]:
            failed += 1
            continue
        look = os.path.basename(os.path.dirname(p))
        conf[look][CLASSES.index(truth[p])][CLASSES.index(r["label"])] += 1
    report = {"model": a.model, "reviewers": sorted(reviewers), "per_look": a.per_look,
              "failed": failed, "looks": {}}
    total = [[0] * 4 for _ in CLASSES]
    print("%-20s %8s %8s  %s" % ("look", "accuracy", "macro-F1", "largest confusions"))
    for look in looks:
        c = conf[look]
        n = sum(map(sum, c))
        acc = sum(c[i][i] for i in range(4)) / n if n else float("nan")
        errs = sorted(((c[i][j], CLASSES[i], CLASSES[j]) for i in range(4) for j in range(4)
                       if i != j and c[i][j]), reverse=True)[:3]
        print("%-20s %7.2f%% %8.3f  %s" % (look, 100 * acc, macro_f1(c),
              ", ".join("%s->%s %d" % (t, p, k) for k, t, p in errs)))
        report["looks"][look] = {"files": n, "accuracy": acc, "macro_f1": macro_f1(c),
                                 "confusion": c}
        for i in range(4):
            for j in range(4):
                total[i][j] += c[i][j]
    n = sum(map(sum, total))
    acc = sum(total[i][i] for i in range(4)) / n
    print("%-20s %7.2f%% %8.3f  (%d files, %d failed)" % ("all", 100 * acc, macro_f1(total), n,
                                                           failed))
    report["all"] = {"files": n, "accuracy": acc, "macro_f1": macro_f1(total), "confusion": total}
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(report, fh, indent=1)


if __name__ == "__main__":
    main()
