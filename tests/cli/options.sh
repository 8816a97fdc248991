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
# One meaning per short option across commands (docs/cli.md): collect
# "-x, --long" from every command's --help; a letter naming two long options
# fails, and the shared letters mean what the table says.
: >"$work/letters"
for cmd in features iem plot "eq fit" "eq plot" listen classify train eval "model info"; do
  # shellcheck disable=SC2086
  "$EARSHOT" $cmd --help 2>&1 | sed -n 's/^ *-\([a-zA-Z]\), --\([a-z0-9-]*\).*/\1 \2/p' \
    | sed "s/\$/ $cmd/" >>"$work/letters"
done
clashes=$(awk '{ if (($1 in long) && long[$1] != $2) print "-" $1 ": --" long[$1] " and --" $2 " (" $3 ")"; long[$1] = $2 }' \
  "$work/letters")
[ -z "$clashes" ] && ok "no short option has two meanings ($(wc -l <"$work/letters") seen)" \
  || fail "short options with two meanings: $clashes"
for pair in "h help" "q quiet" "o output" "r recursive" "v verbose"; do
  set -- $pair
  wrong=$(awk -v l="$1" -v n="$2" '$1 == l && $2 != n' "$work/letters")
  [ -z "$wrong" ] && ok "-$1 is --$2 wherever it exists" || fail "-$1 is not --$2: $wrong"
done
finish
