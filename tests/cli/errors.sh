# Bad input and bad output: clear message naming the file, exit 1, and the
# user's existing output untouched.
. "$(dirname "$0")/common.sh"

make_wav "$work/tone.wav" 16000 16000 1
echo "precious" >"$work/keep.csv"

unchanged() {
  [ "$(cat "$work/keep.csv")" = "precious" ] && ok "existing output untouched ($1)" \
    || fail "existing output was modified ($1)"
}

run "$EARSHOT" features "$work/missing.wav" "$work/keep.csv"
expect_status 1 "missing input"
expect_stderr "missing.wav"
expect_stderr "no such file"
unchanged "missing input"

# Bytes from a fixed-seed generator, named .wav.
make_noise_file "$work/noise.wav" 65536
run "$EARSHOT" features "$work/noise.wav" "$work/keep.csv"
expect_status 1 "random bytes named .wav"
expect_stderr "noise.wav"
unchanged "random bytes"

# A text file named .mp3.
yes "this is not audio" | head -n 2000 >"$work/text.mp3"
run "$EARSHOT" features "$work/text.mp3" "$work/keep.csv"
expect_status 1 "text named .mp3"
expect_stderr "text.mp3"
unchanged "text file"

# A WAV header whose format tag names no codec (0x7777).
{ head -c 20 "$work/tone.wav"; printf '\167\167'; tail -c +23 "$work/tone.wav"; } >"$work/badfmt.wav"
run "$EARSHOT" features "$work/badfmt.wav" "$work/keep.csv"
expect_status 1 "WAV with an unknown format tag"
expect_stderr "badfmt.wav"
unchanged "unknown format tag"

# A WAV cut inside its header.
head -c 30 "$work/tone.wav" >"$work/truncated.wav"
run "$EARSHOT" features "$work/truncated.wav" "$work/keep.csv"
expect_status 1 "WAV truncated inside the header"
expect_stderr "truncated.wav"
unchanged "truncated header"

# An image: decodable, but without any audio stream.
if gst-launch-1.0 -q videotestsrc num-buffers=1 ! video/x-raw,width=32,height=32 ! pngenc \
    ! filesink location="$work/picture.png" 2>/dev/null; then
  run "$EARSHOT" features "$work/picture.png" "$work/keep.csv"
  expect_status 1 "file without audio"
  expect_stderr "no audio stream"
  unchanged "no audio stream"
else
  echo "skip: pngenc not available for the no-audio case"
fi

# Empty file and a directory as input.
: >"$work/empty.wav"
run "$EARSHOT" features "$work/empty.wav" "$work/keep.csv"
expect_status 1 "empty input"
expect_stderr "empty.wav"
unchanged "empty input"
run "$EARSHOT" features "$work" "$work/keep.csv"
expect_status 1 "directory as input"
expect_stderr "directory"

# Unwritable outputs.
run "$EARSHOT" features "$work/tone.wav" "$work/no-such-dir/out.csv"
expect_status 1 "output in a missing directory"
expect_stderr "cannot write"
expect_stderr "no-such-dir/out.csv"
run "$EARSHOT" features "$work/tone.wav" "$work"
expect_status 1 "output is a directory"
expect_stderr "is a directory"
if [ "$(id -u)" -ne 0 ]; then
  mkdir "$work/ro" && chmod 555 "$work/ro"
  run "$EARSHOT" features "$work/tone.wav" "$work/ro/out.csv"
  expect_status 1 "read-only output directory"
  expect_stderr "cannot write"
  chmod 755 "$work/ro"
else
  echo "skip: running as root, a read-only directory does not stop writes"
fi
# A write error part-way (file size limit; SIGXFSZ ignored so write() fails
# with EFBIG): exit 1, the old output kept, no temp file left.
status=0
(trap '' XFSZ; ulimit -f 8; exec timeout 60 "$EARSHOT" features "$work/tone.wav" "$work/keep.csv") \
  >"$work/out" 2>"$work/err" || status=$?
expect_status 1 "write error while writing the output"
expect_stderr "cannot write"
unchanged "write error"

# A FIFO (like any non-regular file) is written to, never replaced by a file.
mkfifo "$work/fifo"
timeout 60 cat "$work/fifo" >"$work/from-fifo.csv" &
reader=$!
run "$EARSHOT" features -q "$work/tone.wav" "$work/fifo"
expect_status 0 "output to a FIFO"
# a CLI that failed before opening the FIFO leaves the reader blocked in open()
[ "$status" -eq 0 ] || kill "$reader" 2>/dev/null
wait "$reader" || true
[ -p "$work/fifo" ] && ok "FIFO still a FIFO" || fail "the FIFO was replaced"
[ "$(csv_rows "$work/from-fifo.csv")" -eq 98 ] && ok "98 rows through the FIFO" \
  || fail "FIFO gave $(csv_rows "$work/from-fifo.csv") rows"

# A symlinked output: the file it points to is replaced, the link stays.
echo "old" >"$work/target.csv"
ln -s target.csv "$work/link.csv"
run "$EARSHOT" features -q "$work/tone.wav" "$work/link.csv"
expect_status 0 "output through a symlink"
[ -L "$work/link.csv" ] && [ "$(csv_rows "$work/target.csv")" -eq 98 ] \
  && ok "symlink kept, target replaced" || fail "symlinked output mishandled"
run "$EARSHOT" features "$work/tone.wav" "$work/tone.wav"
expect_status 1 "output is the input"
[ "$(head -c 4 "$work/tone.wav")" = "RIFF" ] && ok "input not overwritten" || fail "input was overwritten"

leftovers=$(find "$work" -name '.*.csv.*' | wc -l)
[ "$leftovers" -eq 0 ] && ok "no temp files left" || fail "$leftovers temp files left"
finish
