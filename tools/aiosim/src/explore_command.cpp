// aiosim explore NAME (--seeds N | --time D) [--policy P] [--seed-start S] [--jobs J]
//     [--stop-at-first] [--shrink] [--expect-failure] [--strict-order] [--allow-empty]
//     [--pct-depth D] [--pct-steps K] [--bound K] [--shard-index I --shard-total K]
//     [--corpus DIR] [--save-failures DIR] [--junit FILE] [--coverage-json FILE]
// aiosim explore NAME --exhaustive K [--max-runs N] [--jobs J] [--stop-at-first] [--expect-failure]
//
// --exhaustive K runs every schedule with at most K deviations from asyncio's order once
// (exhaustive.hpp, aio/check/bounded.hpp) instead of seeds, and says whether that space was
// covered completely.
//
// Runs the scenario under the simulator once per seed and judges every run as run_simulated
// does. Without --policy it runs the default portfolio (aio::check::portfolio_policies(), the
// one list): asyncio's own order first (fifo, once), then every seed under each strategy in
// turn (seed 1 under timers, pct, random, then seed 2...; pct fitted to the program unless
// --pct-steps is given); the report names the strategy, seed and run that found the failure,
// and the summary counts the runs per strategy. With --policy P every seed runs under P.
//
// Orders CPython cannot run: a failure whose schedule, once shrunk (as `aiosim shrink` does:
// the same signature), still needs a decision CPython's asyncio never makes (a ready-queue
// decision 'r', or a per-task mix of task starts: aio::sim::cpython_can_run(const Schedule&))
// is no plain failure: the code relies on the FIFO order of call_soon / the order woken
// waiters resume, which asyncio guarantees. It is printed in its own section ("FOUND ONLY IN
// ORDERS CPYTHON'S ASYNCIO CANNOT RUN"), the exploration goes on (--stop-at-first stops only
// at a failure CPython can run), and without a plain failure the exit status is 3. Failures of
// a signature already in that section count with it without shrinking again; at most
// kMaxOrderOnly distinct ones are shrunk and listed (later ones are counted). --strict-order
// (or AIOSIM_STRICT_ORDER=1) makes them plain failures. Seed i of the exploration is seed-start + i; a shard (TEST_TOTAL_SHARDS,
// TEST_SHARD_INDEX: the convention of Bazel, CTest and gtest runners) takes every i with
// i % total == index; --shard-index/--shard-total say the same and take precedence (shard.hpp).
// Runs go to --jobs threads, each with its own loop; results are
// aggregated in seed order, so with a seed budget the report is the same whatever the number
// of jobs (only the rate and the time differ). With --stop-at-first the exploration ends at
// the first failing seed in seed order (runs after it are discarded, whichever thread made
// them). Scenario output is captured, never printed. The first failure is reported with its
// failure signature (sim_run.hpp); with --shrink it is also shrunk as `aiosim shrink` does
// (the same signature kept, never a longer string), and both strings are printed. The loop
// over seeds, shards, jobs and the budget is the check helpers' (aio::check::run_plan,
// aio/check/plan.hpp), which for_all_schedules runs on too.
//
// Memory is bounded whatever the budget: runs are tallied in seed order as they finish
// (a window of at most kWindow runs waits for a slower earlier one), and distinct outcomes
// and traces are counted exactly up to a cap, then estimated ("about N": distinct_count.hpp).
//
// Every report ends with the exploration's coverage (aio/check/coverage.hpp): "coverage:
// explored N schedules, D distinct; R of P conflicting await-point pairs seen in both orders;
// never reversed: ...", and a "warning: nothing was explored: ..." line when one distinct
// schedule ran or no pair was reversed; --coverage-json FILE writes the same as JSON.
//
// An exploration that ran nothing does not pass: a shard left without seeds (more shards than
// seeds) exits 1 and says so, unless --allow-empty is given (then 0, with the same summary).
//
// CI (corpus_replay.hpp, junit.hpp): --corpus replays the scenario's regression corpus entries
// strictly before exploring (a reproduced or changed entry is a failure, judged as an
// exploration's: exit 1 in an order CPython can run, else 3; a stale one a warning, never a
// pass); --save-failures saves the first run of each new failure signature as an entry;
// --junit writes a JUnit XML report of the corpus entries and the exploration.
//
// Exit status: 0 when every run passed, 1 when one failed in an order CPython can run (any
// failure, with --strict-order) or when nothing ran, 3 when runs failed only in orders CPython
// cannot run, 2 on bad usage (malformed numbers, budgets, shard variables). With
// --expect-failure (scenarios with a known bug): 0 when a failure was found, whether 1 or 3
// would have been the status (the output says which), 1 when none was.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <any>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <aio/check/coverage.hpp>
#include <aio/check/bounded.hpp>
#include <aio/check/environment.hpp>
#include <aio/check/plan.hpp>
#include <aio/check/schedule.hpp>
#include <aio/sim/policy.hpp>
#include <aio/sim/trace.hpp>
#include <aio/sim/validate.hpp>

#include "command.hpp"
#include "corpus_replay.hpp"
#include "distinct_count.hpp"
#include "junit.hpp"
#include "exhaustive.hpp"
#include "loop_options.hpp"
#include "numbers.hpp"
#include "shard.hpp"
#include "shrink_failure.hpp"
#include "guided_explore.hpp"
#include "sim_run.hpp"

