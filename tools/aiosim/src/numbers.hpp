#pragma once
// Internal: the command line's numbers. A numeric option takes a whole number written in
// decimal digits only (no sign, no space, no exponent, never empty) inside the range the
// option states; anything else is bad usage, and the message names the option, echoes (a
// bounded excerpt of) what was given, and states the range. CLI11's own conversions are never
// trusted with a raw value: they wrap `-1` to 2^64 - 1, saturate what does not fit, and take
// an empty string as 0.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include <aio/sim/parse.hpp>

namespace aio::cli {

inline constexpr std::uint64_t kMaxU64 = std::numeric_limits<std::uint64_t>::max();

/// `text` as a whole number in [lo, hi], or nullopt (the simulator's reader of numbers).
using aio::sim::parse_whole;

/// "'TEXT' is not a whole number from LO to HI" (TEXT excerpted when long).
std::string whole_number_message(std::string_view text, std::uint64_t lo, std::uint64_t hi);

/// A CLI11 check that accepts exactly what parse_whole(lo, hi) accepts; CLI11 prefixes its
/// message with the option's name.
CLI::Validator whole_number(std::uint64_t lo, std::uint64_t hi);

/// At most `limit` characters of `text` for a message, quoted by the caller: longer text is
/// cut and followed by "... (N bytes)" so that a huge argument never makes a huge message.
using aio::sim::excerpt;

}  // namespace aio::cli
