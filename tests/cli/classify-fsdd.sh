# Spoken digits (FSDD) shorter than the digits model's window, through the
# line `earshot model info digits` prints and through `earshot classify`:
# the elements complete each clip with silence to one window in both, so the
# line's summary holds the command's file-level probabilities to the last
# digit, and says whether the clip was shorter than a window. Needs
# ../shared/data/audio/fsdd: skipped (77) without it.
. "$(dirname "$0")/common.sh"

fsdd=${ES_DATA_DIR:-}/audio/fsdd
[ -f "$fsdd/index.csv" ] || exit 77
PY=/usr/bin/python3
export GST_PLUGIN_PATH="${GST_PLUGIN_PATH_1_0:-}"

run "$EARSHOT" model info digits
expect_status 0 "model info digits"
line=$(tail -n 1 "$work/out" | sed -e 's/^ *//')
# clips of the four speakers, all but 5_lucas_20 (0.76 s) shorter than a
# window (0.655 s): that one is decided on its own windows, not padded
clips="0/0_george_0.wav 3/3_jackson_10.wav 5/5_lucas_20.wav 7/7_nicolas_30.wav 9/9_jackson_40.wav"
for clip in $clips; do
  [ -f "$fsdd/$clip" ] || { fail "$clip missing from $fsdd"; continue; }
  name=$(basename "$clip" .wav)
  l=${line/location=FILE/location=$fsdd/$clip}
  eval "timeout 60 ${l/gst-launch-1.0/gst-launch-1.0 -m}" >"$work/$name.gst" 2>&1 \
    || fail "$clip: the line failed: $(tail -3 "$work/$name.gst")"
  "$EARSHOT" classify -q --model digits --json "$fsdd/$clip" >"$work/$name.json" \
    || fail "$clip: earshot classify failed"
  if $PY - "$work/$name.json" "$work/$name.gst" <<'EOF'
import json, re, sys
d = json.load(open(sys.argv[1]))
f = d["files"][0]
summary = [l for l in open(sys.argv[2]) if "cnnclassify-summary" in l]
assert len(summary) == 1, summary
s = summary[0]
element = [float(x) for x in re.search(r"probabilities=\(double\)< ([^>]*) >", s).group(1).split(",")]
assert element == [f["probabilities"][l] for l in d["labels"]], (element, f)
short = f["seconds"] < 0.655
assert ("shorter-than-window=(boolean)%s" % ("true" if short else "false")) in s, (f["seconds"], s)
assert re.search(r"label=\(string\)([^,]*)", s).group(1) == f["label"]
EOF
  then ok "$clip: the line's decision is the command's"; else fail "$clip: line and command disagree"; fi
done

[ "$failures" -eq 0 ] || { echo "$failures failure(s)" >&2; exit 1; }
echo "all passed"
