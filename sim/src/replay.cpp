// Replay strings: formatting, parsing (with positioned errors), and the replaying source.
#include "aio/sim/replay.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace aio::sim {

namespace {

constexpr std::string_view magic = "aiosim";
constexpr int version = 1;

std::string caret_message(std::string_view text, std::size_t offset, const std::string& reason) {
    // Show the string and point at the offending character (long strings: a window).
    const std::size_t window = 60;
    std::size_t from = offset > window ? offset - window : 0;
    std::string_view shown = text.substr(from, 2 * window);
    return fmt::format("malformed replay string at character {}: {}\n  {}{}\n  {}^", offset, reason,
                       from > 0 ? "..." : "", shown, std::string(offset - from + (from > 0 ? 3 : 0), ' '));
}

class Parser {
public:
    explicit Parser(std::string_view t) : t_(t) {}

    [[noreturn]] void fail(std::size_t at, std::string reason) const { throw ReplayParseError(t_, at, std::move(reason)); }
    bool done() const { return i_ >= t_.size(); }
    char peek() const { return done() ? '\0' : t_[i_]; }
    std::size_t pos() const { return i_; }
    std::string got() const { return done() ? std::string("the end of the string") : fmt::format("'{}'", t_[i_]); }

    void expect(char c, std::string_view what) {
        if (peek() != c) fail(i_, fmt::format("expected '{}' {}, got {}", c, what, got()));
        ++i_;
    }
    std::string_view word() {  // letters only
        std::size_t s = i_;
        while (!done() && ((t_[i_] >= 'a' && t_[i_] <= 'z') || (t_[i_] >= 'A' && t_[i_] <= 'Z'))) ++i_;
        return t_.substr(s, i_ - s);
    }
    bool at_digit() const { return !done() && t_[i_] >= '0' && t_[i_] <= '9'; }
    std::uint64_t number(std::string_view what, std::uint64_t max = std::numeric_limits<std::uint64_t>::max()) {
        std::size_t s = i_;
        if (!at_digit()) fail(i_, fmt::format("expected {} (a decimal number), got {}", what, got()));
        std::uint64_t v = 0;
        while (at_digit()) {
            unsigned d = static_cast<unsigned>(t_[i_] - '0');
            if (v > (max - d) / 10) fail(s, fmt::format("{} is out of range (at most {})", what, max));
            v = v * 10 + d;
            ++i_;
        }
        return v;
    }
    Duration duration(std::string_view what) {
        std::size_t s = i_;
        std::uint64_t v = number(what);
        std::size_t us = i_;
        std::string_view unit = word();
        std::uint64_t scale;
        if (unit == "ns") scale = 1;
        else if (unit == "us") scale = 1'000;
        else if (unit == "ms") scale = 1'000'000;
        else if (unit == "s") scale = 1'000'000'000;
        else if (unit == "m") scale = 60'000'000'000;
        else if (unit == "h") scale = 3'600'000'000'000;
        else fail(us, fmt::format("{} needs a unit (ns, us, ms, s, m or h), got {}", what,
                                  unit.empty() ? got() : fmt::format("'{}'", unit)));
        if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) / scale)
            fail(s, fmt::format("{} is out of range", what));
        return Duration(static_cast<std::int64_t>(v * scale));
    }

    std::string_view t_;
    std::size_t i_ = 0;
};

}  // namespace

ReplayParseError::ReplayParseError(std::string_view text, std::size_t offset, std::string reason)
    : aio::ValueError(caret_message(text, offset, reason)), offset_(offset), reason_(std::move(reason)) {}

