// Cancellation leaves nothing behind: a cancelled sock_recv leaves no reader (the next
// sock_recv works), and a cancelled open_connection to a listener that never answers leaves no
// file descriptor.
#include <sys/socket.h>
#include <unistd.h>

#include "net_pairs.hpp"

using namespace std::chrono_literals;
using conformance::out;
using namespace conformance::net;

static aio::Coro<std::string> recv_of(int fd, std::size_t n) {
    co_return co_await aio::get_running_loop().sock_recv(fd, n);
}

static aio::Coro<void> connect_to(std::uint16_t port) { co_await aio::open_connection("127.0.0.1", port); }

static aio::Coro<void> amain() {
    aio::EventLoop& loop = aio::get_running_loop();
    int sv[2];
    ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv);
    auto t = aio::create_task(recv_of(sv[1], 100));
    co_await aio::sleep(100ms);
    t.cancel();
    try {
        co_await t;
    } catch (const aio::CancelledError&) {
        out("sock_recv cancelled");
    }
    out("no reader left: {}", py(!loop.remove_reader(sv[1])));
    const std::string_view late = "after the cancel";
    (void)::send(sv[0], late.data(), late.size(), MSG_NOSIGNAL);
    out("next sock_recv: {}", bytes_repr(co_await loop.sock_recv(sv[1], 100)));

    // A cancelled connect to a listener that never answers leaves no socket behind.
    FullListener full;
    co_await aio::sleep(100ms);
    const std::size_t before = fd_count();
    auto c = aio::create_task(connect_to(full.listener.port()));
    co_await aio::sleep(200ms);
    out("connect still waiting: {}", py(!c.done()));
    c.cancel();
    try {
        co_await c;
    } catch (const aio::CancelledError&) {
        out("open_connection cancelled");
    }
    co_await aio::sleep(0s);
    out("file descriptors left behind: {}", static_cast<long>(fd_count()) - static_cast<long>(before));
    ::close(sv[0]);
    ::close(sv[1]);
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
