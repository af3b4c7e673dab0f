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
# Absolute paths: a harness may change its working directory (cli_fuzz runs in a scratch one).
bin=$(realpath "$1") corpus=$(realpath -m "$2") scratch=$(realpath -m "$3") seconds=$4 dict=${5:-}
if [ -n "$dict" ] && [ -f "$dict" ]; then dict=$(realpath "$dict"); else dict=""; fi
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
# Symbolized stacks when some llvm-symbolizer is installed (the sanitizers miss Debian's
# versioned names on their own).
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ]; then
  for s in llvm-symbolizer-16 llvm-symbolizer; do
    if command -v "$s" >/dev/null; then export ASAN_SYMBOLIZER_PATH; ASAN_SYMBOLIZER_PATH=$(readlink -f "$(command -v "$s")"); break; fi
  done
fi

log=$scratch/log.txt
"$bin" "${args[@]}" "$scratch/corpus" >"$log" 2>&1
rc=$?

files=$(find "$scratch/corpus" -type f | wc -l)
summary=$(grep -a -E '^#[0-9]+[[:space:]]+(DONE|INITED)' "$log" | tail -n 1)
execs=$(grep -a -E '^stat::number_of_executed_units:' "$log" | awk '{print $2}')

findings=$(find "$scratch/findings" -type f | sort)
if [ "$rc" -ne 0 ] || [ -n "$findings" ]; then
  echo "fuzz $name: FINDING (libFuzzer exit $rc) after ${execs:-?} executions"
  # The finding's report: the harness's own line, the sanitizer's, or libFuzzer's.
  grep -a -E -A 30 '^==== fuzz finding|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$log" |
    grep -a -v -E '^(INFO|#[0-9]+[[:space:]]|[[:space:]]NEW_FUNC)' | head -n 60
  for f in $findings; do
    echo "--- input saved as $f ($(stat -c %s "$f") bytes), escaped:"
    od -An -c "$f" | head -n 20
    echo "--- reproduce: $bin $f"
  done
  echo "--- full log: $log"
  exit 1
fi
echo "fuzz $name: no finding in ${seconds}s: ${execs:-?} executions, corpus $files files; $summary"
