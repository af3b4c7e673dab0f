// The oracles of the four reference twins: they pass on real runs and on the reference
// outputs, and each fails on an outcome doctored to break its guarantee.
#include <doctest/doctest.h>

#include <algorithm>
#include <aio/aio.hpp>
#include <aio/scenario.hpp>
#include <array>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using aio::scenario::Execution;

namespace {

constexpr const char* kNestedError = "RuntimeError: aio::run() cannot be called from a running event loop";
constexpr std::array<const char*, 4> kNames{"run_returns_result", "gather_exception_propagates",
                                            "gather_exception_handled", "nested_run"};

const aio::scenario::Scenario& get(const char* name) {
    const auto* s = aio::scenario::Registry::global().find(name);
    REQUIRE(s != nullptr);
    return *s;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE_MESSAGE(in.good(), "cannot read ", path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string joined(const std::vector<std::string>& lines) {
    std::string s;
    for (const auto& l : lines) s += l + '\n';
    return s;
}

// The outcome CPython's run of NAME.py stands for: its exact output, and for nested_run the
// twin's own error (the Python one names asyncio.run()).
Execution reference_outcome(const std::string& name) {
    Execution o;
    std::istringstream in(read_file(std::string(AIOSIM_REFERENCE_DIR) + "/" + name + ".expected"));
    for (std::string line; std::getline(in, line);) o.lines.push_back(line);
    if (name == "nested_run") {
        o.exit_status = 1;
        o.escaped = std::make_exception_ptr(aio::RuntimeError("aio::run() cannot be called from a running event loop"));
        o.errors = {"Uncaught exception in scenario nested_run:", kNestedError};
    }
    return o;
}

}  // namespace

TEST_CASE("the reference oracles pass on the reference outputs") {
    for (const char* name : kNames) {
        CAPTURE(name);
        auto v = aio::scenario::evaluate(get(name), reference_outcome(name));
        CHECK_MESSAGE(v.ok(), v.summary());
    }
}

TEST_CASE("the reference twins pass their oracles on the real loop and print the expected bytes") {
    // One thread per scenario (each aio::run uses its own thread's loop): the four take as
    // long as the longest (3 s) instead of 8 s.
    std::vector<aio::scenario::CheckResult> results(kNames.size());
    {
        std::vector<std::jthread> threads;
        for (std::size_t i = 0; i < kNames.size(); ++i)
            threads.emplace_back([&results, i, &s = get(kNames[i])] { results[i] = aio::scenario::check(s); });
    }
    for (std::size_t i = 0; i < kNames.size(); ++i) {
        std::string name = kNames[i];
        CAPTURE(name);
        const auto& r = results[i];
        CHECK_MESSAGE(r.ok(), r.verdict.summary());
        CHECK(joined(r.outcome.lines) == read_file(std::string(AIOSIM_REFERENCE_DIR) + "/" + name + ".expected"));
    }
    CHECK(results[3].outcome.exit_status == 1);
    CHECK(results[3].outcome.last_error() == kNestedError);
}

TEST_CASE("run_returns_result's oracle fails when the result is not the last line") {
    Execution o = reference_outcome("run_returns_result");
    std::swap(o.lines[1], o.lines[2]);
    auto v = aio::scenario::evaluate(get("run_returns_result"), o);
    CHECK(v.summary() ==
          "run()'s result 'Все корутины выполнены' must be printed last, but the last line is 'Корутина 2 выполнена'");
}

TEST_CASE("gather_exception_propagates's oracle fails when first finishes or the exception is not printed last") {
    Execution o = reference_outcome("gather_exception_propagates");
    o.lines.insert(o.lines.end() - 1, "Задача first завершена.");
    auto v = aio::scenario::evaluate(get("gather_exception_propagates"), o);
    CHECK(v.summary() == "task first must never finish (run() cancels it), but it printed 'Задача first завершена.'");

    o = reference_outcome("gather_exception_propagates");
    o.lines.pop_back();
    v = aio::scenario::evaluate(get("gather_exception_propagates"), o);
    REQUIRE(v.violations().size() == 1);
    CHECK(v.violations()[0].starts_with("the exception must come out of run() and be printed last"));
}

TEST_CASE("gather_exception_handled's oracle fails when a task does not finish") {
    Execution o = reference_outcome("gather_exception_handled");
    std::erase(o.lines, "Задача first завершена.");
    auto v = aio::scenario::evaluate(get("gather_exception_handled"), o);
    CHECK(v.summary() == "every task must finish: 'Задача first завершена.' must be printed once, got 0 times");

    o = reference_outcome("gather_exception_handled");
    o.escaped = std::make_exception_ptr(std::runtime_error("Произошла ошибка"));
    o.exit_status = 1;
    CHECK_FALSE(aio::scenario::evaluate(get("gather_exception_handled"), o).ok());
}

TEST_CASE("nested_run's oracle fails when the program ends normally or with another error") {
    Execution o = reference_outcome("nested_run");
    o.exit_status = 0;
    o.escaped = nullptr;
    o.errors.clear();
    auto v = aio::scenario::evaluate(get("nested_run"), o);
    REQUIRE(v.violations().size() == 3);
    CHECK(v.violations()[0] ==
          "the nested run() must raise aio::RuntimeError out of the program, but what escaped is ''");
    CHECK(v.violations()[1] == "the exit status must be 1, got 0");

    o = reference_outcome("nested_run");
    o.escaped = std::make_exception_ptr(aio::ValueError("aio::run() needs a coroutine"));
    CHECK_FALSE(aio::scenario::evaluate(get("nested_run"), o).ok());
}
