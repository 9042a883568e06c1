#!/usr/bin/env bash
# Issue #7: the whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer (preset
# `asan`), and the threaded prediction tests (tests/coverage) under ThreadSanitizer (preset
# `tsan`, TBB internals suppressed by tools/tsan.supp). Prints the number of sanitizer reports;
# exit status 1 if there is any report or failing test.
#   tools/sanitizers.sh [asan|tsan]...     default: both
set -uo pipefail
cd "$(dirname "$0")/.."
which=("$@")
[[ ${#which[@]} -gt 0 ]] || which=(asan tsan)
jobs="${JOBS:-2}"
status=0

count() { grep -cE "$1" "$2" || true; }

for s in "${which[@]}"; do
  log="build/$s-tests.log"
  mkdir -p build
  cmake --preset "$s" >/dev/null || { echo "$s: configure failed" >&2; exit 2; }
  if [[ $s == asan ]]; then
    cmake --build --preset asan -j"$jobs" || { echo "asan: build failed" >&2; exit 2; }
    ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
      ctest --preset asan -j"$jobs" >"$log" 2>&1
    rc=$?
    asan=$(count "ERROR: (AddressSanitizer|LeakSanitizer)" "$log")
    ubsan=$(count "runtime error:" "$log")
    echo "asan: ctest exit $rc; AddressSanitizer/LeakSanitizer reports: $asan; UBSan reports: $ubsan ($log)"
    grep -E "tests passed|tests failed" "$log"
    [[ $rc -eq 0 && $asan -eq 0 && $ubsan -eq 0 ]] || status=1
  else
    cmake --build --preset tsan -j"$jobs" || { echo "tsan: build failed" >&2; exit 2; }
    # Canary: a deliberate race in a phusong::parallel_for body must be reported with our
    # suppressions, or they hide real races.
    canary=$(mktemp -d)
    printf '%s\n' '#include "phusong/core/parallel.hpp"' '#include <chrono>' \
      'int main() { long n = 0; phusong::parallel_for(0, 64, [&](std::size_t) {' \
      '  std::this_thread::sleep_for(std::chrono::milliseconds(2)); n += 1; }); return n == 0; }' >"$canary/race.cpp"
    g++ -std=c++20 -g -fsanitize=thread -Iinclude "$canary/race.cpp" -o "$canary/race" -ltbb
    canary_out=$(TSAN_OPTIONS="suppressions=$PWD/tools/tsan.supp halt_on_error=0" "$canary/race" 2>&1)
    if ! grep -q "WARNING: ThreadSanitizer: data race" <<<"$canary_out"; then
      echo "tsan: the canary race was not reported: tools/tsan.supp hides races" >&2
      status=1
    fi
    rm -rf "$canary"
    TSAN_OPTIONS="suppressions=$PWD/tools/tsan.supp halt_on_error=0 second_deadlock_stack=1" \
      build/tsan/tests/test_coverage >"$log" 2>&1
    rc=$?
    tsan=$(count "WARNING: ThreadSanitizer" "$log")
    echo "tsan: test_coverage exit $rc; ThreadSanitizer reports: $tsan ($log)"
    grep -E "test cases:" "$log"
    [[ $rc -eq 0 && $tsan -eq 0 ]] || status=1
  fi
done
exit $status
