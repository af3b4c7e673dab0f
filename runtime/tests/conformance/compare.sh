#!/bin/sh
# compare.sh PY_FILE LOOP PROGRAM [ARGS...]: runs the Python twin with CPython 3.12 (else
# python3) and `PROGRAM ARGS... --loop LOOP`, and requires identical standard output and exit
# status. Exit 77 (CTest: skipped) when no python3 exists or the loop is not built.
# AIOSIM_PYTHON, when set, is the Python 3.12 interpreter to use (CMake finds it once).
#
# The two run at the same time: both mostly sleep (the pairs use 0.1 s steps on the real loop),
# and each one's order of events depends only on its own timers, not on the other's.
py="$1"; loop="$2"; shift 2
if [ -n "${AIOSIM_PYTHON:-}" ]; then
  PY="$AIOSIM_PYTHON"
elif PYENV_VERSION=3.12.1 python3 -c 'import sys; assert sys.version_info >= (3, 12)' 2>/dev/null; then
  PY="env PYENV_VERSION=3.12.1 python3"
elif command -v python3 >/dev/null 2>&1; then
  PY="python3"
  echo "note: CPython 3.12 not found, comparing against $(python3 --version)" >&2
else
  echo "SKIPPED: no python3 on this machine" >&2; exit 77
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
( $PY "$py" > "$tmp/py.out" 2> "$tmp/py.err"; echo $? > "$tmp/py.rc" ) &
"$@" --loop "$loop" > "$tmp/cpp.out" 2> "$tmp/cpp.err"; cpprc=$?
wait
pyrc=$(cat "$tmp/py.rc")
[ $cpprc -eq 77 ] && { echo "SKIPPED: $(cat "$tmp/cpp.err")" >&2; exit 77; }
if ! cmp -s "$tmp/py.out" "$tmp/cpp.out" || [ "$pyrc" -ne $cpprc ]; then
  echo "MISMATCH for $py on loop $loop (exit python=$pyrc c++=$cpprc)"
  diff -u --label python "$tmp/py.out" --label "c++ ($loop)" "$tmp/cpp.out"
  echo "--- c++ stderr:"; cat "$tmp/cpp.err"
  echo "--- python stderr:"; cat "$tmp/py.err"
  exit 1
fi
echo "same output ($(wc -l < "$tmp/py.out") lines)"
