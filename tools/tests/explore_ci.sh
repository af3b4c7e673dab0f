#!/bin/sh
# explore_ci.sh EXE: `EXE explore`'s options for CI, each step in a new process:
#   corpus    --save-failures writes one entry per failure signature, once (a second run that
#             finds the same failure writes nothing; the file name is the same); --corpus
#             replays it first (reproduced, in one run, before any seed); an entry that no
#             longer fits is reported "stale", never as a pass; a fixed one ("fixed") passes;
#             a malformed entry is bad usage (2) naming the file
#   shards    --shard-index/--shard-total: the shards' runs and failures add up to the whole
#             exploration's, seed for seed; the options win over TEST_SHARD_INDEX/TEST_TOTAL_SHARDS;
#             an empty shard says "shard 4 of 4 got no seed" and fails unless --allow-empty
#   junit     --junit FILE is well-formed XML (python3's xml.etree), one testsuite, a testcase
#             per corpus entry and one for the exploration, a failure element when it failed,
#             the same file twice but for the time attributes
# A found failure exits 1 or 3 (3: only in orders CPython's asyncio cannot run).
exe="$1"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; for f in "$tmp"/*.out; do [ -f "$f" ] && { echo "--- $f"; cat "$f"; }; done; exit 1; }
found() { [ "$1" -eq 1 ] || [ "$1" -eq 3 ]; }

# ---- corpus
"$exe" explore bug_lost_update --policy random --seeds 40 --shrink --save-failures "$tmp/corpus" > "$tmp/save1.out" 2>&1
found $? || fail "explore did not find the bug of bug_lost_update in 40 seeds"
n=$(ls "$tmp/corpus" | grep -c '\.replay$')
[ "$n" -eq 1 ] || fail "--save-failures wrote $n entries, expected 1 (one failure signature)"
entry=$(ls "$tmp/corpus")
case "$entry" in bug_lost_update-????????????????.replay) ;; *) fail "entry name '$entry' is not NAME-HASH.replay" ;; esac
grep -q "^scenario: bug_lost_update$" "$tmp/corpus/$entry" || fail "the entry names no scenario"
grep -q "^signature: oracle: every increment must count" "$tmp/corpus/$entry" || fail "the entry has no signature"
shrunk=$(sed -n 's/^  shrunk: \([^ ]*\) .*/\1/p' "$tmp/save1.out")
grep -qF "replay: $shrunk" "$tmp/corpus/$entry" || fail "the entry is not the shrunk string $shrunk"
cp "$tmp/corpus/$entry" "$tmp/entry.before"
"$exe" explore bug_lost_update --policy random --seeds 40 --seed-start 1000 --save-failures "$tmp/corpus" > "$tmp/save2.out" 2>&1
found $? || fail "the second exploration did not find the bug"
[ "$(ls "$tmp/corpus" | wc -l)" -eq 1 ] || fail "a second run wrote another entry for the same signature"
cmp -s "$tmp/entry.before" "$tmp/corpus/$entry" || fail "a second run rewrote the entry"
grep -q "is there already" "$tmp/save2.out" || fail "the second run did not say the entry is there already"

# Replayed first: under fifo (which never finds it) the corpus entry reproduces the bug.
"$exe" explore bug_lost_update --policy fifo --seeds 1 --corpus "$tmp/corpus" > "$tmp/replay.out" 2>&1
found $? || fail "--corpus: the entry did not fail the exploration"
grep -q "^  reproduced $entry: fails again with its signature" "$tmp/replay.out" || fail "--corpus: no 'reproduced' line"
grep -q "^corpus: 1 replayed, 1 failing, 0 fixed, 0 stale$" "$tmp/replay.out" || fail "--corpus: wrong tally"
head -n 2 "$tmp/replay.out" | tail -n 1 | grep -q "^corpus $tmp/corpus: 1 entry for bug_lost_update$" \
  || fail "--corpus: the corpus is not replayed before exploring"
"$exe" explore bug_lost_update --policy fifo --seeds 1 --corpus "$tmp/corpus" --expect-failure > "$tmp/expect.out" 2>&1 \
  || fail "--corpus --expect-failure: a reproduced entry is the known bug found"
