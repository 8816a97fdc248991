#!/bin/bash
# The shipped audio models (models/esc10, digits, heart and their -static
# twins) score their development data with `earshot eval MODEL FOLDER`: the
# audio data kind reads the folder as the model's front-end says (rate,
# frames, windows), and eval reports window and whole-file figures. The data
# is what they were trained on, so the figures must be high; this checks the
# wiring (model file, front-end description, decoder, windows, file
# decisions), not generalisation (the cards hold the grouped CV figures).
# Needs ../shared/data/audio: skipped (77) without it.
set -u
data=$ES_DATA_DIR/audio
[ -d "$data/esc10" ] && [ -d "$data/fsdd" ] && [ -d "$data/heart_yaseen2018" ] || exit 77
models=$ES_MODEL_PATH
fail=0
check () { if ! eval "$1"; then echo "FAIL: $2"; fail=1; fi; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

while read -r model folder min; do
  for m in "$model" "$model-static"; do
    "$EARSHOT" eval "$models/$m.safetensors" "$data/$folder" >"$tmp/out" 2>"$tmp/err"
    check '[ $? -eq 0 ]' "eval $m exits 0 ($(tail -2 "$tmp/err"))"
    acc=$(sed -n '/^whole files/{n;s/^accuracy \([0-9.]*\) %.*/\1/p}' "$tmp/out")
    check '[ -n "$acc" ]' "eval $m prints whole-file figures"
    check 'awk "BEGIN{exit !(${acc:-0} >= $min)}"' "eval $m: whole-file accuracy ${acc:-?} >= $min %"
  done
done <<LIST
esc10 esc10 70
digits fsdd 80
heart heart_yaseen2018 70
LIST

# a folder the model's kind cannot read as audio input is a clear error
"$EARSHOT" eval "$models/esc10.safetensors" "$data/esc10/index.csv.nope" >/dev/null 2>"$tmp/err"
check '[ $? -eq 1 ] && grep -q "earshot eval:" "$tmp/err"' "eval on a missing path fails clearly"
exit $fail
