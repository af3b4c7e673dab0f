#!/bin/sh
# compare.sh PY_FILE EXE LOOP: runs the Python twin with CPython 3.12 (else python3) and the
# C++ program on LOOP, and requires identical standard output and exit status.
# Exit 77 (CTest: skipped) when no python3 exists or the loop is not built.
py="$1"; exe="$2"; loop="$3"
if PYENV_VERSION=3.12.1 python3 -c 'import sys; assert sys.version_info >= (3, 12)' 2>/dev/null; then
  PY="env PYENV_VERSION=3.12.1 python3"
elif command -v python3 >/dev/null 2>&1; then
  PY="python3"
  echo "note: CPython 3.12 not found, comparing against $(python3 --version)" >&2
else
  echo "SKIPPED: no python3 on this machine" >&2; exit 77
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
$PY "$py" > "$tmp/py.out" 2> "$tmp/py.err"; pyrc=$?
"$exe" --loop "$loop" > "$tmp/cpp.out" 2> "$tmp/cpp.err"; cpprc=$?
[ $cpprc -eq 77 ] && { echo "SKIPPED: $(cat "$tmp/cpp.err")" >&2; exit 77; }
if ! cmp -s "$tmp/py.out" "$tmp/cpp.out" || [ $pyrc -ne $cpprc ]; then
  echo "MISMATCH for $py on loop $loop (exit python=$pyrc c++=$cpprc)"
  diff -u --label python "$tmp/py.out" --label "c++ ($loop)" "$tmp/cpp.out"
  echo "--- c++ stderr:"; cat "$tmp/cpp.err"
  exit 1
fi
echo "same output ($(wc -l < "$tmp/py.out") lines)"
