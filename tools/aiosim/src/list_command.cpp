// aiosim list: every registered scenario, by name, with its one-line description.
#include <fmt/format.h>

#include <algorithm>

#include "command.hpp"

namespace aio::cli {

namespace {

class ListCommand final : public Command {
public:
    explicit ListCommand(CLI::App& app) {
        app_ = app.add_subcommand("list", "list the scenarios, each with its one-line description");
    }

    int execute(Env& env) override {
        auto all = env.scenarios.all();
        if (all.empty()) {
            env.err << env.program
                    << " list: this program registers no scenarios; define one with "
                       "AIOSIM_SCENARIO(name, \"description\") { ... } and link its file into the program\n";
            return 0;
        }
        std::size_t width = 0;
        for (const auto* s : all) width = std::max(width, s->name.size());
        for (const auto* s : all) env.out << fmt::format("{:<{}}  {}\n", s->name, width, s->description);
        env.out.flush();
        return 0;
    }
};

}  // namespace

std::unique_ptr<Command> make_list_command(CLI::App& app) { return std::make_unique<ListCommand>(app); }

}  // namespace aio::cli
