#!/usr/bin/env bash
# Front-end throughput on one core: earshot (preemphasis ! hammingframe !
# gammatonefb bands=64) against aubio's MFCC (aubiomfcc) and GStreamer's
# spectrum element, all on the same 10 minutes of 16 kHz mono audio with
# 25 ms frames every 10 ms. See bench/README.md.
#
# Usage: bench/frontend.sh BUILD_DIR     (or bench/run.sh BUILD_DIR frontend)
# Environment: BENCH_SECONDS (600), BENCH_REPEATS (5), BENCH_CORE (0),
# BENCH_RATIOS_ONLY=1 (only the alternated process rows and their ratios).
set -euo pipefail
build=${1:?usage: bench/frontend.sh BUILD_DIR}
seconds=${BENCH_SECONDS:-600}
repeats=${BENCH_REPEATS:-5}
core=${BENCH_CORE:-0}
ratios_only=${BENCH_RATIOS_ONLY:-0}
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

# CPU seconds (user + system) used so far by the finished children of this shell.
# (`times` must run in this shell, not in a $(...) subshell.)
children_cpu() {
  times >"$work/times"
  tail -n 1 "$work/times" | awk '{ t = 0; for (i = 1; i <= 2; i++) { split ($i, p, "m"); t += p[1] * 60 + p[2] } printf "%.6f", t }'
}

# Alternate whole processes REPEATS times (A, B, C, A, B, C, ...) so all see
# the same machine load. Commands are separated by "--". Prints one line per
# command: "min median max" of the wall-clock seconds, then of the CPU seconds
# (user + system, which a busy machine inflates less). The rounds are kept in
# $work/rounds (wall) and $work/rounds_cpu, one line per round, for per-round
# ratios.
time_alternating() {
  local -a cmds=() cur=()
  local arg i r t0 t1 c0 c1
  for arg in "$@"; do
    if [ "$arg" = "--" ]; then cmds+=("$(printf '%q ' "${cur[@]}")"); cur=(); else cur+=("$arg"); fi
  done
  cmds+=("$(printf '%q ' "${cur[@]}")")
  : >"$work/rounds"
  : >"$work/rounds_cpu"
  for r in $(seq "$repeats"); do
    local line="" line_cpu=""
    for i in "${!cmds[@]}"; do
      children_cpu >"$work/c0"; t0=$(date +%s%N)
      eval "${one_core[*]} ${cmds[$i]}" >/dev/null
      t1=$(date +%s%N); children_cpu >"$work/c1"
      c0=$(cat "$work/c0"); c1=$(cat "$work/c1")
      line+=" $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", (b - a) / 1e9 }')"
      line_cpu+=" $(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.6f", b - a }')"
    done
    echo "$line" >>"$work/rounds"
    echo "$line_cpu" >>"$work/rounds_cpu"
  done
  for i in "${!cmds[@]}"; do
    for f in rounds rounds_cpu; do
      awk -v c=$((i + 1)) '{ print $c }' "$work/$f" | sort -g | awk '{ v[NR] = $1 }
        END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.6f %.6f %.6f ", v[1], m, v[NR] }'
    done
    echo
  done
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
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min), nice $(nice)"
declare -A med best
measure() {
  local key=$1 label=$2 result
  shift 2
  result=$("$@")
  read -r med[$key] best[$key] _ <<<"$result"
  printf '%-58s %8.3f s  (best %.3f s)  %7.0fx real time\n' "$label" "${med[$key]}" "${best[$key]}" \
    "$(awk -v s="$seconds" -v t="${med[$key]}" 'BEGIN { print s / t }')"
}

if [ "$ratios_only" != 1 ]; then
  measure full "earshot: wavparse ! audioconvert ! front-end (in-process)" time_pipeline "$decode ! $frontend ! fakesink"
  measure elements "earshot: raw f32 ! front-end (decode excluded)" time_pipeline "$raw_src ! $frontend ! fakesink"
  measure library "earshot: es_frontend_process_clip (library, in memory)" \
    "${one_core[@]}" "$harness" library "$repeats" "$raw" "$rate" "$bands"
  measure cli "earshot features CLI, CSV to /dev/null (incl. start-up)" \
    time_process "$build/launch/earshot" features -q --bands $bands "$wav" -
