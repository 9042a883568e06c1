#!/usr/bin/env bash
# One command: install what is missing, build with warnings as errors, run the whole suite (ctest).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
cmake --preset default -DPHUSONG_WERROR=ON >/dev/null
cmake --build --preset default
ctest --preset default -j "$(nproc)" "$@"
