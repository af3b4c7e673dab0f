#include "numbers.hpp"

#include <fmt/format.h>

namespace aio::cli {

std::string whole_number_message(std::string_view text, std::uint64_t lo, std::uint64_t hi) {
    return fmt::format("'{}' is not a whole number from {} to {}", excerpt(text), lo, hi);
}

CLI::Validator whole_number(std::uint64_t lo, std::uint64_t hi) {
    return CLI::Validator(
        [lo, hi](std::string& value) -> std::string {
            if (parse_whole(value, lo, hi)) return {};
            return whole_number_message(value, lo, hi);
        },
        fmt::format("{} to {}", lo, hi), "whole number");
}

}  // namespace aio::cli
