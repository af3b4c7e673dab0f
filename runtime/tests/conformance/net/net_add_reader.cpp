// add_reader/add_writer on a socketpair: the reader callback runs while data is there, removal
// returns True then False, no callback after removal (the data waits in the socket), a writer
// callback, and readability at EOF.
#include <sys/socket.h>
#include <unistd.h>

#include "net_pairs.hpp"

using namespace std::chrono_literals;
using conformance::out;
using namespace conformance::net;

static std::string recv_some(int fd) {
    char buf[100];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

static void send_all(int fd, std::string_view s) { (void)::send(fd, s.data(), s.size(), MSG_NOSIGNAL); }

static aio::Coro<void> amain() {
    aio::EventLoop& loop = aio::get_running_loop();
    int sv[2];
    ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv);
    const int a = sv[0];
    const int b = sv[1];
    aio::Queue<std::string> got;

    loop.add_reader(b, [b, &got] { got.put_nowait(recv_some(b)); });
    send_all(a, "one");
    out("callback read: {}", bytes_repr(co_await got.get()));
    send_all(a, "two");
    out("callback read: {}", bytes_repr(co_await got.get()));
    out("remove_reader: {}", py(loop.remove_reader(b)));
    out("remove_reader again: {}", py(loop.remove_reader(b)));
    send_all(a, "three");
    co_await aio::sleep(100ms);
    out("no callback after removal: {}", py(got.empty()));
    out("the data waits in the socket: {}", bytes_repr(recv_some(b)));

    aio::Future<std::string> writable(loop);
    loop.add_writer(a, [writable]() mutable {
        if (!writable.done()) writable.set_result("writable");
    });
    out("writer callback: {}", co_await writable);
    out("remove_writer: {}", py(loop.remove_writer(a)));

    ::close(a);
    aio::Future<std::string> eof(loop);
    loop.add_reader(b, [b, eof]() mutable {
        if (!eof.done()) eof.set_result(recv_some(b));
    });
    out("readable at EOF, recv gives: {}", bytes_repr(co_await eof));
    loop.remove_reader(b);
    ::close(b);
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
