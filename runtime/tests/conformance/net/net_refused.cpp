// Connection refused: a port bound and released has no listener; open_connection and
// create_connection raise ConnectionRefusedError with asyncio's "Connect call failed ADDR".
#include <cerrno>

#include "net_pairs.hpp"

using conformance::out;
using namespace conformance::net;

static aio::Coro<void> amain() {
    const std::uint16_t port = closed_port();
    const std::string port_text = std::to_string(port);
    try {
        co_await aio::open_connection("127.0.0.1", port);
    } catch (const aio::OSError& e) {
        out("{} {}", conformance::type(std::current_exception()), py(e.errno_value() == ECONNREFUSED));
        out("{}", replace_all(e.what(), port_text, "PORT"));
        out("is a ConnectionError: {} is an OSError: {}", py(dynamic_cast<const aio::ConnectionError*>(&e) != nullptr),
            py(true));
    }
    aio::EventLoop& loop = aio::get_running_loop();
    try {
        co_await loop.create_connection([] { return std::make_unique<aio::Protocol>(); }, "127.0.0.1", port);
    } catch (const aio::OSError& e) {
        out("create_connection: {} {}", conformance::type(std::current_exception()),
            replace_all(e.what(), port_text, "PORT"));
    }
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
