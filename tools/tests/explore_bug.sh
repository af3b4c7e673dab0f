#!/bin/sh
# explore_bug.sh EXE NAME SEEDS: the workflow on a scenario with a known bug, each step in a
# new process:
#   1. in asyncio's own order (fifo) the scenario passes;
#   2. `EXE explore NAME --seeds SEEDS --expect-failure` finds the bug (policy random);
#   3. `EXE run NAME --replay STR` with the printed string fails again (exit 1), with the same
#      trace hash as explore reported;
#   4. `EXE shrink NAME --replay STR` prints a string no longer than STR that still fails
#      when run, with the trace hash shrink reported.
exe="$1"; name="$2"; seeds="$3"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; for f in "$tmp"/*; do echo "--- $f"; cat "$f"; done; exit 1; }
field() { sed -n "s/^ *$1: //p" "$2" | head -n 1; }

"$exe" explore "$name" --policy fifo --seeds 1 > "$tmp/fifo" 2>&1 || fail "$name fails under fifo (asyncio's own order)"

"$exe" explore "$name" --seeds "$seeds" --expect-failure > "$tmp/explore" 2>&1 \
  || fail "explore did not find the bug of $name within $seeds seeds"
replay=$(field replay "$tmp/explore")
hash=$(field "trace hash" "$tmp/explore")
[ -n "$replay" ] && [ -n "$hash" ] || fail "explore printed no replay string or trace hash"
grep -qF "replay it: $(basename "$exe") run $name --replay '$replay'" "$tmp/explore" || fail "no replay command"

"$exe" run "$name" --replay "$replay" > "$tmp/run.out" 2> "$tmp/run.err"
rc=$?
[ "$rc" -eq 1 ] || fail "run --replay exited $rc, expected 1 (the failure)"
[ "$(field "trace hash" "$tmp/run.err")" = "$hash" ] || fail "run --replay: trace hash differs from explore's ($hash)"

"$exe" shrink "$name" --replay "$replay" > "$tmp/shrink" 2>&1 || fail "shrink exited non-zero"
small=$(field replay "$tmp/shrink")
small_hash=$(field "trace hash" "$tmp/shrink")
[ -n "$small" ] || fail "shrink printed no replay string"
[ ${#small} -le ${#replay} ] || fail "shrunk string '$small' is longer than '$replay'"
"$exe" run "$name" --replay "$small" > "$tmp/small.out" 2> "$tmp/small.err"
rc=$?
[ "$rc" -eq 1 ] || fail "the shrunk string does not fail when run (exit $rc)"
[ "$(field "trace hash" "$tmp/small.err")" = "$small_hash" ] || fail "shrunk run: trace hash differs from shrink's"
echo "$name: passes under fifo; explore found $replay ($hash); run --replay reproduced it; shrunk to $small"
