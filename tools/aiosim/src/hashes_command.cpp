// aiosim hashes NAME [--policy P] [--seeds N] [--seed-start S] [network options]
//
// Runs the scenario under the simulator once per seed (seed-start, seed-start + 1, ...) and
// prints one line per run, in seed order: "SEED TRACE_HASH OUTCOME_HASH", the hashes as
// aio::sim::format_hash writes them (TRACE_HASH "none" when no loop ran). Nothing is judged:
// the lines are meant to be compared with those of another build of the same program, since
// the same seed must give the same trace on any machine, compiler and optimisation level
// (tools/compare-hashes.sh does that between a g++ and a clang++ build). One thread, so the
// output depends on nothing but the scenario and the seeds.
//
// Exit status: 0 after printing every line, 2 on bad usage.
#include <fmt/format.h>

#include <aio/sim/policy.hpp>
#include <aio/sim/trace.hpp>

#include "command.hpp"
#include "loop_options.hpp"
#include "numbers.hpp"
#include "sim_run.hpp"

namespace aio::cli {

namespace {

constexpr int kBadUsage = 2;
constexpr std::uint64_t kMaxSeeds = 100'000'000;

class HashesCommand final : public Command {
public:
    explicit HashesCommand(CLI::App& app) {
        app_ = app.add_subcommand("hashes",
                                  "print the trace hash and outcome hash of a scenario's run under each of many "
                                  "seeds (to compare two builds)");
        app_->add_option("NAME", name_, "the scenario (`aiosim list` shows them)");
        app_->add_option("--policy", policy_, fmt::format("the scheduling policy: {}", aio::sim::policy_names()))
            ->check(policy_validator())
            ->type_name("POLICY")
            ->default_str(policy_);
        app_->add_option("--seeds", seeds_, "how many seeds to run")
            ->type_name("N")
            ->check(whole_number(1, kMaxSeeds))
            ->default_str("1000");
        app_->add_option("--seed-start", seed_start_, "the first seed")
            ->type_name("S")
            ->check(whole_number(0, kMaxU64))
            ->default_str("1");
        add_network_options(*app_, net_);
    }

    int execute(Env& env) override {
        const std::string cmd = env.program + " hashes";
        const scenario::Scenario* s = find_scenario(env, cmd, name_, env.program + " hashes NAME");
        if (!s) return kBadUsage;
        if (seed_start_ > kMaxU64 - (seeds_ - 1)) {
            env.err << fmt::format("{}: --seed-start {} with --seeds {} goes past the largest seed, {}\n", cmd,
                                   seed_start_, seeds_, kMaxU64);
            return kBadUsage;
        }
        aio::sim::Config cfg;
        cfg.schedule.policy = *aio::sim::policy_from_name(policy_);
        cfg.trace = aio::sim::TraceMode::hash;
        try {
            apply_network_options(net_, cfg.schedule.network);
        } catch (const aio::ValueError& e) {
            env.err << cmd << ": " << e.what() << '\n';
            return kBadUsage;
        }
        for (std::uint64_t k = 0; k < seeds_; ++k) {
            cfg.schedule.seed = seed_start_ + k;
            const SimRun r = run_simulated(*s, cfg);
            env.out << fmt::format("{} {} {}\n", cfg.schedule.seed,
                                   r.trace_hash ? aio::sim::format_hash(*r.trace_hash) : std::string("none"),
                                   aio::sim::format_hash(outcome_hash(r.outcome)));
        }
        env.out.flush();
        return 0;
    }

private:
    std::string name_;
    std::string policy_ = "fifo";
    std::uint64_t seeds_ = 1000;
    std::uint64_t seed_start_ = 1;
    NetOptions net_;
};

}  // namespace

std::unique_ptr<Command> make_hashes_command(CLI::App& app) { return std::make_unique<HashesCommand>(app); }

}  // namespace aio::cli
