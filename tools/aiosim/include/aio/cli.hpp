#pragma once
// aio::cli::main: the `aiosim` command line over the scenarios a program registers.
//
//     aiosim list                       every scenario, with its one-line description
//     aiosim run NAME [--loop sim|real] [--policy P] [--seed S] [--replay STR]
//                     [--trace FILE] [--print-replay]
//                                       runs one scenario, streaming its output; on the
//                                       simulator (policy fifo: asyncio's own order, in
//                                       virtual time) unless --loop real is given
//     aiosim explore NAME (--seeds N | --time D) [--policy P] [--seed-start S] [--jobs J]
//                     [--stop-at-first] [--shrink] [--expect-failure]
//                                       runs it under many seeds of the simulator, output
//                                       captured; reports the first failure (with its
//                                       failure signature; shrunk with --shrink) and a summary
//     aiosim replay NAME STR            runs the schedule STR (as run --replay STR
//                                       --print-replay), failing if the run diverges from it
//     aiosim shrink NAME --replay STR   the minimal replay string that fails the same way
//                                       (the same failure signature: failed oracle
//                                       requirement, exception type, deadlock, limit)
//     aiosim trace NAME [--policy P] [--seed S] [--replay STR] [-o FILE] [--format json|text]
//                                       writes the run's trace (default NAME.trace.json) and
//                                       prints its trace hash
//
// Exit status: for `run`, the scenario's own (1 if an exception escaped it; under the
// simulator also 1 when it returned 0 but its oracle failed or the simulator raised an error
// the scenario caught); for `replay`, the same as `run`, and 1 when the run diverged from the
// string; for `explore`, 0 when every run passed and 1 when one failed (reversed by
// --expect-failure); for `shrink`, 0 when a failing string is printed and 1 when the input
// does not fail; for `trace`, 0 when the run passed and 1 when it failed (the trace is written
// either way); 0 for `list` and --help; 2 for bad usage (no or unknown subcommand, unknown
// option, loop, policy or scenario, missing argument, malformed replay string or shard
// variables), with a message on standard error that names the mistake and the fix. A program
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
