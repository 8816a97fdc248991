#!/usr/bin/env bash
# bench/eq-kernel/run.sh BUILD_DIR: ns per frame of EsBiquadCascade's vector
# kernel and scalar loop, ten peaking bands, 1/2/6 channels, F32 and F64, one
# core. The whole-process figure that counts is bench/eq's.
#   EQ_KERNEL_SECONDS (default 60: seconds of 44.1 kHz audio a row)  BENCH_CORE (default 0)
set -euo pipefail
build=${1:?usage: bench/eq-kernel/run.sh BUILD_DIR}
echo "== bench/eq-kernel: core ${BENCH_CORE:-0} =="
uptime
taskset -c "${BENCH_CORE:-0}" "$build/bench/eq-kernel-bench" "${EQ_KERNEL_SECONDS:-60}"
