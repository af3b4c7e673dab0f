// The lesson's gather example (scenarios/reference/gather_exception_propagates.py) with the
// three tasks as requests to a local server: the third request's error reply becomes an
// exception, gather propagates it, and run()'s cleanup cancels the first request.
#include <stdexcept>

#include "net_pairs.hpp"

using namespace std::chrono_literals;
using conformance::out;
using namespace conformance::net;

static aio::Coro<void> serve(aio::StreamReader reader, aio::StreamWriter writer) {
    try {
        const std::string line = co_await reader.readline();
        const double duration = std::stod(line);
        bool dropped = false;
        try {
            co_await aio::sleep(std::chrono::duration<double>(duration));
        } catch (const aio::CancelledError&) {
            dropped = true;  // run()'s cleanup: the request is dropped (as the Python twin)
        }
        if (!dropped) {
            writer.write(duration == 0.2 ? "ERROR the server failed\n" : "OK\n");
            co_await writer.drain();
        }
    } catch (...) {
        writer.close();
        throw;
    }
    writer.close();
}

static aio::Coro<void> request(std::uint16_t port, std::string duration) {
    const std::string name = aio::current_task().name();
    out("Task {} sends a request taking {} s.", name, duration);
    auto [reader, writer] = co_await aio::open_connection("127.0.0.1", port);
    try {
        writer.write(duration + "\n");
        std::string reply = co_await reader.readline();
        while (!reply.empty() && (reply.back() == '\n' || reply.back() == ' ')) reply.pop_back();
        if (reply.starts_with("ERROR")) {
            out("Task {} got an error after {} s", name, duration);
            throw std::runtime_error(reply.substr(6));
        }
        out("Task {} done: {}", name, reply);
    } catch (...) {
        writer.close();
        throw;
    }
    writer.close();
}

static aio::Coro<void> amain() {
    aio::Server server = co_await aio::start_server(serve, "127.0.0.1", 0);
    const std::uint16_t port = port_of(server);
    auto task1 = aio::create_task(request(port, "0.3"), "first");
    auto task2 = aio::create_task(request(port, "0.1"), "second");
    auto task3 = aio::create_task(request(port, "0.2"), "third");
    try {
        co_await aio::gather(task1, task2, task3);
    } catch (...) {
        out("first still running: {}", py(!task1.done()));
        server.close();
        throw;
    }
    out("first still running: {}", py(!task1.done()));
    server.close();
}

int conformance_program(aio::RunOptions opts) {
    try {
        aio::run(amain(), std::move(opts));
    } catch (const std::exception& e) {
        out("Raised: {}", e.what());
    }
    return 0;
}
