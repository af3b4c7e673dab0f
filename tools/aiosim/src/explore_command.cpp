// aiosim explore NAME (--seeds N | --time D) [--policy P] [--seed-start S] [--jobs J]
//     [--stop-at-first] [--shrink] [--expect-failure] [--pct-depth D] [--pct-steps K]
//
// Runs the scenario under the simulator once per seed and judges every run as run_simulated
// does. Seed i of the exploration is seed-start + i; a shard (TEST_TOTAL_SHARDS,
// TEST_SHARD_INDEX: the convention of Bazel, CTest and gtest runners) takes every i with
// i % total == index. Runs go to --jobs threads, each with its own loop; results are
// aggregated in seed order, so with a seed budget the report is the same whatever the number
// of jobs (only the rate and the time differ). With --stop-at-first the exploration ends at
// the first failing seed in seed order (runs after it are discarded, whichever thread made
// them). Scenario output is captured, never printed. The first failure is reported with its
// failure signature (sim_run.hpp); with --shrink it is also shrunk as `aiosim shrink` does
// (the same signature kept, never a longer string), and both strings are printed.
//
// Exit status: 0 when every run passed, 1 when one failed (the reverse with
// --expect-failure, for scenarios with a known bug), 2 on bad usage.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <limits>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include <aio/sim/policy.hpp>
#include <aio/sim/trace.hpp>

#include "command.hpp"
#include "loop_options.hpp"
#include "shrink_failure.hpp"
#include "sim_run.hpp"

namespace aio::cli {

namespace {

using Clock = std::chrono::steady_clock;

// "30s", "500ms", "2m", "1h".
std::optional<std::chrono::milliseconds> parse_budget(const std::string& s) {
    std::size_t i = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == 0 || i > 9) return std::nullopt;
    const long long n = std::stoll(s.substr(0, i));
    const std::string unit = s.substr(i);
    if (unit == "ms") return std::chrono::milliseconds(n);
    if (unit == "s") return std::chrono::seconds(n);
    if (unit == "m") return std::chrono::minutes(n);
    if (unit == "h") return std::chrono::hours(n);
    return std::nullopt;
}

struct Shard {
    std::uint64_t index = 0, total = 1;
};

// TEST_TOTAL_SHARDS / TEST_SHARD_INDEX; an error message when they are malformed.
std::optional<std::string> read_shard(Shard& shard) {
    const char* total = std::getenv("TEST_TOTAL_SHARDS");
    const char* index = std::getenv("TEST_SHARD_INDEX");
    if (!total || !*total) return std::nullopt;
    auto parse = [](const char* v, std::uint64_t& out) {
        char* end = nullptr;
        if (*v < '0' || *v > '9') return false;
        out = std::strtoull(v, &end, 10);
        return *end == '\0';
    };
    if (!parse(total, shard.total) || shard.total == 0)
        return fmt::format("TEST_TOTAL_SHARDS must be a positive integer, got '{}'", total);
    if (!index || !*index) index = "0";
    if (!parse(index, shard.index) || shard.index >= shard.total)
        return fmt::format("TEST_SHARD_INDEX must be an integer below TEST_TOTAL_SHARDS ({}), got '{}'", shard.total,
                           index);
    // Bazel: touching this file says that the test honours sharding.
    if (const char* f = std::getenv("TEST_SHARD_STATUS_FILE"); f && *f) std::ofstream(f, std::ios::app);
    return std::nullopt;
}

struct RunResult {
    std::uint64_t index = 0;
    bool failed = false;
    std::uint64_t outcome = 0;
    std::uint64_t trace = 0;
};

struct FailureDetail {
    std::uint64_t index = std::numeric_limits<std::uint64_t>::max();
    std::uint64_t seed = 0;
    SimRun run;
};

class ExploreCommand final : public Command {
public:
    explicit ExploreCommand(CLI::App& app) {
        app_ = app.add_subcommand("explore",
                                  "run a scenario under many seeds of the simulator; report failures and how many "
                                  "distinct orders were seen");
        app_->add_option("NAME", name_, "the scenario to explore (`aiosim list` shows them)");
        auto* seeds = app_->add_option("--seeds", seeds_, "how many seeds to run")->type_name("N");
        auto* time = app_->add_option("--time", time_, "run seeds for this long instead (500ms, 30s, 2m, 1h)")
                         ->type_name("DURATION");
        seeds->excludes(time);
        app_->add_option("--policy", policy_, "the scheduling policy")->check(policy_validator())->type_name("POLICY")
            ->default_str(policy_);
        app_->add_option("--seed-start", seed_start_, "the first seed")->type_name("S")->default_str("1");
        app_->add_option("--jobs,-j", jobs_, "threads running seeds (each with its own loop)")
            ->type_name("J")
            ->check(CLI::Range(1, 256))
            ->default_str("1");
        app_->add_option("--pct-depth", pct_depth_, "pct: the depth d (bugs needing up to d ordering constraints)")
            ->check(CLI::Range(1, 64))
            ->default_str("3");
        app_->add_option("--pct-steps", pct_steps_, "pct: how many ready-queue choices a run is expected to make")
            ->check(CLI::PositiveNumber)
            ->default_str("1000");
        app_->add_flag("--stop-at-first", stop_at_first_, "stop at the first failing seed (in seed order)");
        app_->add_flag("--shrink", shrink_,
                       "shrink the first failure found (as `shrink` does: the same signature, never a longer "
                       "string) and print both replay strings");
        app_->add_flag("--expect-failure", expect_failure_,
                       "the scenario has a known bug: exit 0 when a failure is found, 1 when none is");
    }

