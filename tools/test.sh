#!/usr/bin/env bash
# tools/test.sh: installs missing Debian packages, checks the format and clang-tidy, then builds
# and tests aiosim four ways, each a CMake preset (CMakePresets.json; build directory build/NAME):
#   release  g++, Release, warnings are errors,  ctest: every test (with bench.smoke: each
#            the benchmarks too (but the asio    benchmark once, on tiny programs)
#            peer: net_compare.py builds it)
#   asan     clang++-16, Debug (-O0),            ctest: every test, the conformance pairs too
#            AddressSanitizer + UBSan
#   tsan     g++, RelWithDebInfo, ThreadSanitizer ctest -L threads (only the test programs
#                                                 where threads meet the loop are built)
#   fuzz     clang++-16, libFuzzer, ASan + UBSan ctest -L fuzz: each fuzz harness (fuzz/)
#            for 15 s on a scratch copy of its corpus (tools/fuzz.sh runs them longer)
# and, between the two compilers, the determinism check: the aiosim tools of release (g++ -O3)
# and asan (clang++-16 -O0) must print the same trace hashes for 1,000 seeds of every scenario
# under every policy, 100 with network faults of every networked one (tools/compare-hashes.sh;
# AIOSIM_HASH_SEEDS and AIOSIM_HASH_NET_SEEDS change the counts).
# The test programs and conformance pairs compile in batches of files (CMake unity builds,
# AIOSIM_UNITY_BUILD in the top CMakeLists.txt; README, Building) in all four builds.
# Every configuration runs even if an earlier one failed; the last line totals the tests of
# all the ctest runs. Exit status 1 if any step failed. AIOSIM_JOBS (default 2) sets the build
# and ctest parallelism. No ctest run includes the label `stress` (stress/, 1M tasks; README,
# Building): stress_tests, the same cases at 100k, is in every run but TSan's.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-second_deadlock_stack=1}

# run_ctest PRESET: runs the test preset's tests (CMakePresets.json: -LE stress, and the labels
# it selects), keeping a JUnit record (build/PRESET/ctest-junit.xml) for the total.
run_ctest() {
  ctest --preset "$1" -j "$AIOSIM_JOBS" --output-junit ctest-junit.xml
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

rm -f build/{release,asan,tsan,fuzz}/ctest-junit.xml  # total counts this run's tests only
require    "install missing packages"   tools/setup.sh
step       "format (clang-format-16)"   tools/format.sh --check
step       "tidy (clang-tidy-16, files changed since main)" tools/tidy.sh
step       "release: build (g++)"       build_preset release
step_after "release: ctest"             run_ctest release
step       "asan: build (clang++-16)"   build_preset asan
step_after "asan: ctest"                run_ctest asan
step       "same trace hashes: g++ -O3 (release) and clang++-16 -O0 (asan)" \
           tools/compare-hashes.sh build/release/tools/aiosim build/asan/tools/aiosim "${AIOSIM_HASH_SEEDS:-1000}"
step       "tsan: build (g++)"          build_preset tsan
step_after "tsan: ctest -L threads"     run_ctest tsan
step       "fuzz: build (clang++-16)"   tools/fuzz.sh --build-only
step_after "fuzz: ctest -L fuzz"        run_ctest fuzz
finish total
