// The loop's internal containers that the performance work reshaped: the timer heap
// (4-ary), a future's done-callback list (first entry inline), gather's duplicate
// detection and the per-thread pool of loop objects.
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <aio/detail/pool.hpp>
#include <aio/detail/timer_heap.hpp>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <thread>
#include <utility>
#include <vector>

using namespace std::chrono_literals;
using aio::detail::ReadyEntry;
using aio::detail::TimerHeap;
using aio::detail::TimerNode;

TEST_CASE("TimerHeap pops in (deadline, sequence) order under random pushes and removals") {
    // A fixed linear congruential sequence: the same operations on every run.
    std::uint64_t x = 42;
    auto rnd = [&](std::uint64_t n) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        return (x >> 33) % n;
    };
    const std::size_t n = 2000;
    std::vector<TimerNode> nodes(n);
    TimerHeap heap;
    std::set<std::pair<std::int64_t, std::uint64_t>> model;  // (deadline, seq)
    std::uint64_t seq = 0;
    std::vector<std::size_t> in_heap;
    for (std::size_t round = 0; round < 6000; ++round) {
        const auto op = rnd(3);
        if (op == 0 || in_heap.empty()) {
            // Push a free node (if any) with a deadline that often ties.
            std::size_t i = rnd(n);
            if (nodes[i].scheduled()) continue;
            nodes[i].when = aio::TimePoint(std::chrono::nanoseconds(rnd(50)));
            heap.push(&nodes[i], ++seq);
            model.insert({nodes[i].when.time_since_epoch().count(), seq});
            in_heap.push_back(i);
        } else if (op == 1) {
            // Remove an arbitrary scheduled node.
            std::size_t k = rnd(in_heap.size());
            TimerNode& t = nodes[in_heap[k]];
            REQUIRE(t.scheduled());
            model.erase({t.when.time_since_epoch().count(), t.seq});
            heap.remove(&t);
            CHECK_FALSE(t.scheduled());
            in_heap.erase(in_heap.begin() + static_cast<std::ptrdiff_t>(k));
        } else {
            TimerNode* t = heap.pop();
            REQUIRE(!model.empty());
            CHECK(std::make_pair(t->when.time_since_epoch().count(), t->seq) == *model.begin());
            model.erase(model.begin());
            in_heap.erase(std::find(in_heap.begin(), in_heap.end(), static_cast<std::size_t>(t - nodes.data())));
        }
        REQUIRE(heap.size() == model.size());
        if (!heap.empty())
            REQUIRE(std::make_pair(heap.top()->when.time_since_epoch().count(), heap.top()->seq) == *model.begin());
    }
    while (!heap.empty()) {
        TimerNode* t = heap.pop();
        CHECK(std::make_pair(t->when.time_since_epoch().count(), t->seq) == *model.begin());
        model.erase(model.begin());
    }
    CHECK(model.empty());
}

namespace {
void nop(void*) {}
ReadyEntry entry(int* p) { return {&nop, p, nullptr}; }
std::vector<void*> args(const aio::detail::DoneCallbacks& cbs) {
    std::vector<void*> out;
    cbs.for_each([&](const ReadyEntry& e) { out.push_back(e.arg); });
    return out;
}
}  // namespace

TEST_CASE("DoneCallbacks keeps registration order through removals, including of the inline first entry") {
    int a = 0, b = 0, c = 0;
    aio::detail::DoneCallbacks cbs;
    CHECK(cbs.empty());
    cbs.push_back(entry(&a));
    cbs.push_back(entry(&b));
    cbs.push_back(entry(&a));
    cbs.push_back(entry(&c));
    CHECK(cbs.size() == 4);
    CHECK(args(cbs) == std::vector<void*>{&a, &b, &a, &c});
    // Removing the first entry's argument moves the next survivor inline.
    CHECK(cbs.remove_if([&](const ReadyEntry& e) { return e.arg == &a; }) == 2);
    CHECK(args(cbs) == std::vector<void*>{&b, &c});
    CHECK(cbs.remove_if([&](const ReadyEntry& e) { return e.arg == &c; }) == 1);
    CHECK(args(cbs) == std::vector<void*>{&b});
    aio::detail::DoneCallbacks taken = cbs.take();
    CHECK(cbs.empty());
    CHECK(args(taken) == std::vector<void*>{&b});
    CHECK(taken.remove_if([&](const ReadyEntry& e) { return e.arg == &b; }) == 1);
    CHECK(taken.empty());
    CHECK(taken.size() == 0);
}

