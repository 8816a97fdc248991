# Bad option values: exit 2, a message naming the option, output untouched.
. "$(dirname "$0")/common.sh"

make_wav "$work/tone.wav" 16000 16000 1
echo "precious" >"$work/keep.csv"

bad() {
  local what="$1" needle="$2"
  shift 2
  run "$EARSHOT" features "$@" "$work/tone.wav" "$work/keep.csv"
  expect_status 2 "$what"
  expect_stderr "$needle"
}

bad "zero bands" "bands" --bands 0
bad "non-numeric bands" "bands" --bands many
bad "unknown window" "window" --window triangle
bad "fmax above Nyquist" "fmax" --fmax 9000
bad "fmin above fmax" "fmin" --fmin 5000 --fmax 4000
bad "dct above bands" "dct" --bands 20 --dct 30
bad "zero hop" "hop-size" --hop-size 0
bad "bad ms value" "frame-size" --frame-size xms
bad "less than a sample" "less than one sample" --hop-size 0.01ms
bad "frame longer than 10 s" "at most 10000ms" --frame-size 20000ms
bad "rate too low" "rate" --rate 10
bad "non-numeric rate" "rate" --rate fast
bad "non-finite fmin" "fmin" --fmin nan
bad "unknown option" "no-such-option" --no-such-option
[ "$(cat "$work/keep.csv")" = "precious" ] && ok "output untouched by usage errors" \
  || fail "a usage error modified the output"

run "$EARSHOT" features "$work/tone.wav"
expect_status 2 "one argument"
run "$EARSHOT" features "$work/tone.wav" "$work/a.csv" "$work/b.csv"
expect_status 2 "three arguments"
finish
