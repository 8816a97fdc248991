# earshot classify: one row per file or per window, CSV and JSON that parse,
# the outputs never an input, unreadable, non-audio and empty files
# reported and skipped with a non-zero exit, a clip shorter than a window
# padded with silence as in training, and the same decisions as the
# elements on the line `earshot model info` prints. The models are made by
# make-classify-models.c (a hand-weighted low/high tone model and a random
# 2D CNN, both with a learned front-end).
. "$(dirname "$0")/common.sh"

: "${MAKE_CLASSIFY_MODELS:?MAKE_CLASSIFY_MODELS must point to make-classify-models}"
PY=/usr/bin/python3
"$MAKE_CLASSIFY_MODELS" "$work" || { echo "FAIL: cannot make the test models" >&2; exit 1; }
export ES_MODEL_PATH="$work:${ES_MODEL_PATH:-}"
export GST_PLUGIN_PATH="${GST_PLUGIN_PATH_1_0:-}"

mkdir -p "$work/clips/sub"
make_wav "$work/clips/low.wav" 32000 16000 1 300
make_wav "$work/clips/high.wav" 32000 16000 1 5000
make_wav "$work/clips/sub/high44k.wav" 88200 44100 2 5000     # resampled, mixed to mono
make_wav "$work/short.wav" 1000 16000 1 300
printf 'not audio at all\n' >"$work/notaudio.wav"
$PY -c 'import sys, wave
w = wave.open(sys.argv[1], "wb"); w.setnchannels(1); w.setsampwidth(2); w.setframerate(16000)
w.writeframes(b""); w.close()' "$work/empty.wav"

# ---- one row per file --------------------------------------------------------
run "$EARSHOT" classify --model tones "$work/clips/low.wav" "$work/clips/high.wav"
expect_status 0 "two tones classified"
grep -q "low.wav: low (1.00)" "$work/out" && ok "300 Hz is low" || fail "300 Hz: $(cat "$work/out")"
grep -q "high.wav: high (1.00)" "$work/out" && ok "5 kHz is high" || fail "5 kHz: $(cat "$work/out")"

run "$EARSHOT" classify --model tones --csv "$work/clips"
expect_status 0 "a folder as CSV"
expect_stderr "1 subfolder not searched (use -r)"
if $PY - "$work/out" <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
assert rows[0] == ["path", "label", "confidence", "low", "high"], rows[0]
assert len(rows) == 3, rows
by = {r[0].rsplit("/", 1)[1]: r for r in rows[1:]}
assert by["high.wav"][1] == "high" and by["low.wav"][1] == "low", by
for r in rows[1:]:
    p = [float(x) for x in r[3:]]
    assert abs(sum(p) - 1) < 1e-5 and float(r[2]) == max(p), r
EOF
then ok "CSV parses: header, one row per file, probabilities sum to 1"; else fail "CSV: $(cat "$work/out")"; fi

run "$EARSHOT" classify --model tones -r --json "$work/clips"
expect_status 0 "-r as JSON"
if $PY - "$work/out" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["model"] == "tones" and d["labels"] == ["low", "high"], d
files = {f["path"].rsplit("/", 1)[1]: f for f in d["files"]}
assert sorted(files) == ["high.wav", "high44k.wav", "low.wav"], files
assert files["high44k.wav"]["label"] == "high" and files["low.wav"]["label"] == "low"
# 2 s at 16 kHz: 198 frames, windows of 30 every 15 frames
assert files["low.wav"]["windows"] == 12, files["low.wav"]
assert d["skipped"] == []
EOF
then ok "JSON parses, -r walks the subfolder (44.1 kHz stereo resampled)"; else fail "JSON: $(cat "$work/out")"; fi

# ---- one row per window ------------------------------------------------------------
run "$EARSHOT" classify --model tones --windows --csv "$work/clips/low.wav"
expect_status 0 "--windows CSV"
if $PY - "$work/out" <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
assert rows[0] == ["path", "start", "end", "label", "confidence", "low", "high"], rows[0]
assert len(rows) == 13, len(rows)
starts = [float(r[1]) for r in rows[1:]]
assert starts == [round(0.15 * j, 3) for j in range(12)], starts
assert all(r[3] == "low" for r in rows[1:])
EOF
then ok "--windows: 12 rows, one every 15 frames (0.15 s)"; else fail "--windows CSV: $(cat "$work/out")"; fi

