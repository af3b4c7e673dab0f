#pragma once
// net_parts::Connection: one simulated TCP connection between two hosts, in virtual time: two
// aio::Transport ends (asyncio's socket-transport rules, as aio::memory_pipe's transports keep
// them: aio/net/memory_transport.hpp) joined by two directional links with latency.
// The network (net-world: network.cpp) makes them and answers the questions through NetEnv.
//
//  - Directions: dir 0 carries side 0 (the client) -> side 1 (the server); dir 1 the other way.
//  - Segments: write() puts what the window allows into the link at once, cut into segments of
//    at most NetConfig::segment bytes; the rest waits in the transport's buffer
//    (get_write_buffer_size: pause_writing() above the high-water mark, so drain() waits) and
//    moves into the link on a later pass as room frees. Each segment asks
//    env.segment_latency(conn, dir) when it is sent (times the latency factor) and arrives at
//    max(the previous segment's arrival in that direction, now + latency): a direction stays in
//    order. write_eof()/close() send a FIN, abort() an RST: segments of 0 bytes after the data.
//  - Delivery: one loop timer per direction (an intrusive TimerNode, re-armed for the head
//    segment; nothing is allocated per segment). When it fires, env.before_delivery(conn, dir,
//    bytes) is asked for every segment (a FIN or RST with 0 bytes: a partition or hold must stop
//    an end of stream too): true delivers it now, false means "not now" (the env held the
//    direction, reset the connection or crashed a side; if it did none of these the segment is
//    offered again on the next pass). One segment arrives per pass, and a reading end
//    gets it as one data_received() call, so reads come back short as on a real socket.
//  - Window: per direction, the bytes in flight plus those arrived but unread (the reader paused
//    reading, or has not started yet) are at most NetConfig::window. Unread bytes reach
//    data_received() in one call when reading resumes (a recv() of everything queued). Room frees
//    when the reader reads them (no ACK latency is modelled).
//  - EOF: after all the data, the reader's eof_received() (false closes it; true: half-close).
//  - close(): sends the buffer, then connection_lost(nullptr) on a later pass and the FIN; data in
//    flight towards the closed end is dropped from then on, and the peer's writes (and its
//    buffered data) fail with BrokenPipeError ("[Errno 32] Broken pipe").
//  - abort(): drops the buffer, connection_lost(nullptr); the peer reads the data already in
//    flight, then ConnectionResetError ("[Errno 104] Connection reset by peer").
//  - reset(): both directions' data in flight and unread are dropped and every end still open
//    gets connection_lost(ConnectionResetError) on the next pass; later writes are ignored
//    (asyncio's, after a lost connection).
//  - crash_side(side): that side's host died. Its transport goes silent (no callback of its
//    protocol ever again; writes ignored, is_closing() true); the connection drops its reference
//    on the next pass, so the transport and its protocol are destroyed then unless user code
//    still holds it (they go with the last reference: a StreamWriter holds its protocol). Nothing
//    more is delivered to it; the peer reads the data already in flight to it, then
//    ConnectionResetError; until then the peer's writes are accepted and lost.
//  - hold(dir)/release(dir): a held direction delivers nothing; release re-times the waiting
//    segments from now (each arrives at max(the previous one, now + its latency)), order kept.
//  - connection_made() of both ends runs on the loop's next pass after open(), then reading
//    starts (asyncio's order): a callback the network schedules right after open() runs after
//    both (create_connection's wake-up).
//
// Ownership: the connection holds each end's transport while that end is open (the loop's
// reference of transport.hpp: until its connection_lost() has been called, or it vanished); each
// transport holds the connection. Loop callbacks that are pending hold the transport they call
// (connection_made, connection_lost); the delivery timers and read/write wake-ups are intrusive
// and removed from the loop when their owner goes. When both ends are gone (lost or vanished),
// env.on_closed(conn) is called once: the network forgets it (its registry of open connections
// by id holds a shared_ptr until then). The env must outlive every connection it has not been
// told about by on_closed() (or that it discard()ed). A loop that closes with a connection
// open: the network calls discard() (the ends vanish without callbacks, as a real loop's
// transports do when it closes), which breaks the references between the connection and its
// transports. Everything happens on the loop's thread.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "aio/clock.hpp"
#include "aio/future.hpp"
#include "aio/net/address.hpp"
#include "aio/net/detail/byte_buffer.hpp"
#include "aio/net/transport.hpp"
#include "aio/sim/net_config.hpp"
#include "aio/detail/timer_heap.hpp"

