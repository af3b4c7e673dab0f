// aiosim run NAME [--loop sim|real] [--policy P] [--seed S] [--replay STR] [--trace FILE]
// [--print-replay]: runs one scenario, streaming its lines as they are printed; the exit
// status is the scenario's. The loop is the simulator (policy fifo: asyncio's own order, in
// virtual time) unless --loop real is given. Under the simulator the run is also judged as
// `explore` judges it: a failed oracle or a simulator error (even one the scenario caught) is
// reported on standard error with the run's replay string and trace hash, and turns exit
// status 0 into 1.
#include <fmt/format.h>

#include <fstream>
#include <string>

#include <aio/sim/trace.hpp>

#include "aio/scenario/execute.hpp"
#include "command.hpp"
#include "loop_options.hpp"
#include "sim_run.hpp"

namespace aio::cli {

namespace {

bool ends_with(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

class RunCommand final : public Command {
public:
    explicit RunCommand(CLI::App& app) {
        app_ = app.add_subcommand("run", "run one scenario and print its output; exits with the scenario's status");
        // Not ->required(): CLI11 would only say "NAME is required"; execute() lists the
        // valid names instead.
        app_->add_option("NAME", name_, "the scenario to run (`aiosim list` shows them)");
        add_loop_options(*app_, loop_);
        app_->add_option("--trace", trace_,
                         "write the run's trace to FILE: Chrome trace-event JSON (Perfetto, chrome://tracing) if FILE "
                         "ends in .json, otherwise the text form; - is standard error")
            ->type_name("FILE")
            ->each([this](const std::string&) {
                if (loop_.sim_option.empty()) loop_.sim_option = "--trace";
            });
        app_->add_flag("--print-replay", print_replay_,
                       "print the run's replay string and trace hash on standard error at the end")
            ->each([this](const std::string&) {
                if (loop_.sim_option.empty()) loop_.sim_option = "--print-replay";
            });
    }

    int execute(Env& env) override {
        const std::string cmd = env.program + " run";
        const scenario::Scenario* s = find_scenario(env, cmd, name_, env.program + " run NAME");
        if (!s) return 2;
        std::string loop;
        try {
            loop = effective_loop(loop_);
        } catch (const aio::ValueError& e) {
            env.err << cmd << ": " << e.what() << '\n';
            return 2;
        }
        StreamSink echo(env.out, env.err);
        if (loop != "sim") return scenario::execute(*s, make_run_options(loop_), &echo).exit_status;

        std::optional<aio::sim::Config> config = make_sim_config(loop_, env.err, cmd, "--replay: ");
        if (!config) return 2;
        aio::sim::Config& cfg = *config;
        std::ofstream trace_file;
        if (!trace_.empty() && trace_ != "-") {
            trace_file.open(trace_, std::ios::binary | std::ios::trunc);
            if (!trace_file) {
                env.err << cmd << ": --trace: cannot write to '" << trace_ << "'\n";
                return 2;
            }
        }
        cfg.trace = trace_.empty() ? aio::sim::TraceMode::hash : aio::sim::TraceMode::full;
        SimRun r = run_simulated(*s, cfg, &echo);

        if (!trace_.empty()) {
            std::ostream& os = trace_ == "-" ? env.err : static_cast<std::ostream&>(trace_file);
            os << (ends_with(trace_, ".json") ? aio::sim::chrome_trace_json(r.trace) : aio::sim::format_trace(r.trace));
            os.flush();
            if (!os) {
                env.err << cmd << ": --trace: writing '" << trace_ << "' failed\n";
                return 2;
            }
        }
        if (r.failed()) env.err << format_problems(cmd, name_, r);
        if (r.failed() || print_replay_) env.err << format_replay_lines(r);
        env.err.flush();
        return exit_status(r);
    }

private:
    std::string name_;
    LoopOptions loop_;
    std::string trace_;
    bool print_replay_ = false;
};

}  // namespace

std::unique_ptr<Command> make_run_command(CLI::App& app) { return std::make_unique<RunCommand>(app); }

}  // namespace aio::cli
