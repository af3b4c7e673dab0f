#include "aio/check/explore.hpp"

#include "aio/check/environment.hpp"
#include "aio/check/plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <any>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <limits>
#include <memory>
#include <string_view>
#include <vector>

#include <aio/sim/policy.hpp>
#include <aio/sim/trace.hpp>

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

// This process's arguments, from /proc (empty when it cannot be read).
std::vector<std::string> command_args() {
    std::ifstream in("/proc/self/cmdline", std::ios::binary);
    std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::string> args;
    std::size_t start = 0;
    while (start < raw.size()) {
        std::size_t end = raw.find('\0', start);
        if (end == std::string::npos) end = raw.size();
        args.push_back(raw.substr(start, end - start));
        start = end + 1;
    }
    return args;
}

std::string join_quoted(const std::vector<std::string>& args) {
    std::string out;
    for (const std::string& a : args) {
        if (!out.empty()) out += ' ';
        out += shell_quote(a);
    }
    return out;
}

// Set once, usually by a static initialiser of aio/check/doctest.hpp; read by every report.
std::atomic<RerunFilter> rerun_filter_source{nullptr};

// The report's line for how a run failed.
std::string failure_line(const aio::sim::RunFailure& f) {
    if (f.kind == aio::sim::FailureKind::predicate || !f.exception) return f.message;
    return "exception: " + aio::describe(f.exception);
}

// The report of a failing check, built from the structured failure (every failure report
// of for_all_schedules is this one).
std::string failure_report(const std::string& name, const Failure& f, std::uint64_t runs,
                           const std::string& shrink_note, const std::string& order_note,
                           const std::string& trace_line) {
    return fmt::format(
        "aio::check: '{}' failed under policy {}{} (after {} runs)\n"
        "  {}\n"
        "  {}\n"
        "  replay string: {} ({} non-zero decision(s); the failing run had {}){}\n"
        "  replay it:     {}\n"
        "  or the seed:   {}\n{}",
        name, aio::sim::policy_name(f.policy), f.policy == Policy::fifo ? "" : fmt::format(", seed {}", f.seed), runs,
        f.error, order_note, f.replay, f.decisions_after, f.decisions_before, shrink_note, f.replay_command,
        f.seed_command, trace_line);
}

class Explorer {
public:
    Explorer(const RunOne& run_one, ExploreOptions o) : run_one_(run_one), o_(std::move(o)) {}

    ExploreResult run() {
        const Environment env = read_environment();
        const bool this_check = !env.check || *env.check == o_.name;
        if (env.trace && this_check) o_.trace_file = *env.trace;
        if (env.replay && this_check) return replay_one(*env.replay);
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
        plan.base.coverage = plan.base.coverage || o_.coverage;
        plan.fifo_keeps_seed = false;  // fifo has no seed: none in its replay string
        const ExploreTally tally = run_plan(
            plan,
            [this](const aio::sim::Config& cfg, const RunAt&) {
                aio::sim::Recorder rec;
                RunResult r;
                r.failure = run_one_(cfg, rec);
                take_coverage(rec, r);
                if (r.failure && rec.has_record()) r.detail = std::move(*rec);  // what the report and shrinking read
                return r;
            },
            [this](const RunAt&, const RunResult& r) { add_coverage(r); });
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
            v_.summary = fmt::format("aio::check: '{}': 0 runs ({})", o_.name, what) + coverage_suffix();
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
                                 what, budget_cut ? "; the time budget ended it" : "") +
                     coverage_suffix();
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
        cfg.coverage = cfg.coverage || o_.coverage;
        aio::sim::Recorder rec;
        ++v_.runs;
        auto failure = run_one_(cfg, rec);
        RunResult one;
        take_coverage(rec, one);
        add_coverage(one);
        if (failure) {
            o_.shrink = false;
            fail(replay.policy, replay.seed, std::move(*failure), rec.has_record() ? *rec : aio::sim::RunRecord{});
        } else {
            v_.summary = fmt::format("aio::check: '{}' passed: 1 run (AIOSIM_REPLAY={})", o_.name, replay.to_string()) +
                         coverage_suffix();
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
        f.cpython_order = aio::sim::cpython_can_run(p, record.schedule.task_start);
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
        const std::string cmd = rerun_command();
        f.replay_command = fmt::format("{}AIOSIM_REPLAY={} {}", prefix, f.replay, cmd);
        f.seed_command = p == Policy::fifo ? fmt::format("{}AIOSIM_POLICY=fifo {}", prefix, cmd)
                                           : fmt::format("{}AIOSIM_POLICY={} AIOSIM_SEEDS={}..{} {}", prefix,
                                                         aio::sim::policy_name(p), seed, seed, cmd);
        const std::string trace_line = write_trace(f);
        v_.ok = false;
        v_.report = failure_report(o_.name, f, v_.runs, shrink_note,
                                   aio::sim::cpython_order_note(p, record.schedule.task_start), trace_line) +
                    coverage_report(v_.coverage);
        v_.failure = std::move(f);
        v_.summary = fmt::format("aio::check: '{}' failed after {} run{}", o_.name, v_.runs, v_.runs == 1 ? "" : "s") +
                     coverage_suffix();
        print(v_.report);
    }

