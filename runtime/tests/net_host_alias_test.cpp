// EventLoop::add_host_alias / remove_host_alias: the real loop's getaddrinfo answers an aliased
// name with its numeric address (the loopback hosts of aio::sim::Network on the real loop:
// Linux routes all of 127/8 to lo), honouring the hints, before asking the system.
#include <doctest/doctest.h>
#include <netdb.h>
#include <sys/socket.h>

#include <aio/aio.hpp>
#include <string>
#include <vector>

#include "support.hpp"

namespace {

aio::Coro<void> greet(aio::StreamReader r, aio::StreamWriter w) {
    std::string line = co_await r.readline();
    w.write("db got " + line);
    co_await w.drain();
    w.close();
}

std::string families(const std::vector<aio::AddrInfo>& infos) {
    std::string out;
    for (const auto& i : infos)
        out += fmt::format("{}{}/{}/{}", out.empty() ? "" : " ", i.family == AF_INET ? "inet" : "inet6",
                           i.socktype == SOCK_STREAM ? "stream" : (i.socktype == SOCK_DGRAM ? "dgram" : "raw"),
                           i.address.str());
    return out;
}

}  // namespace

TEST_SUITE("net") {
    TEST_CASE("open_connection to an aliased name reaches the server listening on its loopback address") {
        aio::run([]() -> aio::Coro<void> {
            aio::EventLoop& loop = aio::get_running_loop();
            loop.add_host_alias("db", "127.0.0.2");
            // create_server through the alias too: it listens on 127.0.0.2 only.
            aio::Server server = co_await aio::start_server(greet, "db", 0);
            REQUIRE(server.sockets().size() == 1);
            CHECK(server.sockets()[0].host() == "127.0.0.2");
            const std::uint16_t port = server.sockets()[0].port();

            auto [r, w] = co_await aio::open_connection("DB", port);  // names are case-insensitive
            CHECK(w.peername()->str() == fmt::format("('127.0.0.2', {})", port));
            w.write("hello\n");
            co_await w.drain();
            CHECK(co_await r.readline() == "db got hello\n");
            w.close();
            co_await w.wait_closed();

            // Nothing listens on 127.0.0.1 at that port: the alias, not the system, chose.
            bool refused = false;
            try {
                auto pair = co_await aio::open_connection("127.0.0.1", port);
                pair.second.close();
            } catch (const aio::ConnectionRefusedError&) {
                refused = true;
            }
            CHECK(refused);
            server.close();
            co_await server.wait_closed();
        }());
    }

    TEST_CASE("an aliased name's getaddrinfo honours the port, family, type and flags hints") {
        aio::run([]() -> aio::Coro<void> {
            aio::EventLoop& loop = aio::get_running_loop();
            loop.add_host_alias("db", "127.0.0.2");
            loop.add_host_alias("db6", "::1");
            CHECK(families(co_await loop.getaddrinfo("db", "5432", {AF_UNSPEC, SOCK_STREAM, 0, 0})) ==
                  "inet/stream/('127.0.0.2', 5432)");
            CHECK(families(co_await loop.getaddrinfo("db", "53", {AF_INET, SOCK_DGRAM, 0, 0})) ==
                  "inet/dgram/('127.0.0.2', 53)");
            CHECK(families(co_await loop.getaddrinfo("db6", "80", {AF_INET6, SOCK_STREAM, 0, 0})) ==
                  "inet6/stream/('::1', 80, 0, 0)");
            // No type hint: one entry per socket type, as getaddrinfo(3) gives for a literal.
            CHECK((co_await loop.getaddrinfo("db", "7", {})).size() == 3);
            auto canon = co_await loop.getaddrinfo("db", "", {AF_INET, SOCK_STREAM, 0, AI_CANONNAME});
            REQUIRE(canon.size() == 1);
            CHECK(canon[0].canonname == "db");
            CHECK(canon[0].address.port() == 0);

            // A family the address does not have: getaddrinfo(3)'s error for the literal.
            int code = 0;
            try {
                (void)co_await loop.getaddrinfo("db", "80", {AF_INET6, SOCK_STREAM, 0, 0});
            } catch (const aio::gaierror& e) {
                code = e.code().value();
            }
            CHECK(code != 0);
            // A port that is no number and no service.
            code = 0;
            try {
                (void)co_await loop.getaddrinfo("db", "no-such-service-here", {AF_INET, SOCK_STREAM, 0, 0});
            } catch (const aio::gaierror& e) {
                code = e.code().value();
            }
            CHECK(code == EAI_SERVICE);
        }());
    }

    TEST_CASE("remove_host_alias gives the name back to the system; add_host_alias replaces and refuses a name") {
        aio::run([]() -> aio::Coro<void> {
            aio::EventLoop& loop = aio::get_running_loop();
            const auto hints = aio::AddrInfoHints{AF_INET, SOCK_STREAM, 0, 0};
            loop.add_host_alias("localhost", "127.0.0.3");
            CHECK(families(co_await loop.getaddrinfo("localhost", "80", hints)) == "inet/stream/('127.0.0.3', 80)");
            loop.add_host_alias("localhost", "127.0.0.4");  // replaces
            CHECK(families(co_await loop.getaddrinfo("localhost", "80", hints)) == "inet/stream/('127.0.0.4', 80)");
            CHECK(loop.remove_host_alias("LocalHost"));
            CHECK_FALSE(loop.remove_host_alias("localhost"));
            // /etc/hosts' answer again.
            CHECK(families(co_await loop.getaddrinfo("localhost", "80", hints)) == "inet/stream/('127.0.0.1', 80)");

            CHECK_THROWS_AS(loop.add_host_alias("db", "db.example"), aio::ValueError);
            CHECK_THROWS_AS(loop.add_host_alias("", "127.0.0.2"), aio::ValueError);
            std::string message;
            try {
                loop.add_host_alias("db", "10.0.0");
            } catch (const aio::ValueError& e) {
                message = e.what();
            }
            CHECK(aio_test::contains(message, "numeric IPv4 or IPv6 address"));
        }());
    }
}
