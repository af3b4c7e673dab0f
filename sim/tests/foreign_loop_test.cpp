// A task of another loop in the simulator: refused with RuntimeError at the combinator, as on
// the real loop, instead of a deadlock report with a false cycle (the foreign task's id 1 taken
// for the simulated loop's task #1: "#1 awaits gather(#1)").
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <aio/sim/sim.hpp>
#include <string>
#include <vector>

using namespace std::chrono_literals;
namespace sim = aio::sim;

namespace {

aio::Coro<int> forever() {
    co_await aio::sleep(1h);
    co_return 1;
}

aio::Coro<std::string> gather_foreign(aio::Task<int> foreign, int form) {
    try {
        if (form == 0) {
            co_await aio::gather(foreign);
        } else if (form == 1) {
            co_await aio::gather_outcomes(foreign);
        } else {
            std::vector<aio::Task<int>> ts{foreign};
            co_await aio::gather(ts);
        }
    } catch (const aio::RuntimeError& e) {
        co_return e.what();
    }
    co_return "no error";
}

}  // namespace

TEST_CASE("gather of another loop's task raises RuntimeError in the simulator, not a false deadlock cycle") {
    aio::Runner other;  // the foreign loop: a real one that is not running
    auto foreign = other.get_loop().create_task(forever(), "foreign");
    for (int form = 0; form < 3; ++form) {
        CAPTURE(form);
        std::string what;
        CHECK_NOTHROW(what = aio::run(gather_foreign(foreign, form), {.loop_factory = sim::loop_factory({})}));
        CHECK(what.find("Task 'foreign' is attached to a different event loop") != std::string::npos);
    }
    foreign = {};
}
