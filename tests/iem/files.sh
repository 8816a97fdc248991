# earshot iem on single files: CSV → 1D model, PNG/JPEG → 2D model, content
# before extension, default model names through ES_MODEL_PATH, -v, and the
# same probabilities as the cnnclassify element on the same input.
. "$(dirname "$0")/common.sh"
make_models
need_python

for kind in warm bright neutral vshape; do
  make_curve "$work/$kind.csv" "$kind"
  "$EARSHOT" plot "$work/$kind.csv" "$work/$kind.png" || fail "earshot plot $kind"
done

# measurements → the 1D model
for kind in warm bright neutral vshape; do
  run "$EARSHOT" iem --model-1d "$M1" "$work/$kind.csv"
  expect_status 0 "$kind.csv"
  label=$(case $kind in warm) echo Warm;; bright) echo Bright;; neutral) echo Neutral;; vshape) echo V-shape;; esac)
  expect_label "$work/$kind.csv" "$label"
  expect_in "$work/out" "tiny-iem-1d"
done

# graphs (made with earshot plot) → the 2D model
for kind in warm bright neutral vshape; do
  run "$EARSHOT" iem --model-2d "$M2" "$work/$kind.png"
  expect_status 0 "$kind.png"
  label=$(case $kind in warm) echo Warm;; bright) echo Bright;; neutral) echo Neutral;; vshape) echo V-shape;; esac)
  expect_label "$work/$kind.png" "$label"
  expect_in "$work/out" "tiny-iem-2d"
done

# other sizes and a JPEG: decoded through GStreamer, resized by area averaging
"$EARSHOT" plot --width 1200 --height 750 "$work/bright.csv" "$work/bright-big.png"
run "$EARSHOT" iem --model-2d "$M2" "$work/bright-big.png"
expect_status 0 "1200x750 graph"
expect_label "$work/bright-big.png" Bright
if gst-inspect-1.0 jpegenc >/dev/null 2>&1; then
  gst-launch-1.0 -q filesrc location="$work/warm.png" ! pngdec ! videoconvert \
    ! jpegenc quality=95 ! filesink location="$work/warm.jpg"
  run "$EARSHOT" iem --model-2d "$M2" "$work/warm.jpg"
  expect_status 0 "JPEG graph"
  expect_label "$work/warm.jpg" Warm
else
  echo "note: jpegenc not installed, JPEG case not run"
fi

# the content decides before the name: a PNG called .csv is an image
cp "$work/bright.png" "$work/graph-named.csv"
run "$EARSHOT" iem --model-1d "$M1" --model-2d "$M2" "$work/graph-named.csv"
expect_status 0 "PNG named .csv"
expect_label "$work/graph-named.csv" Bright
expect_in "$work/out" "tiny-iem-2d"

# default model names, found on ES_MODEL_PATH
mkdir -p "$work/named"
cp "$M1" "$work/named/iem-signature-1d.safetensors"
cp "$M2" "$work/named/iem-signature-2d.safetensors"
ES_MODEL_PATH="$work/named" run "$EARSHOT" iem "$work/warm.csv" "$work/bright.png"
expect_status 0 "default model names on ES_MODEL_PATH"
expect_label "$work/warm.csv" Warm
expect_label "$work/bright.png" Bright
ES_MODEL_PATH="$work/models" run "$EARSHOT" iem --model-1d tiny-iem-1d "$work/warm.csv"
expect_status 0 "--model-1d NAME"
expect_label "$work/warm.csv" Warm

# -v: every class probability, and the label rule for measurements
run "$EARSHOT" iem -v --model-1d "$M1" "$work/vshape.csv"
expect_status 0 "-v"
for label in Neutral Bright Warm V-shape; do
  grep -qE "^ +$label +[0-9.]+ %" "$work/out" && ok "-v lists $label" || fail "-v lacks $label: $(cat "$work/out")"
done
expect_in "$work/out" "label rule on the raw rows: V-shape"

# the CLI gives what the element gives: frsrc ! cnnclassify and
# filesrc ! decodebin ! videoconvert ! cnnclassify
element_probs() {   # gst-launch -m output → the probabilities, one per line
  sed -n 's/.* probabilities=(double)< \([^>]*\) >.*/\1/p' | head -n 1 | tr ',' '\n' | tr -d ' '
}
cli_probs() {   # --json output of one file → the probabilities in label order
  "$PY" -c 'import json,sys
r = json.load(sys.stdin)["files"][0]
print("\n".join(repr(p) for p in r["probabilities"].values()))'
}
compare_probs() {   # compare_probs WHAT FILE_A FILE_B
  if [ "$(wc -l <"$2")" -ne 4 ] || [ "$(wc -l <"$3")" -ne 4 ]; then
    fail "$1: expected 4 probabilities each, got $(tr '\n' ' ' <"$2") / $(tr '\n' ' ' <"$3")"
  elif paste "$2" "$3" | awk '{ d = $1 - $2; if (d < 0) d = -d; if (d > 1e-4) bad = 1 } END { exit bad }'; then
    ok "$1: CLI and element agree"
  else
    fail "$1: CLI $(tr '\n' ' ' <"$3") vs element $(tr '\n' ' ' <"$2")"
  fi
}
GST_PLUGIN_PATH="${GST_PLUGIN_PATH_1_0:-}" timeout 60 gst-launch-1.0 -m frsrc location="$work/vshape.csv" points=64 \
  ! cnnclassify model="$M1" ! fakesink 2>&1 | element_probs >"$work/element-1d"
"$EARSHOT" iem --json --model-1d "$M1" "$work/vshape.csv" 2>/dev/null | cli_probs >"$work/cli-1d"
compare_probs "measurement" "$work/element-1d" "$work/cli-1d"
GST_PLUGIN_PATH="${GST_PLUGIN_PATH_1_0:-}" timeout 60 gst-launch-1.0 -m filesrc location="$work/bright-big.png" ! decodebin \
  ! videoconvert ! cnnclassify model="$M2" ! fakesink 2>&1 | element_probs >"$work/element-2d"
"$EARSHOT" iem --json --model-2d "$M2" "$work/bright-big.png" 2>/dev/null | cli_probs >"$work/cli-2d"
compare_probs "graph image" "$work/element-2d" "$work/cli-2d"

finish
