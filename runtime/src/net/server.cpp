// asyncio's Server bookkeeping (base_events.py, 3.12.1): serving, closing, the attached
// connections and wait_closed(), serve_forever().
#include "aio/net/server.hpp"

#include <fmt/format.h>

#include "aio/sleep.hpp"

namespace aio {

namespace detail {

void ServerCore::start_serving() {
    if (serving_) return;
    serving_ = true;
    start_listening();
}

void ServerCore::close() {
    if (closed_) return;
    closed_ = true;
    stop_listening();
    serving_ = false;
    if (serving_forever_.valid() && !serving_forever_.done()) serving_forever_.cancel();
    serving_forever_ = {};
    if (active_ == 0) wakeup();
}

void ServerCore::detach() {
    --active_;
    if (active_ == 0 && closed_) wakeup();
}

void ServerCore::wakeup() {
    if (!waiters_) return;
    std::vector<Future<void>> waiters = std::move(*waiters_);
    waiters_.reset();
    for (auto& w : waiters)
        if (!w.done()) w.set_result();
}

std::string ServerCore::repr() const {
    const auto addrs = addresses();
    std::string inner;  // a Python tuple: (), (a,), (a, b)
    for (std::size_t i = 0; i < addrs.size(); ++i) inner += (i ? ", " : "") + addrs[i].str();
    if (addrs.size() == 1) inner += ',';
    return fmt::format("<Server sockets=({})>", inner);
}

Coro<void> ServerCore::wait_closed(std::shared_ptr<ServerCore> self) {
    if (!self->waiters_) co_return;
    Future<void> waiter(self->loop());
    self->waiters_->push_back(waiter);
    co_await waiter;
}

Coro<void> ServerCore::serve_forever(std::shared_ptr<ServerCore> self) {
    if (self->serving_forever_.valid())
        throw RuntimeError(fmt::format("server {} is already being awaited on serve_forever()", self->repr()));
    if (self->closed_) throw RuntimeError(fmt::format("server {} is closed", self->repr()));
    self->start_serving();
    Future<void> forever(self->loop());
    self->serving_forever_ = forever;
    std::exception_ptr cancelled;
    try {
        co_await forever;
    } catch (const CancelledError&) {
        cancelled = std::current_exception();
    }
    if (self->serving_forever_.state() == forever.state()) self->serving_forever_ = {};
    if (cancelled) {
        // asyncio: close, wait for the connections to go, then the CancelledError goes on.
        self->close();
        co_await wait_closed(self);
        std::rethrow_exception(cancelled);
    }
}

Coro<void> ServerCore::start_serving_and_yield(std::shared_ptr<ServerCore> self) {
    self->start_serving();
    co_await sleep(std::chrono::seconds(0));
}

}  // namespace detail

}  // namespace aio
