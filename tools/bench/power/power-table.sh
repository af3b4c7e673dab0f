#!/usr/bin/env bash
# The exploration-power table for the README (issue 13): every kernel, every strategy, 20 seed
# ranges, 1,000 runs each, with the date, the machine and the commit. Minutes of one core; not
# run by CI (CTest's power_bench.smoke is the short run).
#
#     tools/bench/power/power-table.sh [BUILD_DIR] [extra aiosim_power_bench options]
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
build=${1:-$root/build/release}
shift || true
bench=$build/tools/bench/power/aiosim_power_bench
if [[ ! -x $bench ]]; then
  echo "power-table.sh: $bench is missing: cmake --build --preset release --target aiosim_power_bench" >&2
  exit 2
fi
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || echo unknown)
echo "Measured $(date -u +%Y-%m-%d) on $(uname -m), ${cpu:-unknown CPU} ($(nproc) cores, one used), commit $(git -C "$root" rev-parse --short HEAD)."
echo
start=$(date +%s)
"$bench" --ranges 20 --budget 1000 "$@"
echo
echo "($(($(date +%s) - start)) s)"
