#pragma once
// Scheduling policies: which kinds of choice a run offers to its decision source, and how a
// seed answers them.
//
// | policy | offers (replay letters)                          | every schedule one real asyncio could show? |
// |--------|--------------------------------------------------|---------------------------------------------|
// | fifo   | nothing                                          | yes: asyncio's own order, on the clock model below |
// | timers | timer ties (t), jitter (j), thread (w), overtake (o) | yes (see below)                         |
// | random | ready queue (r), thread order (w), overtake (o)  | no: breaks call_soon's FIFO order            |
// | pct    | ready queue (r), thread order (w), overtake (o)  | no: as random                                |
//
// Per choice point: who offers it, and whether the order it leads to is one CPython 3.12 can
// produce (a policy is realizable when every kind it offers is):
// | kind (letter)          | offered by                                   | CPython can produce it? |
// |------------------------|----------------------------------------------|-------------------------|
// | ready-queue (r)        | random, pct (and pos, urw, delay)            | no: an entry other than the FIFO front runs first; asyncio's ready queue is a deque run in order |
// | timer-tie (t)          | timers                                       | yes: timers due at one instant but created at different instants (a late clock read swaps them) |
// | jitter (j)             | timers                                       | yes: a step that ran a while before reading the clock, an idle loop that woke late |
// | task-start (s)         | Schedule::task_start run / task, any policy  | run: yes (eager_task_factory); task: only with a custom task factory |
// | thread-completion (w)  | every policy but fifo                        | yes: worker threads finish in any order |
// | latency (l)            | every policy but fifo (simulated network)    | yes: network timing |
// | fault (f), point (b)   | every policy, fifo too, with a fault budget  | yes: a real network (or the user's fault point) fails so |
// | overtake (o)           | every policy but fifo (timers, random, pct, pos, urw, delay) | yes: timing only (the steps before the pass took that long) |
//
// The clock model (every policy, fifo included; Schedule::batch, cost, ahead):
//  - batch (default 1ms): when the idle loop wakes for the earliest timer, every timer due
//    within `batch` after it fires in the same pass, in deadline order, and the clock moves to
//    the last of them (a lone timer fires at its exact deadline). CPython's epoll selector
//    rounds its wait up to whole milliseconds (EpollSelector.select: ceil(timeout * 1e3) * 1e-3)
//    and _run_once then takes every timer due before time() + clock_resolution, so the wake
//    lands 0 to 1ms (plus the kernel's timer slack) after the earliest deadline; the model takes
//    the whole millisecond. A simulated network delivery ends a batch (a selector returns for
//    I/O at once). Timers at TimePoint::max() ("never") and past the virtual time limit never
//    join one.
//  - cost (default 0): each ready entry takes `cost` of virtual time (its clock reads see its
//    start; the next entry and the next pass see its end). With cost 0 the clock stands still
//    while anything is ready.
//  - overtake (o, window `ahead`, default 1ms): at a pass start with ready work, the earliest
//    timer, due within `ahead`, may fire in this pass: the clock moves to its deadline and its
//    callback runs after the entries already ready, before what they schedule.
// Where fifo and CPython differ, exactly: (1) with cost 0, a timer that becomes due while work
// is ready fires only once the ready queue drains (CPython: on the first pass whose clock read
// is past its deadline, since its clock moves while steps run; cost > 0 or an 'o' decision
// gives that order: e.g. sleep(1ns) beside a task yielding with sleep(0), CPython and cost >= 1ns
// resume the sleeper after the yielder's third step, fifo at cost 0 after its last); (2) the
// batch takes the widest window, CPython's varies between 0 and 1ms with the time the wait
// began; (3) timers due at the very same instant fire in creation order (CPython's heap leaves
// it open); (4) to_thread completions enter the loop at deterministic points (thread_gate),
// not when the thread finishes. Everything else (the ready queue's FIFO order, a timer's
// callback then the woken task one pass later, call_soon from callbacks) is CPython's.
// The simulated network (net_config.hpp) adds: latency (l) under every policy but fifo; faults
// (f) and fault points (b) under every policy, fifo too, whenever the fault budget
// (Schedule::network.faults.budget) is not 0, and only while the run has injected fewer.
// A seeded source answers l uniformly, f and b non-zero in ChoicePoint::rate of 1000 chances
// (then uniformly among the non-zero answers).
// Independently of the policy, Schedule::task_start may offer task starts (s):
// TaskStart::per_run (one decision: the whole run eager or not) is an order asyncio 3.12
// can show; TaskStart::per_task mixes both in one run, which only a custom task factory does.
//
// fifo: never asks. The ready queue runs front to back, timers fire by (deadline, creation
//   order) on the clock model above, to_thread jobs complete in submission order: CPython's
//   order except where the list above says.
// timers: timing noise only, modelled so that every schedule is one a real loop shows when
//   steps take time and wake-ups are late: (1) jitter: when a task step first reads the
//   clock (loop.time(), so every sleep(d) and timeout(d)) it may find it k * jitter / 8 later
//   (k in 0..8; as if the step had run that long before reading it), and when the idle loop
//   jumps to the next timer it may wake that much late; the clock stays monotonic, timers
//   never fire early, a sleep still wakes exactly at its (later) deadline, and absolute
//   deadlines (timeout_at) stay where they are. (2) ties: timers due at the very same instant fire in
//   any interleaving of their creation instants; timers created at the same instant (the
//   same delay, hence on a real clock created in order) keep their creation order.
//   (3) finished to_thread jobs complete in any order; (4) overtake (o): a timer due within
//   Schedule::ahead fires before the ready work drains. The ready queue itself stays FIFO.
//   Seeded answers: a tie or thread choice is uniform; a jitter choice is 0 with probability
//   1/2, otherwise uniform in 1..8.
// random: any ready entry (task step or callback) may run next, uniformly; this includes
//   orders asyncio never shows (an entry scheduled later running first). Thread order uniform.
// pct: Probabilistic Concurrency Testing (Burckhardt, Kothari, Musuvathi, Nagarakatte,
//   ASPLOS 2010) with depth d: every task gets a random priority when first seen; at each
//   ready-queue choice the entry of the highest-priority task runs (callbacks that belong to
//   no task first, in FIFO order); d-1 change points are drawn uniformly among the first k
//   choices (Schedule::pct_steps), and at the i-th the task about to run drops to priority
//   d-i, below every initial priority. For a program with at most n tasks and k ready-queue
//   choices, each run finds a given bug of depth d (d ordering constraints between steps)
//   with probability at least 1 / (n * k^(d-1)). Deviation from the paper: a task picked 16
//   times in a row while others were ready (a task spinning on sleep(0)) drops to the lowest
//   priority, so spin-waits terminate.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "aio/sim/decision.hpp"

