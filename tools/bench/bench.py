#!/usr/bin/env python3
"""Python twin of aiosim_bench (bench.cpp): the same programs under CPython's asyncio.

The simulator's programs run here on VirtualTimeLoop, a stock asyncio SelectorEventLoop whose
clock is virtual: when nothing is ready, select() jumps the clock to the next timer instead of
sleeping. Everything else is asyncio's own code, so this measures asyncio's scheduling cost
without real sleeping, as the simulator does. Times are process CPU time; each benchmark is
repeated and the median reported.

    python3 bench.py [--repetitions N] [--scale K] [--json FILE] [--filter SUBSTRING]

--scale K shortens the ping-pong (1,000,000 / K hand-offs), the yields (1,000 tasks x
1,000 / K yields) and the sync primitives' programs (1,000,000 / K operations), whose figures
are per operation: CPython needs seconds for each.
"""
import argparse
import asyncio
import json
import selectors
import statistics
import sys
import time
import tracemalloc

# ---- virtual time ------------------------------------------------------------------------


class _VirtualSelector(selectors.SelectSelector):
    def __init__(self):
        super().__init__()
        self.now = 0.0

    def select(self, timeout=None):
        if timeout is None:
            raise RuntimeError("deadlock: nothing ready and no timer")
        if timeout > 0:
            self.now += timeout
        return []


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    def __init__(self):
        self._vsel = _VirtualSelector()
        super().__init__(self._vsel)

    def time(self):
        return self._vsel.now


def run(coro, virtual):
    """asyncio.run(coro, loop_factory=...) (3.12); asyncio.Runner on 3.11, which is the same."""
    factory = VirtualTimeLoop if virtual else None
    if sys.version_info >= (3, 12):
        return asyncio.run(coro, loop_factory=factory)
    with asyncio.Runner(loop_factory=factory) as r:
        return r.run(coro)


# ---- the programs (the same as tools/bench/programs.hpp) -----------------------------------


async def task_func(out, duration):
    name = asyncio.current_task().get_name()
    out.append(f'Задача {name} запущена, будет выполнена за {duration} секунд.')
    await asyncio.sleep(duration)
    out.append(f'Задача {name} завершена.')


async def exсeptor(out, duration):
    await asyncio.sleep(duration)
    out.append(f'Задача {asyncio.current_task().get_name()} вызвала ошибку через {duration} секунды')
    raise Exception("Произошла ошибка в main()")


async def lesson_main(out):
    task1 = asyncio.create_task(task_func(out, 3), name='first')
    task2 = asyncio.create_task(task_func(out, 1), name='second')
    task3 = asyncio.create_task(exсeptor(out, 2), name='exсeption')
    await asyncio.gather(task1, task2, task3)


def lesson_program(out):
    try:
        run(lesson_main(out), True)
    except Exception as e:
        out.append(f'Было поднято исключение: {e}')


# The simulator's PRNG (sim/include/aio/sim/prng.hpp: xoshiro256** seeded by SplitMix64,
# Lemire's unbiased bounded draw), so both programs sleep exactly the same durations.
M64 = (1 << 64) - 1


class Prng:
    def __init__(self, seed):
        self.s = []
        for _ in range(4):
            seed = (seed + 0x9E3779B97F4A7C15) & M64
            z = seed
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
            self.s.append(z ^ (z >> 31))

    def next(self):
        s = self.s
        rotl = lambda x, k: ((x << k) | (x >> (64 - k))) & M64
        result = (rotl((s[1] * 5) & M64, 7) * 9) & M64
        t = (s[1] << 17) & M64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def below(self, n):
        p = self.next() * n
        if (p & M64) < n:
            threshold = ((1 << 64) - n) % n
            while (p & M64) < threshold:
                p = self.next() * n
        return p >> 64


async def sleeper(d):
    await asyncio.sleep(d)


