#include "sync_conformance.hpp"

using namespace conformance;

namespace {
struct State {
    int n = 0;
    std::vector<int> checks;
};
}  // namespace

static std::string checks_str(const std::vector<int>& v) {
    std::string s;
    for (int x : v) s += (s.empty() ? "" : ", ") + std::to_string(x);
    return "[" + s + "]";
}

// Python's `n >= 2 and f"n={n}"`, falsy or a string: an optional string in C++.
static aio::Coro<void> consumer(aio::Condition& cond, State& st) {
    auto guard = co_await cond.scoped();
    std::optional<std::string> r = co_await cond.wait_for([&]() -> std::optional<std::string> {
        st.checks.push_back(st.n);
        if (st.n >= 2) return "n=" + std::to_string(st.n);
        return std::nullopt;
    });
    out("consumer got {} checks {}", *r, checks_str(st.checks));
}

static aio::Coro<void> amain() {
    aio::Condition cond;
    State st;
    auto c = aio::create_task(consumer(cond, st));
    co_await yield();
    for (int i = 0; i < 3; ++i) {
        {
            auto guard = co_await cond.scoped();
            st.n += 1;
            out("bump to {}", st.n);
            cond.notify();
        }
        co_await yield();
    }
    co_await c;

    auto v = co_await cond.wait_for([] { return std::optional<std::vector<int>>{{1, 2, 3}}; });
    out("true at once: [{}, {}, {}]", (*v)[0], (*v)[1], (*v)[2]);
    try {
        co_await cond.wait_for([] { return false; });
    } catch (const aio::RuntimeError&) {
        out("{}", what_raised());
    }
    out("locked {}", py(cond.locked()));
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
