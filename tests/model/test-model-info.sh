#!/bin/bash
# `earshot model info`: text and JSON output, lookup by name, and a clear
# message with a non-zero exit for missing, malformed and non-model files.
# Needs EARSHOT (the CLI) and ES_FIXTURES_DIR from the test environment.
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
: "${EARSHOT:?}" "${ES_FIXTURES_DIR:?}"
fixtures="$ES_FIXTURES_DIR/model"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Text output by path.
"$EARSHOT" model info "$fixtures/tiny-model.safetensors" >"$tmp/out" 2>"$tmp/err" \
  || fail "info by path exited $?: $(cat "$tmp/err")"
for want in "Model:       tiny-model" "Labels (3): Neutral, Bright, Warm" \
    "Parameters:  123 trainable" "features [1, 16]" "0 conv1d" "5 dense 3" \
    "source=\"measurement\", points=16" "Tag:         earshot-label" \
    "gst-launch-1.0 frsrc location=FILE.csv points=16 fmin=20 fmax=20000 ! cnnclassify model=tiny-model ! fakesink"; do
  grep -qF "$want" "$tmp/out" || fail "text output lacks '$want'"
done

# JSON output, by name through ES_MODEL_PATH (with and without the suffix).
for name in tiny-model tiny-model.safetensors; do
  ES_MODEL_PATH="$tmp/nowhere:$fixtures" "$EARSHOT" model info --json "$name" >"$tmp/json" \
    2>"$tmp/err" || fail "info --json $name exited $?: $(cat "$tmp/err")"
  for want in '"name" : "tiny-model"' '"parameters" : 123' '"Warm"' '"kind" : "features"' \
      '"launch_derived" : true' '"points" : 16'; do
    grep -qF "$want" "$tmp/json" || fail "JSON output lacks '$want'"
  done
done
head -c 1 "$tmp/json" | grep -q '{' || fail "JSON output does not start with {"

# Help and usage errors.
"$EARSHOT" model --help | grep -q "Usage: earshot model info" || fail "model --help"
"$EARSHOT" model info --help | grep -q -- "--json" || fail "model info --help"
"$EARSHOT" model info >/dev/null 2>&1; [ $? -eq 2 ] || fail "no model: exit should be 2"
"$EARSHOT" model info --bogus x >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad option: exit 2"
"$EARSHOT" model frobnicate >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad subcommand: exit 2"

# expect_failure WHAT ARGS... : exit 1 and a message containing WHAT.
expect_failure() {
  what=$1; shift
  "$EARSHOT" model info "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  [ $rc -eq 1 ] || fail "info $*: exit $rc, expected 1"
  grep -qF "$what" "$tmp/err" || fail "info $*: message '$(cat "$tmp/err")' lacks '$what'"
  [ -s "$tmp/out" ] && fail "info $*: printed to stdout on failure"
  return 0
}
ES_MODEL_PATH="$tmp" expect_failure "no model file or model named 'absent-model'" absent-model
expect_failure "no such model file" "$tmp/absent.safetensors"
head -c 1500 "$fixtures/tiny-model.safetensors" >"$tmp/cut.safetensors"
expect_failure "truncated" "$tmp/cut.safetensors"
printf 'not a model at all' >"$tmp/text.safetensors"
expect_failure "header size" "$tmp/text.safetensors"
expect_failure "not an earshot model" "$fixtures/python-padded.safetensors"

# A file name that is not UTF-8 and holds a control character: the JSON still
# parses and the terminal text carries no raw ESC.
odd="$tmp/odd$(printf '\351\033').safetensors"
cp "$fixtures/tiny-model.safetensors" "$odd"
"$EARSHOT" model info --json "$odd" >"$tmp/odd.json" 2>"$tmp/err" \
  || fail "info --json on an odd name exited $?: $(cat "$tmp/err")"
/usr/bin/python3 -c 'import json, sys; d = json.loads(open(sys.argv[1], "rb").read().decode("utf-8")); assert "odd\ufffd\x1b" in d["path"], d["path"]' \
  "$tmp/odd.json" || fail "JSON with an odd file name does not parse: $(od -c "$tmp/odd.json" | head -3)"
"$EARSHOT" model info "$odd" >"$tmp/odd.txt" 2>"$tmp/err" || fail "info on an odd name exited $?"
LC_ALL=C grep -q "$(printf '\033')" "$tmp/odd.txt" && fail "a raw ESC from the file name reached the terminal"
grep -qF '\x1b.safetensors' "$tmp/odd.txt" || fail "escaped name missing: $(grep File "$tmp/odd.txt")"
echo "ok"
