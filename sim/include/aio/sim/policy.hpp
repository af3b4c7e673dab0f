#pragma once
// Scheduling policies: which kinds of choice a run offers to its decision source, and how a
// seed answers them.
//
// | policy | offers (replay letters)                     | every schedule one real asyncio could show? |
// |--------|---------------------------------------------|---------------------------------------------|
// | fifo   | nothing                                     | yes: exactly CPython's order                 |
// | timers | timer ties (t), jitter (j), thread order (w) | yes (see below)                              |
// | random | ready queue (r), thread order (w)           | no: breaks call_soon's FIFO order            |
// | pct    | ready queue (r), thread order (w)           | no: as random                                |
// | pos    | ready queue (r), thread order (w)           | no: as random                                |
// | urw    | ready queue (r), thread order (w)           | no: as random                                |
// | delay  | ready (r), timer ties (t), overtake (o), thread order (w) | no: r breaks call_soon's FIFO order |
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
//   order), to_thread jobs complete in submission order: the output equals CPython's.
// timers: timing noise only, modelled so that every schedule is one a real loop shows when
//   steps take time and wake-ups are late: (1) jitter: when a task step first reads the
//   clock (loop.time(), so every sleep(d) and timeout(d)) it may find it k * jitter / 8 later
//   (k in 0..8; as if the step had run that long before reading it), and when the idle loop
//   jumps to the next timer it may wake that much late; the clock stays monotonic, timers
//   never fire early, a sleep still wakes exactly at its (later) deadline, and absolute
//   deadlines (timeout_at) stay where they are. (2) ties: timers due at the very same instant fire in
//   any interleaving of their creation instants; timers created at the same instant (the
//   same delay, hence on a real clock created in order) keep their creation order.
//   (3) finished to_thread jobs complete in any order. The ready queue itself stays FIFO.
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
//   Fitted (pct_steps 0, replay k=0): k is the total number of steps of the Config's step
//   profile (Config::step_profile, the measured first run; an upper bound of its ready-queue
//   choices), so the change points fall inside the run instead of mostly past its end (with
//   70 choices and k = 1000, 93% of the change points never happen). Without a profile k=0
//   means the default 1000 (unfitted_pct_steps).
// pos: partial-order sampling (Yuan, Yang, Gu, "Partial Order Aware Concurrency Sampling",
//   CAV 2018) adapted to task steps: a task's pending step is an event; every task gets a
//   random priority when first seen, and at each ready-queue choice the candidate of the
//   highest priority runs. At the next choice the task that ran (its next step is a new
//   event) and every candidate whose step conflicts with the step that ran last
//   (ChoicePoint::candidate_conflicts: they touch the same object, or that step woke it; they
//   race with it) get fresh random priorities; the others keep theirs, so steps that do not
//   race keep their relative order and the walk does not waste runs reordering independent
//   steps. Without conflict information (the run does not track conflicts) every candidate
//   counts as conflicting and pos is a uniform random walk over tasks. Plain callbacks
//   (entries of no task) share one priority, re-drawn like a task's after one of them ran,
//   and keep their FIFO order among themselves. A spinning task (sleep(0) in a loop) gets a
//   fresh priority at every step, so spin-waits terminate.
// urw: the uniform random walk over interleavings (URW, as in the RFF and SURW papers: "SURW",
//   selectively uniform random walk, 2025): at each ready-queue choice candidate i runs with
//   probability proportional to the steps its task has left, so that every interleaving of
//   the observed tasks is about equally likely (exactly, for tasks that are ready until they
//   finish: with 2 and 3 steps each of the 10 interleavings has probability 1/10, where random
//   gives AABBB 1/4 and BBBAA 1/8). What a task has left is its steps in the Config's step
//   profile (Config::step_profile: RunRecord::steps_per_task of a first run; task ids are
//   creation order, so another schedule's task i is matched with the profile's task i) minus
//   the steps it ran so far, never below 1 while it is a candidate. A plain callback weighs 1
//   (one step of its own), and so does a task the profile does not know. Without a profile
//   every candidate weighs 1 (uniform over the ready entries).
// pos and urw answer thread order (w), latency (l) and faults (f, b) as random does.
// delay: delay bounding (Emmi, Qadeer, Rakamaric, POPL 2011): a deviation is a non-zero
//   decision (exactly what the shrinker minimises), and a run makes at most
//   Schedule::delay_bound of them (bound=, default 2). The seeded source draws `bound`
//   positions uniformly among the first Schedule::delay_points choice points (pts=; the number
//   a first, all-zero run under delay offered: RunRecord::decisions) and answers each drawn
//   position with a uniform non-zero index, every other point with 0 (two draws may coincide:
//   at most `bound`, not exactly). It deviates on every kind it is offered: ready (r), timer
//   ties (t), thread order (w), overtake (o: with ahead= > 0), faults (f, b)
//   when the fault budget allows, task starts (s) when TaskStart offers them. It does not
//   offer jitter (j) or latency (l): they are timing noise with 9 levels at every timer or
//   segment, so they would make most of the choice points and spend the bound on noise instead
//   of on orders. aio::check::explore_bounded (aio/check/bounded.hpp) enumerates every
//   schedule of this policy with at most k deviations.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "aio/sim/decision.hpp"

