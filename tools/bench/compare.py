#!/usr/bin/env python3
"""Runs aiosim_bench and its peers side by side on this machine, interleaved, and prints the
medians, aiosim's ratio to CPython and to each peer, and the issues' speed targets.

    tools/bench/compare.py [--bench build/release/tools/bench/aiosim_bench] [--rounds 5]
                           [--peers cpython,tokio,asio,node] [--markdown]

The four workloads (tools/bench/programs.hpp; the same programs in every peer):
  W1 lesson_gather     the lesson's gather program (a task sleeps then raises, gathered with
                       two that sleep; the error propagates out of the top-level run), whole runs
  W2 sleepers_100k     100,000 tasks with random sleeps (the simulator's PRNG), gathered; warm
                       runs, and the cold run: the first run in a fresh process, with its peak RSS
  W3 ping_pong_1M      two tasks hand a message back and forth through two queues (1M hand-offs)
  W4 yields_1000x1000  1,000 tasks x 1,000 sleep(0s)

Peers (each skipped with the reason when it is missing):
  cpython  bench.py under this python3 and, if pyenv has it, CPython 3.12.1 (stock asyncio; W1
           and W2 on a SelectorEventLoop whose select() jumps a virtual clock)
  tokio    peers/tokio, built here offline with cargo from Debian's crates (librust-tokio-dev):
           current_thread runtime, W1/W2 with paused time (tokio::time::pause)
  asio     peers/bench_asio.cpp (libasio-dev), built here (`cmake --build BUILD --target
           bench_asio`): C++20 coroutines on one io_context; W1/W2 on a virtual clock
  node     peers/bench_node.js, W3 and W4 only (node has no virtual clock)

aiosim runs W1/W2 under the simulator and W3/W4 on both loops; the peers' W3/W4 run on real
loops, so the ratios use aiosim's real loop there. Every figure is CPU time (this thread's;
the process's for CPython and node), since the machine may be shared; W3/W4's wall times are
printed too. Each round runs every program once in a fresh process, the order rotating from
round to round so that drift in the machine's load spreads over all; the tables show medians
over the rounds. Build the suite with -DCMAKE_BUILD_TYPE=Release -DAIOSIM_BUILD_BENCH=ON
(the `release` preset).
"""
import argparse
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]

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


