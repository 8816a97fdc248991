#!/usr/bin/env bash
# earshot plot on audio clips: the PNG's size and format, a tone in the row of
# its band, the same pixels as `... ! gammatonefb ! spectrogramimager`, and
# clear errors (or a documented picture) for bad input, nothing overwritten.
# Needs gst-launch-1.0 with wavenc/pngdec (gst-plugins-good) like tests/cli.
# Args: SOURCE_ROOT (for launch/spectrogram-file.launch and samples/).
. "$(dirname "$0")/../cli/common.sh"
src=${1:?source root}
export GST_PLUGIN_PATH="${GST_PLUGIN_PATH_1_0:-}"

# PNG header: IHDR width, height (big-endian) and colour type (0 grey, 2 RGB).
png_info () { od -An -tu1 -j16 -N10 "$1" | awk '{print $3*256+$4, $7*256+$8, $10}'; }
# A PNG's pixels as raw GRAY8 video (rows padded to 4 bytes, as GStreamer lays them).
png_gray8 () {
  gst-launch-1.0 -q filesrc location="$1" ! pngdec ! videoconvert \
    ! video/x-raw,format=GRAY8 ! filesink location="$2"
}

# 1 s of a 1 kHz tone at 16 kHz: 98 frames of 64 bands with the defaults.
make_wav "$work/tone.wav" 16000 16000 1 1000
run "$EARSHOT" plot "$work/tone.wav" "$work/a.png"
expect_status 0 "plot of a WAV"
[ "$(png_info "$work/a.png")" = "800 500 2" ] && ok "default figure is 800x500 RGB" \
  || fail "default figure is $(png_info "$work/a.png")"

run "$EARSHOT" plot --grey --width 640 --height 320 "$work/tone.wav" "$work/b.png"
expect_status 0 "--grey 640x320"
[ "$(png_info "$work/b.png")" = "640 320 0" ] && ok "--grey figure is 640x320 GRAY8" \
  || fail "--grey figure is $(png_info "$work/b.png")"

run "$EARSHOT" plot --no-axes "$work/tone.wav" "$work/c.png"
expect_status 0 "--no-axes"
[ "$(png_info "$work/c.png")" = "98 64 2" ] && ok "--no-axes: one pixel per frame and band" \
  || fail "--no-axes image is $(png_info "$work/c.png")"

