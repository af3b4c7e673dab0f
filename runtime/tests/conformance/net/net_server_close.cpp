// Server.close() + wait_closed() with clients attached (3.12 semantics): close() stops
// listening at once (a new client is refused), wait_closed() returns only when the last
// connection is gone, and at once after that.
#include <vector>

#include "net_pairs.hpp"

using namespace std::chrono_literals;
using conformance::out;
using namespace conformance::net;

static aio::Coro<void> serve(aio::StreamReader reader, aio::StreamWriter writer, std::vector<std::string>* log) {
    log->push_back("connected");
    co_await reader.read();  // until the client closes its side
    log->push_back("client gone");
    writer.close();
    co_await writer.wait_closed();
}

static aio::Coro<void> amain() {
    std::vector<std::string> log;
    aio::ClientConnected handler = [&log](aio::StreamReader r, aio::StreamWriter w) { return serve(r, w, &log); };
    aio::Server server = co_await aio::start_server(std::move(handler), "127.0.0.1", 0);
    const std::uint16_t port = port_of(server);
    std::vector<std::pair<aio::StreamReader, aio::StreamWriter>> clients;
    for (int i = 0; i < 2; ++i) clients.push_back(co_await aio::open_connection("127.0.0.1", port));
    co_await aio::sleep(100ms);
    out("handlers running: {}", str_list(log));
    server.close();
    out("is_serving after close(): {}", py(server.is_serving()));
    try {
        co_await aio::open_connection("127.0.0.1", port);
        out("a new client connected");
    } catch (const aio::ConnectionRefusedError&) {
        out("a new client is refused");
    }
    auto waiter = aio::create_task(server.wait_closed());
    co_await aio::sleep(200ms);
    out("wait_closed done with clients attached: {}", py(waiter.done()));
    clients[0].second.close();
    co_await clients[0].second.wait_closed();
    co_await aio::sleep(200ms);
    out("after one client left: {} {}", py(waiter.done()), str_list(log));
    clients[1].second.close();
    co_await clients[1].second.wait_closed();
    co_await aio::wait_for(waiter, 1s);
    out("wait_closed returned after the last client: {}", str_list(log));
    co_await server.wait_closed();
    out("wait_closed again returns at once");
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
