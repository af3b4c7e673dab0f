#pragma once
// detail::SocketTransport: the real loop's stream transport over a connected non-blocking
// socket, asyncio's _SelectorSocketTransport on epoll.
//
//  - Reading: a read watch while reading (not paused, not closing); one recv(2) of up to
//    64 KiB per readiness (asyncio's max_size is 256 KiB: see max_read), handed to data_received() from a buffer
//    shared by the thread's transports (the data is valid only during the call). recv() of 0
//    is EOF: eof_received() decides between half-close (the read watch goes) and close().
//  - Writing: write() sends at once what the kernel takes; the rest is buffered, a write watch
//    sends it with sendmsg(2) (many buffered pieces per call, as 3.12's _write_sendmsg), with
//    asyncio's water marks and pause_writing()/resume_writing(). MSG_NOSIGNAL everywhere: a
//    peer that went away is an error (BrokenPipeError, ConnectionResetError), never SIGPIPE.
//  - write_eof(): shutdown(SHUT_WR) once the buffer is empty.
//  - close(): stops reading, sends the buffer, then connection_lost(nullptr) on a later pass;
//    abort() and errors drop the buffer; connection_lost() is called once, last, then the
//    socket closes and the loop drops its reference (EventLoop::detach_transport).
//
// The watches are the fd driver's own (no add_reader node, no std::function per readiness):
// their entries point at the transport, which stays alive while they exist, since the loop's
// reference goes only after both are removed. Read and write entries have different
// arguments (this, &write_tag_) so removing one from the ready queue keeps the other.
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "aio/event_loop.hpp"
#include "aio/net/address.hpp"
#include "aio/net/socket.hpp"
#include "aio/net/transport.hpp"

namespace aio::detail {

class ServerCore;

class SocketTransport final : public Transport {
public:
    /// Transport's own enable_shared_from_this, typed (a second enable_shared_from_this base
    /// would leave both unset: make_shared cannot pick one).
    std::shared_ptr<SocketTransport> shared_from_this() {
        return std::static_pointer_cast<SocketTransport>(Transport::shared_from_this());
    }
    /// Makes the transport over `sock` (connected), registers it with the loop and schedules,
    /// in asyncio's order, connection_made(), the start of reading, then `on_made` (the
    /// waiter of create_connection). `server` (may be null) counts the connection until
    /// connection_lost(). `peer`: the address accept(2) gave (else getpeername).
    static std::shared_ptr<SocketTransport> start(EventLoop& loop, Socket sock, std::unique_ptr<Protocol> protocol,
                                                  std::shared_ptr<ServerCore> server, std::optional<SocketAddress> peer,
                                                  std::function<void()> on_made);
    SocketTransport(EventLoop& loop, Socket sock, std::unique_ptr<Protocol> protocol,
                    std::shared_ptr<ServerCore> server, std::optional<SocketAddress> peer);
    ~SocketTransport() override;

    void write(std::string_view data) override;
    void writelines(std::span<const std::string_view> parts) override;
    void write_eof() override;
    bool can_write_eof() const noexcept override { return true; }
    std::size_t get_write_buffer_size() const noexcept override { return buffered_; }
    std::pair<std::size_t, std::size_t> get_write_buffer_limits() const noexcept override { return {low_, high_}; }
    void set_write_buffer_limits(std::optional<std::size_t> high = std::nullopt,
                                 std::optional<std::size_t> low = std::nullopt) override;

    void pause_reading() override;
    void resume_reading() override;
    bool is_reading() const noexcept override { return !closing_ && !paused_; }

    void close() override;
    void abort() override { force_close(nullptr); }
    bool is_closing() const noexcept override { return closing_; }

    std::optional<SocketAddress> peername() const override { return peer_; }
    std::optional<SocketAddress> sockname() const override { return local_; }
    std::any get_extra_info(std::string_view name, std::any fallback = {}) const override;
    Protocol& get_protocol() noexcept override { return *protocol_; }

    int fd() const noexcept { return fd_; }
    /// The loop closes with the connection open: stop watching and close the socket, without
    /// connection_lost() (the protocol's loop is gone), as a collected asyncio transport.
    void loop_closed() noexcept;

private:
    static void on_readable(void* self);
    static void on_writable(void* self);
    void read_ready();
    void write_ready();
    void on_eof();
    void close_internal();
    void force_close(std::exception_ptr exc);
    void fatal_error(std::exception_ptr exc, const char* message);
    void call_connection_lost(std::exception_ptr exc);
    void schedule_connection_lost(std::exception_ptr exc);
    void watch_read();
    void unwatch_read() noexcept;
    void watch_write();
    void unwatch_write() noexcept;
    // Sends from the buffer; false when the transport failed (fatal_error ran).
    bool flush_some();
    void consume(std::size_t n) noexcept;
    void append(std::string_view data);
    void maybe_pause_protocol();
    void maybe_resume_protocol();
    void check_writable(const char* what) const;

    EventLoop* loop_;
    seam::FdDriver* driver_;
    Socket sock_;
    int fd_;
    std::unique_ptr<Protocol> protocol_;
    std::shared_ptr<ServerCore> server_;
    std::optional<SocketAddress> peer_;
    std::optional<SocketAddress> local_;

    std::deque<std::string> buffer_;  // unsent pieces; the front's first head_ bytes are sent
    std::size_t head_ = 0;
    std::size_t buffered_ = 0;
    std::size_t high_ = std::size_t{64} * 1024;
    std::size_t low_ = std::size_t{16} * 1024;

    unsigned conn_lost_ = 0;        // connection_lost() scheduled (counts ignored writes after)
    bool closing_ = false;          // close(), an EOF that closes, abort() or an error
    bool user_closed_ = false;      // close() by the user: later writes are RuntimeError
    bool paused_ = false;           // pause_reading()
    bool eof_ = false;              // write_eof()
    bool eof_received_ = false;     // recv() said 0: reading never resumes
    bool protocol_paused_ = false;  // pause_writing() called, resume_writing() not yet
    bool reading_ = false;          // the read watch exists
    bool writing_ = false;          // the write watch exists
    struct WriteTag {
        SocketTransport* self;
    } write_tag_{this};  // the write entry's argument
};

}  // namespace aio::detail