run "$EARSHOT" classify --model tones --windows --json "$work/clips/low.wav"
expect_status 0 "--windows JSON"
$PY -c 'import json,sys; f=json.load(open(sys.argv[1]))["files"][0]; assert len(f["windows"]) == 12 and f["windows"][1]["start"] == 0.15' "$work/out" \
  && ok "--windows JSON: 12 windows" || fail "--windows JSON: $(head -c 400 "$work/out")"

# ---- bad files are reported and skipped --------------------------------------------
run "$EARSHOT" classify --model tones --csv "$work/notaudio.wav" "$work/clips/low.wav" \
  "$work/empty.wav" "$work/missing.wav"
expect_status 1 "a non-audio, an empty and a missing file"
expect_stderr "notaudio.wav: not an audio file"
expect_stderr "empty.wav: no audio samples in the file"
expect_stderr "missing.wav: No such file"
expect_stderr "4 files, 1 classified, 3 skipped"
[ "$(wc -l <"$work/out")" -eq 2 ] && grep -q "low.wav,low," "$work/out" \
  && ok "the good file still has its row" || fail "rows after skipped files: $(cat "$work/out")"
# a clip shorter than one window is padded with silence to one window, as in
# training (0.062 s of a 300 Hz tone: the low class)
run "$EARSHOT" classify --model tones --csv "$work/short.wav"
expect_status 0 "a clip shorter than a window"
grep -q "short.wav,low," "$work/out" && ok "the short clip classified, padded" \
  || fail "short clip: $(cat "$work/out")"
run "$EARSHOT" classify --model tones --max-seconds 1 "$work/clips/low.wav"
expect_status 1 "a file longer than --max-seconds"
expect_stderr "low.wav: longer than the maximum of 1.0 s (skipped)"
run "$EARSHOT" classify --model tones --json "$work/notaudio.wav"
expect_status 1 "only a non-audio file"
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["files"] == [] and d["skipped"][0]["path"].endswith("notaudio.wav")' "$work/out" \
  && ok "JSON lists the skipped file" || fail "JSON skipped: $(cat "$work/out")"

# ---- outputs -----------------------------------------------------------------------
cp "$work/clips/low.wav" "$work/low-copy.wav"
run "$EARSHOT" classify --model tones --csv -o "$work/clips/low.wav" "$work/clips/low.wav"
expect_status 1 "-o naming the input"
cmp -s "$work/clips/low.wav" "$work/low-copy.wav" && ok "the input is untouched" || fail "-o overwrote its input"
ln -s "$work/clips/low.wav" "$work/link.wav"
run "$EARSHOT" classify --model tones -o "$work/link.wav" "$work/clips"
expect_status 1 "-o through a symlink to an input"
cmp -s "$work/clips/low.wav" "$work/low-copy.wav" && ok "the input is untouched (symlink)" || fail "-o overwrote its input through a link"
run "$EARSHOT" classify --model tones --csv -o "$work/result.csv" "$work/clips/low.wav"
expect_status 0 "-o FILE"
grep -q "low.wav,low," "$work/result.csv" && ok "-o wrote the CSV" || fail "-o: $(cat "$work/result.csv")"

# ---- usage and models ----------------------------------------------------------------
run "$EARSHOT" classify --model tones --csv --json "$work/clips/low.wav"
expect_status 2 "--csv with --json"
run "$EARSHOT" classify --model tones
expect_status 2 "no input"
run "$EARSHOT" classify --model iem-signature-1d "$work/clips/low.wav"
expect_status 1 "a model that is not an audio model"
expect_stderr "is not an audio model"
# without --model: esc10, shipped in models/ (searched while running from the
# build tree); a tree without it must say so
src_models=$(cd "$(dirname "$0")/../.." && pwd)/models
if [ -f "$src_models/esc10.safetensors" ]; then
  run "$EARSHOT" classify --csv "$work/clips/low.wav"
  expect_status 0 "the default model esc10"
  head -1 "$work/out" | grep -q "dog_bark" && ok "esc10's classes in the header" \
    || fail "default model header: $(head -1 "$work/out")"
else
  run env ES_MODEL_PATH="$work/none" "$EARSHOT" classify "$work/clips/low.wav"
  expect_status 1 "the default model esc10 absent"
  expect_stderr 'model "esc10" was not found'
fi

