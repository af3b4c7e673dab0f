// readline: complete lines, an empty line, a last line without a newline at EOF, then b''
// for ever; at_eof() only once the buffer is empty and EOF was seen.
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
    const std::string payload = "first\nsecond\n\nno newline at the end";
    aio::ClientConnected handler = [payload](aio::StreamReader r, aio::StreamWriter w) {
        return send_and_close(r, w, payload);
    };
    aio::Server server = co_await aio::start_server(std::move(handler), "127.0.0.1", 0);
    auto [reader, writer] = co_await aio::open_connection("127.0.0.1", port_of(server));
    for (int i = 0; i < 6; ++i) {
        const std::string line = co_await reader.readline();
        out("readline {}: {} at_eof={}", i, bytes_repr(line), py(reader.at_eof()));
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
