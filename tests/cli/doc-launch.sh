# Every gst-launch-1.0 line in README.md and docs/*.md that can run offline runs
# and exits 0 (run from a scratch copy of the tree's layout, so lines that write
# files write there). Skipped: microphone/display lines, data that is absent.
# Args: SOURCE_ROOT
. "$(dirname "$0")/common.sh"
src=$1
root="$work/root"
mkdir -p "$root"
for d in samples launch models; do ln -s "$src/$d" "$root/$d"; done
[ -d "$src/../shared" ] && ln -s "$src/../shared" "$work/shared"
export GST_PLUGIN_PATH="${GST_PLUGIN_PATH_1_0:-}"
# eqrender's presets from the source tree (GstPreset also makes its user
# directory under XDG_DATA_HOME)
export GST_PRESET_PATH="$src/presets" XDG_DATA_HOME="$work/xdg-data"
count=0
for md in "$src/README.md" "$src"/docs/*.md; do
  # join backslash continuations, keep only gst-launch lines
  sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$md" | grep '^gst-launch-1.0 ' > "$work/lines" || continue
  while IFS= read -r line; do
    case $line in
      *live*|*autoaudiosrc*|*pulsesrc*|*alsasrc*|*autovideosink*|*ximagesink*) continue ;;
    esac
    case $line in
      *../shared/data*) [ -d "$work/shared/data" ] || continue ;;
    esac
    # lines naming esc10 (themselves or through a launch/ file) need the model
    uses=$line
    f=$(grep -o 'launch/[a-z0-9-]*\.launch' <<<"$line" | head -1) && uses+=$(cat "$src/$f")
    case $uses in
      *model=esc10*) [ -f "$src/models/esc10.safetensors" ] || continue ;;
    esac
    count=$((count + 1))
    status=0
    (cd "$root" && timeout 60 bash -c "$line" >"$work/out" 2>"$work/err") || status=$?
    if [ "$status" -eq 0 ]; then ok "${md#$src/}: ${line:0:90}"
    else fail "${md#$src/} exit $status: $line: $(tail -3 "$work/err") $(grep -i error "$work/out" | head -2)"; fi
  done < "$work/lines"
done
[ "$count" -ge 6 ] && ok "$count doc lines run" || fail "only $count doc lines found"
finish
