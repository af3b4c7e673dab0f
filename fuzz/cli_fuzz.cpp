// Fuzzes the command line: aio::cli::main(argc, argv, registry, out, err) in-process, over a
// registry of two tiny scenarios (one always right, one with a lost update some schedules
// expose), with argument vectors made from the input: one argument per line; leading lines
// TEST_TOTAL_SHARDS=... and TEST_SHARD_INDEX=... make up the environment the call sees.
//
// The command line must never crash, hang or end the process, must exit 0, 1 or 2, and its
// error messages stay bounded. The harness keeps every input fast and harmless: it refuses
// (returns -1) argument vectors asking for more than a few runs or threads or more than a
// little real time, and it runs in a scratch directory with '/' removed from every argument
// so a trace file cannot land anywhere else. Values the command line must reject whatever
// its limits (absurdly large or malformed numbers) pass through.
//
// AIOSIM_FUZZ_ECHO=1 prints each call's arguments, exit status and output (to reproduce a
// finding: AIOSIM_FUZZ_ECHO=1 build/fuzz/fuzz/cli_fuzz FILE).
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <aio/aio.hpp>
#include <aio/cli.hpp>
#include <aio/scenario.hpp>

#include "harness.hpp"

namespace {

using namespace std::chrono_literals;
using aio::scenario::Context;

aio::Coro<void> sleeper(Context& ctx, int i) {
    co_await aio::sleep(std::chrono::milliseconds(i));
    ctx.print("sleeper {} woke", i);
}

aio::Coro<void> tiny_main(Context& ctx) {
    auto a = aio::create_task(sleeper(ctx, 1));
    auto b = aio::create_task(sleeper(ctx, 2));
    co_await aio::gather(a, b);
}

int tiny(Context& ctx) {
    aio::run(tiny_main(ctx), ctx.run_options());
    return 0;
}

aio::Coro<void> adder(int& hits) {
    const int seen = hits;
    co_await aio::sleep(0s);
    hits = seen + 1;
}

aio::Coro<void> racy_main(Context& ctx) {
    int hits = 0;
    auto a = aio::create_task(adder(hits));
    auto b = aio::create_task(adder(hits));
    co_await a;
    co_await b;
    ctx.print("hits = {}", hits);
}

int racy(Context& ctx) {
    aio::run(racy_main(ctx), ctx.run_options());
    return 0;
}

void racy_oracle(const aio::scenario::Execution& outcome, aio::scenario::Verdict& verdict) {
    verdict.require(outcome.last_line() == "hits = 2", "lost update: the last line is '{}'", outcome.last_line());
}

const aio::scenario::Registry& registry() {
    static const aio::scenario::Registry r = [] {
        aio::scenario::Registry reg;
        reg.add("tiny", "two tasks sleep 1 ms and 2 ms", &tiny);
        reg.add("racy", "two tasks increment a counter across an await", &racy);
        reg.add_oracle("racy", &racy, &racy_oracle);
        return reg;
    }();
    return r;
}

std::filesystem::path scratch;

// The value of option `name` in args[i] ("--name V" or "--name=V"; for a one-letter short
// option also "-nV"), if args[i] is that option.
const std::string* value_of(const std::vector<std::string>& args, std::size_t i, std::string_view name,
                            std::string& buf) {
    const std::string& a = args[i];
    if (a == name) return i + 1 < args.size() ? &args[i + 1] : nullptr;
    if (a.size() > name.size() && a.compare(0, name.size(), name) == 0) {
        if (a[name.size()] == '=') {
            // CLI11 reads "--name=" with nothing after it as "--name": the value is the next
            // argument.
            if (a.size() == name.size() + 1) return i + 1 < args.size() ? &args[i + 1] : nullptr;
            buf = a.substr(name.size() + 1);
            return &buf;
        }
        if (name.size() == 2 && name[0] == '-' && name[1] != '-') {
            buf = a.substr(2);
            return &buf;
        }
    }
    return nullptr;
}

std::size_t digits_in(std::string_view v) {
    std::size_t n = 0;
    for (char c : v) n += c >= '0' && c <= '9';
    return n;
}

// The digits of v that carry its value: after blanks, one sign and leading zeros (the CLI reads
// "000200370000631046642" as 200370000631046642, so counting every digit let a huge
// --seeds through as if it were beyond 64 bits).
std::string_view significant(std::string_view v) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    if (!v.empty() && (v.front() == '-' || v.front() == '+')) v.remove_prefix(1);
    while (!v.empty() && v.front() == '0') v.remove_prefix(1);
    return v;
}

