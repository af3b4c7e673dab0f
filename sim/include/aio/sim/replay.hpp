#pragma once
// The replay string of an aio::sim::Schedule (schedule.hpp), and the decision source that
// replays its decisions.
//
// Grammar (version 1). Only letters, digits and ":,=.-" are used, so a replay string
// pastes into a shell and an environment variable without quoting:
//
//     replay    = "aiosim1" ":" policy ":" params [ ":" decisions ]
//     policy    = "fifo" | "timers" | "random" | "pct" | "delay"
//     params    = "-" | param *( "," param )
//     param     = "seed=" uint64        the seed (default 0)
//               | "d=" 1..64            pct depth (default 3)
//               | "k=" uint64 >= 1      pct: expected ready-queue choices (default 1000)
//               | "bound=" 1..64        delay: most deviations a seeded run makes (default 2)
//               | "pts=" uint64         delay: choice points the deviations are drawn over;
//                                       0 = fitted (Config::measured_points; default 0)
//               | "jitter=" duration    timers: largest jitter, at most 24h (default 1ms)
//               | "batch=" duration    timers due within this of the earliest fire in one pass, at
//                                      most 24h (default 1ms)
//               | "ahead=" duration    overtake window (choice o), at most 24h (default 1ms)
//               | "cost=" duration     virtual time per ready entry, at most 1h (default 0ns)
//               | "start=" ("scheduled" | "eager" | "run" | "task")   (default scheduled)
//               | "steps=" uint64 >= 1 Limits::max_steps (default 10000000)
//               | "vtime=" duration    Limits::max_virtual_time (default 720h)
//               the simulated network (NetConfig, net_config.hpp):
//               | "faults=" uint32      faults.budget: faults per run, 0 = off (default 0)
//               | "frate=" 1..1000      faults.rate, per mille (default 20)
//               | "fkinds=" letters     faults.kinds, FaultKind letters x r h p c w b (default all)
//               | "lat=" duration       latency (default 100us)
//               | "spread=" duration    latency_spread (default 900us)
//               | "win=" uint64         window in bytes (default 65536)
//               | "seg=" uint64         segment in bytes (default 1460)
//               | "ctimeout=" duration  connect_timeout (default 127s)
//               | "stall=" duration     stall_time (default 30s)
//               | "part=" duration      partition_time (default 10s)
//               | "restart=" duration   restart_delay (default 5s)
//               | "slowx=" uint32       slow_factor (default 100)
//     duration  = uint64 ( "ns" | "us" | "ms" | "s" | "m" | "h" )
//     decisions = "-" | entry *( "." entry )
//     entry     = [ skip ] kind index   skip: how many zero decisions come before this one
//     kind      = "r" | "t" | "j" | "s" | "w" | "l" | "f" | "b" | "o"   (see Choice)
//     index     = uint32 >= 1
//
// Positions (the sum of the skips and entries so far) must fit in uint64: a decision at
// position 2^64-1 is the last one. Every value is range-checked by validate() (validate.hpp).
//
// Example: aiosim1:random:seed=42:2r3.r1.6w1 is the random policy whose decisions 2, 3 and
// 10 are 3 (ready), 1 (ready) and 1 (thread) and every other decision is 0.
// Without the decisions part (aiosim1:pct:seed=7,d=2) the string names a seeded run: the
// policy's generator answers every choice from the seed. With it, the listed decisions
// answer and every other decision is 0 whatever the seed (which is kept for reference).
// Parameters at their default are left out when formatting, so to_string() of a parsed
// string may be shorter than the input but means the same.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aio/clock.hpp"
#include "aio/errors.hpp"
#include "aio/sim/decision.hpp"
#include "aio/sim/limits.hpp"
#include "aio/sim/policy.hpp"
#include "aio/sim/schedule.hpp"

namespace aio::sim {

/// A malformed or unsupported replay string, or one with an out-of-range value: says where and
/// why. what() quotes at most about 60 characters of the text around the error (never cutting
/// a UTF-8 character) with a caret under it, and counts the position in characters.
class ReplayParseError : public aio::ValueError {
public:
    /// offset: the byte offset of the error in text.
    ReplayParseError(std::string_view text, std::size_t offset, std::string reason);
    std::size_t offset() const noexcept { return offset_; }
    const std::string& reason() const noexcept { return reason_; }

private:
    std::size_t offset_{};
    std::string reason_{};
};

/// A source that answers from a decision list (positions increasing): the listed index at a
/// listed position, 0 elsewhere. Strict: a listed decision whose kind differs from the point
/// offered, or whose index is >= n, is a mismatch (choose returns it unchanged, >= n, or
/// n for a kind mismatch) and the loop raises ReplayDivergence. Lenient (for shrinking and
/// generated schedules): the index is clamped to n-1 and the kind is not checked.
class ReplaySource final : public DecisionSource {
public:
    ReplaySource(const std::vector<Decision>& decisions, bool strict) : d_(decisions), strict_(strict) {}
    std::size_t choose(const ChoicePoint& p) override;
    std::string explain_mismatch(const ChoicePoint& p, std::size_t got) const override;
    /// The first listed decision not reached yet (the run ended before it), if any.
    const Decision* first_unused() const noexcept { return next_ < d_.size() ? &d_[next_] : nullptr; }

private:
    const std::vector<Decision>& d_;
    std::size_t next_ = 0;
    bool strict_;
};

/// Formats a duration as the replay grammar writes it (the largest exact unit: "1ms", "90s").
std::string format_duration(Duration d);

}  // namespace aio::sim
