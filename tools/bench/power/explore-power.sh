#!/usr/bin/env bash
# Schedules to the first failure through an aiosim tool's `explore --policy P --stop-at-first`,
# for builds where aiosim_power_bench cannot be built (a branch without run_plan's newer API):
# one line per policy and kernel, "POLICY KERNEL N1 ... NR" (X: not found within BUDGET runs),
# for R seed ranges (range r starts at seed r*100000+1). `pct0` is pct with --pct-steps 0.
#
#     RANGES=20 BUDGET=1000 tools/bench/power/explore-power.sh build/release/tools/bench/power/aiosim_power pos urw
set -euo pipefail
tool=$1
shift
ranges=${RANGES:-20}
budget=${BUDGET:-1000}
kernels=$("$tool" list | awk '{print $1}' | grep -E '^(sct_|convul_|apat_)')
for p in "$@"; do
  args=(--policy "$p")
  [ "$p" = pct0 ] && args=(--policy pct --pct-steps 0)
  for k in $kernels; do
    vals=()
    for ((r = 0; r < ranges; r++)); do
      out=$("$tool" explore "$k" "${args[@]}" --seeds "$budget" --seed-start $((r * 100000 + 1)) --stop-at-first 2>&1 || true)
      # The first failing run: "run N of the exploration" (reports that name it), else the
      # run count of a single-policy exploration stopped at its first failure.
      n=$(grep -oE 'run [0-9]+ of the exploration' <<<"$out" | grep -oE '[0-9]+' | sort -n | head -n 1 || true)
      [ -z "$n" ] && n=$(grep -oE '^FAILED: [0-9]+ of [0-9]+ runs' <<<"$out" | awk '{print $4}' || true)
      vals+=("${n:-X}")
    done
    echo "$p $k ${vals[*]}"
  done
done
