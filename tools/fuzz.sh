#!/usr/bin/env bash
# tools/fuzz.sh [--time SECONDS] [--parallel N] [--build-only] [HARNESS...]: builds the libFuzzer
# harnesses of fuzz/ with clang++-16 in build/fuzz (ASan+UBSan, AIOSIM_FUZZ=ON) and runs each
# for SECONDS (default 60) on a scratch copy of its committed corpus, N at a time (default 1).
# The scratch corpora are kept in ${AIOSIM_FUZZ_DIR:-/tmp/aiosim-fuzz}/HARNESS (outside the
# repository; emptied at each start). Exit status 1 on any finding, after printing the input.
# Harnesses: replay_fuzz config_fuzz cli_fuzz env_fuzz (all by default).
#
#   tools/fuzz.sh --time 600 --parallel 2      the long run (10 minutes per harness)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

seconds=60 parallel=1 build_only=0 harnesses=()
while [ $# -gt 0 ]; do
  case $1 in
    --time) seconds=$2; shift 2 ;;
    --parallel) parallel=$2; shift 2 ;;
    --build-only) build_only=1; shift ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz.sh: unknown option '$1' (see tools/fuzz.sh --help)" >&2; exit 2 ;;
    *) harnesses+=("$1"); shift ;;
  esac
done
case $seconds in ''|*[!0-9]*) echo "fuzz.sh: --time takes whole seconds, got '$seconds'" >&2; exit 2 ;; esac
if [ ${#harnesses[@]} -eq 0 ]; then harnesses=(replay_fuzz config_fuzz cli_fuzz env_fuzz); fi
for h in "${harnesses[@]}"; do
  if [ ! -f "fuzz/$h.cpp" ]; then echo "fuzz.sh: no harness '$h' (fuzz/$h.cpp)" >&2; exit 2; fi
done

cxx=${AIOSIM_FUZZ_CXX:-clang++-16}
if ! command -v "$cxx" >/dev/null; then
  echo "fuzz.sh: $cxx not found: run tools/setup.sh (Debian packages clang-16, libclang-rt-16-dev)" >&2
  exit 2
fi
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
# The `fuzz` preset (CMakePresets.json): -O1, fast enough to fuzz while keeping asserts and
# precise sanitizer stacks; AIOSIM_FUZZ=ON, no tests.
cmake --preset fuzz -DCMAKE_CXX_COMPILER="$cxx" "${launcher[@]}" >/dev/null
cmake --build --preset fuzz -j "${AIOSIM_JOBS:-2}" --target "${harnesses[@]}"
if [ "$build_only" -eq 1 ]; then exit 0; fi

scratch_root=${AIOSIM_FUZZ_DIR:-${TMPDIR:-/tmp}/aiosim-fuzz}
run_one() {
  local h=$1 dict=""
  if [ -f "fuzz/$h.dict" ]; then dict=fuzz/$h.dict; fi
  fuzz/run_harness.sh "build/fuzz/fuzz/$h" "fuzz/corpus/$h" "$scratch_root/$h" "$seconds" "$dict"
}

failed=0 pids=() names=()
wait_first() {  # waits for the oldest running harness
  if ! wait "${pids[0]}"; then failed=1; fi
  pids=("${pids[@]:1}") names=("${names[@]:1}")
}
for h in "${harnesses[@]}"; do
  if [ ${#pids[@]} -ge "$parallel" ]; then wait_first; fi
  run_one "$h" &
  pids+=($!) names+=("$h")
done
while [ ${#pids[@]} -gt 0 ]; do wait_first; done
if [ "$failed" -ne 0 ]; then echo "fuzz.sh: a harness found a problem (see above)" >&2; fi
exit "$failed"