# The tone's row: band centres are mel-spaced inside (50 Hz, 8 kHz); the
# brightest row of every column is the nearest band's, counted from the bottom.
run "$EARSHOT" plot --no-axes --grey --width 100 "$work/tone.wav" "$work/d.png"
expect_status 0 "--no-axes --grey --width 100"
png_gray8 "$work/d.png" "$work/d.raw"
expected_row=$(awk 'function mel(f) { return 2595 * log(1 + f / 700) / log(10) }
  function hz(m) { return 700 * (10 ^ (m / 2595) - 1) }
  BEGIN { best = 0; bd = 1e9
    for (b = 0; b < 64; b++) { c = hz(mel(50) + (b + 1) * (mel(8000) - mel(50)) / 65)
      d = c - 1000; if (d < 0) d = -d; if (d < bd) { bd = d; best = b } }
    print 63 - best }')
rows=$(od -An -v -tu1 -w100 "$work/d.raw" | awk -v want="$expected_row" '
  { for (x = 1; x <= NF; x++) if ($x > best[x]) { best[x] = $x; row[x] = NR - 1 } }
  END { bad = 0; for (x = 1; x <= 100; x++) if (row[x] != want) bad++; print bad }')
[ "$rows" = 0 ] && ok "1 kHz is brightest in row $expected_row in every column" \
  || fail "$rows columns have their brightest pixel off row $expected_row"

# The element draws the same pixels: one window holding the whole clip.
gst-launch-1.0 -q filesrc location="$work/tone.wav" ! decodebin ! audioconvert ! audioresample \
  ! audio/x-raw,format=F32LE,channels=1,rate=16000 ! preemphasis ! hammingframe ! gammatonefb \
  ! spectrogramimager window-frames=98 hop-frames=98 ! video/x-raw,format=GRAY8 \
  ! filesink location="$work/element.raw" || fail "element pipeline failed"
run "$EARSHOT" plot --no-axes --grey "$work/tone.wav" "$work/e.png"
png_gray8 "$work/e.png" "$work/e.raw"
cmp -s "$work/element.raw" "$work/e.raw" && ok "earshot plot --no-axes = spectrogramimager, pixel for pixel" \
  || fail "earshot plot --no-axes and spectrogramimager differ"

# Options
run "$EARSHOT" plot --colour-map magma --normalise peak --db-min -60 --db-max 30 \
  "$work/tone.wav" "$work/f.png"
expect_status 0 "magma, peak normalisation, another range"
cmp -s "$work/a.png" "$work/f.png" && fail "options did not change the picture" \
  || ok "options change the picture"
run "$EARSHOT" plot --db-min 10 --db-max 0 "$work/tone.wav" "$work/g.png"
expect_status 2 "--db-min above --db-max"
run "$EARSHOT" plot --normalise loud "$work/tone.wav" "$work/g.png"
expect_status 2 "unknown --normalise"
expect_stderr "none, peak or range"
run "$EARSHOT" plot --grid "$work/tone.wav" "$work/g.png"
expect_status 2 "a measurement option on a clip"
run "$EARSHOT" plot --width 40 --height 30 "$work/tone.wav" "$work/g.png"
expect_status 2 "a figure too small for axes"
expect_stderr "no-axes"
run "$EARSHOT" plot --width 16384 --height 16384 "$work/tone.wav" "$work/g.png"
expect_status 2 "a picture too large"
expect_stderr "too large"
[ ! -e "$work/g.png" ] && ok "no PNG written on usage errors" || fail "g.png written"

# Bad input: each a clear message, exit 1, and an existing OUT left alone.
cp "$work/a.png" "$work/keep.png"
make_noise_file "$work/noise.bin" 20000
run "$EARSHOT" plot "$work/noise.bin" "$work/keep.png"
expect_status 1 "a binary file that is not audio"
expect_stderr "not an audio file"
cmp -s "$work/a.png" "$work/keep.png" && ok "existing OUT untouched" || fail "OUT was changed"

make_wav "$work/short.wav" 200 16000 1
run "$EARSHOT" plot "$work/short.wav" "$work/h.png"
expect_status 1 "a clip shorter than one frame"
expect_stderr "shorter than one 0.025 s analysis frame"

: >"$work/empty.wav"
run "$EARSHOT" plot "$work/empty.wav" "$work/h.png"
expect_status 1 "an empty file"
expect_stderr "empty"
run "$EARSHOT" plot "$work/missing.wav" "$work/h.png"
expect_status 1 "a missing file"
expect_stderr "No such file"
run "$EARSHOT" plot "$work" "$work/h.png"
expect_status 1 "a directory"
mkfifo "$work/fifo"
run "$EARSHOT" plot "$work/fifo" "$work/h.png"
expect_status 1 "a FIFO (no hang)"
expect_stderr "not a regular file"
[ ! -e "$work/h.png" ] && ok "nothing written for bad input" || fail "h.png written"
before=$(cksum <"$work/tone.wav")
run "$EARSHOT" plot "$work/tone.wav" "$work/tone.wav"
expect_status 1 "OUT is the input (refused before any work, as every output: exit 1)"
[ "$(cksum <"$work/tone.wav")" = "$before" ] && ok "input left intact" || fail "input changed"

# Silence: a documented picture (uniformly dark) and a note, exit 0.
gst-launch-1.0 -q audiotestsrc wave=silence samplesperbuffer=16000 num-buffers=1 \
  ! audio/x-raw,format=S16LE,rate=16000,channels=1 ! wavenc ! filesink location="$work/silence.wav"
run "$EARSHOT" plot --no-axes --grey --width 100 "$work/silence.wav" "$work/s.png"
expect_status 0 "silence"
expect_stderr "is silent"
png_gray8 "$work/s.png" "$work/s.raw"
[ "$(od -An -v -tu1 "$work/s.raw" | tr -s ' ' '\n' | grep -v '^$' | sort -u)" = 0 ] \
  && ok "silence is black" || fail "silence is not uniformly black"

# Another rate and band count through the same front-end.
make_wav "$work/tone44.wav" 44100 44100 2 3000
run "$EARSHOT" plot --no-axes --rate 22050 --bands 40 "$work/tone44.wav" "$work/r.png"
expect_status 0 "stereo 44.1 kHz at --rate 22050 --bands 40"
# 22050 Hz, 400-sample frames every 160: 1 + (22050 - 400) / 160 = 136 frames
[ "$(png_info "$work/r.png")" = "136 40 2" ] && ok "136 frames x 40 bands" \
  || fail "image is $(png_info "$work/r.png")"

# launch/spectrogram-file.launch as printed, from a scratch copy of the tree's
# layout: samples/sample.wav (4 s, 398 frames) gives 3 whole 1-s pictures and
# a padded last one.
mkdir -p "$work/root" && ln -s "$src/samples" "$work/root/samples"
status=0
(cd "$work/root" && timeout 60 gst-launch-1.0 $(grep -v '^#' "$src/launch/spectrogram-file.launch")) \
  >"$work/out" 2>"$work/err" || status=$?
expect_status 0 "launch/spectrogram-file.launch"
n=$(ls "$work/root"/spectrogram-*.png 2>/dev/null | wc -l)
[ "$n" -eq 4 ] && ok "4 spectrogram PNGs" || fail "$n spectrogram PNGs, expected 4"
[ "$(png_info "$work/root/spectrogram-00003.png" 2>/dev/null)" = "100 64 2" ] \
  && ok "each 100x64 RGB" || fail "last PNG is $(png_info "$work/root/spectrogram-00003.png")"
finish
