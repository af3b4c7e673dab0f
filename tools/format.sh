#!/usr/bin/env bash
# tools/format.sh [--check]: formats every C++ file of the repository (*.cpp, *.hpp, *.h that
# git tracks, or that find sees outside a git checkout) in place with clang-format-16 and the
# repository's .clang-format. With --check nothing is changed: each file that is not formatted
# is reported with the lines clang-format would change, and the exit status is 1 (tools/test.sh
# runs it). Exit status 2 when clang-format-16 is missing (tools/setup.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
clang_format=${AIOSIM_CLANG_FORMAT:-clang-format-16}
mode=(-i)
case ${1:-} in
  --check) mode=(--dry-run -Werror) ;;
  "") ;;
  *) echo "usage: tools/format.sh [--check]" >&2; exit 2 ;;
esac
if ! command -v "$clang_format" >/dev/null; then
  echo "format.sh: $clang_format not found: run tools/setup.sh (Debian package clang-format-16)" >&2
  exit 2
fi
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*.cpp' '*.hpp' '*.h')
else
  mapfile -t files < <(find . -path ./build -prune -o -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' \) -print | sort)
fi
if [ ${#files[@]} -eq 0 ]; then
  echo "format.sh: no C++ file found, and formatting nothing does not pass" >&2
  exit 1
fi
if printf '%s\0' "${files[@]}" | xargs -0 -n 50 "$clang_format" "${mode[@]}"; then
  echo "format.sh: ${#files[@]} files $([ "${mode[0]}" = -i ] && echo formatted || echo "formatted as .clang-format says")"
else
  echo "format.sh: some files are not formatted (above); run tools/format.sh to fix them" >&2
  exit 1
fi
