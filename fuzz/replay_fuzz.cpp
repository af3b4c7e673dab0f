// Fuzzes the replay-string parser (aio::sim::Schedule::parse, replay.hpp's grammar).
//
// Whatever the input, parse either returns a Schedule or throws ReplayParseError: any other
// exception, a crash or undefined behaviour is a finding. A parsed schedule must lie in the
// grammar's ranges (aio::sim::validate accepts it) and print (to_string) to a string that parses to the same schedule and
// prints the same again. An error must stay short whatever the input (it is shown to a user
// who pasted a string) and point inside the text.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>

#include <aio/sim/replay.hpp>
#include <aio/sim/validate.hpp>

#include "harness.hpp"

namespace {

using aio::sim::Schedule;

void check_ranges(const Schedule& s, std::string_view text) {
    if (s.pct_depth < 1 || s.pct_depth > 64) aio::fuzz::fail("parsed a pct depth outside 1..64", text);
    if (!s.decisions) return;
    bool first = true;
    std::uint64_t last = 0;
    for (const auto& d : *s.decisions) {
        if (d.index == 0) aio::fuzz::fail("parsed a listed decision of index 0", text);
        // Schedule::decisions is documented as "by increasing position".
        if (!first && d.position <= last) aio::fuzz::fail("parsed decision positions that do not increase", text);
        first = false;
        last = d.position;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    Schedule s;
    try {
        s = Schedule::parse(text);
    } catch (const aio::sim::ReplayParseError& e) {
        aio::fuzz::check_message(e.what(), text);
        if (e.offset() > text.size()) aio::fuzz::fail("ReplayParseError::offset() lies beyond the text", text);
        return 0;
    } catch (...) {
        aio::fuzz::fail("Schedule::parse threw something other than ReplayParseError: " + aio::fuzz::describe_current(),
                        text);
    }
    check_ranges(s, text);
    try {
        aio::sim::validate(s);  // the parser validates what it reads
    } catch (...) {
        aio::fuzz::fail("parsed a schedule validate() refuses: " + aio::fuzz::describe_current(), text);
    }
    const std::string printed = s.to_string();
    Schedule again;
    try {
        again = Schedule::parse(printed);
    } catch (...) {
        aio::fuzz::fail(
            "to_string() of a parsed schedule does not parse: '" + printed + "': " + aio::fuzz::describe_current(),
            text);
    }
    if (!(again == s)) aio::fuzz::fail("parse(to_string(s)) != s; to_string(s) = '" + printed + "'", text);
    if (again.to_string() != printed)
        aio::fuzz::fail("to_string() is not stable: '" + printed + "' then '" + again.to_string() + "'", text);
    return 0;
}
