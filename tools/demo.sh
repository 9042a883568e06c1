#!/usr/bin/env bash
# One command: install what is missing, build (release), run the Vĩnh Phúc demo into out/vinh_phuc.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release
./build/release/src/cli/phusong run gis_data/vinh_phuc.toml --out out/vinh_phuc --overwrite "$@"
