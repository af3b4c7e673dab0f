#pragma once
// Internal: `aiosim explore NAME --corpus DIR --save-failures DIR`, the regression corpus of
// aio/check/corpus.hpp on the command line.
//
// --corpus DIR: before exploring, every entry of DIR for the scenario (`scenario: NAME`) is run
// once, strictly, from its replay string (which carries the policy, parameters, network and
// faults); a shard runs the entries j with j % total == index, so the shards of an exploration
// share them out. Each verdict is printed (reproduced, changed, fixed, stale); a reproduced or
// changed entry is a failure of the exploration, found in CPython's own order or only in an
// order CPython cannot run as its replay string says; a stale entry is a warning of its own
// ("stale: ... re-record or delete it"), never a pass.
//
// --save-failures DIR: each distinct failure signature the exploration found (its first run in
// run order; shrunk first with --shrink) is saved as an entry unless DIR has it already.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <aio/check/corpus.hpp>

#include "command.hpp"
#include "shard.hpp"
#include "sim_run.hpp"

namespace aio::cli {

struct CorpusReplay {
    aio::check::CorpusEntry entry;
    aio::check::CorpusVerdict verdict = aio::check::CorpusVerdict::stale;
    std::string got;             ///< the signature the replay failed with ("none": it passed)
    std::string why_stale;       ///< the divergence or parse error, for a stale entry
    bool cpython_order = false;  ///< whether CPython's asyncio can run the entry's order
    std::optional<std::uint64_t> trace_hash;
    double seconds = 0;  ///< the replay's real time (JUnit's time attribute only)
};

struct CorpusOutcome {
    std::vector<CorpusReplay> replays;
    std::size_t failing_cpython = 0;    ///< reproduced or changed, in an order CPython can run
    std::size_t failing_perturbed = 0;  ///< reproduced or changed, only in an order CPython cannot run
    std::size_t stale = 0;
    std::size_t failing() const noexcept { return failing_cpython + failing_perturbed; }
};

/// Replays the shard's share of `entries` (the scenario's, in file order) and prints the
/// corpus section to env.out. `dir` names the folder in the output.
CorpusOutcome replay_corpus(Env& env, const scenario::Scenario& s, const std::string& dir,
                            const std::vector<aio::check::CorpusEntry>& entries, const Shard& shard);

/// The first run (in run order) of each distinct failure signature an exploration found; at
/// most kMaxKept signatures are kept (the rest are counted).
class FailureCollector {
public:
    static constexpr std::size_t kMaxKept = 64;
    /// One failing run, in run order.
    void add(const std::string& signature, const std::string& replay);
    const std::map<std::string, std::string>& first_of() const noexcept { return first_; }
    const std::vector<std::string>& order() const noexcept { return order_; }
    std::uint64_t dropped() const noexcept { return dropped_; }

private:
    std::map<std::string, std::string> first_;  // signature -> replay
    std::vector<std::string> order_;            // signatures in the order first seen
    std::uint64_t dropped_ = 0;
};

/// --save-failures: saves each collected failure not already in `dir` (shrunk first when
/// `shrink`), and prints a line for each. False after an error (printed on env.err).
bool save_failures(Env& env, const scenario::Scenario& s, const std::string& dir, const FailureCollector& found,
                   bool shrink);

}  // namespace aio::cli
