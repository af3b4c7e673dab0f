// Reading a stream that ends: read() collects the parts until EOF; afterwards read(n) is b'',
// readuntil raises IncompleteReadError with nothing read, and iterating lines (Python's
// `async for`, readline until b'') yields none.
#include "net_pairs.hpp"

using namespace std::chrono_literals;
using conformance::out;
using namespace conformance::net;

static aio::Coro<void> serve(aio::StreamReader, aio::StreamWriter writer) {
    for (int i = 0; i < 5; ++i) {
        writer.write(fmt::format("part {};", i));
        co_await writer.drain();
        co_await aio::sleep(20ms);
    }
    writer.close();
    co_await writer.wait_closed();
}

static aio::Coro<void> amain() {
    aio::Server server = co_await aio::start_server(serve, "127.0.0.1", 0);
    auto [reader, writer] = co_await aio::open_connection("127.0.0.1", port_of(server));
    out("read() collects until EOF: {}", bytes_repr(co_await reader.read()));
    out("at_eof: {}", py(reader.at_eof()));
    out("read(10) at EOF: {}", bytes_repr(co_await reader.read(10)));
    try {
        co_await reader.readuntil(";");
    } catch (const aio::IncompleteReadError& e) {
        out("readuntil at EOF: {}", e.what());
    }
    for (std::string line = co_await reader.readline(); !line.empty(); line = co_await reader.readline())
        out("never reached {}", bytes_repr(line));
    out("async for over an ended stream: no lines");
    writer.close();
    co_await writer.wait_closed();
    server.close();
    co_await server.wait_closed();
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
