#!/usr/bin/env python3
"""Runs the network benchmarks on every peer, interleaved, and prints the medians side by side
with aiosim's ratio to each peer.

    tools/bench/net_compare.py [--build build/release] [--rounds 5] [--seconds 2]
                               [--bytes 1073741824] [--peers aiosim,asio,tokio,asyncio,uvloop]

Benchmarks (tools/bench/net/: the same program in each runtime, server and clients in one
process on one thread, over loopback with an OS-chosen port):
  rr1     round trips/s of a 64-byte message over 1 connection (write, drain, readexactly)
  rr100   the same over 100 connections at once
  bulk    a --bytes transfer one way (256 KiB writes with drain), in MB/s (10^6 bytes)

Peers: aiosim (net_echo_aiosim) and asio (net_echo_asio) from the CMake build, configured with
-DAIOSIM_BUILD_BENCH=ON (built here with `cmake --build BUILD --target net_echo_NAME`: the asio
peer is not in the build's `all`); tokio (built here with `cargo build --offline` from Debian's crates,
package librust-tokio-dev, into BUILD/tools/bench/net/tokio-target); CPython asyncio (pyenv's
3.12.1, else this python3) and uvloop (Debian's python3-uvloop, for /usr/bin/python3), both
running net/echo_asyncio.py. A peer that is not available is skipped with the reason.

Each round runs every benchmark once on every peer, the peers' order rotating from round to
round, so that drift in the machine's load spreads over all of them; the table shows medians
over the rounds. Wall-clock time (a network benchmark waits in the kernel); the load average is
printed before and after, and the machine may be shared.
"""
import argparse
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]

BENCHMARKS = {
    # name: (arguments given the options, metric from the JSON, unit)
    "rr1": (lambda a: ["rr", "1", str(a.seconds)], lambda r: r["round_trips"] / r["seconds"], "round trips/s"),
    "rr100": (lambda a: ["rr", "100", str(a.seconds)], lambda r: r["round_trips"] / r["seconds"], "round trips/s"),
    "bulk": (lambda a: ["bulk", str(a.bytes)], lambda r: r["bytes"] / 1e6 / r["seconds"], "MB/s"),
}


def load():
    return os.getloadavg()[0]


def python312():
    """pyenv's CPython 3.12.1 if present, else this interpreter."""
    try:
        exe = subprocess.run(["pyenv", "which", "python3"], env=dict(os.environ, PYENV_VERSION="3.12.1"),
                             capture_output=True, text=True, check=True).stdout.strip()
        if exe:
            return exe
    except (subprocess.CalledProcessError, FileNotFoundError):
        pass
    return sys.executable


def python_version(exe):
    return subprocess.run([exe, "-c", "import sys; print(sys.version.split()[0])"], capture_output=True, text=True,
                          check=True).stdout.strip()


def build_tokio(build):
    """Builds the tokio peer offline (cargo reads tokio/.cargo/config.toml, which replaces
    crates.io with Debian's crates); returns (command, None) or (None, why not)."""
    cargo = shutil.which("cargo")
    if not cargo:
        return None, "no cargo on PATH"
    if not (pathlib.Path("/usr/share/cargo/registry") / "tokio-1.24.2").exists() and not any(
            pathlib.Path("/usr/share/cargo/registry").glob("tokio-1.*")):
        return None, "no tokio crate in /usr/share/cargo/registry (Debian package librust-tokio-dev)"
    target = build / "tools" / "bench" / "net" / "tokio-target"
    print("building the tokio peer (cargo build --release --offline) ...", flush=True)
    r = subprocess.run([cargo, "build", "--release", "--offline", "--quiet", "--target-dir", str(target)],
                       cwd=HERE / "net" / "tokio", capture_output=True, text=True)
    if r.returncode != 0:
        return None, "cargo build failed:\n" + r.stderr[-2000:]
    return [str(target / "release" / "net_echo_tokio")], None


