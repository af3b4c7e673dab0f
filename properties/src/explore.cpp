#include "aio/check/explore.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <string_view>

#include <aio/sim/policy.hpp>

namespace aio::check {

namespace {

std::optional<std::string> env(const char* name) {
    const char* v = std::getenv(name);
    if (!v || !*v) return std::nullopt;
    return std::string(v);
}

std::uint64_t parse_u64(const std::string& s, const char* var) {
    std::size_t used = 0;
    unsigned long long v = 0;
    try {
        v = std::stoull(s, &used);
    } catch (...) {
        used = 0;
    }
    if (used != s.size() || s.empty() || s[0] == '-')
        throw aio::ValueError(fmt::format("{}: '{}' is not a non-negative integer", var, s));
    return v;
}

std::chrono::milliseconds parse_budget(const std::string& s) {
    std::size_t i = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == 0) throw aio::ValueError(fmt::format("AIOSIM_TIME_BUDGET: '{}' is not a duration like 30s, 2m or 500ms", s));
    const std::uint64_t n = parse_u64(s.substr(0, i), "AIOSIM_TIME_BUDGET");
    const std::string unit = s.substr(i);
    if (unit == "ms") return std::chrono::milliseconds(n);
    if (unit == "s" || unit.empty()) return std::chrono::seconds(n);
    if (unit == "m") return std::chrono::minutes(n);
    if (unit == "h") return std::chrono::hours(n);
    throw aio::ValueError(fmt::format("AIOSIM_TIME_BUDGET: unknown unit '{}' in '{}' (use ms, s, m or h)", unit, s));
}

// Applies AIOSIM_SEEDS, AIOSIM_POLICY and AIOSIM_TIME_BUDGET to the options.
void apply_environment(ExploreOptions& o) {
    if (auto s = env("AIOSIM_SEEDS")) {
        if (auto dots = s->find(".."); dots != std::string::npos) {
            const std::uint64_t a = parse_u64(s->substr(0, dots), "AIOSIM_SEEDS");
            const std::uint64_t b = parse_u64(s->substr(dots + 2), "AIOSIM_SEEDS");
            if (b < a) throw aio::ValueError(fmt::format("AIOSIM_SEEDS: empty range '{}'", *s));
            o.first_seed = a;
            o.seeds = b - a + 1;
        } else {
            o.seeds = parse_u64(*s, "AIOSIM_SEEDS");
        }
    }
    if (auto p = env("AIOSIM_POLICY")) {
        o.policies.clear();
        std::string_view rest = *p;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            const std::string_view name = rest.substr(0, comma);
            auto policy = aio::sim::policy_from_name(name);
            if (!policy)
                throw aio::ValueError(fmt::format("AIOSIM_POLICY: unknown policy '{}' (valid: {})", name,
                                                  aio::sim::policy_names()));
            o.policies.push_back(*policy);
            rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        }
    }
    if (auto b = env("AIOSIM_TIME_BUDGET")) o.time_budget = parse_budget(*b);
}

std::string shell_quote(const std::string& s) {
    if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%") ==
                          std::string::npos)
        return s;
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

class Explorer {
public:
    Explorer(const RunOne& run_one, ExploreOptions o) : run_one_(run_one), o_(std::move(o)) {}

