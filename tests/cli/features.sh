# earshot features on generated WAVs: row count, header, time column, finite
# values, options, stdout output, relative paths, resampling and downmixing.
. "$(dirname "$0")/common.sh"

# A 1 s, 16 kHz mono tone: 1 + floor((16000 - 400) / 160) = 98 frames of 25 ms
# every 10 ms with the defaults.
make_wav "$work/tone.wav" 16000 16000 1
run "$EARSHOT" features "$work/tone.wav" "$work/tone.csv"
expect_status 0 "features on a 1 s WAV"
expect_stderr "98 frames"

rows=$(csv_rows "$work/tone.csv")
[ "$rows" -eq 98 ] && ok "98 rows" || fail "expected 98 rows, got $rows"
header=$(head -n 1 "$work/tone.csv")
expected_header="time$(for b in $(seq 0 63); do printf ',b%d' "$b"; done)"
[ "$header" = "$expected_header" ] && ok "header time,b0..b63" \
  || fail "header is '$(echo "$header" | cut -c1-80)...'"

# Every row: 65 fields, all finite numbers; time = 0.01 * row index.
awk -F, 'NR > 1 {
    if (NF != 65) { print "row " NR " has " NF " fields"; exit 1 }
    for (i = 1; i <= NF; i++)
      if ($i !~ /^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/) { print "row " NR " field " i " = " $i; exit 1 }
    want = (NR - 2) * 0.01
    if ($1 - want > 1e-6 || want - $1 > 1e-6) { print "row " NR " time " $1 ", expected " want; exit 1 }
  }' "$work/tone.csv" >"$work/check" && ok "rows well-formed, finite, time = start of frame" \
  || fail "$(cat "$work/check")"

# The loudest band must move up with the tone frequency.
loudest_band() {
  awk -F, 'NR > 1 { for (i = 2; i <= NF; i++) s[i] += $i }
    END { best = 2; for (i = 3; i <= NF; i++) if (s[i] > s[best]) best = i; print best - 2 }' "$1"
}
make_wav "$work/low.wav" 16000 16000 1 300
make_wav "$work/high.wav" 16000 16000 1 3000
run "$EARSHOT" features -q "$work/low.wav" "$work/low.csv"
expect_status 0 "300 Hz tone"
run "$EARSHOT" features -q "$work/high.wav" "$work/high.csv"
expect_status 0 "3000 Hz tone"
low=$(loudest_band "$work/low.csv")
high=$(loudest_band "$work/high.csv")
[ "$low" -lt "$high" ] && ok "loudest band 300 Hz (b$low) below 3 kHz (b$high)" \
  || fail "loudest band for 300 Hz is b$low, for 3 kHz b$high"

# Cepstra: --dct 13 gives time,c0..c12.
run "$EARSHOT" features --dct 13 --bands 40 "$work/tone.wav" "$work/cep.csv"
expect_status 0 "--dct 13 --bands 40"
[ "$(head -n 1 "$work/cep.csv")" = "time,c0,c1,c2,c3,c4,c5,c6,c7,c8,c9,c10,c11,c12" ] \
  && ok "cepstral header" || fail "cepstral header is '$(head -n 1 "$work/cep.csv")'"
[ "$(csv_rows "$work/cep.csv")" -eq 98 ] && ok "cepstra: 98 rows" || fail "cepstra: $(csv_rows "$work/cep.csv") rows"

# Frame and hop in ms: 25 ms / 20 ms -> 1 + floor((16000 - 400) / 320) = 49 frames.
run "$EARSHOT" features --frame-size 25ms --hop-size 20ms --bands 16 --window hann \
  "$work/tone.wav" "$work/hop.csv"
expect_status 0 "--frame-size 25ms --hop-size 20ms --window hann"
[ "$(csv_rows "$work/hop.csv")" -eq 49 ] && ok "49 rows at a 20 ms hop" \
  || fail "expected 49 rows at a 20 ms hop, got $(csv_rows "$work/hop.csv")"
[ "$(head -n 2 "$work/hop.csv" | tail -n 1 | awk -F, '{ print NF }')" -eq 17 ] \
  && ok "16 bands" || fail "expected 16 bands"
awk -F, 'NR == 3 { exit !($1 == "0.020000") }' "$work/hop.csv" && ok "second frame at 0.02 s" \
  || fail "second frame time is $(awk -F, 'NR == 3 { print $1 }' "$work/hop.csv")"