# ---- the same decisions as the elements -------------------------------------------------
# The launch line `earshot model info` prints runs as printed (FILE replaced)
# and its cnnclassify summary holds the very file-level probabilities the
# command gives; with average-windows=1 each window message holds the
# window's (the command's rows).
$PY - "$work/noise.wav" <<'EOF'
import struct, sys, wave, random
random.seed(4)
w = wave.open(sys.argv[1], "wb"); w.setnchannels(1); w.setsampwidth(2); w.setframerate(16000)
w.writeframes(b"".join(struct.pack("<h", int(8000 * random.uniform(-1, 1) * (1 + (i // 4000) % 3)))
                       for i in range(48000)))
w.close()
EOF
run "$EARSHOT" model info cnn2d
expect_status 0 "model info of a learned front-end model"
grep -q "^Served:      layers 0-1 (gammatone, log) in gammatonefb model=; layers 2-10 in cnnclassify model=, on windows \[1, 32, 40\]" "$work/out" \
  && ok "model info says which element runs which layers" || fail "model info: $(grep Served "$work/out")"
line=$(tail -n 1 "$work/out" | sed -e 's/^ *//' -e "s|location=FILE|location=$work/noise.wav|")
case "$line" in
  *"audio/x-raw,format=F32LE,channels=1,rate=16000 ! preemphasis"*"! hammingframe"*"! gammatonefb model=cnn2d ! cnnclassify model=cnn2d ! fakesink")
    ok "the printed line is the element chain" ;;
  *) fail "model info line: $line" ;;
esac
# shellcheck disable=SC2086
eval "timeout 60 ${line/gst-launch-1.0/gst-launch-1.0 -m}" >"$work/gst.txt" 2>&1 \
  && ok "the printed line runs" || fail "the printed line failed: $(tail -5 "$work/gst.txt")"
line1=${line/cnnclassify model=cnn2d/cnnclassify model=cnn2d average-windows=1}
eval "timeout 60 ${line1/gst-launch-1.0/gst-launch-1.0 -m}" >"$work/gst1.txt" 2>&1 \
  || fail "the line with average-windows=1 failed: $(tail -5 "$work/gst1.txt")"
run "$EARSHOT" classify --model cnn2d --json --windows "$work/noise.wav"
expect_status 0 "classify the noise with the 2D model"
if $PY - "$work/out" "$work/gst.txt" "$work/gst1.txt" <<'EOF'
import json, re, sys
d = json.load(open(sys.argv[1]))
f = d["files"][0]
def probs(text):
    return [float(x) for x in re.search(r"probabilities=\(double\)< ([^>]*) >", text).group(1).split(",")]
summary = [l for l in open(sys.argv[2]) if "cnnclassify-summary" in l]
assert len(summary) == 1, summary
element = probs(summary[0])
command = [f["probabilities"][l] for l in d["labels"]]
assert element == command, (element, command)
windows = [probs(l) for l in open(sys.argv[3]) if re.search(r"\): cnnclassify, ", l)]
rows = [[w["probabilities"][l] for l in d["labels"]] for w in f["windows"]]
assert len(windows) == len(rows) == 13, (len(windows), len(rows))  # (298 - 40) / 20 + 1
assert windows == rows
EOF
then ok "file and window probabilities equal the elements' (17 digits)"; else fail "command and elements disagree"; fi

# ---- a clip shorter than one window: the printed line decides as the command does -------
# 0.3 s at 8 kHz through the shipped digits model (learned front-end, PCEN;
# windows of 0.655 s): the elements complete it with silence to one window,
# in gst-launch-1.0 as in the command, so the line's one window and its
# summary hold the command's probabilities to the last digit; the summary
# says the stream was shorter than a window; pad-short=false decides nothing.
make_wav "$work/short8k.wav" 2400 8000 1 700
run "$EARSHOT" model info digits
expect_status 0 "model info digits"
line=$(tail -n 1 "$work/out" | sed -e 's/^ *//' -e "s|location=FILE|location=$work/short8k.wav|")
# shellcheck disable=SC2086
eval "timeout 60 ${line/gst-launch-1.0/gst-launch-1.0 -m}" >"$work/gst-short.txt" 2>&1 \
  && ok "the digits line runs on a short clip" || fail "digits line: $(tail -5 "$work/gst-short.txt")"
line0=${line/cnnclassify model=digits/cnnclassify model=digits pad-short=false}
eval "timeout 60 ${line0/gst-launch-1.0/gst-launch-1.0 -m}" >"$work/gst-short0.txt" 2>&1 \
  || fail "the line with pad-short=false failed: $(tail -5 "$work/gst-short0.txt")"
run "$EARSHOT" classify --model digits --json --windows "$work/short8k.wav"
expect_status 0 "classify a short clip with digits"
if $PY - "$work/out" "$work/gst-short.txt" "$work/gst-short0.txt" <<'EOF'
import json, re, sys
d = json.load(open(sys.argv[1]))
f = d["files"][0]
def probs(text):
    return [float(x) for x in re.search(r"probabilities=\(double\)< ([^>]*) >", text).group(1).split(",")]
def field(text, name, kind):
    return re.search(name + r"=\(" + kind + r"\)([^,;]*)", text).group(1)
lines = open(sys.argv[2]).read().splitlines()
summary = [l for l in lines if "cnnclassify-summary" in l]
windows = [l for l in lines if re.search(r"\): cnnclassify, ", l)]
assert len(summary) == 1 and len(windows) == 1, (len(summary), len(windows))
command = [f["probabilities"][l] for l in d["labels"]]
assert probs(summary[0]) == command, (probs(summary[0]), command)
assert probs(windows[0]) == [f["windows"][0]["probabilities"][l] for l in d["labels"]]
assert f["windows"][0]["start"] == 0 and abs(f["windows"][0]["end"] - 0.64) < 1e-9, f["windows"]
assert field(summary[0], "shorter-than-window", "boolean") == "true", summary[0]
# 0.3 s of audio; one window spans 63 hops + 1 frame = 5240 samples, 0.655 s,
# its frames' spans 0.64 s
assert int(field(summary[0], "padding", "guint64")) == 355000000, summary[0]
assert int(field(windows[0], "padding", "guint64")) == 340000000, windows[0]
off = [l for l in open(sys.argv[3]) if "cnnclassify-summary" in l]
assert len(off) == 1 and "windows=(guint64)0" in off[0], off
EOF
then ok "a short clip: the line's decision is the command's (17 digits), said shorter than a window"
else fail "short clip: command and line disagree"; fi

# ---- the ready lines in launch/ (the 2D test model under the name esc10, with its 10 ms
# frames where esc10 has 20 ms) -----------------------------------------------------------
src=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$work/named"
cp "$work/cnn2d.safetensors" "$work/named/esc10.safetensors"
line=$(grep -v '^#' "$src/launch/classify-file.launch" | sed -e "s|samples/sample.wav|$work/noise.wav|" \
  -e 's/hop-size=320/hop-size=160/')
status=0
# shellcheck disable=SC2086
ES_MODEL_PATH="$work/named" timeout 60 gst-launch-1.0 -m $line >"$work/gst2.txt" 2>&1 || status=$?
expect_status 0 "launch/classify-file.launch"
[ "$(grep -c '): cnnclassify, ' "$work/gst2.txt")" -eq 13 ] && grep -q 'cnnclassify-summary' "$work/gst2.txt" \
  && ok "classify-file.launch: 13 window messages and the summary" \
  || fail "classify-file.launch messages: $(grep -c cnnclassify "$work/gst2.txt")"
line=$(grep -v '^#' "$src/launch/classify-microphone.launch" \
  | sed -e 's/autoaudiosrc/audiotestsrc num-buffers=100 wave=pink-noise/' -e 's/hop-size=320/hop-size=160/')
status=0
# shellcheck disable=SC2086
ES_MODEL_PATH="$work/named" timeout 60 gst-launch-1.0 -m -e $line >"$work/gst3.txt" 2>&1 || status=$?
expect_status 0 "launch/classify-microphone.launch (test source)"
grep -q 'cnnclassify-summary' "$work/gst3.txt" && ok "classify-microphone.launch: summary" \
  || fail "classify-microphone.launch: $(tail -3 "$work/gst3.txt")"

# ---- earshot listen serves a learned front-end too ----------------------------------------
run "$EARSHOT" listen --model tones --replay "$work/clips/low.wav" --fast --json
expect_status 0 "listen --replay with a learned front-end model"
grep -q '"event":"start","label":"low"' "$work/out" && ok "listen: the low tone starts an event" \
  || fail "listen: $(head -c 300 "$work/out")"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)" >&2; exit 1; }
echo "all passed"
