#include "sync_conformance.hpp"

using namespace conformance;

static std::string list(const std::vector<std::string>& v, bool quote) {
    std::string s;
    for (auto& x : v) s += (s.empty() ? "" : ", ") + (quote ? "'" + x + "'" : x);
    return "[" + s + "]";
}

static aio::Coro<void> two_rounds_coro(aio::Semaphore& sem, std::vector<std::string>& result, std::string tag) {
    co_await sem.acquire();
    result.push_back(tag + "_1");
    co_await yield();
    sem.release();
    co_await sem.acquire();
    result.push_back(tag + "_2");
    co_await yield();
    sem.release();
}

static aio::Coro<void> fifo_two_rounds() {
    aio::Semaphore sem(1);
    std::vector<std::string> result;
    co_await aio::gather(two_rounds_coro(sem, result, "c1"), two_rounds_coro(sem, result, "c2"),
                         two_rounds_coro(sem, result, "c3"));
    out("two rounds {}", list(result, true));
}

static aio::Coro<void> take(aio::Semaphore& sem, std::vector<std::string>& result, int n) {
    co_await sem.acquire();
    result.push_back(std::to_string(n));
}

static aio::Coro<void> c2_twice(aio::Semaphore& sem, std::vector<std::string>& result) {
    co_await sem.acquire();
    result.push_back("2");
    sem.release();
    co_await sem.acquire();
    result.push_back("4");
}

static aio::Coro<void> fifo_release_twice() {
    aio::Semaphore sem(1);
    std::vector<std::string> result;
    auto t1 = aio::create_task(take(sem, result, 1));
    auto t2 = aio::create_task(c2_twice(sem, result));
    auto t3 = aio::create_task(take(sem, result, 3));
    co_await yield();
    sem.release();
    sem.release();
    co_await aio::gather(t1, t2, t3);
    out("release twice {} value {}", list(result, false), sem.value());
}

static aio::Coro<void> fifo_cancelled_first() {
    aio::Semaphore sem(0);
    std::vector<std::string> result;
    auto t1 = aio::create_task(take(sem, result, 1));
    auto t2 = aio::create_task(take(sem, result, 2));
    auto t3 = aio::create_task(take(sem, result, 3));
    co_await yield();
    t1.cancel();
    co_await yield();
    sem.release();
    sem.release();
    auto res = co_await aio::gather_outcomes(t1, t2, t3);
    out("cancelled first {} {} value {}", list(result, false), kinds(res), sem.value());
}

static aio::Coro<void> amain() {
    co_await fifo_two_rounds();
    co_await fifo_release_twice();
    co_await fifo_cancelled_first();
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
