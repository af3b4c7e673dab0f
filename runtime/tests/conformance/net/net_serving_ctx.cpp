// `async with server:` is aio::serving(server, body): the server serves inside the body and is
// closed after it, also when the body throws or is cancelled.
#include "net_pairs.hpp"

using namespace std::chrono_literals;
using conformance::out;
using namespace conformance::net;

static aio::Coro<void> serve(aio::StreamReader, aio::StreamWriter writer) {
    writer.write("welcome\n");
    co_await writer.drain();
    writer.close();
    co_await writer.wait_closed();
}

static aio::Coro<void> greet_once(aio::Server& server) {
    out("serving inside the block: {}", py(server.is_serving()));
    auto [reader, writer] = co_await aio::open_connection("127.0.0.1", port_of(server));
    out("greeting: {}", bytes_repr(co_await reader.readline()));
    writer.close();
    co_await writer.wait_closed();
}

static aio::Coro<void> fail(aio::Server&) {
    throw aio::ValueError("body failed");
    co_return;
}

static aio::Coro<void> wait_long(aio::Server&) { co_await aio::sleep(10s); }

static aio::Coro<void> body(aio::Server* server) { co_await aio::serving(*server, wait_long); }

static aio::Coro<void> amain() {
    aio::Server server = co_await aio::start_server(serve, "127.0.0.1", 0);
    co_await aio::serving(server, greet_once);
    out("serving after the block: {}", py(server.is_serving()));

    server = co_await aio::start_server(serve, "127.0.0.1", 0);
    try {
        co_await aio::serving(server, fail);
    } catch (const aio::ValueError& e) {
        out("body raised: {} - serving: {}", e.what(), py(server.is_serving()));
    }

    server = co_await aio::start_server(serve, "127.0.0.1", 0);
    auto t = aio::create_task(body(&server));
    co_await aio::sleep(100ms);
    t.cancel();
    try {
        co_await t;
    } catch (const aio::CancelledError&) {
        out("body cancelled - serving: {}", py(server.is_serving()));
    }
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