// A count the harness lets through: no digit at all (malformed), at most `most` significant
// digits and nothing else, or more than 20 significant digits (beyond any 64-bit value).
bool harmless_count(std::string_view v, std::size_t most) {
    if (digits_in(v) == 0) return true;
    const std::string_view t = significant(v);
    if (digits_in(t) > 20) return true;
    return t.size() <= most && digits_in(t) == t.size();
}

// A duration the harness lets through: malformed (no digit, or beyond 20 significant digits),
// or at most 20 ms written as digits followed by "ms".
bool harmless_duration(std::string_view v) {
    if (digits_in(v) == 0) return true;
    if (v.size() >= 2 && v.substr(v.size() - 2) == "ms") {
        const std::string_view t = significant(v.substr(0, v.size() - 2));
        if (digits_in(t) != t.size()) return false;
        return t.size() <= 2 && (t.empty() || std::atoi(std::string(t).c_str()) <= 20);
    }
    return digits_in(significant(v)) > 20;
}

bool harmless(const std::vector<std::string>& args) {
    std::string buf;
    for (std::size_t i = 0; i < args.size(); ++i) {
        for (std::string_view opt : {"--seeds", "--max-runs"})
            if (const std::string* v = value_of(args, i, opt, buf); v && !harmless_count(*v, 2)) return false;
        for (std::string_view opt : {"--jobs", "-j"})  // threads
            if (const std::string* v = value_of(args, i, opt, buf); v && !harmless_count(*v, 1)) return false;
        if (const std::string* v = value_of(args, i, "--time", buf); v && !harmless_duration(*v)) return false;
    }
    return true;
}

// A value no numeric option may accept (issue 9: `--seed -1` became 2^64-1, `--seed ''` 0,
// `--seeds 99999999999999999999999` saturated): empty, a negative integer, or a decimal
// beyond 2^64-1.
bool out_of_every_range(std::string_view v) {
    if (v.empty()) return true;
    std::string_view d = v.front() == '-' ? v.substr(1) : v;
    if (d.empty() || digits_in(d) != d.size()) return false;
    if (v.front() == '-') return d.find_first_not_of('0') != std::string_view::npos;
    while (d.size() > 1 && d.front() == '0') d.remove_prefix(1);
    return d.size() > 20 || (d.size() == 20 && d > "18446744073709551615");
}

// The first numeric option given a value out of every range, if any.
std::string wrongly_numbered(const std::vector<std::string>& args) {
    std::string buf;
    for (std::size_t i = 0; i < args.size(); ++i)
        for (std::string_view opt :
             {"--seed", "--seeds", "--seed-start", "--max-runs", "--jobs", "-j", "--pct-depth", "--pct-steps"})
            if (const std::string* v = value_of(args, i, opt, buf); v && out_of_every_range(*v))
                return std::string(opt) + " '" + *v + "'";
    return {};
}

