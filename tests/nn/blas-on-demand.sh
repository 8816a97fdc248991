#!/usr/bin/env bash
# BLAS is opened when the first network is built (pipeline/nn/blas.h): the
# library and the plugin do not link it, a pipeline without a network does not
# load it, and one with a network does.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../cli/common.sh"
build=$1
source_dir=$2

for so in "$build/pipeline/libearshot.so" "$build/elements/libgstearshot.so"; do
  if readelf -d "$so" | grep -qi 'NEEDED.*blas'; then
    fail "$(basename "$so") links BLAS: $(readelf -d "$so" | grep -i blas)"
  else
    ok "$(basename "$so") does not link BLAS"
  fi
done

loaded() {   # "$@" with the dynamic loader's log; TRUE if a BLAS library was opened
  LD_DEBUG=files "$@" 2>&1 >/dev/null | grep -q 'file=[^ ]*blas'
}
if loaded gst-launch-1.0 -q audiotestsrc num-buffers=4 samplesperbuffer=1600 \
    ! audio/x-raw,format=F32LE,rate=16000,channels=1 ! preemphasis ! hammingframe \
    ! gammatonefb ! fakesink; then
  fail "the front-end pipeline loaded BLAS"
else
  ok "the front-end pipeline does not load BLAS"
fi
if loaded "$EARSHOT" iem "$source_dir/samples/iem-sample.csv"; then
  ok "classifying with a network loads BLAS"
else
  fail "earshot iem ran a network without loading BLAS?"
fi
finish