# Standard output gives the same CSV as a file.
run "$EARSHOT" features -q "$work/tone.wav" -
expect_status 0 "output to stdout"
cmp -s "$work/out" "$work/tone.csv" && ok "stdout CSV equals file CSV" || fail "stdout CSV differs"

# Relative paths, from another working directory.
mkdir -p "$work/sub"
(cd "$work" && timeout 60 "$EARSHOT" features -q tone.wav sub/rel.csv) \
  && cmp -s "$work/sub/rel.csv" "$work/tone.csv" && ok "relative paths" || fail "relative paths"

# 44.1 kHz stereo is downmixed and resampled to 16 kHz: still ~1 s of frames.
make_wav "$work/stereo.wav" 44100 44100 2
run "$EARSHOT" features "$work/stereo.wav" "$work/stereo.csv"
expect_status 0 "44.1 kHz stereo input"
rows=$(csv_rows "$work/stereo.csv")
[ "$rows" -ge 97 ] && [ "$rows" -le 99 ] && ok "resampled: $rows rows" \
  || fail "44.1 kHz stereo gave $rows rows, expected 98 +- 1"

# Shorter than one frame: header only, success, a warning.
make_wav "$work/short.wav" 100 16000 1
run "$EARSHOT" features "$work/short.wav" "$work/short.csv"
expect_status 0 "input shorter than one frame"
[ "$(csv_rows "$work/short.csv")" -eq 0 ] && [ "$(head -n 1 "$work/short.csv")" = "$expected_header" ] \
  && ok "header only" || fail "short input CSV: $(head -c 200 "$work/short.csv")"
expect_stderr "shorter than one frame"

# An existing output is replaced on success, and no temp file is left behind.
echo "old" >"$work/tone.csv"
run "$EARSHOT" features -q "$work/tone.wav" "$work/tone.csv"
expect_status 0 "overwrite an existing output"
[ "$(csv_rows "$work/tone.csv")" -eq 98 ] && ok "replaced" || fail "existing output not replaced"
leftovers=$(find "$work" -name '.*.csv.*' | wc -l)
[ "$leftovers" -eq 0 ] && ok "no temp files left" || fail "$leftovers temp files left"
# Bad data is never silent: NaN samples and a truncated WAV complete with exit 3
# and a warning that says what and where.
gst-launch-1.0 -q audiotestsrc wave=sine samplesperbuffer=16000 num-buffers=1 \
  ! "audio/x-raw,format=F32LE,rate=16000,channels=1" ! wavenc ! filesink location="$work/f32.wav"
cp "$work/f32.wav" "$work/nan.wav"
data_at=$(grep -obUa data "$work/nan.wav" | head -n 1 | cut -d: -f1)
# two NaN samples at 0.5 s: frames starting at 0.48, 0.49 and 0.50 s hold them
# (dd aborts under the ASan runtime that ./dev asan preloads: run it without)
printf '\000\000\300\177\000\000\300\177' \
  | env -u LD_PRELOAD dd of="$work/nan.wav" bs=1 seek=$((data_at + 8 + 8000 * 4)) conv=notrunc 2>/dev/null
run "$EARSHOT" features "$work/nan.wav" "$work/nan.csv"
expect_status 3 "NaN samples: completed with bad data"
expect_stderr "3 of 98 frames hold non-finite values"
expect_stderr "starting at 0.480, 0.490, 0.500 s"
[ "$(csv_rows "$work/nan.csv")" -eq 98 ] && ok "NaN input: all rows written" \
  || fail "NaN input: $(csv_rows "$work/nan.csv") rows"
head -c 30000 "$work/f32.wav" >"$work/truncated.wav"
run "$EARSHOT" features "$work/truncated.wav" "$work/truncated.csv"
expect_status 3 "truncated WAV: completed with bad data"
expect_stderr "is truncated: its header declares 64000 bytes of audio, the file holds 29956"
run "$EARSHOT" features "$work/f32.wav" "$work/f32.csv"
expect_status 0 "the intact float WAV"
# A control character in a file name never reaches the terminal raw.
cp "$work/f32.wav" "$work/esc$(printf '\033')[2J.wav"
run "$EARSHOT" features "$work/esc$(printf '\033')[2J.wav" "$work/esc.csv"
expect_status 0 "a file name with ESC"
if LC_ALL=C grep -q "$(printf '\033')" "$work/err"; then
  fail "a raw ESC from the file name reached the terminal"
else
  ok "file name escaped on stderr"
fi
expect_stderr 'esc\\x1b\[2J.wav'
finish