namespace aio::cli {

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kBadUsage = 2;
constexpr int kOrderOnly = 3;  // failures only in orders CPython's asyncio cannot run
// Distinct order-only failures shrunk and listed.
constexpr std::size_t kMaxOrderOnly = 8;
// The runs a classification (or --shrink) may spend shrinking one failure.
constexpr std::size_t kShrinkRuns = 2000;

// How far ahead of the oldest unfinished run the workers may go: the runs that finished
// after it wait in the tally's window, so this bounds the memory a slow run can make the
// others hold.
constexpr std::uint64_t kWindow = 4096;

// What the tally keeps of a run: its outcome and trace, hashed, and the whole run for a
// failure that may be the first.
struct Seen {
    std::uint64_t outcome = 0;
    std::uint64_t trace = 0;
    std::optional<SimRun> run;      // a failing run
    std::string signature, replay;  // of a failing run (--save-failures)
};

// A failure found only in orders CPython cannot run: the first run of its signature, shrunk.
struct OrderOnly {
    aio::check::RunAt at;
    SimRun run;
    std::string signature;
    std::optional<ShrunkFailure> shrunk;  // nullopt: shrinking failed (shrink_error says why)
    std::string shrink_error;
    std::uint64_t occurrences = 1;
};

// Runs made and failed so far, for the progress line: a counter per worker, each written by its
// worker's thread only (one counter that every worker incremented moved its cache line between
// the cores on every run).
class RunCounts {
public:
    explicit RunCounts(std::uint64_t workers) : slots_(std::max<std::uint64_t>(workers, 1)) {}
    void ran(unsigned worker, bool failed) {
        Slot& s = slots_[worker];
        s.done.store(s.done.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        if (failed) s.failed.store(s.failed.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }
    std::uint64_t done() const { return sum(&Slot::done); }
    std::uint64_t failed() const { return sum(&Slot::failed); }

private:
    struct alignas(64) Slot {
        std::atomic<std::uint64_t> done{0}, failed{0};
    };
    std::uint64_t sum(std::atomic<std::uint64_t> Slot::*counter) const {
        std::uint64_t n = 0;
        for (const Slot& s : slots_) n += (s.*counter).load(std::memory_order_relaxed);
        return n;
    }
    std::vector<Slot> slots_;
};

// "pos, seed 12, run 68 of the exploration".
std::string found_by(const aio::check::RunAt& at, std::uint64_t seed) {
    std::string s(aio::sim::policy_name(at.policy));
    if (at.policy != aio::sim::Policy::fifo) s += fmt::format(", seed {}", seed);
    return s + fmt::format(", run {} of the exploration", at.index + 1);
}

// Whether CPython's asyncio can run the order of a replay string (its decisions).
bool cpython_can_run(const std::string& replay) {
    if (replay.empty()) return true;  // the real loop
    try {
        return aio::sim::cpython_can_run(aio::sim::Schedule::parse(replay));
    } catch (const std::exception&) {
        return true;  // a run's own string always parses; do not guess otherwise
    }
}

class ExploreCommand final : public Command {
public:
    explicit ExploreCommand(CLI::App& app) {
        app_ = app.add_subcommand("explore",
                                  "run a scenario under many seeds of the simulator; report failures and how many "
                                  "distinct orders were seen");
        app_->add_option("NAME", name_, "the scenario to explore (`aiosim list` shows them)");
        auto* seeds = app_->add_option("--seeds", seeds_, "how many seeds to run")
                          ->type_name("N")
                          ->check(whole_number(1, kMaxU64));
        auto* time =
            app_->add_option("--time", time_, "run seeds for this long instead (500ms, 30s, 2m, 1h; at most 10000h)")
                ->type_name("DURATION");
        seeds->excludes(time);
        app_->add_option("--policy", policy_,
                         "only this scheduling policy; by default the portfolio: fifo once, then each seed under " +
                             aio::check::portfolio_names().substr(6) +
                             " in turn (the report names the strategy that found a failure)")
            ->check(policy_validator())
            ->type_name("POLICY")
            ->default_str("the portfolio");
        app_->add_option("--seed-start", seed_start_, "the first seed")
            ->type_name("S")
            ->check(whole_number(0, kMaxU64))
            ->default_str("1");
        app_->add_option("--jobs,-j", jobs_, "threads running seeds (each with its own loop)")
            ->type_name("J")
            ->check(whole_number(1, 256))
            ->default_str("1");
        auto note_pct = [this](const char* name) {
            return [this, name](const std::string&) {
                if (pct_option_.empty()) pct_option_ = name;
            };
        };
        app_->add_option("--pct-depth", pct_depth_, "pct: the depth d (bugs needing up to d ordering constraints)")
            ->check(whole_number(1, aio::sim::max_pct_depth))
            ->default_str("3")
            ->each(note_pct("--pct-depth"));
        app_->add_option("--pct-steps", pct_steps_,
                         "pct: how many ready-queue choices a run is expected to make; 0: fitted to the steps of "
                         "a first run of the scenario in asyncio's order")
            ->check(whole_number(0, kMaxU64))
            ->default_str(aio::check::portfolio_pct_steps() == 0 ? std::string("0 (fitted)")
                                                                 : std::to_string(aio::check::portfolio_pct_steps()))
            ->each(note_pct("--pct-steps"));
        add_clock_options(*app_, clock_);
        add_delay_options();
        add_network_options(*app_, net_);
        app_->add_flag("--stop-at-first", stop_at_first_, "stop at the first failing seed (in seed order)");
        app_->add_flag("--shrink", shrink_,
                       "shrink the first failure found (as `shrink` does: the same signature, never a longer "
                       "string) and print both replay strings");
        app_->add_flag("--guided", guided_,
                       "coverage-guided: mutate a corpus of schedules that reached new conflicting await-point "
                       "pairs (--seeds runs, the mutator seeded with --seed-start; stops at the first failure)");
        app_->add_flag("--expect-failure", expect_failure_,
                       "the scenario has a known bug: exit 0 when a failure is found (in an order CPython can run, "
                       "or only in orders it cannot: the output says which), 1 when none is");
        app_->add_flag("--strict-order", strict_order_,
                       "a failure found only in an order CPython's asyncio cannot run (a ready-queue decision, a "
                       "per-task start mix) is a plain failure (exit 1) instead of its own section and exit 3; "
                       "AIOSIM_STRICT_ORDER=1 sets it too");
        app_->add_option("--coverage-json", coverage_json_,
                         "also write the exploration's coverage (distinct schedules, conflicting await-point pairs, "
                         "which were seen in both orders) to FILE as JSON, for CI to keep over time")
            ->type_name("FILE");
        app_->add_flag("--allow-empty", allow_empty_,
                       "exit 0 when this shard has no seeds (more shards than seeds); by default an exploration "
                       "that ran nothing fails");
        add_ci_options();
    }

    // The exploration, then what CI asked for: the corpus's verdicts joined to the exit
    // status, --save-failures, --junit.
    int execute(Env& env) override {
        const auto t0 = Clock::now();
        TeeBuf out_copy(env.out), err_copy(env.err);
        std::ostream out(&out_copy), err(&err_copy);
        Env tee{env.program, env.scenarios, out, err, env.getenv};
        int rc = explore(tee);
        if (rc != kBadUsage) rc = with_corpus(tee, rc);
        if (rc != kBadUsage && !save_failures_.empty() && scenario_) {
            if (!save_failures(tee, *scenario_, save_failures_, collector_, shrink_)) rc = kBadUsage;
        }
        out.flush();
        err.flush();
        if (!junit_.empty()) {
            const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
            if (!write_junit(junit_, junit_suite(rc, out_copy.copy(), err_copy.copy(), seconds))) {
                env.err << env.program << " explore: --junit: cannot write '" << junit_ << "'\n";
                return kBadUsage;
            }
        }
        return rc;
    }

private:
    int explore(Env& env) {
        const std::string cmd = env.program + " explore";
        auto usage = [&](const std::string& msg) {
            env.err << cmd << ": " << msg << "\nRun `" << cmd << " --help` for usage.\n";
            return kBadUsage;
        };
        if (name_.empty()) {
            std::string valid;
            for (const auto* v : env.scenarios.all()) valid += (valid.empty() ? "" : ", ") + v->name;
            return usage(fmt::format("which scenario? Give its name: {} explore NAME --seeds N; valid scenarios: {}",
                                     env.program, valid.empty() ? "none" : valid));
        }
        const scenario::Scenario* s = env.scenarios.find(name_);
        if (!s) return usage(unknown_scenario_message(env, name_));
        if (exhaustive_) {
            if (seeds_ || time_)
                return usage(
                    "--exhaustive enumerates schedules instead of seeds: leave --seeds and --time out (the "
                    "budget is --max-runs)");
            if (policy_option_->count() > 0 || !pct_option_.empty() || bound_option_->count() > 0)
                return usage(
                    "--exhaustive walks the delay policy's choice points: leave --policy, --bound and the "
                    "pct options out");
        } else if (max_runs_option_->count() > 0) {
            return usage("--max-runs is the budget of --exhaustive K; give --seeds N or --time D otherwise");
        }
        const bool portfolio = policy_.empty();
        if (bound_option_->count() > 0 && !portfolio && policy_ != "delay")
            return usage(
                fmt::format("--bound is a parameter of the delay policy, and would be ignored under --policy "
                            "{}; add --policy delay or leave --bound out",
                            policy_));
        if (!seeds_ && !time_ && !exhaustive_)
            return usage("give a budget: --seeds N or --time DURATION (e.g. 30s), or --exhaustive K");
        if (!pct_option_.empty() && !portfolio && policy_ != "pct")
            return usage(
                fmt::format("{} is a parameter of the pct policy, and would be ignored under --policy {}; add "
                            "--policy pct or leave {} out",
                            pct_option_, policy_, pct_option_));
        std::optional<std::chrono::milliseconds> budget;
        try {
            if (time_) budget = aio::check::parse_duration(*time_, "--time");
        } catch (const aio::ValueError& e) {
            return usage(e.what());
        }
        if (seeds_ && seed_start_ > kMaxU64 - (*seeds_ - 1))
            return usage(
                fmt::format("--seed-start {} with --seeds {} goes past the largest seed, {}; the last seed "
                            "is seed-start + seeds - 1",
                            seed_start_, *seeds_, kMaxU64));
        if (auto strict = env.getenv("AIOSIM_STRICT_ORDER"); strict && !strict->empty()) {
            try {
                if (aio::check::parse_strict_order(*strict)) strict_order_ = true;
            } catch (const aio::ValueError& e) {
                return usage(e.what());
            }
        }
        if (!pct_steps_) pct_steps_ = aio::check::portfolio_pct_steps();
        try {
            shard_ = resolve_shard(shard_index_, shard_total_, env.getenv("TEST_TOTAL_SHARDS"),
                                   env.getenv("TEST_SHARD_INDEX"));
        } catch (const aio::ValueError& e) {
            return usage(e.what());
        }
        const Shard& shard = shard_;
        scenario_ = s;
        std::vector<aio::check::CorpusEntry> corpus;
        if (!corpus_.empty()) {
            try {
                corpus = aio::check::corpus_entries_for(aio::check::read_corpus(corpus_),
                                                        aio::check::CorpusKind::scenario, name_);
            } catch (const aio::ValueError& e) {
                return usage(fmt::format("--corpus: {}", e.what()));
            }
        }
        // Bazel: touching this file says that the test honours sharding.
        if (auto f = env.getenv("TEST_SHARD_STATUS_FILE"); f && !f->empty()) {
            if (!std::ofstream(*f, std::ios::app))
                return usage(fmt::format("TEST_SHARD_STATUS_FILE: cannot write to '{}'", excerpt(*f)));
        }

        aio::sim::Config cfg;
        cfg.schedule.policy = portfolio ? aio::sim::Policy::pct : *aio::sim::policy_from_name(policy_);
        cfg.schedule.pct_depth = static_cast<int>(pct_depth_);
        if (!exhaustive_) cfg.schedule.pct_steps = *pct_steps_;  // run_plan keeps it for pct runs only
        cfg.schedule.delay_bound = static_cast<int>(bound_);
        cfg.trace = aio::sim::TraceMode::hash;
        cfg.coverage = true;  // the report's coverage line (aio/check/coverage.hpp)
        try {
            apply_clock_options(clock_, cfg.schedule);
            apply_network_options(net_, cfg.schedule.network);
            aio::sim::validate(cfg);  // the simulator's own ranges, the same the options checked
        } catch (const aio::ValueError& e) {
            return usage(e.what());
        }
        network_ = cfg.schedule.network;
        if (guided_) {  // guided_explore.cpp: its own loop (a corpus, not seeds x policies)
            if (!seeds_) return usage("--guided takes its budget as --seeds N (runs), not --time");
            if (!policy_.empty()) return usage("--guided chooses its own schedules: leave --policy out");
            return explore_guided(env, *s, cfg, *seeds_, seed_start_, expect_failure_);
        }
        if (exhaustive_) return exhaustive(env, *s, cfg);
        // urw, fitted pct (k=0) and delay (its deviations drawn over the measured choice points)
        // are fitted to the program: run_plan measures it first, with a run in asyncio's order
        // (every decision 0), the same for every exploration of the scenario, so a seeded run is
        // reproducible.

        // Seeds of this shard: seed_start + shard.index + k * shard.total for k = 0, 1, ...
        // With --seeds N the shard runs the k whose i = shard.index + k * total is below N;
        // with --time, every k whose seed fits in 64 bits. The exploration loop is the check
        // helpers' (aio::check::run_plan): the portfolio (fifo once), or one policy that runs
        // once per seed.
        aio::check::ExplorePlan plan;
        plan.policies = portfolio ? aio::check::portfolio_policies() : std::vector{cfg.schedule.policy};
        plan.first_seed = seed_start_;
        plan.seeds = seeds_;
        plan.shard_index = shard.index;
        plan.shard_total = shard.total;
        plan.fifo_once = portfolio;
        plan.time_budget = budget;
        plan.jobs = static_cast<unsigned>(jobs_);
        plan.stop_at_first = stop_at_first_;
        plan.allow_empty = allow_empty_;
        plan.window = kWindow;
        plan.base = cfg;
        const std::uint64_t count = plan.seed_count();
        auto seed_of = [&](std::uint64_t k) { return plan.seed(k); };

        print_header(env, shard, count, seed_of);
        if (!corpus_.empty()) {
            corpus_outcome_ = replay_corpus(env, *s, corpus_, corpus, shard);
            for (const auto& r : corpus_outcome_.replays)
                if (r.verdict == aio::check::CorpusVerdict::changed) collector_.add(r.got, r.entry.replay);
            if (stop_at_first_ && corpus_outcome_.failing()) {
                env.out << "exploration skipped: --stop-at-first, and the corpus has a failure\n";
                return expect_failure_ ? 1 : 0;  // nothing found by exploring; with_corpus() adds the corpus's
            }
        }
        if (count == 0) return report_empty(env, shard);

        const auto t0 = Clock::now();
        RunCounts counts(jobs_);
        auto run = [&](const aio::sim::Config& c, const aio::check::RunAt& at) {
            aio::sim::Recorder last;
            SimRun r = at.measuring ? run_simulated(*s, c, nullptr, last) : run_simulated(*s, c);
            aio::check::RunResult result;
            if (at.measuring) {
                if (last.has_record()) {
                    result.steps_per_task = last->steps_per_task;
                    result.choice_points = last->decisions;
                }
                return result;  // outside the plan: neither tallied nor shown
            }
            result.coverage = std::move(r.coverage);
            thread_local OutcomeHasher hash_outcome;
            Seen seen{hash_outcome(r.outcome), r.trace_hash.value_or(0), std::nullopt, {}, {}};
            const bool failed = r.failed();
            if (failed) {
                if (!save_failures_.empty()) {
                    seen.signature = signature_of(r);
                    seen.replay = r.replay;
                }
                result.failure = r.failure;
                seen.run = std::move(r);  // the judge reads it (the window bounds how many wait)
            }
            counts.ran(at.worker, failed);
            result.detail = std::move(seen);
            return result;
        };
        // In run order: a failure CPython can run is plain; one whose shrunk schedule still
        // needs an order it cannot run goes to the order-only section (unless --strict-order).
        auto judge = [&](const aio::check::RunAt& at, aio::check::RunResult& result) {
            Seen& seen = std::any_cast<Seen&>(result.detail);
            if (strict_order_ || cpython_can_run(seen.run->replay)) return true;
            const std::string signature = signature_of(*seen.run);
            for (OrderOnly& o : order_only_) {
                if (o.signature == signature) {
                    ++o.occurrences;
                    ++order_only_runs_;
                    return false;
                }
            }
            ++order_only_runs_;
            if (order_only_.size() >= kMaxOrderOnly) return false;
            OrderOnly o{at, *seen.run, signature, std::nullopt, {}, 1};
            try {
                o.shrunk = shrink_failure(*s, seen.run->replay, kShrinkRuns);
            } catch (const std::exception& e) {
                o.shrink_error = e.what();
            }
            if (o.shrunk && cpython_can_run(o.shrunk->replay)) {
                --order_only_runs_;  // shrunk to decisions CPython can make: a plain failure
                return true;
            }
            order_only_.push_back(std::move(o));
            return false;
        };
        DistinctCount outcomes, traces;
        aio::check::Coverage coverage;  // in run order, as the tally
        auto visit = [&](const aio::check::RunAt&, const aio::check::RunResult& result) {
            const Seen& seen = std::any_cast<const Seen&>(result.detail);
            outcomes.add(seen.outcome);
            traces.add(seen.trace);
            if (result.coverage) coverage.add(*result.coverage);
            if (result.failure && !seen.signature.empty()) collector_.add(seen.signature, seen.replay);
        };

        std::atomic<bool> finished{false};
        std::thread shown([&] { progress(env, counts, finished, t0); });
        aio::check::ExploreTally tally;
        std::string internal_error;
        try {
            tally = aio::check::run_plan(plan, run, visit, judge);
        } catch (...) {
            internal_error = aio::describe(std::current_exception());
        }
        finished.store(true);
        shown.join();
        const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
        if (!internal_error.empty()) {
            env.err << cmd << ": internal error after " << counts.done() << " runs: " << internal_error << '\n';
            return kBadUsage;
        }

        const std::uint64_t runs = tally.runs, failed = tally.failed;
        if (failed) {
            const SimRun& first = *std::any_cast<const Seen&>(tally.first_failure.detail).run;
            const aio::check::RunAt& at = *tally.first_failure_at;
            print_failure(env, found_by(at, plan.seed(at.seed_index)), plan.seed(at.seed_index), first, failed, runs);
            if (shrink_ && !print_shrunk(env, *s, first)) return kBadUsage;
        }
        if (!order_only_.empty() || order_only_runs_ > 0) print_order_only(env, plan, runs, failed != 0);
        env.out << fmt::format(
            "summary: {} runs, {} failed{}, {} distinct outcomes, {} distinct traces, {:.0f} runs/s "
            "({:.2f} s, {} job{})\n",
            runs, failed,
            order_only_runs_ ? fmt::format(", {} failed only in orders CPython cannot run", order_only_runs_)
                             : std::string(),
            outcomes.to_string(), traces.to_string(), seconds > 0 ? static_cast<double>(runs) / seconds : 0.0, seconds,
            jobs_, jobs_ == 1 ? "" : "s");
        env.out << "  runs per strategy: " << runs_per_strategy(tally) << '\n';
        const int status = failed ? 1 : order_only_runs_ ? kOrderOnly : 0;
        if (!report_coverage(env, coverage)) return kBadUsage;
        if (expect_failure_) {
            if (status == 1)
                env.out << "as expected: this scenario has a known bug, and exploration found it (in an order "
                           "CPython's asyncio can run: exit 1 without --expect-failure)\n";
            else if (status == kOrderOnly)
                env.out << "as expected: this scenario has a known bug, and exploration found it (only in orders "
                           "CPython's asyncio cannot run: exit 3 without --expect-failure)\n";
            else if (corpus_outcome_.failing() == 0)  // else with_corpus() says the corpus found it
                env.out << fmt::format(
                    "NOT FOUND: --expect-failure, but no run failed; raise the budget or check the "
                    "scenario\n");
        }
        env.out.flush();
        if (expect_failure_) return status == 0 ? 1 : 0;
        return status;
    }

    // --bound (the delay policy) and the exhaustive mode's options.
    void add_delay_options() {
        bound_option_ =
            app_->add_option("--bound", bound_, "delay: the most deviations from asyncio's order a run makes")
                ->check(whole_number(1, aio::sim::max_delay_bound))
                ->type_name("K")
                ->default_str("2");
        app_->add_option("--exhaustive", exhaustive_,
                         "instead of seeds: every schedule with at most K deviations from asyncio's order, once "
                         "each, breadth first; says whether the space was covered completely")
            ->check(whole_number(0, aio::check::max_exhaustive_bound))
            ->type_name("K");
        max_runs_option_ = app_->add_option("--max-runs", max_runs_, "--exhaustive: run at most N schedules")
                               ->check(whole_number(1, kMaxU64))
                               ->type_name("N")
                               ->default_str("1000000");
        policy_option_ = app_->get_option("--policy");
    }

    int exhaustive(Env& env, const scenario::Scenario& s, aio::sim::Config cfg) {
        ExhaustiveArgs a;
        if (net_.any()) a.network_line = "  network: " + describe_network(network_) + "\n";
        a.name = name_;
        a.bound = static_cast<int>(*exhaustive_);
        a.max_runs = max_runs_;
        a.jobs = static_cast<unsigned>(jobs_);
        a.stop_at_first = stop_at_first_;
        a.expect_failure = expect_failure_;
        a.strict_order = strict_order_;
        a.base = std::move(cfg);
        return run_exhaustive(env, s, a);
    }

    template <class SeedOf>
    void print_header(Env& env, const Shard& shard, std::uint64_t count, SeedOf seed_of) {
        std::string seeds;
        const std::string every = shard.total > 1 ? fmt::format(" (every {})", shard.total) : std::string();
        if (count == 0) {
            seeds = "no seeds";
        } else if (!seeds_) {
            seeds = fmt::format("seeds from {}{} for {}", seed_of(0), every, *time_);
        } else if (shard.total == 1) {
            seeds = fmt::format("seeds {}..{}", seed_of(0), seed_of(count - 1));
        } else if (count == 1) {
            seeds = fmt::format("seed {}", seed_of(0));
        } else if (count == 2) {
            seeds = fmt::format("seeds {}, {}{}", seed_of(0), seed_of(1), every);
        } else {
            seeds = fmt::format("seeds {}, {}, ... {}{}", seed_of(0), seed_of(1), seed_of(count - 1), every);
        }
        const std::string pct = fmt::format("pct (d={}, k={})", pct_depth_,
                                            *pct_steps_ == 0 ? std::string("fitted") : std::to_string(*pct_steps_));
        std::string policy;
        if (policy_.empty()) {
            policy = "the portfolio: fifo once, then each seed under";
            for (aio::sim::Policy p : aio::check::portfolio_policies())
                if (p != aio::sim::Policy::fifo)
                    policy += (p == aio::check::portfolio_policies()[1] ? " " : ", ") +
                              (p == aio::sim::Policy::pct ? pct : std::string(aio::sim::policy_name(p)));
        } else {
            policy = "policy " + (policy_ == "pct" ? pct : policy_);
            if (policy_ == "delay")
                policy += fmt::format(" (bound={}, over the choice points a first run measures)", bound_);
        }
        env.out << fmt::format(
            "explore {}: {}, {}{}\n", name_, policy, seeds,
            shard.total > 1 ? fmt::format(", shard {} of {}", shard.index + 1, shard.total) : std::string());
        if (net_.any()) env.out << "  network: " << describe_network(network_) << '\n';
        env.out.flush();
    }

    // The "coverage:" line (and "warning:" when nothing was explored), and --coverage-json;
    // false when the file cannot be written (reported).
    bool report_coverage(Env& env, const aio::check::Coverage& coverage) {
        env.out << aio::check::coverage_report(coverage, "");
        if (coverage_json_.empty()) return true;
        std::ofstream out(coverage_json_, std::ios::binary | std::ios::trunc);
        out << coverage.to_json();
        out.close();
        if (out) return true;
        env.out.flush();
        env.err << env.program << " explore: --coverage-json: cannot write '" << excerpt(coverage_json_) << "'\n";
        return false;
    }

    // A shard without seeds: nothing ran, so nothing passed, unless the caller allows it.
    int report_empty(Env& env, const Shard& shard) {
        std::string why;
        if (seeds_ && *seeds_ <= shard.index)
            why = fmt::format("shard {} of {} got no seed: {} seed{} for {} shards", shard.index + 1, shard.total,
                              *seeds_, *seeds_ == 1 ? "" : "s", shard.total);
        else
            why = fmt::format("shard {} of {} got no seed: its first seed would be past {}", shard.index + 1,
                              shard.total, kMaxU64);
        env.out << fmt::format("summary: 0 runs ({})\n", why);
        if (allow_empty_) {
            env.out << "allowed: --allow-empty\n";
            env.out.flush();
            return 0;
        }
        env.out << "FAILED: nothing ran, and an exploration that runs nothing does not pass; give fewer shards or "
                   "more seeds, or pass --allow-empty where an empty shard is expected\n";
        env.out.flush();
        return 1;
    }

    std::string runs_per_strategy(const aio::check::ExploreTally& t) const {
        std::string s;
        for (const auto& [policy, count] : t.runs_by_policy)
            if (count > 0) s += fmt::format("{}{} {}", s.empty() ? "" : ", ", aio::sim::policy_name(policy), count);
        if (t.measuring_runs)
            s += fmt::format(" (and {} run measuring the program for the fitted strategies)", t.measuring_runs);
        return s;
    }

    // The order-only section: each distinct failure, its first run and its shrunk schedule.
    void print_order_only(Env& env, const aio::check::ExplorePlan& plan, std::uint64_t runs, bool failed) {
        env.out << fmt::format(
            "FOUND ONLY IN ORDERS CPYTHON'S ASYNCIO CANNOT RUN: {} of {} runs, {} distinct failure{}{}: the code "
            "relies on the FIFO order of call_soon / the order woken waiters resume, which asyncio guarantees{}\n",
            order_only_runs_, runs, order_only_.size(), order_only_.size() == 1 ? "" : "s",
            order_only_.size() >= kMaxOrderOnly ? fmt::format(" (at most {} listed)", kMaxOrderOnly) : std::string(),
            failed ? "" : " (exit 3; --strict-order makes it a failure)");
        for (const OrderOnly& o : order_only_) {
            const std::uint64_t seed = plan.seed(o.at.seed_index);
            env.out << fmt::format(
                "  found by {}{}:\n", found_by(o.at, seed),
                o.occurrences > 1 ? fmt::format(" ({} runs failed this way)", o.occurrences) : std::string());
            print_run(env, seed, o.run);
            if (o.shrunk) {
                print_shrunk_lines(env, o.run, *o.shrunk);
            } else {
                env.out << "  not shrunk: " << o.shrink_error << '\n';
            }
        }
    }

    void print_failure(Env& env, const std::string& by, std::uint64_t seed, const SimRun& run, std::uint64_t failed,
                       std::uint64_t runs) {
        env.out << fmt::format("FAILED: {} of {} runs; the first, found by {}:\n", failed, runs, by);
        print_run(env, seed, run);
        if (!shrink_)
            env.out << fmt::format("  shrink it: {} shrink {} --replay '{}'\n", env.program, name_, run.replay);
    }

    void print_run(Env& env, std::uint64_t seed, const SimRun& run) {
        const std::string quoted = "'" + run.replay + "'";  // replay strings need no escaping
        for (const auto& p : run.problems) env.out << "  - " << indent_continuation(p) << '\n';
        env.out << fmt::format(
            "  signature: {}\n  seed: {}\n  replay: {}\n  non-zero decisions: {}\n  trace hash: {}\n",
            signature_of(run), seed, run.replay, run.nonzero_decisions,
            run.trace_hash ? aio::sim::format_hash(*run.trace_hash) : std::string("none"));
        env.out << format_faults(run);
        env.out << format_order_line(run.replay);
        env.out << fmt::format("  replay it: {} run {} --replay {}\n", env.program, name_, quoted);
    }

    // --shrink: the first failure, shrunk; false after an internal error (reported).
    bool print_shrunk(Env& env, const scenario::Scenario& s, const SimRun& run) {
        ShrunkFailure shrunk;
        try {
            shrunk = shrink_failure(s, run.replay, kShrinkRuns);
        } catch (const std::exception& e) {  // the string explore just ran: any error is a bug
            env.out.flush();
            env.err << env.program << " explore: internal error while shrinking " << run.replay << ": " << e.what()
                    << '\n';
            return false;
        }
        print_shrunk_lines(env, run, shrunk);
        return true;
    }

    void print_shrunk_lines(Env& env, const SimRun& run, const ShrunkFailure& shrunk) {
        env.out << fmt::format("  shrunk: {} ({} non-zero decision{} of {}, {} runs; the same signature)\n",
                               shrunk.replay, shrunk.kept_input ? shrunk.shrink.before : shrunk.shrink.after,
                               (shrunk.kept_input ? shrunk.shrink.before : shrunk.shrink.after) == 1 ? "" : "s",
                               shrunk.shrink.before, shrunk.shrink.runs);
        env.out << fmt::format("  shrunk trace hash: {}\n",
                               shrunk.run.trace_hash ? aio::sim::format_hash(*shrunk.run.trace_hash) : "none");
        env.out << format_faults(shrunk.run, "  ", "shrunk faults");
        if (run.fault_budget || !run.faults.empty())
            env.out << "  " << faults_removed(run.faults.size(), shrunk.run.faults.size()) << '\n';
        env.out << format_order_line(shrunk.replay, "  shrunk ");
        env.out << fmt::format("  replay the shrunk one: {} run {} --replay '{}'\n", env.program, name_, shrunk.replay);
    }

    // The progress line, on a terminal only; returns when the exploration is over.
    void progress(Env& env, const RunCounts& counts, const std::atomic<bool>& finished, Clock::time_point t0) {
        if (&env.err != &std::cerr || !isatty(STDERR_FILENO)) return;
        bool shown = false;
        // The workers end on their own; update the line every quarter second until they all have.
        auto next_update = Clock::now();
        while (!finished.load()) {
            // Short naps, so that the report follows the last run at once.
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            if (Clock::now() < next_update) continue;
            next_update = Clock::now() + std::chrono::milliseconds(250);
            const std::uint64_t n = counts.done();
            const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
            std::string budget =
                seeds_ ? fmt::format(" of {}", *seeds_) : fmt::format(" ({:.0f} s of {})", secs, *time_);
            std::fprintf(stderr, "\r%s explore %s: %llu runs%s, %llu failed, %.0f runs/s\033[K", env.program.c_str(),
                         name_.c_str(), static_cast<unsigned long long>(n), budget.c_str(),
                         static_cast<unsigned long long>(counts.failed()),
                         secs > 0 ? static_cast<double>(n) / secs : 0.0);
            std::fflush(stderr);
            shown = true;
        }
        if (shown) {
            std::fprintf(stderr, "\r\033[K");
            std::fflush(stderr);
        }
    }

    // CI's options (corpus_replay.hpp, shard.hpp, junit.hpp).
    void add_ci_options() {
        app_->add_option("--corpus", corpus_,
                         "replay this folder's regression corpus entries for the scenario first (strictly; "
                         "aio/check/corpus.hpp), then explore")
            ->type_name("DIR");
        app_->add_option("--save-failures", save_failures_,
                         "save each new failure signature found into this folder, as a corpus entry (one file a "
                         "signature; shrunk with --shrink)")
            ->type_name("DIR");
        app_->add_option("--junit", junit_, "write a JUnit XML report to FILE (for CI systems)")->type_name("FILE");
        app_->add_option("--shard-index", shard_index_,
                         "run shard I of --shard-total (from 0); without it, TEST_SHARD_INDEX")
            ->type_name("I")
            ->check(whole_number(0, kMaxU64 - 1));
        app_->add_option("--shard-total", shard_total_,
                         "the number of shards (each takes every K-th seed); without it, TEST_TOTAL_SHARDS")
            ->type_name("K")
            ->check(whole_number(1, kMaxU64));
    }

    // The exploration's exit status joined to the corpus's verdicts: a reproduced or changed
    // entry is a failure found (so with --expect-failure it is the bug found).
    int with_corpus(Env& env, int rc) {
        const std::size_t failing = corpus_outcome_.failing();
        if (failing == 0) return rc;
        if (expect_failure_) {
            if (rc != 0) env.out << "as expected: this scenario has a known bug, and its corpus entry reproduced it\n";
            return 0;
        }
        if (rc == 1) return 1;
        const bool plain = corpus_outcome_.failing_cpython > 0 || strict_order_;
        if (plain) {
            env.out << fmt::format("FAILED: {} corpus entr{} of {} fail{}\n", failing, failing == 1 ? "y" : "ies",
                                   name_, failing == 1 ? "s" : "");
            return 1;
        }
        if (rc == 0)
            env.out << fmt::format(
                "FOUND ONLY IN ORDERS CPYTHON'S ASYNCIO CANNOT RUN: {} corpus entr{} of {} fail{} only in orders "
                "CPython's asyncio cannot run (exit 3; --strict-order makes it a failure)\n",
                failing, failing == 1 ? "y" : "ies", name_, failing == 1 ? "s" : "");
        return kOrderOnly;
    }

    JunitSuite junit_suite(int rc, const std::string& out, const std::string& err, double seconds) const {
        JunitSuite suite;
        suite.name = "aiosim.explore." + name_;
        suite.seconds = seconds;
        suite.properties = {{"scenario", name_}, {"exit_status", std::to_string(rc)}};
        if (shard_.total > 1)
            suite.properties.emplace_back("shard", fmt::format("{} of {}", shard_.index + 1, shard_.total));
        for (const auto& r : corpus_outcome_.replays) {
            JunitCase c;
            c.name = "corpus " + r.entry.file;
            c.seconds = r.seconds;
            using V = aio::check::CorpusVerdict;
            if (r.verdict == V::reproduced || r.verdict == V::changed) {
                c.result = JunitCase::Result::failure;
                c.type = std::string(aio::check::corpus_verdict_name(r.verdict));
                c.message = r.verdict == V::reproduced ? "fails again: " + r.entry.signature
                                                       : "fails with another signature: " + r.got;
                c.text = "replay: " + r.entry.replay + "\n";
            } else if (r.verdict == V::stale) {
                c.result = JunitCase::Result::skipped;
                c.message = "stale: " + r.why_stale;
            }
            suite.cases.push_back(std::move(c));
        }
        JunitCase c;
        c.name = shard_.total > 1 ? fmt::format("shard {} of {}", shard_.index + 1, shard_.total) : "explore";
        c.seconds = seconds;
        const std::string report = without_timing(out);
        auto first_line = [&](std::string_view prefix) {
            for (std::size_t at = 0; at < report.size();) {
                std::size_t end = report.find('\n', at);
                if (end == std::string::npos) end = report.size();
                if (report.compare(at, prefix.size(), prefix) == 0) return report.substr(at, end - at);
                at = end + 1;
            }
            return std::string();
        };
        if (rc == kBadUsage) {
            c.result = JunitCase::Result::error;
            c.type = "usage";
            c.message = err.substr(0, err.find('\n'));
            c.text = err;
        } else if (rc == 1) {
            c.result = JunitCase::Result::failure;
            std::string line = first_line("FAILED");
            if (line.empty()) line = first_line("NOT FOUND");
            c.message = line.empty() ? "the exploration failed" : line;
            c.type = "failure";
            c.text = report;
        } else if (rc == 0 && allow_empty_ && report.find("allowed: --allow-empty") != std::string::npos) {
            c.result = JunitCase::Result::skipped;
            c.message = first_line("summary: ");
        }
        if (c.text.empty()) c.out = report;  // a failure's text is the report already
        suite.cases.push_back(std::move(c));
        return suite;
    }

    std::string name_;
    std::optional<std::uint64_t> seeds_;
    std::optional<std::string> time_;
    std::string policy_;  // empty: the portfolio
    std::uint64_t seed_start_ = 1;
    std::uint64_t jobs_ = 1;
    std::uint64_t pct_depth_ = 3;
    std::optional<std::uint64_t> pct_steps_;  // unset: the portfolio's (portfolio_pct_steps())
    bool stop_at_first_ = false;
    bool shrink_ = false;
    bool expect_failure_ = false;
    bool guided_ = false;
    bool strict_order_ = false;
    std::vector<OrderOnly> order_only_;
    std::uint64_t order_only_runs_ = 0;
    bool allow_empty_ = false;
    std::string coverage_json_;
    std::string pct_option_;  // the first pct parameter given, if any
    std::uint64_t bound_ = 2;
    std::optional<std::uint64_t> exhaustive_;
    std::uint64_t max_runs_ = 1'000'000;
    CLI::Option* bound_option_ = nullptr;
    CLI::Option* max_runs_option_ = nullptr;
    CLI::Option* policy_option_ = nullptr;
    NetOptions net_;
    ClockOptions clock_;
    aio::sim::NetConfig network_;  // the runs' network, options applied
    // CI: the regression corpus, saving failures, JUnit, sharding options.
    std::string corpus_, save_failures_, junit_;
    std::optional<std::uint64_t> shard_index_, shard_total_;
    Shard shard_;
    const scenario::Scenario* scenario_ = nullptr;  // set once the name is known
    CorpusOutcome corpus_outcome_;
    FailureCollector collector_;
};

}  // namespace

std::unique_ptr<Command> make_explore_command(CLI::App& app) { return std::make_unique<ExploreCommand>(app); }

}  // namespace aio::cli
