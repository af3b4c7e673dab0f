#include "structured.hpp"

using namespace std::chrono_literals;
using conformance::out;
using conformance::py;

static aio::Coro<std::string> work(std::string name, std::chrono::milliseconds delay) {
    struct Finally {
        std::string name;
        ~Finally() { out("{} cleanup", name); }
    } finally{name};
    try {
        co_await aio::sleep(delay);
        out("{} finished", name);
        co_return name + " result";
    } catch (const aio::CancelledError&) {
        out("{} cancelled", name);
        throw;
    }
}

static aio::Coro<void> amain() {
    aio::EventLoop& loop = aio::get_running_loop();
    auto me = aio::current_task();

    // In time: the block's value, not expired.
    auto cm = aio::timeout(300ms);
    std::string r = co_await cm.run(work("fast", 100ms));
    auto ahead = *cm.when() - loop.time();
    out("{} | expired: {} | deadline ahead: {}", r, py(cm.expired()), py(ahead > 0s && ahead < 300ms));

    // Too slow: the block is cancelled, TimeoutError comes out.
    cm = aio::timeout(100ms);
    try {
        co_await cm.run([&]() -> aio::Coro<void> {
            co_await work("slow", 1s);
            out("not reached");
        });
    } catch (const aio::TimeoutError& e) {
        std::string cause = "NoneType";
        try {
            std::rethrow_if_nested(e);
        } catch (...) {
            cause = conformance::type(std::current_exception());
        }
        out("TimeoutError '{}' cause {}", e.what(), cause);
    }
    out("expired: {} | cancelling: {}", py(cm.expired()), me.cancelling());

    // timeout_at with an absolute deadline.
    auto deadline = loop.time() + 100ms;
    cm = aio::timeout_at(deadline);
    try {
        co_await cm.run(work("slow2", 1s));
    } catch (const aio::TimeoutError&) {
        out("timeout_at fired; when() == deadline: {}", py(cm.when() == deadline));
    }

    // A disabled timeout never fires.
    cm = aio::timeout(std::nullopt);
    co_await cm.run(work("unbounded", 200ms));
    out("when: {} | expired: {}", cm.when() ? "set" : "None", py(cm.expired()));
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
