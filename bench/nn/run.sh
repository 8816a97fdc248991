#!/usr/bin/env bash
# bench/nn: the earshot CNN engine against PyTorch (Debian python3-torch) on the
# three reference networks, in one run on the same machine.
#   bench/nn/run.sh BUILD_DIR [--threads N] [--epoch-examples N] [--min-time S]
# BUILD_DIR must contain bench/nn-bench. Prints a table with ratios and the
# fraction of the CPU's peak single-core FP32 rate reached at batch 64.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: bench/nn/run.sh BUILD_DIR [--threads N] [--epoch-examples N] [--min-time S]}
shift
threads=1 epoch=1024 min_time=2
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads=$2; shift 2 ;;
    --epoch-examples) epoch=$2; shift 2 ;;
    --min-time) min_time=$2; shift 2 ;;
    *) echo "bench/nn: unknown option $1" >&2; exit 2 ;;
  esac
done
bench=$build/bench/nn-bench
[ -x "$bench" ] || { echo "bench/nn: $bench not built" >&2; exit 1; }

# Peak FP32 FLOP/s of one core = clock x FMA pipes x lanes x 2. AVX-512 parts
# are counted as 2 x 256-bit FMA per cycle (Zen 4 runs AVX-512 double-pumped
# on 256-bit units; most Intel client cores also have 2 x 256-bit), AVX2 the
# same, otherwise 2 x 128-bit. Override with PEAK_FLOPS_PER_CYCLE / CPU_MHZ.
mhz=${CPU_MHZ:-$(awk -F: '/^cpu MHz/ {print $2; exit}' /proc/cpuinfo | tr -d ' ')}
if grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then per_cycle=32; else per_cycle=16; fi
per_cycle=${PEAK_FLOPS_PER_CYCLE:-$per_cycle}
peak=$(awk -v m="$mhz" -v f="$per_cycle" -v t="$threads" 'BEGIN {printf "%.1f", m * f * t / 1000}')
echo "CPU: $(awk -F: '/^model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ *//'), ${mhz} MHz;" \
  "peak taken as ${per_cycle} FP32 FLOP/cycle/core x ${threads} thread(s) = ${peak} GFLOP/s"

results=$(mktemp)
trap 'rm -f "$results"' EXIT
OPENBLAS_NUM_THREADS=$threads "$bench" "$here/nets.json" --threads "$threads" \
  --epoch-examples "$epoch" --min-time "$min_time" > "$results"
OMP_NUM_THREADS=$threads /usr/bin/python3 "$here/nn_bench_torch.py" "$here/nets.json" "$results" \
  --threads "$threads" --epoch-examples "$epoch" --min-time "$min_time" --peak-gflops "$peak"
