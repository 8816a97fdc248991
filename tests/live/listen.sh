# `earshot listen`: --replay on generated tone bursts with hand-weighted test
# models (make-live-models), text and JSON output, real-time pacing, Ctrl-C,
# other rates and channel counts, and bad input (models, files, devices,
# options). Needs MAKE_LIVE_MODELS and EARSHOT (set by meson).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../cli/common.sh"
: "${MAKE_LIVE_MODELS:?MAKE_LIVE_MODELS must point to make-live-models}"

"$MAKE_LIVE_MODELS" "$work" || { echo "FAIL: make-live-models" >&2; exit 1; }
M="$work/tiny-live.safetensors"
PLAIN="--set average-windows=1 --set vote-k=1 --set vote-n=1 --set refractory=0 --set on-threshold=0.6 --set off-threshold=0.4"

expect_out() {
  if grep -q -- "$1" "$work/out"; then
    ok "output has '$1'"
  else
    fail "output should have '$1', got: $(head -c 800 "$work/out")"
  fi
}

# field NAME LINE: a number or string field of a JSON line
field() {
  printf '%s\n' "$2" | sed -n "s/.*\"$1\":\"\{0,1\}\([^,\"}]*\).*/\1/p"
}

# --- JSON lines, exact times ------------------------------------------------
# The 300 Hz tone is on 1.0-2.0 s; 0.5 s windows every 0.25 s. Without
# smoothing or voting the event is [1.000, 2.250) s, decided at 1.250 s.
run "$EARSHOT" listen --replay "$work/burst.wav" --fast --json --model "$M" $PLAIN
expect_status 0 "listen --replay --fast --json"
start=$(grep '"event":"start","label":"low"' "$work/out")
end=$(grep '"event":"end","label":"low"' "$work/out")
[ "$(field time "$start")" = "1.000" ] && ok "start time 1.000" || fail "start: $start"
[ "$(field decided "$start")" = "1.250" ] && ok "decided at 1.250" || fail "start: $start"
[ "$(field time "$end")" = "2.250" ] && ok "end time 2.250" || fail "end: $end"
[ "$(field reason "$end")" = "decided" ] && ok "end reason decided" || fail "end: $end"
conf=$(field confidence "$start")
awk -v c="$conf" 'BEGIN { exit !(c > 0.9 && c <= 1) }' && ok "confidence $conf" \
  || fail "start confidence '$conf'"
# every line is one JSON object with time, event, label, confidence
if /usr/bin/python3 - "$work/out" <<'EOF'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert lines, "no output"
for line in lines:
    o = json.loads(line)
    if o["event"] in ("start", "end"):
        assert {"time", "event", "label", "confidence"} <= o.keys(), line
s = json.loads(lines[-1])
assert s["event"] == "summary" and s["label"] == "quiet", lines[-1]
assert abs(sum(s["shares"].values()) - 1) < 1e-3, lines[-1]
assert s["events"]["low"] == 1 and s["windows"] == 12, lines[-1]
EOF
then ok "JSON lines parse, summary last"; else fail "JSON output: $(cat "$work/out")"; fi
grep -q '"event":"window"' "$work/out" && fail "windows printed without -v" || ok "no window lines"
cp "$work/out" "$work/fast.json"

# --- a replay shorter than one window: completed with silence, one decision ----
# 0.45 s of the 300 Hz tone; one window spans 0.515 s (cnnclassify pad-short)
make_wav "$work/short-low.wav" 7200 16000 1 300
run "$EARSHOT" listen --replay "$work/short-low.wav" --fast --json --model "$M" $PLAIN
expect_status 0 "listen --replay a clip shorter than a window"
if /usr/bin/python3 - "$work/out" <<'EOF'
import json, sys
s = json.loads(open(sys.argv[1]).read().splitlines()[-1])
assert s["event"] == "summary" and s["windows"] == 1 and s["label"] == "low", s
assert s["shorter_than_window"] is True and abs(s["padding"] - 0.065) < 0.0015, s
EOF
then ok "a short replay: one decision, said shorter than a window"; else fail "short replay: $(tail -1 "$work/out")"; fi
run "$EARSHOT" listen --replay "$work/short-low.wav" --fast --model "$M" $PLAIN
expect_out "the audio was shorter than one window: completed with"
run "$EARSHOT" listen --replay "$work/short-low.wav" --fast --model "$M" $PLAIN --set pad-short=false
expect_out "no decision (the audio was shorter than one window)"

# --- text output and the defaults -------------------------------------------
run "$EARSHOT" listen --replay "$work/burst.wav" --fast --model "$M"
expect_status 0 "listen text output"
expect_out "start  low"
expect_out "end    low"
expect_out "summary:"
expect_out "overall: quiet"
expect_stderr "tiny-live on"
# defaults (moving average 2, on 0.8): onset 1.25 s, one low event
[ "$(grep -c 'start  low' "$work/out")" = 1 ] && ok "one low event" || fail "$(cat "$work/out")"
grep -q '^ *1\.25 s  start  low' "$work/out" && ok "default onset 1.25 s" || fail "$(cat "$work/out")"