fi
numpy_peer=(/usr/bin/python3 "$(dirname "$0")/numpy_mfcc.py" "$wav")
aubio_peer=(aubiomfcc -i "$wav" -r "$rate" -B "$frame" -H "$hop")
# The ratios: the earshot gst-launch process alternated run by run with both
# peers (same file, decoding and start-up included on every side).
mapfile -t alt < <(time_alternating gst-launch-1.0 -q $decode ! $frontend ! fakesink \
  -- "${numpy_peer[@]}" -- "${aubio_peer[@]}")
labels=("earshot: gst-launch-1.0 process, alternated with the peers"
  "NumPy/SciPy f32 MFCC (process, /usr/bin/python3), alternated"
  "aubiomfcc -B $frame -H $hop (process), alternated")
for i in 0 1 2; do
  read -r lo mid hi clo cmid chi <<<"${alt[$i]}"
  printf '%-58s %8.3f s  (min %.3f, max %.3f)  %6.0fx real time; CPU %.3f s (%.3f-%.3f)\n' "${labels[$i]}" \
    "$mid" "$lo" "$hi" "$(awk -v s="$seconds" -v t="$mid" 'BEGIN { print s / t }')" "$cmid" "$clo" "$chi"
done
read -r _ med[alt_es] _ _ cpu_es _ <<<"${alt[0]}"
read -r _ med[numpy] _ _ cpu_numpy _ <<<"${alt[1]}"
read -r _ med[alt_aubio] _ _ cpu_aubio _ <<<"${alt[2]}"
# per-round ratios peer / earshot: "min-median-max"
round_ratios() {
  awk -v c="$1" '{ print $c / $1 }' "$work/$2" | sort -g | awk '{ v[NR] = $1 }
    END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f-%.1f-%.1f", v[1], m, v[NR] }'
}
ratio_numpy_rounds=$(round_ratios 2 rounds)
ratio_aubio_rounds=$(round_ratios 3 rounds)
ratio_numpy_rounds_cpu=$(round_ratios 2 rounds_cpu)
ratio_aubio_rounds_cpu=$(round_ratios 3 rounds_cpu)
if [ "$ratios_only" != 1 ]; then
  measure spectrum "GStreamer spectrum, messages on (in-process)" time_pipeline "$decode ! $spectrum ! fakesink"
  measure spectrum_quiet "GStreamer spectrum, post-messages=false (in-process)" \
    time_pipeline "$decode ! ${spectrum/post-messages=true/post-messages=false} ! fakesink"
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
echo
echo "earshot vs NumPy/SciPy MFCC (processes):   $(ratio "${med[numpy]}" "${med[alt_es]}")x faster  (target >= 4x; per round min-median-max $ratio_numpy_rounds)"
echo "  in CPU time:                              $(ratio "$cpu_numpy" "$cpu_es")x  (per round $ratio_numpy_rounds_cpu)"
echo "earshot vs aubiomfcc (processes):           $(ratio "${med[alt_aubio]}" "${med[alt_es]}")x faster  (target >= 3x; per round min-median-max $ratio_aubio_rounds)"
echo "  in CPU time:                              $(ratio "$cpu_aubio" "$cpu_es")x  (per round $ratio_aubio_rounds_cpu)"
if [ "$ratios_only" = 1 ]; then
  echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"
  exit 0
fi
echo "earshot CLI with CSV vs aubiomfcc:          $(ratio "${med[alt_aubio]}" "${med[cli]}")x faster"
echo "earshot vs spectrum with messages:          $(ratio "${med[spectrum]}" "${med[full]}")x faster"
echo "earshot vs spectrum without messages:       $(ratio "${med[spectrum_quiet]}" "${med[full]}")x faster"
echo "earshot real-time factor, with decode:      $(ratio "$seconds" "${med[full]}")x  (target >= 2000x)"
echo "earshot real-time factor, elements only:    $(ratio "$seconds" "${med[elements]}")x"
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"
