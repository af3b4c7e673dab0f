#include "aio/check/explore.hpp"

#include "aio/check/environment.hpp"
#include "aio/check/plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <any>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <limits>
#include <memory>
#include <string_view>

#include <aio/sim/policy.hpp>

namespace aio::check {

namespace {

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

// The report's line for how a run failed.
std::string failure_line(const aio::sim::RunFailure& f) {
    if (f.kind == aio::sim::FailureKind::predicate || !f.exception) return f.message;
    return "exception: " + aio::describe(f.exception);
}

// The report of a failing check, built from the structured failure (every failure report
// of for_all_schedules is this one).
std::string failure_report(const std::string& name, const Failure& f, std::uint64_t runs,
                           const std::string& shrink_note) {
    return fmt::format(
        "aio::check: '{}' failed under policy {}{} (after {} runs)\n"
        "  {}\n"
        "  replay string: {} ({} non-zero decision(s); the failing run had {}){}\n"
        "  replay it:     {}\n"
        "  or the seed:   {}\n",
        name, aio::sim::policy_name(f.policy), f.policy == Policy::fifo ? "" : fmt::format(", seed {}", f.seed), runs,
        f.error, f.replay, f.decisions_after, f.decisions_before, shrink_note, f.replay_command, f.seed_command);
}

class Explorer {
public:
    Explorer(const RunOne& run_one, ExploreOptions o) : run_one_(run_one), o_(std::move(o)) {}

    ExploreResult run() {
        const Environment env = read_environment();
        if (env.replay && (!env.check || *env.check == o_.name)) return replay_one(*env.replay);
        if (env.seeds) {
            o_.first_seed = env.seeds->first;
            o_.seeds = env.seeds->count;
        }
        if (env.policies) o_.policies = *env.policies;
        if (env.time_budget) o_.time_budget = *env.time_budget;
        if (o_.seeds > 0 && o_.first_seed > std::numeric_limits<std::uint64_t>::max() - (o_.seeds - 1))
            throw aio::ValueError(fmt::format(
                "aio::check '{}': seeds {} .. {} + {} - 1 go past the largest seed, {}; lower "
                "ExploreOptions::first_seed or ExploreOptions::seeds",
                o_.name, o_.first_seed, o_.first_seed, o_.seeds, std::numeric_limits<std::uint64_t>::max()));
        if (o_.time_budget && (o_.time_budget->count() < 0 || *o_.time_budget > max_time_budget))
            throw aio::ValueError(fmt::format("aio::check '{}': ExploreOptions::time_budget must be from 0 to {} ms",
                                              o_.name, max_time_budget.count()));

        ExplorePlan plan;
        plan.policies = o_.policies;
        plan.first_seed = o_.first_seed;
        plan.seeds = o_.seeds;
        plan.time_budget = o_.time_budget;
        plan.allow_empty = o_.allow_empty;
        plan.base = o_.base;
        const ExploreTally tally = run_plan(plan, [this](const aio::sim::Config& cfg, const RunAt&) {
            aio::sim::Recorder rec;
            RunResult r;
            r.failure = run_one_(cfg, rec);
            if (r.failure && rec.has_record()) r.detail = std::move(*rec);  // what the report and shrinking read
            return r;
        });
        v_.runs = tally.runs;
        if (tally.first_failure_at) {
            const RunAt& at = *tally.first_failure_at;
            const auto* record = std::any_cast<aio::sim::RunRecord>(&tally.first_failure.detail);
            fail(at.policy, at.seed, *tally.first_failure.failure, record ? *record : aio::sim::RunRecord{});
            return v_;
        }
        const std::uint64_t seeds_run = tally.seeds_walked;
        const std::string what =
            fmt::format("{}; {}", policy_list(),
                        seeds_run == 0   ? std::string("no seeds")
                        : seeds_run == 1 ? fmt::format("seed {}", o_.first_seed)
                                         : fmt::format("seeds {}..{}", o_.first_seed, o_.first_seed + seeds_run - 1));
        const bool budget_cut = tally.budget_cut();
        if (v_.runs == 0) {
            v_.summary = fmt::format("aio::check: '{}': 0 runs ({})", o_.name, what);
            if (tally.ok()) {  // allowed to run nothing
                v_.summary += ", allowed to run nothing (ExploreOptions::allow_empty)";
                return v_;
            }
            v_.ok = false;
            v_.report = fmt::format(
                "aio::check: '{}' ran nothing: 0 runs ({}). A check that runs nothing does not pass: give it "
                "policies and seeds (ExploreOptions::policies and ::seeds, or AIOSIM_POLICY and AIOSIM_SEEDS), or set "
                "ExploreOptions::allow_empty where running nothing is expected\n",
                o_.name, what);
            print(v_.report);
            return v_;
        }
        v_.summary = fmt::format("aio::check: '{}' passed: {} run{} ({}{})", o_.name, v_.runs, v_.runs == 1 ? "" : "s",
                                 what, budget_cut ? "; the time budget ended it" : "");
        return v_;
    }

private:
    std::string policy_list() const {
        if (o_.policies.empty()) return "no policies";
        std::string s = "policies ";
        for (std::size_t i = 0; i < o_.policies.size(); ++i)
            s += (i ? "," : "") + std::string(aio::sim::policy_name(o_.policies[i]));
        return s;
    }

