# Inputs are bounded before they are read: a table's header is checked before
# its rows (eval on a table missing a column answers at once, even from a
# FIFO whose writer has not finished), a label column with a label per row is
# refused instead of never finishing, endless inputs stop at their limit.
. "$(dirname "$0")/common.sh"

fixtures=$ES_FIXTURES_DIR/train
run "$EARSHOT" train "$fixtures/blobs.recipe" --out "$work/model" --epochs 1 --quiet
expect_status 0 "a model to evaluate"
model="$work/model/blobs.safetensors"

# a table whose writer sends the header and one row, then stays open for 50 s:
# the missing 'label' column must be reported without waiting for the rest
mkfifo "$work/table.csv"
{ printf 'who,f0,f1,f2,f3,cls\ng0,1,2,3,4,low\n'; exec sleep 50; } >"$work/table.csv" &
writer=$!
status=0
timeout 20 "$EARSHOT" eval "$model" "$work/table.csv" >"$work/out" 2>"$work/err" || status=$?
kill "$writer" 2>/dev/null
wait "$writer" 2>/dev/null
expect_status 1 "eval on a table without the label column (header only read)"
expect_stderr "no column named 'label'"

# a million rows, every one its own label: refused at the 1001st label
awk 'BEGIN { print "who,f0,label"; for (i = 0; i < 1000000; i++) printf "g%d,%d,L%d\n", i % 7, i % 5, i }' \
  >"$work/labels.csv"
printf '[data]\nkind = table\npath = labels.csv\ngroup = who\n[model]\nname = many\narchitecture = mlp\n' \
  >"$work/many.recipe"
run "$EARSHOT" train "$work/many.recipe" --out "$work/many" --quiet
expect_status 1 "train on a label column with a label per row"
expect_stderr "labels.csv:1002: more than 1000 distinct labels in column 'label'"

# a recipe that never ends
mkfifo "$work/endless.recipe"
(timeout 60 yes '# comment' >"$work/endless.recipe") 2>/dev/null &
run "$EARSHOT" train "$work/endless.recipe" --out "$work/x"
expect_status 1 "train from an endless recipe"
expect_stderr "more than 4 MiB (the limit for a recipe)"
wait
finish
