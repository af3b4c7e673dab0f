#pragma once
// Helpers shared by the C++ halves of the sync conformance pairs.
#include <string>
#include <tuple>

#include "conformance.hpp"

namespace conformance {

/// One pass of the loop: `await asyncio.sleep(0)`.
inline aio::detail::SleepAwaiter yield() { return aio::sleep(std::chrono::seconds(0)); }

/// `f'{type(e).__name__}: {e}'`: the type and message of the exception being handled.
inline std::string what_raised() {
    auto e = std::current_exception();
    return type(e) + ": " + msg(e);
}

/// `[type(r).__name__ for r in await gather(..., return_exceptions=True)]` for the tuple
/// gather_outcomes() returns (a void result is Python's None: 'NoneType').
template <class... O>
std::string kinds(std::tuple<O...>& results) {
    std::string s = "[";
    std::apply(
        [&](auto&... o) {
            int i = 0;
            ((s += (i++ ? ", '" : "'") + (o.has_value() ? std::string("NoneType") : type(o.error())) + "'"), ...);
        },
        results);
    return s + "]";
}

}  // namespace conformance

namespace conformance {

/// asyncio's Barrier._state.value.
inline const char* state_name(aio::Barrier::State s) {
    switch (s) {
    case aio::Barrier::State::filling: return "filling";
    case aio::Barrier::State::draining: return "draining";
    case aio::Barrier::State::resetting: return "resetting";
    case aio::Barrier::State::broken: return "broken";
    }
    return "?";
}

}  // namespace conformance
