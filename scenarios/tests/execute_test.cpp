// execute(), evaluate() and check(): what a run captures and how it is judged.
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <aio/scenario.hpp>
#include <stdexcept>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using aio::scenario::Context;
using aio::scenario::Execution;
using Lines = std::vector<std::string>;

namespace {

aio::Coro<int> count_to_three(Context& ctx) {
    for (int i = 1; i <= 3; ++i) {
        ctx.print("{} from {}", i, aio::current_task().name());
        co_await aio::sleep(0s);
    }
    co_return 3;
}

aio::Coro<void> report_to_the_loop() {
    aio::ExceptionContext c;
    c.message = "something the loop reports";
    aio::get_running_loop().call_exception_handler(c);
    co_return;
}

aio::Coro<int> print_from_a_thread(Context& ctx) {
    co_return co_await aio::to_thread([&ctx] {
        ctx.print("from a worker thread");
        return 5;
    });
}

aio::Coro<void> fail_in_loop() {
    co_await aio::sleep(0s);
    throw aio::ValueError("bad value");
}

}  // namespace

AIOSIM_SCENARIO(test_counts, "prints three lines from a task, then the result; exit status 4") {
    int n = aio::run(count_to_three(ctx), ctx.run_options());
    ctx.print("result {}", n);
    return 4;
}

AIOSIM_SCENARIO(test_multiline, "one print with newlines, an empty line, and an error line") {
    ctx.print("a\nb");
    ctx.print("");
    ctx.print("c\n");
    ctx.error("e{}", 1);
    return 0;
}

AIOSIM_SCENARIO(test_escapes, "an exception escapes aio::run and the scenario") {
    ctx.print("before");
    aio::run(fail_in_loop(), ctx.run_options());
    ctx.print("never");
    return 0;
}

AIOSIM_SCENARIO(test_loop_report, "the loop's exception handler reports something") {
    aio::run(report_to_the_loop(), ctx.run_options());
    return 0;
}

AIOSIM_SCENARIO(test_thread_print, "prints from an aio::to_thread worker") {
    ctx.print("got {}", aio::run(print_from_a_thread(ctx), ctx.run_options()));
    return 0;
}

AIOSIM_SCENARIO(test_with_oracle, "an oracle that wants the line 'yes'") {
    ctx.print("no");
    return 0;
}
AIOSIM_ORACLE(test_with_oracle) {
    verdict.require(outcome.printed("yes"), "'yes' must be printed; the lines were {}", outcome.lines.size());
}

AIOSIM_SCENARIO(test_throwing_oracle, "an oracle that throws") { return 0; }
AIOSIM_ORACLE(test_throwing_oracle) { throw std::out_of_range("oops"); }

namespace {
const aio::scenario::Scenario& get(const char* name) {
    const auto* s = aio::scenario::Registry::global().find(name);
    REQUIRE(s != nullptr);
    return *s;
}
}  // namespace

TEST_CASE("execute captures the printed lines in order and the body's exit status") {
    Execution o = aio::scenario::execute(get("test_counts"));
    CHECK(o.lines == Lines{"1 from Task-1", "2 from Task-1", "3 from Task-1", "result 3"});
    CHECK(o.errors.empty());
    CHECK(o.exit_status == 4);
    CHECK_FALSE(o.escaped);
    CHECK(o.last_line() == "result 3");
}

TEST_CASE("print splits at newlines like Python's print, and error lines are kept apart") {
    Execution o = aio::scenario::execute(get("test_multiline"));
    CHECK(o.lines == Lines{"a", "b", "", "c", ""});
    CHECK(o.errors == Lines{"e1"});
    CHECK(o.last_error() == "e1");
}

TEST_CASE("an exception escaping the body is captured: exit status 1 and described on the last error line") {
    Execution o = aio::scenario::execute(get("test_escapes"));
    CHECK(o.lines == Lines{"before"});
    CHECK(o.exit_status == 1);
    REQUIRE(o.escaped);
    CHECK_THROWS_AS(std::rethrow_exception(o.escaped), aio::ValueError);
    CHECK(o.escaped_description() == "ValueError: bad value");
    CHECK(o.errors == Lines{"Uncaught exception in scenario test_escapes:", "ValueError: bad value"});
}

