#pragma once
// The loop's registry of async generators (asyncio's BaseEventLoop._asyncgens, a WeakSet):
// every AsyncGenerator whose first iteration ran on the loop, in first-iteration order, until
// its frame is destroyed. EventLoop::shutdown_asyncgens() closes those still suspended;
// EventLoop::close() forgets them all (each generator's loop pointer is cleared, so a generator
// that outlives its loop never touches it). Loop thread only. See aio/async_generator.hpp.
#include <coroutine>
#include <memory>
#include <vector>

#include "aio/coro.hpp"

namespace aio {
class EventLoop;
}

namespace aio::detail {

class AsyncGenCore;

class AsyncGenRegistry {
public:
    AsyncGenRegistry() = default;
    AsyncGenRegistry(const AsyncGenRegistry&) = delete;
    AsyncGenRegistry& operator=(const AsyncGenRegistry&) = delete;
    ~AsyncGenRegistry() { clear(); }

    void add(AsyncGenCore* g) noexcept;
    void remove(AsyncGenCore* g) noexcept;
    /// The generators shutdown_asyncgens() closes: registered, started, not finished, not
    /// taken by an earlier call; in first-iteration order. Each is marked taken.
    std::vector<AsyncGenCore*> take_for_shutdown();
    /// Forgets every generator (loop closing): their loop pointers are cleared.
    void clear() noexcept;
    bool empty() const noexcept { return head_ == nullptr; }

    bool shutdown_called = false;

private:
    AsyncGenCore* head_ = nullptr;
    AsyncGenCore* tail_ = nullptr;
};

}  // namespace aio::detail
