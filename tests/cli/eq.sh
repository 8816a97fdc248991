# earshot eq fit: fits samples/iem-sample.csv to shipped targets and to a target
# given as a file; -o writes AutoEq's ParametricEQ.txt (read back by the
# reader: tests/eq/test-fit.c round-trips a fit through it), --plot a PNG;
# malformed files are errors naming the line, usage errors exit 2.
. "$(dirname "$0")/common.sh"

root=$(cd "$(dirname "$0")/../.." && pwd)
sample="$root/samples/iem-sample.csv"

run "$EARSHOT" eq fit "$sample" --target harman-in-ear
expect_status 0 "fit to the shipped harman-in-ear target"
if grep -q '^# residual [0-9.]* dB RMS' "$work/out" && grep -q '^Preamp: -\?[0-9]*\.[0-9] dB$' "$work/out"; then
  ok "prints the residual and the EQ"
else
  fail "output: $(head -c 500 "$work/out")"
fi
residual=$(sed -n 's/^# residual \([0-9.]*\) dB.*/\1/p' "$work/out")
if awk -v r="$residual" 'BEGIN { exit !(r != "" && r <= 0.3) }'; then
  ok "residual $residual dB <= 0.3"
else
  fail "residual '$residual' dB"
fi

run "$EARSHOT" eq fit "$sample" --target neutral --max-filters 5 -o "$work/eq.txt" --plot "$work/eq.png"
expect_status 0 "fit to neutral with -o and --plot"
if [ -s "$work/eq.txt" ] && LC_ALL=C awk '
    NR == 1 { if ($0 !~ /^Preamp: -?[0-9]+\.[0-9] dB$/) exit 1; next }
    { if ($0 !~ /^Filter [0-9]+: ON (LSC|HSC|PK) Fc [0-9]+ Hz Gain -?[0-9]+\.[0-9] dB Q [0-9]+\.[0-9][0-9]$/) exit 1; n++ }
    END { exit !(n >= 1 && n <= 5) }' "$work/eq.txt"; then
  ok "-o writes AutoEq's ParametricEQ.txt lines, at most 5 filters"
else
  fail "-o file: $(head -c 500 "$work/eq.txt")"
fi
if [ "$(od -An -tx1 -N8 "$work/eq.png" | tr -d ' ')" = "89504e470d0a1a0a" ]; then
  ok "--plot writes a PNG"
else
  fail "--plot did not write a PNG"
fi
# The stdout form is the same file with '#' comment lines, which the reader skips.
run "$EARSHOT" eq fit "$sample" --target neutral --max-filters 5
if [ "$(grep -v '^#' "$work/out")" = "$(cat "$work/eq.txt")" ]; then
  ok "stdout without comments is the -o file"
else
  fail "stdout and -o differ"
fi

# The written file parses with the library's reader: eqrender's parametric-eq
# property uses it; here gst-launch loads it when the element exists.
if gst-inspect-1.0 eqrender >/dev/null 2>&1; then
  run gst-launch-1.0 -q audiotestsrc num-buffers=4 ! audioconvert ! "audio/x-raw,format=F32LE,rate=48000" \
    ! eqrender parametric-eq="$work/eq.txt" ! fakesink
  expect_status 0 "eqrender loads the -o file"
else
  echo "skip: no eqrender element to load the -o file"
fi

# The offline eqrender launch lines (launch/eq-*.launch without -live) run
# from a copy of the tree's layout and write their WAV; the correction posts
# the fit's message. (The -live ones need sound devices.)
if gst-inspect-1.0 eqrender >/dev/null 2>&1; then
  mkdir -p "$work/tree"
  ln -s "$root/samples" "$work/tree/samples"
  for f in eq-autoeq eq-correct; do
    (cd "$work/tree" && run gst-launch-1.0 -m $(grep -v '^#' "$root/launch/$f.launch")
     expect_status 0 "launch/$f.launch"
     cp "$work/out" "$work/$f.out")
  done
  # 4 s of audio at 48 kHz: at least 384000 bytes whatever the sample format
  for w in eq.wav corrected.wav; do
    size=$(stat -c %s "$work/tree/$w" 2>/dev/null || echo 0)
    [ "$size" -gt 380000 ] && ok "$w written ($size bytes)" || fail "$w: $size bytes"
  done
  grep -q 'eqrender, residual-db=(double)0\.[0-2]' "$work/eq-correct.out" \
    && ok "eq-correct.launch posts the fit (residual below 0.3 dB)" \
    || fail "no fit message: $(grep -i eqrender "$work/eq-correct.out" | head -3)"
