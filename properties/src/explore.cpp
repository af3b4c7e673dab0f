#include "aio/check/explore.hpp"

#include "aio/check/corpus.hpp"
#include "aio/check/bounded.hpp"
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

// "random, seed 12, run 38 of the exploration" (fifo has no seed; a replay is no run of one).
std::string found_by(const Failure& f) {
    std::string s(aio::sim::policy_name(f.policy));
    if (f.policy != Policy::fifo) s += fmt::format(", seed {}", f.seed);
    if (f.run > 0) s += fmt::format(", run {} of the exploration", f.run);
    return s;
}

// The order line of a failure: judged by its (shrunk) schedule's decisions.
std::string order_note(const Failure& f, const aio::sim::RunRecord& record) {
    if (f.replay.empty()) return aio::sim::cpython_order_note(f.policy, record.schedule.task_start);
    try {
        return aio::sim::cpython_order_note(Schedule::parse(f.replay));
    } catch (const std::exception&) {
        return aio::sim::cpython_order_note(record.schedule);
    }
}

// The lines of one failure, each starting with `indent`.
std::string failure_lines(const Failure& f, const std::string& indent, const std::string& note,
                          const std::string& shrink_note) {
    return fmt::format(
        "{0}{1}\n"
        "{0}{2}\n"
        "{0}replay string: {3} ({4} non-zero decision(s); the failing run had {5}){6}\n"
        "{0}replay it:     {7}\n"
        "{0}or the seed:   {8}\n",
        indent, f.error, note, f.replay, f.decisions_after, f.decisions_before, shrink_note, f.replay_command,
        f.seed_command);
}

// The report of a failing check, built from the structured failure (every failure report
// of for_all_schedules is this one).
std::string failure_report(const std::string& name, const Failure& f, std::uint64_t runs, const std::string& note,
                           const std::string& shrink_note, const std::string& trace_line) {
    return fmt::format("aio::check: '{}' failed: found by {} ({} runs made)\n{}{}", name, found_by(f), runs,
                       failure_lines(f, "  ", note, shrink_note), trace_line);
}

// The warning section: failures found only in orders CPython's asyncio cannot run.
std::string warning_section(const std::string& name, const ExploreResult& v, bool failed) {
    std::string out = fmt::format(
        "aio::check: '{}': found only in orders CPython's asyncio cannot run ({} failing run{}, {} distinct{}): "
        "the code relies on the FIFO order of call_soon / the order woken waiters resume, which asyncio "
        "guarantees. {}\n",
        name, v.order_only_runs, v.order_only_runs == 1 ? "" : "s", v.order_only.size(),
        v.order_only.size() >= max_order_only ? fmt::format(", at most {} kept", max_order_only) : std::string(),
        failed ? "Besides the failure above."
               : "A warning: the check passes (ExploreOptions::strict_order or "
                 "AIOSIM_STRICT_ORDER=1 make it fail).");
    for (const Failure& f : v.order_only) {
        out +=
            fmt::format("  - found by {}{}\n", found_by(f),
                        f.occurrences > 1 ? fmt::format(" ({} failing runs this way)", f.occurrences) : std::string());
        std::string note;
        try {
            note = aio::sim::cpython_order_note(Schedule::parse(f.replay));
        } catch (const std::exception&) {
            note = "order: one CPython's asyncio cannot run";
        }
        out += failure_lines(f, "    ", note, "");
    }
    return out;
}

std::string runs_by_policy(const ExploreTally& t) {
    std::string s;
    for (const auto& [policy, count] : t.runs_by_policy)
        if (count > 0) s += fmt::format("{}{} {}", s.empty() ? "" : ", ", aio::sim::policy_name(policy), count);
    if (t.measuring_runs)
        s += fmt::format(", and {} run measuring the program for the fitted strategies", t.measuring_runs);
    return s;
}

class Explorer {
public:
    Explorer(const RunOne& run_one, ExploreOptions o) : run_one_(run_one), o_(std::move(o)) {}

