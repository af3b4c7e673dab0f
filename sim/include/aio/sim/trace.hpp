#pragma once
// Traces of simulated runs: what happened, when (virtual time), to which task.
//
// Text form, one line per event, stable across platforms and runs (no addresses, no file
// paths, no real time):
//
//     <seconds>.<nanoseconds, 9 digits> <step> <kind> [#<task id> "<task name>"] [<detail>]
//     0.000000000 1 step #1 "Task-1"
//     0.000000000 1 sleep #2 "first" until=3.000000000
//     2.000000000 9 raised #4 "boom" ValueError: no
//
// <step> is EventLoop::steps_run() when the event happened. Names are quoted with the JSON
// escapes for '"', '\' and control characters; details (exception descriptions, cancel
// messages) escape '\' and control characters, so every event is exactly one line. The trace hash is 64-bit FNV-1a over the
// UTF-8 bytes of the text form, each line followed by '\n'; it is computed while the run
// goes (TraceMode::hash), so two runs have equal hashes exactly when their traces are equal
// up to hash collisions.
//
// chrome_trace_json() gives the Chrome trace-event format (loads in Perfetto and
// chrome://tracing): one track per task (its lifetime as a slice, its sleeps nested in it,
// steps, cancellations and errors as instants; its named spans, aio::TraceSpan, as slices
// named by their labels), and a "loop" track for the simulator's
// decisions and callback timers. Timestamps are virtual microseconds.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "aio/clock.hpp"

namespace aio::sim {

enum class TraceMode : std::uint8_t {
    off,   // nothing recorded, no observer installed: no cost
    hash,  // the trace hash only (each event formatted and hashed, nothing kept)
    full,  // the hash and every event (RunRecord::trace)
};

enum class TraceKind : std::uint8_t {
    created,        // a task was created
    step,           // a task step began
    sleep,          // a task scheduled a timer (sleep, timeout): detail until=<deadline>
    timer,          // a plain callback timer was scheduled (call_later / call_at)
    fired,          // a timer's deadline passed; its callback is now ready
    cancel,         // task.cancel() was called: detail msg="..." if a message was given
    cancelled,      // the task ended cancelled
    raised,         // the task ended with an exception: detail is its description
    done,           // the task returned
    decision,       // a non-zero decision: detail "<letter><index> of <n>"
    thread_submit,  // a to_thread job was submitted
    thread_done,    // a finished to_thread job's completion was scheduled
    span,           // a named span began (aio::TraceSpan): detail is its label, quoted
    span_end,       // that span ended: detail is its label, quoted
    // The simulated network (network.hpp). Their detail starts with host=NAME (the host the
    // event happens on); TraceEvent::host is that host's number, flow pairs a send with its
    // delivery (and a connect with its accept, the connection's number).
    net_connect,  // a connect began: "host=app conn #1 app:49152->db:5432"
    net_accept,   // the server's host accepted it
    net_refused,  // the connect failed (refused, or timed out)
    net_send,     // a segment was sent: "host=app conn #1 dir=0 bytes=17"
    net_deliver,  // it was delivered to the receiver
    net_reset,    // a connection was reset
    net_close,    // a connection is gone (both ends closed)
    partition,    // two hosts cut apart: "host=app app|db"
    repair,       // their partition healed
    crash,        // a host crashed
    restart,      // a host restarted
    fault,        // an injected fault or a fired fault point, in words
};

/// Whether `k` is one of the simulated network's events (net_connect .. fault).
constexpr bool is_net_event(TraceKind k) noexcept { return k >= TraceKind::net_connect; }

std::string_view trace_kind_name(TraceKind k) noexcept;

struct TraceEvent {
    TimePoint time{};
    std::uint64_t step = 0;
    TraceKind kind = TraceKind::step;
    std::uint64_t task = 0;  // 0: no task
    std::string name{};      // the task's name at the time of the event
    std::string detail{};
    TimePoint until{};       // sleep, timer: the deadline
    std::uint32_t host = 0;  // net events: the host's number (0: "main")
    std::uint64_t flow = 0;  // net_send/net_deliver: the segment's flow id; connects: the connection
    friend bool operator==(const TraceEvent&, const TraceEvent&) = default;
};

/// JSON string escaping of s (backslash, control characters, and '"' if `quotes`), so a
/// name or message stays on one trace line.
std::string escape_text(std::string_view s, bool quotes = true);
/// "3.000000000": virtual seconds with nanoseconds.
std::string format_time(TimePoint t);
/// Appends the event's text line (without '\n').
void append_trace_line(std::string& out, const TraceEvent& e);
std::string format_trace_line(const TraceEvent& e);
/// The whole text form, one line per event, each ending in '\n'.
std::string format_trace(const std::vector<TraceEvent>& events);
/// Chrome trace-event JSON for the events (a complete JSON object).
std::string chrome_trace_json(const std::vector<TraceEvent>& events);

inline constexpr std::uint64_t fnv1a64_offset = 0xcbf29ce484222325ull;
/// 64-bit FNV-1a of `bytes`, continuing from `h`.
constexpr std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t h = fnv1a64_offset) noexcept {
    for (unsigned char c : bytes) {
        h ^= c;
        h *= 0x100000001b3ull;
    }
    return h;
}
/// The trace hash of a list of events (as the loop computes it while running).
std::uint64_t trace_hash(const std::vector<TraceEvent>& events);
/// "0x0123456789abcdef": how hashes are printed.
std::string format_hash(std::uint64_t h);

}  // namespace aio::sim
