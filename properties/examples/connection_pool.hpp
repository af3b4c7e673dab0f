#pragma once
// A connection pool with a race, the kind of bug aio::check is for.
//
// acquire() checks `open_ < capacity_`, then awaits connect(), and only then counts the new
// connection. A second acquire() that runs its check while the first is still connecting
// sees the old count and opens a connection too: the pool exceeds its capacity. Whether that
// happens depends on which of two things due at the same instant runs first (a client
// arriving, a handshake finishing): asyncio's own order hides it, a real loop under timing
// noise does not. `Pool::fixed()` reserves the slot before awaiting.
#include <algorithm>
#include <chrono>
#include <deque>
#include <vector>

#include <aio/aio.hpp>

namespace pool_example {

using namespace std::chrono_literals;

class Pool {
public:
    static Pool buggy(int capacity) { return Pool(capacity, false); }
    static Pool fixed(int capacity) { return Pool(capacity, true); }

    /// A connection id; waits for a release when `capacity` connections are open.
    aio::Coro<int> acquire() {
        if (!idle_.empty()) {
            int c = idle_.back();
            idle_.pop_back();
            co_return c;
        }
        if (open_ < capacity_) {
            if (reserve_first_) ++open_;
            const int c = co_await connect();
            if (!reserve_first_) ++open_;  // BUG: counted only after the await
            max_open_ = std::max(max_open_, open_);
            co_return c;
        }
        aio::Future<int> turn(aio::get_running_loop());
        waiters_.push_back(turn);
        co_return co_await turn;
    }

    void release(int c) {
        while (!waiters_.empty()) {
            aio::Future<int> w = waiters_.front();
            waiters_.pop_front();
            if (w.done()) continue;  // its acquirer was cancelled
            w.set_result(c);
            return;
        }
        idle_.push_back(c);
    }

    int capacity() const { return capacity_; }
    int max_open() const { return max_open_; }

private:
    Pool(int capacity, bool reserve_first) : capacity_(capacity), reserve_first_(reserve_first) {}

    aio::Coro<int> connect() {
        co_await aio::sleep(1ms);  // the handshake
        co_return ++next_id_;
    }

    int capacity_;
    bool reserve_first_;
    int open_ = 0;
    int max_open_ = 0;
    int next_id_ = 0;
    std::vector<int> idle_;
    std::deque<aio::Future<int>> waiters_;
};

/// Client i arrives at i ms, holds a connection for 2 ms, and gives it back.
inline aio::Coro<void> client(Pool& pool, int i) {
    if (i > 0) co_await aio::sleep(i * 1ms);
    const int c = co_await pool.acquire();
    co_await aio::sleep(2ms);
    pool.release(c);
}

/// Three clients sharing a pool of one connection; returns the most connections ever open.
inline aio::Coro<int> three_clients(bool fixed) {
    Pool pool = fixed ? Pool::fixed(1) : Pool::buggy(1);
    co_await aio::gather(client(pool, 0), client(pool, 1), client(pool, 2));
    co_return pool.max_open();
}

}  // namespace pool_example
