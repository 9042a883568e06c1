#!/usr/bin/env bash
# Wall time and peak RSS of `phusong plan` on the outputs of a previous demo run (the planning
# stage alone: candidates, footprints, CELF ranking, and per ILP budget swaps, the Lagrangian
# bound and fixing, CBC on what is left; then the outputs).
#   tools/plan_benchmark.sh [OUT_DIR] [SCENARIO] [RUNS]
#     defaults: out/vinh_phuc, gis_data/vinh_phuc.toml, 1
# OUT_DIR must hold a manifest.json from `phusong run` with the same prediction settings (docs/commands/plan.md,
# "The stamp check"); its plan/ folder and manifest "plan" section are replaced. The executable is
# $PHUSONG_EXE, else build/release, else build/default. Prints the plan's summary (bounds and
# greedy/optimal per budget) and, per run, wall time and peak RSS from /usr/bin/time -v.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/out/vinh_phuc}"
scenario="${2:-$root/gis_data/vinh_phuc.toml}"
runs="${3:-1}"
exe="${PHUSONG_EXE:-}"
if [[ -z "$exe" ]]; then
  for candidate in "$root/build/release/src/cli/phusong" "$root/build/default/src/cli/phusong"; do
    if [[ -x "$candidate" ]]; then exe="$candidate"; break; fi
  done
fi
[[ -n "$exe" && -x "$exe" ]] || { echo "build first (cmake --preset release && cmake --build --preset release), or set PHUSONG_EXE" >&2; exit 2; }
[[ -f "$out/manifest.json" ]] || { echo "no $out/manifest.json: run tools/demo.sh first" >&2; exit 2; }
[[ -f "$scenario" ]] || { echo "no scenario $scenario" >&2; exit 2; }
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "RUNS must be a positive integer, got $runs" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (/usr/bin/time)" >&2; exit 2; }
log="$(mktemp)"
summary="$(mktemp)"
trap 'rm -f "$log" "$summary"' EXIT
cd "$root"  # the manifest names its inputs relative to the folder `phusong run` ran in
echo "--- phusong plan $out ($exe, $(nproc) cores, $runs run(s))"
for ((i = 1; i <= runs; ++i)); do
  /usr/bin/time -v "$exe" -q plan "$out" --scenario "$scenario" > "$summary" 2> "$log" ||
    { cat "$summary" "$log" >&2; exit 1; }
  wall="$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$log")"
  rss="$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$log")"
  echo "run $i: wall $wall, peak RSS $((rss / 1024)) MiB"
done
cat "$summary"
