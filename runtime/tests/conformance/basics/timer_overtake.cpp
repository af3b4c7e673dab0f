// A timer due while other work is ready fires on the next pass once the clock has moved: the
// real loop's clock moves while steps run; the simulator's does with cost=1us (timer_overtake.sim).
// aio's clock counts nanoseconds, so sleep(1e-10) would be sleep(0s), a plain yield: 1ns here.
#include "conformance.hpp"

using namespace std::chrono_literals;
using conformance::out;

static aio::Coro<void> spin(std::vector<std::string>& seen) {
    for (int i = 0; i < 5; ++i) {
        seen.push_back(std::to_string(i));
        co_await aio::sleep(0s);
    }
}

static aio::Coro<void> shorty(std::vector<std::string>& seen) {
    co_await aio::sleep(1ns);
    seen.push_back("'T'");
}

static aio::Coro<void> amain() {
    std::vector<std::string> seen;
    co_await aio::gather(spin(seen), shorty(seen));
    std::string line;
    for (const auto& s : seen) line += (line.empty() ? "" : ", ") + s;
    out("[{}]", line);
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