    ExploreResult run() {
        run_check();
        if (!o_.save_failures.empty()) {  // the order-only failures too: known failures all the same
            std::string saved;
            for (Failure& f : v_.order_only)
                if (f.saved_to.empty() && f.corpus_entry.empty()) saved += save_failure(f);
            if (!saved.empty()) {
                v_.report += saved;
                print(saved);
            }
        }
        add_coverage_lines();
        if (!v_.stale_corpus.empty()) {
            std::string files;
            for (const auto& f : v_.stale_corpus) files += (files.empty() ? "" : ", ") + f;
            v_.summary += fmt::format("; {} stale corpus entr{} (no pass: re-record or delete): {}",
                                      v_.stale_corpus.size(), v_.stale_corpus.size() == 1 ? "y" : "ies", files);
        }
        return v_;
    }

private:
    void run_check() {
        const Environment env = read_environment();
        const bool this_check = !env.check || *env.check == o_.name;
        if (env.strict_order) o_.strict_order = *env.strict_order;
        if (o_.fit_pct) o_.base.schedule.pct_steps = portfolio_pct_steps();
        if (env.trace && this_check) o_.trace_file = *env.trace;
        if (env.corpus) o_.corpus = *env.corpus;
        if (env.save_failures) o_.save_failures = *env.save_failures;
        if (env.replay && this_check) {
            replay_one(*env.replay);
            return;
        }
        if (o_.exhaustive_bound) {
            exhaustive(*o_.exhaustive_bound);
            return;
        }
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
        if (!o_.corpus.empty() && replay_corpus()) return;

        // Fitted strategies (pct k=0, delay pts=0): run_plan measures the program first.
        ExplorePlan plan;
        plan.policies = o_.policies;
        plan.first_seed = o_.first_seed;
        plan.seeds = o_.seeds;
        plan.time_budget = o_.time_budget;
        plan.allow_empty = o_.allow_empty;
        plan.base = o_.base;
        plan.base.coverage = plan.base.coverage || o_.coverage;
        plan.fifo_keeps_seed = false;  // fifo has no seed: none in its replay string
        const ExploreTally tally = run_plan(plan, planned_run(), coverage_visitor(),
                                            [this](const RunAt& at, RunResult& r) { return judge(at, r); });
        v_.runs += tally.runs + tally.measuring_runs;
        const std::string per_policy = runs_by_policy(tally);
        if (!v_.order_only.empty() || v_.order_only_runs > 0) v_.warning = warning_section(o_.name, v_, false);
        if (tally.first_failure_at) {
            const RunAt& at = *tally.first_failure_at;
            const auto* record = std::any_cast<aio::sim::RunRecord>(&tally.first_failure.detail);
            const auto* judged = std::any_cast<Judged>(&tally.first_failure.detail);
            if (judged)
                report_failure(judged->failure, judged->record, judged->shrink_note, per_policy);
            else
                fail(at, *tally.first_failure.failure, record ? *record : aio::sim::RunRecord{}, per_policy);
            return;
        }
        const std::uint64_t seeds_run = tally.seeds_walked;
        const std::string seeds_text = seeds_run == 0 ? std::string("no seeds")
                                       : seeds_run == 1
                                           ? fmt::format("seed {}", o_.first_seed)
                                           : fmt::format("seeds {}..{}", o_.first_seed, o_.first_seed + seeds_run - 1);
        const bool budget_cut = tally.budget_cut();
        if (tally.runs == 0) {
            const std::string what = fmt::format("{}; {}", policy_list(), seeds_text);
            v_.summary = fmt::format("aio::check: '{}': 0 runs ({})", o_.name, what);
            if (tally.ok()) {  // allowed to run nothing
                v_.summary += ", allowed to run nothing (ExploreOptions::allow_empty)";
                return;
            }
            v_.ok = false;
            v_.report = fmt::format(
                "aio::check: '{}' ran nothing: 0 runs ({}). A check that runs nothing does not pass: give it "
                "policies and seeds (ExploreOptions::policies and ::seeds, or AIOSIM_POLICY and AIOSIM_SEEDS), or set "
                "ExploreOptions::allow_empty where running nothing is expected\n",
                o_.name, what);
            print(v_.report);
            return;
        }
        const std::string warned =
            v_.order_only_runs == 0 ? std::string()
                                    : fmt::format("; {} failed only in orders CPython's asyncio cannot run (a warning)",
                                                  v_.order_only_runs);
        v_.summary =
            fmt::format("aio::check: '{}' passed: {} run{} ({}; {}{}){}", o_.name, v_.runs, v_.runs == 1 ? "" : "s",
                        per_policy, seeds_text, budget_cut ? "; the time budget ended it" : "", warned);
        if (v_.corpus_replayed)
            v_.summary += fmt::format("; {} corpus entr{} replayed first", v_.corpus_replayed,
                                      v_.corpus_replayed == 1 ? "y" : "ies");
        if (!v_.warning.empty()) {
            v_.report = v_.warning + write_trace_of_first_warning();
            print(v_.report);
        }
        return;
    }

private:
    // What the judge keeps of a failure it shrank and found plain: reported as is.
    struct Judged {
        Failure failure;
        aio::sim::RunRecord record;
        std::string shrink_note;
    };