else
  echo "skip: no eqrender element for the launch lines"
fi

# eq plot: any EQ file against a measurement and a target.
run "$EARSHOT" eq plot "$sample" "$work/plot.png" --target harman-in-ear --eq "$work/eq.txt"
expect_status 0 "eq plot of the -o file"
[ "$(od -An -tx1 -N8 "$work/plot.png" | tr -d ' ')" = "89504e470d0a1a0a" ] \
  && ok "eq plot writes a PNG" || fail "eq plot did not write a PNG"
grep -q '^residual [0-9.]* dB RMS' "$work/out" && ok "eq plot prints the residual" \
  || fail "eq plot output: $(head -c 300 "$work/out")"
printf 'Preamp: -1 dB\nFilter 1: ON PK Fc 1000 Hz Gain x dB Q 1\n' >"$work/bad-eq.txt"
run "$EARSHOT" eq plot "$sample" "$work/plot2.png" --target flat --eq "$work/bad-eq.txt"
expect_status 1 "eq plot of a malformed ParametricEQ.txt"
expect_stderr "bad-eq.txt: line 2"
run "$EARSHOT" eq plot "$sample" "$work/plot2.png" --target flat
expect_status 2 "eq plot without --eq"

# A target given as a file (any measurement CSV).
cp "$root/targets/flat.csv" "$work/my-target.csv"
run "$EARSHOT" eq fit "$sample" --target "$work/my-target.csv"
expect_status 0 "target given as a file"

# Malformed target: the error names the file and the line.
printf 'frequency,raw\n20,0\n100,0\n1000,abc\n20000,0\n' >"$work/bad-target.csv"
run "$EARSHOT" eq fit "$sample" --target "$work/bad-target.csv"
expect_status 1 "malformed target"
expect_stderr "bad-target.csv"
expect_stderr "bad-target.csv:4:"

# Malformed measurement.
printf 'frequency,raw\n20,90\n30,91\n30,92\n' >"$work/bad.csv"
run "$EARSHOT" eq fit "$work/bad.csv" --target flat
expect_status 1 "malformed measurement"
expect_stderr "bad.csv"
expect_stderr "bad.csv:4:"

# A measurement that does not reach 20 kHz.
awk 'BEGIN { print "frequency,raw"; for (i = 0; i < 100; i++) printf "%.2f,90\n", 20 * 250 ^ (i / 99) }' >"$work/short.csv"
run "$EARSHOT" eq fit "$work/short.csv" --target flat
expect_status 1 "measurement not covering 20 Hz-20 kHz"
expect_stderr "short.csv"

# Unknown target name, missing target, usage errors; nothing written.
echo "precious" >"$work/keep.txt"
run "$EARSHOT" eq fit "$sample" --target no-such-target -o "$work/keep.txt"
expect_status 1 "unknown target name"
expect_stderr "no-such-target"
expect_stderr "harman-in-ear"
[ "$(cat "$work/keep.txt")" = "precious" ] && ok "existing -o file untouched" || fail "-o file modified"
run "$EARSHOT" eq fit "$sample"
expect_status 2 "--target missing"
expect_stderr "target"
run "$EARSHOT" eq fit "$sample" --target flat --max-filters 0
expect_status 2 "--max-filters 0"
run "$EARSHOT" eq fit "$sample" --target flat --rate 32000
expect_status 2 "--rate 32000"
run "$EARSHOT" eq fit --target flat
expect_status 2 "no measurement"
run "$EARSHOT" eq bogus
expect_status 2 "unknown eq subcommand"
run "$EARSHOT" eq
expect_status 2 "eq without a subcommand"
run "$EARSHOT" eq fit --help
expect_status 0 "eq fit --help"
grep -q "harman-in-ear" "$work/out" && ok "--help lists the shipped targets" || fail "--help: no target list"
run "$EARSHOT" help eq
expect_status 0 "help eq"

finish
