#!/usr/bin/env bash
# bench/eq-fit/run.sh BUILD_DIR: the EQ fit (issue 16 §4) over every
# measurement of the development data (../shared/data/iem, or $ES_DATA_DIR/iem)
# against the shipped smooth targets, one core: median and 90th-percentile
# residual (RMS 20 Hz-10 kHz after mean removal, <= 10 filters) and the time
# per fit. Skips when the data is absent. EQ_FIT_STRIDE=N fits every Nth file;
# EQ_FIT_TARGETS lists the targets (default "harman-in-ear neutral").
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: bench/eq-fit/run.sh BUILD_DIR}
data=${ES_DATA_DIR:-$here/../../../shared/data}/iem
if [ ! -f "$data/index.csv" ]; then
  echo "bench eq-fit: skip, no $data/index.csv"
  exit 0
fi
core=${BENCH_CORE:-0}
for target in ${EQ_FIT_TARGETS:-harman-in-ear neutral}; do
  echo "== bench/eq-fit: $data, target $target, every ${EQ_FIT_STRIDE:-1}. file, core $core =="
  taskset -c "$core" "$build/bench/eq-fit-bench" --target "$target" --stride "${EQ_FIT_STRIDE:-1}" "$data"
done
