#!/usr/bin/env bash
# Front-end throughput on one core: earshot (preemphasis ! hammingframe !
# gammatonefb bands=64) against aubio's MFCC (aubiomfcc) and GStreamer's
# spectrum element, all on the same 10 minutes of 16 kHz mono audio with
# 25 ms frames every 10 ms. See bench/README.md.
#
# Usage: bench/frontend.sh BUILD_DIR     (or bench/run.sh BUILD_DIR frontend)
# Environment: BENCH_SECONDS (600), BENCH_REPEATS (5), BENCH_CORE (0).
set -euo pipefail
build=${1:?usage: bench/frontend.sh BUILD_DIR}
seconds=${BENCH_SECONDS:-600}
repeats=${BENCH_REPEATS:-5}
core=${BENCH_CORE:-0}
rate=16000 frame=400 hop=160 bands=64

harness="$build/bench/frontend-bench"
[ -x "$harness" ] || { echo "bench: $harness not built" >&2; exit 1; }
command -v aubiomfcc >/dev/null || { echo "bench: aubiomfcc missing (apt-get install aubio-tools)" >&2; exit 1; }
export GST_PLUGIN_PATH_1_0="$build/elements${GST_PLUGIN_PATH_1_0:+:$GST_PLUGIN_PATH_1_0}"
gst-inspect-1.0 gammatonefb >/dev/null 2>&1 || { echo "bench: earshot plugin not found in $build/elements" >&2; exit 1; }

# Everything, threads included, on one core; single-threaded BLAS/FFTW.
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
one_core=(taskset -c "$core")

work=$(mktemp -d "${TMPDIR:-/tmp}/earshot-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
wav="$work/input.wav" raw="$work/input.f32"
"$harness" make-input "$wav" "$raw" "$seconds" "$rate"

# median of REPEATS wall-clock runs of a whole process, in seconds
time_process() {
  local times=() t0 t1
  for _ in $(seq "$repeats"); do
    t0=$(date +%s%N)
    "${one_core[@]}" "$@" >/dev/null
    t1=$(date +%s%N)
    times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", (b - a) / 1e9 }')")
  done
  printf '%s\n' "${times[@]}" | sort -g | awk '{ v[NR] = $1 }
    END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.6f %.6f %d\n", m, v[1], NR }'
}

# Alternate two whole processes REPEATS times (A, B, A, B, ...) so both see the
# same machine load; prints "medianA bestA medianB bestB".
time_alternating() {
  local -a cmd_a cmd_b ta=() tb=()
  local sep t0 t1
  for sep in "$@"; do [ "$sep" = "--" ] && break; cmd_a+=("$sep"); done
  cmd_b=("${@:$((${#cmd_a[@]} + 2))}")
  for _ in $(seq "$repeats"); do
    t0=$(date +%s%N); "${one_core[@]}" "${cmd_a[@]}" >/dev/null; t1=$(date +%s%N)
    ta+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", (b - a) / 1e9 }')")
    t0=$(date +%s%N); "${one_core[@]}" "${cmd_b[@]}" >/dev/null; t1=$(date +%s%N)
    tb+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", (b - a) / 1e9 }')")
  done
  local stats='{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.6f %.6f ", m, v[1] }'
  printf '%s\n' "${ta[@]}" | sort -g | awk "$stats"
  printf '%s\n' "${tb[@]}" | sort -g | awk "$stats"
  echo
}

# in-process pipeline time (PLAYING -> EOS), "median best runs"
time_pipeline() {
  "${one_core[@]}" "$harness" pipeline "$repeats" "$1"
}

decode="filesrc location=$wav ! wavparse ! audioconvert ! audio/x-raw,format=F32LE,channels=1"
raw_src="filesrc location=$raw blocksize=65536 ! rawaudioparse format=pcm pcm-format=f32le sample-rate=$rate num-channels=1"
frontend="preemphasis ! hammingframe frame-size=$frame hop-size=$hop ! gammatonefb bands=$bands"
# spectrum: nfft = 2 * (bands - 1) = 400 = one 25 ms frame, one spectrum every 10 ms
spectrum="spectrum bands=201 interval=10000000 post-messages=true message-magnitude=true"

