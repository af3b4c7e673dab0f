#!/usr/bin/env bash
# tools/test.sh: installs missing Debian packages, then builds and tests aiosim four ways:
#   build/release  Release, warnings are errors,       ctest: every test (with bench.smoke: each
#                  the benchmarks too                         benchmark once, on tiny programs)
#   build/asan     Debug, AddressSanitizer + UBSan     ctest: every test but the conformance
#                  pairs (their C++ halves, 60+ files, are built in Release only; the unit
#                  tests cover the same code under ASan)
#   build/tsan     RelWithDebInfo, ThreadSanitizer     ctest -L threads (only the test programs
#                  where threads meet the loop are built)
#   build/fuzz     clang++-16, libFuzzer, ASan + UBSan ctest -L fuzz: each fuzz harness (fuzz/)
#                  for 15 s on a scratch copy of its corpus (tools/fuzz.sh runs them longer)
# Every configuration runs even if an earlier one failed; the last line totals the tests of
# all the ctest runs. Exit status 1 if any build or test failed. AIOSIM_JOBS (default 2)
# sets the build and ctest parallelism. No ctest run includes the label `stress` (stress/, 1M
# tasks; README, Building): stress_tests, the same cases at 100k, is in every run but TSan's.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-second_deadlock_stack=1}

# run_ctest NAME CTEST_ARGS...: runs build/NAME's tests, keeping a JUnit record for the total.
run_ctest() {
  local dir=build/$1
  shift
  # -LE stress: the 1M-sized stress entries are a separate command (README, Building).
  ctest --test-dir "$dir" --output-on-failure -j "$AIOSIM_JOBS" --no-tests=error --timeout 600 \
        --output-junit ctest-junit.xml -LE stress "$@"
}

# count_in FILE TEXT: how many lines of FILE contain TEXT.
count_in() { grep -c -F -- "$2" "$1" || true; }

# total: the last line, adding up the tests of the ctest runs above from their JUnit records.
# As ctest does, a test that could not run (missing executable, failed fixture) is a failure;
# skipped means SKIP_RETURN_CODE or DISABLED.
total() {
  local passed=0 failed=0 skipped=0 f skip_rc
  for f in build/release/ctest-junit.xml build/asan/ctest-junit.xml build/tsan/ctest-junit.xml build/fuzz/ctest-junit.xml; do
    [ -f "$f" ] || continue
    skip_rc=$(count_in "$f" '<skipped message="SKIP_RETURN_CODE')
    passed=$((passed + $(count_in "$f" 'status="run"')))
    failed=$((failed + $(count_in "$f" 'status="fail"') + $(count_in "$f" 'status="notrun"') - skip_rc))
    skipped=$((skipped + skip_rc + $(count_in "$f" 'status="disabled"')))
  done
  printf '\nall ctest runs (release, asan, tsan, fuzz) together:\nctest: %d passed, %d failed, %d skipped\n' \
         "$passed" "$failed" "$skipped"
}

# The test programs that have tests labelled `threads` (the TSan build builds only these).
tsan_targets() {
  local t out=""
  for t in runtime_thread_tests sim_thread_tests; do
    grep -rqs "add_executable($t" runtime/tests sim/tests && out="$out $t"
  done
  echo "$out"
}

rm -f build/{release,asan,tsan}/ctest-junit.xml  # total counts this run's tests only
rm -f build/fuzz/ctest-junit.xml
require    "install missing packages"   tools/setup.sh
step       "release: build"             build release -DCMAKE_BUILD_TYPE=Release -DAIOSIM_WERROR=ON -DAIOSIM_BUILD_BENCH=ON
step_after "release: ctest"             run_ctest release
step       "asan: build"                build asan -DCMAKE_BUILD_TYPE=Debug -DAIOSIM_SANITIZE=ON -DAIOSIM_BUILD_CONFORMANCE=OFF
step_after "asan: ctest"                run_ctest asan
step       "tsan: build"                build_targets tsan "$(tsan_targets)" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAIOSIM_TSAN=ON -DAIOSIM_BUILD_CONFORMANCE=OFF
step_after "tsan: ctest -L threads"     run_ctest tsan -L threads
step       "fuzz: build"                tools/fuzz.sh --build-only
step_after "fuzz: ctest -L fuzz"        run_ctest fuzz -L fuzz
finish total