async def sleepers_main(delays):
    await asyncio.gather(*[sleeper(d) for d in delays])


def sleeper_delays(n, seed=1):
    # Drawn before timing (pure-Python xoshiro would dominate the run); the C++ program
    # draws inside its run, which costs it a few hundred microseconds.
    prng = Prng(seed)
    return [prng.below(1_000_000) / 1e6 for _ in range(n)]


async def pinger(to, frm, rounds):
    for i in range(rounds):
        await to.put(i)
        await frm.get()


async def ponger(frm, to, rounds):
    for _ in range(rounds):
        await to.put(await frm.get())


async def ping_pong_main(messages):
    a, b = asyncio.Queue(), asyncio.Queue()
    rounds = messages // 2
    await asyncio.gather(pinger(a, b, rounds), ponger(a, b, rounds))


async def yielder(n):
    for _ in range(n):
        await asyncio.sleep(0)


async def yields_main(tasks, n):
    await asyncio.gather(*[yielder(n) for _ in range(tasks)])


# ---- the sync primitives (the same as tools/bench/sync_programs.hpp) ------------------------


async def lock_uncontended(n):
    lock = asyncio.Lock()
    for _ in range(n):
        await lock.acquire()
        lock.release()


async def lock_holder(lock, rounds):
    for _ in range(rounds):
        await lock.acquire()
        await asyncio.sleep(0)
        lock.release()


