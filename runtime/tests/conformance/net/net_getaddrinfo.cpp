// The loop's getaddrinfo (in the executor): "localhost", a service name, an IPv6 literal,
// gaierror for a name that AI_NUMERICHOST refuses (no DNS query is made) and for an unknown
// service.
#include <netdb.h>
#include <sys/socket.h>

#include <set>
#include <tuple>

#include "net_pairs.hpp"

using conformance::out;
using namespace conformance::net;

static std::string family_name(int family) {
    return family == AF_INET ? "AF_INET" : family == AF_INET6 ? "AF_INET6" : std::to_string(family);
}

static aio::Coro<void> amain() {
    aio::EventLoop& loop = aio::get_running_loop();
    auto infos = co_await loop.getaddrinfo("localhost", "8080", {.socktype = SOCK_STREAM});
    std::set<std::tuple<std::string, std::string, int>> seen;
    bool all_stream = true;
    for (const aio::AddrInfo& i : infos) {
        seen.emplace(family_name(i.family), i.address.host(), i.address.port());
        all_stream = all_stream && i.socktype == SOCK_STREAM;
    }
    std::string text = "[";
    for (const auto& [family, host, port] : seen)
        text += fmt::format("{}('{}', '{}', {})", text.size() > 1 ? ", " : "", family, host, port);
    out("localhost: {}]", text);
    out("all stream sockets: {}", py(all_stream));

    infos = co_await loop.getaddrinfo("127.0.0.1", "http", {.socktype = SOCK_STREAM});
    text = "[";
    for (const aio::AddrInfo& i : infos) text += (text.size() > 1 ? ", " : "") + i.address.str();
    out("service name: {}]", text);

    infos = co_await loop.getaddrinfo("::1", "0", {.family = AF_INET6, .socktype = SOCK_STREAM});
    text = "[";
    for (const aio::AddrInfo& i : infos)
        text += fmt::format("{}('{}', {})", text.size() > 1 ? ", " : "", i.address.host(), i.address.port());
    out("v6 literal: {}]", text);

    try {
        co_await loop.getaddrinfo("not a numeric host", "80", {.flags = AI_NUMERICHOST});
    } catch (const aio::gaierror& e) {
        out("{}: {} (errno is EAI_NONAME: {})", conformance::type(std::current_exception()), e.what(),
            py(e.code().value() == EAI_NONAME));
    }
    try {
        co_await loop.getaddrinfo("127.0.0.1", "no-such-service", {.socktype = SOCK_STREAM});
    } catch (const aio::gaierror& e) {
        out("{}: {}", conformance::type(std::current_exception()), e.what());
    }
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
