// The reader's flow control: holding more than 2 * limit bytes it pauses the transport, and it
// resumes reading only once the buffer is down to the limit.
#include "net_pairs.hpp"

using namespace std::chrono_literals;
using conformance::out;
using namespace conformance::net;

static constexpr std::size_t limit = 1024;

static aio::Coro<void> serve(aio::StreamReader reader, aio::StreamWriter writer) {
    writer.write(std::string(limit * 8, 'x'));
    co_await writer.drain();
    co_await reader.read();
    writer.close();
    co_await writer.wait_closed();
}

static aio::Coro<void> amain() {
    aio::Server server = co_await aio::start_server(serve, "127.0.0.1", 0);
    auto [reader, writer] = co_await aio::open_connection("127.0.0.1", port_of(server), {.limit = limit});
    co_await aio::sleep(300ms);
    // The reader pauses the transport once it holds more than 2 * limit bytes.
    out("transport reading with a full buffer: {}", py(writer.transport().is_reading()));
    const std::string got = co_await reader.readexactly(limit);
    out("read {} - reading again: {}", got.size(), py(writer.transport().is_reading()));
    std::size_t total = got.size();
    while (total < limit * 8) total += (co_await reader.read(static_cast<std::ptrdiff_t>(limit))).size();
    out("all bytes arrived: {}", total);
    co_await aio::sleep(100ms);
    out("reading with an empty buffer: {}", py(writer.transport().is_reading()));
    writer.close();
    co_await writer.wait_closed();
    server.close();
    co_await server.wait_closed();
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
