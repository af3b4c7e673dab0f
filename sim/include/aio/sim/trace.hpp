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
// messages) escape '\' and control characters, so every event is exactly one line. A sleep's
// or timer's detail ("until=<deadline>") and a decision's ("<letter><index> of <n>") are
// rendered from TraceEvent::until and choice/index/of when TraceEvent::detail is empty (as
// the recorder leaves it: nothing is formatted while a run goes).
//
// The trace hash is defined on exactly what the text form shows, field by field (never struct
// bytes or padding), so it is the same on every compiler and machine and two traces have
// equal hashes exactly when their text forms are equal, up to hash collisions. The state
// starts at 0xcbf29ce484222325 and takes 64-bit words: h = (h ^ w) * 0x9e3779b97f4a7c15,
// then h ^= h >> 32 (trace_hash_word). Every integer is one word (signed ones in two's
// complement); a string is its length as a word, then its UTF-8 bytes (unescaped) eight to a
// word, little-endian (byte i in bits 8i..8i+7), the last word padded with zero bytes. Per
// event, in order:
//
//     time (virtual nanoseconds since the epoch)
//     step
//     kind (TraceKind's number, below)
//     task (0: none); then, only when task != 0, the string name
//     then its detail: for sleep and timer with an empty detail, until (nanoseconds); for
//     decision with an empty detail and a letter: the letter's byte, index, of; otherwise
//     the string detail (length 0 when empty)
//
// TraceEvent::host and ::flow are not in the text and not hashed; nor is a fired event's
// until. trace_hash(events) computes the hash from a recorded list; the recorder computes it
// while the run goes (TraceMode::hash), without formatting or keeping events. The text form
// is for printing (the trace command, full traces): hashing it gives another number.
//
// chrome_trace_json() gives the Chrome trace-event format (loads in Perfetto and
// chrome://tracing): one track per task (its lifetime as a slice, its sleeps nested in it,
// steps, cancellations and errors as instants; its named spans, aio::TraceSpan, as slices
// named by their labels), and a "loop" track for the simulator's
// decisions and callback timers. Timestamps are virtual microseconds.
#include <bit>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <string>
#include <string_view>
#include <vector>

#include "aio/clock.hpp"

