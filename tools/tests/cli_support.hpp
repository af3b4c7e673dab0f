#pragma once
// What the command-line tests share: running `aiosim ARGS...` in process over a registry, and
// a racy scenario (a lost update between two tasks) to explore.
#include <aio/aio.hpp>
#include <aio/cli.hpp>
#include <aio/scenario.hpp>

#include <sstream>
#include <string>
#include <vector>

namespace cli_support {

/// What a command printed and returned.
struct Result {
    int status;
    std::string out;
    std::string err;
};

/// `program ARGS...` through aio::cli::main, over `r`.
inline Result cli(const aio::scenario::Registry& r, std::vector<std::string> args, std::string program = "aiosim") {
    args.insert(args.begin(), std::move(program));
    std::vector<const char*> argv;
    for (auto& a : args) argv.push_back(a.c_str());
    std::ostringstream out, err;
    const int status = aio::cli::main(static_cast<int>(argv.size()), argv.data(), r, out, err);
    return {status, out.str(), err.str()};
}

inline bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// The value of a line "  key: value" (or "key: value") of `text`, or "".
inline std::string field(const std::string& text, const std::string& key) {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        auto start = line.find_first_not_of(' ');
        if (start != std::string::npos && line.compare(start, key.size() + 2, key + ": ") == 0)
            return line.substr(start + key.size() + 2);
    }
    return {};
}

// A lost update: worker b arrives one pass later, so in asyncio's order the two
// read-await-write windows do not overlap; some perturbed orders overlap them.
inline aio::Coro<void> add_one(int pre_yields, int& counter) {
    for (int i = 0; i < pre_yields; ++i) co_await aio::sleep(std::chrono::seconds(0));
    const int seen = counter;
    co_await aio::sleep(std::chrono::seconds(0));
    counter = seen + 1;
}
inline aio::Coro<void> two_adders(aio::scenario::Context& ctx) {
    int counter = 0;
    auto a = aio::create_task(add_one(0, counter), "a");
    auto b = aio::create_task(add_one(1, counter), "b");
    co_await a;
    co_await b;
    ctx.print("counter = {}", counter);
}
/// The scenario: prints "counter = N" (2 unless the update was lost).
inline int racy(aio::scenario::Context& ctx) {
    aio::run(two_adders(ctx), ctx.run_options());
    return 0;
}
/// Its oracle: the counter must be 2.
inline void racy_oracle(const aio::scenario::Execution& o, aio::scenario::Verdict& v) {
    v.require(o.last_line() == "counter = 2", "the counter must be 2, got '{}'", o.last_line());
}

}  // namespace cli_support
