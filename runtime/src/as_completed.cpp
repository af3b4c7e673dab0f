// asyncio.as_completed (Lib/asyncio/tasks.py) and the asyncio.Queue get()/put_nowait() it
// relies on (Lib/asyncio/queues.py), CPython 3.12.
#include "aio/as_completed.hpp"

#include <algorithm>

#include "aio/event_loop.hpp"

namespace aio::detail {

void AsCompletedCore::start(std::vector<Ref<FutureBase>> futures, std::optional<Duration> timeout) {
    futures_ = std::move(futures);
    in_todo_.assign(futures_.size(), true);
    todo_ = futures_.size();
    Ref<AsCompletedCore> self(this);
    for (std::size_t i = 0; i < futures_.size(); ++i)
        callbacks_.push_back(add_done_fn(*futures_[i], [self, i] { self->on_completion(i); }));
    if (todo_ > 0 && timeout)
        // Not owning: ~AsCompletedCore cancels it.
        timeout_handle_ = get_running_loop().call_later(*timeout, [this] { on_timeout(); });
}

void AsCompletedCore::on_timeout() {
    for (std::size_t i = 0; i < futures_.size(); ++i) {
        if (!in_todo_[i]) continue;
        futures_[i]->remove_done_callback(callbacks_[i]);
        in_todo_[i] = false;
        put(-1);  // a dummy value for _wait_for_one()
    }
    todo_ = 0;
}

void AsCompletedCore::on_completion(std::size_t i) {
    if (todo_ == 0) return;  // on_timeout() was here first
    in_todo_[i] = false;
    --todo_;
    put(static_cast<std::ptrdiff_t>(i));
    if (todo_ == 0) timeout_handle_.cancel();
}

void AsCompletedCore::put(std::ptrdiff_t item) {
    done_.push_back(item);
    wakeup_next();
}

void AsCompletedCore::wakeup_next() {
    // The first getter not already done (cancelled) gets the item.
    while (!getters_.empty()) {
        Future<void> g = std::move(getters_.front());
        getters_.pop_front();
        if (!g.done()) {
            g.set_result();
            break;
        }
    }
}

Coro<std::ptrdiff_t> AsCompletedCore::get(Ref<AsCompletedCore> self) {
    AsCompletedCore& q = *self;
    while (q.done_.empty()) {
        Future<void> getter(get_running_loop());
        q.getters_.push_back(getter);
        std::exception_ptr err;
        try {
            co_await getter;
        } catch (...) {
            err = std::current_exception();
        }
        if (err) {
            getter.cancel();  // in case it is not done yet
            auto it = std::find_if(q.getters_.begin(), q.getters_.end(),
                                   [&](const Future<void>& g) { return g.state() == getter.state(); });
            if (it != q.getters_.end()) q.getters_.erase(it);
            // Woken by put() but cannot take the item: wake the next getter in line.
            if (!q.done_.empty() && !getter.cancelled()) q.wakeup_next();
            std::rethrow_exception(err);
        }
    }
    std::ptrdiff_t item = q.done_.front();
    q.done_.pop_front();
    co_return item;
}

}  // namespace aio::detail