namespace aio::sim {

enum class Policy : std::uint8_t { fifo, timers, random, pct };

/// How tasks start (Python 3.12: the default factory versus eager_task_factory).
enum class TaskStart : std::uint8_t {
    scheduled,  // asyncio's default: a new task's first step runs on the next pass
    eager,      // every task created on the running loop starts eagerly
    per_run,    // one decision (s) at loop creation: the whole run eager or scheduled
    per_task,   // one decision (s) per create_task on the running loop
};

std::string_view policy_name(Policy p) noexcept;
std::optional<Policy> policy_from_name(std::string_view s) noexcept;
/// "fifo, timers, random, pct": for error messages listing the valid names.
std::string_view policy_names() noexcept;

std::string_view task_start_name(TaskStart s) noexcept;  // "scheduled", "eager", "run", "task"
std::optional<TaskStart> task_start_from_name(std::string_view s) noexcept;

/// Whether a run under policy p offers choices of kind c (task starts depend on TaskStart;
/// faults and fault points, true here, on the fault budget).
bool offers(Policy p, Choice c) noexcept;
/// Whether every schedule p yields is one real asyncio could yield (the table above).
bool realizable(Policy p) noexcept;
/// Whether CPython's asyncio can run the orders of policy p with task starts s: realizable(p)
/// and no per-task mix of eager and scheduled starts (which needs a custom task factory).
bool cpython_can_run(Policy p, TaskStart s) noexcept;
/// One sentence for failure reports saying which it is, naming the policy, e.g. "order: one
/// CPython's asyncio can run (policy timers)".
std::string cpython_order_note(Policy p, TaskStart s);

/// The seeded decision source of a policy. pct_depth >= 1; pct_steps >= 1.
std::unique_ptr<DecisionSource> make_seeded_source(Policy p, std::uint64_t seed, int pct_depth = 3,
                                                   std::uint64_t pct_steps = 1000);

}  // namespace aio::sim
