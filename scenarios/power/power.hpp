#pragma once
// The exploration-power benchmark's kernels (issue 13): SCTBench and ConVul programs, and
// asyncio bug patterns, as aiosim scenarios. Each thread of the original is a task, each
// shared access an await point (AIO_POWER_SHARED(&var): the task yields to the loop just
// before it, as a thread may be preempted before any shared read or write, and touches the
// variable for coverage), a lock acquisition a scheduling point too (AIO_POWER_LOCK), a mutex an
// aio::Lock, a condition variable an aio::Condition, a join an await of the task. A block the
// original marks atomic has no await point inside. The bug is an assertion (kernel_assert
// throws KernelAssertion) or a deadlock (the simulator's Deadlock); the scenario's default
// oracle (exit status 0, nothing escaped) turns either into a failed run.
//
// Every kernel is a scenario named after its suite: sct_* (SCTBench: CS = the concurrent-
// software benchmarks, CB = its conc-bugs), convul_* (ConVul's CVE kernels), apat_* (asyncio
// patterns of this project). kernels() lists them with what the benchmark reports.
#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <aio/aio.hpp>
#include <aio/touch.hpp>

namespace aio::power {

/// The assertion of a kernel failed: the bug was reached.
struct KernelAssertion : std::logic_error {
    using std::logic_error::logic_error;
};

inline void kernel_assert(bool holds, const char* what) {
    if (!holds) throw KernelAssertion(std::string("kernel assertion failed: ") + what);
}

/// Awaits every task, in order (a thread join each).
inline aio::Coro<void> join_all(std::vector<aio::Task<void>>& tasks) {
    for (auto& t : tasks) co_await t;
}

struct Kernel {
    std::string_view name;   // the scenario's name
    std::string_view suite;  // "SCTBench CS", "SCTBench CB", "ConVul", "asyncio"
    /// Whether the published SURW table has this program (SCTBench and ConVul do).
    bool surw_comparable = false;
    /// The bug's kind as the original reports it: "assertion", "deadlock", "use after free"...
    std::string_view bug;
};

/// Every kernel of the benchmark, ordered by suite then name.
const std::vector<Kernel>& kernels();

}  // namespace aio::power

/// Taking a lock (an aio::Lock, or a Condition's): a scheduling point before it, as a
/// controlled scheduler has one before each mutex operation (an uncontended acquire() itself
/// does not yield).
#define AIO_POWER_LOCK(m)   \
    AIO_POWER_SHARED(&(m)); \
    co_await (m).acquire()

/// A shared access follows: one await point before it, and the step that makes the access
/// touches the object (aio::touch: coverage's conflicting pairs, pos's conflicts). Two
/// statements: use it as a statement of its own, never as the body of an unbraced if.
#define AIO_POWER_SHARED(obj)                         \
    co_await ::aio::sleep(::std::chrono::seconds(0)); \
    ::aio::touch(obj)
