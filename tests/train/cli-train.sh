#!/bin/bash
# earshot train / eval end to end on a small table: outputs written, metrics
# high, reruns bit-identical, eval agrees with the card, bad input is a clear
# error with a non-zero exit and nothing clobbered.
set -u
fail=0
check () { if ! eval "$1"; then echo "FAIL: $2"; fail=1; fi; }
fixtures=$ES_FIXTURES_DIR/train
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$EARSHOT" train "$fixtures/blobs.recipe" --out "$tmp/a" --cv 2>"$tmp/err" >"$tmp/out"
check '[ $? -eq 0 ]' "train exits 0 ($(tail -3 "$tmp/err"))"
for f in blobs.safetensors blobs.md blobs-loss.png blobs-accuracy.png blobs-confusion.png; do
  check '[ -s "$tmp/a/$f" ]' "wrote $f"
done
check 'grep -q "epoch" "$tmp/err"' "progress on stderr"
acc=$(sed -n 's/^test: accuracy \([0-9.]*\) %.*/\1/p' "$tmp/out")
check 'awk "BEGIN{exit !($acc >= 99)}"' "test accuracy $acc >= 99 %"
check 'grep -q "3-fold cross-validation" "$tmp/a/blobs.md"' "card has the CV section"
check 'grep -q "mean ± std" "$tmp/a/blobs.md"' "card has mean ± std"
check 'grep -q "| true \\\\ predicted |" "$tmp/a/blobs.md"' "card has the confusion matrix"
check 'head -c 8 "$tmp/a/blobs-loss.png" | od -An -c | grep -q "P   N   G"' "loss plot is a PNG"

# same seed, same bytes
"$EARSHOT" train "$fixtures/blobs.recipe" --out "$tmp/b" --cv --quiet >/dev/null 2>&1
check 'cmp -s "$tmp/a/blobs.safetensors" "$tmp/b/blobs.safetensors"' "bit-identical rerun"
# the model and the folds on threads: same model, same card
"$EARSHOT" train "$fixtures/blobs.recipe" --out "$tmp/j" --cv --jobs 2 2>"$tmp/errj" >/dev/null
check '[ $? -eq 0 ]' "train --jobs 2 exits 0 ($(tail -3 "$tmp/errj"))"
check 'cmp -s "$tmp/a/blobs.safetensors" "$tmp/j/blobs.safetensors"' "--jobs 2: same model"
check 'cmp -s "$tmp/a/blobs.md" "$tmp/j/blobs.md"' "--jobs 2: same card"
check 'grep -q "fold 3 epoch" "$tmp/errj"' "--jobs 2: fold progress"
"$EARSHOT" train "$fixtures/blobs.recipe" --out "$tmp/j" --jobs 0 2>/dev/null
check '[ $? -eq 2 ]' "--jobs 0 is a usage error"
"$EARSHOT" train "$fixtures/blobs.recipe" --out "$tmp/j" --jobs 2 2>"$tmp/errj2"
check '[ $? -eq 2 ] && grep -q "applies to --cv" "$tmp/errj2"' "--jobs without --cv is a usage error"

# an IEM recipe on measurements made here (4 reviewers x 8 files, shelves
# of 0 or 6 dB below 100 Hz and above 4 kHz); the card states the
# augmentation and the soft rule targets it trained with
iem="$tmp/iem"
mkdir -p "$iem"
echo "path,reviewer,label" >"$iem/index.csv"
for r in 1 2 3 4; do
  mkdir -p "$iem/r$r"
  for k in 0 1 2 3 4 5 6 7; do
    b=$(( (k & 1) * 6 )); t=$(( (k >> 1 & 1) * 6 ))
    case "$b$t" in 00) label=Neutral ;; 06) label=Bright ;; 60) label=Warm ;; 66) label=V-shape ;; esac
    awk -v b=$b -v t=$t -v r=$r -v k=$k 'BEGIN { print "frequency,db";
      for (i = 0; i < 240; i++) { f = 20 * 1000 ^ (i / 239);
        printf "%.4f,%.4f\n", f, 90 + b / (1 + (f / 100) ^ 2) + t / (1 + (4000 / f) ^ 2) \
          + 0.3 * sin(i * (r + k) / 7) } }' >"$iem/r$r/$k.csv"
    echo "r$r/$k.csv,r$r,$label" >>"$iem/index.csv"
  done
