// asyncio.StreamWriter (streams.py, 3.12).
#include "aio/net/stream_writer.hpp"

#include "aio/detail/task_state.hpp"
#include "aio/detail/wait_note.hpp"
#include "aio/event_loop.hpp"
#include "aio/net/address.hpp"
#include "aio/sleep.hpp"

namespace aio {

namespace {

// The coroutines take what they use by value: the transport (which owns the protocol) stays
// alive while they wait, however they are awaited.
Coro<void> drain_impl(std::shared_ptr<Transport> transport, StreamReaderProtocol* protocol,
                      std::optional<StreamReader> reader) {
    if (reader) {
        if (std::exception_ptr exc = reader->exception()) std::rethrow_exception(exc);
    }
    if (transport->is_closing()) {
        // Yield once so that connection_lost() may run: without this, write(); drain() in a
        // loop would never see that the connection was closed (3.12's comment).
        co_await sleep(std::chrono::seconds(0));
    }
    // For deadlock reports: this task writes this connection.
    const detail::WaitNote note{detail::WaitNote::Kind::drain, "drain", transport.get(), nullptr};
    detail::WaitNoteScope noted(get_running_loop().current_task_raw(), note);
    co_await protocol->drain_helper();
}

Coro<void> wait_closed_impl(std::shared_ptr<Transport> transport, Future<void> closed) {
    (void)transport;  // keeps the protocol, whose future this is, alive meanwhile
    co_await closed;
}

}  // namespace

StreamWriter::StreamWriter(std::shared_ptr<Transport> transport, StreamReaderProtocol& protocol,
                           std::optional<StreamReader> reader)
    : transport_(std::move(transport)), protocol_(&protocol), reader_(std::move(reader)) {
    if (!transport_) throw ValueError("StreamWriter needs a transport");
    if (&transport_->get_protocol() != static_cast<Protocol*>(protocol_))
        throw ValueError("StreamWriter: the protocol is not the transport's");
}

Coro<void> StreamWriter::drain() const {
    detail::touch(transport_.get());
    return drain_impl(transport_, protocol_, reader_);
}

Coro<void> StreamWriter::wait_closed() const { return wait_closed_impl(transport_, protocol_->closed()); }

std::optional<SocketAddress> StreamWriter::peername() const { return transport_->peername(); }
std::optional<SocketAddress> StreamWriter::sockname() const { return transport_->sockname(); }

}  // namespace aio
