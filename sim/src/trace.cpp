// Trace formatting: the canonical text form, its hash, and Chrome trace-event JSON.
#include "aio/sim/trace.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace aio::sim {

std::string_view trace_kind_name(TraceKind k) noexcept {
    switch (k) {
    case TraceKind::created: return "created";
    case TraceKind::step: return "step";
    case TraceKind::sleep: return "sleep";
    case TraceKind::timer: return "timer";
    case TraceKind::fired: return "fired";
    case TraceKind::cancel: return "cancel";
    case TraceKind::cancelled: return "cancelled";
    case TraceKind::raised: return "raised";
    case TraceKind::done: return "done";
    case TraceKind::decision: return "decision";
    case TraceKind::thread_submit: return "thread-submit";
    case TraceKind::thread_done: return "thread-done";
    case TraceKind::span: return "span";
    case TraceKind::span_end: return "span-end";
    case TraceKind::net_connect: return "net-connect";
    case TraceKind::net_accept: return "net-accept";
    case TraceKind::net_refused: return "net-refused";
    case TraceKind::net_send: return "net-send";
    case TraceKind::net_deliver: return "net-deliver";
    case TraceKind::net_reset: return "net-reset";
    case TraceKind::net_close: return "net-close";
    case TraceKind::partition: return "partition";
    case TraceKind::repair: return "repair";
    case TraceKind::crash: return "crash";
    case TraceKind::restart: return "restart";
    case TraceKind::fault: return "fault";
    }
    return "unknown";
}

namespace {

// JSON string escaping (also used for names in the text form). UTF-8 passes through.
void append_escaped(std::string& out, std::string_view s, bool quotes = true) {
    // The common case whole: nothing to escape.
    const bool plain = std::none_of(s.begin(), s.end(), [quotes](char ch) {
        auto c = static_cast<unsigned char>(ch);
        return c < 0x20 || c == '\\' || (quotes && c == '"');
    });
    if (plain) {
        out += s;
        return;
    }
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"':
            if (quotes)
                out += "\\\"";
            else
                out += ch;
            break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20)
                fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
            else
                out += ch;
        }
    }
}

void append_time(std::string& out, std::int64_t ns) {
    // The magnitude as unsigned: -ns overflows for TimePoint::min() (a call_later(Duration::min())).
    std::uint64_t mag = static_cast<std::uint64_t>(ns);
    if (ns < 0) {
        out += '-';
        mag = 0 - mag;
    }
    fmt::format_to(std::back_inserter(out), "{}.{:09}", mag / 1'000'000'000, mag % 1'000'000'000);
}

// Virtual microseconds with nanosecond digits, the unit of the Chrome format.
void append_us(std::string& out, std::int64_t ns) {
    if (ns < 0) ns = 0;
    fmt::format_to(std::back_inserter(out), "{}.{:03}", ns / 1000, ns % 1000);
}

// The event's detail as the text form shows it, after `sep` (nothing when it has none): its
// detail string, or the one its fields give (a sleep's deadline, a decision).
void append_detail(std::string& out, const TraceEvent& e, std::string_view sep) {
    if (!e.detail.empty()) {
        out += sep;
        out += e.detail;
    } else if (e.kind == TraceKind::sleep || e.kind == TraceKind::timer) {
        out += sep;
        out += "until=";
        append_time(out, e.until.time_since_epoch().count());
    } else if (e.kind == TraceKind::decision && e.choice != 0) {
        out += sep;
        fmt::format_to(std::back_inserter(out), "{}{} of {}", e.choice, e.index, e.of);
    }
}

}  // namespace

std::string escape_text(std::string_view s, bool quotes) {
    std::string out;
    append_escaped(out, s, quotes);
    return out;
}

std::string format_time(TimePoint t) {
    std::string s;
    append_time(s, t.time_since_epoch().count());
    return s;
}

void append_trace_line(std::string& out, const TraceEvent& e) {
    append_time(out, e.time.time_since_epoch().count());
    fmt::format_to(std::back_inserter(out), " {} {}", e.step, trace_kind_name(e.kind));
    if (e.task != 0) {
        fmt::format_to(std::back_inserter(out), " #{} \"", e.task);
        append_escaped(out, e.name);
        out += '"';
    }
    append_detail(out, e, " ");
}