# -v prints every window
run "$EARSHOT" listen --replay "$work/burst.wav" --fast --json -v --model "$M"
expect_status 0 "listen -v"
[ "$(grep -c '"event":"window"' "$work/out")" = 12 ] && ok "12 window lines" \
  || fail "window lines: $(grep -c window "$work/out")"

# --- the live decision step: a model that states a window_hop (esc10: 0.64 s)
# is decided every ~0.06 s (3 frames of 20 ms); --set hop-frames overrides --
esc10="$here/../../models/esc10.safetensors"
if [ -f "$esc10" ]; then
  second_window() {
    grep '"event":"window"' "$work/out" | sed -n 2p | sed -n 's/.*"time":\([0-9.]*\).*/\1/p'
  }
  run "$EARSHOT" listen --replay "$work/burst.wav" --fast --json -v --model "$esc10" \
    --set post-events=false
  expect_status 0 "listen with esc10"
  [ "$(second_window)" = "0.060" ] && ok "esc10: a decision every 0.06 s" \
    || fail "esc10 step: $(grep '"event":"window"' "$work/out" | head -2)"
  run "$EARSHOT" listen --replay "$work/burst.wav" --fast --json -v --model "$esc10" \
    --set post-events=false --set hop-frames=32
  [ "$(second_window)" = "0.640" ] && ok "esc10 with hop-frames=32: every 0.64 s" \
    || fail "esc10 hop-frames=32: $(grep '"event":"window"' "$work/out" | head -2)"
fi

# --- other rates, channels, a model at 8 kHz, a 2D model ----------------------
for combo in "burst-44k-stereo.wav tiny-live" "burst.wav tiny-live-8k" \
    "burst-44k-stereo.wav tiny-live-8k" "burst.wav tiny-live-2d"; do
  set -- $combo
  run "$EARSHOT" listen --replay "$work/$1" --fast --json --model "$work/$2.safetensors" $PLAIN
  expect_status 0 "$1 with $2"
  t=$(field time "$(grep '"event":"start","label":"low"' "$work/out")")
  [ "$t" = "1.000" ] && ok "$1 / $2: start 1.000" || fail "$1 / $2: start '$t'"
done

# two labels in order
run "$EARSHOT" listen --replay "$work/two-tones.wav" --fast --json --model "$M" $PLAIN
expect_status 0 "two tones"
order=$(grep -o '"event":"start","label":"[a-z]*"' "$work/out" | sed 's/.*label":"//;s/"//' | tr '\n' ' ')
[ "$order" = "quiet low quiet high quiet " ] && ok "labels in order" || fail "order: $order"

# --- real time: the same decisions, at the file's pace ----------------------
t0=$(date +%s%N)
run "$EARSHOT" listen --replay "$work/burst.wav" --json --model "$M" $PLAIN
t1=$(date +%s%N)
expect_status 0 "real-time replay"
ms=$(( (t1 - t0) / 1000000 ))
[ "$ms" -ge 3300 ] && ok "real time: ${ms} ms for 3.5 s" || fail "replay took only ${ms} ms"
if diff <(grep -v summary "$work/fast.json") <(grep -v summary "$work/out") >/dev/null; then
  ok "real-time events = fast events"
else
  fail "real-time and fast differ: $(diff "$work/fast.json" "$work/out" | head -5)"
fi

# --- Ctrl-C: EOS, the open event ends, the summary comes, exit 0 -------------
"$EARSHOT" listen --replay "$work/long-burst.wav" --json --model "$M" $PLAIN \
  >"$work/out" 2>"$work/err" &
pid=$!
for _ in $(seq 50); do
  grep -q '"label":"low"' "$work/out" 2>/dev/null && break
  sleep 0.1
done
kill -INT "$pid"
status=0
wait "$pid" || status=$?
expect_status 0 "Ctrl-C ends cleanly"
grep -q '"event":"end","label":"low".*"reason":"eos"' "$work/out" && ok "open event ended (eos)" \
  || fail "no eos end: $(cat "$work/out")"
tail -1 "$work/out" | grep -q '"event":"summary"' && ok "summary after Ctrl-C" \
  || fail "no summary: $(tail -2 "$work/out")"

# --- the ready launch lines (launch/live-*.launch), with the test model under
# the name esc10-live and its 16 bands and 10 ms frames (esc10-live's are 20 ms)
mkdir -p "$work/named"
cp "$M" "$work/named/esc10-live.safetensors"
src=$(cd "$here/../.." && pwd)
export GST_PLUGIN_PATH="${GST_PLUGIN_PATH_1_0:-}"
line=$(grep -v '^#' "$src/launch/live-file.launch" \
  | sed -e "s|samples/sample.wav|$work/burst.wav|" -e 's/bands=64/bands=16 fmax=8000/' \
    -e 's/hop-size=320/hop-size=160/')
status=0
(cd "$src" && ES_MODEL_PATH="$work/named" timeout 60 gst-launch-1.0 -m $line) \
  >"$work/out" 2>"$work/err" || status=$?
