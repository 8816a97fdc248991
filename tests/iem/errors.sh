# earshot iem: usage errors (exit 2), --help, and models that are missing or
# of the wrong kind (exit 1, a message naming the model and where it was
# searched; nothing is classified).
. "$(dirname "$0")/common.sh"
make_models
make_curve "$work/warm.csv" warm
"$EARSHOT" plot "$work/warm.csv" "$work/warm.png"

run "$EARSHOT" iem --help
expect_status 0 "--help"
for word in --model-1d --model-2d --json --csv --output --recursive --quiet --verbose "Exit status"; do
  expect_in "$work/out" "$word"
done
run "$EARSHOT" help iem
expect_status 0 "earshot help iem"
expect_in "$work/out" "--model-2d"

run "$EARSHOT" iem
expect_status 2 "no arguments"
expect_in "$work/err" "expected at least one FILE or DIR"
run "$EARSHOT" iem --frobnicate "$work/warm.csv"
expect_status 2 "unknown option"
expect_in "$work/err" "frobnicate"
run "$EARSHOT" iem --json --csv "$work/warm.csv"
expect_status 2 "--json with --csv"
expect_in "$work/err" "exclude each other"
run "$EARSHOT" iem --model-1d= "$work/warm.csv"
expect_status 2 "empty --model-1d"
run "$EARSHOT" iem "$work/warm.csv" -o
expect_status 2 "-o without a value"

# a missing model: which one, for what, where it was searched, what to do
ES_MODEL_PATH="$work/models" run "$EARSHOT" iem --model-1d no-such-model "$work/warm.csv"
expect_status 1 "missing 1D model"
expect_in "$work/err" 'the 1D model "no-such-model" (for CSV measurements) was not found'
expect_in "$work/err" "$work/models"
expect_in "$work/err" "ES_MODEL_PATH"
expect_in "$work/err" "--model-1d PATH"
[ -s "$work/out" ] && fail "nothing classified when a model is missing: $(cat "$work/out")" || ok "no results without the model"
ES_MODEL_PATH="$work/models" run "$EARSHOT" iem --model-2d no-such-model --model-1d "$M1" "$work/warm.csv" "$work/warm.png"
expect_status 1 "missing 2D model"
expect_in "$work/err" 'the 2D model "no-such-model" (for graph images) was not found'
run "$EARSHOT" iem --model-2d "$work/nowhere/m.safetensors" "$work/warm.png"
expect_status 1 "missing model file"
expect_in "$work/err" "$work/nowhere/m.safetensors"

# not a model / the wrong kind of model
echo "hello" >"$work/fake.safetensors"
run "$EARSHOT" iem --model-1d "$work/fake.safetensors" "$work/warm.csv"
expect_status 1 "a file that is not a model"
expect_in "$work/err" "cannot load the 1D model"
expect_in "$work/err" "$work/fake.safetensors"
run "$EARSHOT" iem --model-1d "$M2" "$work/warm.csv"
expect_status 1 "image model given for measurements"
expect_in "$work/err" "does not take one feature vector"
run "$EARSHOT" iem --model-2d "$M1" "$work/warm.png"
expect_status 1 "features model given for images"
expect_in "$work/err" "does not take grey images"

finish
