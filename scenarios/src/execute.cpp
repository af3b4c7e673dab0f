#include "aio/scenario/execute.hpp"

#include <fmt/format.h>

#include <mutex>

#include "aio/errors.hpp"
#include "aio/orphan_reports.hpp"

namespace aio::scenario {

namespace {

// Keeps every line in the outcome and passes it on to the echo, if any. Lines may come from
// to_thread workers as well as the loop's thread.
class CaptureSink final : public Sink {
public:
    CaptureSink(Execution& outcome, Sink* echo) : outcome_(outcome), echo_(echo) {}
    void line(Stream stream, std::string_view text) override {
        std::lock_guard lock(mu_);
        (stream == Stream::out ? outcome_.lines : outcome_.errors).emplace_back(text);
        if (echo_) echo_->line(stream, text);
    }

private:
    std::mutex mu_;
    Execution& outcome_;
    Sink* echo_;
};

}  // namespace

Execution execute(const Scenario& scenario, const aio::RunOptions& options, Sink* echo) {
    Execution outcome;
    CaptureSink sink(outcome, echo);
    Context ctx(scenario.name, options, sink);
    // A task or future that outlives its loop reports to no loop: its report is part of the
    // scenario's standard error too, as the loops' own reports are (Context::run_options).
    aio::OrphanReportScope orphans([&ctx](std::string_view text) { ctx.write(Stream::err, text); });
    try {
        outcome.exit_status = scenario.body(ctx);
    } catch (...) {
        // The program's uncaught exception: Python prints a traceback ending with
        // "Type: message" and exits with status 1; so do we, without the traceback.
        outcome.escaped = std::current_exception();
        outcome.exit_status = 1;
        sink.line(Stream::err, fmt::format("Uncaught exception in scenario {}:", scenario.name));
        sink.line(Stream::err, aio::describe(outcome.escaped));
    }
    return outcome;
}

Verdict evaluate(const Scenario& scenario, const Execution& outcome) {
    Verdict v;
    if (scenario.oracle) {
        try {
            scenario.oracle(outcome, v);
        } catch (...) {
            const std::exception_ptr e = std::current_exception();
            v.fail(fmt::format("the oracle of scenario {} threw {}", scenario.name, aio::describe(e)),
                   fmt::format("the oracle of scenario {} threw {}", scenario.name, aio::exception_type_name(e)));
        }
    } else {
        v.require(!outcome.escaped, "no exception may escape the scenario, but {} did", outcome.escaped_description());
        v.require(outcome.exit_status == 0, "the exit status must be 0, got {}", outcome.exit_status);
    }
    return v;
}

CheckResult check(const Scenario& scenario, const aio::RunOptions& options) {
    CheckResult r{execute(scenario, options), {}};
    r.verdict = evaluate(scenario, r.outcome);
    return r;
}

CheckResult check(std::string_view name, const aio::RunOptions& options) {
    const Scenario* s = Registry::global().find(name);
    if (!s) throw aio::ValueError(Registry::global().unknown_name_message(name));
    return check(*s, options);
}

}  // namespace aio::scenario
