#pragma once
// The state behind aio::as_completed (asyncio.as_completed's closure, CPython 3.12): the
// futures still to complete (`todo`), the queue of completed ones (`done`, an
// asyncio.Queue with the same get() semantics), and the timeout.
//
// Ownership: the range object, every coroutine it yields, and each pending future's
// done-callback hold references; the state holds the futures.
#include <cstddef>
#include <deque>
#include <optional>
#include <vector>

#include "aio/clock.hpp"
#include "aio/coro.hpp"
#include "aio/future.hpp"
#include "aio/handle.hpp"
#include "aio/detail/ref.hpp"
#include "aio/detail/future_state.hpp"

namespace aio::detail {

class AsCompletedCore : public RefCounted {
public:
    ~AsCompletedCore() override { timeout_handle_.cancel(); }
    /// Registers the done-callbacks and the timeout (futures: distinct, argument order).
    void start(std::vector<Ref<FutureBase>> futures, std::optional<Duration> timeout);
    std::size_t size() const noexcept { return futures_.size(); }
    /// `await done.get()`: the index of the next completed future, or -1 for the timeout's
    /// marker.
    static Coro<std::ptrdiff_t> get(Ref<AsCompletedCore> self);

private:
    void on_completion(std::size_t i);
    void on_timeout();
    void put(std::ptrdiff_t item);
    void wakeup_next();

    std::vector<Ref<FutureBase>> futures_;
    std::vector<const void*> callbacks_;
    std::vector<bool> in_todo_;
    std::size_t todo_ = 0;
    std::deque<std::ptrdiff_t> done_;
    std::deque<Future<void>> getters_;
    Handle timeout_handle_;
};

template <class H>
class AsCompletedState final : public AsCompletedCore {
public:
    std::vector<H> handles;  // parallel to the core's futures
};

}  // namespace aio::detail
