// A 64 MiB transfer with drain() backpressure: the receiver starts reading late, so the sender's
// write buffer rises above the high-water mark and drain() waits; both sides' CRC-32 match.
#include <utility>

#include "net_pairs.hpp"

using namespace std::chrono_literals;
using conformance::out;
using namespace conformance::net;

static constexpr std::size_t total = 64 * 1024 * 1024;
static constexpr std::size_t chunk_size = 1024 * 1024;

/// The Python twin's chunk(i): a different megabyte each time, so a lost or repeated chunk
/// changes the checksum.
static std::string chunk(std::size_t i) {
    std::string c(1000, static_cast<char>((i * 31 + 7) % 256));
    const std::size_t cycles = (chunk_size - 1000) / 256;
    c.reserve(chunk_size);
    for (std::size_t k = 0; k < cycles * 256; ++k) c += static_cast<char>(k % 256);
    c.append((chunk_size - 1000) % 256, '!');
    return c;
}

using Received = std::pair<std::size_t, std::uint32_t>;

static aio::Coro<void> receive(aio::StreamReader reader, aio::StreamWriter writer, aio::Future<Received> done) {
    co_await aio::sleep(300ms);  // let the sender's buffers fill first
    std::uint32_t crc = 0;
    std::size_t n = 0;
    while (true) {
        const std::string data = co_await reader.read(256 * 1024);
        if (data.empty()) break;
        crc = crc32(crc, data);
        n += data.size();
    }
    writer.write(fmt::format("{} {:08x}\n", n, crc));
    co_await writer.drain();
    writer.close();
    co_await writer.wait_closed();
    done.set_result(Received{n, crc});
}

static aio::Coro<void> amain() {
    aio::Future<Received> done(aio::get_running_loop());
    aio::ClientConnected handler = [done](aio::StreamReader r, aio::StreamWriter w) { return receive(r, w, done); };
    aio::Server server = co_await aio::start_server(std::move(handler), "127.0.0.1", 0);
    auto [reader, writer] = co_await aio::open_connection("127.0.0.1", port_of(server));
    const std::size_t high = writer.transport().get_write_buffer_limits().second;
    std::uint32_t crc = 0;
    bool backpressure = false;
    for (std::size_t i = 0; i < total / chunk_size; ++i) {
        const std::string c = chunk(i);
        crc = crc32(crc, c);
        writer.write(c);
        if (writer.transport().get_write_buffer_size() > high) backpressure = true;
        co_await writer.drain();
        if (writer.transport().get_write_buffer_size() > high) out("drain returned above the high-water mark");
    }
    writer.write_eof();
    const std::string reply = co_await reader.readline();
    const auto [n, server_crc] = co_await done;
    out("sent {} bytes, crc32 {:08x}", total, crc);
    out("server got {} bytes, crc32 {:08x}", n, server_crc);
    out("reply: {}", bytes_repr(reply));
    out("checksums match: {}", py(crc == server_crc));
    out("drain waited on a full buffer: {}", py(backpressure));
    writer.close();
    co_await writer.wait_closed();
    server.close();
    co_await server.wait_closed();
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
