#!/usr/bin/env bash
# Speed and memory of the prediction (issue #3), measured, never asserted in tests.
#
#   tools/benchmark.sh                  # the full Vĩnh Phúc demo: wall time, sites/s, peak RSS
#   tools/benchmark.sh --splat N [R]    # side by side with SPLAT! (splat-hd -olditm) on N demo
#                                       # sites at radius R km (default 10), same DEM at 1" (~30 m)
#   tools/benchmark.sh --predict        # the full demo's prediction alone (tools/predict_bench:
#                                       # coverage::predict timed, nothing written), every thread
#   tools/benchmark.sh --itm N [R]      # our ITM model against SPLAT! -olditm on the same N sites:
#                                       # agreement (|Δ| per point of SPLAT's radials) and time per
#                                       # site: ours on one thread, and all N sites at once on every
#                                       # thread; SPLAT one process per site, as above
#                                       # (tools/itm_vs_splat.cpp, issue #8)
#   tools/benchmark.sh --zones DIR [S]  # the demo (or scenario S) run twice in one sequence, with the
#                                       # default zones and all-exact (prediction.zones = "exact"):
#                                       # DIR/zones/ and DIR/exact/ are the two complete run folders;
#                                       # prints wall and CPU time of both, their ratios, peak RSS and
#                                       # the output-level differences (tools/zones_compare.cpp,
#                                       # issue #26), one `name: value` line each
#
# The side-by-side run gives phusong the same radius for every cell (floors at −200 dBm, so the
# adaptive radius is the cap R) and the same 30 m resolution; SPLAT runs one site per process,
# as its recipe advises (docs/splat_recipe.md), between two passes of ours. phusong's per-site figure is the
# marginal cost (its time for N sites less its time for the first site alone, over N − 1): the
# rest is fixed (full-grid rasters for every layer), which a province-wide run pays once. It also
# times the prediction alone (tools/predict_bench: every cell composed into its layers, nothing
# written) over the N sites and the first alone: the per-site cost without the per-layer rasters,
# as a mean over the N sites and as the marginal cost (the layers' full-grid maps, allocated and
# composed once, are the fixed part).
#
# Every figure printed is also appended as one CSV line to $PHUSONG_BENCHMARK_CSV (default
# out/benchmarks.csv, a folder git ignores; a relative path is taken from the current folder; the
# empty string records nothing), with a header when the file is new:
#   date_utc,commit,nproc,cpu_model,benchmark,params,measurement,value,unit
# commit is `git rev-parse --short=12 HEAD`, with "+dirty" when tracked files differ from it.
set -euo pipefail
caller=$PWD
cd "$(dirname "$0")/.."
root=$(pwd)
splat_n=0
radius_km=10
mode=${1:-}
if [ "$mode" = "--splat" ] || [ "$mode" = "--itm" ]; then splat_n=${2:-3}; radius_km=${3:-10}; fi
tools/setup.sh time $([ "$splat_n" -gt 0 ] && echo splat)
# The build measured: the release preset unless PHUSONG_BENCHMARK_PRESET names another.
preset=${PHUSONG_BENCHMARK_PRESET:-release}
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" --target phusong itm_vs_splat predict_bench zones_compare >/dev/null
exe=$root/build/$preset/src/cli/phusong
# One-thread timings side by side run on the same CPU: a virtual machine's cores can differ in
# speed, and change (the development machine's two were up to 1.45× apart): SPLAT! on one and
# phusong on the other would skew the ratio.
cpu=0
pin="taskset -c $cpu"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- the CSV record ------------------------------------------------------------------------------
csv=${PHUSONG_BENCHMARK_CSV-$root/out/benchmarks.csv}
[ -z "$csv" ] || [[ "$csv" = /* ]] || csv="$caller/$csv"  # relative: to the folder it was run from
bench_date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
bench_commit=$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
if [ "$bench_commit" != unknown ] && [ -n "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  bench_commit+="+dirty"
fi
bench_cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo 2>/dev/null | head -n 1)
bench_cpu=${bench_cpu:-unknown}
csv_field() { local v=${1//\"/\"\"}; printf '"%s"' "$v"; }
# record BENCHMARK PARAMS MEASUREMENT VALUE UNIT: one line of the CSV record.
record() {
  [ -n "$csv" ] || return 0
  mkdir -p "$(dirname "$csv")"
  [ -s "$csv" ] || echo "date_utc,commit,nproc,cpu_model,benchmark,params,measurement,value,unit" > "$csv"
  printf '%s,%s,%s,%s,%s,%s,%s,%s,%s\n' "$bench_date" "$bench_commit" "$(nproc)" "$(csv_field "$bench_cpu")" \
      "$1" "$(csv_field "$2")" "$3" "$4" "$5" >> "$csv"
}
# record_file BENCHMARK PARAMS FILE: one line per "MEASUREMENT VALUE UNIT" line of FILE.
record_file() {
  local what value unit
  while read -r what value unit; do record "$1" "$2" "$what" "$value" "${unit:-}"; done < "$3"
  [ -z "$csv" ] || echo "recorded in $csv"
}

# SPLAT-HD's terrain: a 1" tile resampled (bilinear) from the same SRTM3 data (recipe §1), its
# 3601 × 3601 points exactly on the whole arc-seconds that the .hgt format assumes (the SRTM3
# GeoTIFF's extent is half a 3" pixel larger than the degree: resizing it to 3601 would shift the
# terrain by up to 30 m).
splat_terrain() {
  gdalwarp -q -te 104.999861111111 20.999861111111 106.000138888889 22.000138888889 -ts 3601 3601 -r bilinear \
      "$root/../shared/gis_data_real/dem/N21E105_srtm3_voidfilled.tif" dem1s.tif
  gdal_translate -q -of SRTMHGT dem1s.tif N21E105.hgt
  srtm2sdf-hd N21E105.hgt >/dev/null 2>&1
}

json() { /usr/bin/python3 -c "import json,sys; d=json.load(open('$1')); print($2)"; }

# time_of FILE: "wall_s cpu_s peak_rss_mb" of a /usr/bin/time -v report (cpu: user + sys).
time_of() {
  awk -F': ' '/Elapsed/ {split($2,t,":"); w=0; for(i=1;i<=length(t);i++) w=w*60+t[i]}
              /User time/ {u=$2} /System time/ {s=$2} /Maximum resident/ {r=$2/1024}
              END {printf "%.2f %.2f %.0f\n", w, u+s, r}' "$1"
}

if [ "$mode" = "--zones" ]; then
  out=${2:?usage: tools/benchmark.sh --zones DIR [SCENARIO]}
  [[ "$out" = /* ]] || out="$caller/$out"
  scenario=${3:-gis_data/vinh_phuc.toml}
  [[ "$scenario" = /* ]] || [ -f "$scenario" ] || scenario="$caller/$scenario"
  scenario=$(cd "$(dirname "$scenario")" && pwd)/$(basename "$scenario")
  mkdir -p "$out"
  # The all-exact scenario: the same file with prediction.zones = "exact", beside the original so
  # that its relative paths still hold; removed on exit.
  exact_scenario="${scenario%.toml}.zones_exact.toml"
  trap 'rm -rf "$work" "$exact_scenario"' EXIT
  awk '{print} /^\[prediction\]/ {print "zones = \"exact\""}' "$scenario" > "$exact_scenario"
  grep -q '^zones = "exact"' "$exact_scenario" || { echo "no [prediction] table in $scenario" >&2; exit 2; }
  /usr/bin/time -v -o "$work/zones.txt" "$exe" -q run "$scenario" --out "$out/zones" --overwrite >/dev/null
  /usr/bin/time -v -o "$work/exact.txt" "$exe" -q run "$exact_scenario" --out "$out/exact" --overwrite >/dev/null
  read -r zw zc zr < <(time_of "$work/zones.txt")
  read -r ew ec er < <(time_of "$work/exact.txt")
  stage() { json "$1/manifest.json" "[s.get('$2', 0) for s in d['stages'] if s['name']=='predict'][0]"; }
  {
    echo "zones_wall_s: $zw"; echo "zones_cpu_s: $zc"; echo "zones_peak_rss_mb: $zr"
    echo "exact_wall_s: $ew"; echo "exact_cpu_s: $ec"; echo "exact_peak_rss_mb: $er"
    /usr/bin/python3 -c "print(f'wall_ratio_exact_over_zones: {$ew/$zw:.2f}'); print(f'cpu_ratio_exact_over_zones: {$ec/$zc:.2f}')"
    zp=$(stage "$out/zones" cpu_s); ep=$(stage "$out/exact" cpu_s)
    echo "zones_predict_cpu_s: $zp"; echo "exact_predict_cpu_s: $ep"
    /usr/bin/python3 -c "print(f'predict_cpu_ratio_exact_over_zones: {$ep/max($zp, 1e-9):.2f}')"
    "$root/build/$preset/tools/zones_compare" "$out/zones" "$out/exact"
  } | tee "$work/zones_figures.txt"
  sed -n 's/^\([a-z0-9_]*\): \([-0-9.]*\)$/\1 \2/p' "$work/zones_figures.txt" > "$work/figures.txt"
  record_file zones "$(basename "$scenario"); all threads" "$work/figures.txt"
  exit 0
fi

if [ "$mode" = "--predict" ]; then
  /usr/bin/time -v -o "$work/time.txt" "$root/build/$preset/tools/predict_bench" gis_data/vinh_phuc.toml 2>/dev/null |
      tee "$work/predict.txt"
  rss=$(awk -F': ' '/Maximum resident/ {printf "%.0f", $2/1024}' "$work/time.txt")
  echo "peak RSS $rss MB, $(nproc) cores"
  sed -n 's/^prediction: \([0-9]*\) sources, \([0-9]*\) cells, \([0-9.]*\) s wall on \([0-9]*\) threads.*/sources \1 count\ncells \2 count\nprediction_s \3 s\nthreads \4 count/p' \
      "$work/predict.txt" > "$work/figures.txt"
  sed -n 's/^fingerprint: \([0-9a-f]*\).*/fingerprint \1 sha256/p' "$work/predict.txt" >> "$work/figures.txt"
  echo "peak_rss_mb $rss MB" >> "$work/figures.txt"
  record_file predict "gis_data/vinh_phuc.toml" "$work/figures.txt"
  exit 0
fi

if [ "$splat_n" -eq 0 ]; then
  /usr/bin/time -v -o "$work/time.txt" "$exe" -q run gis_data/vinh_phuc.toml --out "$work/out" >/dev/null
  wall=$(awk -F': ' '/Elapsed/ {split($2,t,":"); s=0; for(i=1;i<=length(t);i++) s=s*60+t[i]; print s}' "$work/time.txt")
  rss=$(awk -F': ' '/Maximum resident/ {printf "%.0f", $2/1024}' "$work/time.txt")
  sites=$(json "$work/out/manifest.json" "d['counts']['sites']")
  predict=$(json "$work/out/manifest.json" "[s['wall_s'] for s in d['stages'] if s['name']=='predict'][0]")
  rate=$(/usr/bin/python3 -c "print(round($sites/$predict,1))")
  echo "full demo: $sites sites, wall ${wall} s (prediction ${predict} s, $rate sites/s), peak RSS ${rss} MB, $(nproc) cores"
  printf 'wall_s %s s\nprediction_s %s s\nsites_per_s %s sites/s\npeak_rss_mb %s MB\n' "$wall" "$predict" "$rate" "$rss" \
      > "$work/figures.txt"
  record_file full_demo "gis_data/vinh_phuc.toml; all threads" "$work/figures.txt"
  exit 0
fi

# --- side by side with SPLAT! -------------------------------------------------------------------
# N sites spread over the table (every k-th site id), all their cells.
/usr/bin/python3 - "$splat_n" "$work" <<'PY'
import csv, sys
n, work = int(sys.argv[1]), sys.argv[2]
rows = list(csv.DictReader(open('gis_data/vinh_phuc/sites.csv', encoding='utf-8')))
ids = sorted({r['site_id'] for r in rows})
pick = set(ids[i * len(ids) // n] for i in range(n))
first = min(pick)
for name, keep in (('sites.csv', pick), ('one.csv', {first})):
    with open(f'{work}/{name}', 'w', newline='', encoding='utf-8') as f:
        w = csv.DictWriter(f, fieldnames=rows[0].keys(), lineterminator='\n')
        w.writeheader()
        for r in rows:
            if r['site_id'] in keep: w.writerow(r)
with open(f'{work}/sites.txt', 'w') as f:
    seen = set()
    for r in rows:
        if r['site_id'] in pick and r['site_id'] not in seen:
            seen.add(r['site_id'])
            f.write(f"{r['site_id']} {r['lat']} {r['lon']} {r['height_agl_m']} {r['freq_mhz']}\n")
PY
sed -e "s#^sites = .*#sites = \"$work/sites.csv\"#" -e "s#\"vinh_phuc/#\"$root/gis_data/vinh_phuc/#g" \
    -e "s#^max_radius_m = .*#max_radius_m = $((radius_km * 1000))\nrsrp_floor_dbm = -200\nrscp_floor_dbm = -200\nrxlev_floor_dbm = -200#" \
    gis_data/vinh_phuc.toml > "$work/bench.toml"
sed -e "s#sites.csv\"#one.csv\"#" "$work/bench.toml" > "$work/one.toml"
if [ "$mode" = "--itm" ]; then
  # SPLAT!'s path-loss values (-ano), untimed; itm_vs_splat then times SPLAT! (without output
  # files) and ours site by site, alternately on the same CPU, so that both are measured at the
  # same moments (this virtual machine's speed drifts by ±10 % over a minute).
  mkdir -p "$work/splat" && cd "$work/splat"
  splat_terrain
  while read -r id lat lon h f; do
    printf '%s\n%s\n%s\n%s meters\n' "$id" "$lat" "-$lon" "$h" > "$id.qth"
    printf '15.000\n0.005\n301.000\n%s\n5\n1\n0.50\n0.50\n0\n' "$f" > "$id.lrp"
    splat-hd -t "$id.qth" -L 1.5 -metric -R "$radius_km" -olditm -N -o "$id.ppm" -ano "$id.ano" >/dev/null 2>&1
  done < "$work/sites.txt"
  cd "$root"
  echo "$splat_n sites, radius $radius_km km, 30 m (SPLAT! splat-hd on the 1\" tile, one process per site):"
  "$root/build/release/tools/itm_vs_splat" gis_data/vinh_phuc.toml "$work/sites.txt" "$work/splat" \
      --radius-km "$radius_km" --splat-exe splat-hd --splat-dem "$work/splat/dem1s.tif" --cpu "$cpu" |
      tee "$work/itm.txt"
  /usr/bin/python3 - "$work/itm.txt" > "$work/figures.txt" <<'PY'
import re, sys
text = open(sys.argv[1], encoding='utf-8').read()
def stats(prefix, name):
    m = re.search(re.escape(prefix) + r': (\d+) points, median \|Δ\| ([-0-9.]+) dB, 95th percentile \|Δ\| ([-0-9.]+) dB', text)
    if m:
        print(f"{name}_points {m.group(1)} count")
        print(f"{name}_median_abs_delta_db {m.group(2)} dB")
        print(f"{name}_p95_abs_delta_db {m.group(3)} dB")
stats("our map at the receiver SPLAT! computed each point for (its path's sample y − 1), all points", "at_splat_receiver")
stats("all sites, all points", "at_splat_labelled_point")
m = re.search(r'time per site, one thread.*?: ours ([0-9.]+) s(?:, SPLAT! ([0-9.]+) s, ratio ([0-9.]+)x)?', text)
if m:
    print(f"ours_one_thread_s_per_site {m.group(1)} s")
    if m.group(2):
        print(f"splat_s_per_site {m.group(2)} s")
        print(f"ratio_one_thread {m.group(3)} x")
m = re.search(r'time per site, all sites at once on (\d+) threads.*?: ours ([0-9.]+) s(?:, SPLAT! [0-9.]+ s, ratio ([0-9.]+)x)?', text)
if m:
    print(f"ours_all_threads_s_per_site {m.group(2)} s")
    if m.group(3):
        print(f"ratio_all_threads {m.group(3)} x")
m = re.search(r"SPLAT!'s process without the prediction[^:]*: ([0-9.]+) s/site; its prediction alone ([0-9.]+) s/site, ([0-9.]+)x", text)
if m:
    print(f"splat_fixed_s_per_site {m.group(1)} s")
    print(f"splat_itm_s_per_site {m.group(2)} s")
    print(f"ratio_splat_itm_over_ours {m.group(3)} x")
PY
  record_file itm "sites=$splat_n; radius_km=$radius_km" "$work/figures.txt"
  exit 0
fi

# Ours, one thread: the N sites written, the first alone, the prediction alone; twice, before and
# after SPLAT!'s sites (a drift of the machine's speed over these minutes cancels in the means).
ours_pass() {
  rm -rf "$work/out" "$work/out1"
  $pin "$exe" -q --threads 1 run "$work/bench.toml" --out "$work/out" >/dev/null
  $pin "$exe" -q --threads 1 run "$work/one.toml" --out "$work/out1" >/dev/null
  alone+=" $($pin "$root/build/$preset/tools/predict_bench" "$work/bench.toml" --threads 1 2>/dev/null | \
      sed -n 's/.*cells, \([0-9.]*\) s wall.*/\1/p')"
  alone_one+=" $($pin "$root/build/$preset/tools/predict_bench" "$work/one.toml" --threads 1 2>/dev/null | \
      sed -n 's/.*cells, \([0-9.]*\) s wall.*/\1/p')"
  ours_predict+=" $(json "$work/out/manifest.json" "[s['wall_s'] for s in d['stages'] if s['name']=='predict'][0]")"
  ours_one+=" $(json "$work/out1/manifest.json" "[s['wall_s'] for s in d['stages'] if s['name']=='predict'][0]")"
}
alone=""
alone_one=""
ours_predict=""
ours_one=""
ours_pass
cells=$(json "$work/out/manifest.json" "d['counts']['cells']")

mkdir -p "$work/splat" && cd "$work/splat"
splat_terrain
start=$(date +%s.%N)
while read -r id lat lon h f; do
  printf '%s\n%s\n%s\n%s meters\n' "$id" "$lat" "-$lon" "$h" > "$id.qth"
  printf '15.000\n0.005\n301.000\n%s\n5\n1\n0.50\n0.50\n0\n' "$f" > "$id.lrp"
  $pin splat-hd -t "$id.qth" -L 1.5 -metric -R "$radius_km" -olditm -N -o "$id.ppm" >/dev/null 2>&1
done < "$work/sites.txt"
splat_s=$(/usr/bin/python3 -c "import time; print(round(time.time() - $start, 2))")
# What a SPLAT! process costs besides the prediction (reading the 1" terrain, writing its map of
# the whole region): the same sites at a radius of 0.1 km.
start=$(date +%s.%N)
while read -r id lat lon h f; do
  $pin splat-hd -t "$id.qth" -L 1.5 -metric -R 0.1 -olditm -N -o "$id.ppm" >/dev/null 2>&1
done < "$work/sites.txt"
splat_fixed_s=$(/usr/bin/python3 -c "import time; print(round(time.time() - $start, 2))")
cd "$root"
ours_pass
/usr/bin/python3 - "$work/figures.txt" <<PY
import sys
passes = lambda text: [float(x) for x in text.split()]
mean = lambda v: sum(v) / len(v)
n, splat = $splat_n, $splat_s
ours_v, one_v, alone_v = passes("$ours_predict"), passes("$ours_one"), passes("$alone")
ours, one, alone, alone_one = mean(ours_v), mean(one_v), mean(alone_v), mean(passes("$alone_one"))
marginal = (ours - one) / max(n - 1, 1)
# The prediction's own fixed part (every layer's full-grid maps allocated and composed) is paid
# once however many sites: its marginal cost per site, as for the written rasters.
alone_marginal = (alone - alone_one) / max(n - 1, 1)
print(f"{n} sites ({$cells} cells), radius $radius_km km, 30 m, one thread each; ours the mean of two passes,"
      f" before and after SPLAT! (prediction alone {alone_v[0]:.2f} and {alone_v[1]:.2f} s; written {ours_v[0]:.2f}"
      f" and {ours_v[1]:.2f} s):")
print(f"  phusong prediction, all cells composed and written: {ours:.2f} s ({one:.2f} s for one site);"
      f" marginal {marginal:.3f} s/site")
print(f"  phusong prediction alone (tools/predict_bench: all cells composed, nothing written): {alone:.2f} s"
      f" = {alone/n:.3f} s/site ({alone_one:.2f} s for one site; marginal {alone_marginal:.3f} s/site)")
print(f"  SPLAT! splat-hd -olditm, one path-loss map per site: {splat:.2f} s = {splat/n:.3f} s/site")
fixed = $splat_fixed_s
print(f"  SPLAT!'s process without the prediction (the same sites at 0.1 km): {fixed/n:.3f} s/site;"
      f" its prediction alone {(splat-fixed)/n:.3f} s/site")
print(f"  ratio SPLAT/phusong per site: {splat/n/marginal:.1f}x (marginal, rasters written), {splat/ours:.1f}x (totals),"
      f" {splat/alone:.1f}x (prediction alone), {splat/n/alone_marginal:.1f}x (prediction alone, marginal);"
      f" SPLAT!'s prediction alone against ours alone: {(splat-fixed)/alone:.1f}x")
with open(sys.argv[1], "w") as f:
    for what, value, unit in (
            ("ours_written_s", f"{ours:.3f}", "s"), ("ours_written_one_site_s", f"{one:.3f}", "s"),
            ("ours_written_marginal_s_per_site", f"{marginal:.4f}", "s"),
            ("ours_predict_alone_s_per_site", f"{alone/n:.4f}", "s"),
            ("ours_predict_alone_marginal_s_per_site", f"{alone_marginal:.4f}", "s"),
            ("splat_s_per_site", f"{splat/n:.3f}", "s"), ("splat_fixed_s_per_site", f"{fixed/n:.3f}", "s"),
            ("ratio_marginal_written", f"{splat/n/marginal:.2f}", "x"),
            ("ratio_predict_alone", f"{splat/alone:.2f}", "x"),
            ("ratio_predict_alone_marginal", f"{splat/n/alone_marginal:.2f}", "x"),
            ("ratio_splat_itm_over_ours_alone", f"{(splat-fixed)/alone:.2f}", "x")):
        print(what, value, unit, file=f)
PY
record_file splat "sites=$splat_n; radius_km=$radius_km; cells=$cells; one thread" "$work/figures.txt"