std::string format_trace_line(const TraceEvent& e) {
    std::string s;
    append_trace_line(s, e);
    return s;
}

std::string format_trace(const std::vector<TraceEvent>& events) {
    std::string s;
    for (const auto& e : events) {
        append_trace_line(s, e);
        s += '\n';
    }
    return s;
}

std::uint64_t trace_hash(const std::vector<TraceEvent>& events) {
    std::uint64_t h = fnv1a64_offset;
    for (const auto& e : events) h = trace_hash_event(e, h);
    return h;
}

std::string format_hash(std::uint64_t h) { return fmt::format("0x{:016x}", h); }

namespace {

// Where the Chrome trace puts things. Without network events: one process (pid 1) holding the
// loop's track (tid 0) and one track per task (tid = task id), as traces always were. With
// them: one process per host (pid = host index + 1, named after the host), each task a thread
// in its host's process, each host's events that belong to no task on that host's "network"
// thread, and the loop's track in a process of its own after the hosts.
struct Layout {
    bool hosts = false;
    std::uint32_t host_count = 1;
    std::uint64_t net_tid_base = 0;  // host h's network thread: net_tid_base + h
    std::map<std::uint64_t, std::uint32_t> task_host;
    std::map<std::uint32_t, std::string> host_names;

    std::uint64_t loop_pid() const noexcept { return hosts ? std::uint64_t{host_count} + 1 : 1; }
    std::uint64_t host_pid(std::uint32_t h) const noexcept { return hosts ? std::uint64_t{h} + 1 : 1; }
    std::uint32_t host_of(std::uint64_t task) const {
        auto it = task_host.find(task);
        return it == task_host.end() ? 0 : it->second;
    }
    std::uint64_t task_pid(std::uint64_t task) const { return task == 0 ? loop_pid() : host_pid(host_of(task)); }
    std::uint64_t net_tid(std::uint32_t h) const noexcept { return net_tid_base + h; }
    // Where an event goes: a task's events on its track; a network event of no task on its
    // host's network thread; anything else of no task on the loop's track.
    std::pair<std::uint64_t, std::uint64_t> place(const TraceEvent& e) const {
        if (e.task != 0) return {task_pid(e.task), e.task};
        if (hosts && is_net_event(e.kind)) return {host_pid(e.host), net_tid(e.host)};
        return {loop_pid(), 0};
    }
};

// "host=NAME ..." at the start of a network event's detail: NAME.
std::string_view host_name_in(std::string_view detail) {
    constexpr std::string_view key = "host=";
    if (!detail.starts_with(key)) return {};
    detail.remove_prefix(key.size());
    return detail.substr(0, detail.find(' '));
}

Layout layout_of(const std::vector<TraceEvent>& events) {
    Layout l;
    std::uint64_t max_task = 0;
    for (const auto& e : events) {
        max_task = std::max(max_task, e.task);
        if (!is_net_event(e.kind) && e.host == 0) continue;
        l.hosts = l.hosts || is_net_event(e.kind);
        l.host_count = std::max(l.host_count, e.host + 1);
        if (e.task != 0) l.task_host.emplace(e.task, e.host);  // its first: a task never moves
        if (is_net_event(e.kind))
            if (auto n = host_name_in(e.detail); !n.empty()) l.host_names.emplace(e.host, std::string(n));
    }
    if (!l.hosts) l.task_host.clear();  // no network: every task in the one process
    l.net_tid_base = max_task + 1;
    return l;
}

std::string_view net_instant_scope(TraceKind k) noexcept {
    switch (k) {
    case TraceKind::partition:
    case TraceKind::repair:
    case TraceKind::crash:
    case TraceKind::restart: return "p";  // the whole host's process
    default: return "t";
    }
}

}  // namespace