namespace aio {
class EventLoop;
}

namespace aio::sim::net_parts {

/// One end's host (the network's host index) and socket address.
struct Endpoint {
    std::uint32_t host = 0;
    SocketAddress address;
};

class Connection;
class LinkTransport;

/// What a connection asks of the network. Called on the loop's thread, from inside the
/// connection's methods (write(), a delivery): an implementation may call the connection's
/// controls (hold, reset, crash_side, set_latency_factor) from before_delivery().
class NetEnv {
public:
    virtual ~NetEnv() = default;
    /// The one-way latency of a segment of direction dir being sent now (before the latency
    /// factor). Asked once per segment, FIN and RST included.
    virtual Duration segment_latency(Connection& c, int dir) = 0;
    /// A segment of `bytes` is due (0: a FIN or RST): true delivers it; false: not now (see above).
    virtual bool before_delivery(Connection& c, int dir, std::size_t bytes) = 0;
    /// A segment entered the link / arrived (FIN and RST: 0 bytes). `flow` pairs the two:
    /// (connection id << 32) | a per-connection count (low 32 bits, wrapping).
    virtual void on_send(Connection& c, int dir, std::size_t bytes, std::uint64_t flow) = 0;
    virtual void on_deliver(Connection& c, int dir, std::size_t bytes, std::uint64_t flow) = 0;
    /// Both ends are gone: nothing more will happen on the connection. May drop the last
    /// reference the network holds.
    virtual void on_closed(Connection& c) = 0;
    /// Around each call into side's protocol (connection_made, data_received, eof_received,
    /// pause_writing, resume_writing, connection_lost), paired: the network runs it on that
    /// side's host, so tasks the protocol creates (the streams' client_connected_cb) are that
    /// host's (net-world's addition). Default: nothing.
    virtual void enter_side(Connection& c, int side) {
        (void)c;
        (void)side;
    }
    virtual void leave_side(Connection& c, int side) noexcept {
        (void)c;
        (void)side;
    }
    /// side's end is gone (its connection_lost() ran, or it vanished): a server's count of
    /// its connections (net-world's addition). Default: nothing.
    virtual void on_side_gone(Connection& c, int side) noexcept {
        (void)c;
        (void)side;
    }
};

class Connection : public std::enable_shared_from_this<Connection> {
public:
    /// A connection between client (side 0, with client_protocol) and server (side 1); both
    /// connection_made() calls run on `loop`'s next pass. ValueError for a null protocol or a
    /// config with window or segment 0; RuntimeError on a closed loop.
    static std::shared_ptr<Connection> open(EventLoop& loop, NetEnv& env, std::uint64_t id, Endpoint client,
                                            Endpoint server, std::unique_ptr<Protocol> client_protocol,
                                            std::unique_ptr<Protocol> server_protocol, const NetConfig& config);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    /// Side 0's or side 1's transport; null once it was destroyed (it lives while open).
    std::shared_ptr<Transport> transport(int side) const;
    std::uint64_t id() const noexcept { return id_; }
    NetEnv& env() const noexcept { return *env_; }
    const Endpoint& endpoint(int side) const noexcept { return endpoint_[side]; }
    /// True while side's end is open (connection_lost() not called yet, not vanished).
    bool side_open(int side) const noexcept { return !gone_[side]; }
    /// Both ends gone (on_closed() was called).
    bool closed() const noexcept { return gone_[0] && gone_[1]; }
    /// reset() was called.
    bool was_reset() const noexcept { return reset_; }

    void hold(int dir);
    void release(int dir);
    bool held(int dir) const noexcept { return dir_[dir].held; }
    void reset();
    void crash_side(int side);
    /// Segments sent from now on take `factor` times their latency (>= 1: ValueError for 0).
    void set_latency_factor(std::uint32_t factor);
    std::uint32_t latency_factor() const noexcept { return factor_; }
    /// The loop closes with the connection open: both ends vanish without callbacks, the
    /// segments go, on_closed() is not called (the network is the caller).
    void discard() noexcept;

