# launch/iem-*.launch run as printed from the source tree (the README's way:
# gst-launch-1.0 -m $(grep -v '^#' FILE)) and post a cnnclassify decision.
# With the tiny test models under the shipped names (the 1D line's points=
# set to the tiny model's 64), and unchanged with the shipped models when
# they exist.
. "$(dirname "$0")/common.sh"
: "${ES_SOURCE_DIR:?ES_SOURCE_DIR must point to the source tree}"
make_models
export GST_PLUGIN_PATH="${GST_PLUGIN_PATH_1_0:-}"
mkdir -p "$work/named"
cp "$M1" "$work/named/iem-signature-1d.safetensors"
cp "$M2" "$work/named/iem-signature-2d.safetensors"

# run_line FILE [SED]: the line of FILE (edited by SED) with -m, from the source tree
run_line() {
  local line
  line=$(grep -v '^#' "$ES_SOURCE_DIR/launch/$1" | sed -e "${2:-}")
  status=0
  (cd "$ES_SOURCE_DIR" && timeout 60 gst-launch-1.0 -m $line) >"$work/out" 2>"$work/err" || status=$?
}

expect_decision() {   # expect_decision WHAT MODEL LABEL
  if grep -q "cnnclassify, .*model=(string)$2, label=(string)$3," "$work/out"; then
    ok "$1: $2 says $3"
  else
    fail "$1: no $2 decision $3 (exit $status): $(grep -E 'ERROR|cnnclassify,' "$work/out" "$work/err" | head -c 600)"
  fi
}

for f in iem-csv.launch iem-graph.launch iem-image.launch; do
  [ -f "$ES_SOURCE_DIR/launch/$f" ] && ok "$f exists" || fail "$f missing"
done

ES_MODEL_PATH="$work/named" run_line iem-csv.launch 's/points=128/points=64/'
expect_status 0 "iem-csv.launch (tiny model)"
expect_decision "iem-csv.launch" tiny-iem-1d Warm
ES_MODEL_PATH="$work/named" run_line iem-graph.launch
expect_status 0 "iem-graph.launch (tiny model)"
expect_decision "iem-graph.launch" tiny-iem-2d Warm
ES_MODEL_PATH="$work/named" run_line iem-image.launch
expect_status 0 "iem-image.launch (tiny model)"
expect_decision "iem-image.launch" tiny-iem-2d Warm

# as printed, with the shipped models (found in the source tree's models/)
if [ -f "$ES_SOURCE_DIR/models/iem-signature-1d.safetensors" ]; then
  ES_MODEL_PATH= run_line iem-csv.launch
  expect_status 0 "iem-csv.launch as printed (shipped model)"
  expect_decision "iem-csv.launch" iem-signature-1d Warm
else
  echo "note: no shipped 1D model yet, iem-csv.launch run with the tiny model only"
fi
if [ -f "$ES_SOURCE_DIR/models/iem-signature-2d.safetensors" ]; then
  for f in iem-graph.launch iem-image.launch; do
    ES_MODEL_PATH= run_line "$f"
    expect_status 0 "$f as printed (shipped model)"
    expect_decision "$f" iem-signature-2d Warm
  done
else
  echo "note: no shipped 2D model yet, graph lines run with the tiny model only"
fi

finish
