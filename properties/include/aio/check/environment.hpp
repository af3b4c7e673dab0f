#pragma once
// The environment variables of aio::check, parsed by pure functions: text in, the value or
// an aio::ValueError out (its message starts with the variable's name and says which forms
// are accepted). Nothing else is ever thrown, and nothing outside the arguments is read
// except by read_environment(). for_all_schedules reads the variables on every call; tests
// and fuzzers call these functions directly.
//
//   AIOSIM_SEEDS=N        seeds 1..N; N from 1 to 18446744073709551615
//   AIOSIM_SEEDS=A..B     seeds A to B, A <= B (every range but 0..18446744073709551615,
//                         whose 2^64 seeds cannot be counted)
//   AIOSIM_POLICY=p[,q]   these policies, each once: fifo, timers, random, pct, delay
//   AIOSIM_TIME_BUDGET=D  a whole number and a unit, ms, s, m or h (a bare number is
//                         seconds), from 0 to 10000h; the first seed runs whatever the budget
//   AIOSIM_REPLAY=STR     one replay string (aio::sim::Schedule::parse; a malformed one throws
//                         aio::sim::ReplayParseError, a ValueError that says where)
//   AIOSIM_CHECK=NAME     the check AIOSIM_REPLAY and AIOSIM_TRACE apply to (any text)
//   AIOSIM_TRACE=FILE     where a failing check writes its failing run's trace (any path)
//   AIOSIM_STRICT_ORDER=B 1: a failure found only in an order CPython's asyncio cannot run
//                         fails the check (ExploreOptions::strict_order); 0: it is a warning
//   AIOSIM_CORPUS=DIR     a regression corpus (aio/check/corpus.hpp) replayed before exploring
//   AIOSIM_SAVE_FAILURES=DIR  where a failing check saves its failure as a corpus entry
//
// A variable that is unset or empty is not given. Numbers are decimal digits only: no sign,
// no spaces, nothing that wraps or saturates ("-1", "99999999999999999999" are errors).
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aio/check/schedule.hpp"

namespace aio::check {

/// Seeds first .. first + count - 1 (count >= 1; the last seed fits in 64 bits).
struct SeedRange {
    std::uint64_t first = 1;
    std::uint64_t count = 1;
    friend bool operator==(const SeedRange&, const SeedRange&) = default;
};

/// The longest time budget (about 14 months): a budget is compared with the steady clock's
/// nanoseconds, which overflow after 292 years.
inline constexpr std::chrono::milliseconds max_time_budget = std::chrono::hours(10000);

/// AIOSIM_SEEDS's forms.
SeedRange parse_seeds(std::string_view text);
/// AIOSIM_POLICY's form: a comma-separated list of distinct policy names.
std::vector<Policy> parse_policies(std::string_view text);
/// A duration as AIOSIM_TIME_BUDGET and `aiosim explore --time` take it; `name` (the
/// variable or option) starts the error message.
std::chrono::milliseconds parse_duration(std::string_view text, std::string_view name = "AIOSIM_TIME_BUDGET");

struct Environment {
    std::optional<SeedRange> seeds;
    std::optional<std::vector<Policy>> policies;
    std::optional<std::chrono::milliseconds> time_budget;
    std::optional<Schedule> replay;
    std::optional<std::string> check;
    std::optional<std::string> trace;
    std::optional<bool> strict_order;
    std::optional<std::string> corpus;
    std::optional<std::string> save_failures;
};

/// AIOSIM_STRICT_ORDER's form: 1 or 0.
bool parse_strict_order(std::string_view text);

/// The value of an environment variable, or nullopt when it is unset.
using Lookup = std::function<std::optional<std::string>(std::string_view name)>;

/// Every AIOSIM_* variable above, through `lookup`; throws for the first malformed one.
Environment parse_environment(const Lookup& lookup);
/// parse_environment() over the process's environment (std::getenv).
Environment read_environment();

}  // namespace aio::check
