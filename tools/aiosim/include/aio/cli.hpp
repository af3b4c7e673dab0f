#pragma once
// aio::cli::main: the `aiosim` command line over the scenarios a program registers.
//
//     aiosim list                       every scenario, with its one-line description
//     aiosim run NAME [--loop real]     runs one scenario, streaming its output
//
// Exit status: for `run`, the scenario's own (1 if an exception escaped it); 0 for `list` and
// --help; 2 for bad usage (no or unknown subcommand, unknown option, loop or scenario, missing
// argument), with a message on standard error that names the mistake and the fix. A program
// whose registrations are inconsistent (a name twice, a stray oracle) also exits 2 before
// parsing anything.
//
// Link aiosim::cli_main to get a main() that calls the first overload over
// aio::scenario::Registry::global(): your AIOSIM_SCENARIOs then make up the tool.
#include <iosfwd>

namespace aio::scenario {
class Registry;
}

namespace aio::cli {

/// The command line over Registry::global(), writing to std::cout and std::cerr.
int main(int argc, char** argv);

/// The command line over `scenarios`: its own messages and the scenarios' lines go to `out`
/// (standard output) and `err` (standard error).
int main(int argc, const char* const* argv, const scenario::Registry& scenarios, std::ostream& out,
         std::ostream& err);

}  // namespace aio::cli