    int execute(Env& env) override {
        const std::string cmd = env.program + " explore";
        auto usage = [&](const std::string& msg) {
            env.err << cmd << ": " << msg << "\nRun `" << cmd << " --help` for usage.\n";
            return 2;
        };
        if (name_.empty()) {
            std::string valid;
            for (const auto* v : env.scenarios.all()) valid += (valid.empty() ? "" : ", ") + v->name;
            return usage(fmt::format("which scenario? Give its name: {} explore NAME --seeds N; valid scenarios: {}",
                                     env.program, valid.empty() ? "none" : valid));
        }
        const scenario::Scenario* s = env.scenarios.find(name_);
        if (!s) return usage(env.scenarios.unknown_name_message(name_));
        if (!seeds_ && time_.empty()) return usage("give a budget: --seeds N or --time DURATION (e.g. 30s)");
        if (seeds_ && *seeds_ == 0) return usage("--seeds must be at least 1");
        std::optional<std::chrono::milliseconds> budget;
        if (!time_.empty()) {
            budget = parse_budget(time_);
            if (!budget) return usage(fmt::format("--time: '{}' is not a duration like 500ms, 30s, 2m or 1h", time_));
        }
        Shard shard;
        if (auto e = read_shard(shard)) return usage(*e);

        aio::sim::Config cfg;
        cfg.policy = *aio::sim::policy_from_name(policy_);
        cfg.pct_depth = pct_depth_;
        cfg.pct_steps = pct_steps_;
        cfg.trace = aio::sim::TraceMode::hash;

        // Seeds of this shard: seed_start + shard.index + k * shard.total for k = 0, 1, ...
        // With --seeds N the shard runs the k whose i = shard.index + k * total is below N.
        std::uint64_t count = std::numeric_limits<std::uint64_t>::max();
        if (seeds_) count = *seeds_ > shard.index ? (*seeds_ - shard.index + shard.total - 1) / shard.total : 0;
        auto seed_of = [&](std::uint64_t k) { return seed_start_ + shard.index + k * shard.total; };

        print_header(env, shard, count, seed_of);
        if (count == 0) {
            env.out << "summary: 0 runs (this shard has no seeds)\n";
            return expect_failure_ ? 1 : 0;
        }

        const auto t0 = Clock::now();
        std::atomic<std::uint64_t> next{0}, done{0}, failures{0};
        std::atomic<std::uint64_t> stop_at{std::numeric_limits<std::uint64_t>::max()};
        std::mutex mu;
        std::vector<RunResult> results;
        FailureDetail first;
        std::string internal_error;
        std::atomic<unsigned> running{jobs_};

        auto worker = [&] {
            std::vector<RunResult> mine;
            FailureDetail my_first;
            try {
                for (;;) {
                    if (budget && next.load() > 0 && Clock::now() - t0 >= *budget) break;
                    const std::uint64_t k = next.fetch_add(1);
                    if (k >= count || k > stop_at.load()) break;
                    aio::sim::Config c = cfg;
                    c.seed = seed_of(k);
                    SimRun r = run_simulated(*s, c);
                    RunResult rr{k, r.failed(), outcome_hash(r.outcome), r.trace_hash.value_or(0)};
                    mine.push_back(rr);
                    if (rr.failed) {
                        failures.fetch_add(1);
                        if (stop_at_first_) {
                            std::uint64_t cur = stop_at.load();
                            while (k < cur && !stop_at.compare_exchange_weak(cur, k)) {
                            }
                        }
                        if (k < my_first.index) my_first = FailureDetail{k, c.seed, std::move(r)};
                    }
                    done.fetch_add(1);
                }
            } catch (...) {
                std::lock_guard lock(mu);
                if (internal_error.empty()) internal_error = aio::describe(std::current_exception());
                stop_at.store(0);
            }
            std::lock_guard lock(mu);
            results.insert(results.end(), mine.begin(), mine.end());
            if (my_first.index < first.index) first = std::move(my_first);
            running.fetch_sub(1);
        };

        std::vector<std::thread> threads;
        for (unsigned j = 0; j < jobs_; ++j) threads.emplace_back(worker);
        progress(env, done, failures, running, t0);
        for (auto& t : threads) t.join();
        const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
        if (!internal_error.empty()) {
            env.err << cmd << ": internal error: " << internal_error << '\n';
            return 2;
        }

        std::sort(results.begin(), results.end(), [](const RunResult& a, const RunResult& b) { return a.index < b.index; });
        if (stop_at_first_ && first.index != std::numeric_limits<std::uint64_t>::max())
            results.erase(std::upper_bound(results.begin(), results.end(), first.index,
                                           [](std::uint64_t i, const RunResult& r) { return i < r.index; }),
                          results.end());
        std::set<std::uint64_t> outcomes, traces;
        std::uint64_t failed = 0;
        for (const auto& r : results) {
            outcomes.insert(r.outcome);
            traces.insert(r.trace);
            failed += r.failed;
        }
        if (failed) {
            print_failure(env, first, failed, results.size());
            if (shrink_ && !print_shrunk(env, *s, first)) return 2;
        }
        env.out << fmt::format("summary: {} runs, {} failed, {} distinct outcomes, {} distinct traces, {:.0f} runs/s "
                               "({:.2f} s, {} job{})\n",
                               results.size(), failed, outcomes.size(), traces.size(),
                               seconds > 0 ? static_cast<double>(results.size()) / seconds : 0.0, seconds, jobs_,
                               jobs_ == 1 ? "" : "s");
        if (expect_failure_) {
            if (failed)
                env.out << "as expected: this scenario has a known bug, and exploration found it\n";
            else
                env.out << fmt::format("NOT FOUND: --expect-failure, but no run failed; raise the budget or check the "
                                       "scenario\n");
        }
        env.out.flush();
        return (failed != 0) == expect_failure_ ? 0 : 1;
    }

private:
    template <class SeedOf>
    void print_header(Env& env, const Shard& shard, std::uint64_t count, SeedOf seed_of) {
        std::string seeds;
        if (!seeds_) {
            seeds = fmt::format("seeds from {} for {}", seed_of(0), time_);
        } else if (shard.total == 1) {
            seeds = fmt::format("seeds {}..{}", seed_of(0), seed_of(count - 1));
        } else if (count == 0) {
            seeds = "no seeds";
        } else {
            seeds = fmt::format("seeds {}, {}, ... {} (every {})", seed_of(0), seed_of(0) + shard.total,
                                seed_of(count - 1), shard.total);
        }
        std::string policy = policy_;
        if (policy_ == "pct") policy += fmt::format(" (d={}, k={})", pct_depth_, pct_steps_);
        env.out << fmt::format("explore {}: policy {}, {}{}\n", name_, policy, seeds,
                               shard.total > 1 ? fmt::format(", shard {} of {}", shard.index + 1, shard.total)
                                               : std::string());
        env.out.flush();
    }

