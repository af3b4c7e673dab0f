#pragma once
// aio::check::Coverage: what an exploration covered, from its runs' RunCoverage
// (aio/sim/coverage.hpp, recorded under Config::coverage): how many distinct schedules ran
// (distinct orders of task steps), which conflicting await-point pairs were seen (two steps
// of different tasks touching the same object), and which of them in both orders.
//
//     explored 10,000 schedules, 412 distinct; 37 of 41 conflicting await-point pairs seen in
//     both orders; never reversed: cache.cpp:42 / cache.cpp:57 (and 3 more)
//
// A pair is unordered ({a, b}); it is reversed once a run took a before b and some run took b
// before a. A pair of a point with itself (two tasks at one line) has one order by name: it is
// counted apart ("self pairs") and never in "N of M". The never-reversed pairs are listed in
// the one order they were seen ("first / second": first always ran first), sorted by name
// (file, then line as a number), so the report is the same for any number of jobs as long as
// runs are added in run order. Everything here is built from point names and task-id hashes:
// no address, real time or hash-container order reaches the output.
//
// warning() says when nothing was explored: one distinct schedule, no conflicting pair at
// all, or no pair reversed. to_json() is the same content for CI to keep over time (stable
// keys, sorted lists, no time stamps).
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include <aio/sim/coverage.hpp>

namespace aio::check {

class Coverage {
public:
    /// Distinct schedules are counted exactly up to this many, then reported as "over N".
    static constexpr std::size_t max_distinct = 1'000'000;

    /// Adds one run (call in run order).
    void add(const aio::sim::RunCoverage& run);
    /// Adds another exploration's coverage (its runs after these).
    void merge(const Coverage& other);

    std::uint64_t schedules() const noexcept { return schedules_; }
    std::uint64_t distinct_schedules() const noexcept { return distinct_.size(); }
    bool distinct_capped() const noexcept { return capped_; }
    /// Unordered pairs of two different points seen.
    std::size_t pairs() const noexcept;
    /// Of those, the ones seen in both orders.
    std::size_t reversed() const noexcept;
    /// The pairs of two different points seen in one order only, as (first, second), sorted.
    std::vector<std::pair<std::string, std::string>> never_reversed() const;
    /// Points seen conflicting with themselves (two tasks at one await point), sorted.
    std::vector<std::string> self_pairs() const;

    /// "explored 10,000 schedules, 412 distinct; 37 of 41 conflicting await-point pairs seen in
    /// both orders; never reversed: a.cpp:1 / a.cpp:2 (and N more)".
    std::string line() const;
    /// "nothing was explored: ..." when one distinct schedule ran, no pair was seen, or none
    /// was reversed; nullopt otherwise (and for no schedule at all).
    std::optional<std::string> warning() const;
    /// The same as JSON: {"schedules":..,"distinct_schedules":..,"distinct_capped":..,"pairs":..,
    /// "reversed":..,"never_reversed":[["a","b"],..],"reversed_pairs":[["a","b"],..],
    /// "self_pairs":[..],"warning":".."|null}, keys in that order, lists sorted, ending in "\n".
    std::string to_json() const;

    friend bool operator==(const Coverage& a, const Coverage& b) {
        return a.schedules_ == b.schedules_ && a.distinct_ == b.distinct_ && a.capped_ == b.capped_ &&
               a.orders_ == b.orders_;
    }

private:
    // Point names compare by file, then line as a number ("a.cpp:9" before "a.cpp:10").
    struct ByName {
        bool operator()(const std::string& a, const std::string& b) const;
    };
    struct PairByName {
        bool operator()(const std::pair<std::string, std::string>& a,
                        const std::pair<std::string, std::string>& b) const;
    };
    static constexpr unsigned char forward = 1;   // key.first ran before key.second
    static constexpr unsigned char backward = 2;  // key.second ran before key.first

    std::uint64_t schedules_ = 0;
    std::unordered_set<std::uint64_t> distinct_;  // order hashes (counted, never listed)
    bool capped_ = false;
    // {a, b} with a <= b by name -> the orders seen.
    std::map<std::pair<std::string, std::string>, unsigned char, PairByName> orders_;
};

/// The report's lines: "<indent>coverage: <line()>\n", then "<indent>warning: <warning()>\n"
/// when there is one; empty for no schedule.
std::string coverage_report(const Coverage& c, const std::string& indent = "  ");

/// Combines the coverage of the loops of one run (a program may make several), in order:
/// points renumbered, pairs appended (each once), order hashes chained.
void append_run_coverage(aio::sim::RunCoverage& into, const aio::sim::RunCoverage& next);

/// 10000 -> "10,000".
std::string with_thousands(std::uint64_t n);

}  // namespace aio::check
