#!/usr/bin/env python3
"""Runs aiosim_bench and its Python twin (bench.py) side by side on this machine and prints
the medians and the speed-up over CPython, plus the issue's speed targets.

    tools/bench/compare.py [--bench build/tools/bench/aiosim_bench] [--repetitions 5]

The C++ figures are medians of --repetitions runs (Google Benchmark's median aggregate, this
thread's CPU time); the Python ones medians of --py-repetitions runs (process CPU time) with
the machine's `python3` and, if pyenv has it, CPython 3.12.1. Build the suite with
-DCMAKE_BUILD_TYPE=Release -DAIOSIM_BUILD_BENCH=ON. The machine may be shared: load average
is printed before and after; CPU time keeps the figures meaningful, repetitions keep them
stable.
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent

# name -> (counter in the C++ JSON, how to turn it into the unit shown, unit, higher is better)
METRICS = {
    "lesson_gather/sim": ("runs_per_s", 1.0, "runs/s", True),
    "sleepers_100k/sim": ("cpu_time", 1.0, "ms", False),
    "ping_pong_1M/sim": ("ns_per_handoff", 1e9, "ns/handoff", False),
    "ping_pong_1M/real": ("ns_per_handoff", 1e9, "ns/handoff", False),
    "yields_1000x1000/sim": ("ns_per_yield", 1e9, "ns/yield", False),
    "yields_1000x1000/real": ("ns_per_yield", 1e9, "ns/yield", False),
}
# The sync primitives (sync_bench.cpp): ns per operation (uncontended) or per hand-off.
for _program in ("lock_uncontended", "lock_contended", "sem_uncontended", "sem_contended", "event_uncontended",
                 "event_pingpong", "condition_uncontended", "condition_pingpong", "queue_uncontended",
                 "queue_put_contended"):
    for _loop in ("sim", "real"):
        METRICS[f"{_program}_1M/{_loop}"] = ("ns_per_op", 1e9, "ns/op", False)


def load():
    return os.getloadavg()[0]


def run_cpp(binary, reps):
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run([binary, f"--benchmark_repetitions={reps}", "--benchmark_report_aggregates_only=true",
                        f"--benchmark_out={out.name}", "--benchmark_out_format=json"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        data = json.load(open(out.name))
    res = {}
    for b in data["benchmarks"]:
        # The median aggregate; with one repetition Google Benchmark reports no aggregates.
        if b.get("aggregate_name", "median" if reps == 1 else None) != "median":
            continue
        name = b["run_name"]
        key, mult, _, _ = METRICS[name]
        res[name] = {"median": b[key] * mult}
        for extra in ("peak_heap_MiB", "cold_run_ms"):
            if extra in b:
                res[name][extra] = b[extra]
    return res


def python_versions():
    """[(interpreter, version)]: the python3 running this script, and CPython 3.12.1 from pyenv
    if present. (Under pyenv, PATH inside this process already points at one version, so the
    3.12 interpreter is looked up with `pyenv which`.)"""
    def version(exe):
        return subprocess.run([exe, "-c", "import sys; print(sys.version.split()[0])"], capture_output=True,
                              text=True, check=True).stdout.strip()
    found = [(sys.executable, version(sys.executable))]
    try:
        exe = subprocess.run(["pyenv", "which", "python3"], env=dict(os.environ, PYENV_VERSION="3.12.1"),
                             capture_output=True, text=True, check=True).stdout.strip()
        if exe and version(exe) == "3.12.1" and found[0][1] != "3.12.1":
            found.append((exe, "3.12.1"))
    except (subprocess.CalledProcessError, FileNotFoundError):
        pass
    return found


def run_python(exe, reps, scale):
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run([exe, str(HERE / "bench.py"), f"--repetitions={reps}", f"--scale={scale}",
                        f"--json={out.name}"], check=True, stdout=subprocess.DEVNULL)
        data = json.load(open(out.name))
    return data["python"], data["benchmarks"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", default=str(HERE.parents[1] / "build" / "tools" / "bench" / "aiosim_bench"))
    ap.add_argument("--repetitions", type=int, default=5)
    ap.add_argument("--py-repetitions", type=int, default=3)
    ap.add_argument("--py-scale", type=int, default=5,
                    help="the Python ping-pong and yield runs are this many times shorter (per-op figures)")
    a = ap.parse_args()

    print(f"load average before: {load():.2f}", flush=True)
    cpp = run_cpp(a.bench, a.repetitions)
    pys = []
    for exe, _ in python_versions():
        version, res = run_python(exe, a.py_repetitions, a.py_scale)
        pys.append((f"CPython {version}", res))
    print(f"load average after:  {load():.2f}\n")

    head = f"{'benchmark':24} {'aiosim':>14}"
    for label, _ in pys:
        head += f" {label:>16} {'ratio':>7}"
    print(head)
    for name, (_, _, unit, higher) in METRICS.items():
        if name not in cpp:
            continue
        c = cpp[name]["median"]
        line = f"{name:24} {c:>14.1f}"
        for _, res in pys:
            p = res.get(name, {}).get("median")
            if p is None:
                line += f" {'-':>16} {'-':>7}"
                continue
            ratio = c / p if higher else p / c
            line += f" {p:>16.1f} {ratio:>6.1f}x"
        print(f"{line}   {unit}")
    if "sleepers_100k/sim" in cpp:
        line = f"{'  peak heap (MiB)':24} {cpp['sleepers_100k/sim']['peak_heap_MiB']:>14.1f}"
        for _, res in pys:
            line += f" {res.get('sleepers_100k/sim', {}).get('peak_heap_MiB', float('nan')):>16.1f} {'':>7}"
        print(line + "   (C++: live heap peak; Python: tracemalloc peak)")
        if "cold_run_ms" in cpp["sleepers_100k/sim"]:
            print(f"{'  first run (ms)':24} {cpp['sleepers_100k/sim']['cold_run_ms']:>14.1f}"
                  "   (C++: the process's first run, every page fresh from the kernel)")
    print(f"\nratio: how many times faster aiosim is. Python ping-pong and yields ran 1/{a.py_scale} "
          "as many operations (the figures are per operation).")

    print("\nissue 3 speed targets (medians, simulator, tracing off):")
    def check(ok, text):
        print(f"  [{'ok' if ok else 'MISSED'}] {text}")
    g = cpp.get("lesson_gather/sim", {}).get("median")
    if g is not None:
        check(g >= 100_000, f"lesson gather >= 100,000 runs/s: {g:,.0f}")
        for label, res in pys:
            p = res.get("lesson_gather/sim", {}).get("median")
            if p:
                check(g / p >= 20, f"lesson gather >= 20x {label}: {g / p:.1f}x")
    y = cpp.get("yields_1000x1000/sim", {}).get("median")
    if y is not None:
        check(y < 20, f"sleep(0) yield step < 20 ns: {y:.1f} ns")
    s = cpp.get("sleepers_100k/sim")
    if s is not None:
        check(s["median"] < 100, f"100,000 sleeping tasks gathered < 100 ms: {s['median']:.1f} ms")
        check(s["peak_heap_MiB"] < 64, f"... with < 64 MiB peak: {s['peak_heap_MiB']:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
