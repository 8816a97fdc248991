#!/usr/bin/python3
"""Onset latency and false events for bench/live, earshot's events beside two
peer recipes computed here from the same raw window probabilities.

  evaluate.py TRUTH.csv EVENTS.jsonl WINDOWS.jsonl BG_EVENTS.jsonl BG_WINDOWS.jsonl HOURS
              [BACKGROUND_LABEL]

EVENTS.jsonl: `earshot listen --json` on the event stream (earshot's events);
WINDOWS.jsonl: `earshot listen --json -v --set average-windows=1` on it (raw
per-window probabilities, "decided" = the window's end); BG_*: the same on
the background-only stream; HOURS: the length of each stream.

A sound (label, onset t0, offset t1) is detected by the first start of its
label decided in [t0, t1 + 2 s]; latency = decided - t0 (stream time: the
window had to end before a decision could exist). Starts that detect nothing
are false events. BACKGROUND_LABEL (a model's "nothing here" class, which
earshot's events never start): the peers do not start it either (a user of
argmax ignores that label), so all three are scored on the sound labels.
Peers:
  argmax   MediaPipe's audio classifier / NNStreamer's example: the best label
           of every window, no smoothing; a start when it changes.
  micro_speech  TF RecognizeCommands: mean of the results of the last 1 s,
           at least 3 of them, top mean > 0.78, a new detection when the top
           label changes or 1.5 s after the last detection.
"""
import csv
import json
import sys

import numpy as np


def read_lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def earshot_starts(lines):
    return [(o["label"], o["decided"]) for o in lines if o.get("event") == "start"]


def windows(lines):
    return [o for o in lines if o.get("event") == "window"]


def argmax_starts(wins, background=None):
    starts, prev = [], None
    for w in wins:
        if w["label"] != prev and w["label"] != background:
            starts.append((w["label"], w["decided"]))
        prev = w["label"]
    return starts


def micro_speech_starts(wins, average=1.0, minimum=3, threshold=0.78,
                        suppression=1.5, background=None):
    starts, queue = [], []
    prev_label, prev_time = None, -1e9
    for w in wins:
        now = w["decided"]
        queue.append((now, w["probabilities"]))
        queue = [(t, p) for t, p in queue if t > now - average]
        if len(queue) < minimum:
            continue
        labels = list(queue[0][1].keys())
        mean = {k: np.mean([p[k] for _, p in queue]) for k in labels}
        top = max(labels, key=lambda k: mean[k])
        if mean[top] > threshold and (top != prev_label or now - prev_time > suppression):
            # the background "detected" resets the recogniser like any
            # label, but is no event
            if top != background:
                starts.append((top, now))
            prev_label, prev_time = top, now
    return starts


def score(truth, starts):
    used = [False] * len(starts)
    latencies, missed = [], 0
    for label, t0, t1 in truth:
        hit = None
        for i, (l, d) in enumerate(starts):
            if not used[i] and l == label and t0 <= d <= t1 + 2.0:
                hit = i
                break
        if hit is None:
            missed += 1
        else:
            used[hit] = True
            latencies.append(starts[hit][1] - t0)
    return latencies, missed, used.count(False)


def main():
    truth_csv, ev, win, bg_ev, bg_win, hours = sys.argv[1:7]
    background = sys.argv[7] if len(sys.argv) > 7 and sys.argv[7] else None
    hours = float(hours)
    with open(truth_csv) as f:
        truth = [(r["label"], float(r["onset"]), float(r["offset"]))
                 for r in csv.DictReader(f)]
    ev_lines, win_lines = read_lines(ev), windows(read_lines(win))
    bg_lines, bg_win_lines = read_lines(bg_ev), windows(read_lines(bg_win))
    methods = [
        ("earshot events (defaults)", earshot_starts(ev_lines), earshot_starts(bg_lines)),
        ("per-window argmax (MediaPipe, NNStreamer)", argmax_starts(win_lines, background),
         argmax_starts(bg_win_lines, background)),
        ("TF micro_speech RecognizeCommands",
         micro_speech_starts(win_lines, background=background),
         micro_speech_starts(bg_win_lines, background=background)),
    ]
    print(f"{len(truth)} sounds in {hours:g} h; background-only stream {hours:g} h"
          + (f"; background label '{background}' starts no event" if background else ""))
    print(f"{'method':44s} {'detected':>9s} {'median':>8s} {'p90':>8s} "
          f"{'false/h bg':>11s} {'false/h between':>16s}")
    for name, starts, bg_starts in methods:
        lat, missed, false = score(truth, starts)
        med = f"{np.median(lat):.3f} s" if lat else "-"
        p90 = f"{np.percentile(lat, 90):.3f} s" if lat else "-"
        print(f"{name:44s} {100 * (1 - missed / len(truth)):8.1f}% {med:>8s} {p90:>8s} "
              f"{len(bg_starts) / hours:11.1f} {false / hours:16.1f}")
    bg = {}
    for label, _ in earshot_starts(bg_lines):
        bg[label] = bg.get(label, 0) + 1
    if bg:
        print("earshot false events on the background, by label: " +
              ", ".join(f"{k} {v}" for k, v in sorted(bg.items(), key=lambda x: -x[1])))


if __name__ == "__main__":
    main()
