#include "aio/check/coverage.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>
#include <tuple>

namespace aio::check {

namespace {

// "a.cpp:42" -> ("a.cpp", 42, true); a name without a numeric line: (name, 0, false).
std::tuple<std::string_view, std::uint64_t, bool> split_point(std::string_view name) {
    const std::size_t colon = name.rfind(':');
    if (colon == std::string_view::npos || colon + 1 == name.size()) return {name, 0, false};
    std::uint64_t line = 0;
    for (std::size_t i = colon + 1; i < name.size(); ++i) {
        const char c = name[i];
        if (c < '0' || c > '9' || line > UINT64_MAX / 10 - 9) return {name, 0, false};
        line = line * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return {name.substr(0, colon), line, true};
}

std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20) {
            out += fmt::format("\\u{:04x}", u);
        } else {
            out += c;
        }
    }
    return out + "\"";
}

std::string json_pairs(const std::vector<std::pair<std::string, std::string>>& v) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i)
        out += fmt::format("{}[{},{}]", i ? "," : "", json_string(v[i].first), json_string(v[i].second));
    return out + "]";
}

}  // namespace

std::string with_thousands(std::uint64_t n) {
    std::string digits = std::to_string(n);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

bool Coverage::ByName::operator()(const std::string& a, const std::string& b) const {
    // A tuple (file, has no line, line, whole name): a strict weak order whatever the names.
    const auto [fa, la, na] = split_point(a);
    const auto [fb, lb, nb] = split_point(b);
    return std::tuple(fa, !na, la, std::string_view(a)) < std::tuple(fb, !nb, lb, std::string_view(b));
}

bool Coverage::PairByName::operator()(const std::pair<std::string, std::string>& a,
                                      const std::pair<std::string, std::string>& b) const {
    const ByName less;
    if (less(a.first, b.first)) return true;
    if (less(b.first, a.first)) return false;
    return less(a.second, b.second);
}

void Coverage::add(const aio::sim::RunCoverage& run) {
    ++schedules_;
    if (distinct_.size() < max_distinct)
        distinct_.insert(run.order_hash);
    else if (!distinct_.contains(run.order_hash))
        capped_ = true;
    const ByName less;
    for (const auto& [a, b] : run.pairs) {
        if (a >= run.points.size() || b >= run.points.size()) continue;  // not a valid record: nothing to name
        const std::string& first = run.points[a];
        const std::string& second = run.points[b];
        if (less(second, first))
            orders_[{second, first}] |= backward;
        else
            orders_[{first, second}] |= forward;
    }
}

void Coverage::merge(const Coverage& other) {
    schedules_ += other.schedules_;
    for (std::uint64_t h : other.distinct_) {
        if (distinct_.size() < max_distinct)
            distinct_.insert(h);
        else if (!distinct_.contains(h))
            capped_ = true;
    }
    capped_ = capped_ || other.capped_;
    for (const auto& [key, mask] : other.orders_) orders_[key] |= mask;
}

std::size_t Coverage::pairs() const noexcept {
    std::size_t n = 0;
    for (const auto& [key, mask] : orders_)
        if (key.first != key.second) ++n;
    return n;
}

std::size_t Coverage::reversed() const noexcept {
    std::size_t n = 0;
    for (const auto& [key, mask] : orders_)
        if (key.first != key.second && mask == (forward | backward)) ++n;
    return n;
}

std::vector<std::pair<std::string, std::string>> Coverage::never_reversed() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [key, mask] : orders_) {
        if (key.first == key.second || mask == (forward | backward)) continue;
        if (mask == forward)
            out.push_back(key);
        else
            out.emplace_back(key.second, key.first);
    }
    std::sort(out.begin(), out.end(), PairByName{});
    return out;
}

std::vector<std::string> Coverage::self_pairs() const {
    std::vector<std::string> out;
    for (const auto& [key, mask] : orders_)
        if (key.first == key.second) out.push_back(key.first);
    return out;  // orders_ is sorted by name already
}

