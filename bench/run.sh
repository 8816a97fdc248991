#!/usr/bin/env bash
# Run benchmarks against a build: bench/run.sh BUILD_DIR [NAME...]
# NAME is a bench/NAME.sh script (e.g. frontend); with none, every one runs.
# `./dev bench frontend` calls this after building.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: bench/run.sh BUILD_DIR [NAME...]}
shift
build=$(cd "$build" && pwd)

if [ $# -eq 0 ]; then
  set -- $(cd "$here" && ls *.sh | grep -v '^run\.sh$' | sed 's/\.sh$//')
fi
for name in "$@"; do
  if [ ! -f "$here/$name.sh" ]; then
    echo "bench: no benchmark '$name' (have: $(cd "$here" && ls *.sh | grep -v '^run\.sh$' | sed 's/\.sh$//' | tr '\n' ' '))" >&2
    exit 2
  fi
  bash "$here/$name.sh" "$build"
done