expect_status 0 "live-file.launch"
expect_out 'cnnclassify-event, event=(string)start, model=(string)tiny-live, label=(string)low'
expect_out 'cnnclassify-summary'
# the microphone line, with a test source in place of the microphone
line=$(grep -v '^#' "$src/launch/live-microphone.launch" \
  | sed -e 's/autoaudiosrc/audiotestsrc num-buffers=100 freq=300/' -e 's/bands=64/bands=16 fmax=8000/' \
    -e 's/hop-size=320/hop-size=160/')
status=0
(cd "$src" && ES_MODEL_PATH="$work/named" timeout 60 gst-launch-1.0 -m -e $line) \
  >"$work/out" 2>"$work/err" || status=$?
expect_status 0 "live-microphone.launch (test source)"
expect_out 'cnnclassify-event, event=(string)start, model=(string)tiny-live, label=(string)low'
expect_out 'cnnclassify-summary'

# --- bad input ---------------------------------------------------------------
run "$EARSHOT" listen --replay "$work/burst.wav" --fast --model no-such-model-xyz
expect_status 1 "unknown model"
expect_stderr 'model "no-such-model-xyz" was not found'
expect_stderr "--model"
if [ ! -f "${ES_MODEL_PATH:-/nonexistent}/esc10-live.safetensors" ]; then
  run "$EARSHOT" listen --replay "$work/burst.wav" --fast
  expect_status 1 "default model absent"
  expect_stderr 'model "esc10-live" was not found'
fi
run "$EARSHOT" listen --replay "$work/burst.wav" --fast --model "$work/tiny-not-audio.safetensors"
expect_status 1 "not an audio model"
expect_stderr "not an audio model"
run "$EARSHOT" listen --replay "$work/burst.wav" --fast --model "$work/tiny-bad-window.safetensors"
expect_status 1 "unknown window"
expect_stderr 'key "window": expected "hamming", "hann" or "rectangular", not "triangle"'
run "$EARSHOT" listen --replay "$work/burst.wav" --fast --model "$work/tiny-bad-preemphasis.safetensors"
expect_status 1 "pre-emphasis out of range"
expect_stderr "preemphasis 5 is outside"
run "$EARSHOT" listen --replay "$work/burst.wav" --fast --model "$work/tiny-wrong-bands.safetensors"
expect_status 1 "front-end cannot feed the model"
expect_stderr "front-end makes 64 values per frame, but the model's input"
printf 'not a model' >"$work/garbage.safetensors"
run "$EARSHOT" listen --replay "$work/burst.wav" --fast --model "$work/garbage.safetensors"
expect_status 1 "garbage model"
expect_stderr "cannot load the model"
run "$EARSHOT" listen --replay "$work/missing.wav" --fast --model "$M"
expect_status 1 "missing file"
expect_stderr "cannot read"
run "$EARSHOT" listen --replay "$work" --fast --model "$M"
expect_status 1 "folder as file"
expect_stderr "not a regular file"
mkfifo "$work/fifo"
run "$EARSHOT" listen --replay "$work/fifo" --fast --model "$M"
expect_status 1 "FIFO as file"
expect_stderr "not a regular file"
printf 'hello, I am text\n' >"$work/text.wav"
run "$EARSHOT" listen --replay "$work/text.wav" --fast --model "$M"
expect_status 1 "text file"
expect_stderr "error from"
head -c 50000 "$work/burst.wav" >"$work/truncated.wav"
run "$EARSHOT" listen --replay "$work/truncated.wav" --fast --json --model "$M"
[ "$status" -le 1 ] && ok "truncated file ends (exit $status)" || fail "truncated: exit $status"
run "$EARSHOT" listen --replay "$work/quiet.wav" --fast --json --model "$M" \
  --set vote-k=3 --set vote-n=2
expect_status 1 "k > n"
expect_stderr "k = 3, n = 2"

# options
run "$EARSHOT" listen --fast --model "$M"
expect_status 2 "--fast without --replay"
run "$EARSHOT" listen --device x --replay "$work/burst.wav" --model "$M"
expect_status 2 "--device with --replay"
run "$EARSHOT" listen --replay "$work/burst.wav" --fast --model "$M" --set bogus=1
expect_status 2 "unknown property"
expect_stderr "no settable property 'bogus'"
run "$EARSHOT" listen --replay "$work/burst.wav" --fast --model "$M" --set on-threshold=2
expect_status 2 "property out of range"
run "$EARSHOT" listen --replay "$work/burst.wav" --fast --model "$M" --set novalue
expect_status 2 "--set without ="
run "$EARSHOT" listen extra-argument --model "$M"
expect_status 2 "stray argument"
run "$EARSHOT" listen --bogus
expect_status 2 "unknown option"

# devices that cannot be opened end at once with an error, never hang (the
# outcome depends on the machine's audio system; only a clean failure or a
# working device is accepted)
run "$EARSHOT" listen --device alsa:earshot-no-such-device --model "$M"
[ "$status" -eq 1 ] && ok "missing ALSA device: exit 1" || fail "alsa: exit $status"
run "$EARSHOT" listen --device pulse:earshot-no-such-source --model "$M"
[ "$status" -eq 1 ] && ok "missing Pulse source: exit 1" || fail "pulse: exit $status"

finish
