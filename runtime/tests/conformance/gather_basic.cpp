#include "conformance.hpp"

using namespace std::chrono_literals;
using conformance::out;

static aio::Coro<std::string> worker(std::string name, std::chrono::milliseconds delay, bool fail = false) {
    out("{} start", name);
    co_await aio::sleep(delay);
    if (fail) throw aio::ValueError(name + " failed");
    out("{} end", name);
    for (auto& c : name) c = static_cast<char>(std::toupper(c));
    co_return name;
}

static aio::Coro<void> amain() {
    auto [a, b] = co_await aio::gather(worker("a", 200ms), worker("b", 100ms));
    out("['{}', '{}']", a, b);
    auto [c, d] = co_await aio::gather_outcomes(worker("c", 100ms, true), worker("d", 200ms));
    auto show = [](auto& o) {
        return o.has_value() ? fmt::format("'{}'", o.value())
                             : fmt::format("'{}:{}'", conformance::type(o.error()), conformance::msg(o.error()));
    };
    out("[{}, {}]", show(c), show(d));
    try {
        co_await aio::gather(worker("e", 100ms, true), worker("f", 300ms));
    } catch (const aio::ValueError& e) {
        out("caught ValueError: {}", e.what());
    }
    co_await aio::sleep(300ms);
    out("main end");
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
