#!/usr/bin/env bash
# tools/compare-hashes.sh CLI_A CLI_B [SEEDS]: the promise "same seed, same trace on any
# machine and compiler". Runs `hashes NAME --policy P --seeds SEEDS` (default 1000) for every
# scenario of CLI_A's `list` under every policy, with two builds of the aiosim tool (e.g. g++
# -O3 and clang++-16 -O0), and requires their lines (seed, trace hash, outcome hash) to be
# equal. Comparing nothing is no pass: when `list` fails or is empty, when the two tools list
# different scenarios, or when a run printed fewer lines than seeds, it says so and exits 1.
# The networked scenarios (scenarios/net: names net_* and bug_net_*) run with network faults
# (--faults 2 --fault-rate 100, every kind) so the fault paths are compared too, and with
# AIOSIM_HASH_NET_SEEDS seeds (default 100: a networked run costs 10 to 50 times a plain one
# in the -O0 ASan build). The last line counts the runs compared. Exit status: 0 all equal,
# 1 not.
set -euo pipefail
a=${1:?usage: compare-hashes.sh CLI_A CLI_B [SEEDS]}
b=${2:?usage: compare-hashes.sh CLI_A CLI_B [SEEDS]}
seeds=${3:-1000}
net_seeds=${AIOSIM_HASH_NET_SEEDS:-100}
policies=(fifo timers random pct pos urw)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for cli in "$a" "$b"; do
  if [ ! -x "$cli" ]; then echo "FAIL: no executable $cli" >&2; exit 1; fi
done
if ! "$a" list > "$tmp/list.a" 2>&1 || ! "$b" list > "$tmp/list.b" 2>&1; then
  echo "FAIL: \`list\` failed:"; cat "$tmp/list.a" "$tmp/list.b" | sed 's/^/    /'
  exit 1
fi
if ! cmp -s "$tmp/list.a" "$tmp/list.b"; then
  echo "FAIL: the two tools list different scenarios:"
  diff -u --label "$a list" --label "$b list" "$tmp/list.a" "$tmp/list.b" | sed 's/^/    /' || true
  exit 1
fi
names=$(awk '{print $1}' "$tmp/list.a")
if [ -z "$names" ]; then
  echo "FAIL: \`$a list\` lists no scenario, and comparing nothing does not pass"
  exit 1
fi

failed=0 compared=0 pairs=0
for name in $names; do
  n=$seeds extra=()
  case "$name" in
    net_* | bug_net_*) n=$net_seeds extra=(--faults 2 --fault-rate 100) ;;
  esac
  for policy in "${policies[@]}"; do
    pairs=$((pairs + 1))
    ok=1
    # The two tools at the same time (one core each).
    "$a" hashes "$name" --policy "$policy" --seeds "$n" "${extra[@]}" > "$tmp/a" 2> "$tmp/a.err" & pid_a=$!
    "$b" hashes "$name" --policy "$policy" --seeds "$n" "${extra[@]}" > "$tmp/b" 2> "$tmp/b.err" & pid_b=$!
    wait "$pid_a" || ok=0
    wait "$pid_b" || ok=0
    lines=$(wc -l < "$tmp/a")
    if [ "$ok" -eq 0 ] || [ "$lines" -ne "$n" ] || [ "$(wc -l < "$tmp/b")" -ne "$n" ]; then
      failed=1
      echo "FAIL $name ($policy): \`hashes\` failed or printed fewer than $n lines:"
      cat "$tmp/a.err" "$tmp/b.err" | sed 's/^/    /'
      continue
    fi
    if cmp -s "$tmp/a" "$tmp/b"; then
      compared=$((compared + lines))
      echo "ok   $name ($policy): $lines seeds, $(awk '{print $2}' "$tmp/a" | sort -u | wc -l) distinct traces"
    else
      failed=1
      echo "FAIL $name ($policy): the traces differ (seed, trace hash, outcome hash; first differences):"
      diff --label "$a" --label "$b" -U0 "$tmp/a" "$tmp/b" | head -n 12 | sed 's/^/    /' || true
    fi
  done
done
echo "compared $compared runs ($pairs scenario-policy pairs, $seeds seeds each, $net_seeds for a networked scenario): $a and $b"
if [ "$compared" -eq 0 ]; then
  echo "FAIL: no run was compared" >&2
  exit 1
fi
exit "$failed"