std::string Coverage::line() const {
    const std::string distinct = capped_ ? fmt::format("over {} distinct", with_thousands(distinct_.size()))
                                         : fmt::format("{} distinct", with_thousands(distinct_.size()));
    std::string out =
        fmt::format("explored {} schedule{}, {}", with_thousands(schedules_), schedules_ == 1 ? "" : "s", distinct);
    const std::size_t total = pairs();
    out += fmt::format("; {} of {} conflicting await-point pair{} seen in both orders", with_thousands(reversed()),
                       with_thousands(total), total == 1 ? "" : "s");
    const auto never = never_reversed();
    if (!never.empty()) {
        constexpr std::size_t shown = 3;
        out += "; never reversed: ";
        for (std::size_t i = 0; i < never.size() && i < shown; ++i)
            out += fmt::format("{}{} / {}", i ? ", " : "", never[i].first, never[i].second);
        if (never.size() > shown) out += fmt::format(" (and {} more)", with_thousands(never.size() - shown));
    }
    const std::size_t self = self_pairs().size();
    if (self > 0)
        out += fmt::format("; {} await point{} where two tasks conflict with each other", with_thousands(self),
                           self == 1 ? "" : "s");
    return out;
}

std::optional<std::string> Coverage::warning() const {
    if (schedules_ == 0) return std::nullopt;
    if (distinct_.size() == 1) {
        if (schedules_ == 1)
            return std::string("nothing was explored: only one schedule ran (add seeds, or a policy other than fifo)");
        if (!orders_.empty())
            return fmt::format(
                "nothing was explored: all {} schedules ran the same order of task steps, though {} conflicting "
                "await-point pair{} could be reversed: the policies did not perturb it (use random, pct or pos)",
                with_thousands(schedules_), with_thousands(orders_.size()), orders_.size() == 1 ? "" : "s");
        return fmt::format(
            "nothing was explored: all {} schedules ran the same order of task steps: the program has no "
            "concurrency visible to the simulator",
            with_thousands(schedules_));
    }
    if (orders_.empty())
        return std::string(
            "nothing was explored: no two tasks touched the same object (a future, task, sync primitive, queue, "
            "stream, or what aio::touch() marks): the program has no concurrency visible to the simulator");
    if (reversed() == 0) {
        const std::size_t total = pairs();
        if (total == 0)
            return std::string(
                "nothing was explored: the only conflicts are between tasks at the same await point, whose order "
                "the simulator cannot tell apart: the program has no concurrency visible to the simulator");
        return fmt::format(
            "nothing was explored: none of the {} conflicting await-point pair{} was seen in both orders: the "
            "schedules differed, but never in the order of two steps that touch the same object",
            with_thousands(total), total == 1 ? "" : "s");
    }
    return std::nullopt;
}

std::string Coverage::to_json() const {
    std::vector<std::pair<std::string, std::string>> both;
    for (const auto& [key, mask] : orders_)
        if (key.first != key.second && mask == (forward | backward)) both.push_back(key);
    std::string self = "[";
    const auto selfs = self_pairs();
    for (std::size_t i = 0; i < selfs.size(); ++i) self += (i ? "," : "") + json_string(selfs[i]);
    self += "]";
    const auto warn = warning();
    return fmt::format(
        "{{\"schedules\":{},\"distinct_schedules\":{},\"distinct_capped\":{},\"pairs\":{},\"reversed\":{},"
        "\"never_reversed\":{},\"reversed_pairs\":{},\"self_pairs\":{},\"warning\":{}}}\n",
        schedules_, distinct_.size(), capped_ ? "true" : "false", pairs(), reversed(), json_pairs(never_reversed()),
        json_pairs(both), self, warn ? json_string(*warn) : std::string("null"));
}

std::string coverage_report(const Coverage& c, const std::string& indent) {
    if (c.schedules() == 0) return {};
    std::string out = indent + "coverage: " + c.line() + "\n";
    if (auto w = c.warning()) out += indent + "warning: " + *w + "\n";
    return out;
}

void append_run_coverage(aio::sim::RunCoverage& into, const aio::sim::RunCoverage& next) {
    std::vector<std::uint32_t> index(next.points.size());
    for (std::size_t i = 0; i < next.points.size(); ++i) {
        const auto at = std::find(into.points.begin(), into.points.end(), next.points[i]);
        index[i] = static_cast<std::uint32_t>(at - into.points.begin());
        if (at == into.points.end()) into.points.push_back(next.points[i]);
    }
    for (const auto& [a, b] : next.pairs) {
        if (a >= index.size() || b >= index.size()) continue;
        const std::pair<std::uint32_t, std::uint32_t> p{index[a], index[b]};
        if (std::find(into.pairs.begin(), into.pairs.end(), p) == into.pairs.end()) into.pairs.push_back(p);
    }
    // Chained, so that the same orders in other loops give another hash.
    std::uint64_t h = into.order_hash;
    for (int b = 0; b < 8; ++b) {
        h ^= (next.order_hash >> (8 * b)) & 0xffu;
        h *= 0x100000001b3ull;
    }
    into.order_hash = h;
}

}  // namespace aio::check
