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

}  // namespace

Runner::Runner(RunOptions options) : options_(std::move(options)) {}

Runner::~Runner() {
    try {
        close();
    } catch (const std::exception& e) {
        std::fputs(fmt::format("aio::Runner: error while closing: {}\n", e.what()).c_str(), stderr);
    } catch (...) {
        std::fputs("aio::Runner: error while closing\n", stderr);
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
    struct CloseAnyway {
        EventLoop& l;
        ~CloseAnyway() {
            try {
                l.close();
            } catch (...) {
            }
        }
    } closer{*loop};
    cancel_all_tasks(*loop);
    loop->run_until_complete(loop->shutdown_default_executor());
}

}  // namespace aio
