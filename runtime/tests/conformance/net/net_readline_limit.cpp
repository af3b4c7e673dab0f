// readline over the limit: a separator found beyond the limit drops the line up to it
// (ValueError, the next line reads normally); no separator within the limit drops the buffer.
#include "net_pairs.hpp"

using namespace std::chrono_literals;
using conformance::out;
using namespace conformance::net;

static aio::Coro<void> serve(aio::StreamReader reader, aio::StreamWriter writer, std::string payload) {
    writer.write(payload);
    co_await writer.drain();
    co_await reader.readline();          // the client's go-ahead
    writer.write(std::string(40, 'c'));  // no separator, over the limit
    co_await writer.drain();
    co_await reader.readline();
    writer.close();
    co_await writer.wait_closed();
}

static aio::Coro<void> amain() {
    const std::string payload = "short\n" + std::string(20, 'a') + "\n" + std::string(50, 'b') + "\nafter\n";
    aio::ClientConnected handler = [payload](aio::StreamReader r, aio::StreamWriter w) { return serve(r, w, payload); };
    aio::Server server = co_await aio::start_server(std::move(handler), "127.0.0.1", 0);
    auto [reader, writer] = co_await aio::open_connection("127.0.0.1", port_of(server), {.limit = 16});
    out("line: {}", bytes_repr(co_await reader.readline()));
    co_await aio::sleep(200ms);  // everything has arrived: the separator is found beyond the limit
    for (int i = 0; i < 3; ++i) {
        try {
            out("line: {}", bytes_repr(co_await reader.readline()));
        } catch (const aio::ValueError& e) {
            out("ValueError: {}", e.what());
        }
    }
    writer.write("go\n");
    try {
        out("line: {}", bytes_repr(co_await reader.readline()));
    } catch (const aio::ValueError& e) {
        out("ValueError: {}", e.what());
    }
    out("buffer dropped, at_eof: {}", py(reader.at_eof()));
    writer.write("done\n");
    out("line: {}", bytes_repr(co_await reader.readline()));
    out("at_eof: {}", py(reader.at_eof()));
    writer.close();
    co_await writer.wait_closed();
    server.close();
    co_await server.wait_closed();
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
