#!/usr/bin/env bash
# bench/eq/run.sh BUILD_DIR: eqrender against GStreamer's equalizer-10bands
# (issue 16 §4). Ten bands on 10 minutes of 44.1 kHz stereo F32, whole
# gst-launch-1.0 processes on one core, the two pipelines alternated run by
# run so both see the same machine; prints each one's median and the ratio.
#   BENCH_REPEATS (default 5)  BENCH_CORE (default 0)  BENCH_SECONDS (default 600)
set -euo pipefail
build=${1:?usage: bench/eq/run.sh BUILD_DIR}
repeats=${BENCH_REPEATS:-5}
core=${BENCH_CORE:-0}
seconds=${BENCH_SECONDS:-600}
export GST_PLUGIN_PATH="$build/elements${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"

for e in eqrender equalizer-10bands; do
  if ! gst-inspect-1.0 "$e" >/dev/null 2>&1; then
    echo "bench eq: skip, no $e element (gstreamer1.0-plugins-good?)"
    exit 0
  fi
done

# The input: pink noise, F32 stereo WAV, kept in the build tree between runs.
wav="$build/bench/eq-input-${seconds}s.wav"
if [ ! -s "$wav" ]; then
  gst-launch-1.0 -q audiotestsrc wave=pink-noise samplesperbuffer=4410 \
    num-buffers=$((seconds * 10)) ! audio/x-raw,format=F32LE,rate=44100,channels=2 \
    ! wavenc ! filesink location="$wav.tmp"
  mv "$wav.tmp" "$wav"
fi

# The same ten gains (dB) for both; eqrender's default bands are peaking
# filters at the octave centres 31.5 Hz-16 kHz, like equalizer-10bands'.
gains=(4 3 1 -2 -1 1 2 -3 2 5)
peer=() ours=()
for i in "${!gains[@]}"; do
  peer+=("band$i=${gains[$i]}")
  ours+=("band$i::gain=${gains[$i]}")
done
src=(filesrc location="$wav" ! wavparse ! audioconvert)
peer_cmd=(gst-launch-1.0 -q "${src[@]}" ! equalizer-10bands "${peer[@]}" ! fakesink)
ours_cmd=(gst-launch-1.0 -q "${src[@]}" ! eqrender "${ours[@]}" ! fakesink)
base_cmd=(gst-launch-1.0 -q "${src[@]}" ! fakesink)

# Which path the element runs (the vector kernel needs AVX2 + FMA).
path=$(GST_DEBUG=eqrender:5 GST_DEBUG_NO_COLOR=1 "${ours_cmd[@]}" 2>&1 >/dev/null \
  | grep -o "configured for .*" | head -1 || true)

calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
# One whole process on the core: prints "wall cpu" (cpu = user + system of
# the process and its children, from bash's own accounting).
run() {
  local TIMEFORMAT='%R %U %S' t
  t=$( { time taskset -c "$core" "$@" >/dev/null 2>&1; } 2>&1 )
  echo "$t" | awk '{ printf "%.6f %.6f\n", $1, $2 + $3 }'
}
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "== bench/eq: ${seconds} s of 44.1 kHz stereo F32, 10 bands, core $core, $repeats runs each (alternated; medians) =="
echo "eqrender: ${path:-?}"
uptime
ow=() oc=() pw=() pc=() bw=() bc=() rw=() rc=()
run "${ours_cmd[@]}" >/dev/null  # warm the page cache and the registry
for ((r = 0; r < repeats; r++)); do
  read -r o_w o_c < <(run "${ours_cmd[@]}")
  read -r p_w p_c < <(run "${peer_cmd[@]}")
  read -r b_w b_c < <(run "${base_cmd[@]}")
  ow+=("$o_w"); oc+=("$o_c"); pw+=("$p_w"); pc+=("$p_c"); bw+=("$b_w"); bc+=("$b_c")
  rw+=("$(calc "$p_w / $o_w")"); rc+=("$(calc "$p_c / $o_c")")
done
med() { printf '%s\n' "$@" | median; }
row() { # label, wall values..., then cpu median
  printf '%-58s wall %7.3f s  cpu %7.3f s\n' "$1" "$2" "$3"
}
echo "                                                           (medians of $repeats)"
row "eqrender, 10 bands (gst-launch-1.0 process)" "$(med "${ow[@]}")" "$(med "${oc[@]}")"
row "equalizer-10bands (gst-launch-1.0 process)" "$(med "${pw[@]}")" "$(med "${pc[@]}")"
row "no equaliser: filesrc ! wavparse ! audioconvert ! fakesink" "$(med "${bw[@]}")" "$(med "${bc[@]}")"
echo "runs, wall: eqrender $(printf '%.3f ' "${ow[@]}")/ equalizer-10bands $(printf '%.3f ' "${pw[@]}")"
mo=$(med "${oc[@]}"); mp=$(med "${pc[@]}"); mb=$(med "${bc[@]}")
printf '\neqrender vs equalizer-10bands, whole processes: %.1fx faster in wall time, %.1fx in cpu time\n' \
  "$(med "${rw[@]}")" "$(med "${rc[@]}")"
echo "  (medians of the run-by-run ratios; target >= 10x)"
printf 'equaliser work alone (cpu minus the no-equaliser pipeline): eqrender %.3f s, equalizer-10bands %.3f s, %.1fx\n' \
  "$(calc "$mo - $mb")" "$(calc "$mp - $mb")" "$(calc "($mp - $mb) / ($mo - $mb)")"
printf 'real-time factor of eqrender (whole process, wall): %.0fx\n' "$(calc "$seconds / $(med "${ow[@]}")")"
