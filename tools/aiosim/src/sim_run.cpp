#include "sim_run.hpp"

#include <fmt/format.h>

#include <exception>
#include <memory>
#include <mutex>

#include <aio/check/coverage.hpp>
#include <aio/errors.hpp>
#include <aio/sim/policy.hpp>
#include <aio/sim/replay.hpp>
#include <aio/sim/sim_loop.hpp>
#include <aio/sim/trace.hpp>

namespace aio::cli {

namespace {

// The records of every loop one run creates, in creation order. Loops are normally created
// on the scenario's thread, but a scenario may call aio::run inside aio::to_thread.
struct Records {
    std::mutex mu;
    std::vector<std::shared_ptr<aio::sim::RunRecord>> all;
};

using aio::sim::FailureKind;
using aio::sim::RunFailure;

void add_problem(std::vector<std::string>& problems, const std::string& what) {
    for (const auto& p : problems)
        if (p == what) return;  // one loop's error reported once
    problems.push_back(what);
}

}  // namespace

std::string signature_of(const SimRun& r) { return r.failure ? aio::sim::signature(*r.failure) : "none"; }

SimRun run_simulated(const scenario::Scenario& s, const aio::sim::Config& cfg, scenario::Sink* echo,
                     const aio::sim::RecordSink& last_record) {
    auto records = std::make_shared<Records>();
    auto base = std::make_shared<const aio::sim::Config>(cfg);
    aio::RunOptions options;
    options.loop_factory = [records, base]() -> std::unique_ptr<EventLoop> {
        // A slot per loop in creation order, filled when the loop is destroyed.
        auto slot = std::make_shared<aio::sim::RunRecord>();
        {
            std::lock_guard lock(records->mu);
            records->all.push_back(slot);
        }
        return std::make_unique<aio::sim::SimLoop>(base, [slot](aio::sim::RunRecord&& r) { *slot = std::move(r); });
    };

    SimRun r;
    r.outcome = scenario::execute(s, options, echo);
    // Every loop is destroyed by now (aio::run destroys its loop before it returns), so
    // every record is complete.
    const scenario::Verdict v = scenario::evaluate(s, r.outcome);
    r.problems = v.violations();
    const auto& recs = records->all;
    r.loops = recs.size();
    for (const auto& rec : recs) {
        if (!r.failure && rec->failure) r.failure = rec->failure;
        if (!r.failure && rec->replay_incomplete) r.failure = rec->replay_incomplete;
    }
    if (!r.failure && !v.ok()) {
        if (r.outcome.escaped)
            r.failure = RunFailure{FailureKind::exception, r.outcome.escaped, v.requirements().front(),
                                   aio::describe(r.outcome.escaped)};
        else
            r.failure = RunFailure{FailureKind::requirement, nullptr, v.requirements().front(), v.violations().front()};
    }
    // An oracle quoting the simulator's error (the default one quotes an escaped exception
    // whole) would print its text twice, the long deadlock report included: the quote
    // becomes a reference to the problem that follows.
    for (auto& p : r.problems)
        for (const auto& rec : recs) {
            if (!rec->failure) continue;
            const std::string& text = rec->failure->message;
            const std::string name = text.substr(0, text.find(": "));
            for (auto at = p.find(text); at != std::string::npos; at = p.find(text, at + 1))
                p.replace(at, text.size(), name + " (below)");
        }
    for (const auto& rec : recs) {
        if (rec->failure) add_problem(r.problems, "the simulator raised " + rec->failure->message);
        if (rec->replay_incomplete) add_problem(r.problems, rec->replay_incomplete->message);
        if (r.divergence.empty() && rec->failure && rec->failure->kind == FailureKind::replay_divergence)
            r.divergence = rec->failure->message;
        if (r.divergence.empty() && rec->replay_incomplete) r.divergence = rec->replay_incomplete->message;
    }
    if (recs.size() == 1) {
        r.replay = recs.front()->replay;
        r.nonzero_decisions = recs.front()->nonzero_decisions;
    } else {
        aio::sim::Schedule seeded = cfg.schedule;
        if (recs.empty()) seeded.decisions.reset();
        r.replay = seeded.to_string();
        r.nonzero_decisions = seeded.decisions ? seeded.decisions->size() : 0;
    }
    r.fault_budget = cfg.schedule.network.faults.budget > 0;
    for (const auto& rec : recs) r.faults.insert(r.faults.end(), rec->faults.begin(), rec->faults.end());
    if (!recs.empty()) r.steps_per_task = recs.front()->steps_per_task;
    for (const auto& rec : recs) {
        if (!rec->coverage) continue;
        if (!r.coverage && !last_record)
            r.coverage = std::move(*rec->coverage);  // the record goes no further
        else if (!r.coverage)
            r.coverage = *rec->coverage;
        else
            aio::check::append_run_coverage(*r.coverage, *rec->coverage);
    }
    if (cfg.trace != aio::sim::TraceMode::off && !recs.empty()) {
        if (recs.size() == 1) {
            r.trace_hash = recs.front()->trace_hash;
        } else {
            std::uint64_t h = aio::sim::fnv1a64_offset;
            for (const auto& rec : recs) h = aio::sim::fnv1a64(aio::sim::format_hash(rec->trace_hash.value_or(0)), h);
            r.trace_hash = h;
        }
        if (cfg.trace == aio::sim::TraceMode::full)
            for (const auto& rec : recs) r.trace.insert(r.trace.end(), rec->trace.begin(), rec->trace.end());
    }
    if (last_record && !recs.empty()) last_record(std::move(*recs.back()));
    return r;
}

std::string indent_continuation(std::string text) {
    for (std::size_t at = text.find('\n'); at != std::string::npos; at = text.find('\n', at + 5))
        text.replace(at, 1, "\n    ");
    return text;
}

std::string format_problems(const std::string& cmd, const std::string& name, const SimRun& r) {
    std::string s = fmt::format("{}: {} FAILED:\n", cmd, name);
    for (const auto& p : r.problems) s += "  - " + indent_continuation(p) + '\n';
    return s + "  signature: " + signature_of(r) + '\n' + format_faults(r) + format_order_line(r.replay);
}

std::string format_order_line(const std::string& replay, const std::string& prefix) {
    if (replay.empty()) return {};  // the real loop: no schedule
    try {
        const aio::sim::Schedule s = aio::sim::Schedule::parse(replay);
        return prefix + aio::sim::cpython_order_note(s) + '\n';
    } catch (const std::exception&) {
        return {};  // the run's own replay string always parses; say nothing rather than guess
    }
}

std::string format_faults(const SimRun& r, const std::string& indent, const std::string& heading) {
    if (r.faults.empty()) return r.fault_budget ? indent + heading + ": none\n" : std::string();
    std::string s = indent + heading + ":\n";
    for (const auto& f : r.faults) {
        s += indent;
        s += "  - ";
        s += f;
        s += '\n';
    }
    return s;
}

std::string faults_removed(std::size_t before, std::size_t after) {
    if (before == 0) return "no fault to remove (the failure needs none)";
    const std::size_t removed = before > after ? before - after : 0;
    return fmt::format("shrinking removed {} of {} fault{} ({} left)", removed, before, before == 1 ? "" : "s", after);
}

std::string format_replay_lines(const SimRun& r) {
    return fmt::format("replay: {}\ntrace hash: {}\n", r.replay,
                       r.trace_hash ? aio::sim::format_hash(*r.trace_hash) : std::string("none (no loop ran)"));
}

std::uint64_t outcome_hash(const scenario::Execution& o) {
    using aio::sim::fnv1a64;
    std::uint64_t h = fnv1a64(fmt::format("status {}\n", o.exit_status));
    for (const auto& l : o.lines) h = fnv1a64("\n", fnv1a64(l, fnv1a64("out ", h)));
    for (const auto& l : o.errors) h = fnv1a64("\n", fnv1a64(l, fnv1a64("err ", h)));
    return fnv1a64(o.escaped_description(), fnv1a64("escaped ", h));
}

std::uint64_t OutcomeHasher::operator()(const scenario::Execution& o) {
    if (o.escaped) return outcome_hash(o);  // its description would cost as much as the hash
    for (const Known& k : known_)
        if (k.used && k.exit_status == o.exit_status && k.lines == o.lines && k.errors == o.errors) return k.hash;
    const std::uint64_t h = outcome_hash(o);
    known_[next_] = Known{true, o.exit_status, o.lines, o.errors, h};
    next_ = (next_ + 1) % known_.size();
    return h;
}

std::string shell_quote(const std::string& s) {
    if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%") ==
                          std::string::npos)
        return s;
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

}  // namespace aio::cli
