// asyncio's FlowControlMixin and StreamReaderProtocol (streams.py, 3.12).
#include "aio/net/stream_protocol.hpp"

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "aio/event_loop.hpp"
#include "aio/net/errors.hpp"
#include "stream_context.hpp"
#include "aio/net/stream_writer.hpp"

namespace aio {

// ---- FlowControlProtocol ---------------------------------------------------------------

void FlowControlProtocol::pause_writing() { paused_ = true; }

void FlowControlProtocol::resume_writing() {
    paused_ = false;
    for (auto& w : drain_waiters_)
        if (!w.done()) w.set_result();
}

void FlowControlProtocol::connection_lost(std::exception_ptr exc) {
    connection_lost_ = true;
    // Wake the writers if they are waiting (they only wait while paused).
    if (!paused_) return;
    for (auto& w : drain_waiters_) {
        if (w.done()) continue;
        if (exc)
            w.set_exception(exc);
        else
            w.set_result();
    }
}

Coro<void> FlowControlProtocol::drain_helper() {
    if (connection_lost_)
        // Python's ConnectionResetError('Connection lost'): no errno in its str().
        throw ConnectionResetError(std::error_code(ECONNRESET, std::generic_category()), "drain", "Connection lost");
    if (!paused_) co_return;
    Future<void> waiter(*loop_);
    drain_waiters_.push_back(waiter);
    // asyncio's `finally: self._drain_waiters.remove(waiter)`: also when cancelled.
    struct Remove {
        std::vector<Future<void>>& list;
        detail::FutureBase* mine;
        ~Remove() {
            auto it = std::find_if(list.begin(), list.end(), [&](const Future<void>& f) { return f.state() == mine; });
            if (it != list.end()) list.erase(it);
        }
    } remove{drain_waiters_, waiter.state()};
    co_await waiter;
}

// ---- StreamReaderProtocol --------------------------------------------------------------

namespace {

// The client callback's task body. It holds the callback (a lambda with captures is safe: its
// object lives as long as this frame) and awaits the coroutine in one expression.
Coro<void> run_client(std::shared_ptr<const ClientConnected> cb, StreamReader reader, StreamWriter writer) {
    co_await (*cb)(std::move(reader), std::move(writer));
}

}  // namespace

StreamReaderProtocol::StreamReaderProtocol(EventLoop& loop, StreamReader reader)
    : FlowControlProtocol(loop), reader_(reader.s_), closed_(loop) {}

StreamReaderProtocol::StreamReaderProtocol(EventLoop& loop, StreamReader reader,
                                           std::shared_ptr<const ClientConnected> cb)
    : FlowControlProtocol(loop),
      reader_(reader.s_),
      strong_reader_(reader.s_),  // nobody else holds a server's reader until the callback does
      client_connected_(std::move(cb)),
      closed_(loop) {
    if (!client_connected_ || !*client_connected_) throw ValueError("StreamReaderProtocol: empty client callback");
}

StreamReaderProtocol::~StreamReaderProtocol() {
    // As asyncio's __del__: an error nobody waited for with wait_closed() is not reported.
    if (closed_.done() && !closed_.cancelled()) (void)closed_.exception();
}

std::optional<StreamReader> StreamReaderProtocol::reader() const {
    if (auto s = reader_.lock()) return StreamReader(std::move(s));
    return std::nullopt;
}

void StreamReaderProtocol::connection_made(Transport& transport) {
    std::optional<StreamReader> r = reader();
    if (r) r->set_transport(transport.shared_from_this());
    if (!client_connected_) return;
    StreamWriter writer(transport.shared_from_this(), *this, r);
    EventLoop& loop = get_loop();
    task_ = loop.create_task(run_client(client_connected_, *r, std::move(writer)));
    std::weak_ptr<Transport> weak = transport.shared_from_this();
    task_.add_done_callback([weak](AnyTask task) {
        if (task.cancelled()) return;  // (asyncio's task.exception() would raise CancelledError here)
        // Killed with its host (the simulator's crash): a dead process reports nothing.
        if (task.killed()) return;
        std::exception_ptr exc = task.exception();
        if (!exc) return;
        task.get_loop().call_exception_handler(
            detail::error_context("Unhandled exception in client_connected_cb", exc));
        if (auto t = weak.lock()) t->close();
    });
    strong_reader_.reset();
}

void StreamReaderProtocol::data_received(std::string_view data) {
    if (auto r = reader()) r->feed_data(data);
}

bool StreamReaderProtocol::eof_received() {
    if (auto r = reader()) r->feed_eof();
    return true;
}

void StreamReaderProtocol::connection_lost(std::exception_ptr exc) {
    if (auto r = reader()) {
        if (exc)
            r->set_exception(exc);
        else
            r->feed_eof();
    }
    if (!closed_.done()) {
        if (exc)
            closed_.set_exception(exc);
        else
            closed_.set_result();
    }
    FlowControlProtocol::connection_lost(exc);
    reader_.reset();
    strong_reader_.reset();
    task_ = {};
}

}  // namespace aio
