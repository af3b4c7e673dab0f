// aiosim shrink NAME --replay STR [--max-runs N]: reduces a failing schedule of a scenario
// toward asyncio's own order and prints the failure's signature, the minimal replay string,
// how many non-zero decisions it removed, and the command that replays it.
//
// The result fails the same way as the input (the same failure signature: the same failed
// oracle requirement, exception type or simulator error; shrink_failure.hpp), checked once
// more, strictly, before it is printed, and is never longer than the input. Exit status: 0
// when a failing string is printed, 1 when the input does not fail (or no longer fits the
// program), 2 on bad usage (a malformed replay string says where).
//
// A networked run's faults are listed in words, the input's under "faults:" and the result's
// under "shrunk faults:", with how many shrinking removed. The network options (--faults ...)
// may be given; the replay string fixes the network, so they must agree with it.
#include <fmt/format.h>

#include <stdexcept>

#include <aio/sim/replay.hpp>
#include <aio/sim/trace.hpp>

#include "command.hpp"
#include "loop_options.hpp"
#include "numbers.hpp"
#include "shrink_failure.hpp"
#include "sim_run.hpp"

namespace aio::cli {

namespace {

std::string plural(std::size_t n, const char* what) { return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s"); }

class ShrinkCommand final : public Command {
public:
    explicit ShrinkCommand(CLI::App& app) {
        app_ = app.add_subcommand("shrink",
                                  "reduce a failing replay string of a scenario to the fewest, smallest deviations "
                                  "from asyncio's order that still fail");
        app_->add_option("NAME", name_, "the scenario (`aiosim list` shows them)");
        app_->add_option("--replay", replay_, "the failing replay string (as `explore` prints it)")->type_name("STR");
        app_->add_option("--max-runs", max_runs_, "give up shrinking further after this many runs")
            ->type_name("N")
            ->check(whole_number(1, kMaxU64))
            ->default_str("2000");
        add_network_options(*app_, net_);
    }

    int execute(Env& env) override {
        const std::string cmd = env.program + " shrink";
        auto usage = [&](const std::string& msg) {
            env.err << cmd << ": " << msg << "\nRun `" << cmd << " --help` for usage.\n";
            return 2;
        };
        if (name_.empty()) return usage("which scenario? Give its name: " + env.program + " shrink NAME --replay STR");
        const scenario::Scenario* s = env.scenarios.find(name_);
        if (!s) return usage(unknown_scenario_message(env, name_));
        if (replay_.empty()) return usage("give the failing schedule: --replay STR (as `explore` prints it)");

        ShrunkFailure f;
        try {
            if (net_.any()) check_network_options(net_, aio::sim::Config::from_replay(replay_).schedule.network);
        } catch (const aio::ValueError& e) {
            return usage(std::string("--replay: ") + e.what());
        }
        try {
            f = shrink_failure(*s, replay_, max_runs_);
        } catch (const aio::sim::ReplayParseError& e) {
            return usage(std::string("--replay: ") + e.what());
        } catch (const aio::ValueError& e) {
            env.err << cmd << ": " << name_ << ": " << e.what() << '\n';
            return 1;
        } catch (const std::logic_error& e) {
            env.err << cmd << ": internal error: " << e.what() << '\n';
            return 2;
        }
        const aio::check::ShrinkResult& r = f.shrink;
        env.out << fmt::format("shrink {}: {} ({}) fails\n", name_, replay_, plural(r.before, "non-zero decision"));
        env.out << fmt::format("  signature: {}\n", aio::sim::signature(f.failure));
        env.out << fmt::format("shrunk to {}, {} removed ({} runs, same signature){}\n",
                               plural(r.after, "non-zero decision"), r.removed, r.runs,
                               f.kept_input ? fmt::format("; as a list ({}) that is longer than the input, which is "
                                                          "printed back",
                                                          r.replay)
                                            : std::string());
        for (const auto& p : f.run.problems) env.out << "  - " << indent_continuation(p) << '\n';
        env.out << format_faults(f.input);
        env.out << format_faults(f.run, "  ", "shrunk faults");
        if (f.input.fault_budget || !f.input.faults.empty())
            env.out << "  " << faults_removed(f.input.faults.size(), f.run.faults.size()) << '\n';
        env.out << format_order_line(f.replay);
        env.out << fmt::format("  replay: {}\n  trace hash: {}\n  replay it: {} run {} --replay '{}'\n", f.replay,
                               f.run.trace_hash ? aio::sim::format_hash(*f.run.trace_hash) : std::string("none"),
                               env.program, name_, f.replay);
        env.out.flush();
        return 0;
    }

private:
    std::string name_;
    std::string replay_;
    std::uint64_t max_runs_ = 2000;
    NetOptions net_;
};

}  // namespace

std::unique_ptr<Command> make_shrink_command(CLI::App& app) { return std::make_unique<ShrinkCommand>(app); }

}  // namespace aio::cli