    void print_failure(Env& env, const FailureDetail& f, std::uint64_t failed, std::size_t runs) {
        const std::string quoted = "'" + f.run.replay + "'";  // replay strings need no escaping
        env.out << fmt::format("FAILED: {} of {} runs; the first, seed {}:\n", failed, runs, f.seed);
        for (const auto& p : f.run.problems) env.out << "  - " << indent_continuation(p) << '\n';
        env.out << fmt::format("  signature: {}\n  seed: {}\n  replay: {}\n  non-zero decisions: {}\n  trace hash: {}\n",
                               to_string(f.run.signature), f.seed, f.run.replay, f.run.nonzero_decisions,
                               f.run.trace_hash ? aio::sim::format_hash(*f.run.trace_hash) : std::string("none"));
        env.out << fmt::format("  replay it: {} run {} --replay {}\n", env.program, name_, quoted);
        if (!shrink_) env.out << fmt::format("  shrink it: {} shrink {} --replay {}\n", env.program, name_, quoted);
    }

    // --shrink: the first failure, shrunk; false after an internal error (reported).
    bool print_shrunk(Env& env, const scenario::Scenario& s, const FailureDetail& f) {
        ShrunkFailure shrunk;
        try {
            shrunk = shrink_failure(s, f.run.replay, 2000);
        } catch (const std::exception& e) {  // the string explore just ran: any error is a bug
            env.out.flush();
            env.err << env.program << " explore: internal error while shrinking " << f.run.replay << ": " << e.what()
                    << '\n';
            return false;
        }
        env.out << fmt::format("  shrunk: {} ({} non-zero decision{} of {}, {} runs; the same signature)\n",
                               shrunk.replay, shrunk.kept_input ? shrunk.shrink.before : shrunk.shrink.after,
                               (shrunk.kept_input ? shrunk.shrink.before : shrunk.shrink.after) == 1 ? "" : "s",
                               shrunk.shrink.before, shrunk.shrink.runs);
        env.out << fmt::format("  shrunk trace hash: {}\n",
                               shrunk.run.trace_hash ? aio::sim::format_hash(*shrunk.run.trace_hash) : "none");
        env.out << fmt::format("  replay the shrunk one: {} run {} --replay '{}'\n", env.program, name_, shrunk.replay);
        return true;
    }

