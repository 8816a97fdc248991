# `meson install --destdir`: plugin, library, headers and the CLI land under
# prefix/libdir etc. of this build, and the staged plugin loads from there.
# The installed library does not search the source tree for models or targets
# (the uninstalled one does).
# Args: BUILD_ROOT PREFIX LIBDIR INCLUDEDIR BINDIR SOURCE_ROOT
. "$(dirname "$0")/common.sh"
build_root=$1 prefix=$2 libdir=$3 includedir=$4 bindir=$5 source_root=$6
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
