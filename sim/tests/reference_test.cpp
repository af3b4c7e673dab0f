// The lesson's reference programs under the simulator's default policy print exactly what
// CPython prints (scenarios/reference/*.expected), and take the same virtual time.
#include <doctest/doctest.h>

#include <aio/sim/sim.hpp>

#include "programs.hpp"

using namespace std::chrono_literals;
namespace sim = aio::sim;

namespace {
aio::RunOptions fifo(const sim::Recorder& rec) { return {.loop_factory = sim::loop_factory({}, rec)}; }
}  // namespace

TEST_CASE("run_returns_result under fifo prints CPython's lines") {
    programs::Out out;
    sim::Recorder rec;
    std::string r = aio::run(programs::run_returns_result_main(out), fifo(rec));
    out.lines.push_back(r);
    CHECK(out.lines == programs::run_returns_result_expected);
    CHECK(rec->end_time.time_since_epoch() == 2s);
}

TEST_CASE("gather_exception_propagates under fifo prints CPython's lines") {
    programs::Out out;
    sim::Recorder rec;
    programs::gather_propagates(out, fifo(rec));
    CHECK(out.lines == programs::propagates_expected);
    CHECK_FALSE(out.first_finished);
    CHECK(rec->end_time.time_since_epoch() == 2s);
}

TEST_CASE("gather_exception_handled under fifo prints CPython's lines") {
    programs::Out out;
    sim::Recorder rec;
    aio::run(programs::gather_handled_main(out), fifo(rec));
    CHECK(out.lines == programs::handled_expected);
    CHECK(out.first_finished);
    CHECK(rec->end_time.time_since_epoch() == 3s);
}

TEST_CASE("nested_run under fifo raises RuntimeError after one virtual second") {
    sim::Recorder rec;
    std::string msg;
    try {
        aio::run(programs::nested_run_main(), fifo(rec));
    } catch (const aio::RuntimeError& e) {
        msg = e.what();
    }
    CHECK(msg == "aio::run() cannot be called from a running event loop");
    CHECK(rec->end_time.time_since_epoch() == 1s);
}
