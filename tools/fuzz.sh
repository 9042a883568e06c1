#!/usr/bin/env bash
# Fuzz the site-table reader and the scenario parser with libFuzzer (issue #7).
#   tools/fuzz.sh [SECONDS_PER_TARGET] [TARGET…]      default: 60 s, fuzz_site_table fuzz_scenario fuzz_measurements
# Builds build/fuzz with clang (-fsanitize=fuzzer,address,undefined; toml++ compiled into the
# targets so the parser itself is instrumented), runs each target on a working copy of its seed
# corpus (tests/fuzz/corpus/<name>/ is never modified), and prints execs/s, corpus size and
# findings. Crash inputs are kept in build/fuzz/findings/<target>/. Exit status 1 on any finding.
# Needs Debian `clang` and `libclang-rt-14-dev` (libFuzzer).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(fuzz_site_table fuzz_scenario fuzz_measurements)

command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 2; }

build=build/fuzz
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g -O1"
# toml++ is a shared library on Debian; compiled header-only here so that the fuzzer sees it.
flags+=" -UTOML_HEADER_ONLY -DTOML_HEADER_ONLY=1 -UTOML_SHARED_LIB"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_CXX_FLAGS="$flags" -DPHUSONG_FUZZ=ON -DPHUSONG_WERROR=OFF >/dev/null
cmake --build "$build" --target "${targets[@]}" -j"${JOBS:-2}"

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:symbolize=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
status=0
printf '\n%-16s %8s %10s %9s %8s %s\n' target seconds execs execs/s corpus findings
for t in "${targets[@]}"; do
  name="${t#fuzz_}"
  corpus="$build/corpus/$name"
  findings="$build/findings/$name"
  mkdir -p "$corpus" "$findings"
  cp -n tests/fuzz/corpus/"$name"/* "$corpus"/ 2>/dev/null || true
  log="$build/$t.log"
  set +e
  "$build/tests/fuzz/$t" "$corpus" -dict="tests/fuzz/$name.dict" -max_total_time="$seconds" \
    -max_len=4096 -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$findings/" -print_final_stats=1 \
    >"$log" 2>&1
  rc=$?
  set -e
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  size=$(ls "$corpus" | wc -l)
  crashes=$(ls "$findings" | wc -l)
  printf '%-16s %8s %10s %9s %8s %s\n' "$t" "$seconds" "$execs" "$rate" "$size" "$crashes"
  if [[ $rc -ne 0 || $crashes -ne 0 ]]; then
    status=1
    echo "  FINDING (exit $rc): see $log and $findings/" >&2
    grep -E 'ERROR: |runtime error|SUMMARY' "$log" | head -5 >&2 || true
  fi
done
exit $status
