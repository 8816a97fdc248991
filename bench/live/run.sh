#!/usr/bin/env bash
# bench/live/run.sh BUILD_DIR [--model NAME|PATH | --recipe RECIPE] [--hours H]
#                   [--gain-db G] [--keep DIR]
#
# Live classification (issue 15 §4), on one core (taskset, OPENBLAS 1 thread):
#  - test streams from the development ESC-10 clips (fold 3) spliced into a
#    drifting pink-noise background at known times, and a background-only
#    stream of the same length (make_streams.py; H hours each, default 1);
#  - median / 90th-percentile onset-to-event latency in stream time, share of
#    sounds detected, false events per hour on the background-only stream,
#    for earshot's events (cnnclassify defaults) and, from the same raw window
#    probabilities, per-window argmax (MediaPipe, NNStreamer) and TF
#    micro_speech's RecognizeCommands (evaluate.py);
#  - CPU share of one core: the whole `earshot listen --fast` process over the
#    hour (CPU time / audio time), a real-time replay of its first minute, and
#    beside them a decode-only gst-launch-1.0 of the same hour;
#  - RSS over the hour run fast, sampled every 0.2 s: after warm-up and at
#    the end.
# Without --model or --recipe the bench trains its own ESC-10 model from a recipe on the
# other folds (1-2) first: `earshot features` on noisy mixes of each clip,
# windows of 64 frames (0.64 s) of 32 gammatone bands (windows_table.py),
# `earshot train` (bench-live.recipe), then the audio front-end written into
# the model (live-set-frontend). Its figures describe that small model, not
# a shipped one. With --recipe (e.g. models/esc10.recipe, whose shipped model
# is trained on folds 1-3) it trains that recipe with fold 3 held out first
# (heldout_recipe.py: a copy with a [data] filter on the index's group
# column) and measures the result, so a shipped recipe is measured on clips
# its model has not seen (--model esc10 would score it on its training
# clips). --gain-db G scales both streams by G dB (clipped
# to 16 bits) after they are made: the streams sit around -50 dBFS, a model
# trained on clips normalised to a fixed level hears them quieter than it
# learned. Skips when the data is absent.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: bench/live/run.sh BUILD_DIR [--model M | --recipe R] [--hours H] [--gain-db G] [--keep DIR]}
shift
model=""
recipe=""
hours=1
gain_db=0
keep=""
while [ $# -gt 0 ]; do
  case "$1" in
    --model) model=$2; shift 2 ;;
    --recipe) recipe=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
    --hours) hours=$2; shift 2 ;;
    --gain-db) gain_db=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    *) echo "bench live: unknown option $1" >&2; exit 2 ;;
  esac
done
if [ -n "$model" ] && [ -n "$recipe" ]; then
  echo "bench live: --model and --recipe exclude each other" >&2
  exit 2
fi
data=${ES_DATA_DIR:-$here/../../../shared/data}/audio/esc10
if [ ! -f "$data/index.csv" ]; then
  echo "bench live: skip, no $data/index.csv"
  exit 0
fi
E="$build/launch/earshot"
core=${BENCH_CORE:-0}
export OPENBLAS_NUM_THREADS=1 GST_PLUGIN_PATH="$build/elements"
one_core() { taskset -c "$core" nice -n 10 "$@"; }
if [ -n "$keep" ]; then
  work=$keep
  mkdir -p "$work"
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/earshot-bench-live.XXXXXX")
  trap 'rm -rf "$work"' EXIT
fi

echo "== bench/live: ESC-10 fold 3 in pink noise, $hours h + $hours h background, gain $gain_db dB, core $core =="
[ -f "$work/events.wav" ] || nice -n 10 /usr/bin/python3 "$here/make_streams.py" "$data" "$work" --hours "$hours"
for mark in "$work"/gain-*; do
  if [ -f "$mark" ] && [ "$mark" != "$work/gain-$gain_db" ]; then
    echo "bench live: $work holds streams at ${mark##*/gain-} dB; use another --keep" >&2
    exit 2
  fi
done
if [ "$gain_db" != 0 ] && [ ! -f "$work/gain-$gain_db" ]; then
  /usr/bin/python3 - "$gain_db" "$work/events.wav" "$work/background.wav" <<'EOF'
import sys
import numpy as np
from scipy.io import wavfile
gain = 10 ** (float(sys.argv[1]) / 20)
for path in sys.argv[2:]:
    rate, x = wavfile.read(path)
    y = np.clip(np.round(x.astype(np.float64) * gain), -32768, 32767)
    clipped = np.mean(np.abs(x.astype(np.float64) * gain) > 32767) * 100
    print(f"{path}: {float(sys.argv[1]):+g} dB, {clipped:.4f} % of samples clipped")
    wavfile.write(path, rate, y.astype(np.int16))
EOF
  touch "$work/gain-$gain_db"
fi

