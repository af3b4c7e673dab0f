#!/usr/bin/env python3
"""The table of CPython's asyncio test methods and their C++ ports (issue 14, section 1).

    tools/cpython-port-table.py                 # write docs/cpython-port.md, print the summary
    tools/cpython-port-table.py --check         # fail if docs/cpython-port.md or README is stale
    tools/cpython-port-table.py --cpython DIR   # first rewrite the method list from CPython's
                                                # Lib/test/test_asyncio (ast), e.g.
                                                # /root/.pyenv/versions/3.12.1/lib/python3.12/test/test_asyncio

The method list (runtime/tests/cpython/methods-3.12.txt, one `<file>.py::<Class>::<method>`
a line) is committed, so the table is made from the repository alone. The ported cases are the
`TEST_CASE("...")` literals of runtime/tests/cpython/*.cpp (README.md there gives the naming
convention); a case decorated `doctest::skip` is failing and needs a line in a
`known_failing*.txt`; a method with a line in a `not_applicable*.txt` has no case, nor has one
with a line in an `out_of_scope*.txt` (a method of a listed file outside the part of that file
issue 14 names, e.g. test_events.py's subprocess cases). Any inconsistency (an unknown name, a
name listed twice or in two lists, a skipped case without a cause, a cause without a skipped
case, a method both ported and not applicable or out of scope) is an error (exit 1).
"""
import argparse
import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT_DIR = ROOT / "runtime" / "tests" / "cpython"
METHODS = PORT_DIR / "methods-3.12.txt"
TABLE = ROOT / "docs" / "cpython-port.md"
README = ROOT / "README.md"

# The files of Lib/test/test_asyncio that issue 14 names, in the table's order.
FILES = [
    "test_futures.py",
    "test_runners.py",
    "test_timeouts.py",
    "test_waitfor.py",
    "test_taskgroups.py",
    "test_tasks.py",
    "test_locks.py",
    "test_queues.py",
    "test_events.py",
    "test_base_events.py",
    "test_streams.py",
    "test_sock_lowlevel.py",
]

CASE_RE = re.compile(r'TEST_CASE\("([^"]+)"(.*)$', re.M)
README_BEGIN = "<!-- cpython-port-table: begin -->"
README_END = "<!-- cpython-port-table: end -->"


def methods_from_cpython(directory):
    """Every test* method defined in a class body, as file::Class::method (nested: Outer.Inner)."""
    out = []
    for name in FILES:
        tree = ast.parse((Path(directory) / name).read_text(), name)
        stack = [(node, node.name) for node in reversed(tree.body) if isinstance(node, ast.ClassDef)]
        # Iterative walk in source order: each class's methods, then its nested classes.
        while stack:
            cls, qual = stack.pop()
            for node in cls.body:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
                    out.append(f"{name}::{qual}::{node.name}")
            nested = [(n, f"{qual}.{n.name}") for n in cls.body if isinstance(n, ast.ClassDef)]
            stack.extend(reversed(nested))
    return out


