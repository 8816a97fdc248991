#!/usr/bin/python3
"""Writes the index files the audio recipes train from (recipes/audio/*.csv),
paths relative to recipes/audio (so ../../../shared/data/audio/...).

- esc10-folds.csv: ESC-10 development clips grouped by their ESC fold
  (fold1..fold3), so cross-validation leaves a whole ESC fold out, as the
  held-out evaluation (folds 4-5) does.
- heart-runs.csv: heart sounds grouped by recording run. The data set ships
  one numbering block per class on this side (README: consecutive files are
  cut from one source recording in runs of up to ~35 files, with near-identical
  durations), so grouping by block would put a whole class in one fold. A run
  is found from the durations: a new run starts where a file's duration differs
  by more than TOL seconds from the median of the run's last three files and the
  next file agrees with it (a single odd file stays in its run). Grouped
  cross-validation on runs then scores recordings the model has not heard, the
  closest this side of the data allows to the unseen-block test.

  /usr/bin/python3 scripts/audio-indexes.py   (run from the repository root)
"""
import csv
import os
import statistics
import wave

ROOT = os.path.join("..", "..", "..", "shared", "data", "audio")
OUT = os.path.join("recipes", "audio")
TOL = 0.12


def rows(name):
    with open(os.path.join("..", "shared", "data", "audio", name, "index.csv")) as f:
        return list(csv.DictReader(f))


def write(path, entries):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["path", "label", "group"])
        w.writerows(entries)


def esc10():
    out = []
    for r in rows("esc10"):
        out.append([os.path.join(ROOT, "esc10", r["path"]), r["label"], r["group"].split("-")[0]])
    write(os.path.join(OUT, "esc10-folds.csv"), out)


def duration(path):
    with wave.open(path) as w:
        return w.getnframes() / w.getframerate()


def heart():
    base = os.path.join("..", "shared", "data", "audio", "heart_yaseen2018")
    out = []
    by_class = {}
    for r in rows("heart_yaseen2018"):
        by_class.setdefault(r["label"], []).append(r)
    for label, rs in by_class.items():
        rs.sort(key=lambda r: r["path"])
        d = [duration(os.path.join(base, r["path"])) for r in rs]
        run, current = 0, []
        for i, r in enumerate(rs):
            if current:
                m = statistics.median(d[j] for j in current[-3:])
                nxt = d[i + 1] if i + 1 < len(d) else d[i]
                if abs(d[i] - m) > TOL and abs(nxt - d[i]) <= TOL:
                    run += 1
                    current = []
            current.append(i)
            out.append([os.path.join(ROOT, "heart_yaseen2018", r["path"]), label,
                        "%s-run%d" % (label, run + 1)])
    write(os.path.join(OUT, "heart-runs.csv"), out)


esc10()
heart()