if [ -n "$recipe" ]; then
  # the shipped recipe, fold 3 (the streams' clips) held out
  if ! ls "$work"/recipe-model/*.safetensors >/dev/null 2>&1; then
    rm -f "$work/heldout.recipe"
    /usr/bin/python3 "$here/heldout_recipe.py" "$recipe" "$work/heldout.recipe" fold3
    one_core /usr/bin/time -f "%e %U %S" -o "$work/time-train.txt" \
      "$E" train "$work/heldout.recipe" --out "$work/recipe-model" --quiet
    read -r t_wall t_user t_sys <"$work/time-train.txt"
    echo "trained $(basename "$recipe") without fold 3 in $t_wall s wall"
  fi
  model=$(ls "$work"/recipe-model/*.safetensors | head -1)
elif [ -z "$model" ]; then
  model="$work/model/bench-esc10.safetensors"
  if [ ! -f "$model" ]; then
    mkdir -p "$work/feat"
    tail -n +2 "$work/train.csv" | cut -d, -f1 | while read -r wav; do
      name=$(basename "$wav" .wav)
      [ -f "$work/feat/$name.csv" ] || nice -n 10 "$E" features -q --bands 32 \
        "$work/$wav" "$work/feat/$name.csv"
    done
    nice -n 10 /usr/bin/python3 "$here/windows_table.py" "$work/train.csv" \
      "$work/feat" 64 8 "$work/windows.csv"
    sed "s|@TABLE@|$work/windows.csv|" "$here/bench-live.recipe" >"$work/bench-live.recipe"
    one_core "$E" train "$work/bench-live.recipe" --out "$work/model" --quiet
    "$build/bench/live-set-frontend" "$model" '{"rate":16000,"preemphasis":0.97,'\
'"frame_size":400,"hop_size":160,"window":"hamming","bands":32,"fmin":50,"fmax":8000}'
  fi
fi
echo "model: $model"

# RSS of PID every 0.2 s into FILE (kB), until it exits
sample_rss() {
  while kill -0 "$1" 2>/dev/null; do
    awk '/^VmRSS/ { print $2 }' "/proc/$1/status" 2>/dev/null >>"$2" || true
    sleep 0.2
  done
}

# ours: the defaults; CPU and RSS of the whole process over the hour
rm -f "$work/rss.txt"
one_core /usr/bin/time -f "%e %U %S" -o "$work/time-events.txt" \
  "$E" listen --replay "$work/events.wav" --fast --json --model "$model" \
  >"$work/events.jsonl" &
pid=$!
sleep 0.3
inner=$(pgrep -P "$pid" -f "earshot listen" | head -1 || true)
inner=$(pgrep -P "${inner:-$pid}" -f "earshot listen" | head -1 || echo "${inner:-$pid}")
sample_rss "$inner" "$work/rss.txt" &
wait "$pid"
wait
one_core "$E" listen --replay "$work/background.wav" --fast --json --model "$model" \
  >"$work/background.jsonl"
# raw window probabilities for the peers
one_core "$E" listen --replay "$work/events.wav" --fast --json -v --set average-windows=1 \
  --set post-events=false --model "$model" >"$work/events-windows.jsonl"
one_core "$E" listen --replay "$work/background.wav" --fast --json -v --set average-windows=1 \
  --set post-events=false --model "$model" >"$work/background-windows.jsonl"

echo
# the model's background label, if it names one (peers ignore it as events do)
background=$("$E" model info "$model" | sed -n 's/^Background: *//p')
/usr/bin/python3 "$here/evaluate.py" "$work/events.csv" "$work/events.jsonl" \
  "$work/events-windows.jsonl" "$work/background.jsonl" \
  "$work/background-windows.jsonl" "$hours" "$background"

# CPU: the hour fast, the first minute in real time, decode alone
/usr/bin/python3 - "$work/events.wav" "$work/minute.wav" <<'EOF'
import sys
from scipy.io import wavfile
rate, x = wavfile.read(sys.argv[1])
wavfile.write(sys.argv[2], rate, x[: 60 * rate])
EOF
one_core /usr/bin/time -f "%e %U %S" -o "$work/time-rt.txt" \
  "$E" listen --replay "$work/minute.wav" --json --model "$model" >/dev/null
one_core /usr/bin/time -f "%e %U %S" -o "$work/time-decode.txt" \
  gst-launch-1.0 -q filesrc location="$work/events.wav" ! decodebin ! audioconvert \
  ! audioresample ! audio/x-raw,format=F32LE,channels=1,rate=16000 ! fakesink
audio=$(awk -v h="$hours" 'BEGIN { print h * 3600 }')
read -r wall user sys <"$work/time-events.txt"
read -r rt_wall rt_user rt_sys <"$work/time-rt.txt"
read -r d_wall d_user d_sys <"$work/time-decode.txt"
echo
awk -v a="$audio" -v w="$wall" -v u="$user" -v s="$sys" -v rw="$rt_wall" \
  -v ru="$rt_user" -v rs="$rt_sys" -v du="$d_user" -v ds="$d_sys" 'BEGIN {
  printf "CPU, earshot listen --fast over %.0f s: %.2f s (%.1f s wall) = %.3f %% of one core, %.0fx real time\n",
    a, u + s, w, 100 * (u + s) / a, a / w
  printf "CPU, earshot listen replaying 60 s in real time: %.2f s = %.3f %% of one core (%.1f s wall)\n",
    ru + rs, 100 * (ru + rs) / 60, rw
  printf "CPU, decode only (gst-launch-1.0 filesrc ! decodebin ! audioconvert ! audioresample ! fakesink): %.2f s = %.3f %%\n",
    du + ds, 100 * (du + ds) / a
  printf "earshot listen / decode only: %.1fx the CPU\n", (u + s) / (du + ds)
}'
awk -v a="$audio" '{ v[NR] = $1 } END {
  n = NR; if (n < 10) { print "RSS: too few samples (" n ")"; exit }
  lo = int(n * 0.1) + 1; hi = int(n * 0.2) + 1
  warm = 0; for (i = lo; i <= hi; i++) if (v[i] > warm) warm = v[i]
  end = 0; for (i = int(n * 0.9); i <= n; i++) if (v[i] > end) end = v[i]
  peak = 0; for (i = 1; i <= n; i++) if (v[i] > peak) peak = v[i]
  printf "RSS over %.0f s of audio run fast (%d samples): %.1f MB after warm-up (10-20 %%), %.1f MB at the end, peak %.1f MB: growth %+.2f MB\n",
    a, n, warm / 1024, end / 1024, peak / 1024, (end - warm) / 1024
}' "$work/rss.txt"
