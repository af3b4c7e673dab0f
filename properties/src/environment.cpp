#include "aio/check/environment.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <limits>

#include <aio/errors.hpp>
#include <aio/sim/parse.hpp>
#include <aio/sim/policy.hpp>

namespace aio::check {

namespace {

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

using aio::sim::excerpt;

// Decimal digits only, fitting 64 bits.
std::optional<std::uint64_t> whole(std::string_view s) noexcept { return aio::sim::parse_whole(s); }

[[noreturn]] void seeds_error(std::string_view text, std::string_view why) {
    throw aio::ValueError(
        fmt::format("AIOSIM_SEEDS: '{}' {}; use N (seeds 1..N, N from 1 to {}) or A..B (seeds A to "
                    "B, A <= B)",
                    excerpt(text), why, kMax));
}

}  // namespace

SeedRange parse_seeds(std::string_view text) {
    const auto dots = text.find("..");
    if (dots == std::string_view::npos) {
        const auto n = whole(text);
        if (!n) seeds_error(text, "is not a seed budget");
        if (*n == 0) seeds_error(text, "asks for no seeds, and a check that runs nothing cannot pass");
        return {1, *n};
    }
    const auto a = whole(text.substr(0, dots));
    const auto b = whole(text.substr(dots + 2));
    if (!a || !b) seeds_error(text, "is not a seed range");
    if (*b < *a) seeds_error(text, "is an empty range");
    if (*a == 0 && *b == kMax) seeds_error(text, "has 2^64 seeds, one more than can be counted");
    return {*a, *b - *a + 1};
}

std::vector<Policy> parse_policies(std::string_view text) {
    std::vector<Policy> out;
    auto bad = [&](std::string_view name, std::string_view why) {
        const std::string in = name == text ? std::string() : fmt::format(" in '{}'", excerpt(text));
        return aio::ValueError(
            fmt::format("AIOSIM_POLICY: {} '{}'{} (valid: {}; give one or more, separated by "
                        "commas, each once)",
                        why, excerpt(name), in, aio::sim::policy_names()));
    };
    std::string_view rest = text;
    for (;;) {
        const auto comma = rest.find(',');
        const std::string_view name = rest.substr(0, comma);
        const auto policy = aio::sim::policy_from_name(name);
        if (name.empty()) throw bad(name, "an empty policy name");
        if (!policy) throw bad(name, "unknown policy");
        if (std::find(out.begin(), out.end(), *policy) != out.end()) throw bad(name, "a repeated policy");
        out.push_back(*policy);
        if (comma == std::string_view::npos) return out;
        rest.remove_prefix(comma + 1);
    }
}

std::chrono::milliseconds parse_duration(std::string_view text, std::string_view name) {
    auto bad = [&](std::string_view why) {
        return aio::ValueError(
            fmt::format("{}: '{}' {}; give a whole number and a unit, ms, s, m or h (30s, 2m, "
                        "500ms; a bare number is seconds), at most 10000h",
                        name, excerpt(text), why));
    };
    using Error = aio::sim::DurationText::Error;
    const aio::sim::DurationText d =
        aio::sim::read_duration(text, {.bare_seconds = true, .sub_millisecond = false, .max = max_time_budget});
    switch (d.error) {
    case Error::none: break;
    case Error::no_number: throw bad("is not a duration");
    case Error::no_unit:
    case Error::unknown_unit: throw bad("has an unknown unit");
    case Error::number_overflow:
    case Error::too_long: throw bad("is too long");
    }
    if (d.end != text.size()) throw bad("has an unknown unit");  // "1.5s", "10s5"
    return std::chrono::duration_cast<std::chrono::milliseconds>(d.value);
}

bool parse_strict_order(std::string_view text) {
    if (text == "1") return true;
    if (text == "0") return false;
    throw aio::ValueError(
        fmt::format("AIOSIM_STRICT_ORDER: '{}' is not 1 or 0; give 1 (a failure found only in an order CPython's "
                    "asyncio cannot run fails the check) or 0 (it is a warning)",
                    excerpt(text)));
}

Environment parse_environment(const Lookup& lookup) {
    auto get = [&](std::string_view name) -> std::optional<std::string> {
        auto v = lookup(name);
        if (v && v->empty()) v.reset();
        return v;
    };
    Environment e;
    if (auto s = get("AIOSIM_SEEDS")) e.seeds = parse_seeds(*s);
    if (auto p = get("AIOSIM_POLICY")) e.policies = parse_policies(*p);
    if (auto b = get("AIOSIM_TIME_BUDGET")) e.time_budget = parse_duration(*b, "AIOSIM_TIME_BUDGET");
    if (auto r = get("AIOSIM_REPLAY")) e.replay = Schedule::parse(*r);  // says where and why
    e.check = get("AIOSIM_CHECK");
    e.trace = get("AIOSIM_TRACE");
    if (auto o = get("AIOSIM_STRICT_ORDER")) e.strict_order = parse_strict_order(*o);
    e.corpus = get("AIOSIM_CORPUS");
    e.save_failures = get("AIOSIM_SAVE_FAILURES");
    return e;
}

Environment read_environment() {
    return parse_environment([](std::string_view name) -> std::optional<std::string> {
        const char* v = std::getenv(std::string(name).c_str());
        if (!v) return std::nullopt;
        return std::string(v);
    });
}

}  // namespace aio::check
