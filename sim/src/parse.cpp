// Whole numbers, durations and excerpts: the one reader of each.
#include "aio/sim/parse.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>

namespace aio::sim {

std::optional<std::uint64_t> parse_whole(std::string_view text, std::uint64_t lo, std::uint64_t hi) noexcept {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;  // too large for 64 bits
    if (v < lo || v > hi) return std::nullopt;
    return v;
}

DurationText read_duration(std::string_view text, DurationForm form) noexcept {
    using Error = DurationText::Error;
    DurationText r;
    const std::size_t digits = std::min(text.find_first_not_of("0123456789"), text.size());
    r.unit_at = r.end = digits;
    if (digits == 0) {
        r.error = Error::no_number;
        return r;
    }
    const auto n = parse_whole(text.substr(0, digits));
    std::size_t letters = digits;
    while (letters < text.size() &&
           ((text[letters] >= 'a' && text[letters] <= 'z') || (text[letters] >= 'A' && text[letters] <= 'Z')))
        ++letters;
    r.unit = text.substr(digits, letters - digits);
    r.end = letters;
    if (!n) {
        r.error = Error::number_overflow;
        return r;
    }
    struct Unit {
        std::string_view name;
        std::int64_t ns;
        bool sub_millisecond;
    };
    constexpr std::array<Unit, 6> units{{{"ns", 1, true},
                                         {"us", 1'000, true},
                                         {"ms", 1'000'000, false},
                                         {"s", 1'000'000'000, false},
                                         {"m", 60'000'000'000, false},
                                         {"h", 3'600'000'000'000, false}}};
    std::int64_t scale = 0;
    if (r.unit.empty()) {
        if (!form.bare_seconds) {
            r.error = Error::no_unit;
            return r;
        }
        scale = 1'000'000'000;
    }
    for (const Unit& u : units)
        if (u.name == r.unit && (form.sub_millisecond || !u.sub_millisecond)) scale = u.ns;
    if (scale == 0) {
        r.error = Error::unknown_unit;
        return r;
    }
    const auto max = static_cast<std::uint64_t>(std::max<std::int64_t>(form.max.count(), 0));
    if (*n > max / static_cast<std::uint64_t>(scale)) {
        r.error = Error::too_long;
        return r;
    }
    r.value = Duration(static_cast<std::int64_t>(*n) * scale);
    return r;
}

std::string excerpt(std::string_view text, std::size_t limit) {
    std::size_t keep = std::min(text.size(), limit);
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

}  // namespace aio::sim
