// The node peer of aiosim's workloads W3 and W4 (tools/bench/compare.py runs it): the same
// programs as tools/bench/programs.hpp and bench.py with promises on node's event loop. W1 and
// W2 sleep, and node has no virtual clock (its timers are real), so they are not here.
//
//     node bench_node.js ping_pong MESSAGES  two tasks hand a message back and forth through two queues
//     node bench_node.js yields TASKS N      TASKS tasks x N yields (setImmediate, a turn of the loop
//                                            as asyncio.sleep(0) is; awaiting a resolved promise
//                                            would only run the microtask queue)
//
// Each prints one JSON line: the process's CPU time (process.cpuUsage) and wall time.
'use strict';

// asyncio.Queue() (unbounded) as a node program would write it: values, and the getters waiting.
class Queue {
  constructor() { this.items = []; this.getters = []; }
  put(v) {
    const g = this.getters.shift();
    if (g) g(v); else this.items.push(v);
  }
  get() {
    if (this.items.length) return Promise.resolve(this.items.shift());
    return new Promise((resolve) => this.getters.push(resolve));
  }
}

async function pinger(to, from, rounds) {
  for (let i = 0; i < rounds; ++i) {
    to.put(i);
    await from.get();
  }
}

async function ponger(from, to, rounds) {
  for (let i = 0; i < rounds; ++i) to.put(await from.get());
}

async function pingPongMain(messages) {
  const a = new Queue(), b = new Queue();
  const rounds = Math.floor(messages / 2);
  await Promise.all([pinger(a, b, rounds), ponger(a, b, rounds)]);
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

async function yielder(n) {
  for (let i = 0; i < n; ++i) await turn();
}

async function yieldsMain(tasks, n) {
  const ts = [];
  for (let i = 0; i < tasks; ++i) ts.push(yielder(n));
  await Promise.all(ts);
}

async function timed(ops, f) {
  const c0 = process.cpuUsage(), w0 = process.hrtime.bigint();
  await f();
  const c = process.cpuUsage(c0), w = Number(process.hrtime.bigint() - w0) / 1e9;
  console.log(JSON.stringify({ops, cpu_s: (c.user + c.system) / 1e6, wall_s: w}));
}

function usage() {
  console.error('usage: node bench_node.js ping_pong MESSAGES | yields TASKS N');
  process.exit(2);
}

const [what, x, y] = process.argv.slice(2);
if (what === 'ping_pong' && +x > 0) timed(+x, () => pingPongMain(+x));
else if (what === 'yields' && +x > 0 && +y > 0) timed(x * y, () => yieldsMain(+x, +y));
else usage();