def read_list(pattern, errors):
    """name -> reason from every file matching pattern (name, two or more spaces, reason)."""
    entries = {}
    for path in sorted(PORT_DIR.glob(pattern)):
        for lineno, line in enumerate(path.read_text().splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = re.split(r"\s{2,}", line.strip(), maxsplit=1)
            where = f"{path.relative_to(ROOT)}:{lineno}"
            if len(parts) != 2 or not parts[1].strip():
                errors.append(f"{where}: no reason (name, two or more spaces, reason)")
                continue
            if parts[0] in entries:
                errors.append(f"{where}: {parts[0]} listed twice")
            entries[parts[0]] = parts[1].strip()
    return entries


def read_cases(errors):
    """name -> skipped? from the TEST_CASE literals of the port's .cpp files."""
    cases = {}
    for path in sorted(PORT_DIR.glob("*.cpp")):
        for m in CASE_RE.finditer(path.read_text()):
            name, rest = m.group(1), m.group(2)
            if name in cases:
                errors.append(f"{path.relative_to(ROOT)}: {name} has two cases")
            cases[name] = "doctest::skip" in rest
    return cases


def build(methods, errors):
    cases = read_cases(errors)
    not_applicable = read_list("not_applicable*.txt", errors)
    out_of_scope = read_list("out_of_scope*.txt", errors)
    failing = read_list("known_failing*.txt", errors)
    known = set(methods)
    for name in sorted(set(not_applicable) & set(out_of_scope)):
        errors.append(f"{name}: listed both as not applicable and as out of scope")
    for name in sorted(set(failing) & (set(not_applicable) | set(out_of_scope))):
        errors.append(f"{name}: in known_failing*.txt and listed as not applicable or out of scope")
    for name in list(cases) + list(not_applicable) + list(out_of_scope) + list(failing):
        if name not in known:
            errors.append(f"{name}: not a method of CPython's tests (see {METHODS.relative_to(ROOT)})")
    status = {}
    for name in methods:
        if name in cases and name in not_applicable:
            errors.append(f"{name}: ported and listed as not applicable")
        if name in cases and name in out_of_scope:
            errors.append(f"{name}: ported and listed as out of scope")
        if name in cases:
            skipped = cases[name]
            if skipped and name not in failing:
                errors.append(f"{name}: skipped case without a line in known_failing*.txt")
            if not skipped and name in failing:
                errors.append(f"{name}: in known_failing*.txt but its case is not skipped")
            status[name] = ("failing", failing.get(name, "")) if skipped else ("passing", "")
        elif name in not_applicable:
            status[name] = ("not applicable", not_applicable[name])
        elif name in out_of_scope:
            if name in failing:
                errors.append(f"{name}: in known_failing*.txt without a case")
            status[name] = ("out of scope", out_of_scope[name])
        else:
            if name in failing:
                errors.append(f"{name}: in known_failing*.txt without a case")
            status[name] = ("not ported", "")
    return status


def summarize(methods, status):
    rows = []
    for f in FILES + ["total"]:
        names = [m for m in methods if f == "total" or m.startswith(f + "::")]
        count = {k: 0 for k in ("passing", "failing", "not applicable", "out of scope", "not ported")}
        for n in names:
            count[status[n][0]] += 1
        applicable = len(names) - count["not applicable"] - count["out of scope"]
        pct = 100.0 * count["passing"] / applicable if applicable else 0.0
        rows.append((f, len(names), count, applicable, pct))
    return rows


def render(methods, status):
    rows = summarize(methods, status)
    out = [
        "# CPython's asyncio tests, ported",
        "",
        "Generated by `tools/cpython-port-table.py` from `runtime/tests/cpython/` (the cases, "
        "`not_applicable*.txt`, `out_of_scope*.txt`, `known_failing*.txt`) and the method list of "
        "CPython 3.12.1 (`runtime/tests/cpython/methods-3.12.txt`); do not edit by hand. Percentage: "
        "ported and passing / (methods - not applicable - out of scope); out of scope: a method of "
        "the file outside the part of it issue 14 names. `ctest -R '^cpython\\.'` runs the cases.",
        "",
        "| file | methods | passing | failing | not applicable | out of scope | not ported | passing / applicable |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for f, total, c, applicable, pct in rows:
        label = "**total**" if f == "total" else f"`{f}`"
        out.append(f"| {label} | {total} | {c['passing']} | {c['failing']} | {c['not applicable']} | "
                   f"{c['out of scope']} | {c['not ported']} | {c['passing']}/{applicable} ({pct:.1f}%) |")
    for f in FILES:
        out += ["", f"## {f}", "", "| class | method | status | reason / cause |", "|---|---|---|---|"]
        for m in methods:
            if not m.startswith(f + "::"):
                continue
            _, cls, meth = m.split("::")
            st, note = status[m]
            out.append(f"| {cls} | `{meth}` | {st} | {note.replace('|', '/')} |")
    return "\n".join(out) + "\n"


def readme_block(methods, status):
    rows = summarize(methods, status)
    parts = []
    for f, total, c, applicable, pct in rows[:-1]:
        if c["passing"] or c["failing"] or c["not applicable"] or c["out of scope"]:
            parts.append(f"`{f}` {c['passing']}/{applicable} ({pct:.0f}%)")
    f, total, c, applicable, pct = rows[-1]
    begun = [r for r in rows[:-1]
             if r[2]["passing"] or r[2]["failing"] or r[2]["not applicable"] or r[2]["out of scope"]]
    b_pass = sum(r[2]["passing"] for r in begun)
    b_app = sum(r[3] for r in begun)
    b_pct = 100.0 * b_pass / b_app if b_app else 0.0
    return "\n".join([
        README_BEGIN,
        f"Ported and passing, of the applicable methods: {', '.join(parts)}; "
        f"{b_pass}/{b_app} ({b_pct:.1f}%) over these files; {c['passing']}/{applicable} ({pct:.1f}%) "
        f"over all {total} methods of the {len(FILES)} files of issue 14 "
        f"({c['not applicable']} not applicable, {c['out of scope']} out of scope, {c['failing']} failing, "
        f"{c['not ported']} not yet ported; "
        "table: [docs/cpython-port.md](docs/cpython-port.md)).",
        README_END,
    ])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cpython", help="CPython's Lib/test/test_asyncio: rewrite the method list from it first")
    ap.add_argument("--check", action="store_true", help="fail if the committed table or README block is stale")
    args = ap.parse_args()

    if args.cpython:
        METHODS.write_text("".join(m + "\n" for m in methods_from_cpython(args.cpython)))
    methods = [line.strip() for line in METHODS.read_text().splitlines() if line.strip()]
    errors = []
    if len(set(methods)) != len(methods):
        errors.append(f"{METHODS.relative_to(ROOT)}: a method listed twice")
    status = build(methods, errors)
    table = render(methods, status)
    block = readme_block(methods, status)
    readme = README.read_text()
    if args.check:
        if not TABLE.exists() or TABLE.read_text() != table:
            errors.append(f"{TABLE.relative_to(ROOT)} is stale: run tools/cpython-port-table.py")
        if block not in readme:
            errors.append("README.md's CPython test suite line is stale: run tools/cpython-port-table.py")
    else:
        TABLE.write_text(table)
        if README_BEGIN in readme and README_END in readme:
            head, rest = readme.split(README_BEGIN, 1)
            _, tail = rest.split(README_END, 1)
            README.write_text(head + block + tail)
        else:
            errors.append("README.md has no cpython-port-table markers: add the two comment lines")
    for e in errors:
        print(f"cpython-port-table: error: {e}", file=sys.stderr)
    for f, total, c, applicable, pct in summarize(methods, status):
        print(f"{f:24} {c['passing']:4}/{applicable:<4} ({pct:5.1f}%)  failing {c['failing']}, "
              f"not applicable {c['not applicable']}, out of scope {c['out of scope']}, "
              f"not ported {c['not ported']}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
