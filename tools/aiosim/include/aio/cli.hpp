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
//
// Numbers on the command line and in the shard variables are decimal digits only, inside the
// range each option's help states (`--seed` 0 to 2^64 - 1, `--seeds` and `--max-runs` from 1,
// `--jobs` 1 to 256, `--pct-depth` 1 to 64, `--time` at most 10000h); anything else (a sign,
// an empty value, a number that would wrap or saturate) is bad usage naming the option and its
// range. A command that loops over seeds and ran none fails (exit 1): `explore` on a shard
// left without seeds, unless --allow-empty.
//
// The environment the command line reads: TEST_TOTAL_SHARDS, TEST_SHARD_INDEX (explore's
// shard) and TEST_SHARD_STATUS_FILE (touched, i.e. created, when set: Bazel's sharding
// protocol); aio::EventLoop reads AIO_DEBUG when a loop is made.
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

namespace aio::scenario {
class Registry;
}

namespace aio::cli {

/// An environment variable's value, or nullopt when it is unset.
using Getenv = std::function<std::optional<std::string>(std::string_view name)>;

/// The process's environment (std::getenv).
Getenv process_environment();

/// The command line over Registry::global(), writing to std::cout and std::cerr.
int main(int argc, char** argv);

/// The command line over `scenarios`: its own messages and the scenarios' lines go to `out`
/// (standard output) and `err` (standard error); the environment is the process's.
int main(int argc, const char* const* argv, const scenario::Registry& scenarios, std::ostream& out, std::ostream& err);

/// The same over the environment `getenv` gives. Every call is independent of the ones
/// before it (no state is kept between calls); it never calls exit() or abort(), and returns
/// 2 with "internal error: ..." on `err` if anything unexpected is thrown.
int main(int argc, const char* const* argv, const scenario::Registry& scenarios, std::ostream& out, std::ostream& err,
         const Getenv& getenv);

}  // namespace aio::cli