void clear_scratch() {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(scratch, ec)) std::filesystem::remove_all(e.path(), ec);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    char dir[] = "/tmp/aiosim-cli-fuzz-XXXXXX";
    if (!mkdtemp(dir)) std::abort();
    scratch = dir;
    if (chdir(dir) != 0) std::abort();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    std::vector<std::string> args{"aiosim"};
    std::vector<std::pair<std::string, std::string>> env;
    std::size_t from = 0;
    bool leading = true;  // still in the leading TEST_...=value lines
    while (from <= input.size()) {
        std::size_t nl = input.find('\n', from);
        if (nl == std::string_view::npos) nl = input.size();
        std::string a(input.substr(from, nl - from));
        from = nl + 1;
        if (leading && (a.starts_with("TEST_TOTAL_SHARDS=") || a.starts_with("TEST_SHARD_INDEX="))) {
            const std::size_t eq = a.find('=');
            env.emplace_back(a.substr(0, eq), a.substr(eq + 1));
            continue;
        }
        leading = false;
        std::erase(a, '/');
        std::erase(a, '\0');
        args.push_back(std::move(a));
    }
    if (args.size() > 24 || !harmless(args)) return -1;

    // The environment the command line sees: the leading lines only, never the process's.
    const aio::cli::Getenv getenv = [&env](std::string_view name) -> std::optional<std::string> {
        std::optional<std::string> value;
        for (const auto& [k, v] : env)
            if (k == name) value = v;  // the last line of a name wins, as in a shell
        return value;
    };
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    argv.push_back(nullptr);
    std::ostringstream out, err;
    int status = -1;
    try {
        status = aio::cli::main(static_cast<int>(args.size()), argv.data(), registry(), out, err, getenv);
    } catch (...) {
        aio::fuzz::fail("aio::cli::main threw: " + aio::fuzz::describe_current(), input);
    }
    if (std::getenv("AIOSIM_FUZZ_ECHO")) {
        std::string line;
        for (const auto& a : args) line += "[" + a + "] ";
        std::fprintf(stderr, "argv: %s\nstatus: %d\n--- out:\n%s--- err:\n%s---\n", line.c_str(), status,
                     out.str().c_str(), err.str().c_str());
    }
    clear_scratch();

    if (status < 0 || status > 2) aio::fuzz::fail("exit status " + std::to_string(status) + " (0, 1 or 2)", input);
    // An exception the command line did not expect is reported as "aiosim[ CMD]: internal
    // error...": a bug. (Only at the start of a line: an argument holds no newline, so no
    // echoed input can start one.)
    std::istringstream lines(err.str());
    for (std::string line; std::getline(lines, line);) {
        std::string_view l = line;
        if (!l.starts_with("aiosim")) continue;
        l.remove_prefix(6);
        if (l.starts_with(' ')) l.remove_prefix(std::min(l.size(), l.find_first_of(':')));
        if (l.starts_with(": internal error")) aio::fuzz::fail("an internal error: " + line.substr(0, 500), input);
    }
    if (status == 2) {
        // Bad usage: one bounded message (CLI11's help of a subcommand is shown on stdout).
        aio::fuzz::check_message(err.str(), input);
        if (err.str().empty()) aio::fuzz::fail("exit status 2 without a message on standard error", input);
    }
    // Help (-h anywhere, also in a group like -hv) ends parsing before the other options are
    // read: nothing below applies.
    const std::string o = out.str();
    if (status == 0 && o.find("Usage: ") != std::string::npos) return 0;
    if (status != 2)
        if (std::string bad = wrongly_numbered(args); !bad.empty())
            aio::fuzz::fail(
                "accepted " + bad + " (exit " + std::to_string(status) + "): a numeric option must refuse it", input);
    // A check that ran nothing must not pass (issue 9): an exploration that made no run
    // does not exit 0 (with or without --expect-failure) unless --allow-empty says an empty
    // shard is expected.
    if (status == 0 && std::find(args.begin(), args.end(), "explore") != args.end() &&
        o.find("summary: 0 runs") != std::string::npos &&
        std::find(args.begin(), args.end(), "--allow-empty") == args.end())
        aio::fuzz::fail("explore made 0 runs and exited " + std::to_string(status), input);
    return 0;
}
