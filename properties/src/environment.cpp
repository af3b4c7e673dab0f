#include "aio/check/environment.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <limits>

#include <aio/errors.hpp>
#include <aio/sim/policy.hpp>

namespace aio::check {

namespace {

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

// At most 64 characters of a value for a message (a whole 100 KB value would drown it), with
// control characters shown as \xNN and no UTF-8 sequence cut in two.
std::string excerpt(std::string_view text) {
    constexpr std::size_t limit = 64;
    std::size_t keep = std::min(text.size(), limit);
    if (keep < text.size())
        while (keep > 0 && (static_cast<unsigned char>(text[keep]) & 0xC0) == 0x80) --keep;
    std::string out;
    for (char c : text.substr(0, keep)) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F)
            out += fmt::format("\\x{:02x}", u);
        else
            out += c;
    }
    if (keep < text.size()) out += fmt::format("... ({} bytes)", text.size());
    return out;
}

// Decimal digits only, fitting 64 bits.
std::optional<std::uint64_t> whole(std::string_view s) noexcept {
    if (s.empty() || s.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
}

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
    const std::size_t digits = std::min(text.find_first_not_of("0123456789"), text.size());
    if (digits == 0) throw bad("is not a duration");
    const auto n = whole(text.substr(0, digits));
    const std::string_view unit = text.substr(digits);
    std::uint64_t ms_per_unit = 0;
    if (unit == "ms")
        ms_per_unit = 1;
    else if (unit == "s" || unit.empty())
        ms_per_unit = 1000;
    else if (unit == "m")
        ms_per_unit = 60'000;
    else if (unit == "h")
        ms_per_unit = 3'600'000;
    else
        throw bad("has an unknown unit");
    const auto max = static_cast<std::uint64_t>(max_time_budget.count());
    if (!n || *n > max / ms_per_unit) throw bad("is too long");
    return std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(*n * ms_per_unit));
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
