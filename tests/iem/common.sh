# Shared helpers for the `earshot iem` tests (sourced by tests/iem/*.sh).
# Needs EARSHOT (the built CLI) and MAKE_IEM_MODELS (tests/iem/make-iem-models)
# in the environment; tests/iem/meson.build sets both.
set -u

: "${EARSHOT:?EARSHOT must point to the built earshot CLI}"
: "${MAKE_IEM_MODELS:?MAKE_IEM_MODELS must point to tests/iem/make-iem-models}"
work=$(mktemp -d "${TMPDIR:-/tmp}/earshot-iem-test.XXXXXX")
trap 'chmod -R u+rwx "$work" 2>/dev/null; rm -rf "$work"' EXIT
failures=0
PY=${PYTHON:-/usr/bin/python3}

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

ok() {
  echo "ok: $*"
}

check() {   # check DESCRIPTION COMMAND...: ok if the command succeeds
  local what=$1
  shift
  if "$@"; then ok "$what"; else fail "$what"; fi
}

# run CMD...: stdout/stderr in $work/out and $work/err, exit status in $status;
# a hang fails the test after 60 s instead of blocking it.
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
    fail "$2: exit $status, expected $1; stderr: $(head -c 600 "$work/err")"
  fi
}

expect_in() {   # expect_in FILE TEXT
  if grep -qF -- "$2" "$1"; then
    ok "$(basename "$1") mentions '$2'"
  else
    fail "$(basename "$1") should mention '$2', got: $(head -c 600 "$1")"
  fi
}

expect_not_in() {
  if grep -qF -- "$2" "$1"; then
    fail "$(basename "$1") should not mention '$2', got: $(head -c 600 "$1")"
  else
    ok "$(basename "$1") does not mention '$2'"
  fi
}

# The label printed for PATH in text output ("PATH: LABEL (...)").
label_of() {
  grep -F -- "$1: " "$work/out" | head -n 1 | sed 's/^.*: \([^ ]*\) (.*$/\1/'
}

expect_label() {   # expect_label PATH LABEL
  local got
  got=$(label_of "$1")
  if [ "$got" = "$2" ]; then ok "$1 is $2"; else fail "$1: expected $2, got '$got'"; fi
}

# make_curve OUT KIND: a 1/48-octave measurement 20 Hz-20 kHz, strongly of
# one signature (warm: +10 dB bass shelf, bright: +10 dB treble shelf,
# vshape: both, neutral: flat with a ripple).
make_curve() {
  LC_ALL=C awk -v kind="$2" 'BEGIN {
    print "frequency,raw"
    for (i = 0; i <= 480; i++) {
      f = 20 * 2 ^ (i / 48); db = 80 + 0.5 * sin(log(f))
      if (kind == "warm" || kind == "vshape") db += 10 / (1 + (f / 200) ^ 2)
      if (kind == "bright" || kind == "vshape") db += 10 / (1 + (6000 / f) ^ 2)
      printf "%g,%.3f\n", f, db
    } }' >"$1"
}

# Tiny hand-weighted models (see make-iem-models.c) in $work/models.
make_models() {
  mkdir -p "$work/models"
  "$MAKE_IEM_MODELS" "$work/models" || { echo "FAIL: make-iem-models failed" >&2; exit 1; }
  M1="$work/models/tiny-iem-1d.safetensors"
  M2="$work/models/tiny-iem-2d.safetensors"
}

need_python() {
  if ! "$PY" -c 'import json, csv' 2>/dev/null; then
    echo "SKIP: $PY with json/csv is needed to parse the results"
    exit 77
  fi
}

finish() {
  if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed" >&2
    exit 1
  fi
  echo "all checks passed"
}
