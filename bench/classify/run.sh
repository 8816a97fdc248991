#!/usr/bin/env bash
# bench/classify: classifying a 10-minute file through the whole pipeline
# (issue 14, speed target: >= 1000x real time on one core), beside the same
# network in PyTorch with NumPy features on the same file.
#   bench/classify/run.sh BUILD_DIR        (./dev bench classify)
# Env: BENCH_REPEATS (5), BENCH_CORE (0), BENCH_SECONDS (600),
#      BENCH_SHAPES ("BANDS HOP_SIZE W WINDOW_HOP C1 C2 C3 [C4];..."), BENCH_WORK (a temp dir).
#
# The models are made by make-bench-model with RANDOM weights (speed only):
# a learned gammatone front-end + log, then the SpectNet-style 2D CNN of the
# shipped audio models (3x3 convolutions with batch norm, ReLU, 2x2
# max-pooling, global average pooling, 10 classes). Two shapes by default:
#   64 bands, 10 ms hop, windows of 100 frames (1 s) every 50, channels
#      16/32/64 (the issue's shape)
#   40 bands, 20 ms hop, windows of 64 frames (1.28 s) every 64, channels
#      24/48/96/192 (models/esc10.recipe: a fourth block after a third pooling)
# Rows, each a whole process on one core (taskset), run in alternation
# A, B, A, B, ... BENCH_REPEATS times:
#   earshot  earshot classify --model M --json IN.wav (start-up, model load,
#            decoding, preemphasis ! hammingframe ! gammatonefb model= !
#            cnnclassify model=, the file-level mean)
#   torch    /usr/bin/python3 classify_torch.py (imports, WAV read, NumPy
#            features, torch network on 1 thread, the same mean)
# Printed: median wall and CPU (user + system) seconds, real time / CPU time
# (the speed-up over real time), and torch / earshot; the largest difference
# between the two file-level probabilities (the same network: ~1e-6).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: bench/classify/run.sh BUILD_DIR}" && pwd)
repeats=${BENCH_REPEATS:-5} core=${BENCH_CORE:-0} seconds=${BENCH_SECONDS:-600}
shapes=${BENCH_SHAPES:-"64 160 100 50 16 32 64;40 320 64 64 24 48 96 192"}
earshot=$build/launch/earshot
/usr/bin/python3 -c 'import torch, numpy' 2>/dev/null \
  || { echo "bench/classify: needs Debian's python3-torch and python3-numpy (apt-get install python3-torch)" >&2; exit 1; }
work=${BENCH_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/earshot-bench-classify.XXXXXX")}
mkdir -p "$work"
[ -n "${BENCH_WORK:-}" ] || trap 'rm -rf "$work"' EXIT
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 GST_PLUGIN_PATH="$build/elements"

wav=$work/input.wav
[ -f "$wav" ] || "$build/bench/frontend-bench" make-input "$wav" "$work/input.f32" "$seconds" 16000
echo "input: $seconds s of 16 kHz mono (bench/frontend-bench make-input), one core (taskset -c $core)," \
  "$repeats alternated runs; $(awk -F: '/^model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ *//')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# one timed process: "wall cpu"
timed() {
  /usr/bin/time -o "$work/time" -f "%e %U %S" taskset -c "$core" "$@" >"$work/last.out" 2>"$work/last.err" \
    || { echo "bench/classify: failed: $* ($(tail -2 "$work/last.err"))" >&2; exit 1; }
  awk '{ printf "%s %.3f\n", $1, $2 + $3 }' "$work/time"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

IFS=';' read -ra shape_list <<<"$shapes"
for shape in "${shape_list[@]}"; do
  # shellcheck disable=SC2086
  set -- $shape
  dir=$work/model-$1-$2-$3-$4
  mkdir -p "$dir"
  flops=$("$build/bench/make-bench-model" "$dir" "$@")
  model=$dir/bench-classify.safetensors fb=$dir/bench-classify-fb.f32
  echo
  echo "== $1 bands, hop $2 samples, windows of $3 frames every $4, channels $5/$6/$7${8:+/$8}: $flops"
  : >"$work/e" ; : >"$work/t"
  for ((i = 0; i < repeats; i++)); do
    timed "$earshot" classify --model "$model" --json "$wav" >>"$work/e"
    cp "$work/last.out" "$work/earshot.json"
    timed /usr/bin/python3 "$here/classify_torch.py" "$model" "$fb" "$wav" >>"$work/t"
    cp "$work/last.out" "$work/torch.json"
  done
  ew=$(cut -d' ' -f1 "$work/e" | median) ec=$(cut -d' ' -f2 "$work/e" | median)
  tw=$(cut -d' ' -f1 "$work/t" | median) tc=$(cut -d' ' -f2 "$work/t" | median)
  diff=$(/usr/bin/python3 - "$work/earshot.json" "$work/torch.json" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
f = e["files"][0]
p = [f["probabilities"][l] for l in e["labels"]]
t = json.loads(open(sys.argv[2]).read().strip().splitlines()[-1])
print("%.2g (%d windows; torch stages: read %.3f s, features %.3f s, network %.3f s)" % (
    max(abs(a - b) for a, b in zip(p, t["probabilities"])), t["windows"],
    t["read_s"], t["features_s"], t["network_s"]))
PY
)
  awk -v s="$seconds" -v ew="$ew" -v ec="$ec" -v tw="$tw" -v tc="$tc" 'BEGIN {
    printf "%-8s %9s %9s %14s %14s\n", "row", "wall s", "cpu s", "x real (wall)", "x real (cpu)"
    printf "%-8s %9.3f %9.3f %14.0f %14.0f\n", "earshot", ew, ec, s / ew, s / ec
    printf "%-8s %9.3f %9.3f %14.0f %14.0f\n", "torch", tw, tc, s / tw, s / tc
    printf "torch / earshot: %.2fx wall, %.2fx cpu\n", tw / ew, tc / ec }'
  echo "largest file-level probability difference earshot vs torch: $diff"
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
