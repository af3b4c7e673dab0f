// asyncio.Runner (runners.py): loop creation, and the shutdown sequence of asyncio.run.
#include "aio/run.hpp"

#include <fmt/format.h>

#include "aio/detail/gather_state.hpp"

namespace aio {

namespace {

// Completes when every given task is done, whatever their outcomes (asyncio's
// gather(*to_cancel, return_exceptions=True), without creating a task).
class AllDone final : public detail::GatherBase {
public:
    AllDone(EventLoop* loop, const std::vector<AnyTask>& tasks) : GatherBase(loop, true) {
        std::vector<detail::TaskBase*> ch;
        for (auto& t : tasks) ch.push_back(t.state_ptr());
        start(std::move(ch));
    }

private:
    void collect() override {}
};

// asyncio.runners._cancel_all_tasks: cancel, wait for all, report cleanup failures.
void cancel_all_tasks(EventLoop& loop) {
    std::vector<AnyTask> to_cancel = loop.all_tasks();
    if (to_cancel.empty()) return;
    std::vector<detail::TaskBase*> states;
    states.reserve(to_cancel.size());
    for (auto& t : to_cancel) states.push_back(t.state_ptr());
    detail::cancel_once_each(states);
    detail::Ref<AllDone> all(new AllDone(&loop, to_cancel));
    loop.run_until_done(*all);
    for (auto& t : to_cancel) {
        if (t.cancelled()) continue;
        if (auto e = t.exception()) {
            ExceptionContext ctx;
            ctx.message = "unhandled exception during aio::run() shutdown";
            ctx.exception = e;
            ctx.task_name = t.name();
            ctx.task_id = t.id();
            ctx.created_at = t.created_at();
            loop.call_exception_handler(ctx);
        }
    }
}

// asyncio.Runner.close: cancel what is pending, shut the executor down, and close the loop
// whatever happened before. Returns the cleanup's error, or close()'s; with `report`, the
// cleanup's error goes to the loop's exception handler at once instead (before close() adds
// its own reports about the tasks it destroys). A second error (close() failing after the
// cleanup did) always goes to the handler, so that nothing is lost.
std::exception_ptr shut_down(EventLoop& loop, bool report) noexcept {
    std::exception_ptr error;
    try {
        cancel_all_tasks(loop);
        // asyncio.run's shutdown_asyncgens; no task (and no extra step on the simulator) when
        // no generator ever ran on the loop.
        if (loop.asyncgen_registry().empty())
            loop.asyncgen_registry().shutdown_called = true;
        else
            loop.run_until_complete(loop.shutdown_asyncgens());
        loop.run_until_complete(loop.shutdown_default_executor(thread_join_timeout));
    } catch (...) {
        error = std::current_exception();
        if (report) {
            ExceptionContext ctx;
            ctx.message = "aio::Runner: error while closing the loop (in ~Runner, which cannot throw it)";
            ctx.exception = error;
            loop.call_exception_handler(ctx);
        }
    }
    try {
        loop.close();
    } catch (...) {
        if (!error) return std::current_exception();
        ExceptionContext ctx;
        ctx.message = "aio::Runner: closing the loop failed too, after the error its cleanup raised";
        ctx.exception = std::current_exception();
        loop.call_exception_handler(ctx);
    }
    return report ? nullptr : error;
}

}  // namespace

Runner::Runner(RunOptions options) : options_(std::move(options)) {}

Runner::~Runner() { close_reporting(); }

void Runner::close_reporting() noexcept {
    // A destructor cannot throw what close() would, nor can aio::run when it has the main
    // task's exception to throw: the error goes to the loop's exception handler while the loop
    // still exists (the scenario runner and the simulator's callers capture it there; the
    // default handler prints it), as asyncio reports what it cannot raise.
    if (closed_) return;
    closed_ = true;
    if (!loop_) return;
    std::unique_ptr<EventLoop> loop = std::move(loop_);
    if (std::exception_ptr e = shut_down(*loop, true)) {
        ExceptionContext ctx;
        ctx.message = "aio::Runner: error while closing the loop (in ~Runner, which cannot throw it)";
        ctx.exception = e;
        loop->call_exception_handler(ctx);
    }
}

EventLoop& Runner::get_loop() {
    if (closed_) throw RuntimeError("aio::Runner is closed");
    if (!loop_) {
        loop_ = options_.loop_factory ? options_.loop_factory() : std::make_unique<EventLoop>();
        if (!loop_) throw ValueError("aio::RunOptions::loop_factory returned no loop (a null std::unique_ptr)");
        if (options_.debug) loop_->set_debug(*options_.debug);
    }
    return *loop_;
}

void Runner::close() {
    if (closed_) return;
    closed_ = true;
    if (!loop_) return;
    std::unique_ptr<EventLoop> loop = std::move(loop_);
    if (std::exception_ptr e = shut_down(*loop, false)) std::rethrow_exception(e);
}

}  // namespace aio
