#pragma once
// aio::StreamWriter: asyncio.StreamWriter (streams.py, 3.12), the writing side of a connection:
// the transport's write calls plus drain() (flow control) and wait_closed().
//
//     writer.write("ping\n");
//     co_await writer.drain();        // waits while the transport's buffer is above its high mark
//     writer.close();
//     co_await writer.wait_closed();  // until connection_lost; raises the connection's error
//
// drain() as 3.12's: raises the reader's exception if it has one (a reset connection), yields
// once to the loop if the transport is closing (so that connection_lost can run and the next
// drain sees it), then ConnectionResetError("Connection lost") once the connection is lost, or
// waits while writing is paused.
//
// A StreamWriter is a copyable handle: copies share the transport (which they keep alive) and
// its protocol. Its coroutines hold what they use, so drain() may be wrapped in a task directly.
#include <any>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "aio/coro.hpp"
#include "aio/detail/access_observer.hpp"
#include "aio/net/stream_protocol.hpp"
#include "aio/net/stream_reader.hpp"
#include "aio/net/transport.hpp"

namespace aio {

class SocketAddress;

class StreamWriter {
public:
    /// asyncio's StreamWriter(transport, protocol, reader, loop); `protocol` must be the
    /// transport's (its get_protocol()).
    StreamWriter(std::shared_ptr<Transport> transport, StreamReaderProtocol& protocol,
                 std::optional<StreamReader> reader);

    void write(std::string_view data) {
        detail::touch(transport_.get());
        transport_->write(data);
    }
    void writelines(std::span<const std::string_view> data) {
        detail::touch(transport_.get());
        transport_->writelines(data);
    }
    void writelines(std::initializer_list<std::string_view> data) {
        transport_->writelines(std::span<const std::string_view>(data.begin(), data.size()));
    }
    void write_eof() {
        detail::touch(transport_.get());
        transport_->write_eof();
    }
    bool can_write_eof() const noexcept { return transport_->can_write_eof(); }
    void close() { transport_->close(); }
    bool is_closing() const noexcept { return transport_->is_closing(); }

    /// Flow control: see the header comment.
    Coro<void> drain() const;
    /// Until the connection is lost; its error, if any, is raised.
    Coro<void> wait_closed() const;

    std::any get_extra_info(std::string_view name, std::any fallback = {}) const {
        return transport_->get_extra_info(name, std::move(fallback));
    }
    std::optional<SocketAddress> peername() const;
    std::optional<SocketAddress> sockname() const;

    Transport& transport() const noexcept { return *transport_; }
    StreamReaderProtocol& protocol() const noexcept { return *protocol_; }
    const std::optional<StreamReader>& reader() const noexcept { return reader_; }

private:
    std::shared_ptr<Transport> transport_;
    StreamReaderProtocol* protocol_;  // owned by transport_
    std::optional<StreamReader> reader_;
};

}  // namespace aio
