# `meson install --destdir`: plugin, library, headers and the CLI land under
# prefix/libdir etc. of this build, and the staged plugin loads from there.
# The installed library does not search the source tree for models or targets
# (the uninstalled one does). A consumer (tests/cli/consumer.c) builds with
# the staged headers and earshot.pc and runs; every installed header compiles
# alone and is reached from <earshot/earshot.h>, internal ones are absent, and
# the area folders are not on the include path (<nn/net.h> does not resolve).
# Args: BUILD_ROOT PREFIX LIBDIR INCLUDEDIR BINDIR SOURCE_ROOT SANITIZE
. "$(dirname "$0")/common.sh"
build_root=$1 prefix=$2 libdir=$3 includedir=$4 bindir=$5 source_root=$6 sanitize=${7:-none}
dest="$work/dest"
case $libdir in /*) ;; *) libdir="$prefix/$libdir" ;; esac
case $includedir in /*) ;; *) includedir="$prefix/$includedir" ;; esac
case $bindir in /*) ;; *) bindir="$prefix/$bindir" ;; esac

run meson install -C "$build_root" --no-rebuild --quiet --destdir "$dest"
expect_status 0 "meson install --destdir"
plugin_dir="$dest$libdir/gstreamer-1.0"
[ -f "$plugin_dir/libgstearshot.so" ] && ok "plugin in $libdir/gstreamer-1.0" \
  || fail "no plugin in $plugin_dir: $(find "$dest" -name '*.so' | tr '\n' ' ')"
ls "$dest$libdir"/libearshot.so* >/dev/null 2>&1 && ok "library in $libdir" \
  || fail "no libearshot in $dest$libdir"
[ -f "$dest$includedir/earshot/earshot.h" ] && ok "headers in $includedir/earshot" \
  || fail "no earshot.h in $dest$includedir/earshot"
[ -x "$dest$bindir/earshot" ] && ok "earshot in $bindir" || fail "no earshot in $dest$bindir"
if [ "$prefix" = /usr ]; then
  want=$(pkg-config --variable=pluginsdir gstreamer-1.0)
  [ "$libdir/gstreamer-1.0" = "$want" ] && ok "plugin dir is GStreamer's ($want)" \
    || fail "plugin dir $libdir/gstreamer-1.0 is not GStreamer's $want"
fi
run env GST_PLUGIN_PATH="$plugin_dir" GST_PLUGIN_SYSTEM_PATH_1_0= \
  GST_REGISTRY_1_0="$work/registry.bin" LD_LIBRARY_PATH="$dest$libdir" \
  gst-inspect-1.0 earshot
expect_status 0 "staged plugin loads"
grep -q "github.com/earshot-audio/earshot" "$work/out" && ok "origin URL is real" \
  || fail "gst-inspect earshot origin: $(grep -i origin "$work/out")"
[ -f "$dest$prefix/share/earshot/targets/harman-in-ear.csv" ] && ok "EQ-fit targets in share/earshot/targets" \
  || fail "no targets in $dest$prefix/share/earshot/targets"
[ -f "$dest$prefix/share/gstreamer-1.0/presets/GstEqRender.prs" ] && ok "eqrender presets in share/gstreamer-1.0/presets" \
  || fail "no GstEqRender.prs in $dest$prefix/share/gstreamer-1.0/presets"

# Consumers: earshot.pc relocated into the staged tree.
cc=${CC:-cc}
inc="$dest$includedir"
mkdir -p "$work/pkgconfig"
sed "s|^prefix=.*|prefix=$dest$prefix|" "$dest$libdir/pkgconfig/earshot.pc" >"$work/pkgconfig/earshot.pc"
cflags=$(PKG_CONFIG_PATH="$work/pkgconfig" pkg-config --cflags earshot) \
  || fail "pkg-config --cflags earshot"
libs=$(PKG_CONFIG_PATH="$work/pkgconfig" pkg-config --libs earshot) \
  || fail "pkg-config --libs earshot"
case " $cflags " in
  *" -I$inc/earshot "*) fail "earshot.pc puts $includedir/earshot on the include path: $cflags" ;;
  *" -I$inc "*) ok "earshot.pc: -I$includedir (headers as <earshot/...>)" ;;
  *) fail "earshot.pc Cflags lack -I$inc: $cflags" ;;
esac
# a sanitized library (./dev asan) needs its runtime linked in
san=""
[ "$sanitize" = none ] || san="-fsanitize=$sanitize"
# shellcheck disable=SC2086
run "$cc" -Wall -Werror $san -o "$work/consumer" "$source_root/tests/cli/consumer.c" $cflags $libs
expect_status 0 "a consumer of <earshot/earshot.h> builds with pkg-config earshot"
run env LD_LIBRARY_PATH="$dest$libdir" "$work/consumer"
expect_status 0 "the consumer runs against the staged library"
find "$inc/earshot" -name '*.h' | sed "s|^$inc/||" | sort >"$work/installed"
bad=""
while read -r h; do
  # shellcheck disable=SC2086
  printf '#include <%s>\n' "$h" | "$cc" -fsyntax-only -Werror -x c - $cflags 2>>"$work/alone" \
    || bad="$bad $h"
done <"$work/installed"
[ -z "$bad" ] && ok "$(wc -l <"$work/installed") installed headers each compile alone" \
  || fail "installed headers that do not compile alone:$bad: $(head -c 600 "$work/alone")"
# shellcheck disable=SC2086
"$cc" -M -x c "$source_root/tests/cli/consumer.c" $cflags 2>/dev/null | tr ' \\' '\n\n' \
  | grep "^$inc/earshot/" | sed "s|^$inc/||" | sort -u >"$work/reached"
unreached=$(comm -23 "$work/installed" "$work/reached" | tr '\n' ' ')
[ -s "$work/reached" ] && [ -z "$unreached" ] && ok "every installed header is reached from <earshot/earshot.h>" \
  || fail "installed but not reached from earshot.h (internal? list it in pipeline/meson.build): $unreached"
for h in nn/layer.h nn/blas.h dsp/simd.h dsp/soft-bound.h dsp/biquad-kernel.h io/text.h \
    io/search-path.h train/dataset-csv.h tasks/iem/task-iem.h; do
  [ -e "$inc/earshot/$h" ] && fail "internal header $h installed"
done
ok "internal headers not installed"
# shellcheck disable=SC2086
printf '#include <nn/net.h>\n' | "$cc" -fsyntax-only -x c - $cflags 2>/dev/null \
  && fail "<nn/net.h> resolves with earshot.pc's flags" || ok "<nn/net.h> does not resolve (only <earshot/nn/net.h>)"

# Model and target search: the build tree's CLI finds the shipped model in the
# source tree without ES_MODEL_PATH; the installed one (its library staged)
# never looks there, whether or not the name is found elsewhere.
run env -u ES_MODEL_PATH "$EARSHOT" model info --json iem-signature-1d
expect_status 0 "uninstalled: shipped model found by name without ES_MODEL_PATH"
grep -q "$source_root/models/iem-signature-1d.safetensors" "$work/out" \
  && ok "uninstalled: found in the source tree" \
  || fail "uninstalled: not from $source_root/models: $(head -c 300 "$work/out")"
# (Targets share the search-path code, pipeline/io/search-path.c.)
run env -u ES_MODEL_PATH LD_LIBRARY_PATH="$dest$libdir" \
  "$dest$bindir/earshot" model info iem-signature-1d
if grep -q "$source_root/models" "$work/out" "$work/err"; then
  fail "installed earshot looked in the source tree: $(grep -h "$source_root" "$work/out" "$work/err" | head -c 300)"
else
  ok "installed earshot: source-tree models/ neither used nor searched (exit $status)"
fi
finish