    PlannedRun planned_run() {
        return [this](const aio::sim::Config& cfg, const RunAt& at) {
            aio::sim::Recorder rec;
            RunResult r;
            r.failure = run_one_(cfg, rec);
            if (at.measuring && rec.has_record()) {
                r.steps_per_task = rec->steps_per_task;
                r.choice_points = rec->decisions;
            }
            take_coverage(rec, r);
            if (r.failure && rec.has_record()) r.detail = std::move(*rec);  // what the report and shrinking read
            return r;
        };
    }

    // The order-only failure kept with the signature of `cause`, or null: one entry per
    // signature, counting its occurrences.
    Failure* kept_order_only(const aio::sim::RunFailure& cause) {
        const std::string sig = aio::sim::signature(cause);
        for (Failure& f : v_.order_only)
            if (aio::sim::signature(f.cause) == sig) return &f;
        return nullptr;
    }

    // A failing run in run order: plain (true) unless it needs an order CPython cannot run
    // (judged by its shrunk schedule) and the check is not strict.
    bool judge(const RunAt& at, RunResult& r) {
        const auto* record = std::any_cast<aio::sim::RunRecord>(&r.detail);
        if (!record || o_.strict_order || aio::sim::cpython_can_run(record->schedule)) return true;
        if (Failure* kept = kept_order_only(*r.failure)) {
            ++kept->occurrences;
            ++v_.order_only_runs;
            return false;
        }
        if (v_.order_only.size() >= max_order_only) {
            ++v_.order_only_runs;
            return false;
        }
        std::string shrink_note;
        Failure f = build_failure(at, *r.failure, *record, shrink_note);
        Judged j{std::move(f), *record, std::move(shrink_note)};
        if (j.failure.cpython_order) {  // shrunk to decisions CPython can make: a plain failure
            r.detail = std::move(j);
            return true;
        }
        ++v_.order_only_runs;
        v_.order_only.push_back(std::move(j.failure));
        return false;
    }

