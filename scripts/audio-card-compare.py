#!/usr/bin/python3
"""Prints the Markdown comparison section of an audio model card: the grouped
cross-validation figures (whole files: the mean of window probabilities; and
single windows) that `earshot train --cv` stored in each model file's
training metadata, one row per model.

  /usr/bin/python3 scripts/audio-card-compare.py "learnable, log=models/esc10.safetensors" \\
      "static=models/esc10-static.safetensors" "seed baseline=/tmp/esc10-seed/esc10-seed.safetensors" ...
"""
import json
import struct
import sys


def metadata(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        return json.loads(f.read(n))["__metadata__"]


def main(args):
    print("| model | front-end | CV accuracy, files (mean ± std over folds) | pooled | "
          "macro-F1, files (pooled) | CV accuracy, windows | epochs |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for arg in args:
        label, path = arg.split("=", 1)
        m = metadata(path)
        t = json.loads(m["training"])
        fe = json.loads(m["frontend"])
        arch = json.loads(m["architecture"])
        frozen = arch[0].get("trainable", True) is False
        front = "%s gammatone %d bands, %s%s" % ("static" if frozen else "learnable", fe["bands"],
                                               fe["compression"],
                                               ", DCT %d" % fe["dct"] if fe.get("dct") else "")
        u = t["cv_units"]
        cv = t["cv"]
        print("| %s (`%s`) | %s | %.2f ± %.2f %% | %.2f %% | %.3f | %.2f ± %.2f %% | %d |" % (
            label, m["name"], front, 100 * u["accuracy_mean"], 100 * u["accuracy_std"],
            100 * u["pooled"]["accuracy"], u["pooled"]["macro_f1"], 100 * cv["accuracy_mean"],
            100 * cv["accuracy_std"], t["epochs"]))


main(sys.argv[1:])