    /// Bytes that entered direction dir's link (the writer's buffer excluded).
    std::uint64_t bytes_sent(int dir) const noexcept { return dir_[dir].sent; }
    /// Bytes that arrived at the reader's end (read or not).
    std::uint64_t bytes_delivered(int dir) const noexcept { return dir_[dir].delivered; }
    /// Bytes the reader's protocol got in data_received().
    std::uint64_t bytes_read(int dir) const noexcept { return dir_[dir].read; }
    /// Bytes in flight plus arrived and unread (what the window counts).
    std::size_t bytes_in_link(int dir) const noexcept { return dir_[dir].bytes.size(); }
    std::size_t segments_in_flight(int dir) const noexcept { return dir_[dir].segs.size(); }

    struct Private {
        explicit Private() = default;
    };
    Connection(Private, EventLoop& loop, NetEnv& env, std::uint64_t id, Endpoint client, Endpoint server,
               const NetConfig& config);

private:
    friend class LinkTransport;

    enum class Kind : std::uint8_t { data, fin, rst };
    struct Segment {
        TimePoint when;
        Duration latency;
        std::uint64_t flow;
        std::uint32_t len;
        Kind kind;
    };
    /// A growable ring of segments (power-of-two capacity): no allocation once it has grown.
    class SegmentRing {
    public:
        bool empty() const noexcept { return size_ == 0; }
        std::size_t size() const noexcept { return size_; }
        Segment& front() noexcept { return buf_[head_]; }
        Segment& operator[](std::size_t i) noexcept { return buf_[(head_ + i) & (buf_.size() - 1)]; }
        void push_back(const Segment& s);
        void pop_front() noexcept {
            head_ = (head_ + 1) & (buf_.size() - 1);
            --size_;
        }
        void clear() noexcept { head_ = size_ = 0; }

    private:
        std::vector<Segment> buf_;
        std::size_t head_ = 0, size_ = 0;
    };
    /// One direction: what the writer (side d) sent and the reader (side 1 - d) has not read.
    struct Direction {
        Connection* conn = nullptr;
        int dir = 0;
        detail::ByteBuffer bytes;  // arrived and unread (the first `unread`), then in flight
        std::size_t unread = 0;
        SegmentRing segs;     // in flight, in order
        std::string scratch;  // what one data_received() gets (capacity kept)
        TimePoint last_when = TimePoint::min();
        detail::TimerNode timer;
        std::uint64_t sent = 0, delivered = 0, read = 0;
        bool armed = false;        // the timer is in the heap, or its entry is ready
        bool held = false;         // hold()
        bool fin_sent = false;     // a FIN entered the link
        bool rst_sent = false;     // an RST entered the link
        bool fin_arrived = false;  // at the reader, after the unread bytes
        bool rst_arrived = false;
        bool reader_gone = false;  // the reading end closed: writes fail with EPIPE
        bool sink = false;         // the reading end crashed: writes vanish
    };

    static void on_timer(void* d);
    void deliver(Direction& L);
    bool loop_usable() const noexcept;
    void arm(Direction& L);
    void disarm(Direction& L) noexcept;
    void drop_link(Direction& L) noexcept;
    void add_segment(Direction& L, std::uint32_t len, Kind kind);
    /// Moves what the window allows of `data` into side's outgoing link; false: EPIPE.
    bool push(int side, std::string_view& data);
    bool window_full(int side) const noexcept;
    void send_control(int side, Kind kind);
    /// side's end is gone: its "socket" closes (FIN or RST out, incoming dropped).
    void release_side(int side, bool aborted) noexcept;
    void side_gone(int side) noexcept;
    /// The reader of L took `n` bytes: room for L's writer.
    void consumed(Direction& L, std::size_t n) noexcept;

    EventLoop* loop_;
    NetEnv* env_;
    Future<void> anchor_;  // never completed: tells whether the loop still exists
    std::uint64_t id_;
    Endpoint endpoint_[2];
    std::size_t window_;
    std::size_t segment_;
    std::uint32_t factor_ = 1;
    std::uint32_t flows_ = 0;
    bool reset_ = false;
    bool gone_[2] = {false, false};
    bool closed_reported_ = false;
    Direction dir_[2];
    LinkTransport* end_[2] = {nullptr, nullptr};  // null once destroyed
    std::shared_ptr<LinkTransport> keep_[2];      // while open
};

}  // namespace aio::sim::net_parts
