// asyncio.wait and its helper _wait (Lib/asyncio/tasks.py, CPython 3.12).
#include "aio/wait.hpp"

#include <fmt/format.h>

#include <memory>

#include "aio/event_loop.hpp"
#include "aio/future.hpp"

namespace aio::detail {

void check_wait_args(std::size_t n, ReturnWhen return_when) {
    if (n == 0) throw ValueError("Set of Tasks/Futures is empty.");
    if (return_when != FIRST_COMPLETED && return_when != FIRST_EXCEPTION && return_when != ALL_COMPLETED)
        throw ValueError(fmt::format("Invalid return_when value: {}", static_cast<int>(return_when)));
}

Coro<void> wait_until(std::vector<Ref<FutureBase>> fs, std::optional<Duration> timeout, ReturnWhen return_when) {
    EventLoop& loop = get_running_loop();
    struct Shared {
        Future<void> waiter;
        Handle timeout_handle;
        std::ptrdiff_t counter;
        ReturnWhen return_when;
    };
    auto sh = std::make_shared<Shared>(
        Shared{Future<void>(loop), Handle(), static_cast<std::ptrdiff_t>(fs.size()), return_when});
    if (timeout) {
        sh->timeout_handle = loop.call_later(*timeout, [waiter = sh->waiter]() mutable {  // _release_waiter
            if (!waiter.done()) waiter.set_result();
        });
    }

    std::vector<const void*> callbacks;
    struct Finally {  // timeout_handle.cancel(); f.remove_done_callback(_on_completion) for each f
        Shared& sh;
        std::vector<Ref<FutureBase>>& fs;
        std::vector<const void*>& callbacks;
        ~Finally() {
            sh.timeout_handle.cancel();
            for (std::size_t i = 0; i < callbacks.size(); ++i) fs[i]->remove_done_callback(callbacks[i]);
        }
    } finally{*sh, fs, callbacks};

    for (auto& f : fs) {
        callbacks.push_back(add_done_fn(*f, [sh, f] {  // _on_completion
            sh->counter -= 1;
            if (sh->counter <= 0 || sh->return_when == FIRST_COMPLETED ||
                (sh->return_when == FIRST_EXCEPTION && !f->cancelled() && f->exception())) {
                sh->timeout_handle.cancel();
                if (!sh->waiter.done()) sh->waiter.set_result();
            }
        }));
    }
    co_await sh->waiter;
}

}  // namespace aio::detail