# Another scenario's entries are not replayed.
"$exe" explore run_returns_result --policy fifo --seeds 1 --corpus "$tmp/corpus" > "$tmp/other.out" 2>&1 \
  || fail "another scenario's entry failed run_returns_result"
grep -q "0 entries for run_returns_result" "$tmp/other.out" || fail "another scenario's entries were counted"

# Stale: a string that no longer fits (more candidates than the program offers); fixed: fifo's.
mkdir "$tmp/stale"
printf 'scenario: bug_lost_update\nsignature: deadlock\nreplay: aiosim1:random:seed=1:9r9.9r9.9r9.9r9.9r9.9r9.9r9.9r9.9r9\n' \
  > "$tmp/stale/old.replay"
printf 'scenario: bug_lost_update\nsignature: deadlock\nreplay: aiosim1:fifo:-:-\n' > "$tmp/stale/ok.replay"
"$exe" explore bug_lost_update --policy fifo --seeds 1 --corpus "$tmp/stale" > "$tmp/stale.out" 2>&1
rc=$?
[ "$rc" -eq 0 ] || fail "a stale and a fixed entry made the exploration exit $rc (stale warns, fixed passes)"
grep -q "^  stale      old.replay: it tests nothing now: re-record or delete it; its replay string no longer fits" \
  "$tmp/stale.out" || fail "the stale entry is not reported as stale"
grep -q "^  fixed      ok.replay: replays to the end and passes" "$tmp/stale.out" || fail "no 'fixed' line"
grep -q "^corpus: 2 replayed, 0 failing, 1 fixed, 1 stale (STALE entries are no pass" "$tmp/stale.out" \
  || fail "the tally does not set the stale entry apart"
printf 'scenario: bug_lost_update\nreplay: aiosim1:fifo:-:-\n' > "$tmp/stale/bad.replay"
"$exe" explore bug_lost_update --policy fifo --seeds 1 --corpus "$tmp/stale" > "$tmp/bad.out" 2>&1
rc=$?
[ "$rc" -eq 2 ] || fail "a malformed entry exited $rc, expected 2"
grep -q "bad.replay: missing 'signature: ...'" "$tmp/bad.out" || fail "the malformed entry's error does not name it"
rm "$tmp/stale/bad.replay"

# ---- shards: 4 shards of 30 seeds add up to the whole exploration
"$exe" explore bug_lost_update --policy random --seeds 30 > "$tmp/whole.out" 2>&1
runs() { sed -n 's/^summary: \([0-9]*\) runs, \([0-9]*\) failed.*/\1 \2/p' "$1"; }
set -- $(runs "$tmp/whole.out"); whole_runs=$1; whole_failed=$2
[ "$whole_runs" = 30 ] || fail "the whole exploration made $whole_runs runs, expected 30"
sum_runs=0; sum_failed=0; i=0
while [ $i -lt 4 ]; do
  TEST_TOTAL_SHARDS=7 TEST_SHARD_INDEX=6 \
    "$exe" explore bug_lost_update --policy random --seeds 30 --shard-index $i --shard-total 4 > "$tmp/shard$i.out" 2>&1
  head -n 1 "$tmp/shard$i.out" | grep -q "shard $((i + 1)) of 4$" || fail "shard $i: the options did not win over TEST_*"
  set -- $(runs "$tmp/shard$i.out"); sum_runs=$((sum_runs + $1)); sum_failed=$((sum_failed + $2))
  i=$((i + 1))
done
[ "$sum_runs" -eq 30 ] && [ "$sum_failed" -eq "$whole_failed" ] \
  || fail "the shards made $sum_runs runs with $sum_failed failures; the whole: 30 with $whole_failed"
head -n 1 "$tmp/shard1.out" | grep -q "seeds 2, 6, ... 30 (every 4), shard 2 of 4" || fail "shard 2's seeds are not 2, 6, ... 30"
TEST_TOTAL_SHARDS=4 TEST_SHARD_INDEX=3 "$exe" explore bug_lost_update --policy random --seeds 30 > "$tmp/env.out" 2>&1
untimed() { sed 's/ [0-9]* runs\/s ([0-9.]* s, / runs\/s (/' "$1"; }
[ "$(untimed "$tmp/env.out")" = "$(untimed "$tmp/shard3.out")" ] || fail "TEST_SHARD_INDEX=3 TEST_TOTAL_SHARDS=4 differs from --shard-index 3 --shard-total 4"
"$exe" explore run_returns_result --seeds 3 --shard-index 3 --shard-total 4 > "$tmp/empty.out" 2>&1
rc=$?
[ "$rc" -eq 1 ] || fail "an empty shard exited $rc, expected 1"
grep -q "shard 4 of 4 got no seed" "$tmp/empty.out" || fail "the empty shard does not say it got no seed"
"$exe" explore run_returns_result --seeds 3 --shard-index 3 --shard-total 4 --allow-empty > "$tmp/allowed.out" 2>&1 \
  || fail "--allow-empty: an empty shard failed"