    // The progress line, on a terminal only; returns when every worker is done.
    void progress(Env& env, const std::atomic<std::uint64_t>& done, const std::atomic<std::uint64_t>& failures,
                  const std::atomic<unsigned>& running, Clock::time_point t0) {
        if (&env.err != &std::cerr || !isatty(STDERR_FILENO)) return;
        bool shown = false;
        // The workers end on their own; update the line every quarter second until they all have.
        auto next_update = Clock::now();
        while (running.load() != 0) {
            // Short naps, so that the report follows the last run at once.
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            if (Clock::now() < next_update) continue;
            next_update = Clock::now() + std::chrono::milliseconds(250);
            const std::uint64_t n = done.load();
            const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
            std::string budget = seeds_ ? fmt::format(" of {}", *seeds_) : fmt::format(" ({:.0f} s of {})", secs, time_);
            std::fprintf(stderr, "\r%s explore %s: %llu runs%s, %llu failed, %.0f runs/s\033[K", env.program.c_str(),
                         name_.c_str(), static_cast<unsigned long long>(n), budget.c_str(),
                         static_cast<unsigned long long>(failures.load()), secs > 0 ? static_cast<double>(n) / secs : 0.0);
            std::fflush(stderr);
            shown = true;
        }
        if (shown) {
            std::fprintf(stderr, "\r\033[K");
            std::fflush(stderr);
        }
    }

    std::string name_;
    std::optional<std::uint64_t> seeds_;
    std::string time_;
    std::string policy_ = "random";
    std::uint64_t seed_start_ = 1;
    unsigned jobs_ = 1;
    int pct_depth_ = 3;
    std::uint64_t pct_steps_ = 1000;
    bool stop_at_first_ = false;
    bool shrink_ = false;
    bool expect_failure_ = false;
};

}  // namespace

std::unique_ptr<Command> make_explore_command(CLI::App& app) { return std::make_unique<ExploreCommand>(app); }

}  // namespace aio::cli