def run_json(cmd, timeout=600):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({r.returncode}): {r.stderr.strip()[-500:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def run_cpp(binary):
    """One run of the whole suite (one repetition): {benchmark: {"value": ..., extras}}."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run([binary, f"--benchmark_out={out.name}", "--benchmark_out_format=json"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        data = json.load(open(out.name))
    res = {}
    for b in data["benchmarks"]:
        name = b["run_name"]
        if name not in METRICS:  # the suite's other benchmarks (the raise floor, per-raise times)
            continue
        key, mult, _, _ = METRICS[name]
        res[name] = {"value": b[key] * mult}
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


def run_python(exe, scale):
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run([exe, str(HERE / "bench.py"), "--repetitions=1", f"--scale={scale}", f"--json={out.name}"],
                       check=True, stdout=subprocess.DEVNULL)
        data = json.load(open(out.name))
    return data["benchmarks"]


def build_tokio(build):
    """Builds the tokio peer offline (cargo reads peers/tokio/.cargo/config.toml, which replaces
    crates.io with Debian's crates); returns (command, None) or (None, why not)."""
    cargo = shutil.which("cargo")
    if not cargo:
        return None, "no cargo on PATH"
    if not any(pathlib.Path("/usr/share/cargo/registry").glob("tokio-1.*")):
        return None, "no tokio crate in /usr/share/cargo/registry (Debian package librust-tokio-dev)"
    target = build / "tools" / "bench" / "peers" / "tokio-target"
    print("building the tokio peer (cargo build --release --offline) ...", flush=True)
    r = subprocess.run([cargo, "build", "--release", "--offline", "--quiet", "--target-dir", str(target)],
                       cwd=HERE / "peers" / "tokio", capture_output=True, text=True)
    if r.returncode != 0:
        return None, "cargo build failed:\n" + r.stderr[-2000:]
    return [str(target / "release" / "bench_tokio")], None


def build_asio(build):
    exe = build / "tools" / "bench" / "bench_asio"
    if (build / "CMakeCache.txt").exists():
        print("building the asio peer (cmake --build --target bench_asio) ...", flush=True)
        subprocess.run(["cmake", "--build", str(build), "--target", "bench_asio"], check=False,
                       stdout=subprocess.DEVNULL)
    if exe.exists():
        return [str(exe)], None
    return None, f"{exe} not built (no asio.hpp, Debian package libasio-dev, or the build failed)"


def expected_sleep_us_sum(n=100_000):
    """The sum of W2's n sleeps in microseconds, by bench.py's copy of the simulator's PRNG:
    every peer must sleep exactly these durations."""
    sys.path.insert(0, str(HERE))
    import bench  # noqa: E402 (bench.py, next to this file)
    prng = bench.Prng(1)
    return sum(prng.below(1_000_000) for _ in range(n))


# A compiled peer's four programs: (arguments, how to read its JSON line into our samples).
def compiled_peer_runs(expected_sum):
    def lesson(r):
        return {"lesson_gather": r["runs"] / r["cpu_s"]}

    def sleepers(r):
        if r["sleep_us_sum"] != expected_sum:
            raise RuntimeError(f"a peer's W2 slept {r['sleep_us_sum']} us in all, not {expected_sum}: its PRNG differs")
        return {"sleepers_warm_s": statistics.median(r["warm_cpu_s"]), "sleepers_cold_s": r["cold_cpu_s"],
                "sleepers_cold_rss_MiB": r["cold_max_rss_MiB"]}

    def per_op(key):
        return lambda r: {key: r["cpu_s"] / r["ops"] * 1e9, key + "_wall": r["wall_s"] / r["ops"] * 1e9}
    return [(["lesson", "1.0"], lesson), (["sleepers", "100000", "4"], sleepers),
            (["ping_pong", "1000000"], per_op("ping_pong_ns")), (["yields", "1000", "1000"], per_op("yield_ns"))]


def node_runs():
    def per_op(key):
        return lambda r: {key: r["cpu_s"] / r["ops"] * 1e9, key + "_wall": r["wall_s"] / r["ops"] * 1e9}
    return [(["ping_pong", "1000000"], per_op("ping_pong_ns")), (["yields", "1000", "1000"], per_op("yield_ns"))]


def find_participants(a, build):
    """[(name, label, run)] where run() returns {metric: value} for one round; [(name, why not)]."""
    found, missing = [], []
    bench = a.bench

    def aiosim_round():
        res = run_cpp(bench)
        cold = run_json([bench, "--cold-sleepers"])
        out = {"lesson_gather": res["lesson_gather/sim"]["value"],
               "sleepers_warm_s": res["sleepers_100k/sim"]["value"] / 1e3,
               "sleepers_cold_s": cold["cpu_s"], "sleepers_cold_rss_MiB": cold["max_rss_MiB"],
               "sleepers_peak_heap_MiB": res["sleepers_100k/sim"]["peak_heap_MiB"],
               "ping_pong_ns": res["ping_pong_1M/real"]["value"], "ping_pong_ns_sim": res["ping_pong_1M/sim"]["value"],
               "yield_ns": res["yields_1000x1000/real"]["value"], "yield_ns_sim": res["yields_1000x1000/sim"]["value"]}
        out["suite"] = {k: v["value"] for k, v in res.items()}
        return out
    if not os.path.exists(bench):
        print(f"no {bench}: build it (cmake --preset release; ninja -C build/release aiosim_bench)", file=sys.stderr)
        sys.exit(1)
    found.append(("aiosim", "aiosim", aiosim_round))

    wanted = a.peers.split(",") if a.peers else []
    expected = expected_sleep_us_sum() if {"tokio", "asio"} & set(wanted) else None
    for name in wanted:
        if name == "cpython":
            for exe, version in python_versions():
                def py_round(exe=exe):
                    res = run_python(exe, a.py_scale)
                    out = {"suite": {k: v["median"] for k, v in res.items()}}
                    out["lesson_gather"] = res["lesson_gather/sim"]["median"]
                    out["sleepers_warm_s"] = res["sleepers_100k/sim"]["median"] / 1e3
                    out["sleepers_peak_heap_MiB"] = res["sleepers_100k/sim"]["peak_heap_MiB"]
                    out["ping_pong_ns"] = res["ping_pong_1M/real"]["median"]
                    out["yield_ns"] = res["yields_1000x1000/real"]["median"]
                    return out
                found.append((f"cpython{version}", f"CPython {version}", py_round))
        elif name in ("tokio", "asio"):
            cmd, why = build_tokio(build) if name == "tokio" else build_asio(build)
            if not cmd:
                missing.append((name, why))
                continue

            def compiled_round(cmd=cmd):
                out = {}
                for args, read in compiled_peer_runs(expected):
                    out.update(read(run_json(cmd + args)))
                return out
            found.append((name, name, compiled_round))
        elif name == "node":
            node = shutil.which("node") or shutil.which("nodejs")
            if not node:
                missing.append((name, "no node on PATH"))
                continue
            version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()

            def node_round(node=node):
                out = {}
                for args, read in node_runs():
                    out.update(read(run_json([node, str(HERE / "peers" / "bench_node.js")] + args)))
                return out
            found.append(("node", f"node {version.lstrip('v')}", node_round))
        else:
            missing.append((name, "unknown peer"))
    return found, missing


# The peers' table: (metric, workload, unit, higher is better, how to print a value).
WORKLOADS = [
    ("lesson_gather", "W1 the lesson's gather program, whole runs", "runs/s", True, lambda v: f"{v / 1e3:,.1f}k"),
    ("sleepers_warm_s", "W2 100,000 sleepers gathered, warm", "s", False, lambda v: f"{v:.3f}"),
    ("sleepers_cold_s", "W2 the same, cold (a fresh process)", "s", False, lambda v: f"{v:.3f}"),
    ("sleepers_cold_rss_MiB", "W2 cold: peak RSS of the process", "MiB", False, lambda v: f"{v:.0f}"),
    ("ping_pong_ns", "W3 ping-pong through two queues", "round trips/s", True, None),
    ("yield_ns", "W4 1,000 tasks x 1,000 sleep(0s)", "ns/yield", False, lambda v: f"{v:.1f}"),
]


def shown(metric, v):
    """The value in the table's unit: W3 as round trips/s (two hand-offs per round trip)."""
    return 1e9 / (2 * v) if metric == "ping_pong_ns" else v


def fmt(metric, v):
    if metric == "ping_pong_ns":
        return f"{shown(metric, v) / 1e6:.2f}M"
    return next(w[4] for w in WORKLOADS if w[0] == metric)(v)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", default=str(ROOT / "build" / "release" / "tools" / "bench" / "aiosim_bench"))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--peers", default="cpython,tokio,asio,node", help="comma-separated; empty for aiosim alone")
    ap.add_argument("--py-scale", type=int, default=5,
                    help="the Python ping-pong and yield runs are this many times shorter (per-op figures)")
    ap.add_argument("--markdown", action="store_true", help="also print the peers' table as Markdown")
    ap.add_argument("--json", help="also write every round's figures to this file")
    a = ap.parse_args()
    build = pathlib.Path(a.bench).resolve().parents[2]

    parts, missing = find_participants(a, build)
    for name, why in missing:
        print(f"skipping {name}: {why}", flush=True)
    print(f"load average before: {load():.2f}; {a.rounds} rounds: {', '.join(p[1] for p in parts)}", flush=True)
    rounds = {p[0]: [] for p in parts}
    for rnd in range(a.rounds):
        order = parts[rnd % len(parts):] + parts[:rnd % len(parts)]
        for name, _, run in order:
            rounds[name].append(run())
        print(f"  round {rnd + 1}/{a.rounds} done (load {load():.2f})", flush=True)
    print(f"load average after:  {load():.2f}\n")

    def median(name, key, suite=False):
        vals = [r["suite"].get(key) if suite else r.get(key) for r in rounds[name]]
        vals = [v for v in vals if v is not None]
        return statistics.median(vals) if vals else None

    # 1. aiosim's whole suite against CPython, as before.
    pys = [p for p in parts if p[0].startswith("cpython")]
    head = f"{'benchmark':24} {'aiosim':>14}"
    for _, label, _ in pys:
        head += f" {label:>16} {'ratio':>7}"
    print(head)
    for bname, (_, _, unit, higher) in METRICS.items():
        c = median("aiosim", bname, suite=True)
        if c is None:
            continue
        line = f"{bname:24} {c:>14.1f}"
        for name, _, _ in pys:
            p = median(name, bname, suite=True)
            if p is None:
                line += f" {'-':>16} {'-':>7}"
                continue
            line += f" {p:>16.1f} {(c / p if higher else p / c):>6.1f}x"
        print(f"{line}   {unit}")
    line = f"{'  peak heap (MiB)':24} {median('aiosim', 'sleepers_peak_heap_MiB'):>14.1f}"
    for name, _, _ in pys:
        line += f" {median(name, 'sleepers_peak_heap_MiB'):>16.1f} {'':>7}"
    print(line + "   (C++: live heap peak; Python: tracemalloc peak)")
    print(f"ratio: how many times faster aiosim is. Python ping-pong and yields ran 1/{a.py_scale} "
          "as many operations (the figures are per operation).\n")

    # 2. The peers side by side.
    cols = [p for p in parts]
    ratio_of = {}
    rows = []
    for metric, title, unit, higher, _ in WORKLOADS:
        vals = {name: median(name, metric) for name, _, _ in cols}
        mine = vals["aiosim"]
        others = {n: v for n, v in vals.items() if n != "aiosim" and v is not None}
        hi = higher if metric != "ping_pong_ns" else False  # stored as ns per hand-off
        best = (max if hi else min)(others, key=others.get) if others else None
        ratio = None
        if best is not None and mine:
            ratio = mine / others[best] if hi else others[best] / mine
        ratio_of[metric] = ratio
        rows.append((metric, title, unit, vals, best, ratio))
    labels = {n: l for n, l, _ in cols}
    width = max(14, *(len(l) for l in labels.values()))
    print(f"{'workload':44}" + "".join(f" {labels[n]:>{width}}" for n, _, _ in cols) + f" {'best peer':>{width}} ratio")
    for metric, title, unit, vals, best, ratio in rows:
        line = f"{title:44}"
        for n, _, _ in cols:
            line += f" {(fmt(metric, vals[n]) if vals[n] is not None else '-'):>{width}}"
        line += f" {(labels[best] if best else '-'):>{width}} {f'{ratio:.2f}x' if ratio else '-'}   {unit}"
        print(line)
    sim_pp, sim_y = median("aiosim", "ping_pong_ns_sim"), median("aiosim", "yield_ns_sim")
    print(f"aiosim under the simulator: W3 {fmt('ping_pong_ns', sim_pp)} round trips/s, W4 {sim_y:.1f} ns/yield")
    walls = []
    for n, _, _ in cols:
        pw, yw = median(n, "ping_pong_ns_wall"), median(n, "yield_ns_wall")
        if pw is not None:
            walls.append(f"{labels[n]} W3 {fmt('ping_pong_ns', pw)}, W4 {yw:.1f} ns")
    if walls:
        print("peers' wall time: " + "; ".join(walls))
    print("ratio: aiosim against the best peer (above 1: aiosim is faster / smaller). CPU time; W3/W4 on the "
          "real loops; CPython's W2 peak is not listed (tracemalloc, not RSS: see the table above).")

    if a.markdown:
        print("\n| workload | best peer | aiosim | ratio | " + " | ".join(labels[n] for n, _, _ in cols if n != "aiosim")
              + " |")
        print("|---|---|---|---|" + "---|" * (len(cols) - 1))
        for metric, title, unit, vals, best, ratio in rows:
            cells = [fmt(metric, vals[n]) if vals[n] is not None else "-" for n, _, _ in cols if n != "aiosim"]
            bestcell = f"{labels[best]} {fmt(metric, vals[best])} {unit}" if best else "-"
            print(f"| {title} | {bestcell} | {fmt(metric, vals['aiosim'])} {unit} | "
                  f"{f'{ratio:.2f}x' if ratio else '-'} | " + " | ".join(cells) + " |")

    # 3. Targets.
    def check(ok, text):
        print(f"  [{'ok' if ok else 'MISSED'}] {text}")
    print("\nissue 15 speed targets (medians, CPU time):")
    g = median("aiosim", "lesson_gather")
    check(g >= 200_000, f"the gather program >= 200,000 runs/s: {g:,.0f}")
    cold, rss = median("aiosim", "sleepers_cold_s"), median("aiosim", "sleepers_cold_rss_MiB")
    check(cold <= 0.08, f"100,000 sleepers cold <= 0.08 s: {cold:.3f} s (warm {median('aiosim', 'sleepers_warm_s'):.3f} s)")
    check(rss <= 40, f"... and <= 40 MiB peak (the process's RSS): {rss:.1f} MiB")
    rt = shown("ping_pong_ns", sim_pp)
    check(rt >= 20e6, f"ping-pong >= 20M round trips/s in CPU time (simulator): {rt / 1e6:.2f}M")
    check(sim_y <= 6, f"sleep(0s) step <= 6 ns (simulator): {sim_y:.1f} ns")
    print("issue 3 speed targets:")
    check(g >= 100_000, f"lesson gather >= 100,000 runs/s: {g:,.0f}")
    for name, label, _ in pys:
        p = median(name, "lesson_gather")
        check(g / p >= 20, f"lesson gather >= 20x {label}: {g / p:.1f}x")
    check(sim_y < 20, f"sleep(0) yield step < 20 ns: {sim_y:.1f} ns")
    warm = median("aiosim", "sleepers_warm_s") * 1e3
    check(warm < 100, f"100,000 sleeping tasks gathered < 100 ms: {warm:.1f} ms")
    heap = median("aiosim", "sleepers_peak_heap_MiB")
    check(heap < 64, f"... with < 64 MiB peak heap: {heap:.1f} MiB")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"labels": labels, "rounds": rounds}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
