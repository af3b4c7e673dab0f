// readuntil: a two-byte separator, LimitOverrunError when the separator lies beyond the limit
// (the data stays in the buffer), IncompleteReadError at EOF without the separator (expected
// None), and an empty separator.
#include "net_pairs.hpp"

using conformance::out;
using namespace conformance::net;

static aio::Coro<void> send_and_close(aio::StreamReader, aio::StreamWriter writer, std::string payload) {
    writer.write(payload);
    co_await writer.drain();
    writer.close();
    co_await writer.wait_closed();
}

static aio::Coro<void> amain() {
    const std::string payload = "key=value;;next=1;;" + std::string(40, 'x') + ";;tail without separator";
    aio::ClientConnected handler = [payload](aio::StreamReader r, aio::StreamWriter w) {
        return send_and_close(r, w, payload);
    };
    aio::Server server = co_await aio::start_server(std::move(handler), "127.0.0.1", 0);
    auto [reader, writer] = co_await aio::open_connection("127.0.0.1", port_of(server), {.limit = 32});
    out("readuntil: {}", bytes_repr(co_await reader.readuntil(";;")));
    out("readuntil: {}", bytes_repr(co_await reader.readuntil(";;")));
    try {
        co_await reader.readuntil(";;");
    } catch (const aio::LimitOverrunError& e) {
        out("{}: {}; consumed={}", conformance::type(std::current_exception()), e.what(), e.consumed());
    }
    out("the data stays: read(42) = {}", bytes_repr(co_await reader.read(42)));
    try {
        co_await reader.readuntil(";;");
    } catch (const aio::IncompleteReadError& e) {
        out("{}: {}", conformance::type(std::current_exception()), e.what());
        out("partial: {} expected: {}", bytes_repr(e.partial()), py_opt(e.expected()));
    }
    out("at_eof: {}", py(reader.at_eof()));
    try {
        co_await reader.readuntil("");
    } catch (const aio::ValueError& e) {
        out("ValueError: {}", e.what());
    }
    writer.close();
    co_await writer.wait_closed();
    server.close();
    co_await server.wait_closed();
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