namespace aio::sim {

enum class TraceMode : std::uint8_t {
    off,   // nothing recorded, no observer installed: no cost
    hash,  // the trace hash only (each event's fields hashed, nothing formatted or kept)
    full,  // the hash and every event (RunRecord::trace)
};

enum class TraceKind : std::uint8_t {
    // The numbers are part of the trace hash: a new kind takes the next free number.
    created = 0,         // a task was created
    step = 1,            // a task step began
    sleep = 2,           // a task scheduled a timer (sleep, timeout): detail until=<deadline>
    timer = 3,           // a plain callback timer was scheduled (call_later / call_at)
    fired = 4,           // a timer's deadline passed; its callback is now ready
    cancel = 5,          // task.cancel() was called: detail msg="..." if a message was given
    cancelled = 6,       // the task ended cancelled
    raised = 7,          // the task ended with an exception: detail is its description
    done = 8,            // the task returned
    decision = 9,        // a non-zero decision: detail "<letter><index> of <n>"
    thread_submit = 10,  // a to_thread job was submitted
    thread_done = 11,    // a finished to_thread job's completion was scheduled
    span = 12,           // a named span began (aio::TraceSpan): detail is its label, quoted
    span_end = 13,       // that span ended: detail is its label, quoted
    // The simulated network (network.hpp). Their detail starts with host=NAME (the host the
    // event happens on); TraceEvent::host is that host's number, flow pairs a send with its
    // delivery (and a connect with its accept, the connection's number).
    net_connect = 14,  // a connect began: "host=app conn #1 app:49152->db:5432"
    net_accept = 15,   // the server's host accepted it
    net_refused = 16,  // the connect failed (refused, or timed out)
    net_send = 17,     // a segment was sent: "host=app conn #1 dir=0 bytes=17"
    net_deliver = 18,  // it was delivered to the receiver
    net_reset = 19,    // a connection was reset
    net_close = 20,    // a connection is gone (both ends closed)
    partition = 21,    // two hosts cut apart: "host=app app|db"
    repair = 22,       // their partition healed
    crash = 23,        // a host crashed
    restart = 24,      // a host restarted
    fault = 25,        // an injected fault or a fired fault point, in words
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
    TimePoint until{};        // sleep, timer: the deadline
    std::uint32_t host = 0;   // net events: the host's number (0: "main")
    std::uint64_t flow = 0;   // net_send/net_deliver: the segment's flow id; connects: the connection
    char choice = 0;          // decision: the choice point's letter (decision.hpp's choice_letter)
    std::uint64_t index = 0;  // decision: the alternative taken (non-zero)
    std::uint64_t of = 0;     // decision: out of how many
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
/// The trace hash's step: one 64-bit word into the state (multiply by an odd constant, fold
/// the high half down; each step is a bijection of the state, so sequences differing in one
/// word never collide).
constexpr std::uint64_t trace_hash_word(std::uint64_t w, std::uint64_t h) noexcept {
    h = (h ^ w) * 0x9e3779b97f4a7c15ull;
    return h ^ (h >> 32);
}
/// A string into the trace hash: its length as a word, then its bytes eight to a word (byte i
/// of a chunk in bits 8i..8i+7, the last chunk padded with zero bytes).
constexpr std::uint64_t trace_hash_string(std::string_view s, std::uint64_t h) noexcept {
    h = trace_hash_word(s.size(), h);
    std::size_t at = 0;
    if constexpr (std::endian::native == std::endian::little) {
        // The same words, a whole chunk at a time (its bytes in memory order are bits 0..63).
        if (!std::is_constant_evaluated()) {
            for (; at + 8 <= s.size(); at += 8) {
                std::uint64_t w;
                std::memcpy(&w, s.data() + at, 8);
                h = trace_hash_word(w, h);
            }
        }
    }
    for (; at < s.size(); at += 8) {
        std::uint64_t w = 0;
        for (std::size_t i = 0; i < 8 && at + i < s.size(); ++i)
            w |= std::uint64_t{static_cast<unsigned char>(s[at + i])} << (8 * i);
        h = trace_hash_word(w, h);
    }
    return h;
}

/// What of an event enters the trace hash (the header's definition), as views: the recorder
/// hashes an event from this without making a TraceEvent.
struct TraceEventView {
    TimePoint time{};
    std::uint64_t step = 0;
    TraceKind kind = TraceKind::step;
    std::uint64_t task = 0;
    std::string_view name{};
    std::string_view detail{};
    TimePoint until{};
    char choice = 0;
    std::uint64_t index = 0;
    std::uint64_t of = 0;
};

/// The trace hash `h` continued by one event.
constexpr std::uint64_t trace_hash_event(const TraceEventView& e, std::uint64_t h) noexcept {
    h = trace_hash_word(static_cast<std::uint64_t>(e.time.time_since_epoch().count()), h);
    h = trace_hash_word(e.step, h);
    h = trace_hash_word(static_cast<std::uint8_t>(e.kind), h);
    h = trace_hash_word(e.task, h);
    if (e.task != 0) h = trace_hash_string(e.name, h);
    if (e.detail.empty() && (e.kind == TraceKind::sleep || e.kind == TraceKind::timer)) {
        h = trace_hash_word(static_cast<std::uint64_t>(e.until.time_since_epoch().count()), h);
    } else if (e.detail.empty() && e.kind == TraceKind::decision && e.choice != 0) {
        h = trace_hash_word(static_cast<unsigned char>(e.choice), h);
        h = trace_hash_word(e.index, h);
        h = trace_hash_word(e.of, h);
    } else {
        h = trace_hash_string(e.detail, h);
    }
    return h;
}
constexpr std::uint64_t trace_hash_event(const TraceEvent& e, std::uint64_t h) noexcept {
    return trace_hash_event(
        TraceEventView{e.time, e.step, e.kind, e.task, e.name, e.detail, e.until, e.choice, e.index, e.of}, h);
}
/// The trace hash of a list of events (as the loop computes it while running).
std::uint64_t trace_hash(const std::vector<TraceEvent>& events);
/// "0x0123456789abcdef": how hashes are printed.
std::string format_hash(std::uint64_t h);

}  // namespace aio::sim
