// Fuzzes the environment that aio::check::for_all_schedules reads (explore.hpp): one value per
// input line, in this order: AIOSIM_SEEDS, AIOSIM_POLICY, AIOSIM_TIME_BUDGET, AIOSIM_REPLAY,
// AIOSIM_CHECK (a missing line leaves the variable unset; an empty one sets it empty). The
// first byte picks the program: one that fails in every run, or one that passes.
//
// Whatever the environment, the call either throws aio::ValueError with a bounded message
// (a malformed variable), or returns a verdict that is right: a program that always fails
// never passes (a check that ran nothing must not pass), a passing program passes unless a
// strict replay no longer fits it, and a verdict counts at least one run. The passing program
// starts failing after 64 runs (a failure the harness recognises), so a huge seed range
// costs at most 64 runs.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <aio/aio.hpp>
#include <aio/check/explore.hpp>

#include "harness.hpp"

namespace {

using namespace std::chrono_literals;

constexpr const char* kVariables[] = {"AIOSIM_SEEDS", "AIOSIM_POLICY", "AIOSIM_TIME_BUDGET", "AIOSIM_REPLAY",
                                      "AIOSIM_CHECK"};
constexpr std::uint64_t kMaxRuns = 64;
constexpr std::string_view kBudget = "harness: run budget spent";

aio::Coro<void> step(int& n) {
    co_await aio::sleep(0s);
    ++n;
}

aio::Coro<int> program(bool fail, std::uint64_t& runs) {
    if (fail) throw std::runtime_error("this program always fails");
    if (++runs > kMaxRuns) throw std::runtime_error(std::string(kBudget));
    int n = 0;
    auto a = aio::create_task(step(n));
    auto b = aio::create_task(step(n));
    co_await a;
    co_await b;
    co_return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return -1;
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const bool always_fails = (data[0] & 1) != 0;
    std::string_view rest = input.substr(1);
    std::vector<std::string> values;
    while (!rest.empty() && values.size() < std::size(kVariables)) {
        const std::size_t nl = rest.find('\n');
        values.emplace_back(rest.substr(0, nl));
        rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    }
    for (const std::string& v : values)
        if (v.find('\0') != std::string::npos) return -1;  // not representable in an environment
    for (std::size_t i = 0; i < std::size(kVariables); ++i) {
        if (i < values.size())
            setenv(kVariables[i], values[i].c_str(), 1);
        else
            unsetenv(kVariables[i]);
    }
    const bool replaying = values.size() > 3 && !values[3].empty() &&
                           (values.size() <= 4 || values[4].empty() || values[4] == "fuzz");

    std::uint64_t runs = 0;
    aio::check::Verdict v;
    try {
        v = aio::check::for_all_schedules([&] { return program(always_fails, runs); }, [](int n) { return n == 2; },
                                          {.name = "fuzz", .print = [](const std::string&) {}});
    } catch (const aio::ValueError& e) {
        aio::fuzz::check_message(e.what(), input.substr(1));  // the values, without the program byte
        return 0;
    } catch (...) {
        aio::fuzz::fail("for_all_schedules threw an undocumented error: " + aio::fuzz::describe_current(), input);
    }

    if (v.runs == 0) aio::fuzz::fail("a verdict after 0 runs (ok: " + std::to_string(v.ok) + ")", input);
    if (always_fails && v.ok)
        aio::fuzz::fail("a program that fails in every run passed after " + std::to_string(v.runs) + " runs", input);
    if (!always_fails && !v.ok) {
        const std::string& error = v.failure ? v.failure->error : std::string("(no failure recorded)");
        const bool budget = error.find(kBudget) != std::string::npos;
        const bool diverged = replaying && error.find("ReplayDivergence") != std::string::npos;
        if (!budget && !diverged) aio::fuzz::fail("a passing program failed: " + error, input);
    }
    if (!v.ok && v.report.find("runs") == std::string::npos)
        aio::fuzz::fail("a failure report that does not say how many runs were made", input);
    return 0;
}