async def lock_contended(n):
    lock = asyncio.Lock()
    await asyncio.gather(lock_holder(lock, n // 2), lock_holder(lock, n // 2))


async def sem_uncontended(n):
    sem = asyncio.Semaphore(1)
    for _ in range(n):
        await sem.acquire()
        sem.release()


async def sem_contended(n):
    sem = asyncio.Semaphore(1)
    await asyncio.gather(lock_holder(sem, n // 2), lock_holder(sem, n // 2))


async def event_uncontended(n):
    ev = asyncio.Event()
    for _ in range(n):
        ev.set()
        await ev.wait()
        ev.clear()


async def event_pinger(ping, pong, rounds):
    for _ in range(rounds):
        ping.set()
        await pong.wait()
        pong.clear()


async def event_ponger(ping, pong, rounds):
    for _ in range(rounds):
        await ping.wait()
        ping.clear()
        pong.set()


async def event_pingpong(n):
    ping, pong = asyncio.Event(), asyncio.Event()
    await asyncio.gather(event_pinger(ping, pong, n // 2), event_ponger(ping, pong, n // 2))


async def condition_uncontended(n):
    cond = asyncio.Condition()
    for _ in range(n):
        await cond.acquire()
        cond.notify()
        cond.release()


async def condition_pinger(cond, turn, rounds):
    async with cond:
        for _ in range(rounds):
            turn[0] = 1
            cond.notify()
            await cond.wait_for(lambda: turn[0] == 0)


async def condition_ponger(cond, turn, rounds):
    async with cond:
        for _ in range(rounds):
            await cond.wait_for(lambda: turn[0] == 1)
            turn[0] = 0
            cond.notify()


async def condition_pingpong(n):
    cond, turn = asyncio.Condition(), [0]
    await asyncio.gather(condition_pinger(cond, turn, n // 2), condition_ponger(cond, turn, n // 2))


async def queue_uncontended(n):
    q = asyncio.Queue()
    for i in range(n):
        await q.put(i)
        await q.get()


async def producer(q, n):
    for i in range(n):
        await q.put(i)


async def consumer(q, n):
    for _ in range(n):
        await q.get()


async def queue_put_contended(n):
    q = asyncio.Queue(1)
    await asyncio.gather(producer(q, n), consumer(q, n))


SYNC_PROGRAMS = [lock_uncontended, lock_contended, sem_uncontended, sem_contended, event_uncontended,
                 event_pingpong, condition_uncontended, condition_pingpong, queue_uncontended, queue_put_contended]


# ---- measuring -----------------------------------------------------------------------------


def cpu_seconds(fn):
    t0 = time.process_time()
    fn()
    return time.process_time() - t0


def bench_lesson(reps, budget):
    out = []
    lesson_program(out)
    assert out[-1] == 'Было поднято исключение: Произошла ошибка в main()' and len(out) == 5, out
    # Calibrate the number of runs per sample to ~budget seconds.
    n = 1
    while True:
        t = cpu_seconds(lambda: [lesson_program([]) for _ in range(n)])
        if t >= budget / 4 or n >= 1 << 20:
            break
        n *= 2
    n = max(1, int(n * budget / max(t, 1e-9)))
    samples = []
    for _ in range(reps):
        t = cpu_seconds(lambda: [lesson_program([]) for _ in range(n)])
        samples.append(n / t)
    return {"metric": "runs_per_s", "samples": samples}


def bench_sleepers(reps, n=100_000):
    delays = sleeper_delays(n)
    tracemalloc.start()
    run(sleepers_main(delays), True)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    samples = [cpu_seconds(lambda: run(sleepers_main(delays), True)) * 1e3 for _ in range(reps)]
    return {"metric": "ms", "samples": samples, "peak_heap_MiB": peak / (1 << 20)}


def bench_ping_pong(reps, virtual, messages=1_000_000):
    samples = [cpu_seconds(lambda: run(ping_pong_main(messages), virtual)) * 1e9 / messages for _ in range(reps)]
    return {"metric": "ns_per_handoff", "samples": samples}


def bench_yields(reps, virtual, tasks=1000, n=1000):
    samples = [cpu_seconds(lambda: run(yields_main(tasks, n), virtual)) * 1e9 / (tasks * n) for _ in range(reps)]
    return {"metric": "ns_per_yield", "samples": samples}


def bench_sync(program, reps, virtual, n=1_000_000):
    samples = [cpu_seconds(lambda: run(program(n), virtual)) * 1e9 / n for _ in range(reps)]
    return {"metric": "ns_per_op", "samples": samples}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repetitions", type=int, default=5)
    ap.add_argument("--budget", type=float, default=1.0, help="CPU seconds per lesson_gather sample")
    ap.add_argument("--scale", type=int, default=1, help="divide the ping-pong and yield counts by this")
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--filter", default="", help="run only benchmarks whose name contains this")
    a = ap.parse_args()
    benches = {
        "lesson_gather/sim": lambda: bench_lesson(a.repetitions, a.budget),
        "sleepers_100k/sim": lambda: bench_sleepers(a.repetitions),
        "ping_pong_1M/sim": lambda: bench_ping_pong(a.repetitions, True, 1_000_000 // a.scale),
        "ping_pong_1M/real": lambda: bench_ping_pong(a.repetitions, False, 1_000_000 // a.scale),
        "yields_1000x1000/sim": lambda: bench_yields(a.repetitions, True, 1000, 1000 // a.scale),
        "yields_1000x1000/real": lambda: bench_yields(a.repetitions, False, 1000, 1000 // a.scale),
    }
    for program in SYNC_PROGRAMS:
        for loop, virtual in (("sim", True), ("real", False)):
            benches[f"{program.__name__}_1M/{loop}"] = (
                lambda program=program, virtual=virtual: bench_sync(program, a.repetitions, virtual,
                                                                    1_000_000 // a.scale))
    results = {"python": sys.version.split()[0], "scale": a.scale, "benchmarks": {}}
    for name, fn in benches.items():
        if a.filter not in name:
            continue
        r = fn()
        r["median"] = statistics.median(r["samples"])
        results["benchmarks"][name] = r
        extra = f"  peak_heap_MiB={r['peak_heap_MiB']:.1f}" if "peak_heap_MiB" in r else ""
        print(f"{name:24} {r['median']:12.1f} {r['metric']}{extra}", flush=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
