#pragma once
// aio::OrphanReportScope: where an error goes when no event loop is left to receive it.
//
// A task or future can outlive its loop: a handle kept after aio::run() returned. If the last
// handle then drops it while it holds an exception nobody retrieved, asyncio would call its
// loop's exception handler ("Task exception was never retrieved"); that loop is destroyed, so
// the report goes to the innermost OrphanReportScope alive on the thread that drops it (the
// same text the default exception handler prints, several lines, no final newline), or to
// standard error when there is none: never lost, never silent.
//
// aio::scenario::execute() opens one around each scenario's body, so `aiosim run` shows such
// a report with the scenario's other error lines and `aiosim explore` captures it in the run.
//
//     aio::OrphanReportScope scope([&](std::string_view text) { my_log.push_back(std::string(text)); });
//
// Scopes nest (the inner one wins until it ends) and are per thread; a scope must end on the
// thread that opened it, in reverse order of opening (it is a stack object).
#include <functional>
#include <string_view>

namespace aio {

class OrphanReportScope {
public:
    using Sink = std::function<void(std::string_view text)>;
    explicit OrphanReportScope(Sink sink);
    ~OrphanReportScope();
    OrphanReportScope(const OrphanReportScope&) = delete;
    OrphanReportScope& operator=(const OrphanReportScope&) = delete;

private:
    Sink sink_;
    OrphanReportScope* outer_;
    friend void report_orphan(std::string_view text) noexcept;
};

/// Sends `text` where the innermost scope of this thread says, or to standard error.
void report_orphan(std::string_view text) noexcept;

}  // namespace aio
