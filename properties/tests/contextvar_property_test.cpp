// Context variables under perturbed schedules (issue 14 §2): a value set in one task never
// leaks into a sibling, a parent, or a child created before the set; callbacks and to_thread
// jobs see the context they were given. Checked with for_all_schedules (random and pct, 20
// seeds each by default; AIOSIM_SEEDS / AIOSIM_POLICY as for every aio::check call) and as a
// rapidcheck property over generated schedules and program sizes.
#include <aio/aio.hpp>
#include <aio/check/doctest.hpp>
#include <aio/check/explore.hpp>
#include <aio/check/rapidcheck.hpp>
#include <aio/sim/sim_loop.hpp>
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using aio::sim::Policy;

namespace {

struct Broken : std::logic_error {
    using std::logic_error::logic_error;
};

template <class... A>
void require(bool ok, fmt::format_string<A...> f, A&&... a) {
    if (!ok) throw Broken(fmt::format(f, std::forward<A>(a)...));
}

aio::ContextVar<int> g_owner("owner", -1);

// A child: sees its parent's value as it was at creation, sets its own, keeps it across awaits.
aio::Coro<void> child(int parent, int mine, std::shared_ptr<std::string> sig) {
    require(g_owner.get() == parent, "child {} saw {} instead of its parent's {}", mine, g_owner.get(), parent);
    g_owner.set(mine);
    co_await aio::sleep(0s);
    require(g_owner.get() == mine, "child {} saw {} after a yield", mine, g_owner.get());
    *sig += 'c';
    aio::touch(sig.get());
}

aio::Coro<void> worker(int id, int rounds, std::shared_ptr<std::string> sig) {
    require(g_owner.get() == 0, "worker {} started with {} instead of main's 0", id, g_owner.get());
    auto token = g_owner.set(id);
    std::vector<aio::Task<void>> children;
    auto& loop = aio::get_running_loop();
    for (int r = 0; r < rounds; ++r) {
        switch ((id + r) % 4) {
        case 0: co_await aio::sleep(0s); break;
        case 1: co_await aio::sleep(std::chrono::milliseconds(1 + (id + r) % 3)); break;
        case 2: {
            // A callback in a copy of this task's context (the default), one in this very
            // context, one in a fresh copy that it changes: only the second could change ours,
            // and it sets the value it already has.
            aio::Event done;
            int left = 3;  // the callbacks may run in any order under a perturbing policy
            auto one_done = [&] {
                if (--left == 0) done.set();
            };
            int seen_copy = -2;
            int seen_own = -2;
            loop.call_soon([&] {
                seen_copy = g_owner.get();
                g_owner.set(-100);  // lost with the callback's copy
                one_done();
            });
            loop.call_soon(
                [&] {
                    seen_own = g_owner.get();
                    one_done();
                },
                aio::current_task().get_context());
            loop.call_soon(
                [&] {
                    g_owner.set(-200);
                    one_done();
                },
                aio::copy_context());
            co_await done.wait();
            require(seen_copy == id && seen_own == id, "worker {}'s callbacks saw {} and {}", id, seen_copy, seen_own);
            break;
        }
        default: {
            auto job = [] {
                const int seen = g_owner.get();
                g_owner.set(-300);  // in the job's copy only
                return seen;
            };
            const int seen = co_await aio::to_thread(job);
            require(seen == id, "worker {}'s to_thread saw {}", id, seen);
            break;
        }
        }
        require(g_owner.get() == id, "worker {} has {} after round {}", id, g_owner.get(), r);
        *sig += static_cast<char>('a' + id);
        aio::touch(sig.get());  // the signature is what the tasks share: their steps conflict
        children.push_back(aio::create_task(child(id, id * 100 + r, sig)));
    }
    co_await aio::gather(children);
    require(g_owner.get() == id, "worker {} has {} after its children", id, g_owner.get());
    g_owner.reset(token);
    require(g_owner.get() == 0, "worker {} reset to {}", id, g_owner.get());
}

aio::Coro<std::string> program(int workers, int rounds) {
    auto sig = std::make_shared<std::string>();
    g_owner.set(0);
    std::vector<aio::Task<void>> ts;
    for (int id = 1; id <= workers; ++id) ts.push_back(aio::create_task(worker(id, rounds, sig)));
    g_owner.set(0);  // after the creations: nobody sees it, but nobody's value changes either
    co_await aio::gather(ts);
    require(g_owner.get() == 0, "main has {} after the workers", g_owner.get());
    co_return *sig;
}

}  // namespace

TEST_CASE("context variables: no value leaks between sibling tasks, parents and children (random, pct)") {
    std::set<std::string> seen;
    aio::check::ExploreOptions o;
    o.name = "contextvar isolation";
    o.policies = {Policy::random, Policy::pct};
    o.seeds = 20;
    auto v = aio::check::for_all_schedules([] { return program(4, 6); },
                                           [&](const std::string& sig) { return seen.insert(sig), true; }, o);
    CHECK_MESSAGE(v.ok, v.report);
    CHECK(v.runs >= 2);
    CHECK(seen.size() >= 2);  // not vacuous: the orders differed
}

AIOSIM_PROPERTY("context variables: isolation holds for generated schedules and sizes",
                [](const aio::check::Schedule& s) {
                    const int workers = *rc::gen::inRange(1, 6);
                    const int rounds = *rc::gen::inRange(1, 8);
                    const std::string sig = aio::check::run(s, [=] { return program(workers, rounds); });
                    RC_ASSERT(sig.size() == static_cast<std::size_t>(workers * rounds * 2));
                });
