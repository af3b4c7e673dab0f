#pragma once
// The running doctest test case and the command-line filter that reruns only it: what the
// failure reports of aio/check/doctest.hpp (properties) and aio/check/doctest_check.hpp
// (for_all_schedules) append to the commands they print. Header-only; doctest only.
#include <doctest/doctest.h>

#include <string>

namespace aio::check::detail {

/// The name of the doctest test case running now, or "" outside one.
inline std::string doctest_test_case_name() {
    const doctest::ContextOptions* options = doctest::getContextOptions();
    if (options == nullptr || options->currentTest == nullptr || options->currentTest->m_name == nullptr) return {};
    return options->currentTest->m_name;
}

/// "-tc=NAME" for the running test case ("" outside one). doctest splits a filter at commas
/// and matches '*' and '?' as wildcards, so a comma becomes '?' (which matches it).
inline std::string doctest_rerun_filter() {
    std::string name = doctest_test_case_name();
    if (name.empty()) return {};
    for (char& c : name)
        if (c == ',') c = '?';
    return "-tc=" + name;
}

}  // namespace aio::check::detail
