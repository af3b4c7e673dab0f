// contextvars and to_thread: the function runs in a copy of the awaiting task's context (it
// sees the task's values; what it sets stays in the copy), for concurrent tasks too.
#include <string>
#include <thread>

#include "conformance.hpp"

using namespace std::chrono_literals;
using conformance::out;

namespace {

aio::ContextVar<std::string> v("v", "unset");
std::thread::id loop_thread;

std::string in_thread(std::string tag) {
    std::string seen = v.get();
    v.set(tag + " set in the thread");
    return tag + ": thread saw " + seen + ", then " + v.get() + ", off loop thread " +
           conformance::py(std::this_thread::get_id() != loop_thread);
}

aio::Coro<void> worker(std::string tag, std::chrono::milliseconds delay) {
    v.set(tag);
    co_await aio::sleep(delay);
    out("{}", co_await aio::to_thread(in_thread, tag));
    out("{}: task still has {}", tag, v.get());
}

aio::Coro<void> amain() {
    loop_thread = std::this_thread::get_id();
    v.set("main");
    out("{}", co_await aio::to_thread(in_thread, std::string("main")));
    out("main still has {}", v.get());
    co_await aio::gather(worker("w1", 100ms), worker("w2", 200ms));
    out("main finally has {}", v.get());
}

}  // namespace

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
