#!/usr/bin/env bash
# tools/tidy.sh [--all | FILE...]: runs clang-tidy-16 with the repository's .clang-tidy (every
# warning an error) over aiosim's C++ files, using the compile commands of build/tidy (the
# `tidy` configure preset: clang++-16, no precompiled headers; configured here, never built).
#   (no argument)  the files changed since main (AIOSIM_TIDY_BASE, default `main`: the commits
#                  since the merge base, or the last commit when HEAD is main itself), and
#                  uncommitted changes. A changed header is checked through one file that
#                  includes it (its warnings are reported from any includer).
#   --all          every file of the compile commands (about 200; 30 minutes of CPU: too long
#                  for tools/test.sh, run it before a release or after changing .clang-tidy)
#   FILE...        these files
# Exit status: 0 clean, 1 a warning, 2 bad usage or clang-tidy-16 missing, 77 (skipped) when
# no C++ file changed.
set -euo pipefail
cd "$(dirname "$0")/.."
tidy=${AIOSIM_CLANG_TIDY:-clang-tidy-16}
if ! command -v "$tidy" >/dev/null; then
  echo "tidy.sh: $tidy not found: run tools/setup.sh (Debian package clang-tidy-16)" >&2
  exit 2
fi
cmake --preset tidy >/dev/null
db=build/tidy/compile_commands.json
root=$(pwd)
# The compile_fail cases are meant not to compile: never units to check.
mapfile -t units < <(sed -n 's/^ *"file": "\(.*\)",\{0,1\}$/\1/p' "$db" | sed "s|^$root/||" | grep -v '^build/' |
                     grep -v '^runtime/tests/compile_fail/' | sort -u)

files=()
if [ "${1:-}" = --all ]; then
  files=("${units[@]}")
elif [ $# -gt 0 ]; then
  files=("$@")
else
  base=${AIOSIM_TIDY_BASE:-main}
  changed=()
  if git rev-parse --verify -q "$base^{commit}" >/dev/null; then
    from=$(git merge-base HEAD "$base")
    [ "$from" = "$(git rev-parse HEAD)" ] && from=$(git rev-parse -q --verify HEAD~1 || echo "$from")
    mapfile -t changed < <({ git diff --name-only --diff-filter=d "$from" -- '*.cpp' '*.hpp'
                             git ls-files --others --exclude-standard -- '*.cpp' '*.hpp'; } | sort -u)
  else
    if ! git rev-parse -q --verify HEAD~1 >/dev/null; then
      echo "tidy.sh: no ref '$base' and no parent commit to compare with (a shallow clone?): run tools/tidy.sh --all"
      exit 77
    fi
    echo "tidy.sh: no ref '$base' to compare with: checking the last commit's files"
    mapfile -t changed < <(git diff --name-only --diff-filter=d HEAD~1 -- '*.cpp' '*.hpp' | sort -u)
  fi
  for f in "${changed[@]}"; do
    if [[ $f == *.cpp ]]; then
      printf '%s\n' "${units[@]}" | grep -qxF "$f" && files+=("$f")
    else
      # One compiled file that includes the header (by its path below include/, or its name),
      # those of the header's own folder first.
      inc=${f#*include/}
      [ "$inc" = "$f" ] && inc=$(basename "$f")
      dir=$(dirname "$f")
      for u in $(printf '%s\n' "${units[@]}" | grep "^$dir/") "${units[@]}"; do
        if grep -qF -- "$inc\"" "$u" || grep -qF -- "$inc>" "$u"; then files+=("$u"); break; fi
      done
    fi
  done
  if [ ${#files[@]} -gt 0 ]; then mapfile -t files < <(printf '%s\n' "${files[@]}" | sort -u); fi
  if [ ${#files[@]} -eq 0 ]; then
    echo "tidy.sh: no compiled C++ file changed since $base (nor a header one includes): nothing to check"
    exit 77
  fi
fi

echo "tidy.sh: ${#files[@]} files"
failed=0
pids=()
jobs=${AIOSIM_JOBS:-2}
run_one() { "$tidy" -p build/tidy --quiet "$1" 2>/dev/null > "build/tidy/$(echo "$1" | tr / _).log" || return 1; }
i=0
for f in "${files[@]}"; do
  run_one "$f" &
  pids+=($!)
  i=$((i + 1))
  if [ ${#pids[@]} -ge "$jobs" ]; then wait "${pids[0]}" || failed=1; pids=("${pids[@]:1}"); fi
done
for p in "${pids[@]}"; do wait "$p" || failed=1; done
for f in "${files[@]}"; do
  log="build/tidy/$(echo "$f" | tr / _).log"
  if [ -s "$log" ]; then cat "$log"; fi
done
if [ "$failed" -ne 0 ]; then
  echo "tidy.sh: clang-tidy found problems (above)" >&2
  exit 1
fi
echo "tidy.sh: ${#files[@]} files clean"
