#!/usr/bin/env bash
# tools/explore-scenarios.sh [SEEDS]: the project's exploration gate. Explores every scenario of
# `aiosim list` (the one in PATH) under the default portfolio (`aiosim explore NAME` without
# --policy: asyncio's own order first, then the strategies interleaved across seeds).
#   - A reference scenario must hold its oracle in every run: SEEDS seeds (default
#     AIOSIM_EXPLORE_SEEDS or 2000). Exit status 0 passes; 3 (failures only in orders CPython's
#     asyncio cannot run: the scenario relies on what asyncio guarantees) passes with a warning
#     line; anything else fails the gate.
#   - Each known-bug scenario (bug_*) must be found within AIOSIM_BUG_SEEDS seeds (default 100:
#     601 runs, fifo once and then each seed under the portfolio's six other strategies;
#     measured with tools/bench/power/gate-budget.sh, the worst first failure of 20 independent
#     seed ranges was at run 34, bug_cancel_leak, found by urw), with --expect-failure (exit 0
#     when found, in an order CPython can run or only in one it cannot); bug_net_* with up to 2
#     network faults a run. The strategy, seed and run that found it are printed ("ok
#     bug_cancel_leak: found by urw, seed 1, run 4, only in orders CPython cannot run; ..."), and
#     the printed replay string must reproduce it (`aiosim run NAME --replay STR`: exit 1, the
#     same trace hash).
# The last lines say which known bugs the portfolio found, where and by which strategy
# ("portfolio found every known bug (8, within 100 seeds each): bug_cancel_leak at run 4 (urw,
# only in orders CPython cannot run), ...") or which
# it missed, and count the explorations. Exploring nothing is no pass: when `aiosim list` fails
# or lists no scenario, it says so and exits 1.
# Exit status: 0 all as expected, 1 not.
set -euo pipefail
seeds=${1:-${AIOSIM_EXPLORE_SEEDS:-2000}}
bug_seeds=${AIOSIM_BUG_SEEDS:-100}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
explored=0
found_list=""
missed_list=""
bugs=0
# Not `for name in $(aiosim list ...)`: a failing command in a for's word list stops nothing,
# and the loop would run zero times and pass.
if ! aiosim list > "$tmp/list" 2>&1; then
  echo "FAIL: \`aiosim list\` failed, so there is nothing to explore:"; sed 's/^/    /' "$tmp/list"
  exit 1
fi
names=$(awk '{print $1}' "$tmp/list")
if [ -z "$names" ]; then
  echo "FAIL: \`aiosim list\` lists no scenario, and exploring nothing does not pass:"; sed 's/^/    /' "$tmp/list"
  exit 1
fi
for name in $names; do
  explored=$((explored + 1))
  if [[ $name == bug_* ]]; then
    bugs=$((bugs + 1))
    args=(--seeds "$bug_seeds" --expect-failure)
    # A networked bug (scenarios/net/) shows only under faults of the simulated network.
    [[ $name == bug_net_* ]] && args+=(--faults 2 --fault-rate 100)
  else
    args=(--seeds "$seeds")
  fi
  rc=0
  aiosim explore "$name" "${args[@]}" > "$tmp/out" 2>&1 || rc=$?
  summary=$(grep '^summary: ' "$tmp/out" | sed 's/^summary: //')
  if [[ $name != bug_* ]]; then
    case $rc in
      0) echo "ok   $name: $summary" ;;
      3) echo "warn $name: $summary (failures only in orders CPython's asyncio cannot run: see \`aiosim explore $name ${args[*]}\`)" ;;
      *) failed=1; echo "FAIL $name (exit $rc):"; sed 's/^/    /' "$tmp/out" ;;
    esac
    continue
  fi
  # "found by random, seed 1, run 5 of the exploration" (fifo has no seed)
  where=$(grep -o 'found by [a-z]*\(, seed [0-9]*\)\?, run [0-9]*' "$tmp/out" | head -n 1 || true)
  if [ "$rc" -ne 0 ] || [ -z "$where" ]; then
    failed=1
    missed_list="$missed_list${missed_list:+, }$name"
    echo "FAIL $name: not found within $bug_seeds seeds (exit $rc):"; sed 's/^/    /' "$tmp/out"
    continue
  fi
  strategy=$(echo "$where" | sed 's/^found by \([a-z]*\).*/\1/')
  run=$(echo "$where" | sed 's/.*, run //')
  class=""
  grep -q "^FOUND ONLY IN ORDERS CPYTHON'S ASYNCIO CANNOT RUN" "$tmp/out" && ! grep -q '^FAILED' "$tmp/out" \
    && class=", only in orders CPython cannot run"
  found_list="$found_list${found_list:+, }$name at run $run ($strategy$class)"
  echo "ok   $name: $where$class; $summary"
  replay=$(sed -n 's/^ *replay: //p' "$tmp/out" | head -n 1)
  hash=$(sed -n 's/^ *trace hash: //p' "$tmp/out" | head -n 1)
  rc=0
  aiosim run "$name" --replay "$replay" > /dev/null 2> "$tmp/err" || rc=$?
  again=$(sed -n 's/^trace hash: //p' "$tmp/err")
  if [ "$rc" -eq 1 ] && [ "$again" = "$hash" ]; then
    echo "     found at $replay; \`aiosim run $name --replay '$replay'\` reproduces it (trace hash $hash)"
  else
    failed=1
    echo "FAIL $name: \`aiosim run $name --replay '$replay'\` exited $rc with trace hash '$again', expected 1 and $hash"
  fi
done
if [ "$bugs" -gt 0 ]; then
  if [ -z "$missed_list" ]; then
    echo "portfolio found every known bug ($bugs, within $bug_seeds seeds each): $found_list"
  else
    echo "portfolio MISSED known bugs within $bug_seeds seeds: $missed_list; found: ${found_list:-none}"
  fi
fi
echo "explored $explored scenarios under the portfolio ($bugs known bugs, $((explored - bugs)) that must hold)"
exit "$failed"
