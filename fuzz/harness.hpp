#pragma once
// What every harness of fuzz/ shares: how a finding is reported, and what an error message
// shown to a user must look like whatever the input.
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include <aio/errors.hpp>

namespace aio::fuzz {

/// The longest error message accepted: a user's input is echoed as a bounded excerpt, so a
/// message never grows with the input (libFuzzer's inputs reach 4 KB; replay strings and
/// arguments are pasted from terminals).
inline constexpr std::size_t max_message = 1024;

/// Prints the finding and the input (escaped, so binary input stays readable), then aborts:
/// libFuzzer saves the input as crash-*, and tools/fuzz.sh prints it.
[[noreturn]] inline void fail(const std::string& what, std::string_view input) {
    std::string shown;
    for (unsigned char c : input.substr(0, 2000)) {
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            shown += static_cast<char>(c);
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            shown += buf;
        }
    }
    std::fprintf(stderr, "\n==== fuzz finding: %s\n==== input (%zu bytes): %s%s\n", what.c_str(), input.size(),
                 shown.c_str(), input.size() > 2000 ? "..." : "");
    std::abort();
}

/// describe() of the exception being handled (inside a catch block).
inline std::string describe_current() { return aio::describe(std::current_exception()); }

/// Whether `s` is well-formed UTF-8 (no overlong forms or surrogates checked: enough to see
/// that an excerpt was not cut inside a character).
inline bool valid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
        if (n == 0 || i + n > s.size()) return false;
        for (std::size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
        i += n;
    }
    return true;
}

/// An error message about `input`: bounded, and valid UTF-8 when the input is.
inline void check_message(std::string_view message, std::string_view input) {
    if (message.size() > max_message)
        fail("an error message of " + std::to_string(message.size()) + " bytes (at most " +
                 std::to_string(max_message) + "): " + std::string(message.substr(0, 300)) + "...",
             input);
    if (valid_utf8(input) && !valid_utf8(message))
        fail("an error message about valid UTF-8 input is not valid UTF-8 (an excerpt cut inside a character): " +
                 std::string(message.substr(0, 300)),
             input);
}

}  // namespace aio::fuzz
