// The runtime's invariants, checked by rapidcheck over random programs x random schedules
// (every policy). Budget: RC_PARAMS (see properties/README.md).
#include <aio/check/doctest.hpp>
#include <aio/check/rapidcheck.hpp>

#include "invariants.hpp"

using namespace aio::props;

AIOSIM_PROPERTY("an exception cancels the siblings: no task pending after run, cleanup exactly once",
                &prop_exception_cancels_siblings);
AIOSIM_PROPERTY("nested run throws at any depth and point, and the outer run is unaffected", &prop_nested_run_throws);
AIOSIM_PROPERTY("run returns main's result, for int, string, move-only and large types", &prop_result_propagates);
AIOSIM_PROPERTY("gather keeps argument order whatever the completion order", &prop_gather_keeps_argument_order);
AIOSIM_PROPERTY("every gather in random programs returns argument order", &prop_gather_keeps_order_in_programs);
AIOSIM_PROPERTY("a TaskGroup never returns with a running child", &prop_task_group_never_returns_with_running_child);
AIOSIM_PROPERTY("no coroutine frame outlives run", &prop_no_frame_leaks);
AIOSIM_PROPERTY("virtual time is monotonic and each sleep wakes exactly at its deadline",
                &prop_time_monotonic_and_exact);
AIOSIM_PROPERTY("the same schedule gives the same trace", &prop_same_schedule_same_trace);
AIOSIM_PROPERTY("under fifo the model predicts the outcome exactly, times included", &prop_model_exact_under_fifo);
AIOSIM_PROPERTY("under every policy the outcome is the model's prediction", &prop_model_holds_under_every_policy);
