#!/usr/bin/env bash
# bench/audio-data/run.sh BUILD_DIR: the audio data kind on esc10 dev (240 clips,
# 5 s, 16 kHz): decode, cache the spectra, build a pool of 4 variants per clip
# (pitch + stretch + noise on every variant), one epoch of the augmentation hook;
# NumPy computing the same spectra from the same samples beside it. One core.
# Skips when the data is absent. AUDIO_DATA=FOLDER benchmarks another folder.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: bench/audio-data/run.sh BUILD_DIR}
data=${AUDIO_DATA:-${ES_DATA_DIR:-$here/../../../shared/data}/audio/esc10}
if [ ! -f "$data/index.csv" ]; then
  echo "bench audio-data: skip, no $data/index.csv"
  exit 0
fi
core=${BENCH_CORE:-0}
dump=$(mktemp)
trap 'rm -f "$dump"' EXIT
echo "== bench/audio-data: $data, pool ${AUDIO_POOL:-4}, core $core =="
OPENBLAS_NUM_THREADS=1 taskset -c "$core" "$build/bench/audio-data-bench" --pool "${AUDIO_POOL:-4}" \
  --dump "$dump" "$data"
OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 taskset -c "$core" /usr/bin/python3 "$here/numpy_spectra.py" "$dump"
