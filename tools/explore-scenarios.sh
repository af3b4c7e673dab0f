#!/usr/bin/env bash
# tools/explore-scenarios.sh [SEEDS]: explores every scenario of `aiosim list` (the one in PATH)
# under the random and pct policies. Reference scenarios must hold their oracles in every run
# (SEEDS seeds each, default AIOSIM_EXPLORE_SEEDS or 2000); each known-bug scenario (bug_*)
# must be found (--expect-failure, 200 seeds; bug_net_*: with up to 2 network faults a run), and
# the printed command must reproduce it.
# Exploring nothing is no pass: when `aiosim list` fails or lists no scenario, it says so and
# exits 1; the last line counts the explorations made.
# Exit status: 0 all as expected, 1 not.
set -euo pipefail
seeds=${1:-${AIOSIM_EXPLORE_SEEDS:-2000}}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
explored=0
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
  for policy in random pct; do
    explored=$((explored + 1))
    if [[ $name == bug_* ]]; then
      args=(--seeds 200 --expect-failure)
      [ "$policy" = pct ] && args+=(--pct-steps 20)  # the bug scenarios make about 20 choices
      # A networked bug (scenarios/net/) shows only under faults of the simulated network.
      [[ $name == bug_net_* ]] && args+=(--faults 2 --fault-rate 100)
    else
      args=(--seeds "$seeds")
    fi
    if aiosim explore "$name" --policy "$policy" "${args[@]}" > "$tmp/out" 2>&1; then
      echo "ok   $name ($policy): $(grep '^summary: ' "$tmp/out" | sed 's/^summary: //')"
    else
      failed=1
      echo "FAIL $name ($policy):"; sed 's/^/    /' "$tmp/out"
      continue
    fi
    [[ $name == bug_* ]] || continue
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
done
echo "explored $explored scenario-policy pairs ($(echo "$names" | wc -l) scenarios)"
exit "$failed"
