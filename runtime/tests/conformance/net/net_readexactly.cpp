// readexactly: exact reads, 0 bytes, EOF in the middle (IncompleteReadError with the partial
// data, an EOFError in Python), and again at EOF. (A negative size, ValueError in Python,
// cannot be written: the size is a std::size_t.)
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
    aio::Server server = co_await aio::start_server(
        [](aio::StreamReader r, aio::StreamWriter w) { return send_and_close(r, w, "0123456789abc"); }, "127.0.0.1", 0);
    auto [reader, writer] = co_await aio::open_connection("127.0.0.1", port_of(server));
    out("readexactly(4): {}", bytes_repr(co_await reader.readexactly(4)));
    out("readexactly(0): {}", bytes_repr(co_await reader.readexactly(0)));
    out("readexactly(6): {}", bytes_repr(co_await reader.readexactly(6)));
    try {
        co_await reader.readexactly(10);
    } catch (const aio::IncompleteReadError& e) {
        out("{}: {}", conformance::type(std::current_exception()), e.what());
        out("partial: {} expected: {}", bytes_repr(e.partial()), py_opt(e.expected()));
        out("is an EOFError: {}", py(std::is_base_of_v<aio::EOFError, aio::IncompleteReadError>));
    }
    out("at_eof: {}", py(reader.at_eof()));
    try {
        co_await reader.readexactly(1);
    } catch (const aio::IncompleteReadError& e) {
        out("again {}: {}", conformance::type(std::current_exception()), e.what());
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
