#pragma once
// Reading the values people type (replay strings, AIOSIM_* variables, command-line options):
// whole numbers and durations, one parser each for every place that reads one, and the
// excerpt of a bad value that an error message quotes.
//
//     auto d = aio::sim::read_duration("250ms");            // d.value == 250ms, d.end == 5
//     auto b = aio::sim::read_duration("30", {.bare_seconds = true, .sub_millisecond = false});
//
// The callers word their own errors (a replay string points at the character, a variable
// names itself): these functions only say what is wrong and where.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "aio/clock.hpp"

namespace aio::sim {

/// `text` as a whole number in [lo, hi]: decimal digits only (no sign, no space, never empty),
/// fitting 64 bits; otherwise nullopt.
std::optional<std::uint64_t> parse_whole(std::string_view text, std::uint64_t lo = 0,
                                         std::uint64_t hi = UINT64_MAX) noexcept;

/// Which durations a reader accepts.
struct DurationForm {
    /// A number without a unit is seconds (otherwise it is Error::no_unit).
    bool bare_seconds = false;
    /// ns and us are units (otherwise they are Error::unknown_unit).
    bool sub_millisecond = true;
    /// The longest duration (longer ones are Error::too_long).
    Duration max = Duration::max();
};

/// A duration read from the start of a text: decimal digits, then a unit (ns, us, ms, s, m,
/// h), the unit being the letters that follow the digits.
struct DurationText {
    enum class Error : std::uint8_t {
        none,
        no_number,        // the text does not start with a digit
        number_overflow,  // the digits do not fit 64 bits
        no_unit,          // digits and no letter after them
        unknown_unit,     // letters that are no unit (or ns, us without sub_millisecond)
        too_long,         // more than DurationForm::max
    };
    Duration value{};
    Error error = Error::none;
    std::size_t unit_at = 0;  ///< where the digits end and the unit starts
    std::size_t end = 0;      ///< where the unit ends: what was read
    std::string_view unit{};  ///< the letters after the digits
};

/// Reads one duration at the start of `text` (the rest of the text is the caller's: a whole
/// value must check end == text.size()). Pure; never throws.
DurationText read_duration(std::string_view text, DurationForm form = {}) noexcept;

/// At most `limit` bytes of `text` for a message, quoted by the caller: control characters
/// shown as \xNN, no UTF-8 sequence cut in two, and longer text followed by "... (N bytes)",
/// so that a huge value never makes a huge message.
std::string excerpt(std::string_view text, std::size_t limit = 64);

}  // namespace aio::sim
