#pragma once
// The runtime's invariants as rapidcheck properties over random programs x random schedules.
// Each is a plain function so that the normal suite registers it as a doctest test case and
// the planted-bug builds check that it fails (planted_test.cpp).
#include <aio/check/schedule.hpp>

namespace aio::props {

// --- over random programs (program.hpp) and schedules of every policy -------------------
/// After run() no task is pending; every cancelled task that started ran its cleanup once,
/// every other task never; whatever escaped main.
void prop_exception_cancels_siblings(const aio::check::Schedule& s);
/// aio::run() inside a running loop throws RuntimeError with asyncio's message, at any
/// depth and point; the outer run's outcome is what the model predicts without it.
void prop_nested_run_throws(const aio::check::Schedule& s);
/// Every gather of the program returned its children's results in argument order.
void prop_gather_keeps_order_in_programs(const aio::check::Schedule& s);
/// No TaskGroup block of the program ended (returned or raised) with a child still running.
void prop_task_group_never_returns_with_running_child(const aio::check::Schedule& s);
/// No coroutine frame of the program is alive after run().
void prop_no_frame_leaks(const aio::check::Schedule& s);
/// loop.time() never goes back; each sleep(d) wakes exactly d later (under timers: no
/// earlier, and at most the jitter late).
void prop_time_monotonic_and_exact(const aio::check::Schedule& s);
/// The recorded replay string of a run replays it strictly with the same trace hash, the
/// same event log and the same outcome.
void prop_same_schedule_same_trace(const aio::check::Schedule& s);
/// Under fifo, the observed outcome is the model's prediction, times included.
void prop_model_exact_under_fifo();
/// Under every policy, the observed outcome is the model's prediction (the phase discipline
/// makes it schedule-independent).
void prop_model_holds_under_every_policy(const aio::check::Schedule& s);

// --- focused properties -------------------------------------------------------------------
/// gather over children that finish in any order (sleep(0) yields only) returns argument order.
void prop_gather_keeps_argument_order(const aio::check::Schedule& s);
/// run() returns main's result, for int, string, move-only and large types.
void prop_result_propagates(const aio::check::Schedule& s);

/// The schedule of the last run whose property failed, as it really ran (for the
/// planted-bug tests: rapidcheck's last failing case is its final, shrunk counterexample).
const aio::check::Schedule& last_failing_schedule();

/// The model belief the model properties use (the planted-model test sets a wrong one).
void set_model_belief(int belief);

}  // namespace aio::props