    // The corpus's entries of this check, each replayed strictly (aio/check/corpus.hpp); true
    // when one failed in an order CPython can run (or strict_order): the check's failure,
    // reported. One failing only in an order CPython cannot run joins the warning section.
    bool replay_corpus() {
        const std::vector<CorpusEntry> entries = corpus_entries_for(read_corpus(o_.corpus), CorpusKind::check, o_.name);
        for (const CorpusEntry& e : entries) {
            ++v_.corpus_replayed;
            auto stale = [&](const std::string& why) {
                v_.stale_corpus.push_back(e.file);
                print(
                    fmt::format("aio::check: '{}': corpus entry {}/{} is stale, so it tests nothing: {}; re-record "
                                "or delete it\n",
                                o_.name, o_.corpus, e.file, why));
            };
            Schedule schedule;
            try {
                schedule = Schedule::parse(e.replay);
            } catch (const std::exception& ex) {
                stale(fmt::format("its replay string does not parse: {}", ex.what()));
                continue;
            }
            aio::sim::Config cfg = o_.base;
            cfg.schedule = schedule;
            cfg.strict_replay = true;
            aio::sim::Recorder rec;
            ++v_.runs;
            std::optional<aio::sim::RunFailure> failure = run_one_(cfg, rec);
            if (!failure && rec.has_record() && rec->replay_incomplete) failure = rec->replay_incomplete;
            // A divergence the program caught still means the string no longer fits.
            const bool diverged =
                rec.has_record() && rec->failure && rec->failure->kind == aio::sim::FailureKind::replay_divergence;
            const CorpusVerdict verdict = judge_corpus_replay(e, failure, diverged);
            if (verdict == CorpusVerdict::stale) {
                const aio::sim::RunFailure& why = failure ? *failure : *rec->failure;
                stale(fmt::format("its replay string no longer fits the program ({})", why.message));
                continue;
            }
            if (verdict == CorpusVerdict::fixed) continue;
            const std::string note =
                fmt::format("\n  from the corpus: {}/{} ({}{})", o_.corpus, e.file,
                            verdict == CorpusVerdict::reproduced ? "it fails again with its signature"
                                                                 : "it fails with another signature than its own, ",
                            verdict == CorpusVerdict::reproduced ? "" : e.signature);
            RunAt at;
            at.index = at.seed_index = std::numeric_limits<std::uint64_t>::max();  // no run of a plan
            at.policy = schedule.policy;
            at.seed = schedule.seed;
            const aio::sim::RunRecord record = rec.has_record() ? *rec : aio::sim::RunRecord{};
            // Judged as an exploration's failure: one that needs an order CPython cannot run
            // joins the warning section (unless strict_order) and the replay goes on.
            const bool shrink = o_.shrink;
            o_.shrink = false;  // the entry's string is the one to replay
            RunResult r{*failure, record};
            const std::size_t order_only_before = v_.order_only.size();
            if (!judge(at, r)) {
                if (v_.order_only.size() > order_only_before) v_.order_only.back().corpus_entry = e.file;
                o_.shrink = shrink;
                continue;
            }
            corpus_note_ = note;
            corpus_entry_ = e.file;
            fail(at, *r.failure, record, "the corpus");
            return true;
        }
        return false;
    }

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

