#include "numbers.hpp"

#include <fmt/format.h>

#include <charconv>

namespace aio::cli {

std::optional<std::uint64_t> parse_whole(std::string_view text, std::uint64_t lo, std::uint64_t hi) noexcept {
    if (text.empty()) return std::nullopt;
    for (char c : text)
        if (c < '0' || c > '9') return std::nullopt;
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;  // too large for 64 bits
    if (v < lo || v > hi) return std::nullopt;
    return v;
}

std::string excerpt(std::string_view text, std::size_t limit) {
    std::size_t keep = text.size() <= limit ? text.size() : limit;
    // Never cut a UTF-8 sequence in two.
    if (keep < text.size())
        while (keep > 0 && (static_cast<unsigned char>(text[keep]) & 0xC0) == 0x80) --keep;
    std::string out;
    for (char c : text.substr(0, keep)) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F)
            out += fmt::format("\\x{:02x}", u);  // a control character would act on the terminal
        else
            out += c;
    }
    if (keep < text.size()) out += fmt::format("... ({} bytes)", text.size());
    return out;
}

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
