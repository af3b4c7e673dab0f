// The loop's side of aio::AsyncGenerator: the registry (asyncio's _asyncgens WeakSet and its
// firstiter hook) and EventLoop::shutdown_asyncgens() (base_events.py 3.12).
#include "aio/async_generator.hpp"

#include <fmt/format.h>

#include "aio/gather.hpp"

namespace aio {

namespace detail {

void AsyncGenRegistry::add(AsyncGenCore* g) noexcept {
    g->prev_ = tail_;
    g->next_ = nullptr;
    if (tail_)
        tail_->next_ = g;
    else
        head_ = g;
    tail_ = g;
    g->registered_ = true;
}

void AsyncGenRegistry::remove(AsyncGenCore* g) noexcept {
    if (!g->registered_) return;
    if (g->prev_)
        g->prev_->next_ = g->next_;
    else
        head_ = g->next_;
    if (g->next_)
        g->next_->prev_ = g->prev_;
    else
        tail_ = g->prev_;
    g->prev_ = g->next_ = nullptr;
    g->registered_ = false;
}

std::vector<AsyncGenCore*> AsyncGenRegistry::take_for_shutdown() {
    std::vector<AsyncGenCore*> out;
    for (AsyncGenCore* g = head_; g; g = g->next_) {
        if (g->taken_ || g->finalized_) continue;
        if (g->frame_.done()) continue;
        out.push_back(g);
    }
    for (AsyncGenCore* g : out) g->taken_ = true;
    return out;
}

void AsyncGenRegistry::clear() noexcept {
    for (AsyncGenCore* g = head_; g;) {
        AsyncGenCore* next = g->next_;
        g->prev_ = g->next_ = nullptr;
        g->registered_ = false;
        g->loop_ = nullptr;
        g = next;
    }
    head_ = tail_ = nullptr;
}

AsyncGenCore::~AsyncGenCore() {
    if (cell_) *cell_ = nullptr;
    if (registered_ && loop_) loop_->asyncgen_registry().remove(this);
}

void AsyncGenCore::first_iteration() noexcept {
    EventLoop* loop = EventLoop::running();
    if (!loop || loop_) return;
    loop_ = loop;
    AsyncGenRegistry& r = loop->asyncgen_registry();
    if (r.shutdown_called) {
        // asyncio warns (ResourceWarning) and registers it all the same.
        loop->log(
            fmt::format("ResourceWarning: asynchronous generator {} was scheduled after "
                        "loop.shutdown_asyncgens() call",
                        name_));
    }
    r.add(this);
}

EventLoop* AsyncGenCore::live_loop() const noexcept { return loop_ && !loop_->is_closed() ? loop_ : nullptr; }

void post_to_loop(EventLoop& loop, std::function<void()> fn) {
    if (EventLoop::running() == &loop || !loop.owned_by_a_thread())
        loop.call_soon(std::move(fn));
    else
        loop.call_soon_threadsafe(std::move(fn));
}

namespace {
bool is_exception(const std::exception_ptr& e) {
    // Python reports results that are an Exception: not CancelledError, GeneratorExit or
    // KeyboardInterrupt (BaseExceptions).
    try {
        std::rethrow_exception(e);
    } catch (const CancelledError&) {
        return false;
    } catch (const GeneratorExit&) {
        return false;
    } catch (const KeyboardInterrupt&) {
        return false;
    } catch (...) {
        return true;
    }
}
}  // namespace

}  // namespace detail

Coro<void> EventLoop::shutdown_asyncgens() {
    detail::AsyncGenRegistry& reg = asyncgen_registry();
    reg.shutdown_called = true;
    std::vector<detail::AsyncGenCore*> gens = reg.take_for_shutdown();
    if (gens.empty()) co_return;
    // One pointer cell per generator, cleared if the generator is destroyed before its
    // close task runs (asyncio's list holds strong references; C++ objects die when they die).
    std::vector<std::string> names;
    std::vector<Coro<void>> closes;
    names.reserve(gens.size());
    closes.reserve(gens.size());
    for (detail::AsyncGenCore* g : gens) {
        g->cell_ = std::make_shared<detail::AsyncGenCore*>(g);
        names.emplace_back(g->name());
        closes.push_back(g->close_registered_(g->cell_));
    }
    auto outcomes = co_await gather_outcomes(std::move(closes));
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
        std::exception_ptr e = outcomes[i].error();
        if (!e || !detail::is_exception(e)) continue;
        ExceptionContext ctx;
        ctx.message = "an error occurred during closing of asynchronous generator " + names[i];
        ctx.exception = e;
        call_exception_handler(ctx);
    }
}

}  // namespace aio