    // ExploreOptions::exhaustive_bound: every schedule with <= k deviations (bounded.hpp).
    void exhaustive(int k) {
        BoundedOptions bo;
        bo.bound = k;
        bo.max_runs = o_.exhaustive_max_runs;
        bo.base = o_.base;
        // The enumeration runs under delay: the portfolio's fitted pct (k=0) is not its parameter,
        // and would only show up in the replay strings.
        bo.base.schedule.pct_steps = aio::sim::Schedule{}.pct_steps;
        // Unless strict, a failure only in an order CPython cannot run (an r decision) is a
        // warning, as in a sampled exploration (judge): the walk goes on to the first one it can.
        auto realizable = [](const BoundedFailure& f) { return aio::sim::cpython_can_run(Schedule::parse(f.replay)); };
        if (!o_.strict_order) bo.stops_at = realizable;
        BoundedResult b = explore_bounded(run_one_, bo);
        v_.runs = b.runs;
        o_.shrink = false;  // breadth first: no schedule with fewer deviations fails
        exhaustive_note_ = fmt::format("  exhaustive:    {}\n{}", b.summary, b.layers);
        RunAt at;
        at.index = at.seed_index = std::numeric_limits<std::uint64_t>::max();  // no run of a plan
        at.policy = Policy::delay;
        const BoundedFailure* plain = nullptr;
        for (const BoundedFailure& f : b.failures) {  // in BFS order: order-only ones come first
            if (o_.strict_order || realizable(f)) {
                plain = &f;
                break;
            }
            if (Failure* kept = kept_order_only(f.cause)) {
                ++kept->occurrences;
            } else if (v_.order_only.size() < max_order_only) {
                std::string no_shrink_note;
                v_.order_only.push_back(build_failure(at, f.cause, f.record, no_shrink_note));
            }
        }
        // Every failing schedule but the plain one is order-only (also those past max_failures).
        v_.order_only_runs = b.failed - (plain ? 1 : 0);
        if (plain) {
            fail(at, plain->cause, plain->record, "exhaustive");
            return;
        }
        v_.summary = fmt::format("aio::check: '{}' passed: {}", o_.name, b.summary);
        if (v_.order_only_runs > 0) {
            v_.summary +=
                fmt::format("; {} failed only in orders CPython's asyncio cannot run (a warning)", v_.order_only_runs);
            v_.warning = warning_section(o_.name, v_, false) + exhaustive_note_;
            v_.report = v_.warning + write_trace_of_first_warning();
            print(v_.report);
        }
    }

    void replay_one(Schedule replay) {
        aio::sim::Config cfg = o_.base;
        cfg.schedule = replay;
        cfg.strict_replay = true;
        cfg.coverage = cfg.coverage || o_.coverage;
        if (const MeasureNeeds needs = measure_needs({replay.policy}, cfg); !replay.decisions && needs.any()) {
            measure_program(cfg, planned_run(), needs.points).apply(cfg);  // as the exploration measured it
            ++v_.runs;
        }
        aio::sim::Recorder rec;
        ++v_.runs;
        auto failure = run_one_(cfg, rec);
        RunResult one;
        take_coverage(rec, one);
        add_coverage(one);
        if (failure) {
            o_.shrink = false;
            const aio::sim::RunRecord record = rec.has_record() ? *rec : aio::sim::RunRecord{};
            RunAt at;
            at.index = at.seed_index = std::numeric_limits<std::uint64_t>::max();  // no run of an exploration
            at.policy = replay.policy;
            at.seed = replay.seed;
            RunResult r{std::move(*failure), record};
            if (judge(at, r)) {
                fail(at, *r.failure, record, "AIOSIM_REPLAY");
            } else {
                v_.warning = warning_section(o_.name, v_, false);
                v_.report = v_.warning + write_trace_of_first_warning();
                v_.summary = fmt::format(
                    "aio::check: '{}' passed: 1 run (AIOSIM_REPLAY={}); it failed in an order CPython's asyncio cannot "
                    "run (a warning)",
                    o_.name, replay.to_string());
                print(v_.report);
            }
        } else {
            v_.summary = fmt::format("aio::check: '{}' passed: 1 run (AIOSIM_REPLAY={})", o_.name, replay.to_string());
        }
    }

