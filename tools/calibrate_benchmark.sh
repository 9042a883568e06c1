#!/usr/bin/env bash
# Wall time, CPU time and peak RSS of `phusong calibrate` on a synthetic drive test of the demo
# (tools/drive_test: WALKS walks of 12 km on MobiFone LTE B1, about 1,400 points per walk kept)
# at the grid resolution RES_M (the real data sets of operators come in 5 m pixels).
#   tools/calibrate_benchmark.sh [WALKS] [RES_M]     defaults: 145 (about 200,000 points), 30
# The executables are build/release's, else build/default's. Prints the calibration summary and
# /usr/bin/time -v's wall, user, system time and maximum resident set size.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
walks="${1:-145}"
res="${2:-30}"
[[ "$walks" =~ ^[1-9][0-9]*$ ]] || { echo "WALKS must be a positive integer, got $walks" >&2; exit 2; }
[[ "$res" =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "RES_M must be a number of metres, got $res" >&2; exit 2; }
build=""
for candidate in "$root/build/release" "$root/build/default"; do
  if [[ -x "$candidate/src/cli/phusong" && -x "$candidate/tools/drive_test" ]]; then build="$candidate"; break; fi
done
[[ -n "$build" ]] || { echo "build first (cmake --preset release && cmake --build --preset release)" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (/usr/bin/time)" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/in"
# The demo scenario with absolute input paths and the chosen resolution.
sed -e "s|\"vinh_phuc/|\"$root/gis_data/vinh_phuc/|g" -e "s/^resolution_m = .*/resolution_m = $res/" \
  "$root/gis_data/vinh_phuc.toml" > "$work/in/scenario.toml"
"$build/tools/drive_test" "$work/in/scenario.toml" "$work/in/drive.csv" --walks "$walks" --seed 3
/usr/bin/time -v "$build/src/cli/phusong" calibrate "$work/in/scenario.toml" "$work/in/drive.csv" \
  -o "$work/out" 2> "$work/time.log"
grep -E "Elapsed|User time|System time|Maximum resident" "$work/time.log"