std::string format_duration(Duration d) {
    const std::int64_t ns = d.count();
    struct Unit {
        std::int64_t scale;
        const char* name;
    };
    for (Unit u : {Unit{3'600'000'000'000, "h"}, Unit{60'000'000'000, "m"}, Unit{1'000'000'000, "s"},
                   Unit{1'000'000, "ms"}, Unit{1'000, "us"}})
        if (ns != 0 && ns % u.scale == 0) return fmt::format("{}{}", ns / u.scale, u.name);
    return fmt::format("{}ns", ns);
}

std::string Schedule::to_string() const {
    const Schedule def;
    std::string params;
    auto add = [&](std::string p) {
        if (!params.empty()) params += ',';
        params += p;
    };
    if (policy != Policy::fifo || seed != 0) add(fmt::format("seed={}", seed));
    if (policy == Policy::pct || pct_depth != def.pct_depth) add(fmt::format("d={}", pct_depth));
    if (pct_steps != def.pct_steps) add(fmt::format("k={}", pct_steps));
    if (jitter != def.jitter) add("jitter=" + format_duration(jitter));
    if (task_start != def.task_start) add(fmt::format("start={}", task_start_name(task_start)));
    if (limits.max_steps != def.limits.max_steps) add(fmt::format("steps={}", limits.max_steps));
    if (limits.max_virtual_time != def.limits.max_virtual_time)
        add("vtime=" + format_duration(limits.max_virtual_time));
    std::string out = fmt::format("{}{}:{}:{}", magic, version, policy_name(policy), params.empty() ? "-" : params);
    if (!decisions) return out;
    out += ':';
    if (decisions->empty()) return out + '-';
    std::uint64_t next = 0;
    bool first = true;
    for (const Decision& d : *decisions) {
        if (!first) out += '.';
        first = false;
        if (d.position > next) out += fmt::format("{}", d.position - next);
        out += fmt::format("{}{}", choice_letter(d.kind), d.index);
        next = d.position + 1;
    }
    return out;
}

Schedule Schedule::parse(std::string_view text) {
    Parser p(text);
    Schedule s;
    // Header: "aiosim" <version> ":".
    if (text.substr(0, magic.size()) != magic)
        p.fail(0, fmt::format("a replay string starts with '{}{}:', got '{}'", magic, version,
                              text.substr(0, std::min<std::size_t>(text.size(), 12))));
    p.i_ = magic.size();
    std::size_t vat = p.pos();
    std::uint64_t v = p.number("the format version");
    if (v != version)
        p.fail(vat, fmt::format("replay string version {} is not supported (this build reads version {})", v, version));
    p.expect(':', "after the version");

    std::size_t at = p.pos();
    std::string_view pname = p.word();
    auto pol = policy_from_name(pname);
    if (!pol)
        p.fail(at, fmt::format("unknown policy '{}' (valid: {})", pname.empty() ? p.got() : std::string(pname),
                               policy_names()));
    s.policy = *pol;
    p.expect(':', "after the policy");

    if (p.peek() == '-') {
        p.i_++;
    } else {
        for (;;) {
            at = p.pos();
            std::string_view key = p.word();
            if (key.empty()) p.fail(at, fmt::format("expected a parameter name (seed, d, k, jitter, start, steps, vtime) or '-', got {}", p.got()));
            p.expect('=', fmt::format("after '{}'", key));
            if (key == "seed") {
                s.seed = p.number("the seed");
            } else if (key == "d") {
                s.pct_depth = static_cast<int>(p.number("the pct depth d", 64));
                if (s.pct_depth < 1) p.fail(at, "the pct depth d must be at least 1");
            } else if (key == "k") {
                s.pct_steps = p.number("the pct step estimate k");
                if (s.pct_steps < 1) p.fail(at, "the pct step estimate k must be at least 1");
            } else if (key == "jitter") {
                s.jitter = p.duration("the jitter");
            } else if (key == "start") {
                std::size_t vs = p.pos();
                std::string_view name = p.word();
                auto ts = task_start_from_name(name);
                if (!ts) p.fail(vs, fmt::format("unknown task start '{}' (valid: scheduled, eager, run, task)", name));
                s.task_start = *ts;
            } else if (key == "steps") {
                s.limits.max_steps = p.number("the step limit");
            } else if (key == "vtime") {
                s.limits.max_virtual_time = p.duration("the virtual time limit");
            } else {
                p.fail(at, fmt::format("unknown parameter '{}' (valid: seed, d, k, jitter, start, steps, vtime)", key));
            }
            if (p.peek() != ',') break;
            p.i_++;
        }
    }
    if (p.done()) return s;  // a seeded run: no decision list
    p.expect(':', "before the decisions");

    std::vector<Decision> list;
    if (p.peek() == '-' ) {
        p.i_++;
    } else {
        std::uint64_t next = 0;
        for (;;) {
            std::uint64_t skip = 0;
            if (p.at_digit()) skip = p.number("the count of zero decisions to skip");
            at = p.pos();
            auto kind = choice_from_letter(p.peek());
            if (!kind) p.fail(at, fmt::format("expected a decision kind (r, t, j, s or w), got {}", p.got()));
            p.i_++;
            std::size_t iat = p.pos();
            std::uint64_t idx = p.number("the decision index", std::numeric_limits<std::uint32_t>::max());
            if (idx == 0) p.fail(iat, "a listed decision must be at least 1 (zero decisions are implied, not listed)");
            if (skip > std::numeric_limits<std::uint64_t>::max() - next) p.fail(at, "decision position out of range");
            list.push_back({next + skip, *kind, static_cast<std::uint32_t>(idx)});
            next = next + skip + 1;
            if (p.peek() != '.') break;
            p.i_++;
        }
    }
    if (!p.done()) p.fail(p.pos(), fmt::format("unexpected {} after the decisions", p.got()));
    s.decisions = std::move(list);
    return s;
}

std::size_t ReplaySource::choose(const ChoicePoint& p) {
    if (next_ >= d_.size() || d_[next_].position > p.position) return 0;
    // A lenient list may hold positions the run skipped past (it never offered them).
    while (next_ < d_.size() && d_[next_].position < p.position) ++next_;
    if (next_ >= d_.size() || d_[next_].position != p.position) return 0;
    const Decision& d = d_[next_++];
    if (!strict_) return std::min<std::size_t>(d.index, p.n - 1);
    if (d.kind != p.kind) return p.n;  // reported by explain_mismatch
    return d.index;
}

std::string ReplaySource::explain_mismatch(const ChoicePoint& p, std::size_t got) const {
    const Decision& d = d_[next_ - 1];
    if (d.kind != p.kind)
        return fmt::format("the replay string has {}{} (a {} choice) there, but the program now offers a {} choice among {} candidates",
                           choice_letter(d.kind), d.index, choice_name(d.kind), choice_name(p.kind), p.n);
    return fmt::format("the replay string has {}{} there, but the program now offers only {} candidates (0 to {})",
                       choice_letter(d.kind), got, p.n, p.n - 1);
}

}  // namespace aio::sim
