# `meson install --destdir`: plugin, library, headers and the CLI land under
# prefix/libdir etc. of this build, and the staged plugin loads from there.
# Args: BUILD_ROOT PREFIX LIBDIR INCLUDEDIR BINDIR
. "$(dirname "$0")/common.sh"
build_root=$1 prefix=$2 libdir=$3 includedir=$4 bindir=$5
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
finish
