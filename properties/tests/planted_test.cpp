// The properties have teeth: this file is compiled once and linked with each runtime seam that
// has one planted bug (AIOSIM_PLANTED_BUG=N on the seam, see program/planted_bugs.hpp). Each
// program runs only the case of its bug (CMakeLists.txt passes the filter and requires exactly
// one case to pass), which asserts that the property written for that behaviour fails, and
// that rapidcheck's shrunk counterexample needs no more non-zero scheduling decisions than the
// bug needs. N=0 plants a wrong belief in the model.
#include <doctest/doctest.h>
#include <rapidcheck.h>

#include <aio/check/rapidcheck.hpp>
#include <fmt/format.h>

#include <optional>
#include <sstream>

#include "invariants.hpp"
#include "model.hpp"
#include "planted_bugs.hpp"
#include "shim.hpp"

using namespace aio::props;
using aio::check::nonzero_decisions;

namespace {

struct Quiet final : rc::detail::TestListener {
    void onTestCaseFinished(const rc::detail::CaseDescription&) override {}
    void onShrinkTried(const rc::detail::CaseDescription&, bool) override {}
    void onTestFinished(const rc::detail::TestMetadata&, const rc::detail::TestResult&) override {}
};

// Runs the property with a fixed seed (the test is deterministic) and a generous budget;
// the failure's report (the shrunk counterexample), or nullopt if the property held.
template <class Prop>
std::optional<std::string> caught_by(Prop prop, const char* name) {
    rc::detail::TestParams params;
    params.seed = 20261125;
    params.maxSuccess = 2000;
    Quiet quiet;
    const auto result = rc::detail::checkProperty(rc::detail::toProperty(prop), {name, name}, params, quiet);
    if (!result.template is<rc::detail::FailureResult>()) return std::nullopt;
    std::ostringstream os;
    rc::detail::printResultMessage(result, os);
    return os.str();
}

[[maybe_unused]] std::string shrunk() { return last_failing_schedule().to_string(); }

}  // namespace

TEST_CASE("planted 0: a model that believes a failing gather child cancels its siblings is caught under fifo") {
    REQUIRE(aio::props::shim::planted_bug() == 0);
    set_model_belief(static_cast<int>(ModelBelief::gather_cancels_siblings));
    const auto report = caught_by(&prop_model_exact_under_fifo, "model under fifo");
    set_model_belief(static_cast<int>(ModelBelief::asyncio));
    REQUIRE_MESSAGE(report, "the wrong model was not caught");
    MESSAGE(*report);
    // The wrong belief shows in asyncio's own order: 0 decisions needed.
    CHECK(nonzero_decisions(last_failing_schedule()) == 0);
}

TEST_CASE("planted 1: gather returning results in completion order is caught with at most 1 non-zero decision") {
    REQUIRE(aio::props::shim::planted_bug() == 1);
    const auto report = caught_by(&prop_gather_keeps_argument_order, "gather order");
    REQUIRE_MESSAGE(report, "planted bug 1 was not caught");
    MESSAGE(*report);
    // Children that finish in argument order under fifo need one reordering; children that
    // already finish out of order need none.
    CHECK_MESSAGE(nonzero_decisions(last_failing_schedule()) <= 1, shrunk());
    const auto in_programs = caught_by(&prop_gather_keeps_order_in_programs, "gather order in programs");
    REQUIRE_MESSAGE(in_programs, "not caught in random programs");
    MESSAGE(*in_programs);
    CHECK_MESSAGE(nonzero_decisions(last_failing_schedule()) <= 1, shrunk());
}

TEST_CASE("planted 2: run() closing the loop without cancelling pending tasks is caught with 0 decisions") {
    REQUIRE(aio::props::shim::planted_bug() == 2);
    const auto report = caught_by(&prop_exception_cancels_siblings, "exception cancels siblings");
    REQUIRE_MESSAGE(report, "planted bug 2 was not caught");
    MESSAGE(*report);
    // Any task still pending when main ends shows it, in asyncio's own order.
    CHECK_MESSAGE(nonzero_decisions(last_failing_schedule()) == 0, shrunk());
}

TEST_CASE("planted 3: sleep waking 1 ms early is caught with 0 decisions") {
    REQUIRE(aio::props::shim::planted_bug() == 3);
    const auto report = caught_by(&prop_time_monotonic_and_exact, "time monotonic and exact");
    REQUIRE_MESSAGE(report, "planted bug 3 was not caught");
    MESSAGE(*report);
    CHECK_MESSAGE(nonzero_decisions(last_failing_schedule()) == 0, shrunk());
}
