// Fuzzes the environment that aio::check::for_all_schedules reads (explore.hpp,
// environment.hpp): one value per input line, in this order: AIOSIM_SEEDS, AIOSIM_POLICY,
// AIOSIM_TIME_BUDGET, AIOSIM_REPLAY, AIOSIM_CHECK (a missing line leaves the variable unset;
// an empty one sets it empty). The first byte picks the program: one that fails in every
// run (odd), or one that passes (even).
//
// The pure parser (parse_environment) either throws aio::ValueError with a bounded message,
// or gives values in their documented ranges that print back to text parsing to the same
// values. Then the same environment, set for real, goes through for_all_schedules, whose
// verdict must be right: it counts its runs in its summary, a program that always fails never
// passes, a passing program passes unless a strict replay no longer fits it, and a check that
// made no run does not pass. The passing program starts failing after 64 runs (a failure the
// harness recognises), so a huge seed range costs at most 64 runs.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <aio/aio.hpp>
#include <aio/check/environment.hpp>
#include <aio/check/explore.hpp>
#include <aio/sim/policy.hpp>
#include <aio/sim/validate.hpp>

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

// The parsed values: in range, and printing back to what they were parsed from.
void check_parsed(const aio::check::Environment& e, std::string_view input) {
    using namespace aio::check;
    if (e.seeds) {
        const SeedRange r = *e.seeds;
        if (r.count == 0) aio::fuzz::fail("AIOSIM_SEEDS parsed to 0 seeds", input);
        if (r.count - 1 > UINT64_MAX - r.first) aio::fuzz::fail("AIOSIM_SEEDS parsed to seeds beyond 2^64-1", input);
        const std::string text = std::to_string(r.first) + ".." + std::to_string(r.first + (r.count - 1));
        if (!(parse_seeds(text) == r))
            aio::fuzz::fail("AIOSIM_SEEDS does not round-trip through '" + text + "'", input);
    }
    if (e.policies) {
        if (e.policies->empty()) aio::fuzz::fail("AIOSIM_POLICY parsed to no policy", input);
        std::string text;
        for (std::size_t i = 0; i < e.policies->size(); ++i) {
            for (std::size_t j = 0; j < i; ++j)
                if ((*e.policies)[i] == (*e.policies)[j])
                    aio::fuzz::fail("AIOSIM_POLICY parsed to a policy twice", input);
            text += (i ? "," : "") + std::string(aio::sim::policy_name((*e.policies)[i]));
        }
        if (parse_policies(text) != *e.policies)
            aio::fuzz::fail("AIOSIM_POLICY does not round-trip through '" + text + "'", input);
    }
    if (e.time_budget) {
        const auto b = *e.time_budget;
        if (b.count() < 0 || b > max_time_budget) aio::fuzz::fail("AIOSIM_TIME_BUDGET parsed out of range", input);
        const std::string text = std::to_string(b.count()) + "ms";
        if (parse_duration(text) != b)
            aio::fuzz::fail("AIOSIM_TIME_BUDGET does not round-trip through '" + text + "'", input);
    }
    if (e.replay) {
        try {
            aio::sim::validate(*e.replay);
        } catch (...) {
            aio::fuzz::fail("AIOSIM_REPLAY parsed to a schedule validate() refuses: " + aio::fuzz::describe_current(),
                            input);
        }
    }
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
    // The pure parser first: what the variables mean.
    const aio::check::Lookup lookup = [&values](std::string_view name) -> std::optional<std::string> {
        for (std::size_t i = 0; i < values.size(); ++i)
            if (name == kVariables[i]) return values[i];
        return std::nullopt;
    };
    try {
        check_parsed(aio::check::parse_environment(lookup), input);
    } catch (const aio::ValueError& e) {
        aio::fuzz::check_message(e.what(), input.substr(1));  // the values, without the program byte
    } catch (...) {
        aio::fuzz::fail("parse_environment threw an undocumented error: " + aio::fuzz::describe_current(), input);
    }

    const bool replaying =
        values.size() > 3 && !values[3].empty() && (values.size() <= 4 || values[4].empty() || values[4] == "fuzz");

    std::uint64_t runs = 0;
    aio::check::ExploreResult v;
    try {
        v = aio::check::for_all_schedules([&] { return program(always_fails, runs); }, [](int n) { return n == 2; },
                                          {.name = "fuzz", .print = [](const std::string&) {}});
    } catch (const aio::ValueError& e) {
        aio::fuzz::check_message(e.what(), input.substr(1));  // the values, without the program byte
        return 0;
    } catch (...) {
        aio::fuzz::fail("for_all_schedules threw an undocumented error: " + aio::fuzz::describe_current(), input);
    }

    if (v.runs == 0 && v.ok) aio::fuzz::fail("a check that made 0 runs passed", input);
    if (v.summary.find(std::to_string(v.runs) + " run") == std::string::npos)
        aio::fuzz::fail("a summary that does not say how many runs were made: " + v.summary, input);
    if (always_fails && v.ok)
        aio::fuzz::fail("a program that fails in every run passed after " + std::to_string(v.runs) + " runs", input);
    if (!always_fails && !v.ok) {
        const std::string& error = v.failure ? v.failure->error : std::string("(no failure recorded)");
        const bool budget = error.find(kBudget) != std::string::npos;
        const bool diverged =
            replaying && v.failure && v.failure->cause.kind == aio::sim::FailureKind::replay_divergence;
        if (!budget && !diverged && v.runs > 0) aio::fuzz::fail("a passing program failed: " + error, input);
    }
    return 0;
}