    // The failure of a run, shrunk (when shrinking), with its commands; `at`: where the plan
    // found it (index: run order, from 0).
    Failure build_failure(const RunAt& at, const aio::sim::RunFailure& cause, const aio::sim::RunRecord& record,
                          std::string& shrink_note) {
        Failure f;
        f.policy = at.policy;
        f.seed = at.seed;
        f.run = at.index == std::numeric_limits<std::uint64_t>::max() ? 0 : at.index + 1;
        f.error = failure_line(cause);
        f.cause = cause;
        f.found_replay = record.replay;
        f.replay = record.replay;
        f.decisions_before = f.decisions_after = static_cast<std::size_t>(record.nonzero_decisions);
        Schedule shrunk = record.schedule;
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
                shrunk = Schedule::parse(s.replay);
            } catch (const std::exception& e) {
                // Shrinking needs the failure to reproduce; report the run as found.
                shrink_note = fmt::format("\n  (not shrunk: {})", e.what());
            }
        }
        f.cpython_order = record.replay.empty() ? aio::sim::cpython_can_run(at.policy, record.schedule.task_start)
                                                : aio::sim::cpython_can_run(shrunk);
        const std::string prefix = fmt::format("AIOSIM_CHECK={} ", shell_quote(o_.name));
        const std::string cmd = rerun_command();
        f.replay_command = fmt::format("{}AIOSIM_REPLAY={} {}", prefix, f.replay, cmd);
        f.seed_command = f.policy == Policy::fifo ? fmt::format("{}AIOSIM_POLICY=fifo {}", prefix, cmd)
                                                  : fmt::format("{}AIOSIM_POLICY={} AIOSIM_SEEDS={}..{} {}", prefix,
                                                                aio::sim::policy_name(f.policy), f.seed, f.seed, cmd);
        if (!exhaustive_note_.empty())
            f.seed_command = "none: the exhaustive enumeration found it (the replay string reproduces it)";
        return f;
    }

    // `record`: the failing run's (empty for a run that made no loop).
    void fail(const RunAt& at, const aio::sim::RunFailure& cause, const aio::sim::RunRecord& record,
              const std::string& per_policy) {
        std::string shrink_note;
        Failure f = build_failure(at, cause, record, shrink_note);
        report_failure(std::move(f), record, shrink_note, per_policy);
    }

    void report_failure(Failure f, const aio::sim::RunRecord& record, const std::string& shrink_note,
                        const std::string& per_policy) {
        std::string trace_line = write_trace(f);
        f.corpus_entry = corpus_entry_;
        const std::string note = shrink_note + corpus_note_;
        if (!o_.save_failures.empty()) trace_line += save_failure(f);
        v_.ok = false;
        v_.report = failure_report(o_.name, f, v_.runs, order_note(f, record), note, trace_line) + exhaustive_note_;
        if (!v_.order_only.empty()) {
            v_.warning = warning_section(o_.name, v_, true);
            v_.report += v_.warning;
        }
        v_.failure = std::move(f);
        v_.summary = fmt::format("aio::check: '{}' failed after {} run{} ({})", o_.name, v_.runs,
                                 v_.runs == 1 ? "" : "s", per_policy);
        print(v_.report);
    }

    // ExploreOptions::save_failures: the failure (as reported: shrunk) as a corpus entry.
    std::string save_failure(Failure& f) const {
        try {
            const SavedEntry saved = save_corpus_entry(
                o_.save_failures, CorpusEntry{{}, CorpusKind::check, o_.name, aio::sim::signature(f.cause), f.replay});
            f.saved_to = saved.path;
            return fmt::format("  saved:         {} ({})\n", saved.path,
                               saved.written ? "a new corpus entry" : "in the corpus already");
        } catch (const std::exception& e) {
            return fmt::format("  not saved:     {}\n", e.what());
        }
    }

    // With only order-only failures: the first one's trace, when a trace file is asked for.
    std::string write_trace_of_first_warning() {
        if (v_.order_only.empty()) return {};
        return write_trace(v_.order_only.front());
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
    // The visitor of the plan's runs (the measuring run is not one of them).
    RunVisitor coverage_visitor() {
        return [this](const RunAt&, const RunResult& r) { add_coverage(r); };
    }
    // The summary ends with the coverage lines; a report (already printed) too, and they are
    // printed after it.
    void add_coverage_lines() {
        v_.summary += coverage_suffix();
        if (v_.report.empty()) return;
        const std::string lines = coverage_report(v_.coverage);
        v_.report += lines;
        if (!lines.empty()) print(lines);
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
    std::string corpus_entry_, corpus_note_;  // the corpus entry that failed, and the report's line for it
    std::string exhaustive_note_;             // the enumeration's lines, in an exhaustive run's failure report
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
