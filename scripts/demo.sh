#!/usr/bin/env bash
# The main job on the shipped samples:
#  1. the tuning signature of the shipped IEM measurement samples/iem-sample.csv
#     (synthetic, made by scripts/make-iem-sample.py) with both shipped models:
#     the measurement → iem-signature-1d, its graph samples/iem-sample.png →
#     iem-signature-2d, beside what the label rule itself says;
#  2. a shorter tour of the audio front-end (preemphasis ! hammingframe !
#     gammatonefb) through `earshot features` on samples/sample.wav.
#
# Usage: scripts/demo.sh BUILD_DIR [AUDIO_FILE]     (./dev demo calls it)
# Exit status 1 when a shipped model is missing: no result is made up.
# The features CSV is kept as BUILD_DIR/demo/features.csv for a closer look.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: scripts/demo.sh BUILD_DIR [AUDIO_FILE]}
sample=${2:-$here/samples/sample.wav}
earshot="$build/launch/earshot"
iem_csv="$here/samples/iem-sample.csv"
iem_png="$here/samples/iem-sample.png"

# Front-end settings, passed explicitly so the band centres printed below
# (mel-spaced between FMIN and FMAX, as gammatonefb initialises them) match.
RATE=16000 BANDS=64 FMIN=50 FMAX=8000 HOP=160

[ -x "$earshot" ] || { echo "demo: $earshot not found; build first (./dev build)" >&2; exit 1; }

# ---- 1. IEM tuning signature with both shipped models
echo "== earshot IEM demo: tuning signature of a frequency-response measurement =="
if [ ! -f "$iem_csv" ] || [ ! -f "$iem_png" ]; then
  echo "demo: samples/iem-sample.{csv,png} missing, generating them" >&2
  /usr/bin/python3 "$here/scripts/make-iem-sample.py" "$build" "$iem_csv" >&2
fi
echo "input: samples/iem-sample.csv - SYNTHETIC (not a real IEM), made by scripts/make-iem-sample.py:"
echo "       a diffuse-field-like in-ear curve plus a +10 dB bass shelf"
echo "graph: samples/iem-sample.png - the same curve drawn by 'earshot plot' (800x500, the seed's style)"
echo
iem_status=0
missing=()
for model in iem-signature-1d iem-signature-2d; do
  "$earshot" model info "$model" >/dev/null 2>&1 || missing+=("$model")
done
if [ ${#missing[@]} -gt 0 ]; then
  for model in "${missing[@]}"; do
    echo "demo: the shipped model '$model' is not there yet (expected models/$model.safetensors;"
    echo "      it is trained by 'earshot train' from recipes/, see docs/iem.md). No result is shown for it."
  done
  iem_status=1
fi
# one file per model that exists; -v gives every class probability and, for
# the measurement, what the label rule of data/iem/README.md says
inputs=()
[[ " ${missing[*]-} " == *" iem-signature-1d "* ]] || inputs+=("$iem_csv")
[[ " ${missing[*]-} " == *" iem-signature-2d "* ]] || inputs+=("$iem_png")
if [ ${#inputs[@]} -gt 0 ]; then
  (cd "$here" && "$earshot" iem -v "${inputs[@]#"$here"/}") || iem_status=1
else
  # without the 1D model, the rule is still stated: the generator computed it
  echo "label rule on the raw rows (from the sample's header, computed by the generator):"
  grep '^# label rule' "$iem_csv" | sed 's/^# /  /'
fi
echo
echo "the same from gst-launch-1.0 (GST_PLUGIN_PATH=$build/elements, from the source tree):"
for f in iem-csv iem-graph iem-image; do
  echo "  gst-launch-1.0 -m \$(grep -v '^#' launch/$f.launch)"
done
echo

# ---- 2. the audio front-end, in short
mkdir -p "$build/demo"
csv="$build/demo/features.csv"
echo "== earshot audio front-end demo =="
echo "input: ${sample#"$here"/}"
echo "pipeline: decode ! audioconvert ! audioresample ! preemphasis ! hammingframe frame-size=400 hop-size=$HOP ! gammatonefb bands=$BANDS"
echo
"$earshot" features --rate "$RATE" --bands "$BANDS" --fmin "$FMIN" --fmax "$FMAX" \
  --hop-size "$HOP" "$sample" "$csv" 2>&1
echo

awk -F, -v rate="$RATE" -v fmin="$FMIN" -v fmax="$FMAX" -v hop="$HOP" '
  function mel(f) { return 2595 * log(1 + f / 700) / log(10) }
  function hz(m) { return 700 * (10 ^ (m / 2595) - 1) }
  function centre(b) { return hz(mel(fmin) + (b + 1) * (mel(fmax) - mel(fmin)) / (nb + 1)) }
  function bar(v, lo, hi,   n, s) {
    n = int(30 * (v - lo) / (hi - lo + 1e-9) + 0.5); s = ""
    while (n-- > 0) s = s "#"
    return s
  }
  NR == 1 { nb = NF - 1; next }
  {
    frames++; frame_sum = 0
    for (b = 0; b < nb; b++) {
      v = $(b + 2)
      if (v != v + 0 || v == "nan" || v == "inf" || v == "-inf") bad++
      sum[b] += v; frame_sum += v
      if (b == 0 && frames == 1 || v > vmax) vmax = v
      if (b == 0 && frames == 1 || v < vmin) vmin = v
    }
    # 250 ms windows for the timeline
    w = int($1 / 0.25)
    if (!(w in wn)) order[nw++] = w
    wn[w]++; wsum[w] += frame_sum / nb
    for (b = 0; b < nb; b++) wband[w, b] += $(b + 2)
    last = $1
  }
  END {
    if (frames == 0) { print "no frames: the input is shorter than one frame"; exit 1 }
    printf "frames: %d (%.0f per second), bands: %d, last frame starts at %.2f s\n", frames, rate / hop, nb, last
    printf "log energy range: %.2f .. %.2f, non-finite values: %d\n\n", vmin, vmax, bad + 0
    # pre-emphasis lifts the top octaves and wide high bands collect more of
    # the noise, so the loudest bands on average tend to be high ones
    print "loudest bands on average (mean log energy):"
    for (b = 0; b < nb; b++) mean[b] = sum[b] / frames
    for (k = 0; k < 5; k++) {
      best = -1
      for (b = 0; b < nb; b++) if (!(b in used) && (best < 0 || mean[b] > mean[best])) best = b
      used[best] = 1
      printf "  b%-3d %6.0f Hz  %7.2f\n", best, centre(best), mean[best]
    }
    lo = 1e30; hi = -1e30
    for (i = 0; i < nw; i++) { m = wsum[order[i]] / wn[order[i]]; if (m < lo) lo = m; if (m > hi) hi = m }
    print "\ntimeline (250 ms windows): loudest band and mean level"
    for (i = 0; i < nw; i++) {
      w = order[i]; best = 0
      for (b = 1; b < nb; b++) if (wband[w, b] > wband[w, best]) best = b
      m = wsum[w] / wn[w]
      printf "  %5.2f s  b%-3d %6.0f Hz  %7.2f %s\n", w * 0.25, best, centre(best), m, bar(m, lo, hi)
    }
  }' "$csv"
echo
echo "features: $csv"
if [ "$iem_status" -ne 0 ]; then
  echo
  echo "demo: INCOMPLETE - the IEM part failed or a shipped model is missing (see above)" >&2
  exit 1
fi
