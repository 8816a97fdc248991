# Outputs never destroy anything (io/output through every command): device
# nodes and FIFOs are written in place with their errors reported, symlinks
# kept, an output that is an input refused before any work, temporary files
# removed on errors, signals and file-size limits, unwritable destinations
# found before long work. Device nodes are made with mknod in the test's
# folder when running as root, so a regression only ever destroys that copy.
. "$(dirname "$0")/common.sh"

# a measurement over 20 Hz-20 kHz
m="$work/m.csv"
awk 'BEGIN { print "frequency,raw"; for (i = 0; i < 200; i++) { f = 20 * 1000 ^ (i / 199);
  printf "%.3f,%.3f\n", f, 90 + 6 / (1 + (f / 120) ^ 2) } }' >"$m"
cp "$m" "$work/m-copy.csv"
is_png() { [ "$(head -c 4 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e47 ]; }
same_as_copy() { cmp -s "$m" "$work/m-copy.csv"; }
no_temporaries() {
  local left
  left=$(find "$work" -name '.*.*.*' | head -5)
  [ -z "$left" ] && ok "no temporary file left ($1)" || fail "temporary files left ($1): $left"
}

# ---- devices ----------------------------------------------------------------
if [ "$(id -u)" -eq 0 ]; then
  mknod "$work/null" c 1 3 && mknod "$work/full" c 1 7
  null="$work/null" full="$work/full"
else
  null=/dev/null full=/dev/full   # not replaceable without root
fi
run "$EARSHOT" plot "$m" "$null"
expect_status 0 "plot to a null device"
[ -c "$null" ] && ok "the device is still a device" || fail "plot replaced the device node"
run "$EARSHOT" plot "$m" "$full"
expect_status 1 "plot to a full device"
expect_stderr "No space left on device"
[ -c "$full" ] && ok "the full device is still a device" || fail "plot replaced the full device"
run "$EARSHOT" iem -o "$full" "$m"
expect_status 1 "iem -o to a full device"
expect_stderr "No space left on device"

# ---- FIFO with a reader ---------------------------------------------------------
mkfifo "$work/fifo"
timeout 60 cat "$work/fifo" >"$work/from-fifo.png" &
reader=$!
run "$EARSHOT" plot "$m" "$work/fifo"
expect_status 0 "plot into a FIFO"
[ "$status" -eq 0 ] || kill "$reader" 2>/dev/null
wait "$reader" || true
[ -p "$work/fifo" ] && ok "FIFO still a FIFO" || fail "the FIFO was replaced"
is_png "$work/from-fifo.png" && ok "the PNG came through the FIFO" || fail "no PNG through the FIFO"

# ---- symlinks and hard links ------------------------------------------------------
echo old >"$work/target.png"
ln -s target.png "$work/link.png"
run "$EARSHOT" plot "$m" "$work/link.png"
expect_status 0 "plot through a symlink"
[ -L "$work/link.png" ] && is_png "$work/target.png" && ok "symlink kept, its target replaced" \
  || fail "symlinked output mishandled"

ln -s m.csv "$work/m-link.csv"
ln "$m" "$work/m-hard.csv"
for out in "$m" "$work/m-link.csv" "$work/m-hard.csv"; do
  run "$EARSHOT" plot "$m" "$out"
  expect_status 1 "plot onto its input ($(basename "$out"))"
  expect_stderr "refusing to overwrite"
  run "$EARSHOT" iem --json -o "$out" "$m"
  expect_status 1 "iem -o onto its input ($(basename "$out"))"
  expect_stderr "refusing to overwrite"
  run "$EARSHOT" eq fit "$m" --target flat -o "$out"
  expect_status 1 "eq fit -o onto its input ($(basename "$out"))"
  run "$EARSHOT" eq fit "$m" --target flat --plot "$out"
  expect_status 1 "eq fit --plot onto its input ($(basename "$out"))"
done
# a folder walked by iem: its files are inputs too
mkdir "$work/in" && cp "$m" "$work/in/a.csv"
run "$EARSHOT" iem -o "$work/in/a.csv" "$work/in"
expect_status 1 "iem -o onto a file of the folder it reads"
cmp -s "$m" "$work/in/a.csv" && ok "walked input intact" || fail "iem overwrote a walked input"
same_as_copy && ok "input intact after every refusal" || fail "an input was overwritten"

# ---- interrupted runs ---------------------------------------------------------------
# features on 20 s of audio with a hop of 1 sample: long enough to be caught
# writing. Job control puts it in its own process group with SIGINT not
# ignored (background jobs of a script otherwise ignore it).
make_wav "$work/long.wav" 320000 16000 1
for sig in INT TERM; do
  echo "precious" >"$work/out.csv"
  set -m
  "$EARSHOT" features -q --hop-size 1 "$work/long.wav" "$work/out.csv" 2>"$work/err" &
  pid=$!
  set +m
  caught=no
  for _ in $(seq 300); do
    if [ -n "$(find "$work" -name '.out.csv.*' -size +0 2>/dev/null)" ]; then caught=yes; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -"$sig" "$pid" 2>/dev/null
  status=0
  wait "$pid" || status=$?
  [ "$caught" = yes ] && ok "SIG$sig arrived while the output was being written" \
    || fail "features was not caught writing (exit $status)"
  expected=$((128 + $(kill -l "$sig")))
  expect_status "$expected" "features ended by SIG$sig"
  [ "$(cat "$work/out.csv")" = precious ] && ok "old output kept (SIG$sig)" \
    || fail "old output changed (SIG$sig)"
  no_temporaries "SIG$sig"
done

# standard output closed by its reader (| head): the run ends quietly, exit 1
set +o pipefail
"$EARSHOT" features -q "$work/long.wav" - 2>"$work/err" | head -c 100 >/dev/null
status=${PIPESTATUS[0]}
expect_status 1 "features to a pipe its reader closed"
[ ! -s "$work/err" ] && ok "no message for a reader that left" || fail "stderr: $(head -c 300 "$work/err")"

# a file-size limit (SIGXFSZ not ignored by the shell: earshot must not die of it)
mkdir "$work/limited" && echo keep >"$work/limited/r.json"
status=0
(ulimit -f 1; exec timeout 60 "$EARSHOT" iem --json -o "$work/limited/r.json" \
  "$m" "$m" "$m" "$m" "$m" "$m" "$m" "$m") >"$work/out" 2>"$work/err" || status=$?
expect_status 1 "iem -o over a file-size limit"
expect_stderr "File too large"
[ "$(cat "$work/limited/r.json")" = keep ] && ok "existing results kept" || fail "results changed"
[ "$(ls -A "$work/limited")" = r.json ] && ok "no r.json.XXXXXX left" \
  || fail "left: $(ls -A "$work/limited")"

# ---- unwritable destinations, found before the work -----------------------------------
fixtures=$ES_FIXTURES_DIR/train
mkdir -p "$work/t/blobs.safetensors"      # a folder where the model goes
run "$EARSHOT" train "$fixtures/blobs.recipe" --out "$work/t"
expect_status 1 "train into a folder whose model path is a folder"
expect_stderr "blobs.safetensors: it is a directory"
grep -q "epoch" "$work/err" && fail "train trained before finding the bad output" \
  || ok "nothing trained before the output check"
: >"$work/afile"
run "$EARSHOT" train "$fixtures/blobs.recipe" --out "$work/afile/sub"
expect_status 1 "train --out below a file"
if [ "$(id -u)" -ne 0 ]; then
  mkdir "$work/ro" && chmod 555 "$work/ro"
  run "$EARSHOT" train "$fixtures/blobs.recipe" --out "$work/ro"
  expect_status 1 "train --out into a read-only folder"
  expect_stderr "Permission denied"
  grep -q "epoch" "$work/err" && fail "train trained before finding the read-only folder" \
    || ok "read-only folder found before training"
  chmod 755 "$work/ro"
fi
run "$EARSHOT" plot "$m" "$work/no-such-dir/g.png"
expect_status 1 "plot into a missing folder"
expect_stderr "no-such-dir/g.png: No such file or directory"

# ---- endless inputs ---------------------------------------------------------------------
# /dev/zero ends at the measurement limit (64 MiB), not at the memory's end.
# Without the sanitizers (which reserve terabytes of address space) memory is
# also capped, so a regression fails here instead of filling the machine.
limit_memory() { case "${LD_PRELOAD:-}" in *asan*) ;; *) ulimit -v 4000000 ;; esac; }
status=0
(limit_memory; exec timeout 60 "$EARSHOT" plot /dev/zero "$work/z.png") >"$work/out" 2>"$work/err" \
  || status=$?
