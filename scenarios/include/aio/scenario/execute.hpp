#pragma once
// Running a scenario and judging the run.
//
//     auto r = aio::scenario::check("gather_exception_handled");   // real loop by default
//     if (!r.ok()) fmt::print("{}\n", r.verdict.summary());
//
// execute() runs the body once and returns everything it produced; nothing escapes it (an
// exception thrown by the body becomes Execution::escaped, exit status 1, reported on the
// error lines as Python reports an uncaught exception). evaluate() applies the scenario's
// oracle to an outcome, or the default oracle (exit status 0, nothing escaped) if it
// declares none. check() is execute() then evaluate(). Each call is independent, so runs may
// proceed on several threads at once (each aio::run uses its own thread's loop).
#include <string_view>

#include <aio/run.hpp>
#include <aio/scenario/context.hpp>
#include <aio/scenario/execution.hpp>
#include <aio/scenario/registry.hpp>
#include <aio/scenario/verdict.hpp>

namespace aio::scenario {

/// Runs `scenario` once on the loop `options` chooses. Every line is captured in the outcome
/// and also passed to `echo` (if given) as soon as it is printed: the scenario's own, its
/// loops' reports, and the reports of tasks and futures that outlive their loop on this
/// thread (an aio::OrphanReportScope is open while the body runs).
Execution execute(const Scenario& scenario, const aio::RunOptions& options = {}, Sink* echo = nullptr);

/// The scenario's oracle (or the default one) over `outcome`.
Verdict evaluate(const Scenario& scenario, const Execution& outcome);

struct CheckResult {
    Execution outcome;
    Verdict verdict;
    bool ok() const noexcept { return verdict.ok(); }
};

/// execute() then evaluate(), silently.
CheckResult check(const Scenario& scenario, const aio::RunOptions& options = {});
/// The same for a scenario of Registry::global(); throws aio::ValueError (listing the valid
/// names) if there is no scenario called `name`.
CheckResult check(std::string_view name, const aio::RunOptions& options = {});

}  // namespace aio::scenario
