#pragma once
// aio::scenario::Context: what a scenario's body receives (as `ctx`).
//
//     AIOSIM_SCENARIO(hello, "prints a greeting after one second") {
//         aio::run(greet(ctx), ctx.run_options());
//         ctx.print("done in {} s", 1);
//         return 0;
//     }
//
// A scenario is the C++ twin of a whole program, top level included: it calls aio::run itself,
// with ctx.run_options() so that the tool chooses the loop (the real loop today, the simulator
// later). It prints through ctx.print() instead of writing to stdout, so that the output can be
// streamed (`aiosim run`) or captured for a check (thousands of silent runs); ctx.error() is
// its standard error. Its return value is its exit status.
//
// Contract: print()/error() format with fmt, then emit the text as lines, splitting at '\n'
// like Python's print (print("") is one empty line). They may be called from any thread (for
// example inside aio::to_thread). The context outlives the scenario's body, so coroutines may
// keep a reference to it. An exception escaping the body is the program's uncaught exception:
// the runner reports it on error() and the exit status is 1.
#include <fmt/format.h>

#include <aio/run.hpp>
#include <string>
#include <string_view>
#include <utility>

namespace aio::scenario {

enum class Stream : unsigned char { out, err };

/// Receives a scenario's output one line at a time (without the newline). May be called from
/// several threads; an implementation serialises as it needs.
class Sink {
public:
    virtual void line(Stream stream, std::string_view text) = 0;

protected:
    ~Sink() = default;
};

class Context {
public:
    /// `options` chooses the loop; every line goes to `sink`, which must outlive the context.
    Context(std::string_view scenario_name, aio::RunOptions options, Sink& sink);
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;

    /// The options to pass to aio::run() or aio::Runner: the loop the tool chose, with the
    /// loop's own reports (exception handler, debug warnings) routed to error().
    aio::RunOptions run_options() const;

    /// One line (or more, if the text holds '\n') on the scenario's standard output.
    template <class... A>
    void print(fmt::format_string<A...> format, A&&... args) {
        write(Stream::out, fmt::format(format, std::forward<A>(args)...));
    }
    /// The same on the scenario's standard error.
    template <class... A>
    void error(fmt::format_string<A...> format, A&&... args) {
        write(Stream::err, fmt::format(format, std::forward<A>(args)...));
    }
    /// Emits `text` as lines on `stream` (split at '\n'; a final '\n' adds an empty line).
    void write(Stream stream, std::string_view text);

    const std::string& scenario_name() const noexcept { return name_; }

private:
    std::string name_;
    aio::RunOptions options_;
    Sink* sink_;
};

}  // namespace aio::scenario
