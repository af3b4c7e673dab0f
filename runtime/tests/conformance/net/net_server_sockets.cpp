// Server.sockets(): one IPv4 socket for 127.0.0.1, none after close; host "" (Python's None,
// every interface) binds one socket per address family; reuse_port lets two servers share a
// port, which without it is EADDRINUSE.
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "net_pairs.hpp"

using conformance::out;
using namespace conformance::net;

static std::string family_name(int family) {
    return family == AF_INET ? "AF_INET" : family == AF_INET6 ? "AF_INET6" : std::to_string(family);
}

static aio::Coro<void> close_at_once(aio::StreamReader, aio::StreamWriter writer) {
    writer.close();
    co_return;
}

static aio::Coro<void> amain() {
    aio::EventLoop& loop = aio::get_running_loop();
    aio::Server server = co_await aio::start_server(close_at_once, "127.0.0.1", 0);
    auto socks = server.sockets();
    out("sockets: {} {} {}", socks.size(), family_name(socks.at(0).family()), socks.at(0).host());
    out("get_loop is the running loop: {}", py(&server.get_loop() == &loop));
    server.close();
    co_await server.wait_closed();
    out("sockets after close: {}", server.sockets().empty() ? "()" : "not empty");

    // host "" (all interfaces) binds every address family the machine has.
    server = co_await aio::start_server(close_at_once, "", 0);
    socks = server.sockets();
    std::sort(socks.begin(), socks.end(), [](const auto& a, const auto& b) { return a.family() < b.family(); });
    std::vector<std::string> families;
    std::vector<std::string> hosts;
    for (const auto& s : socks) {
        families.push_back(family_name(s.family()));
        hosts.push_back(s.host());
    }
    std::vector<std::string> sorted_families = families;
    std::sort(sorted_families.begin(), sorted_families.end());
    out("all interfaces: {} {}", str_list(sorted_families), str_list(hosts));
    server.close();
    co_await server.wait_closed();

    // Two servers on one port with SO_REUSEPORT.
    aio::Server a = co_await aio::start_server(close_at_once, "127.0.0.1", 0, {.server = {.reuse_port = true}});
    const std::uint16_t port = port_of(a);
    aio::Server b = co_await aio::start_server(close_at_once, "127.0.0.1", port, {.server = {.reuse_port = true}});
    out("reuse_port shares the port: {}", py(port_of(b) == port));
    try {
        co_await aio::start_server(close_at_once, "127.0.0.1", port);
    } catch (const aio::OSError& e) {
        out("without reuse_port: {} {}", conformance::type(std::current_exception()),
            py(e.errno_value() == EADDRINUSE));
    }
    for (aio::Server* s : {&a, &b}) {
        s->close();
        co_await s->wait_closed();
    }
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
