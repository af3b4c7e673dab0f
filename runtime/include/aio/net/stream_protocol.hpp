#pragma once
// aio::StreamReaderProtocol: asyncio.StreamReaderProtocol (streams.py, 3.12), the protocol that
// turns a transport's events into a StreamReader's data and a StreamWriter's flow control;
// aio::FlowControlProtocol: asyncio's FlowControlMixin, what StreamWriter::drain() waits on.
//
// open_connection() gives the protocol its reader; start_server()'s protocols each make a
// StreamWriter in connection_made() and run the client callback as a task with (reader, writer).
// A client callback that ends with an exception is reported to the loop's exception handler
// ("Unhandled exception in client_connected_cb") and its transport is closed.
//
// Ownership: the transport owns the protocol; the protocol holds its reader weakly (as asyncio's
// weakref), the reader and the writer hold the transport: no cycle.
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "aio/coro.hpp"
#include "aio/future.hpp"
#include "aio/task.hpp"
#include "aio/net/stream_reader.hpp"
#include "aio/net/transport.hpp"

namespace aio {

class EventLoop;
class StreamWriter;

/// What start_server() calls for each client, as a task of its own.
using ClientConnected = std::function<Coro<void>(StreamReader, StreamWriter)>;

/// asyncio's FlowControlMixin: pause_writing()/resume_writing() gate drain(); connection_lost()
/// wakes the drains waiting (with its error, if any). A subclass that overrides these calls them.
class FlowControlProtocol : public Protocol {
public:
    explicit FlowControlProtocol(EventLoop& loop) noexcept : loop_(&loop) {}

    void pause_writing() override;
    void resume_writing() override;
    void connection_lost(std::exception_ptr exc) override;

    /// asyncio's _drain_helper(): ConnectionResetError("Connection lost") once the connection
    /// is lost; else waits while writing is paused. The caller keeps the transport (which owns
    /// this protocol) alive while it waits: StreamWriter::drain() does.
    Coro<void> drain_helper();

    bool writing_paused() const noexcept { return paused_; }
    bool is_connection_lost() const noexcept { return connection_lost_; }
    /// The drain() calls waiting now.
    std::size_t drain_waiters() const noexcept { return drain_waiters_.size(); }
    EventLoop& get_loop() const noexcept { return *loop_; }

private:
    EventLoop* loop_;
    bool paused_ = false;
    bool connection_lost_ = false;
    std::vector<Future<void>> drain_waiters_;
};

class StreamReaderProtocol final : public FlowControlProtocol {
public:
    /// A client's protocol (open_connection): feeds `reader`.
    StreamReaderProtocol(EventLoop& loop, StreamReader reader);
    /// A server's protocol (start_server): on connection_made, runs cb(reader, writer) as a task.
    StreamReaderProtocol(EventLoop& loop, StreamReader reader, std::shared_ptr<const ClientConnected> cb);
    ~StreamReaderProtocol() override;

    void connection_made(Transport& transport) override;
    void data_received(std::string_view data) override;
    /// Feeds EOF to the reader and keeps the transport open: the writer may still write.
    bool eof_received() override;
    void connection_lost(std::exception_ptr exc) override;

    /// asyncio's _get_close_waiter(): done when the connection is lost, failed with its error.
    const Future<void>& closed() const noexcept { return closed_; }
    /// The reader while a handle to it is left and the connection is not lost.
    std::optional<StreamReader> reader() const;
    /// The client callback's task (servers only), from connection_made until connection_lost
    /// (asyncio's _task); an empty handle otherwise.
    const Task<void>& client_task() const noexcept { return task_; }

private:
    std::weak_ptr<detail::StreamReaderState> reader_;
    std::shared_ptr<detail::StreamReaderState> strong_reader_;  // a server's, until connection_made
    std::shared_ptr<const ClientConnected> client_connected_;
    Task<void> task_;
    Future<void> closed_;
};

}  // namespace aio