    Verdict run() {
        const auto replay = env("AIOSIM_REPLAY");
        const auto only = env("AIOSIM_CHECK");
        if (replay && (!only || *only == o_.name)) return replay_one(*replay);
        apply_environment(o_);
        const auto t0 = std::chrono::steady_clock::now();
        auto out_of_time = [&] {
            return o_.time_budget && std::chrono::steady_clock::now() - t0 >= *o_.time_budget;
        };
        bool fifo_done = false;
        // A time budget still runs the first seed under every policy.
        for (std::uint64_t i = 0; i < o_.seeds && (i == 0 || !out_of_time()); ++i) {
            const std::uint64_t seed = o_.first_seed + i;
            for (Policy p : o_.policies) {
                if (p == Policy::fifo) {
                    if (fifo_done) continue;
                    fifo_done = true;
                }
                aio::sim::Config cfg = o_.base;
                cfg.policy = p;
                cfg.seed = seed;
                cfg.replay.reset();
                auto rec = std::make_shared<aio::sim::RunRecord>();
                cfg.record = rec;
                ++v_.runs;
                if (auto error = run_one_(cfg)) {
                    fail(p, p == Policy::fifo ? 0 : seed, *error, *rec);
                    return v_;
                }
            }
        }
        return v_;
    }

private:
    Verdict replay_one(const std::string& replay) {
        aio::sim::Config cfg = o_.base;
        cfg.replay = Schedule::parse(replay);  // throws ReplayParseError saying where and why
        cfg.strict_replay = true;
        auto rec = std::make_shared<aio::sim::RunRecord>();
        cfg.record = rec;
        ++v_.runs;
        if (auto error = run_one_(cfg)) {
            o_.shrink = false;
            fail(cfg.schedule().policy, cfg.schedule().seed, *error, *rec);
        }
        return v_;
    }

    void fail(Policy p, std::uint64_t seed, const std::string& error, const aio::sim::RunRecord& rec) {
        Failure f;
        f.policy = p;
        f.seed = seed;
        f.error = error;
        f.found_replay = rec.replay;
        f.replay = rec.replay;
        f.decisions_before = f.decisions_after = static_cast<std::size_t>(rec.nonzero_decisions);
        std::string shrink_note;
        if (o_.shrink && rec.schedule.decisions && !rec.schedule.decisions->empty()) {
            try {
                FailsFn fails = [this](const aio::sim::Config& c) { return run_one_(c).has_value(); };
                ShrinkResult s = shrink_schedule(fails, rec.schedule);
                v_.runs += s.runs;
                f.replay = s.replay;
                f.decisions_before = s.before;
                f.decisions_after = s.after;
            } catch (const std::exception& e) {
                // Shrinking needs the failure to reproduce; report the run as found.
                shrink_note = fmt::format("\n  (not shrunk: {})", e.what());
            }
        }
        const std::string prefix = fmt::format("AIOSIM_CHECK={} ", shell_quote(o_.name));
        const std::string cmd = this_command();
        f.replay_command = fmt::format("{}AIOSIM_REPLAY={} {}", prefix, f.replay, cmd);
        f.seed_command = p == Policy::fifo
                             ? fmt::format("{}AIOSIM_POLICY=fifo {}", prefix, cmd)
                             : fmt::format("{}AIOSIM_POLICY={} AIOSIM_SEEDS={}..{} {}", prefix,
                                           aio::sim::policy_name(p), seed, seed, cmd);
        v_.ok = false;
        v_.report = fmt::format(
            "aio::check: '{}' failed under policy {}{} (after {} runs)\n"
            "  {}\n"
            "  replay string: {} ({} non-zero decision(s); the failing run had {}){}\n"
            "  replay it:     {}\n"
            "  or the seed:   {}\n",
            o_.name, aio::sim::policy_name(p), p == Policy::fifo ? "" : fmt::format(", seed {}", seed), v_.runs,
            f.error, f.replay, f.decisions_after, f.decisions_before, shrink_note, f.replay_command, f.seed_command);
        v_.failure = std::move(f);
        if (o_.print)
            o_.print(v_.report);
        else
            std::fputs(v_.report.c_str(), stderr);
    }

    const RunOne& run_one_;
    ExploreOptions o_;
    Verdict v_;
};

}  // namespace

Verdict explore(const RunOne& run_one, ExploreOptions options) { return Explorer(run_one, std::move(options)).run(); }

std::string this_command() {
    std::ifstream in("/proc/self/cmdline", std::ios::binary);
    std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string out;
    std::size_t start = 0;
    while (start < raw.size()) {
        std::size_t end = raw.find('\0', start);
        if (end == std::string::npos) end = raw.size();
        if (!out.empty()) out += ' ';
        out += shell_quote(raw.substr(start, end - start));
        start = end + 1;
    }
    return out.empty() ? "<your test command>" : out;
}

}  // namespace aio::check
