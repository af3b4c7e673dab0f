// aiosim replay NAME STR (or NAME --replay STR, as every other command takes it): runs a scenario exactly as a replay string says, as
// `aiosim run NAME --replay STR --print-replay` does (lines streamed, the run judged, its
// replay string and trace hash printed on standard error), and checks strictly that the run
// followed the string: when a recorded decision no longer fits the program, or the run ends
// before all of them were used (the program changed since the string was recorded), it says
// so with the simulator's divergence report (the first divergent decision: step, task,
// virtual time) and exits 1.
//
// Exit status: 1 when the run diverged from the string; otherwise the scenario's own, or 1
// when it returned 0 but the run failed (a failure reproduced); 2 on bad usage (a malformed
// string says where).
#include <fmt/format.h>

#include <string>

#include "command.hpp"
#include "loop_options.hpp"
#include "sim_run.hpp"

namespace aio::cli {

namespace {

class ReplayCommand final : public Command {
public:
    explicit ReplayCommand(CLI::App& app) {
        app_ = app.add_subcommand("replay",
                                  "run a scenario exactly as a replay string says (as `run --replay STR "
                                  "--print-replay`), and fail if the run no longer follows the string");
        app_->add_option("NAME", name_, "the scenario (`aiosim list` shows them)");
        app_->add_option("STR", loop_.replay, "the replay string (as explore, shrink or run --print-replay print it)");
        app_->add_option("--replay", replay_option_,
                         "the replay string, as the other commands take it (the same as STR)");
        add_clock_options(*app_, loop_.clock);  // they must agree with the string
        add_network_options(*app_, loop_.net);  // they must agree with the string
    }

    int execute(Env& env) override {
        const std::string cmd = env.program + " replay";
        const scenario::Scenario* s = find_scenario(env, cmd, name_, env.program + " replay NAME STR");
        if (!s) return 2;
        if (!replay_option_.empty()) {
            if (!loop_.replay.empty() && loop_.replay != replay_option_) {
                env.err << cmd << ": two different replay strings, STR " << loop_.replay << " and --replay "
                        << replay_option_ << "; give one\nRun `" << cmd << " --help` for usage.\n";
                return 2;
            }
            loop_.replay = replay_option_;
        }
        if (loop_.replay.empty()) {
            env.err << cmd << ": give the replay string: " << env.program << " replay " << name_
                    << " STR or --replay STR (as explore prints it)\nRun `" << cmd << " --help` for usage.\n";
            return 2;
        }
        std::optional<aio::sim::Config> config = make_sim_config(loop_, env.err, cmd, "");
        if (!config) return 2;
        aio::sim::Config& cfg = *config;
        cfg.strict_replay = true;  // a decision that no longer fits is an error, never bent
        cfg.trace = aio::sim::TraceMode::hash;
        StreamSink echo(env.out, env.err);
        const SimRun r = run_simulated(*s, cfg, &echo);
        env.out.flush();
        if (!r.divergence.empty()) {
            env.err << fmt::format("{}: {} did not follow the replay string {}:\n  - {}\n", cmd, name_, loop_.replay,
                                   indent_continuation(r.divergence))
                    << format_replay_lines(r);
            env.err.flush();
            return 1;
        }
        if (r.failed()) env.err << format_problems(cmd, name_, r);
        env.err << format_replay_lines(r);
        env.err.flush();
        return exit_status(r);
    }

private:
    std::string name_;
    std::string replay_option_;
    LoopOptions loop_;
};

}  // namespace

std::unique_ptr<Command> make_replay_command(CLI::App& app) { return std::make_unique<ReplayCommand>(app); }

}  // namespace aio::cli
