#!/usr/bin/env bash
# The known-bug budget of the project's gate (tools/explore-scenarios.sh): for each known-bug
# scenario (bug_*) of an aiosim tool, the run at which the default portfolio (`explore NAME`
# without --policy, as the gate runs it) first fails, in R independent seed ranges of SEEDS seeds
# (range r starts at seed r*1000+1; a network bug with --faults 2 --fault-rate 100, as in the
# gate), and the strategies that found it first (how many ranges each). A failure of either
# kind counts (the gate's --expect-failure passes on both): a plain one, or one only in orders
# CPython cannot run (its strategy marked *).
# One line per scenario, then the worst over all:
#
#     bug_cancel_leak: median run 9, worst run 37, found first by random* (12), delay* (8); runs 9 5 ...
#     worst first failure: run 37 (bug_cancel_leak) of 601 runs per 100 seeds
#
#     RANGES=20 SEEDS=100 tools/bench/power/gate-budget.sh build/release/tools/aiosim
# Exit status: 0, or 1 when a range found no failure (printed as X).
set -euo pipefail
tool=$1
ranges=${RANGES:-20}
seeds=${SEEDS:-100}
names=$("$tool" list | awk '{print $1}' | grep '^bug_' || true)
if [ -z "$names" ]; then
  echo "no known-bug scenario in \`$tool list\`"
  exit 1
fi
missed=0
worst=0
worst_name=""
runs_per_range=""
for name in $names; do
  args=(--seeds "$seeds" --expect-failure)
  [[ $name == bug_net_* ]] && args+=(--faults 2 --fault-rate 100)
  runs=()
  by=()
  for ((r = 0; r < ranges; r++)); do
    out=$("$tool" explore "$name" "${args[@]}" --seed-start $((r * 1000 + 1)) 2>&1 || true)
    [ -z "$runs_per_range" ] && runs_per_range=$(sed -n 's/^summary: \([0-9]*\) runs.*/\1/p' <<<"$out" | head -n 1)
    # Every "found by STRATEGY[, seed S], run N of the exploration": the earliest N and its
    # strategy, marked * when that failure is only in orders CPython cannot run (the lines of
    # that section begin "  found by"; a plain failure's, "FAILED: ...").
    first=$(grep -E '^(FAILED: .*|  )found by [a-z]+(, seed [0-9]+)?, run [0-9]+ of the exploration' <<<"$out" |
      sed -E 's/^FAILED.*found by ([a-z]+).*, run ([0-9]+) of.*/\2 \1/; s/^  found by ([a-z]+).*, run ([0-9]+) of.*/\2 \1*/' |
      sort -n | head -n 1 || true)
    if [ -z "$first" ]; then
      runs+=(X)
      missed=1
      continue
    fi
    runs+=("${first%% *}")
    by+=("${first##* }")
  done
  found=$(printf '%s\n' "${runs[@]}" | grep -v X | sort -n || true)
  n=$(grep -c . <<<"$found" || true)
  median=X
  if [ "$n" -gt 0 ]; then
    median=$(awk -v n="$n" '{v[NR] = $1} END {if (n % 2) print v[(n + 1) / 2]; else print (v[n / 2] + v[n / 2 + 1]) / 2}' <<<"$found")
    w=$(tail -n 1 <<<"$found")
    if [ "$w" -gt "$worst" ]; then
      worst=$w
      worst_name=$name
    fi
  fi
  strategies=$(printf '%s\n' "${by[@]}" | sort | uniq -c | sort -k1,1nr -k2 | awk '{printf "%s%s (%s)", (NR > 1 ? ", " : ""), $2, $1}')
  echo "$name: median run $median, worst run ${w:-X}, found first by $strategies; runs ${runs[*]}"
  w=""
done
echo "worst first failure: run $worst ($worst_name) of ${runs_per_range:-?} runs per $seeds seeds"
exit "$missed"
