// Replay strings: formatting, parsing (with positioned errors), and the replaying source.
#include "aio/sim/replay.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <deque>
#include <limits>
#include <vector>

#include "aio/sim/parse.hpp"
#include "aio/sim/validate.hpp"

namespace aio::sim {

namespace {

constexpr std::string_view magic = "aiosim";
constexpr int version = 1;

// The length of the UTF-8 sequence starting at t[i] (1 for a byte that starts none).
std::size_t sequence_length(std::string_view t, std::size_t i) {
    const auto b = static_cast<unsigned char>(t[i]);
    std::size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 1;
    if (i + n > t.size()) return 1;
    for (std::size_t k = 1; k < n; ++k)
        if ((static_cast<unsigned char>(t[i + k]) & 0xC0) != 0x80) return 1;
    return n;
}

// One character of the input as shown in a message: a valid UTF-8 sequence as it is, a tab
// as a tab (the caret line copies it, so the caret lines up), anything else unprintable as '?'.
std::string_view shown_char(std::string_view t, std::size_t i, std::size_t n) {
    const auto b = static_cast<unsigned char>(t[i]);
    if (n == 1 && (b < 0x20 || b >= 0x7F) && b != '\t') return "?";
    return t.substr(i, n);
}

// At most this many characters of the input are shown before and after the error.
constexpr std::size_t excerpt_side = 30;

std::string caret_message(std::string_view text, std::size_t offset, const std::string& reason) {
    // Character (code point) starts up to the offset, so the window and the caret count
    // characters, not bytes, and never cut a multibyte character.
    offset = std::min(offset, text.size());
    std::deque<std::size_t> starts;  // of the last excerpt_side characters before offset
    std::size_t chars_before = 0;
    for (std::size_t i = 0; i < offset; i += sequence_length(text, i)) {
        if (starts.size() == excerpt_side) starts.pop_front();
        starts.push_back(i);
        ++chars_before;
    }
    const std::size_t from = chars_before > excerpt_side ? starts.front() : 0;
    std::string shown = from > 0 ? "..." : "";
    std::string caret(from > 0 ? 3 : 0, ' ');
    std::size_t i = from;
    while (i < offset) {
        const std::size_t n = sequence_length(text, i);
        shown += shown_char(text, i, n);
        caret += text[i] == '\t' ? '\t' : ' ';
        i += n;
    }
    for (std::size_t k = 0; i < text.size() && k <= excerpt_side; ++k) {
        const std::size_t n = sequence_length(text, i);
        shown += shown_char(text, i, n);
        i += n;
    }
    if (i < text.size()) shown += "...";
    return fmt::format("malformed replay string at character {}: {}\n  {}\n  {}^", chars_before, reason, shown, caret);
}

// Input quoted in a reason: at most `max_chars` characters, never cut inside one.
std::string clip(std::string_view word, std::size_t max_chars = excerpt_side) {
    std::string out;
    std::size_t i = 0;
    for (std::size_t k = 0; i < word.size() && k < max_chars; ++k) {
        const std::size_t n = sequence_length(word, i);
        out += shown_char(word, i, n);
        i += n;
    }
    if (i < word.size()) out += "...";
    return out;
}

class Parser {
public:
    explicit Parser(std::string_view t) : t_(t) {}

