// Reporting an error to a loop's exception handler, or, when the loop is gone, to the
// thread's OrphanReportScope (standard error without one).
#include "report.hpp"

#include <fmt/format.h>

#include <cstdio>

#include "aio/errors.hpp"
#include "aio/orphan_reports.hpp"

namespace aio {

namespace {
// The innermost scope of this thread; scopes link to the one they hide.
constinit thread_local OrphanReportScope* t_orphan_scope = nullptr;
}  // namespace

OrphanReportScope::OrphanReportScope(Sink sink) : sink_(std::move(sink)), outer_(t_orphan_scope) {
    t_orphan_scope = this;
}

OrphanReportScope::~OrphanReportScope() { t_orphan_scope = outer_; }

void report_orphan(std::string_view text) noexcept {
    // A scope whose sink throws must not lose the report: standard error gets it.
    if (OrphanReportScope* scope = t_orphan_scope; scope && scope->sink_) {
        try {
            scope->sink_(text);
            return;
        } catch (...) {}
    }
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fputc('\n', stderr);
}

namespace detail {

std::string format_context(const ExceptionContext& ctx, bool with_location) {
    std::string out = ctx.message;
    if (!ctx.task_name.empty()) out += fmt::format("\ntask: <Task name='{}' id={}>", ctx.task_name, ctx.task_id);
    if (ctx.exception) out += fmt::format("\nexception: {}", describe(ctx.exception));
    if (with_location && ctx.created_at)
        out += fmt::format("\ncreated at: {}:{} in {}", ctx.created_at->file_name(), ctx.created_at->line(),
                           ctx.created_at->function_name());
    return out;
}

void report(EventLoop* loop, const ExceptionContext& ctx) noexcept {
    if (loop) {
        loop->call_exception_handler(ctx);
        return;
    }
    try {
        report_orphan(format_context(ctx, true));
    } catch (...) {
        std::fputs("aio: an error was reported after its event loop was destroyed, and formatting it failed\n", stderr);
    }
}

}  // namespace detail

}  // namespace aio
