#pragma once
// for_all_schedules under doctest: one assertion that reports a failing check once.
//
//     TEST_CASE("the pool never opens more connections than its capacity") {
//         AIOSIM_CHECK_SCHEDULES([] { return three_clients(); },
//                                [](int max_open) { return max_open <= 1; },
//                                {.name = "pool capacity", .seeds = 200});
//     }
//
// takes for_all_schedules' arguments and fails the test case (a doctest CHECK: the case goes
// on) with the check's report, printed once: the report is not also written to standard
// error, as for_all_schedules does when ExploreOptions::print is empty (the plain form,
// `CHECK_MESSAGE(v.ok, v.report)`, shows it twice). A print set by the caller is kept.
//
// Including this header also makes every failure report of the test binary rerun only the
// failing test case: its commands end in `-tc=NAME` (aio::check::set_rerun_filter).
// Link aiosim::check and doctest.
#include <doctest/doctest.h>

#include <string>
#include <utility>

#include "aio/check/doctest_filter.hpp"
#include "aio/check/explore.hpp"

namespace aio::check::detail {

inline const bool doctest_rerun_filter_installed = (set_rerun_filter(&doctest_rerun_filter), true);

inline ExploreOptions reported_once(ExploreOptions o) {
    if (!o.print) o.print = [](const std::string&) {};
    set_rerun_filter(&doctest_rerun_filter);
    return o;
}

template <class F>
ExploreResult check_schedules(F make_main, ExploreOptions options = {}) {
    return for_all_schedules(std::move(make_main), reported_once(std::move(options)));
}

template <class F, class Pred>
ExploreResult check_schedules(F make_main, Pred pred, ExploreOptions options = {}) {
    return for_all_schedules(std::move(make_main), std::move(pred), reported_once(std::move(options)));
}

}  // namespace aio::check::detail

/// for_all_schedules(...) as a doctest CHECK that reports a failure once (see above).
#define AIOSIM_CHECK_SCHEDULES(...)                                                                                  \
    do {                                                                                                             \
        const ::aio::check::ExploreResult aiosim_check_result_ = ::aio::check::detail::check_schedules(__VA_ARGS__); \
        if (!aiosim_check_result_.ok) DOCTEST_FAIL_CHECK(aiosim_check_result_.report);                               \
    } while (false)
