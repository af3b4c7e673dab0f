// The aiosim command line, run in process over small registries.
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <aio/cli.hpp>
#include <aio/scenario.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Result {
    int status;
    std::string out;
    std::string err;
};

Result cli(const aio::scenario::Registry& r, std::vector<std::string> args, std::string program = "aiosim") {
    args.insert(args.begin(), program);
    std::vector<const char*> argv;
    for (auto& a : args) argv.push_back(a.c_str());
    std::ostringstream out, err;
    int status = aio::cli::main(static_cast<int>(argv.size()), argv.data(), r, out, err);
    return {status, out.str(), err.str()};
}

aio::Coro<void> two_lines(aio::scenario::Context& ctx) {
    ctx.print("one");
    co_await aio::sleep(std::chrono::seconds(0));
    ctx.print("two");
}
int prints_and_exits_5(aio::scenario::Context& ctx) {
    aio::run(two_lines(ctx), ctx.run_options());
    ctx.error("a warning");
    return 5;
}
aio::Coro<void> nested(aio::scenario::Context& ctx) {
    aio::run(two_lines(ctx), ctx.run_options());
    co_return;
}
int escapes(aio::scenario::Context& ctx) {
    aio::run(nested(ctx), ctx.run_options());
    return 0;
}
int quiet(aio::scenario::Context&) { return 0; }

aio::scenario::Registry sample() {
    aio::scenario::Registry r;
    r.add("prints", "prints two lines, warns, exits 5", &prints_and_exits_5);
    r.add("escapes", "lets an aio::RuntimeError escape", &escapes);
    r.add("a_long_name", "does nothing", &quiet);
    return r;
}

}  // namespace

AIOSIM_SCENARIO(user_registered, "registered with the macro in cli_test.cpp") { return 0; }

TEST_CASE("list prints every scenario with its description, ordered by name and aligned") {
    auto r = cli(sample(), {"list"});
    CHECK(r.status == 0);
    CHECK(r.out ==
          "a_long_name  does nothing\n"
          "escapes      lets an aio::RuntimeError escape\n"
          "prints       prints two lines, warns, exits 5\n");
    CHECK(r.err.empty());
}

TEST_CASE("a scenario registered with the macro appears in list over the global registry") {
    auto r = cli(aio::scenario::Registry::global(), {"list"});
    CHECK(r.status == 0);
    CHECK(r.out == "user_registered  registered with the macro in cli_test.cpp\n");
}

TEST_CASE("run streams the scenario's lines and exits with its status") {
    auto r = cli(sample(), {"run", "prints"});
    CHECK(r.status == 5);
    CHECK(r.out == "one\ntwo\n");
    CHECK(r.err == "a warning\n");
    CHECK(cli(sample(), {"run", "prints", "--loop", "real"}).status == 5);
    CHECK(cli(sample(), {"run", "--loop=real", "a_long_name"}).status == 0);
}

TEST_CASE("run exits 1 when an exception escapes the scenario, naming it on the last error line") {
    auto r = cli(sample(), {"run", "escapes"});
    CHECK(r.status == 1);
    CHECK(r.out.empty());
    CHECK(r.err ==
          "Uncaught exception in scenario escapes:\n"
          "RuntimeError: aio::run() cannot be called from a running event loop\n");
}

TEST_CASE("run of an unknown scenario exits 2 and lists the valid names") {
    auto r = cli(sample(), {"run", "print"});
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(r.err ==
          "aiosim run: unknown scenario 'print' (did you mean 'prints'?); valid scenarios: a_long_name, escapes, "
          "prints\n");
}

TEST_CASE("run without a name exits 2 and lists the valid names") {
    auto r = cli(sample(), {"run"});
    CHECK(r.status == 2);
    CHECK(r.err == "aiosim run: which scenario? Give its name: aiosim run NAME; valid scenarios: a_long_name, "
                   "escapes, prints\n");
}

TEST_CASE("an unknown loop exits 2 and lists the valid loops") {
    auto r = cli(sample(), {"run", "prints", "--loop", "simulated"});
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(r.err.find("--loop: unknown loop 'simulated'; valid loops: real, sim") != std::string::npos);
    CHECK(r.err.find("Run `aiosim run --help` for usage.") != std::string::npos);
}

TEST_CASE("an unknown policy or a malformed replay string exits 2 and says what is wrong") {
    auto p = cli(sample(), {"run", "prints", "--loop", "sim", "--policy", "chaos"});
    CHECK(p.status == 2);
    CHECK(p.err.find("unknown policy 'chaos'; valid policies: ") != std::string::npos);
    auto r = cli(sample(), {"run", "prints", "--loop", "sim", "--replay", "aiosim1:random:seed=x"});
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(r.err.find("aiosim run: --replay: ") == 0);
}

TEST_CASE("a missing or unknown command exits 2 and lists the commands") {
    auto none = cli(sample(), {});
    CHECK(none.status == 2);
    CHECK(none.err == "aiosim: missing command; valid commands: list, run\nRun `aiosim --help` for usage.\n");
    auto bad = cli(sample(), {"explode"});
    CHECK(bad.status == 2);
    CHECK(bad.err == "aiosim: unknown command 'explode'; valid commands: list, run\nRun `aiosim --help` for usage.\n");
}

TEST_CASE("an unknown option or an extra argument exits 2 and points to the help") {
    auto r = cli(sample(), {"run", "prints", "--speed", "3"});
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(r.err.find("Run `aiosim run --help` for usage.") != std::string::npos);
    CHECK(cli(sample(), {"list", "extra"}).status == 2);
}

TEST_CASE("--help exits 0 with the usage on standard output") {
    auto r = cli(sample(), {"--help"});
    CHECK(r.status == 0);
    CHECK(r.out.find("Usage: aiosim [OPTIONS] SUBCOMMAND") != std::string::npos);
    CHECK(r.out.find("list") != std::string::npos);
    auto run = cli(sample(), {"run", "--help"});
    CHECK(run.status == 0);
    CHECK(run.out.find("--loop") != std::string::npos);
}

TEST_CASE("messages name the program the user ran") {
    auto r = cli(sample(), {"run", "nope"}, "/opt/bin/my_tool");
    CHECK(r.status == 2);
    CHECK(r.err.starts_with("my_tool run: unknown scenario 'nope'"));
}

TEST_CASE("inconsistent registrations stop the tool with exit 2 before any command runs") {
    aio::scenario::Registry r = sample();
    r.add("prints", "again", &quiet);
    auto res = cli(r, {"list"});
    CHECK(res.status == 2);
    CHECK(res.out.empty());
    CHECK(res.err.find("aiosim: scenario 'prints' is registered twice") != std::string::npos);
    CHECK(res.err.find("fix the scenario registrations above") != std::string::npos);
}

TEST_CASE("list over a program without scenarios says how to add one") {
    aio::scenario::Registry empty;
    auto r = cli(empty, {"list"});
    CHECK(r.status == 0);
    CHECK(r.out.empty());
    CHECK(r.err.find("registers no scenarios; define one with AIOSIM_SCENARIO") != std::string::npos);
}
