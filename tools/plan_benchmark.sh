#!/usr/bin/env bash
# Wall time and peak RSS of `phusong plan` on the outputs of a previous demo run (the planning
# stage alone: candidates, footprints, CELF ranking, CBC bounds, outputs).
#   tools/plan_benchmark.sh [OUT_DIR] [SCENARIO]     (defaults: out/vinh_phuc, gis_data/vinh_phuc.toml)
# The scenario needs [plan] (README) and OUT_DIR a manifest.json from `phusong run` with it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/out/vinh_phuc}"
scenario="${2:-$root/gis_data/vinh_phuc.toml}"
exe="${PHUSONG_EXE:-$root/build/release/src/cli/phusong}"
[[ -x "$exe" ]] || { echo "build first (cmake --preset release && cmake --build build/release), or set PHUSONG_EXE" >&2; exit 2; }
[[ -f "$out/manifest.json" ]] || { echo "no $out/manifest.json: run tools/demo.sh first" >&2; exit 2; }
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
/usr/bin/time -v "$exe" plan "$out" --scenario "$scenario" 2> "$log"
echo "--- phusong plan: $(nproc) cores"
grep -E "Elapsed \(wall clock\)|Maximum resident set size" "$log" | sed 's/^\s*/  /'
