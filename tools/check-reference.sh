#!/usr/bin/env bash
# tools/check-reference.sh LOOP [REFERENCE_DIR]: runs every reference program NAME
# (REFERENCE_DIR/NAME.expected, default scenarios/reference) with `aiosim run NAME --loop LOOP`
# (LOOP `default`: `aiosim run NAME`, which runs the simulator with the fifo policy) and
# requires, byte for byte, its standard output to equal NAME.expected. When
# NAME.expected_error exists the program must exit 1 and its last line on standard error must
# carry that error's message, as the C++ twin words it (asyncio.run() -> aio::run());
# otherwise it must exit 0. Uses the `aiosim` found in PATH. Exit status: 0 all equal, 1 not.
set -euo pipefail
loop=${1:?usage: check-reference.sh sim|real|default [REFERENCE_DIR]}
loop_args=(--loop "$loop")
[ "$loop" = default ] && loop_args=()
ref=${2:-$(dirname "$0")/../scenarios/reference}
if ! ref=$(cd "$ref" 2>/dev/null && pwd); then
  echo "check-reference: no reference directory ${2:-scenarios/reference}" >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

aiosim list > "$tmp/list"
failed=0
count=0
for expected in "$ref"/*.expected; do
  name=$(basename "$expected" .expected)
  count=$((count + 1))
  if ! awk '{print $1}' "$tmp/list" | grep -qxF "$name"; then
    echo "FAIL $name: not in \`aiosim list\`:"; sed 's/^/    /' "$tmp/list"
    failed=1
    continue
  fi
  want_rc=0
  [ -f "$ref/$name.expected_error" ] && want_rc=1
  start=$(date +%s%N)
  rc=0
  aiosim run "$name" "${loop_args[@]}" > "$tmp/out" 2> "$tmp/err" || rc=$?
  ms=$((($(date +%s%N) - start) / 1000000))
  took=$((ms / 1000)).$(printf %03d $((ms % 1000)))
  problems=()
  cmp -s "$expected" "$tmp/out" || problems+=("standard output differs from $expected")
  [ "$rc" -eq "$want_rc" ] || problems+=("exit status $rc, expected $want_rc")
  if [ "$want_rc" -eq 1 ]; then
    python_line=$(tail -n 1 "$ref/$name.expected_error")
    message=${python_line#*: }                    # drop the exception type
    message=${message//asyncio.run()/aio::run()}  # the C++ twin names itself
    last=$(grep -v '^[[:space:]]*$' "$tmp/err" | tail -n 1 || true)
    [[ "$last" == *"$message"* ]] || problems+=("last line on standard error is '$last', expected it to contain '$message'")
  fi
  if [ ${#problems[@]} -eq 0 ]; then
    echo "ok   $name (loop $loop, exit $rc, ${took}s)"
  else
    failed=1
    echo "FAIL $name (loop $loop):"
    printf '  - %s\n' "${problems[@]}"
    diff -u --label "$name.expected" --label "aiosim run $name ${loop_args[*]}" "$expected" "$tmp/out" | sed 's/^/    /' || true
    echo "  standard error:"; sed 's/^/    /' "$tmp/err"
  fi
done
if [ "$count" -eq 0 ]; then
  echo "check-reference: no *.expected file in $ref" >&2
  exit 1
fi
exit "$failed"