namespace {
aio::Coro<int> value_after(int v, int yields) {
    for (int i = 0; i < yields; ++i) co_await aio::sleep(0s);
    co_return v;
}
aio::Coro<std::vector<int>> gather_with_duplicates() {
    auto t1 = aio::create_task(value_after(1, 2));
    auto t2 = aio::create_task(value_after(2, 1));
    std::vector<aio::Task<int>> ts;
    for (int i = 0; i < 40; ++i) ts.push_back(i % 3 == 0 ? t1 : t2);  // large enough for the old sort path
    auto r = co_await aio::gather(ts);
    // The marks are cleared: the same tasks gather again.
    auto again = co_await aio::gather(t2, t1, t2);
    CHECK(std::get<0>(again) == 2);
    CHECK(std::get<1>(again) == 1);
    CHECK(std::get<2>(again) == 2);
    co_return r;
}
}  // namespace

TEST_CASE("gather of a task given many times waits for it once and repeats its result in every slot") {
    std::vector<int> r = aio::run(gather_with_duplicates());
    REQUIRE(r.size() == 40);
    for (std::size_t i = 0; i < r.size(); ++i) CHECK(r[i] == (i % 3 == 0 ? 1 : 2));
}

TEST_CASE("the pool's size classes fit malloc's 16-byte chunks: 8 bytes short of a multiple of 16") {
    using aio::detail::pool_class;
    using aio::detail::pool_class_bytes;
    for (std::size_t n = 1; n <= pool_class_bytes(aio::detail::kPoolClasses); ++n) {
        const std::size_t b = pool_class_bytes(pool_class(n));
        CHECK(b >= n);
        CHECK(b < n + aio::detail::kPoolGranule);
        CHECK((b + aio::detail::kPoolHeader) % aio::detail::kPoolGranule == 0);
    }
    CHECK(pool_class(216) != pool_class(217));
    CHECK(pool_class_bytes(pool_class(216)) == 216);
}

TEST_CASE("a sleeper's task and timer node keep the sizes issue 15's cold start counts on") {
    // 216 bytes of task (a 224-byte malloc chunk through the pool) and a 48-byte timer node in
    // every sleeping frame; a field added to either shows here first.
    CHECK(sizeof(aio::detail::TaskState<void>) <= 216);
    CHECK(sizeof(TimerNode) <= 48);
}

TEST_CASE("the pool reuses a freed block of the same size class on the same thread, and lets a thread exit cleanly") {
#if AIO_POOL_ENABLED
    void* p = aio::detail::pool_allocate(200);
    aio::detail::pool_deallocate(p, 200);
    void* q = aio::detail::pool_allocate(193);  // the same 16-byte class as 200
    CHECK(q == p);
    aio::detail::pool_deallocate(q, 193);
    // Blocks over the largest class are not kept.
    void* big = aio::detail::pool_allocate(4096);
    const std::size_t cached = aio::detail::t_pool.cached_bytes;
    aio::detail::pool_deallocate(big, 4096);
    CHECK(aio::detail::t_pool.cached_bytes == cached);
#endif
    // A block allocated here and freed on another thread goes to that thread's list, which
    // that thread returns to the allocator when it exits.
    void* r = aio::detail::pool_allocate(64);
    REQUIRE(r != nullptr);
    std::size_t other_cached = 0;
    std::thread t([&] {
        aio::detail::pool_deallocate(r, 64);
        other_cached = aio::detail::t_pool.cached_bytes;
    });
    t.join();
#if AIO_POOL_ENABLED
    CHECK(other_cached == aio::detail::pool_class_bytes(aio::detail::pool_class(64)));  // 72
#else
    CHECK(other_cached == 0);
#endif
}
