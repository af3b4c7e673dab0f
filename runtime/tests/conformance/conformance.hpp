#pragma once
// Shared by the C++ halves of the differential conformance pairs.
//
// A pair is NAME.py (stdlib asyncio only) and NAME.cpp. NAME.cpp defines
//     int conformance_program(aio::RunOptions opts)
// which does what the Python file does at top level (usually `aio::run(main(), opts)` inside
// the same try/except) and prints the same lines with out(). Use time units large enough that
// real-time noise cannot reorder events (0.1 s steps or more).
//
// Every pair is linked into one program (see CMakeLists.txt), so everything else a pair file
// defines must be static or in an anonymous namespace: two pairs' `struct Shared` would
// otherwise be one type to the linker.
#include <fmt/format.h>

#include <aio/aio.hpp>
#include <cstddef>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>

namespace conformance {

/// Set when the simulator is built (sim_factory.cpp); empty otherwise.
extern std::function<std::unique_ptr<aio::EventLoop>()> sim_loop_factory;
/// The simulator's fifo loop with replay parameters (`cost=1us`: the pair's NAME.sim file, see
/// CMakeLists.txt); empty when the simulator is not built. Throws aio::ValueError for bad ones.
extern std::function<std::function<std::unique_ptr<aio::EventLoop>()>(const std::string& params)> sim_loop_factory_with;

/// print(...) of the Python twin: one line on stdout.
template <class... A>
void out(fmt::format_string<A...> f, A&&... a) {
    fmt::print(f, std::forward<A>(a)...);
    std::fputc('\n', stdout);
}

/// Python's str(bool) (the structured, sync and net pairs' headers share it).
inline const char* py(bool b) { return b ? "True" : "False"; }
/// Python's repr-less message of an exception: str(e). For CancelledError, its message.
inline std::string msg(std::exception_ptr e) { return aio::exception_message(e); }
/// Python's type(e).__name__ for aio's types ("RuntimeError", "CancelledError", ...).
inline std::string type(std::exception_ptr e) { return aio::exception_type_name(e); }

/// One pair's C++ half, as the generated table (programs.cpp) lists it.
struct Program {
    const char* name;
    int (*main)(aio::RunOptions opts);
    /// A pair of net/: it opens real sockets, which the simulator does not have.
    bool real_only;
};
extern const Program programs[];
extern const std::size_t program_count;

}  // namespace conformance
