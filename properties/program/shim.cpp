// The runtime seam of the interpreter; AIOSIM_PLANTED_BUG selects a planted bug.
#include "shim.hpp"

#include <algorithm>
#include <memory>

#include "planted_bugs.hpp"

#ifndef AIOSIM_PLANTED_BUG
#define AIOSIM_PLANTED_BUG 0
#endif

namespace aio::props::shim {

int planted_bug() { return AIOSIM_PLANTED_BUG; }

#if AIOSIM_PLANTED_BUG == 1  // gather_completion_order
aio::Coro<std::vector<int>> gather(std::vector<aio::Task<int>> tasks) {
    auto order = std::make_shared<std::vector<int>>();
    for (auto& t : tasks) {
        t.add_done_callback([order](aio::AnyTask t) {
            if (!t.cancelled() && !t.exception()) order->push_back(static_cast<int>(t.id()));
        });
    }
    std::vector<int> by_argument = co_await aio::gather(tasks);
    // By completion order as our done-callbacks saw it; any child whose callback has not run
    // yet (a perturbed schedule may run gather's callback first) goes last, in argument order.
    std::vector<int> by_completion;
    std::vector<bool> taken(tasks.size(), false);
    for (int id : *order)
        for (std::size_t i = 0; i < tasks.size(); ++i)
            if (!taken[i] && static_cast<int>(tasks[i].id()) == id) {
                by_completion.push_back(by_argument[i]);
                taken[i] = true;
            }
    for (std::size_t i = 0; i < tasks.size(); ++i)
        if (!taken[i]) by_completion.push_back(by_argument[i]);
    co_return by_completion;
}
#else
aio::Coro<std::vector<int>> gather(std::vector<aio::Task<int>> children) {
    co_return co_await aio::gather(std::move(children));
}
#endif

#if AIOSIM_PLANTED_BUG == 3  // sleep_wakes_early
aio::Coro<void> sleep(aio::Duration d) {
    if (d > std::chrono::milliseconds(1)) d -= std::chrono::milliseconds(1);
    co_await aio::sleep(d);
}
#else
aio::Coro<void> sleep(aio::Duration d) { co_await aio::sleep(d); }
#endif

#if AIOSIM_PLANTED_BUG == 2  // run_skips_cancellation
int run(aio::Coro<int> main, aio::RunOptions options) {
    std::unique_ptr<aio::EventLoop> loop =
        options.loop_factory ? options.loop_factory() : std::make_unique<aio::EventLoop>();
    struct Closer {
        aio::EventLoop& l;
        ~Closer() { l.close(); }
    } closer{*loop};
    return loop->run_until_complete(std::move(main));
}
#else
int run(aio::Coro<int> main, aio::RunOptions options) { return aio::run(std::move(main), std::move(options)); }
#endif

}  // namespace aio::props::shim
