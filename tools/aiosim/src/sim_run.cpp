#include "sim_run.hpp"

#include <fmt/format.h>

#include <exception>
#include <memory>
#include <mutex>

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

void add_problem(std::vector<std::string>& problems, const std::string& what) {
    for (const auto& p : problems)
        if (p == what) return;  // one loop's error reported once
    problems.push_back(what);
}

// The kind of a simulator error from its message, which starts with the class name
// ("aio::sim::Deadlock: ...", "aio::sim::LimitExceeded during the cleanup ...: ...").
FailureSignature simulator_signature(const std::string& failure) {
    using Kind = FailureSignature::Kind;
    if (failure.starts_with("aio::sim::ReplayDivergence")) return {Kind::divergence, {}, {}};
    if (failure.starts_with("aio::sim::Deadlock")) return {Kind::deadlock, {}, {}};
    if (failure.starts_with("aio::sim::LimitExceeded"))
        return {Kind::limit, failure.find("step limit reached") != std::string::npos ? "steps" : "virtual time", {}};
    // Another simulator error: named by its class.
    return {Kind::exception, failure.substr(0, failure.find_first_of(": ")), {}};
}

}  // namespace

std::string to_string(const FailureSignature& s) {
    using Kind = FailureSignature::Kind;
    switch (s.kind) {
    case Kind::none: return "none";
    case Kind::oracle: return "oracle: " + s.requirement;
    case Kind::exception:
        return "exception " + s.what + (s.requirement.empty() ? std::string() : "; oracle: " + s.requirement);
    case Kind::deadlock: return "deadlock";
    case Kind::limit: return "limit: " + s.what;
    case Kind::divergence: return "divergence";
    }
    return "unknown";
}

SimRun run_simulated(const scenario::Scenario& s, const aio::sim::Config& cfg, scenario::Sink* echo) {
    auto records = std::make_shared<Records>();
    auto base = std::make_shared<const aio::sim::Config>(cfg);
    aio::RunOptions options;
    options.loop_factory = [records, base]() -> std::unique_ptr<EventLoop> {
        auto c = std::make_shared<aio::sim::Config>(*base);
        c->record = std::make_shared<aio::sim::RunRecord>();
        {
            std::lock_guard lock(records->mu);
            records->all.push_back(c->record);
        }
        return std::make_unique<aio::sim::SimLoop>(std::shared_ptr<const aio::sim::Config>(std::move(c)));
    };

    SimRun r;
    r.outcome = scenario::execute(s, options, echo);
    // Every loop is destroyed by now (aio::run destroys its loop before it returns), so
    // every record is complete.
    const scenario::Verdict v = scenario::evaluate(s, r.outcome);
    r.problems = v.violations();
    const auto& recs = records->all;
    r.loops = recs.size();
    using Kind = FailureSignature::Kind;
    for (const auto& rec : recs) {
        if (r.signature.kind == Kind::none && !rec->failure.empty()) r.signature = simulator_signature(rec->failure);
        if (r.signature.kind == Kind::none && !rec->replay_incomplete.empty()) r.signature.kind = Kind::divergence;
    }
    if (r.signature.kind == Kind::none && !v.ok()) {
        r.signature.requirement = v.requirements().front();
        if (r.outcome.escaped) {
            r.signature.kind = Kind::exception;
            r.signature.what = aio::exception_type_name(r.outcome.escaped);
        } else {
            r.signature.kind = Kind::oracle;
        }
    }
    // An oracle quoting the simulator's error (the default one quotes an escaped exception
    // whole) would print its text twice, the long deadlock report included: the quote
    // becomes a reference to the problem that follows.
    for (auto& p : r.problems)
        for (const auto& rec : recs) {
            if (rec->failure.empty()) continue;
            const std::string name = rec->failure.substr(0, rec->failure.find(": "));
            for (auto at = p.find(rec->failure); at != std::string::npos; at = p.find(rec->failure, at + 1))
                p.replace(at, rec->failure.size(), name + " (below)");
        }
    for (const auto& rec : recs) {
        if (!rec->failure.empty()) add_problem(r.problems, "the simulator raised " + rec->failure);
        if (!rec->replay_incomplete.empty()) add_problem(r.problems, rec->replay_incomplete);
        // The simulator's messages start with the error's class name.
        if (r.divergence.empty() && rec->failure.starts_with("aio::sim::ReplayDivergence")) r.divergence = rec->failure;
        if (r.divergence.empty()) r.divergence = rec->replay_incomplete;
    }
    if (recs.size() == 1) {
        r.replay = recs.front()->replay;
        r.nonzero_decisions = recs.front()->nonzero_decisions;
    } else {
        aio::sim::Schedule seeded = cfg.schedule();
        if (recs.empty()) seeded.decisions.reset();
        r.replay = seeded.to_string();
        r.nonzero_decisions = seeded.decisions ? seeded.decisions->size() : 0;
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
    if (cfg.record && !recs.empty()) *cfg.record = *recs.back();
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
    return s + "  signature: " + to_string(r.signature) + '\n' + format_order_line(r.replay);
}

std::string format_order_line(const std::string& replay) {
    if (replay.empty()) return {};  // the real loop: no schedule
    try {
        const aio::sim::Schedule s = aio::sim::Schedule::parse(replay);
        return "  " + aio::sim::cpython_order_note(s.policy, s.task_start) + '\n';
    } catch (const std::exception&) {
        return {};  // the run's own replay string always parses; say nothing rather than guess
    }
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

std::string shell_quote(const std::string& s) {
    if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%") ==
                          std::string::npos)
        return s;
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

}  // namespace aio::cli
