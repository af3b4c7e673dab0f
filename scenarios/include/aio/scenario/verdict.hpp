#pragma once
// aio::scenario::Verdict: what an oracle concludes about one run.
//
//     AIOSIM_ORACLE(hello) {
//         verdict.require(outcome.last_line() == "done in 1 s",
//                         "the last line must be 'done in 1 s', got '{}'", outcome.last_line());
//     }
//
// Each failed require() records one violation, worded as what must hold and what was seen
// instead; the run passes when there is none. The message is formatted only on failure.
// Beside each message the verdict keeps its requirement: the unformatted message (require()'s
// format string), the same in every run that fails that way whatever it saw, so tools can
// tell one failure from another (aiosim shrink keeps the requirement a run failed).
#include <fmt/format.h>

#include <string>
#include <utility>
#include <vector>

namespace aio::scenario {

class Verdict {
public:
    /// Records a violation unless `condition` holds; returns `condition`.
    template <class... A>
    bool require(bool condition, fmt::format_string<A...> message, A&&... args) {
        if (!condition) {
            const fmt::string_view requirement = message;
            fail(fmt::format(message, std::forward<A>(args)...), std::string(requirement.data(), requirement.size()));
        }
        return condition;
    }
    /// Records a violation; its requirement is the message itself.
    void fail(std::string message) {
        requirements_.push_back(message);
        violations_.push_back(std::move(message));
    }
    /// Records a violation whose message carries this run's details: `requirement` words it
    /// without them.
    void fail(std::string message, std::string requirement) {
        requirements_.push_back(std::move(requirement));
        violations_.push_back(std::move(message));
    }

    bool ok() const noexcept { return violations_.empty(); }
    const std::vector<std::string>& violations() const noexcept { return violations_; }
    /// The requirement of each violation, in the same order.
    const std::vector<std::string>& requirements() const noexcept { return requirements_; }
    /// The violations, one per line ("ok" when there is none).
    std::string summary() const;

private:
    std::vector<std::string> violations_;
    std::vector<std::string> requirements_;
};

}  // namespace aio::scenario