done
printf '[data]\nkind = iem\npath = %s\npoints = 64\ngroup = reviewer\nlabels = Neutral;Bright;Warm;V-shape\n[model]\nname = tiny-iem\narchitecture = mlp\n[train]\nmax_epochs = 2\nbatch_size = 8\nseed = 3\n[augment]\nprobability = 0.5\nlabel_softness = 0.25\n[split]\nmethod = grouped\nvalidation = 0.25\ntest = 0.25\n' "$iem" >"$tmp/iem.recipe"
"$EARSHOT" train "$tmp/iem.recipe" --out "$tmp/iem-out" --quiet >/dev/null 2>"$tmp/erri"
check '[ $? -eq 0 ]' "iem recipe with soft targets trains ($(tail -3 "$tmp/erri"))"
check 'grep -q "50 % of drawn examples get their raw rows perturbed" "$tmp/iem-out/tiny-iem.md"' "card states the augmentation"
check 'grep -q "soft rule targets.*(diff-3)/0.25)) (label_softness, dB)" "$tmp/iem-out/tiny-iem.md"' "card states the soft targets"

# eval on the table, text and JSON
"$EARSHOT" eval "$tmp/a/blobs.safetensors" "$fixtures/blobs.csv" >"$tmp/eval" 2>&1
check '[ $? -eq 0 ]' "eval exits 0"
check 'grep -q "^accuracy" "$tmp/eval" && grep -q "true\\\\pred" "$tmp/eval"' "eval prints metrics and confusion"
"$EARSHOT" eval "$tmp/a/blobs.safetensors" "$fixtures/blobs.recipe" --json >"$tmp/eval.json"
check '[ $? -eq 0 ] && grep -q "\"macro_f1\"" "$tmp/eval.json"' "eval --json from a recipe"

# errors: clear message, non-zero, nothing clobbered
echo keep >"$tmp/a/blobs.md.bak"
printf '[data]\nkind=table\npath=blobs.csv\nlearning_rat=1\n[model]\nname=x\narchitecture=mlp\n' >"$tmp/bad.recipe"
"$EARSHOT" train "$tmp/bad.recipe" --out "$tmp/a" 2>"$tmp/err"; rc=$?
check '[ $rc -eq 1 ] && grep -q "\[data\] learning_rat: unknown key" "$tmp/err"' "unknown key reported ($(cat "$tmp/err"))"
printf '[data]\nkind=table\npath=missing.csv\n[model]\nname=blobs\narchitecture=mlp\n' >"$tmp/missing.recipe"
"$EARSHOT" train "$tmp/missing.recipe" --out "$tmp/a" 2>"$tmp/err"; rc=$?
check '[ $rc -eq 1 ] && grep -q "missing.csv" "$tmp/err"' "missing data named"
check 'cmp -s "$tmp/a/blobs.safetensors" "$tmp/b/blobs.safetensors"' "failed run left the model alone"
"$EARSHOT" train 2>/dev/null; check '[ $? -eq 2 ]' "usage error exits 2"
"$EARSHOT" train "$fixtures/blobs.recipe" --bogus 2>/dev/null; check '[ $? -eq 2 ]' "unknown option exits 2"
"$EARSHOT" eval "$tmp/nope.safetensors" "$fixtures/blobs.csv" 2>"$tmp/err"; rc=$?
check '[ $rc -eq 1 ] && grep -q "nope" "$tmp/err"' "missing model named"
exit $fail
