#!/usr/bin/env bash
# Run benchmarks against a build: bench/run.sh BUILD_DIR [NAME...]
# NAME is bench/NAME.sh or bench/NAME/run.sh (e.g. frontend); with none, every
# one runs. Each gets the absolute build directory as its only argument.
# `./dev bench frontend` calls this after building.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: bench/run.sh BUILD_DIR [NAME...]}
shift
build=$(cd "$build" && pwd)

available() {
  (cd "$here" && { ls *.sh 2>/dev/null | grep -v '^run\.sh$' | sed 's/\.sh$//'
    ls */run.sh 2>/dev/null | sed 's|/run\.sh$||'; } | sort -u)
}

if [ $# -eq 0 ]; then
  set -- $(available)
fi
for name in "$@"; do
  if [ -f "$here/$name.sh" ]; then
    bash "$here/$name.sh" "$build"
  elif [ -f "$here/$name/run.sh" ]; then
    bash "$here/$name/run.sh" "$build"
  else
    echo "bench: no benchmark '$name' (have: $(available | tr '\n' ' '))" >&2
    exit 2
  fi
done