expect_status 1 "plot /dev/zero"
expect_stderr "/dev/zero: not a regular file"
[ ! -e "$work/z.png" ] && ok "nothing written for /dev/zero" || fail "z.png written"
status=0
(limit_memory; exec timeout 60 "$EARSHOT" eq fit /dev/zero --target flat) >"$work/out" \
  2>"$work/err" || status=$?
expect_status 1 "eq fit /dev/zero"
expect_stderr "/dev/zero: not a regular file, and more than 64 MiB"
status=0
(limit_memory; exec timeout 60 gst-launch-1.0 frsrc location=/dev/zero ! fakesink) \
  >"$work/out" 2>"$work/err" || status=$?
[ "$status" -ne 0 ] && [ "$status" -ne 124 ] && ok "frsrc location=/dev/zero fails (exit $status)" \
  || fail "frsrc location=/dev/zero: exit $status"
grep -q "more than 64 MiB" "$work/out" "$work/err" && ok "frsrc names the limit" \
  || fail "frsrc message: $(head -c 400 "$work/out" "$work/err")"
# a measurement FIFO whose writer never stops
mkfifo "$work/endless.csv"
(limit_memory; exec timeout 60 yes 20,1 >"$work/endless.csv") 2>/dev/null &
run "$EARSHOT" eq fit "$work/endless.csv" --target flat -o "$work/e.txt"
expect_status 1 "eq fit from an endless FIFO"
expect_stderr "more than 64 MiB"
[ ! -e "$work/e.txt" ] && ok "nothing written for the endless FIFO" || fail "e.txt written"
wait
no_temporaries "all cases"
finish
