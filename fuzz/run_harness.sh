#!/usr/bin/env bash
# fuzz/run_harness.sh BINARY CORPUS SCRATCH SECONDS [DICT]: runs one libFuzzer harness for
# SECONDS on a scratch copy of the committed corpus CORPUS (SCRATCH is emptied first; new
# inputs go there, never into the repository). Exit status 0 when the run ended without a
# finding; otherwise 1, after printing the input that failed (escaped) and where it is
# saved. The last line is libFuzzer's own summary: executions, coverage, corpus size.
# Used by CTest (fuzz/CMakeLists.txt, label `fuzz`) and by tools/fuzz.sh.
set -uo pipefail

if [ $# -lt 4 ]; then
  echo "usage: $0 BINARY CORPUS SCRATCH SECONDS [DICT]" >&2
  exit 2
fi
bin=$1 corpus=$2 scratch=$3 seconds=$4 dict=${5:-}
name=$(basename "$bin")

rm -rf "$scratch"
mkdir -p "$scratch/corpus" "$scratch/findings"
if [ -d "$corpus" ]; then cp -r "$corpus"/. "$scratch/corpus/"; fi

args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1
      -artifact_prefix="$scratch/findings/")
if [ -n "$dict" ]; then args+=(-dict="$dict"); fi

# Sanitizer reports are findings too: stop at the first one, with a stack.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

log=$scratch/log.txt
"$bin" "${args[@]}" "$scratch/corpus" >"$log" 2>&1
rc=$?

files=$(find "$scratch/corpus" -type f | wc -l)
summary=$(grep -E '^#[0-9]+[[:space:]]+(DONE|INITED)' "$log" | tail -n 1)
execs=$(grep -E '^stat::number_of_executed_units:' "$log" | awk '{print $2}')

findings=$(find "$scratch/findings" -type f | sort)
if [ "$rc" -ne 0 ] || [ -n "$findings" ]; then
  echo "fuzz $name: FINDING (libFuzzer exit $rc) after ${execs:-?} executions"
  # The finding's report: the harness's own line, the sanitizer's, or libFuzzer's.
  grep -E -A 40 '^==== fuzz finding|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$log" | head -n 80
  for f in $findings; do
    echo "--- input saved as $f ($(stat -c %s "$f") bytes), escaped:"
    od -An -c "$f" | head -n 20
    echo "--- reproduce: $bin $f"
  done
  echo "--- full log: $log"
  exit 1
fi
echo "fuzz $name: no finding in ${seconds}s: ${execs:-?} executions, corpus $files files; $summary"
