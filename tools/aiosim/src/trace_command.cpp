// aiosim trace NAME [--policy P] [--seed S] [--replay STR] [-o FILE] [--format json|text]:
// runs a scenario once under the simulator with full tracing, its output captured, and
// writes the trace: Chrome trace-event JSON (opens in Perfetto or chrome://tracing, one
// track per task) by default, or the text form with --format text. FILE defaults to
// NAME.trace.json (NAME.trace.txt for text); `-o -` writes to standard output, and the
// summary then goes to standard error. The summary names the file, the number of events, the
// run's replay string and its trace hash (the one `run`, `explore` and `shrink` print for the
// same schedule).
//
// Exit status: 0 when the trace was written and the run passed; 1 when the run failed (the
// trace is still written, and the failure reported on standard error); 2 on bad usage or
// when the file cannot be written.
#include <fmt/format.h>

#include <fstream>
#include <string>

#include <aio/sim/trace.hpp>

#include "command.hpp"
#include "loop_options.hpp"
#include "sim_run.hpp"

namespace aio::cli {

namespace {

class TraceCommand final : public Command {
public:
    explicit TraceCommand(CLI::App& app) {
        app_ = app.add_subcommand("trace",
                                  "run a scenario once under the simulator and write its trace (Chrome trace-event "
                                  "JSON for Perfetto, or text)");
        app_->add_option("NAME", name_, "the scenario (`aiosim list` shows them)");
        add_schedule_options(*app_, loop_);
        app_->add_option("-o,--output", output_, "where to write the trace (- is standard output)")
            ->type_name("FILE")
            ->default_str("NAME.trace.json, or NAME.trace.txt with --format text");
        app_->add_option("--format", format_, "json: Chrome trace-event JSON; text: one event a line")
            ->check(CLI::IsMember({"json", "text"}))
            ->type_name("FORMAT")
            ->default_str(format_);
    }

    int execute(Env& env) override {
        const std::string cmd = env.program + " trace";
        const scenario::Scenario* s = find_scenario(env, cmd, name_, env.program + " trace NAME");
        if (!s) return 2;
        std::optional<aio::sim::Config> config = make_sim_config(loop_, env.err, cmd, "--replay: ");
        if (!config) return 2;
        aio::sim::Config& cfg = *config;
        const bool json = format_ == "json";
        const std::string file = output_.empty() ? name_ + (json ? ".trace.json" : ".trace.txt") : output_;
        const bool to_stdout = file == "-";
        std::ofstream trace_file;
        if (!to_stdout) {
            trace_file.open(file, std::ios::binary | std::ios::trunc);
            if (!trace_file) {
                env.err << cmd << ": cannot write to '" << file << "'\n";
                return 2;
            }
        }
        cfg.trace = aio::sim::TraceMode::full;
        const SimRun r = run_simulated(*s, cfg);

        std::ostream& os = to_stdout ? env.out : static_cast<std::ostream&>(trace_file);
        os << (json ? aio::sim::chrome_trace_json(r.trace) : aio::sim::format_trace(r.trace));
        os.flush();
        if (!os) {
            env.err << cmd << ": writing '" << file << "' failed\n";
            return 2;
        }
        std::ostream& summary = to_stdout ? env.err : env.out;
        summary << fmt::format("trace {}: {} events, {}, written to {}\n", name_, r.trace.size(),
                               json ? "Chrome trace-event JSON" : "text", to_stdout ? "standard output" : file)
                << format_replay_lines(r);
        summary.flush();
        if (!r.failed()) return 0;
        env.err << format_problems(cmd, name_, r);
        env.err.flush();
        return 1;
    }

private:
    std::string name_;
    LoopOptions loop_;
    std::string output_;
    std::string format_ = "json";
};

}  // namespace

std::unique_ptr<Command> make_trace_command(CLI::App& app) { return std::make_unique<TraceCommand>(app); }

}  // namespace aio::cli
