# earshot iem --json -v and the cnnclassify element message give the same
# probabilities to every printed digit (both go through decide/decision.h):
# measurements (frsrc ! cnnclassify) and pictures of graphs (filesrc !
# decodebin ! videoconvert ! cnnclassify), with the tiny test models and,
# when they exist, the shipped ones.
. "$(dirname "$0")/common.sh"
: "${ES_SOURCE_DIR:?ES_SOURCE_DIR must point to the source tree}"
make_models
need_python
export GST_PLUGIN_PATH="${GST_PLUGIN_PATH_1_0:-}"

for kind in warm bright neutral vshape; do
  make_curve "$work/$kind.csv" "$kind"
  "$EARSHOT" plot "$work/$kind.csv" "$work/$kind.png" || fail "earshot plot $kind"
done

# same WHAT CLI_JSON ELEMENT_OUTPUT: the first element message's probabilities
# and the CLI's, as printed, must be the same numbers (17 significant digits
# both: equal text after parsing means equal doubles)
same() {
  if "$PY" - "$2" "$3" <<'PY'
import json, re, sys
cli = list(json.load(open(sys.argv[1]))["files"][0]["probabilities"].values())
m = re.search(r"probabilities=\(double\)< ([^>]*) >", open(sys.argv[2]).read())
element = [float(x) for x in m.group(1).split(",")] if m else []
if not element or cli != element:
    print("CLI %r\nelement %r" % (cli, element))
    sys.exit(1)
PY
  then ok "$1: every digit agrees"; else fail "$1: CLI and element differ"; fi
}

# parity MODEL_1D POINTS MODEL_2D
parity() {
  for kind in warm bright neutral vshape; do
    "$EARSHOT" iem --json -v --model-1d "$1" "$work/$kind.csv" >"$work/cli.json" 2>/dev/null
    timeout 60 gst-launch-1.0 -m frsrc location="$work/$kind.csv" points="$2" \
      ! cnnclassify model="$1" ! fakesink >"$work/element" 2>&1
    same "$(basename "$1") on $kind.csv" "$work/cli.json" "$work/element"
    "$EARSHOT" iem --json -v --model-2d "$3" "$work/$kind.png" >"$work/cli.json" 2>/dev/null
    timeout 60 gst-launch-1.0 -m filesrc location="$work/$kind.png" ! decodebin \
      ! videoconvert ! cnnclassify model="$3" ! fakesink >"$work/element" 2>&1
    same "$(basename "$3") on $kind.png" "$work/cli.json" "$work/element"
  done
}

parity "$M1" 64 "$M2"
shipped1="$ES_SOURCE_DIR/models/iem-signature-1d.safetensors"
shipped2="$ES_SOURCE_DIR/models/iem-signature-2d.safetensors"
if [ -f "$shipped1" ] && [ -f "$shipped2" ]; then
  parity "$shipped1" 512 "$shipped2"
else
  echo "note: no shipped models, tiny models only"
fi
finish
