#pragma once
// rapidcheck under doctest: a property is a doctest test case, and its failure (rapidcheck's
// shrunk counterexample and the RC_PARAMS string that reproduces it) is a doctest failure.
//
//     AIOSIM_PROPERTY("reversing twice gives the original", [](const std::vector<int>& v) {
//         auto r = v; std::reverse(r.begin(), r.end()); std::reverse(r.begin(), r.end());
//         RC_ASSERT(r == v);
//     });
//
// or, inside any doctest test case, `rc::doctest::prop("description", testable)`. The first
// argument of AIOSIM_PROPERTY is what TEST_CASE takes, decorators included:
// `AIOSIM_PROPERTY("known bug" * doctest::should_fail(), ...)`, `* doctest::test_suite("s")`,
// or the property inside a TEST_SUITE("s") { ... } block.
//
// A failure report ends with the command that reruns exactly the failing case:
// `RC_PARAMS="reproduce=..." ./tests -tc=NAME` (the reproduce string rapidcheck also prints
// when the program exits; the -tc filter keeps the other test cases from running).
// Budgets come from rapidcheck's RC_PARAMS environment variable ("max_success=10000",
// "seed=42", "reproduce=..."); the default is rapidcheck's (100 cases per property).
// Header-only: the test links rapidcheck and doctest itself.
#include <doctest/doctest.h>
#include <rapidcheck.h>

#include "aio/check/doctest_filter.hpp"

#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <utility>

namespace aio::check::detail {
/// rapidcheck's report when `result` fails the property (a counterexample, gave up, or no
/// case run at all: RC_PARAMS="max_success=0" is a property that checked nothing, not a
/// pass); nullopt when it passed.
inline std::optional<std::string> rapidcheck_failure(const rc::detail::TestResult& result) {
    using namespace rc::detail;
    std::ostringstream report;
    printResultMessage(result, report);
    if (!result.template is<SuccessResult>()) return report.str();
    if (result.template get<SuccessResult>().numSuccess == 0)
        return report.str() +
               "\nthe property ran no test case, and a property that checks nothing does not pass "
               "(is RC_PARAMS max_success=0?)";
    return std::nullopt;
}

/// The command that reruns a failing property's counterexample, and only it:
/// RC_PARAMS="reproduce=..." <this binary> -tc=NAME (empty when `result` is no failure).
inline std::string rapidcheck_reproduce_command(const std::string& id, const rc::detail::TestResult& result) {
    using namespace rc::detail;
    if (!result.template is<FailureResult>()) return {};
    Configuration config = configuration();
    config.reproduce.clear();
    config.reproduce[id] = result.template get<FailureResult>().reproduce;
    std::string command = "RC_PARAMS=\"" + configToMinimalString(config) + "\"";
    const doctest::ContextOptions* options = doctest::getContextOptions();
    command += ' ';
    command += options && options->binary_name.size() > 0 ? options->binary_name.c_str() : "<the test binary>";
    if (const std::string filter = doctest_rerun_filter(); !filter.empty()) {
        std::string quoted = "'";
        for (char c : filter) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
        command += ' ' + quoted + '\'';
    }
    return command;
}

// Outside namespace rc::doctest: doctest's macros name `doctest::` unqualified.
inline bool report_to_doctest(const std::string& description, const rc::detail::TestResult& result) {
    using namespace rc::detail;
    if (auto failure = rapidcheck_failure(result)) {
        std::string message = description + ":\n" + *failure;
        if (const std::string command = rapidcheck_reproduce_command(description, result); !command.empty())
            message += "\nreproduce it: " + command;
        DOCTEST_FAIL_CHECK(message);
        return false;
    }
    if (!result.template get<SuccessResult>().distribution.empty()) {
        std::ostringstream report;
        printResultMessage(result, report);
        DOCTEST_MESSAGE(report.str());
    }
    return true;
}
}  // namespace aio::check::detail

namespace rc::doctest {

/// Checks `testable` with rapidcheck; a failure, a gave-up result or a run of no case at all
/// fails the current doctest test case with rapidcheck's report. Returns true on success.
template <class Testable>
bool prop(const std::string& description, Testable&& testable) {
    rc::detail::TestMetadata metadata;
    metadata.id = description;  // the key of RC_PARAMS="reproduce=..."
    metadata.description = description;
    return aio::check::detail::report_to_doctest(description,
                                                 rc::detail::checkTestable(std::forward<Testable>(testable), metadata));
}

}  // namespace rc::doctest

/// A doctest test case that checks the property given as the second argument; the first is
/// TEST_CASE's (the name, with any decorators). The property's description (the key of
/// RC_PARAMS="reproduce=...") is the test case's name.
#define AIOSIM_PROPERTY(name_and_decorators, ...)                                         \
    DOCTEST_TEST_CASE(name_and_decorators) {                                              \
        ::rc::doctest::prop(::aio::check::detail::doctest_test_case_name(), __VA_ARGS__); \
    }