TEST_CASE("what the loop reports goes to the scenario's error lines, not to the process's stderr") {
    Execution o = aio::scenario::execute(get("test_loop_report"));
    CHECK(o.exit_status == 0);
    CHECK(o.errors == Lines{"something the loop reports"});
}

TEST_CASE("lines printed from a to_thread worker are captured") {
    Execution o = aio::scenario::execute(get("test_thread_print"));
    CHECK(o.lines == Lines{"from a worker thread", "got 5"});
}

TEST_CASE("execute passes each line to the echo sink as it is printed") {
    struct Echo final : aio::scenario::Sink {
        Lines seen;
        void line(aio::scenario::Stream s, std::string_view text) override {
            seen.push_back((s == aio::scenario::Stream::out ? "out: " : "err: ") + std::string(text));
        }
    } echo;
    Execution o = aio::scenario::execute(get("test_escapes"), {}, &echo);
    CHECK(echo.seen ==
          Lines{"out: before", "err: Uncaught exception in scenario test_escapes:", "err: ValueError: bad value"});
    CHECK(o.lines == Lines{"before"});
}

TEST_CASE("run_options keeps the chosen loop factory") {
    int made = 0;
    aio::RunOptions chosen;
    chosen.loop_factory = [&made] {
        ++made;
        return std::make_unique<aio::EventLoop>();
    };
    Execution o = aio::scenario::execute(get("test_counts"), chosen);
    CHECK(made == 1);
    CHECK(o.exit_status == 4);
}

TEST_CASE("without an oracle, a run passes when it exits 0 and nothing escapes") {
    CHECK(aio::scenario::check("test_multiline").ok());
    auto r = aio::scenario::check("test_counts");
    CHECK_FALSE(r.ok());
    CHECK(r.verdict.summary() == "the exit status must be 0, got 4");
    auto e = aio::scenario::check("test_escapes");
    REQUIRE(e.verdict.violations().size() == 2);
    CHECK(e.verdict.violations()[0] == "no exception may escape the scenario, but ValueError: bad value did");
}

TEST_CASE("a declared oracle judges the run") {
    auto r = aio::scenario::check("test_with_oracle");
    CHECK_FALSE(r.ok());
    CHECK(r.verdict.summary() == "'yes' must be printed; the lines were 1");
    Execution doctored = r.outcome;
    doctored.lines.push_back("yes");
    CHECK(aio::scenario::evaluate(get("test_with_oracle"), doctored).ok());
}

TEST_CASE("an oracle that throws fails the run and names the exception") {
    auto r = aio::scenario::check("test_throwing_oracle");
    CHECK(r.verdict.summary() == "the oracle of scenario test_throwing_oracle threw std::out_of_range: oops");
    CHECK(r.verdict.requirements() ==
          std::vector<std::string>{"the oracle of scenario test_throwing_oracle threw std::out_of_range"});
}

TEST_CASE("each violation keeps its requirement: the message unformatted, the same whatever the run saw") {
    auto r = aio::scenario::check("test_with_oracle");
    CHECK(r.verdict.requirements() == std::vector<std::string>{"'yes' must be printed; the lines were {}"});
    auto e = aio::scenario::check("test_escapes");
    CHECK(e.verdict.requirements() == std::vector<std::string>{"no exception may escape the scenario, but {} did",
                                                               "the exit status must be 0, got {}"});
    aio::scenario::Verdict v;
    v.fail("plain");
    v.fail("seen 3 times", "seen once");
    CHECK(v.violations() == std::vector<std::string>{"plain", "seen 3 times"});
    CHECK(v.requirements() == std::vector<std::string>{"plain", "seen once"});
}

TEST_CASE("check of an unknown name throws ValueError listing the valid names") {
    CHECK_THROWS_WITH_AS(aio::scenario::check("test_count"),
                         doctest::Contains("unknown scenario 'test_count' (did you mean 'test_counts'?)"),
                         aio::ValueError);
}
