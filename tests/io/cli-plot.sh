#!/usr/bin/env bash
# earshot plot: writes a PNG of the asked size and format; usage errors exit 2,
# bad measurements exit 1 with the file and line named, and nothing is written.
set -u
fail=0
check () {  # check DESCRIPTION CONDITION...
  local what="$1"; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fail=1; fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A measurement over 20 Hz-20 kHz: a bass shelf and a treble peak, ~90 dB.
in="$tmp/in.csv"
awk 'BEGIN { print "frequency,raw"; for (i = 0; i < 480; i++) { f = 20 * 1000 ^ (i / 479);
  printf "%.3f,%.3f\n", f, 90 + 6 / (1 + (f / 120) ^ 2) + 5 * exp(-((log(f / 3000) / 0.4) ^ 2)) } }' >"$in"

# PNG header: signature, then IHDR width/height (big-endian) and colour type.
png_info () { od -An -tu1 -j16 -N10 "$1" | awk '{print $3*256+$4, $7*256+$8, $10}'; }

"$EARSHOT" plot "$in" "$tmp/a.png"; rc=$?
check "default plot exits 0" test $rc -eq 0
check "default plot is 800x500 RGB" test "$(png_info "$tmp/a.png")" = "800 500 2"

"$EARSHOT" plot --width 224 --height 224 --grey --grid --line-width 3 --colour '#ff0000' \
  "$in" "$tmp/b.png"; rc=$?
check "224x224 grey plot exits 0" test $rc -eq 0
check "224x224 grey plot is 224x224 GRAY8" test "$(png_info "$tmp/b.png")" = "224 224 0"

"$EARSHOT" plot --points 128 --minor-grid "$in" "$tmp/c.png"; rc=$?
check "--points 128 exits 0" test $rc -eq 0
differ () { ! cmp -s "$1" "$2"; }
check "--points with a grid draws another picture" differ "$tmp/a.png" "$tmp/c.png"

"$EARSHOT" plot "$in" 2>/dev/null; rc=$?
check "missing OUT is a usage error (2)" test $rc -eq 2
"$EARSHOT" plot --colour mauve "$in" "$tmp/d.png" 2>"$tmp/err"; rc=$?
check "bad colour is a usage error (2)" test $rc -eq 2
check "bad colour is named" grep -q 'mauve' "$tmp/err"

printf 'frequency,raw\n20,1\n30,2\n30,3\n' >"$tmp/dup.csv"
"$EARSHOT" plot "$tmp/dup.csv" "$tmp/e.png" 2>"$tmp/err"; rc=$?
check "duplicate frequency exits 1" test $rc -eq 1
check "error names file and line" grep -q 'dup.csv:4: frequency 30 Hz repeats' "$tmp/err"
check "no PNG written for a bad file" test ! -e "$tmp/e.png"

printf 'frequency,raw\n' >"$tmp/narrow.csv"
for f in 100 200 400 800 1600 3200 6400 12800 16000 20000; do echo "$f,0" >>"$tmp/narrow.csv"; done
"$EARSHOT" plot "$tmp/narrow.csv" "$tmp/f.png" 2>"$tmp/err"; rc=$?
check "measurement not reaching 20 Hz exits 1" test $rc -eq 1
check "coverage error is clear" grep -q 'narrow.csv:2: the measurement starts at 100 Hz' "$tmp/err"

"$EARSHOT" plot "$in" "$tmp/no-such-dir/g.png" 2>"$tmp/err"; rc=$?
check "unwritable output exits 1" test $rc -eq 1
check "unwritable output is named" grep -q 'g.png' "$tmp/err"
exit $fail