echo "== bench/frontend: $seconds s of $rate Hz mono, frame $frame / hop $hop, core $core, $repeats runs (median, best) =="
declare -A med best
measure() {
  local key=$1 label=$2 result
  shift 2
  result=$("$@")
  read -r med[$key] best[$key] _ <<<"$result"
  printf '%-58s %8.3f s  (best %.3f s)  %7.0fx real time\n' "$label" "${med[$key]}" "${best[$key]}" \
    "$(awk -v s="$seconds" -v t="${med[$key]}" 'BEGIN { print s / t }')"
}

measure full "earshot: wavparse ! audioconvert ! front-end (in-process)" time_pipeline "$decode ! $frontend ! fakesink"
measure elements "earshot: raw f32 ! front-end (decode excluded)" time_pipeline "$raw_src ! $frontend ! fakesink"
measure library "earshot: es_frontend_process_clip (library, in memory)" \
  "${one_core[@]}" "$harness" library "$repeats" "$raw" "$rate" "$bands"
measure full_proc "earshot: gst-launch-1.0 process (incl. start-up)" \
  time_process gst-launch-1.0 -q $decode ! $frontend ! fakesink
measure cli "earshot features CLI, CSV to /dev/null (incl. start-up)" \
  time_process "$build/launch/earshot" features -q --bands $bands "$wav" -
measure aubio "aubiomfcc -B $frame -H $hop (process, text to /dev/null)" \
  time_process aubiomfcc -i "$wav" -r "$rate" -B "$frame" -H "$hop"
numpy_peer=(/usr/bin/python3 "$(dirname "$0")/numpy_mfcc.py" "$wav")
alt=$(time_alternating gst-launch-1.0 -q $decode ! $frontend ! fakesink -- "${numpy_peer[@]}")
read -r med[alt_es] best[alt_es] med[numpy] best[numpy] <<<"$alt"
for key in alt_es numpy; do
  label="earshot: gst-launch-1.0 process, alternated with NumPy"
  [ "$key" = numpy ] && label="NumPy/SciPy f32 MFCC (process, /usr/bin/python3)"
  printf '%-58s %8.3f s  (best %.3f s)  %7.0fx real time\n' "$label" "${med[$key]}" "${best[$key]}" \
    "$(awk -v s="$seconds" -v t="${med[$key]}" 'BEGIN { print s / t }')"
done
measure spectrum "GStreamer spectrum, messages on (in-process)" time_pipeline "$decode ! $spectrum ! fakesink"
measure spectrum_quiet "GStreamer spectrum, post-messages=false (in-process)" \
  time_pipeline "$decode ! ${spectrum/post-messages=true/post-messages=false} ! fakesink"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
echo
echo "earshot vs aubiomfcc (whole processes):     $(ratio "${med[aubio]}" "${med[full_proc]}")x faster  (target >= 3x)"
echo "earshot vs NumPy/SciPy MFCC (processes):   $(ratio "${med[numpy]}" "${med[alt_es]}")x faster  (target >= 4x)"
echo "earshot CLI with CSV vs aubiomfcc:          $(ratio "${med[aubio]}" "${med[cli]}")x faster"
echo "earshot vs spectrum with messages:          $(ratio "${med[spectrum]}" "${med[full]}")x faster"
echo "earshot vs spectrum without messages:       $(ratio "${med[spectrum_quiet]}" "${med[full]}")x faster"
echo "earshot real-time factor, with decode:      $(ratio "$seconds" "${med[full]}")x  (target >= 2000x)"
echo "earshot real-time factor, elements only:    $(ratio "$seconds" "${med[elements]}")x"
