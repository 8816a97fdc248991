# Shared helpers for the CLI tests (sourced by every tests/cli/*.sh).
# Needs EARSHOT (the built CLI) in the environment; meson's test_env sets it.
set -u

: "${EARSHOT:?EARSHOT must point to the built earshot CLI}"
work=$(mktemp -d "${TMPDIR:-/tmp}/earshot-cli-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
failures=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

ok() {
  echo "ok: $*"
}

# run CMD...: runs it with stdout/stderr captured in $work/out and $work/err,
# exit status in $status. Never lets a hang outlive the test: 60 s cap.
run() {
  status=0
  timeout 60 "$@" >"$work/out" 2>"$work/err" || status=$?
  if [ "$status" -eq 124 ]; then
    fail "timed out: $*"
  fi
}

expect_status() {
  if [ "$status" -eq "$1" ]; then
    ok "$2 (exit $status)"
  else
    fail "$2: exit $status, expected $1; stderr: $(head -c 500 "$work/err")"
  fi
}

expect_stderr() {
  if grep -q -- "$1" "$work/err"; then
    ok "stderr mentions '$1'"
  else
    fail "stderr should mention '$1', got: $(head -c 500 "$work/err")"
  fi
}

# make_wav OUT SAMPLES RATE CHANNELS [FREQ]: a sine WAV with exactly SAMPLES
# samples per channel (S16LE, via audiotestsrc ! wavenc).
make_wav() {
  gst-launch-1.0 -q audiotestsrc wave=sine freq="${5:-440}" volume=0.5 \
      samplesperbuffer="$2" num-buffers=1 \
    ! "audio/x-raw,format=S16LE,rate=$3,channels=$4" ! wavenc ! filesink location="$1" \
    || { echo "FAIL: cannot generate $1 (gst-launch-1.0 with wavenc needed)" >&2; exit 1; }
}

# Bytes from a fixed-seed generator: "random" but the same on every run.
make_noise_file() {
  LC_ALL=C awk -v n="$2" 'BEGIN { s = 12345
    for (i = 0; i < n; i++) { s = (s * 1103515245 + 12345) % 2147483648
      printf "%c", int(s / 65536) % 256 } }' >"$1"
}

# Number of data rows (lines after the header) of a CSV.
csv_rows() {
  echo $(($(wc -l <"$1") - 1))
}

finish() {
  if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed" >&2
    exit 1
  fi
  echo "all checks passed"
}
