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
        if (!condition) fail(fmt::format(message, std::forward<A>(args)...));
        return condition;
    }
    /// Records a violation.
    void fail(std::string message) { violations_.push_back(std::move(message)); }

    bool ok() const noexcept { return violations_.empty(); }
    const std::vector<std::string>& violations() const noexcept { return violations_; }
    /// The violations, one per line ("ok" when there is none).
    std::string summary() const;

private:
    std::vector<std::string> violations_;
};

}  // namespace aio::scenario
