#pragma once
// A regression corpus: a folder of known failures, one a file, that an exploration replays
// (strictly) before it explores, and into which it saves the new failures it finds.
// `aiosim explore NAME --corpus DIR --save-failures DIR` and for_all_schedules
// (AIOSIM_CORPUS=DIR, AIOSIM_SAVE_FAILURES=DIR, ExploreOptions::corpus / ::save_failures) use it.
//
// The format of an entry, DIR/<file>.replay (plain text, UTF-8, one "key: value" a line; blank
// lines and lines starting with '#' are ignored; every key once, in any order; in a value a
// backslash, a line feed and a carriage return are written \\, \n and \r):
//
//     # aiosim regression corpus entry: one known failure
//     scenario: bug_lost_update          (or `check: NAME`: a for_all_schedules check's name)
//     signature: oracle: every increment must count: ...   (aio::sim::signature of the failure)
//     replay: aiosim1:random:seed=1:r2.r1.r1.r1.r2.3r1
//
// Only files whose name ends in ".replay" are entries; they are read in file-name order. The
// file a failure is saved to is named after the entry's name and the FNV-1a 64 hash of
// "KIND:NAME\nSIGNATURE" (KIND: scenario or check), `<name>-<16 hex digits>.replay` (characters
// other than letters, digits, '_', '-' and '.' in the name become '_', at most 64 of them), so
// one failure signature of one scenario or check has one
// file: saving a failure whose entry exists writes nothing, whoever found it first (a shard,
// another run). Files are written whole (a temporary file renamed), so parallel shards that
// save into one folder never leave half an entry.
//
// Replaying an entry: the replay string runs once, strictly (a decision that no longer fits is
// a divergence, never bent). Its verdict:
//   reproduced  it failed with the entry's signature: the known bug is (still) there
//   changed     it failed with another signature: a failure, and not the known one
//   fixed       it ran to the end and passed: the regression stays fixed
//   stale       the string no longer fits the program (it diverged, or does not parse): the
//               entry tests nothing any more and is reported as such, never as a pass;
//               re-record or delete it
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <aio/sim/failure.hpp>

namespace aio::check {

/// What an entry names: a scenario of the command line, or a check (ExploreOptions::name).
enum class CorpusKind : std::uint8_t { scenario, check };

/// "scenario", "check": the entry's key.
std::string_view corpus_kind_key(CorpusKind k) noexcept;

struct CorpusEntry {
    std::string file;  ///< the entry's file name in its folder (no directory)
    CorpusKind kind = CorpusKind::scenario;
    std::string name;
    std::string signature;
    std::string replay;
    friend bool operator==(const CorpusEntry&, const CorpusEntry&) = default;
};

/// The entry's text (the format above), as save_corpus_entry writes it.
std::string format_corpus_entry(const CorpusEntry& e);

/// Parses one entry's text; `file` names it in errors. Throws aio::ValueError
/// ("FILE:LINE: ...") for a line that is not "key: value", an unknown or repeated key, a
/// missing key, an empty value.
CorpusEntry parse_corpus_entry(std::string_view text, const std::string& file);

/// Every *.replay file of `dir`, in file-name order. A folder that does not exist has no entry
/// (a first run that saves into it); a path that is not a folder, an unreadable or malformed
/// file throws aio::ValueError naming it.
std::vector<CorpusEntry> read_corpus(const std::string& dir);

/// The entries of `all` for this scenario or check, in their order.
std::vector<CorpusEntry> corpus_entries_for(const std::vector<CorpusEntry>& all, CorpusKind kind,
                                            const std::string& name);

/// `<name>-<fnv1a64("KIND:NAME\nSIGNATURE") in 16 hex digits>.replay`, the name sanitised.
std::string corpus_file_name(CorpusKind kind, const std::string& name, const std::string& signature);

struct SavedEntry {
    std::string path;      ///< DIR/file
    bool written = false;  ///< false: an entry of this name and signature was there already
};

/// Saves the failure to `dir` (created if needed) unless its file exists. Throws
/// aio::ValueError when the folder or the file cannot be written.
SavedEntry save_corpus_entry(const std::string& dir, const CorpusEntry& e);

enum class CorpusVerdict : std::uint8_t { reproduced, changed, fixed, stale };

/// "reproduced", "changed", "fixed", "stale".
std::string_view corpus_verdict_name(CorpusVerdict v) noexcept;

/// The verdict of an entry's strict replay: how it failed (nullopt: it passed), whether it
/// diverged (its failure is a replay divergence, or the string would not parse: pass
/// diverged = true with failure nullopt).
CorpusVerdict judge_corpus_replay(const CorpusEntry& e, const std::optional<aio::sim::RunFailure>& failure,
                                  bool diverged);

/// Whether a verdict fails the exploration: reproduced and changed do; fixed and stale do not
/// (a stale entry is reported apart, as a warning).
constexpr bool corpus_verdict_fails(CorpusVerdict v) noexcept {
    return v == CorpusVerdict::reproduced || v == CorpusVerdict::changed;
}

}  // namespace aio::check
