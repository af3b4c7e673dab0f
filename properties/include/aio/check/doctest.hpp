#pragma once
// rapidcheck under doctest: a property is a doctest test case, and its failure (rapidcheck's
// shrunk counterexample and the RC_PARAMS string that reproduces it) is a doctest failure.
//
//     AIOSIM_PROPERTY("reversing twice gives the original", [](const std::vector<int>& v) {
//         auto r = v; std::reverse(r.begin(), r.end()); std::reverse(r.begin(), r.end());
//         RC_ASSERT(r == v);
//     });
//
// or, inside any doctest test case, `rc::doctest::prop("description", testable)`.
// Budgets come from rapidcheck's RC_PARAMS environment variable ("max_success=10000",
// "seed=42", "reproduce=..."); the default is rapidcheck's (100 cases per property).
// Header-only: the test links rapidcheck and doctest itself.
#include <doctest/doctest.h>
#include <rapidcheck.h>

#include <optional>
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

// Outside namespace rc::doctest: doctest's macros name `doctest::` unqualified.
inline bool report_to_doctest(const std::string& description, const rc::detail::TestResult& result) {
    using namespace rc::detail;
    if (auto failure = rapidcheck_failure(result)) {
        DOCTEST_FAIL_CHECK(description << ":\n" << *failure);
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

/// A doctest test case named `name` that checks the property given as the second argument.
#define AIOSIM_PROPERTY(name, ...) \
    DOCTEST_TEST_CASE(name) { ::rc::doctest::prop(name, __VA_ARGS__); }
