#!/bin/sh
# explore_nothing.sh SCRIPT: tools/explore-scenarios.sh must fail (exit 1) when there is nothing
# to explore: over an `aiosim` that lists no scenario, and when there is no `aiosim` at all.
script="$1"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
printf '#!/bin/sh\nexit 0\n' > "$tmp/aiosim"
chmod +x "$tmp/aiosim"
PATH="$tmp:$PATH" bash "$script" 1 > "$tmp/empty" 2>&1
rc=$?
[ "$rc" -eq 1 ] || { echo "FAIL: with no scenario listed it exited $rc, expected 1"; cat "$tmp/empty"; exit 1; }
grep -q "lists no scenario" "$tmp/empty" || { echo "FAIL: it did not say that nothing is listed"; cat "$tmp/empty"; exit 1; }
rm "$tmp/aiosim"
PATH="$tmp:/usr/bin:/bin" bash "$script" 1 > "$tmp/missing" 2>&1
rc=$?
[ "$rc" -eq 1 ] || { echo "FAIL: with no aiosim it exited $rc, expected 1"; cat "$tmp/missing"; exit 1; }
echo "explore-scenarios.sh fails when it has nothing to explore"
