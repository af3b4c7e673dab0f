// Unix sockets: start_unix_server on a path in a temporary directory, open_unix_connection,
// the addresses (the client's is unnamed), a stale socket file replaced by the next server
// (3.12 leaves it when the server closes), and a missing path (ENOENT).
#include <stdlib.h>

#include <cerrno>
#include <filesystem>

#include "net_pairs.hpp"

using conformance::out;
using namespace conformance::net;

static aio::Coro<void> serve(aio::StreamReader reader, aio::StreamWriter writer) {
    std::string line = co_await reader.readline();
    for (char& c : line) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    writer.write(line);
    co_await writer.drain();
    writer.close();
    co_await writer.wait_closed();
}

/// tempfile.TemporaryDirectory(): removed with what it holds when destroyed.
struct TemporaryDirectory {
    std::filesystem::path path;
    TemporaryDirectory() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "aiosim-net-XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        path = tmpl;
    }
    ~TemporaryDirectory() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

static aio::Coro<void> amain() {
    TemporaryDirectory d;
    const std::string path = (d.path / "echo.sock").string();
    aio::Server server = co_await aio::start_unix_server(serve, path);
    out("socket file exists: {}", py(std::filesystem::exists(path)));
    out("server address is the path: {}", py(server.sockets().at(0).path() == path));
    {
        auto [reader, writer] = co_await aio::open_unix_connection(path);
        out("peername is the path: {}", py(writer.peername() && writer.peername()->path() == path));
        out("sockname is unnamed: {}", writer.sockname() ? writer.sockname()->str() : "None");
        writer.write("over a unix socket\n");
        out("reply: {}", bytes_repr(co_await reader.readline()));
        out("then EOF: {}", bytes_repr(co_await reader.read()));
        writer.close();
        co_await writer.wait_closed();
    }
    server.close();
    co_await server.wait_closed();
    // A stale socket file (no server) is replaced by the next server on that path.
    server = co_await aio::start_unix_server(serve, path);
    {
        auto [reader, writer] = co_await aio::open_unix_connection(path);
        writer.write("second server\n");
        out("reply: {}", bytes_repr(co_await reader.readline()));
        writer.close();
        co_await writer.wait_closed();
    }
    server.close();
    co_await server.wait_closed();
    std::filesystem::remove(path);
    try {
        co_await aio::open_unix_connection(path);
    } catch (const aio::OSError& e) {
        out("OSError with errno ENOENT: {}", py(e.errno_value() == ENOENT));
    }
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
