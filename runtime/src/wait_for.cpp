// asyncio.wait_for's helper _cancel_and_wait (Lib/asyncio/tasks.py, CPython 3.12).
#include "aio/wait_for.hpp"

namespace aio::detail {

Coro<void> cancel_and_wait(Ref<FutureBase> fut) {
    Future<void> waiter(get_running_loop());
    const void* cb = add_done_fn(*fut, [waiter]() mutable {
        if (!waiter.done()) waiter.set_result();
    });
    struct RemoveCallback {  // the `finally:` clause
        FutureBase& fut;
        const void* cb;
        ~RemoveCallback() { fut.remove_done_callback(cb); }
    } finally{*fut, cb};
    fut->cancel();
    co_await waiter;
}

}  // namespace aio::detail
