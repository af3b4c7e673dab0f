#!/bin/sh
# expect_run.sh EXE NAME LOOP EXPECTED_STDOUT_FILE EXPECTED_STATUS [EXPECTED_LAST_STDERR_LINE]
# Runs `EXE run NAME --loop LOOP` (LOOP `default`: `EXE run NAME`, no --loop) and requires:
# standard output byte-equal to the file, the exit status, and (if given) the last line of
# standard error.
exe="$1"; name="$2"; loop="$3"; expected="$4"; status="$5"
if [ ! -f "$expected" ]; then
  echo "expected output $expected not found (the reference outputs are in scenarios/reference/)"
  exit 1
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
if [ "$loop" = default ]; then
  cmd="$exe run $name"
  "$exe" run "$name" > "$tmp/out" 2> "$tmp/err"
else
  cmd="$exe run $name --loop $loop"
  "$exe" run "$name" --loop "$loop" > "$tmp/out" 2> "$tmp/err"
fi
rc=$?
fail=0
if ! cmp -s "$expected" "$tmp/out"; then
  echo "standard output of '$cmd' differs from $expected:"
  diff -u --label expected "$expected" --label actual "$tmp/out"
  fail=1
fi
if [ "$rc" -ne "$status" ]; then
  echo "exit status $rc, expected $status"
  fail=1
fi
if [ $# -ge 6 ]; then
  last=$(tail -n 1 "$tmp/err")
  if [ "$last" != "$6" ]; then
    echo "last standard error line is '$last', expected '$6'"
    fail=1
  fi
fi
if [ $fail -ne 0 ]; then
  echo "--- standard error:"; cat "$tmp/err"
  exit 1
fi
echo "'$cmd': same bytes as $expected, exit status $rc"
