#!/usr/bin/env bash
# Prints the class probabilities of both shipped IEM models (models/iem-signature-1d
# and -2d) on every measurement of ../shared/data/iem (or DATA), one line per file
# and model, every digit the JSON carries. Run it before and after a change and
# diff the outputs: identical text means bit-identical probabilities.
#   scripts/iem-probability-parity.sh [BUILD_DIR] [DATA] > probs.txt
# The 2D model reads graphs: each measurement is drawn with `earshot plot` first
# (set ES_PARITY_2D=0 to skip the 2D half, it is the slow one).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
data=${2:-$here/../shared/data/iem}
earshot=$build/launch/earshot
[ -x "$earshot" ] || { echo "no $earshot (build first)" >&2; exit 1; }
[ -d "$data" ] || { echo "no data folder $data" >&2; exit 1; }
py=/usr/bin/python3
m1=$here/models/iem-signature-1d.safetensors
m2=$here/models/iem-signature-2d.safetensors
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

flatten() {   # earshot iem --json → "MODEL<TAB>PATH<TAB>label=p ..." sorted
  "$py" -c 'import json, sys
base = sys.argv[1]
for r in json.load(sys.stdin)["files"]:
    path = r["path"]
    if path.startswith(base):
        path = path[len(base):]
    probs = " ".join("%s=%r" % kv for kv in (r.get("probabilities") or {}).items())
    print("%s\t%s\t%s" % (r.get("model"), path, probs or r.get("error", "?")))' "$1" | LC_ALL=C sort
}

find "$data" -type f -name '*.csv' | LC_ALL=C sort >"$work/list"
"$earshot" iem --json -v -q --model-1d "$m1" -r "$data" 2>/dev/null | flatten "$data/" || true
if [ "${ES_PARITY_2D:-1}" != 0 ]; then
  mkdir -p "$work/png"
  i=0
  while IFS= read -r f; do
    i=$((i + 1))
    rel=${f#"$data/"}
    out="$work/png/$(printf '%05d' $i).png"
    "$earshot" plot "$f" "$out" 2>/dev/null && printf '%s\t%s\n' "$out" "$rel"
  done <"$work/list" >"$work/map"
  "$earshot" iem --json -v -q --model-2d "$m2" "$work/png" 2>/dev/null | flatten "$work/png/" || true
fi
