// 100 concurrent clients, each a request and a reply, the server answering in a shuffled
// order; gather returns the replies in argument order.
#include <numeric>
#include <vector>

#include "net_pairs.hpp"

using namespace std::chrono_literals;
using conformance::out;
using namespace conformance::net;

static constexpr int n_clients = 100;

static aio::Coro<void> serve(aio::StreamReader reader, aio::StreamWriter writer) {
    const long n = std::stol(co_await reader.readline());
    co_await aio::sleep(10ms * (n % 7));
    writer.write(fmt::format("{}\n", n * n));
    co_await writer.drain();
    writer.close();
    co_await writer.wait_closed();
}

static aio::Coro<long> client(std::uint16_t port, long n, std::vector<long>* order) {
    auto [reader, writer] = co_await aio::open_connection("127.0.0.1", port);
    writer.write(fmt::format("{}\n", n));
    co_await writer.drain();
    const long reply = std::stol(co_await reader.readline());
    writer.close();
    co_await writer.wait_closed();
    order->push_back(n);
    co_return reply;
}

static aio::Coro<void> amain() {
    aio::Server server = co_await aio::start_server(serve, "127.0.0.1", 0);
    const std::uint16_t port = port_of(server);
    std::vector<long> order;
    std::vector<aio::Coro<long>> requests;
    for (long n = 0; n < n_clients; ++n) requests.push_back(client(port, n, &order));
    const std::vector<long> replies = co_await aio::gather(std::move(requests));
    bool in_order = replies.size() == n_clients;
    for (long n = 0; in_order && n < n_clients; ++n) in_order = replies[static_cast<std::size_t>(n)] == n * n;
    out("replies in argument order: {}", py(in_order));
    out("clients done: {} sum of squares: {}", order.size(), std::accumulate(replies.begin(), replies.end(), 0L));
    server.close();
    co_await server.wait_closed();
    out("server closed");
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
