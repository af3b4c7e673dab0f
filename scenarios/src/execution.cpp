#include "aio/scenario/execution.hpp"

#include <algorithm>

#include "aio/errors.hpp"
#include "aio/scenario/verdict.hpp"

namespace aio::scenario {

bool Execution::printed(std::string_view line) const noexcept {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
}

std::size_t Execution::count(std::string_view line) const noexcept {
    return static_cast<std::size_t>(std::count(lines.begin(), lines.end(), line));
}

std::string_view Execution::last_line() const noexcept {
    return lines.empty() ? std::string_view() : std::string_view(lines.back());
}

std::string_view Execution::last_error() const noexcept {
    return errors.empty() ? std::string_view() : std::string_view(errors.back());
}

std::string Execution::escaped_description() const { return escaped ? aio::describe(escaped) : std::string(); }

std::string Verdict::summary() const {
    if (violations_.empty()) return "ok";
    std::string s;
    for (const auto& v : violations_) {
        if (!s.empty()) s += '\n';
        s += v;
    }
    return s;
}

}  // namespace aio::scenario