    [[noreturn]] void fail(std::size_t at, std::string reason) const {
        throw ReplayParseError(t_, at, std::move(reason));
    }
    bool done() const { return i_ >= t_.size(); }
    char peek() const { return done() ? '\0' : t_[i_]; }
    std::size_t pos() const { return i_; }
    std::string got() const {
        if (done()) return "the end of the string";
        const std::size_t n = sequence_length(t_, i_);
        return fmt::format("'{}'", shown_char(t_, i_, n));
    }
    // Reports a range error of what was just read (validate.hpp's table) at `at`.
    void check(const Schedule& s, std::size_t at) const {
        try {
            validate(s);
        } catch (const ConfigError& e) {
            fail(at, e.reason());
        }
    }

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
        using Error = DurationText::Error;
        const std::size_t s = i_;
        const DurationText d = read_duration(t_.substr(i_));
        switch (d.error) {
        case Error::none: break;
        case Error::no_number: fail(i_, fmt::format("expected {} (a decimal number), got {}", what, got()));
        case Error::number_overflow:
            fail(s, fmt::format("{} is out of range (at most {})", what, std::numeric_limits<std::uint64_t>::max()));
        case Error::no_unit:
        case Error::unknown_unit:
            i_ = s + d.unit_at;
            fail(i_, fmt::format("{} needs a unit (ns, us, ms, s, m or h), got {}", what,
                                 d.unit.empty() ? got() : fmt::format("'{}'", clip(d.unit))));
        case Error::too_long: fail(s, fmt::format("{} is out of range", what));
        }
        i_ = s + d.end;
        return d.value;
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

namespace {
// `v` in decimal, as fmt's "{}" writes it, appended without a temporary string (every run's
// record builds its replay string: these are its common parts).
template <class Int>
void append_number(std::string& out, Int v) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}
}  // namespace

std::string Schedule::to_string() const {
    const Schedule def;
    std::string params;
    auto add = [&](std::string p) {
        if (!params.empty()) params += ',';
        params += p;
    };
    auto add_number = [&](std::string_view key, auto v) {
        if (!params.empty()) params += ',';
        params += key;
        append_number(params, v);
    };
    if (policy != Policy::fifo || seed != 0) add_number("seed=", seed);
    if (policy == Policy::pct || pct_depth != def.pct_depth) add_number("d=", pct_depth);
    if (pct_steps != def.pct_steps) add(fmt::format("k={}", pct_steps));
    if (delay_bound != def.delay_bound) add(fmt::format("bound={}", delay_bound));
    if (delay_points != def.delay_points) add(fmt::format("pts={}", delay_points));
    if (jitter != def.jitter) add("jitter=" + format_duration(jitter));
    if (task_start != def.task_start) add(fmt::format("start={}", task_start_name(task_start)));
    if (batch != def.batch) add("batch=" + format_duration(batch));
    if (ahead != def.ahead) add("ahead=" + format_duration(ahead));
    if (cost != def.cost) add("cost=" + format_duration(cost));
    if (limits.max_steps != def.limits.max_steps) add(fmt::format("steps={}", limits.max_steps));
    if (limits.max_virtual_time != def.limits.max_virtual_time)
        add("vtime=" + format_duration(limits.max_virtual_time));
    const NetConfig& n = network;
    const NetConfig& dn = def.network;
    if (n.faults.budget != dn.faults.budget) add(fmt::format("faults={}", n.faults.budget));
    if (n.faults.rate != dn.faults.rate) add(fmt::format("frate={}", n.faults.rate));
    if (n.faults.kinds != dn.faults.kinds) add("fkinds=" + n.faults.kinds.letters());
    if (n.latency != dn.latency) add("lat=" + format_duration(n.latency));
    if (n.latency_spread != dn.latency_spread) add("spread=" + format_duration(n.latency_spread));
    if (n.window != dn.window) add(fmt::format("win={}", n.window));
    if (n.segment != dn.segment) add(fmt::format("seg={}", n.segment));
    if (n.connect_timeout != dn.connect_timeout) add("ctimeout=" + format_duration(n.connect_timeout));
    if (n.stall_time != dn.stall_time) add("stall=" + format_duration(n.stall_time));
    if (n.partition_time != dn.partition_time) add("part=" + format_duration(n.partition_time));
    if (n.restart_delay != dn.restart_delay) add("restart=" + format_duration(n.restart_delay));
    if (n.slow_factor != dn.slow_factor) add(fmt::format("slowx={}", n.slow_factor));
    std::string out;
    out.reserve(magic.size() + 2 + 16 + params.size() + (decisions ? 2 + 8 * decisions->size() : 0));
    out += magic;
    append_number(out, version);
    out += ':';
    out += policy_name(policy);
    out += ':';
    out += params.empty() ? std::string_view("-") : std::string_view(params);
    if (!decisions) return out;
    out += ':';
    if (decisions->empty()) return out + '-';
    std::uint64_t next = 0;
    bool first = true;
    for (const Decision& d : *decisions) {
        if (!first) out += '.';
        first = false;
        if (d.position > next) append_number(out, d.position - next);
        out += choice_letter(d.kind);
        append_number(out, d.index);
        next = d.position + 1;
    }
    return out;
}

Schedule Schedule::parse(std::string_view text) {
    Parser p(text);
    Schedule s;
    // Header: "aiosim" <version> ":".
    if (text.substr(0, magic.size()) != magic)
        p.fail(0, fmt::format("a replay string starts with '{}{}:', got '{}'", magic, version, clip(text, 12)));
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
        p.fail(at, fmt::format("unknown policy {} (valid: {})", pname.empty() ? p.got() : "'" + clip(pname) + "'",
                               policy_names()));
    s.policy = *pol;
    p.expect(':', "after the policy");

    if (p.peek() == '-') {
        p.i_++;
    } else {
        for (;;) {
            at = p.pos();
            std::string_view key = p.word();
            if (key.empty())
                p.fail(at, fmt::format(
                               "expected a parameter name (seed, d, k, bound, pts, jitter, batch, ahead, cost, start, "
                               "steps, vtime, faults, frate, fkinds, lat, spread, win, seg, ctimeout, stall, part, "
                               "restart, slowx) or '-', got {}",
                               p.got()));
            p.expect('=', fmt::format("after '{}'", clip(key)));
            const std::size_t vat = p.pos();
            if (key == "seed") {
                s.seed = p.number("the seed");
            } else if (key == "d") {
                s.pct_depth = static_cast<int>(p.number("the pct depth d", max_pct_depth));
            } else if (key == "k") {
                s.pct_steps = p.number("the pct step estimate k");
            } else if (key == "bound") {
                s.delay_bound = static_cast<int>(p.number("the delay bound", max_delay_bound));
            } else if (key == "pts") {
                s.delay_points = p.number("the delay choice points");
            } else if (key == "jitter") {
                s.jitter = p.duration("the jitter");
            } else if (key == "batch") {
                s.batch = p.duration("the timer batching window");
            } else if (key == "ahead") {
                s.ahead = p.duration("the overtake window");
            } else if (key == "cost") {
                s.cost = p.duration("the step cost");
            } else if (key == "start") {
                std::string_view name = p.word();
                auto ts = task_start_from_name(name);
                if (!ts)
                    p.fail(vat,
                           fmt::format("unknown task start '{}' (valid: scheduled, eager, run, task)", clip(name)));
                s.task_start = *ts;
            } else if (key == "steps") {
                s.limits.max_steps = p.number("the step limit");
            } else if (key == "vtime") {
                s.limits.max_virtual_time = p.duration("the virtual time limit");
            } else if (key == "faults") {
                s.network.faults.budget =
                    static_cast<std::uint32_t>(p.number("the fault budget", std::numeric_limits<std::uint32_t>::max()));
            } else if (key == "frate") {
                s.network.faults.rate =
                    static_cast<std::uint32_t>(p.number("the fault rate", std::numeric_limits<std::uint32_t>::max()));
            } else if (key == "fkinds") {
                std::string_view letters = p.word();
                FaultKinds kinds{0};
                for (std::size_t i = 0; i < letters.size(); ++i) {
                    auto k = fault_kind_from_letter(letters[i]);
                    if (!k)
                        p.fail(vat + i, fmt::format("unknown fault kind '{}' (valid: x refuse, r reset, h stall, p "
                                                    "partition, c crash, w slow, b fault point)",
                                                    letters[i]));
                    kinds.add(*k);
                }
                s.network.faults.kinds = kinds;
            } else if (key == "lat") {
                s.network.latency = p.duration("the latency");
            } else if (key == "spread") {
                s.network.latency_spread = p.duration("the latency spread");
            } else if (key == "win") {
                s.network.window = static_cast<std::size_t>(p.number("the window"));
            } else if (key == "seg") {
                s.network.segment = static_cast<std::size_t>(p.number("the segment size"));
            } else if (key == "ctimeout") {
                s.network.connect_timeout = p.duration("the connect timeout");
            } else if (key == "stall") {
                s.network.stall_time = p.duration("the stall time");
            } else if (key == "part") {
                s.network.partition_time = p.duration("the partition time");
            } else if (key == "restart") {
                s.network.restart_delay = p.duration("the restart delay");
            } else if (key == "slowx") {
                s.network.slow_factor =
                    static_cast<std::uint32_t>(p.number("the slow factor", std::numeric_limits<std::uint32_t>::max()));
            } else {
                p.fail(at, fmt::format("unknown parameter '{}' (valid: seed, d, k, jitter, batch, ahead, cost, start, "
                                       "steps, vtime, faults, "
                                       "frate, fkinds, lat, spread, win, seg, ctimeout, stall, part, restart, slowx)",
                                       clip(key)));
            }
            p.check(s, vat);
            if (p.peek() != ',') break;
            p.i_++;
        }
    }
    if (p.done()) return s;  // a seeded run: no decision list
    p.expect(':', "before the decisions");

    std::vector<Decision> list;
    if (p.peek() == '-') {
        p.i_++;
    } else {
        std::uint64_t next = 0;
        bool last_position_used = false;  // a decision at 2^64-1: nothing can follow it
        for (;;) {
            const std::size_t eat = p.pos();
            if (last_position_used)
                p.fail(eat, fmt::format("decision position out of range: the previous decision is at the last position "
                                        "{}, so no decision can follow it",
                                        std::numeric_limits<std::uint64_t>::max()));
            std::uint64_t skip = 0;
            if (p.at_digit()) skip = p.number("the count of zero decisions to skip");
            at = p.pos();
            auto kind = choice_from_letter(p.peek());
            if (!kind)
                p.fail(at, fmt::format("expected a decision kind (r, t, j, s, w, l, f, b or o), got {}", p.got()));
            p.i_++;
            std::size_t iat = p.pos();
            std::uint64_t idx = p.number("the decision index", std::numeric_limits<std::uint32_t>::max());
            if (idx == 0) p.fail(iat, "a listed decision must be at least 1 (zero decisions are implied, not listed)");
            if (skip > std::numeric_limits<std::uint64_t>::max() - next)
                p.fail(eat, fmt::format("decision position out of range: {} + {} zero decisions is past the last "
                                        "position {}",
                                        next, skip, std::numeric_limits<std::uint64_t>::max()));
            const std::uint64_t position = next + skip;
            list.push_back({position, *kind, static_cast<std::uint32_t>(idx)});
            last_position_used = position == std::numeric_limits<std::uint64_t>::max();
            next = last_position_used ? position : position + 1;
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
        return fmt::format(
            "the replay string has {}{} (a {} choice) there, but the program now offers a {} choice among {} "
            "candidates",
            choice_letter(d.kind), d.index, choice_name(d.kind), choice_name(p.kind), p.n);
    return fmt::format("the replay string has {}{} there, but the program now offers only {} candidates (0 to {})",
                       choice_letter(d.kind), got, p.n, p.n - 1);
}

}  // namespace aio::sim
