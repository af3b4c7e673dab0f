#pragma once
// The decision log of a simulated run: the decision source that answers its choice points (a
// replay, a seeded policy, or none for plain fifo), how many points were offered, and the
// non-zero answers (what a replay string stores).
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aio/event_loop.hpp"
#include "aio/sim/config.hpp"
#include "aio/sim/decision.hpp"
#include "aio/sim/record.hpp"
#include "aio/sim/replay.hpp"

namespace aio::sim::loop_parts {

class DecisionLog {
public:
    /// The source for `cfg`: its replay's decisions if it has any, else a seeded source when
    /// `params` can make a choice (a policy other than fifo, or a chosen task start), else none.
    void open(const Config& cfg, const Schedule& params);
    /// False when no source was opened: every choice is 0 and nothing is counted.
    bool active() const noexcept { return source_ != nullptr; }
    /// Whether the source reads the candidates' conflicts (DecisionSource::wants_conflicts).
    bool wants_conflicts() const { return source_ && source_->wants_conflicts(); }

    struct Answer {
        std::size_t index = 0;
        std::exception_ptr error{};           // the source threw (index 0, nothing counted)
        std::optional<std::string> mismatch;  // the answer does not fit p (index 0): why
    };
    /// Asks the source at p (p.position must be decisions()); counts the point and records a
    /// non-zero answer.
    Answer ask(const ChoicePoint& p);

    std::uint64_t decisions() const noexcept { return decisions_; }
    const std::vector<Decision>& made() const noexcept { return made_; }
    /// Every point asked, when Config::record_points.
    std::vector<OfferedPoint>& points() noexcept { return points_; }
    /// The replay followed, or null.
    const ReplaySource* replay() const noexcept { return replay_; }

private:
    std::unique_ptr<DecisionSource> source_;
    ReplaySource* replay_ = nullptr;
    std::uint64_t decisions_ = 0;
    std::vector<Decision> made_;
    bool record_points_ = false;
    ChoiceObserver* observer_ = nullptr;  // Config::choice_observer (the Config outlives the log)
    std::vector<OfferedPoint> points_;
};

/// "; candidates: #2 'a', a callback, ..." (or "; for task #3 'b'"): who p's candidates are, for
/// a ReplayDivergence message; empty when p does not say.
std::string candidates(const ChoicePoint& p, const EventLoop& loop);

}  // namespace aio::sim::loop_parts
