#pragma once
// Choice points and decision sources: the single place every choice of the simulator flows
// through.
//
// Whenever a run could go more than one way, the loop offers a ChoicePoint with n >= 2
// candidates to its DecisionSource and continues with the index it gets back. Candidate 0
// is always what asyncio itself would do, so a run whose every decision is 0 is the plain
// asyncio order, and "how far from asyncio" is measured by the non-zero decisions. Points
// with a single candidate are not offered and do not count. Positions count the points
// offered in a run from 0; a replay string stores the non-zero decisions by position.
//
// The simulated network's latencies and faults (and fault_point(), "buggify") are Choice
// kinds offered through the same interface (net_config.hpp says when).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aio/clock.hpp"

namespace aio::sim {

/// What is being decided. The letter is the kind's spelling in replay strings.
enum class Choice : std::uint8_t {
    ready,   // 'r': which ready entry (task step or callback) runs next; 0 = the FIFO front
    timer,   // 't': which of the timers due at the same instant fires next; 0 = creation order
    jitter,  // 'j': how late a timer is created or the idle loop wakes, in steps of
             //      Schedule::jitter / 8; 0 = on time
    start,   // 's': 1 = start a task eagerly (3.12 eager_task_factory); 0 = scheduled start
    thread,  // 'w': which finished to_thread job completes next; 0 = submission order
    // The simulated network (net_config.hpp):
    latency,  // 'l': one segment's latency, base + k * spread / 8; 0 = the base latency
    fault,    // 'f': at a fault opportunity, which fault (index i: the i-th kind that applies); 0 = none
    point,    // 'b': whether a fault_point() fires; 0 = it does not
    // The clock (Schedule::ahead):
    overtake,  // 'o': at a pass start with ready work, whether the earliest timer, due within
               //      Schedule::ahead, fires in this pass (the clock moves to its deadline); 0 = it
               //      waits until the clock gets there
};

/// The replay-string letter of a kind ('r', 't', 'j', 's', 'w', 'l', 'f', 'b', 'o').
char choice_letter(Choice c) noexcept;
/// A readable name ("ready-queue", "timer-tie", "jitter", "task-start", "thread-completion",
/// "latency", "fault", "fault-point", "overtake").
std::string_view choice_name(Choice c) noexcept;
/// The kind spelled by a letter, if any.
std::optional<Choice> choice_from_letter(char c) noexcept;

/// One point where the run could go n ways.
struct ChoicePoint {
    Choice kind;
    std::size_t n{};           // number of candidates, at least 2
    std::uint64_t position{};  // how many points were offered before this one in the run
    std::uint64_t step;        // ready entries run so far (EventLoop::steps_run())
    TimePoint time{};          // virtual time
    /// Who candidate i is, for policies that look (pct): a task id, 0 for "no task".
    std::uint64_t (*task_of)(const void* ctx, std::size_t i) = nullptr;
    const void* ctx = nullptr;
    /// Faults ('f', 'b'): the chance, per mille, that a seeded source answers other than 0
    /// (NetConfig::faults.rate); 0 for the other kinds.
    std::uint32_t rate = 0;
    /// Ready choices, when the run tracks conflicts (Config::coverage, or a policy that asks):
    /// whether candidate i's step may conflict with the step that ran last (its task touched
    /// an object that step touched, or that step woke it). Null: unknown.
    bool (*conflicts_of)(const void* ctx, std::size_t i) = nullptr;
    const void* conflict_ctx = nullptr;
    /// Ready choices: the steps run so far per task id (index 0: plain callbacks; the live
    /// RunRecord::steps_per_task), for policies that count down what a task has left (urw).
    /// Null: unknown.
    const std::vector<std::uint64_t>* steps_so_far = nullptr;

    std::uint64_t candidate_task(std::size_t i) const { return task_of ? task_of(ctx, i) : 0; }
    /// Whether candidate i may conflict with the last step; true when unknown.
    bool candidate_conflicts(std::size_t i) const { return conflicts_of ? conflicts_of(conflict_ctx, i) : true; }
};

/// Sees every choice point a run offers and the index its source answered
/// (Config::choice_observer): a hook for tests that check what the loop offers (the
/// candidates' tasks, their conflicts), called inside the run before the loop acts on the
/// answer, while the point's callbacks (task_of, conflicts_of) still describe the candidates.
/// It watches only: it cannot change the answer, and must not run the loop or throw.
class ChoiceObserver {
public:
    virtual ~ChoiceObserver() = default;
    virtual void offered(const ChoicePoint& p, std::size_t index) = 0;
};

/// One non-zero decision of a run, as stored in a replay string.
struct Decision {
    std::uint64_t position = 0;
    Choice kind = Choice::ready;
    std::uint32_t index = 1;
    friend bool operator==(const Decision&, const Decision&) = default;
};

/// Answers choice points. Implementations: the policies' seeded generators (policy.hpp)
/// and the recorded decision list of a replay (replay.hpp).
class DecisionSource {
public:
    virtual ~DecisionSource() = default;
    /// An index in [0, p.n). A replay source may return an index >= p.n when the recorded
    /// decision does not fit this point; the loop then reports a ReplayDivergence built
    /// from explain_mismatch().
    virtual std::size_t choose(const ChoicePoint& p) = 0;
    /// Why `got` (returned by choose) is no answer to p.
    virtual std::string explain_mismatch(const ChoicePoint& p, std::size_t got) const;
    /// True when this source reads ChoicePoint::candidate_conflicts (pos): the run then tracks
    /// which objects each step touches (as under Config::coverage) to answer it. Asked once,
    /// when the run opens its source.
    virtual bool wants_conflicts() const { return false; }
};

}  // namespace aio::sim
