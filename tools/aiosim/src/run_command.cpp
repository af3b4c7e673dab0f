// aiosim run NAME [--loop L]: runs one scenario, streaming its lines as they are printed;
// the exit status is the scenario's.
#include <mutex>
#include <string>

#include "aio/scenario/check.hpp"
#include "command.hpp"
#include "loop_options.hpp"

namespace aio::cli {

namespace {

// Writes each line to the process's stdout/stderr as soon as it is printed (flushed, so a
// pipe sees it at the same moment a terminal would).
class StreamSink final : public scenario::Sink {
public:
    StreamSink(std::ostream& out, std::ostream& err) : out_(out), err_(err) {}
    void line(scenario::Stream stream, std::string_view text) override {
        std::lock_guard lock(mu_);
        std::ostream& os = stream == scenario::Stream::out ? out_ : err_;
        os << text << '\n';
        os.flush();
    }

private:
    std::mutex mu_;
    std::ostream& out_;
    std::ostream& err_;
};

class RunCommand final : public Command {
public:
    explicit RunCommand(CLI::App& app) {
        app_ = app.add_subcommand("run", "run one scenario and print its output; exits with the scenario's status");
        // Not ->required(): CLI11 would only say "NAME is required"; execute() lists the
        // valid names instead.
        app_->add_option("NAME", name_, "the scenario to run (`aiosim list` shows them)");
        add_loop_options(*app_, loop_);
    }

    int execute(Env& env) override {
        if (name_.empty()) {
            std::string valid;
            for (const auto* v : env.scenarios.all()) valid += (valid.empty() ? "" : ", ") + v->name;
            env.err << env.program << " run: which scenario? Give its name: " << env.program << " run NAME; valid "
                    << "scenarios: " << (valid.empty() ? "none (this program registers no scenarios)" : valid)
                    << '\n';
            return 2;
        }
        const scenario::Scenario* s = env.scenarios.find(name_);
        if (!s) {
            env.err << env.program << " run: " << env.scenarios.unknown_name_message(name_) << '\n';
            return 2;
        }
        aio::RunOptions options;
        try {
            options = make_run_options(loop_);
        } catch (const aio::ValueError& e) {  // a malformed --replay string: says where and why
            env.err << env.program << " run: --replay: " << e.what() << '\n';
            return 2;
        }
        StreamSink echo(env.out, env.err);
        return scenario::execute(*s, std::move(options), &echo).exit_status;
    }

private:
    std::string name_;
    LoopOptions loop_;
};

}  // namespace

std::unique_ptr<Command> make_run_command(CLI::App& app) { return std::make_unique<RunCommand>(app); }

}  // namespace aio::cli