    void print(const std::string& text) const {
        if (o_.print)
            o_.print(text);
        else
            std::fputs(text.c_str(), stderr);
    }

    ExploreResult replay_one(const Schedule& replay) {
        aio::sim::Config cfg = o_.base;
        cfg.schedule = replay;
        cfg.strict_replay = true;
        aio::sim::Recorder rec;
        ++v_.runs;
        if (auto failure = run_one_(cfg, rec)) {
            o_.shrink = false;
            fail(replay.policy, replay.seed, std::move(*failure), rec.has_record() ? *rec : aio::sim::RunRecord{});
        } else {
            v_.summary = fmt::format("aio::check: '{}' passed: 1 run (AIOSIM_REPLAY={})", o_.name, replay.to_string());
        }
        return v_;
    }

    // `record`: the failing run's (empty for a run that made no loop).
    void fail(Policy p, std::uint64_t seed, aio::sim::RunFailure cause, const aio::sim::RunRecord& record) {
        Failure f;
        f.policy = p;
        f.seed = seed;
        f.error = failure_line(cause);
        f.cause = std::move(cause);
        f.found_replay = record.replay;
        f.replay = record.replay;
        f.decisions_before = f.decisions_after = static_cast<std::size_t>(record.nonzero_decisions);
        std::string shrink_note;
        if (o_.shrink && record.schedule.decisions && !record.schedule.decisions->empty()) {
            try {
                FailsFn fails = [this](const aio::sim::Config& c, const aio::sim::RecordSink& r) {
                    return run_one_(c, r).has_value();
                };
                ShrinkResult s = shrink_schedule(fails, record.schedule);
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
        f.seed_command = p == Policy::fifo ? fmt::format("{}AIOSIM_POLICY=fifo {}", prefix, cmd)
                                           : fmt::format("{}AIOSIM_POLICY={} AIOSIM_SEEDS={}..{} {}", prefix,
                                                         aio::sim::policy_name(p), seed, seed, cmd);
        v_.ok = false;
        v_.report = failure_report(o_.name, f, v_.runs, shrink_note);
        v_.failure = std::move(f);
        v_.summary = fmt::format("aio::check: '{}' failed after {} run{}", o_.name, v_.runs, v_.runs == 1 ? "" : "s");
        print(v_.report);
    }

    const RunOne& run_one_;
    ExploreOptions o_;
    ExploreResult v_;
};

}  // namespace

ExploreResult explore(const RunOne& run_one, ExploreOptions options) {
    return Explorer(run_one, std::move(options)).run();
}

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
