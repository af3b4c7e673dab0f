#include "aio/scenario/context.hpp"

#include <memory>

namespace aio::scenario {

namespace {

// Python's print: one line per '\n'-separated piece.
void emit_lines(Sink& sink, Stream stream, std::string_view text) {
    for (;;) {
        auto nl = text.find('\n');
        sink.line(stream, text.substr(0, nl));
        if (nl == std::string_view::npos) return;
        text.remove_prefix(nl + 1);
    }
}

}  // namespace

Context::Context(std::string_view scenario_name, aio::RunOptions options, Sink& sink)
    : name_(scenario_name), options_(std::move(options)), sink_(&sink) {}

aio::RunOptions Context::run_options() const {
    aio::RunOptions o = options_;
    // Wrap the tool's loop factory so that what the loop reports (unretrieved exceptions,
    // cleanup errors, debug warnings) is part of the scenario's standard error: captured with
    // the rest during a check instead of going straight to the process's stderr.
    o.loop_factory = [inner = options_.loop_factory, sink = sink_]() -> std::unique_ptr<EventLoop> {
        std::unique_ptr<EventLoop> loop = inner ? inner() : std::make_unique<EventLoop>();
        if (loop) loop->set_log_sink([sink](std::string_view text) { emit_lines(*sink, Stream::err, text); });
        return loop;
    };
    return o;
}

void Context::write(Stream stream, std::string_view text) { emit_lines(*sink_, stream, text); }

}  // namespace aio::scenario
