#!/usr/bin/python3
"""Training table for the bench's own model: windows of W frames of the
features `earshot features` wrote for each training mix.

  windows_table.py TRAIN_CSV FEATURES_DIR W HOP OUT.csv

TRAIN_CSV is make_streams.py's train.csv (path,label,group,onset,offset);
FEATURES_DIR/<name>.csv holds the mix's features (time,b0,b1,...). A window
is kept when at least half of it, or half of the sound, lies inside the
sound's active part. Columns: f<b*W+t> (band b, frame t: the [bands, W]
layout cnnclassify gives the network), label, group.
"""
import csv
import os
import sys

import numpy as np


def main():
    train_csv, feat_dir, w, hop, out = sys.argv[1:6]
    w, hop = int(w), int(hop)
    with open(train_csv) as f:
        rows = list(csv.DictReader(f))
    n_rows = 0
    with open(out, "w", newline="") as f:
        writer = None
        for r in rows:
            name = os.path.splitext(os.path.basename(r["path"]))[0] + ".csv"
            data = np.loadtxt(os.path.join(feat_dir, name), delimiter=",",
                              skiprows=1, ndmin=2)
            times, feats = data[:, 0], data[:, 1:]
            bands = feats.shape[1]
            if writer is None:
                writer = csv.writer(f)
                writer.writerow([f"f{i}" for i in range(bands * w)] + ["label", "group"])
            on, off = float(r["onset"]), float(r["offset"])
            step = times[1] - times[0] if len(times) > 1 else 0.01
            for s in range(0, len(times) - w + 1, hop):
                a, b = times[s], times[s] + w * step
                inside = max(0.0, min(b, off) - max(a, on))
                if inside < 0.5 * min(b - a, off - on):
                    continue
                window = feats[s:s + w].T.reshape(-1)     # [bands][W]
                writer.writerow([f"{v:.5g}" for v in window] + [r["label"], r["group"]])
                n_rows += 1
    print(f"windows_table: {n_rows} windows of {w} frames")


if __name__ == "__main__":
    main()
