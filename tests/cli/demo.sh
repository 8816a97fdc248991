# scripts/demo.sh end to end on the shipped sample: it must succeed and print
# the summary. BUILD_DIR is the directory holding launch/earshot.
. "$(dirname "$0")/common.sh"

build=$(cd "$(dirname "$EARSHOT")/.." && pwd)
src=$(cd "$(dirname "$0")/../.." && pwd)
run "$src/scripts/demo.sh" "$build"
expect_status 0 "demo"
for word in "frames: 398" "bands: 64" "loudest bands" "timeline"; do
  grep -q "$word" "$work/out" && ok "demo prints '$word'" || fail "demo output lacks '$word'"
done
finish
