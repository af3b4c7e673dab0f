#pragma once
// aio::memory_pipe(): two connected transports on one loop, without any file descriptor: the
// streams' test bench, and a link the simulator and user tests can reuse (it runs on any loop,
// the simulator's included). It behaves as a pair of asyncio socket transports over a
// socketpair would:
//
//  - Each direction has a link of `capacity` bytes (the kernel's socket buffers). write() puts
//    what fits into the link at once and buffers the rest in the transport (get_write_buffer_size);
//    above the high-water mark the protocol's pause_writing() is called, at the low-water mark
//    resume_writing(). So a peer that does not read makes the writer's drain() wait.
//  - Bytes in a link reach the reader's data_received() on a later pass (a loop callback, as a
//    readable socket's), at most `max_read` bytes a call (asyncio's recv size, 256 KiB), again
//    on each pass while the link has data and the reader reads (level-triggered, as epoll).
//    Reading makes room: the writer's buffer moves on into the link on a later pass.
//  - write_eof() (after the buffer is sent) is the peer's EOF once it has read everything:
//    eof_received(); returning false closes the peer.
//  - close() sends the buffer, then connection_lost(nullptr) on a later pass; the peer sees EOF
//    after the data. abort() drops the buffer, connection_lost(nullptr), and the peer's next
//    read fails with ConnectionResetError ("[Errno 104] Connection reset by peer") after the
//    data already in its link, as after a TCP reset.
//  - A write (or buffered data) towards a closed peer fails with BrokenPipeError
//    ("[Errno 32] Broken pipe"), as on a socketpair: the writer's connection_lost gets it.
//  - connection_made() of both ends runs on the first pass after memory_pipe(), reading starts
//    after it (asyncio's order).
//
// Ownership: memory_pipe() returns the only references besides the loop callbacks that are
// pending for a transport (connection_made, a delivery, connection_lost). There is no loop
// registry of open transports here (the socket transport's loop keeps one): a memory transport
// whose last reference goes while it is open is closed as a dropped socket is, its peer seeing
// EOF, and its protocol is destroyed without connection_lost(). The streams hold their
// transport (StreamWriter and StreamReader both do), so this happens only when neither is left.
// Everything happens on the loop's thread.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "aio/future.hpp"
#include "aio/net/address.hpp"
#include "aio/net/transport.hpp"

namespace aio {

class EventLoop;

struct MemoryPipeOptions {
    /// Bytes one direction holds in flight (what a socket pair's kernel buffers hold). >= 1.
    std::size_t capacity = 64 * 1024;
    /// The largest chunk one data_received() gets (asyncio's _SelectorTransport.max_size). >= 1.
    std::size_t max_read = 256 * 1024;
    /// The names of the two ends: the first end's sockname() is first_address and its
    /// peername() second_address, and the other way round. Absent: get_extra_info's fallback.
    std::optional<SocketAddress> first_address = std::nullopt;
    std::optional<SocketAddress> second_address = std::nullopt;
};

namespace detail {
struct MemoryPipeState;
}

class MemoryTransport final : public Transport {
public:
    struct Private;  // only memory_pipe() makes one
    MemoryTransport(Private, std::shared_ptr<detail::MemoryPipeState> pipe, int side, std::unique_ptr<Protocol> p);
    ~MemoryTransport() override;
    MemoryTransport(const MemoryTransport&) = delete;
    MemoryTransport& operator=(const MemoryTransport&) = delete;

    void write(std::string_view data) override;
    void write_eof() override;
    bool can_write_eof() const noexcept override { return true; }
    std::size_t get_write_buffer_size() const noexcept override { return buffer_.size() - buffer_head_; }
    std::pair<std::size_t, std::size_t> get_write_buffer_limits() const noexcept override { return {low_, high_}; }
    void set_write_buffer_limits(std::optional<std::size_t> high = std::nullopt,
                                 std::optional<std::size_t> low = std::nullopt) override;

    void pause_reading() override;
    void resume_reading() override;
    bool is_reading() const noexcept override { return !closing_ && !paused_; }

    void close() override;
    void abort() override;
    bool is_closing() const noexcept override { return closing_; }

    std::optional<SocketAddress> peername() const override;
    std::optional<SocketAddress> sockname() const override;
    /// "peername", "sockname" (aio::SocketAddress, when the options named the ends); no "socket".
    std::any get_extra_info(std::string_view name, std::any fallback = {}) const override;

    Protocol& get_protocol() noexcept override { return *protocol_; }

    /// Bytes in flight towards this end (written by the peer, not yet delivered here).
    std::size_t incoming_size() const noexcept;
    /// True once connection_lost() has been called.
    bool connection_lost_called() const noexcept { return lost_; }

private:
    friend std::pair<std::shared_ptr<MemoryTransport>, std::shared_ptr<MemoryTransport>> memory_pipe(
        EventLoop&, std::unique_ptr<Protocol>, std::unique_ptr<Protocol>, MemoryPipeOptions);

    std::shared_ptr<MemoryTransport> self();
    MemoryTransport* peer() const noexcept;
    bool wants_read() const noexcept;
    void schedule_read();
    void schedule_write();
    void on_connection_made();
    void on_start_reading();
    void on_readable();
    void on_writable();
    /// Moves as much of the buffer (then of `extra`) as fits into the outgoing link; false on
    /// EPIPE (the peer is closed).
    bool push(std::string_view& data);
    void flush_buffer();
    void maybe_pause_protocol();
    void maybe_resume_protocol();
    void shutdown_write() noexcept;
    void fatal_error(std::exception_ptr e, const char* message);
    void force_close(std::exception_ptr e);
    void call_connection_lost(std::exception_ptr e);
    /// The fd's close: the peer's link ends (EOF, or a reset after abort), incoming data goes.
    void release_link() noexcept;

    std::shared_ptr<detail::MemoryPipeState> pipe_;
    int side_;  // 0 or 1: which end of pipe_
    std::unique_ptr<Protocol> protocol_;
    std::string buffer_;  // bytes written and not yet in the link, from buffer_head_
    std::size_t buffer_head_ = 0;
    std::size_t high_ = 64 * 1024;
    std::size_t low_ = 16 * 1024;
    int conn_lost_ = 0;  // asyncio's _conn_lost: >0 once connection_lost is scheduled
    bool protocol_paused_ = false;
    bool made_ = false;     // connection_made has run
    bool started_ = false;  // reading has started (after connection_made)
    bool closing_ = false;
    bool paused_ = false;
    bool eof_ = false;           // write_eof() called
    bool eof_received_ = false;  // the peer's EOF was delivered: no more reads
    bool aborted_ = false;       // abort(): the peer sees a reset
    bool released_ = false;      // release_link() done
    bool lost_ = false;
    bool read_scheduled_ = false;
    bool write_scheduled_ = false;
};

/// Two connected memory transports on `loop` (the running loop, or one about to run), owning
/// protocols a and b. Their connection_made() calls run on the loop's next pass.
std::pair<std::shared_ptr<MemoryTransport>, std::shared_ptr<MemoryTransport>> memory_pipe(
    EventLoop& loop, std::unique_ptr<Protocol> a, std::unique_ptr<Protocol> b, MemoryPipeOptions options = {});

}  // namespace aio