"$exe" explore run_returns_result --seeds 3 --shard-index 1 > "$tmp/half.out" 2>&1
[ $? -eq 2 ] || fail "--shard-index without --shard-total is not bad usage"
grep -q "give both" "$tmp/half.out" || fail "--shard-index alone: no hint"
"$exe" explore run_returns_result --seeds 3 --shard-index 4 --shard-total 4 > "$tmp/past.out" 2>&1
[ $? -eq 2 ] || fail "--shard-index 4 of 4 is not bad usage"

# ---- junit
check_xml() {  # FILE EXPECTED-CASES: prints "failures errors skipped exit_status"
  python3 - "$1" "$2" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
suites = root.findall("testsuite")
assert len(suites) == 1, len(suites)
s = suites[0]
cases = s.findall("testcase")
assert [c.get("name") for c in cases] == sys.argv[2].split(","), [c.get("name") for c in cases]
for c in cases:
    assert c.get("classname") == s.get("name"), c.get("classname")
    float(c.get("time"))
n = lambda tag: sum(1 for c in cases if c.find(tag) is not None)
assert int(s.get("tests")) == len(cases)
for tag, attr in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
    assert int(s.get(attr)) == n(tag), (attr, s.get(attr), n(tag))
props = {p.get("name"): p.get("value") for p in s.iter("property")}
for c in cases:
    f = c.find("failure")
    if f is not None:
        assert f.get("message"), "a failure without a message"
        assert f.text and "replay" in f.text, f.text
print(n("failure"), n("error"), n("skipped"), props["exit_status"])
PY
}
"$exe" explore bug_lost_update --policy random --seeds 30 --corpus "$tmp/stale" --junit "$tmp/a.xml" > "$tmp/junit.out" 2>&1
rc=$?
found $rc || fail "--junit: the exploration did not find the bug"
got=$(check_xml "$tmp/a.xml" "corpus ok.replay,corpus old.replay,explore") || fail "--junit: malformed or wrong: $got"
if [ $rc -eq 1 ]; then want="1 0 1 1"; else want="0 0 1 3"; fi
[ "$got" = "$want" ] || fail "--junit: failures errors skipped exit_status are '$got', expected '$want'"
grep -q "&apos;hits = 2&apos;" "$tmp/a.xml" || fail "--junit: the report's quotes are not escaped"
"$exe" explore bug_lost_update --policy random --seeds 30 --corpus "$tmp/stale" --junit "$tmp/b.xml" > /dev/null 2>&1
sed 's/time="[0-9.]*"/time=""/g' "$tmp/a.xml" > "$tmp/a.notime"
sed 's/time="[0-9.]*"/time=""/g' "$tmp/b.xml" > "$tmp/b.notime"
cmp -s "$tmp/a.notime" "$tmp/b.notime" || fail "--junit: two runs of the same exploration differ beyond the times"
"$exe" explore run_returns_result --seeds 3 --shard-index 3 --shard-total 4 --allow-empty --junit "$tmp/c.xml" > /dev/null 2>&1
got=$(check_xml "$tmp/c.xml" "shard 4 of 4") || fail "--junit (empty shard): $got"
[ "$got" = "0 0 1 0" ] || fail "--junit: an allowed empty shard is '$got', expected skipped"
"$exe" explore run_returns_result --seeds 3 --shard-index 1 --junit "$tmp/d.xml" > /dev/null 2>&1
got=$(check_xml "$tmp/d.xml" "explore") || fail "--junit (bad usage): $got"
[ "$got" = "0 1 0 2" ] || fail "--junit: bad usage is '$got', expected an error"
echo "corpus, save-failures, shards and junit: as documented"
