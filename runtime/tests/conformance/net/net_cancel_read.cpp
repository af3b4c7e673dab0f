// A cancelled read: a readline task cancelled while it waits, a readexactly under wait_for that
// times out; neither loses data nor leaves a waiter, so the next readline gets the late line.
#include "net_pairs.hpp"

using namespace std::chrono_literals;
using conformance::out;
using namespace conformance::net;

static aio::Coro<void> serve(aio::StreamReader reader, aio::StreamWriter writer, aio::Event* go) {
    co_await go->wait();
    writer.write("late line\n");
    co_await writer.drain();
    co_await reader.read();  // until the client closes
    writer.close();
    co_await writer.wait_closed();
}

static aio::Coro<std::string> readline_of(aio::StreamReader reader) { co_return co_await reader.readline(); }

static aio::Coro<void> amain() {
    aio::Event go;
    aio::ClientConnected handler = [&go](aio::StreamReader r, aio::StreamWriter w) { return serve(r, w, &go); };
    aio::Server server = co_await aio::start_server(std::move(handler), "127.0.0.1", 0);
    auto [reader, writer] = co_await aio::open_connection("127.0.0.1", port_of(server));
    auto t = aio::create_task(readline_of(reader));
    co_await aio::sleep(100ms);
    t.cancel();
    try {
        co_await t;
    } catch (const aio::CancelledError&) {
        out("readline cancelled: {}", py(t.cancelled()));
    }
    try {
        co_await aio::wait_for(reader.readexactly(5), 100ms);
    } catch (const aio::TimeoutError&) {
        out("readexactly timed out");
    }
    go.set();
    out("next readline: {}", bytes_repr(co_await reader.readline()));
    writer.close();
    co_await writer.wait_closed();
    server.close();
    co_await server.wait_closed();
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