    // This process's command with the running test's filter (rerun_filter_source), replacing
    // the same option if the command already has one.
    static std::string rerun_command() {
        std::vector<std::string> args = command_args();
        if (args.empty()) return "<your test command>";
        const RerunFilter source = rerun_filter_source.load(std::memory_order_acquire);
        const std::string filter = source ? source() : std::string();
        if (!filter.empty()) {
            const std::string option = filter.substr(0, filter.find('=') + 1);  // "-tc="
            std::erase_if(args, [&](const std::string& a) { return a.rfind(option, 0) == 0; });
            args.push_back(filter);
        }
        return join_quoted(args);
    }

    // The trace line of the report: the failing (shrunk) schedule run once more, fully traced.
    std::string write_trace(Failure& f) {
        if (o_.trace_file.empty()) return {};
        try {
            aio::sim::Config cfg = o_.base;
            cfg.schedule = Schedule::parse(f.replay);
            cfg.strict_replay = true;
            cfg.trace = aio::sim::TraceMode::full;
            aio::sim::Recorder rec;
            ++v_.runs;
            const bool failed = run_one_(cfg, rec).has_value();
            if (!rec.has_record()) return "  trace:         not written: the run made no simulated loop\n";
            const bool json = o_.trace_file.ends_with(".json");
            std::ofstream out(o_.trace_file, std::ios::binary | std::ios::trunc);
            out << (json ? aio::sim::chrome_trace_json(rec->trace) : aio::sim::format_trace(rec->trace));
            out.close();
            if (!out) return fmt::format("  trace:         not written: cannot write {}\n", o_.trace_file);
            f.trace_file = o_.trace_file;
            return fmt::format("  trace:         {} ({} events, {}{})\n", o_.trace_file, rec->trace.size(),
                               json ? "Chrome trace-event JSON: open it in ui.perfetto.dev" : "text",
                               failed ? "" : "; this run did not fail again");
        } catch (const std::exception& e) {
            return fmt::format("  trace:         not written: {}\n", e.what());
        }
    }

    // --- coverage (aio/check/coverage.hpp) ---------------------------------------------------
    // A run's coverage, from its record, into its result (the record may be kept whole too).
    static void take_coverage(const aio::sim::Recorder& rec, RunResult& r) {
        if (rec.has_record() && rec->coverage) r.coverage = rec->coverage;
    }
    // In run order (run_plan's visitor).
    void add_coverage(const RunResult& r) {
        if (r.coverage) v_.coverage.add(*r.coverage);
    }
    // The summary's coverage lines: "\n  coverage: ..." (and "\n  warning: ..."), or nothing.
    std::string coverage_suffix() const {
        std::string lines = coverage_report(v_.coverage);
        if (lines.empty()) return {};
        lines.pop_back();
        return "\n" + lines;
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
    const std::vector<std::string> args = command_args();
    return args.empty() ? "<your test command>" : join_quoted(args);
}

void set_rerun_filter(RerunFilter filter) noexcept { rerun_filter_source.store(filter, std::memory_order_release); }

}  // namespace aio::check