namespace aio::sim {

struct Schedule;  // schedule.hpp

enum class Policy : std::uint8_t { fifo, timers, random, pct, pos, urw, delay };

/// How tasks start (Python 3.12: the default factory versus eager_task_factory).
enum class TaskStart : std::uint8_t {
    scheduled,  // asyncio's default: a new task's first step runs on the next pass
    eager,      // every task created on the running loop starts eagerly
    per_run,    // one decision (s) at loop creation: the whole run eager or scheduled
    per_task,   // one decision (s) per create_task on the running loop
};

/// Every policy of the build, in the order policy_names() lists them: what policy_from_name
/// accepts. The default portfolio (aio::check::portfolio_policies()) and the coverage-guided
/// mode (`aiosim explore --guided`) are ways of running these, not policies of their own.
std::span<const Policy> policies() noexcept;
std::string_view policy_name(Policy p) noexcept;
std::optional<Policy> policy_from_name(std::string_view s) noexcept;
/// "fifo, timers, random, pct, pos, urw, delay": for error messages listing the valid names.
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

/// Whether CPython's asyncio can run the order of one schedule, judged by its decisions (what
/// a failure report uses, on the shrunk schedule): false when a non-zero ready-queue decision
/// ('r': a later ready entry runs before the front, which call_soon's FIFO order never does)
/// or, under TaskStart::per_task, a task-start decision ('s': a mix of eager and scheduled
/// starts, which needs a custom task factory; the list alone cannot tell a run whose every
/// start was eager, so any 's' counts) is left; true otherwise, whatever policy found it
/// (timer ties, jitter, overtakes, thread order, latencies and faults are orders and events a
/// real loop shows). A schedule without a decision list (follow the seed) is judged by its
/// policy: cpython_can_run(s.policy, s.task_start).
bool cpython_can_run(const Schedule& s) noexcept;
/// The report line for one schedule, as cpython_order_note(Policy, TaskStart) but judged by
/// its decisions (cpython_can_run(const Schedule&)), e.g. "order: one CPython's asyncio cannot
/// run: 2 ready-queue decisions take a later entry first (found by policy random); the code
/// relies on ...".
std::string cpython_order_note(const Schedule& s);

/// pct's k when pct_steps is 0 (fitted) and there is no step profile.
inline constexpr std::uint64_t unfitted_pct_steps = 1000;
/// pct's fitted k: the total steps of `profile` (at least 1), or unfitted_pct_steps without one.
std::uint64_t fitted_pct_steps(const std::vector<std::uint64_t>* profile) noexcept;

/// The seeded decision source of a policy. pct_depth >= 1; pct_steps 0 is fitted to `profile`
/// (Config::step_profile; urw weighs by it too; null: none).
std::unique_ptr<DecisionSource> make_seeded_source(Policy p, std::uint64_t seed, int pct_depth = 3,
                                                   std::uint64_t pct_steps = 1000);
std::unique_ptr<DecisionSource> make_seeded_source(Policy p, std::uint64_t seed, int pct_depth, std::uint64_t pct_steps,
                                                   std::shared_ptr<const std::vector<std::uint64_t>> profile);
/// delay's seeded source: at most `bound` non-zero answers, at positions drawn uniformly in
/// [0, points) (points >= 1), each a uniform index in 1..n-1.
std::unique_ptr<DecisionSource> make_delay_source(std::uint64_t seed, int bound, std::uint64_t points);

/// delay's defaults: the bound and, when Schedule::delay_points is 0 and the Config has no
/// measured count (Config::measured_points), the number of choice points assumed.
inline constexpr int default_delay_bound = 2;
inline constexpr int max_delay_bound = 64;
inline constexpr std::uint64_t unfitted_delay_points = 100;

}  // namespace aio::sim