std::string chrome_trace_json(const std::vector<TraceEvent>& events) {
    const Layout lay = layout_of(events);
    std::string out = "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n";
    bool first = true;
    auto begin_at = [&](std::string_view ph, std::uint64_t pid, std::uint64_t tid) {
        if (!first) out += ",\n";
        first = false;
        fmt::format_to(std::back_inserter(out), "{{\"pid\":{},\"tid\":{},\"ph\":\"{}\"", pid, tid, ph);
    };
    auto begin = [&](std::string_view ph, std::uint64_t tid) {
        begin_at(ph, tid == 0 ? lay.loop_pid() : lay.task_pid(tid), tid);
    };
    auto str_field = [&](std::string_view key, std::string_view v) {
        fmt::format_to(std::back_inserter(out), ",\"{}\":\"", key);
        append_escaped(out, v);
        out += '"';
    };
    auto ts_field = [&](std::string_view key, std::int64_t ns) {
        fmt::format_to(std::back_inserter(out), ",\"{}\":", key);
        append_us(out, ns);
    };

    // Per task: its name, creation and end, for the metadata and the lifetime slice.
    struct Life {
        std::string name;
        std::int64_t start = -1, end = -1;
        std::string outcome = "pending";
    };
    std::map<std::uint64_t, Life> tasks;  // ordered by id: deterministic output
    std::int64_t last = 0;
    for (const auto& e : events) {
        const std::int64_t t = e.time.time_since_epoch().count();
        last = std::max(last, t);
        if (e.task == 0) continue;
        Life& l = tasks[e.task];
        l.name = e.name;
        if (l.start < 0) l.start = t;
        if (e.kind == TraceKind::cancelled || e.kind == TraceKind::raised || e.kind == TraceKind::done) {
            l.end = t;
            l.outcome = std::string(trace_kind_name(e.kind));
        }
    }

    begin_at("M", lay.loop_pid(), 0);
    out += ",\"name\":\"process_name\",\"args\":{\"name\":\"aiosim\"}}";
    begin_at("M", lay.loop_pid(), 0);
    out += ",\"name\":\"thread_name\",\"args\":{\"name\":\"loop\"}}";
    if (lay.hosts) {
        // The loop's process first, then the hosts in index order.
        begin_at("M", lay.loop_pid(), 0);
        out += ",\"name\":\"process_sort_index\",\"args\":{\"sort_index\":0}}";
        for (std::uint32_t h = 0; h < lay.host_count; ++h) {
            auto it = lay.host_names.find(h);
            const std::string name = it != lay.host_names.end() ? it->second
                                     : h == 0                   ? std::string("main")
                                                                : fmt::format("host {}", h);
            begin_at("M", lay.host_pid(h), lay.net_tid(h));
            out += ",\"name\":\"process_name\",\"args\":{\"name\":\"";
            append_escaped(out, name);
            out += "\"}}";
            begin_at("M", lay.host_pid(h), lay.net_tid(h));
            fmt::format_to(std::back_inserter(out), ",\"name\":\"process_sort_index\",\"args\":{{\"sort_index\":{}}}}}",
                           h + 1);
            begin_at("M", lay.host_pid(h), lay.net_tid(h));
            out += ",\"name\":\"thread_name\",\"args\":{\"name\":\"network\"}}";
            begin_at("M", lay.host_pid(h), lay.net_tid(h));
            out += ",\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":0}}";
        }
    }
    for (const auto& [id, l] : tasks) {
        begin("M", id);
        out += ",\"name\":\"thread_name\",\"args\":{\"name\":\"";
        append_escaped(out, fmt::format("#{} {}", id, l.name));
        out += "\"}}";
        begin("M", id);
        fmt::format_to(std::back_inserter(out), ",\"name\":\"thread_sort_index\",\"args\":{{\"sort_index\":{}}}}}", id);
        begin("X", id);
        str_field("name", l.name);
        ts_field("ts", l.start);
        ts_field("dur", (l.end >= 0 ? l.end : last) - l.start);
        fmt::format_to(std::back_inserter(out), ",\"args\":{{\"outcome\":\"{}\"}}}}", l.outcome);
    }

    // A sleep lasts until the task's next step (its wake-up, or its cancellation).
    std::map<std::uint64_t, std::pair<std::int64_t, std::int64_t>> sleeping;  // task -> (start, until)
    auto close_sleep = [&](std::uint64_t task, std::int64_t end) {
        auto it = sleeping.find(task);
        if (it == sleeping.end()) return;
        begin("X", task);
        str_field("name", "sleep");
        ts_field("ts", it->second.first);
        ts_field("dur", std::max<std::int64_t>(0, end - it->second.first));
        out += ",\"args\":{\"until\":\"";
        append_time(out, it->second.second);
        out += "\"}}";
        sleeping.erase(it);
    };
    // A span is a slice from its span event to its span-end (or the trace's end), nested in
    // the task's lifetime; its detail is the quoted label, shown unquoted as the slice's name.
    std::map<std::uint64_t, std::vector<std::pair<std::string, std::int64_t>>> spans;  // task -> open (label, start)
    auto unquoted = [](std::string_view d) {
        return d.size() >= 2 && d.front() == '"' && d.back() == '"' ? d.substr(1, d.size() - 2) : d;
    };
    auto close_span = [&](std::uint64_t task, std::int64_t end) {
        auto& open = spans[task];
        if (open.empty()) return;
        begin("X", task);
        out += ",\"name\":\"";
        out += open.back().first;  // already JSON-escaped: the text form's escapes are JSON's
        out += '"';
        ts_field("ts", open.back().second);
        ts_field("dur", std::max<std::int64_t>(0, end - open.back().second));
        out += ",\"args\":{\"span\":true}}";
        open.pop_back();
    };
    auto args = [&](const TraceEvent& e) {
        out += ",\"args\":{";
        fmt::format_to(std::back_inserter(out), "\"step\":{}", e.step);
        std::string detail;
        append_detail(detail, e, "");
        if (!detail.empty()) str_field("detail", detail);
        out += "}}";
    };
    // A segment's send and delivery are short slices (a flow binds to a slice) joined by a flow
    // arrow: "s" at the send, "f" bound to the enclosing slice ("bp":"e") at the delivery.
    auto net_slice = [&](const TraceEvent& e, std::int64_t t) {
        const auto [pid, tid] = lay.place(e);
        begin_at("X", pid, tid);
        str_field("name", trace_kind_name(e.kind));
        out += ",\"cat\":\"net\"";
        ts_field("ts", t);
        out += ",\"dur\":0.001";
        args(e);
        if (e.flow == 0) return;
        begin_at(e.kind == TraceKind::net_send ? "s" : "f", pid, tid);
        fmt::format_to(std::back_inserter(out), ",\"name\":\"segment\",\"cat\":\"net\",\"id\":{}", e.flow);
        ts_field("ts", t);
        out += e.kind == TraceKind::net_send ? "}" : ",\"bp\":\"e\"}";
    };
    for (const auto& e : events) {
        const std::int64_t t = e.time.time_since_epoch().count();
        switch (e.kind) {
        case TraceKind::span: spans[e.task].emplace_back(std::string(unquoted(e.detail)), t); continue;
        case TraceKind::span_end: close_span(e.task, t); continue;
        case TraceKind::sleep:
            close_sleep(e.task, t);
            sleeping[e.task] = {t, e.until.time_since_epoch().count()};
            continue;
        case TraceKind::step:
        case TraceKind::cancelled:
        case TraceKind::raised:
        case TraceKind::done: close_sleep(e.task, t); break;
        case TraceKind::created:
        case TraceKind::fired: continue;  // the lifetime slice and the next step show them
        case TraceKind::net_send:
        case TraceKind::net_deliver: net_slice(e, t); continue;
        default: break;
        }
        const auto [pid, tid] = lay.place(e);
        begin_at("i", pid, tid);
        str_field("name", trace_kind_name(e.kind));
        if (is_net_event(e.kind)) out += ",\"cat\":\"net\"";
        ts_field("ts", t);
        fmt::format_to(std::back_inserter(out), ",\"s\":\"{}\"",
                       is_net_event(e.kind) ? net_instant_scope(e.kind) : "t");
        args(e);
    }
    while (!sleeping.empty()) close_sleep(sleeping.begin()->first, last);
    for (auto& [task, open] : spans)
        while (!open.empty()) close_span(task, last);
    out += "\n]}\n";
    return out;
}

}  // namespace aio::sim
