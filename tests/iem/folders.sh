# earshot iem on folders: sorted walk, -r, files that cannot be read or
# classified are reported and skipped, the rest still classified, exit 1.
. "$(dirname "$0")/common.sh"
make_models

d="$work/mixed"
mkdir -p "$d/sub" "$d/.hidden"
make_curve "$d/b-warm.csv" warm
make_curve "$d/a-bright.csv" bright
make_curve "$d/sub/neutral.csv" neutral
make_curve "$d/.hidden/neutral.csv" neutral
"$EARSHOT" plot "$d/b-warm.csv" "$d/c-warm.png"
printf 'frequency,raw\n20,1\n30,2\nabc,3\n' >"$d/d-malformed.csv"
printf 'frequency,raw\n20,1\n30,2\n25,3\n' >"$d/e-decreasing.csv"
: >"$d/f-empty.csv"
head -c 300 /dev/urandom >"$d/g-broken.png"
ln -s "$work/no-such-file.csv" "$d/h-dangling.csv"
mkfifo "$d/i-fifo.csv"
echo "not a measurement, ignored by the walk" >"$d/README.md"
if [ "$(id -u)" -ne 0 ]; then
  make_curve "$d/j-unreadable.csv" warm
  chmod 000 "$d/j-unreadable.csv"
fi

run "$EARSHOT" iem --model-1d "$M1" --model-2d "$M2" "$d"
expect_status 1 "folder with bad files"
expect_label "$d/a-bright.csv" Bright
expect_label "$d/b-warm.csv" Warm
expect_label "$d/c-warm.png" Warm
# each failure on stderr naming the file (and the line for malformed rows)
expect_in "$work/err" "$d/d-malformed.csv:4:"
expect_in "$work/err" "$d/e-decreasing.csv:4:"
expect_in "$work/err" "$d/f-empty.csv"
expect_in "$work/err" "$d/g-broken.png: cannot decode as an image"
expect_in "$work/err" "$d/h-dangling.csv: No such file or directory"
expect_in "$work/err" "$d/i-fifo.csv: not a regular file"
[ "$(id -u)" -ne 0 ] && expect_in "$work/err" "$d/j-unreadable.csv"
expect_in "$work/err" "1 subfolder not searched (use -r)"
expect_not_in "$work/out" "README.md"
expect_not_in "$work/out" "neutral.csv"
# sorted order: a-, b-, c-
order=$(grep -oE '(a-bright|b-warm|c-warm)\.[a-z]+: ' "$work/out" | tr -d ': \n')
[ "$order" = "a-bright.csvb-warm.csvc-warm.png" ] && ok "files in sorted order" || fail "order: $order"
# summary: counts per class and the failures
n_bad=$([ "$(id -u)" -ne 0 ] && echo 7 || echo 6)
expect_in "$work/out" "summary: $((3 + n_bad)) files, 3 classified, $n_bad failed"
grep -qE '^  Warm +2$' "$work/out" && ok "summary counts 2 Warm" || fail "summary Warm count: $(cat "$work/out")"
grep -qE '^  Bright +1$' "$work/out" && ok "summary counts 1 Bright" || fail "summary Bright count"
grep -qE '^  Neutral +0$' "$work/out" && ok "summary counts 0 Neutral" || fail "summary Neutral count"
expect_in "$work/out" "failed:"

# -r: subfolders too (hidden ones never)
run "$EARSHOT" iem -r --model-1d "$M1" --model-2d "$M2" "$d"
expect_status 1 "-r on the folder"
expect_label "$d/sub/neutral.csv" Neutral
expect_not_in "$work/out" ".hidden"
expect_not_in "$work/err" "subfolder"

# a clean folder: exit 0; files and folders mixed on the command line
mkdir -p "$work/clean"
make_curve "$work/clean/x.csv" vshape
"$EARSHOT" plot "$work/clean/x.csv" "$work/clean/y.png"
run "$EARSHOT" iem --model-1d "$M1" --model-2d "$M2" "$work/clean" "$d/b-warm.csv"
expect_status 0 "clean folder plus a file"
expect_label "$work/clean/x.csv" V-shape
expect_label "$work/clean/y.png" V-shape
expect_label "$d/b-warm.csv" Warm
expect_in "$work/out" "summary: 3 files, 3 classified, 0 failed"

# a folder of only measurements needs no 2D model
run "$EARSHOT" iem --model-1d "$M1" --model-2d no-such-model "$d/sub"
expect_status 0 "measurements only: the 2D model is not loaded"

# an empty folder, a missing file
mkdir -p "$work/empty"
run "$EARSHOT" iem --model-1d "$M1" "$work/empty"
expect_status 1 "empty folder"
expect_in "$work/err" "$work/empty: no measurement"
run "$EARSHOT" iem --model-1d "$M1" "$work/nothing-here.csv"
expect_status 1 "missing file"
expect_in "$work/err" "$work/nothing-here.csv: No such file or directory"

# progress: a plain count with -q; a bar only on a terminal
run "$EARSHOT" iem -q --model-1d "$M1" --model-2d "$M2" "$d"
expect_status 1 "-q"
expect_in "$work/err" "earshot iem: $((3 + n_bad)) files, 3 classified, $n_bad failed"
expect_not_in "$work/out" "summary:"
if grep -q $'\r' "$work/err"; then fail "no progress bar when stderr is not a terminal"; else ok "no bar off a terminal"; fi
if command -v script >/dev/null 2>&1; then
  # script(1) gives the command a terminal; its output is the terminal's
  timeout 60 script -qec "'$EARSHOT' iem --model-1d '$M1' --model-2d '$M2' '$work/clean' >/dev/null" \
    /dev/null >"$work/tty" 2>&1 || true
  grep -q '\[#*\.*\] [0-9]*/2' "$work/tty" && ok "progress bar on a terminal" \
    || fail "no progress bar on a terminal: $(head -c 300 "$work/tty" | od -c | head -5)"
fi

finish
