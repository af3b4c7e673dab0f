#!/bin/sh
# explore_bug.sh EXE NAME SEEDS [--order-only] [EXPLORE_ARG...]: the workflow on a scenario with a
# known bug, each step in a new process (explore runs the default portfolio unless an argument
# names a policy):
#   1. in asyncio's own order (fifo, no fault) the scenario passes;
#   2. `EXE explore NAME --seeds SEEDS --expect-failure EXPLORE_ARG...` finds the bug (policy
#      random unless an argument says otherwise; a networked bug needs faults: `--faults 2`)
#      and prints its replay string, failure signature, non-zero decisions and trace hash;
#   3. `EXE run NAME --replay STR` and `EXE replay NAME STR` fail again (exit 1) with the same
#      signature and trace hash;
#   4. `EXE shrink NAME --replay STR` keeps that signature and prints a string no longer than
#      STR, with at most as many non-zero decisions, that fails with the same signature and
#      the trace hash shrink reported when run;
#   5. `EXE explore ... --shrink` prints the same shrunk string, and exits 1: the bug shows in an
#      order CPython's asyncio can run.
# With --order-only the bug needs an order CPython cannot run (a ready-queue decision: the code
# relies on call_soon's FIFO order): explore reports it in its own section and exits 3 (step 5),
# --expect-failure says so, its shrunk order still needs a ready-queue decision, and
# `explore --strict-order` makes it a plain failure (exit 1).
# A run with faults (a networked scenario) lists them under "faults:"; shrink must then list
# the shrunk run's ("shrunk faults:"), no more of them than the found run had.
# The replay strings carry everything the arguments set (the faults too), so steps 3 and 4 get
# no argument but the string.
exe="$1"; name="$2"; seeds="$3"
shift 3
order_only=0
if [ "${1:-}" = --order-only ]; then order_only=1; shift; fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; for f in "$tmp"/*; do echo "--- $f"; cat "$f"; done; exit 1; }
field() { sed -n "s/^ *$1: //p" "$2" | head -n 1; }
# The non-zero decisions of a replay string aiosim1:POLICY:PARAMS[:DECISIONS] ('.'-separated).
# The "- ..." lines of the list under the heading $1 (e.g. "faults:") in file $2.
list() { awk -v h="$1" '$0 ~ "^ *" h "$" {on=1; next} on && /^ *- / {sub(/^ *- /, ""); print; next} {on=0}' "$2"; }
decisions() { d=$(echo "$1" | cut -d: -f4); [ -z "$d" ] || [ "$d" = - ] && { echo 0; return; }; echo "$d" | tr . '\n' | grep -c .; }

"$exe" explore "$name" --policy fifo --seeds 1 > "$tmp/fifo" 2>&1 || fail "$name fails under fifo (asyncio's own order)"

"$exe" explore "$name" --seeds "$seeds" --expect-failure "$@" > "$tmp/explore" 2>&1 \
  || fail "explore did not find the bug of $name within $seeds seeds"
if [ "$order_only" -eq 1 ]; then
  grep -qF "only in orders CPython's asyncio cannot run: exit 3 without --expect-failure" "$tmp/explore" \
    || fail "--expect-failure did not say the bug shows only in orders CPython cannot run"
  grep -q "^FOUND ONLY IN ORDERS CPYTHON'S ASYNCIO CANNOT RUN: " "$tmp/explore" || fail "no order-only section"
  ! grep -q "^FAILED: " "$tmp/explore" || fail "an order-only bug reported as a plain failure"
else
  grep -qF "in an order CPython's asyncio can run: exit 1 without --expect-failure" "$tmp/explore" \
    || fail "--expect-failure did not say the bug shows in an order CPython can run"
fi
replay=$(field replay "$tmp/explore")
hash=$(field "trace hash" "$tmp/explore")
signature=$(field signature "$tmp/explore")
count=$(field "non-zero decisions" "$tmp/explore")
[ -n "$replay" ] && [ -n "$hash" ] && [ -n "$signature" ] && [ -n "$count" ] \
  || fail "explore printed no replay string, trace hash, signature or decision count"
[ "$(decisions "$replay")" = "$count" ] || fail "explore says $count non-zero decisions, its string has $(decisions "$replay")"
grep -qF "replay it: $(basename "$exe") run $name --replay '$replay'" "$tmp/explore" || fail "no replay command"

"$exe" run "$name" --replay "$replay" > "$tmp/run.out" 2> "$tmp/run.err"
rc=$?
[ "$rc" -eq 1 ] || fail "run --replay exited $rc, expected 1 (the failure)"
[ "$(field "trace hash" "$tmp/run.err")" = "$hash" ] || fail "run --replay: trace hash differs from explore's ($hash)"
[ "$(field signature "$tmp/run.err")" = "$signature" ] || fail "run --replay: signature differs from explore's"

"$exe" replay "$name" "$replay" > "$tmp/replay.out" 2> "$tmp/replay.err"
rc=$?
[ "$rc" -eq 1 ] || fail "replay exited $rc, expected 1 (the failure)"
[ "$(field "trace hash" "$tmp/replay.err")" = "$hash" ] || fail "replay: trace hash differs from explore's ($hash)"
[ "$(field signature "$tmp/replay.err")" = "$signature" ] || fail "replay: signature differs from explore's"

"$exe" shrink "$name" --replay "$replay" > "$tmp/shrink" 2>&1 || fail "shrink exited non-zero"
small=$(field replay "$tmp/shrink")
small_hash=$(field "trace hash" "$tmp/shrink")
[ -n "$small" ] || fail "shrink printed no replay string"
[ "$(field signature "$tmp/shrink")" = "$signature" ] || fail "shrink names another signature than explore's"
[ ${#small} -le ${#replay} ] || fail "shrunk string '$small' is longer than '$replay'"
[ "$(decisions "$small")" -le "$count" ] || fail "shrunk string '$small' has more non-zero decisions than $count"
"$exe" run "$name" --replay "$small" > "$tmp/small.out" 2> "$tmp/small.err"
rc=$?
[ "$rc" -eq 1 ] || fail "the shrunk string does not fail when run (exit $rc)"
[ "$(field "trace hash" "$tmp/small.err")" = "$small_hash" ] || fail "shrunk run: trace hash differs from shrink's"
[ "$(field signature "$tmp/small.err")" = "$signature" ] || fail "shrunk run fails with another signature"

faults=$(list faults: "$tmp/explore" | grep -c .)
small_faults=$(list "shrunk faults:" "$tmp/shrink" | grep -c .)
if [ "$faults" -gt 0 ]; then
  [ "$small_faults" -ge 1 ] || fail "the found run had $faults faults; shrink lists no 'shrunk faults:'"
  [ "$small_faults" -le "$faults" ] || fail "the shrunk run has $small_faults faults, more than the found run's $faults"
fi

"$exe" explore "$name" --seeds "$seeds" --shrink "$@" > "$tmp/explore-shrink" 2>&1
rc=$?
if [ "$order_only" -eq 1 ]; then
  [ "$rc" -eq 3 ] || fail "explore --shrink exited $rc, expected 3 (found only in orders CPython cannot run)"
  field "shrunk order" "$tmp/explore-shrink" | grep -q "^one CPython's asyncio cannot run (" \
    || fail "the shrunk order does not need a ready-queue decision"
  "$exe" explore "$name" --seeds "$seeds" --strict-order "$@" > "$tmp/explore-strict" 2>&1
  rc=$?
  [ "$rc" -eq 1 ] || fail "explore --strict-order exited $rc, expected 1"
  grep -q "^FAILED: " "$tmp/explore-strict" || fail "explore --strict-order printed no FAILED line"
else
  [ "$rc" -eq 1 ] || fail "explore --shrink exited $rc, expected 1"
fi
[ "$(field shrunk "$tmp/explore-shrink" | cut -d' ' -f1)" = "$small" ] || fail "explore --shrink printed another string"
[ "$order_only" -eq 1 ] && echo "$name: found only in orders CPython's asyncio cannot run (exit 3; 1 with --strict-order)"
where=$(grep -o 'found by [a-z]*\(, seed [0-9]*\)\?, run [0-9]*' "$tmp/explore" | head -n 1)
[ -n "$where" ] || fail "explore does not say which strategy found it, at which run"
echo "$name: passes under fifo; explore ($where) found $replay ($count non-zero decisions, $hash; $signature);" \
     "run --replay and replay reproduced it; shrunk to $small ($(decisions "$small"), same signature)"
if [ "$faults" -gt 0 ]; then
  echo "faults: $faults found, $small_faults after shrinking:"
  list "shrunk faults:" "$tmp/shrink" | sed 's/^/  - /'
fi