def find_peers(a):
    """[(name, label, command)] of the available peers, and [(name, why not)] of the others."""
    build = pathlib.Path(a.build).resolve()
    found, missing = [], []
    wanted = a.peers.split(",")
    for name in wanted:
        if name in ("aiosim", "asio"):
            exe = build / "tools" / "bench" / "net" / f"net_echo_{name}"
            if (build / "CMakeCache.txt").exists():
                # Up to date, and built at all: net_echo_asio is not in the build's `all`.
                print(f"building net_echo_{name} (cmake --build) ...", flush=True)
                subprocess.run(["cmake", "--build", str(build), "--target", f"net_echo_{name}"], check=False)
            if exe.exists():
                found.append((name, name, [str(exe)]))
            else:
                missing.append((name, f"{exe} not built (configure with -DAIOSIM_BUILD_BENCH=ON and build "
                                      f"net_echo_{name})"))
        elif name == "tokio":
            cmd, why = build_tokio(build)
            if cmd:
                found.append((name, "tokio", cmd))
            else:
                missing.append((name, why))
        elif name == "asyncio":
            exe = python312()
            found.append((name, f"asyncio {python_version(exe)}", [exe, str(HERE / "net" / "echo_asyncio.py")]))
        elif name == "uvloop":
            exe = "/usr/bin/python3"
            ok = os.path.exists(exe) and subprocess.run([exe, "-c", "import uvloop"], capture_output=True).returncode == 0
            if ok:
                version = subprocess.run([exe, "-c", "import uvloop; print(uvloop.__version__)"], capture_output=True,
                                         text=True).stdout.strip()
                found.append((name, f"uvloop {version}", [exe, str(HERE / "net" / "echo_asyncio.py"), "--uvloop"]))
            else:
                missing.append((name, "no uvloop for /usr/bin/python3 (Debian package python3-uvloop)"))
        else:
            missing.append((name, "unknown peer"))
    return found, missing


def run_once(cmd, args, timeout):
    r = subprocess.run(cmd + args, capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd + args)} failed ({r.returncode}): {r.stderr.strip()[-500:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=str(ROOT / "build" / "release"))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=2.0, help="length of each round-trip run")
    ap.add_argument("--bytes", type=int, default=1 << 30, help="size of the bulk transfer")
    ap.add_argument("--peers", default="aiosim,asio,tokio,asyncio,uvloop")
    ap.add_argument("--benchmarks", default=",".join(BENCHMARKS))
    ap.add_argument("--json", help="also write the medians (and every run) to this file")
    a = ap.parse_args()

    peers, missing = find_peers(a)
    for name, why in missing:
        print(f"skipping {name}: {why}", flush=True)
    if not peers:
        print("no peer to run", file=sys.stderr)
        return 1
    benches = a.benchmarks.split(",")
    for b in benches:
        if b not in BENCHMARKS:
            print(f"unknown benchmark {b}; known: {', '.join(BENCHMARKS)}", file=sys.stderr)
            return 2

    print(f"load average before: {load():.2f}; {a.rounds} rounds, peers: {', '.join(p[1] for p in peers)}", flush=True)
    results = {(b, p[0]): [] for b in benches for p in peers}
    for rnd in range(a.rounds):
        order = peers[rnd % len(peers):] + peers[:rnd % len(peers)]
        for b in benches:
            make_args, metric, _ = BENCHMARKS[b]
            for name, _, cmd in order:
                timeout = 60 + (a.seconds if b.startswith("rr") else a.bytes / 20e6)
                results[(b, name)].append(metric(run_once(cmd, make_args(a), timeout)))
        print(f"  round {rnd + 1}/{a.rounds} done (load {load():.2f})", flush=True)
    print(f"load average after:  {load():.2f}\n")

    medians = {k: statistics.median(v) for k, v in results.items()}
    head = f"{'benchmark':10}"
    for _, label, _ in peers:
        head += f" {label:>16}"
    print(head + "   unit")
    for b in benches:
        line = f"{b:10}"
        for name, _, _ in peers:
            line += f" {medians[(b, name)]:>16,.0f}"
        print(f"{line}   {BENCHMARKS[b][2]}")
    if any(p[0] == "aiosim" for p in peers):
        print("\naiosim's ratio to each peer (higher is better for aiosim: its figure / the peer's):")
        head = f"{'benchmark':10}"
        others = [p for p in peers if p[0] != "aiosim"]
        for _, label, _ in others:
            head += f" {label:>16}"
        print(head)
        for b in benches:
            line = f"{b:10}"
            for name, _, _ in others:
                line += f" {medians[(b, 'aiosim')] / medians[(b, name)]:>15.2f}x"
            print(line)
    spread = max((max(v) - min(v)) / statistics.median(v) for v in results.values() if statistics.median(v) > 0)
    print(f"\nlargest spread (max - min) / median over the rounds: {spread:.0%}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"medians": {f"{b}/{p}": v for (b, p), v in medians.items()},
                       "runs": {f"{b}/{p}": v for (b, p), v in results.items()},
                       "units": {b: BENCHMARKS[b][2] for b in benches}}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
