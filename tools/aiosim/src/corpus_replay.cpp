#include "corpus_replay.hpp"

#include <fmt/format.h>

#include <chrono>
#include <exception>
#include <filesystem>

#include <aio/errors.hpp>
#include <aio/sim/config.hpp>
#include <aio/sim/policy.hpp>
#include <aio/sim/trace.hpp>

#include "shrink_failure.hpp"

namespace aio::cli {

namespace {

using aio::check::CorpusVerdict;

CorpusReplay replay_entry(const scenario::Scenario& s, const aio::check::CorpusEntry& e) {
    CorpusReplay out;
    out.entry = e;
    aio::sim::Config cfg;
    try {
        cfg = aio::sim::Config::from_replay(e.replay);
    } catch (const std::exception& ex) {  // a string this build cannot read (ReplayParseError, ValueError)
        out.verdict = CorpusVerdict::stale;
        out.why_stale = fmt::format("its replay string does not parse:\n{}", ex.what());
        out.got = "none";
        return out;
    }
    cfg.strict_replay = true;  // a decision that no longer fits is a divergence, never bent
    cfg.trace = aio::sim::TraceMode::hash;
    out.cpython_order = aio::sim::cpython_can_run(cfg.schedule.policy, cfg.schedule.task_start);
    const SimRun r = run_simulated(s, cfg);
    out.trace_hash = r.trace_hash;
    out.got = signature_of(r);
    const bool diverged = !r.divergence.empty();
    out.verdict = aio::check::judge_corpus_replay(e, r.failure, diverged);
    if (out.verdict == CorpusVerdict::stale)
        out.why_stale = fmt::format("its replay string no longer fits the program:\n{}", r.divergence);
    return out;
}

}  // namespace

CorpusOutcome replay_corpus(Env& env, const scenario::Scenario& s, const std::string& dir,
                            const std::vector<aio::check::CorpusEntry>& entries, const Shard& shard) {
    CorpusOutcome outcome;
    std::vector<const aio::check::CorpusEntry*> mine;
    for (std::size_t j = 0; j < entries.size(); ++j)
        if (j % shard.total == shard.index) mine.push_back(&entries[j]);
    std::string share;
    if (shard.total > 1)
        share = fmt::format(", {} of them for shard {} of {}", mine.size(), shard.index + 1, shard.total);
    env.out << fmt::format("corpus {}: {} entr{} for {}{}\n", dir, entries.size(), entries.size() == 1 ? "y" : "ies",
                           s.name, share);
    for (const auto* e : mine) {
        const auto t0 = std::chrono::steady_clock::now();
        CorpusReplay r = replay_entry(s, *e);
        r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const std::string quoted = "'" + e->replay + "'";
        switch (r.verdict) {
        case CorpusVerdict::reproduced:
            env.out << fmt::format("  reproduced {}: fails again with its signature ({})\n", e->file, e->signature);
            break;
        case CorpusVerdict::changed:
            env.out << fmt::format("  changed    {}: fails with another signature: {} (the entry's: {})\n", e->file,
                                   r.got, e->signature);
            break;
        case CorpusVerdict::fixed:
            env.out << fmt::format("  fixed      {}: replays to the end and passes\n", e->file);
            break;
        case CorpusVerdict::stale:
            env.out << fmt::format("  stale      {}: it tests nothing now: re-record or delete it; {}\n", e->file,
                                   indent_continuation(r.why_stale));
            break;
        }
        if (aio::check::corpus_verdict_fails(r.verdict)) {
            env.out << fmt::format("    replay: {}\n", e->replay);
            env.out << fmt::format("    trace hash: {}\n",
                                   r.trace_hash ? aio::sim::format_hash(*r.trace_hash) : std::string("none"));
            env.out << "  " << format_order_line(e->replay);
            env.out << fmt::format("    replay it: {} run {} --replay {}\n", env.program, s.name, quoted);
            (r.cpython_order ? outcome.failing_cpython : outcome.failing_perturbed) += 1;
        }
        if (r.verdict == CorpusVerdict::stale) ++outcome.stale;
        outcome.replays.push_back(std::move(r));
    }
    const std::size_t fixed = outcome.replays.size() - outcome.failing() - outcome.stale;
    env.out << fmt::format("corpus: {} replayed, {} failing, {} fixed, {} stale{}\n", outcome.replays.size(),
                           outcome.failing(), fixed, outcome.stale,
                           outcome.stale ? " (STALE entries are no pass: re-record or delete them)" : "");
    env.out.flush();
    return outcome;
}

void FailureCollector::add(const std::string& signature, const std::string& replay) {
    if (first_.count(signature)) return;
    if (first_.size() == kMaxKept) {
        ++dropped_;
        return;
    }
    first_.emplace(signature, replay);
    order_.push_back(signature);
}

bool save_failures(Env& env, const scenario::Scenario& s, const std::string& dir, const FailureCollector& found,
                   bool shrink) {
    std::size_t written = 0, present = 0;
    for (const std::string& signature : found.order()) {
        aio::check::CorpusEntry e;
        e.kind = aio::check::CorpusKind::scenario;
        e.name = s.name;
        e.signature = signature;
        e.replay = found.first_of().at(signature);
        try {
            // Known already: nothing to shrink or write.
            const std::string file = aio::check::corpus_file_name(e.kind, e.name, e.signature);
            if (std::filesystem::exists(std::filesystem::path(dir) / file)) {
                env.out << fmt::format("saved: {}/{} is there already ({})\n", dir, file, signature);
                ++present;
                continue;
            }
            if (shrink) e.replay = shrink_failure(s, e.replay, 2000).replay;
            const aio::check::SavedEntry saved = aio::check::save_corpus_entry(dir, e);
            env.out << fmt::format("saved: {} {} ({})\n", saved.path, saved.written ? "written" : "is there already",
                                   signature);
            (saved.written ? written : present) += 1;
        } catch (const std::exception& ex) {
            env.out.flush();
            env.err << env.program << " explore: --save-failures: " << ex.what() << '\n';
            return false;
        }
    }
    if (found.dropped())
        env.out << fmt::format("saved: only the first {} signatures; {} more failing runs had others\n",
                               FailureCollector::kMaxKept, found.dropped());
    env.out << fmt::format("saved: {} new entr{} in {}, {} there already\n", written, written == 1 ? "y" : "ies", dir,
                           present);
    return true;
}

}  // namespace aio::cli
