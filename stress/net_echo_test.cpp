// Network stress: N concurrent connections to an echo server, each sending a pseudo-random byte
// stream in random-sized writes for T seconds while reading the echo back, then half-closing;
// the stream is checksummed both ways (FNV-1a 64 of every byte sent, of every byte echoed back,
// and of every byte the server received), and the file descriptors of both processes are
// counted before and after.
//
// The server runs in a forked child, so that each process holds one end of each connection
// and stays under `ulimit -n` (both raise their soft limit to the hard one). The size comes from
// AIOSIM_NET_STRESS = "CONNECTIONSxSECONDS" (default 200x2, the normal test run, ASan too);
// CTest's `stress` label runs 10000x10.
//
// A second case holds AIOSIM_NET_IDLE idle connections open (default 1,000; 10,000 under the
// `stress` label) and checks that the client loop, waiting one second with all of them open,
// uses (almost) no CPU: under 50 ms of user + system time (getrusage) over that second.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <aio/aio.hpp>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

using namespace std::chrono_literals;

namespace {

struct Size {
    std::size_t connections = 200;
    double seconds = 2.0;
};

Size stress_size() {
    Size s;
    const char* v = std::getenv("AIOSIM_NET_STRESS");
    if (!v || !*v) return s;
    char* end = nullptr;
    s.connections = std::strtoul(v, &end, 10);
    REQUIRE_MESSAGE((end && *end == 'x' && s.connections > 0),
                    "AIOSIM_NET_STRESS must be CONNECTIONSxSECONDS, got '" << v << "'");
    s.seconds = std::strtod(end + 1, &end);
    REQUIRE_MESSAGE((end && *end == '\0' && s.seconds > 0),
                    "AIOSIM_NET_STRESS must be CONNECTIONSxSECONDS, got '" << v << "'");
    return s;
}

std::size_t fd_count() {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
    return n;
}

/// The soft RLIMIT_NOFILE raised to the hard one; returns the new soft limit.
rlim_t raise_fd_limit() {
    rlimit r{};
    ::getrlimit(RLIMIT_NOFILE, &r);
    r.rlim_cur = r.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &r);
    ::getrlimit(RLIMIT_NOFILE, &r);
    return r.rlim_cur;
}

/// FNV-1a, 64 bits: order-sensitive, so a reordered, lost or repeated chunk changes it.
struct Fnv {
    std::uint64_t h = 0xcbf29ce484222325ull;
    void add(std::string_view d) {
        for (const char c : d) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
    }
};

/// splitmix64: each client's stream of bytes and chunk sizes, from its index.
struct Rng {
    std::uint64_t s;
    std::uint64_t next() {
        std::uint64_t z = (s += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
};

/// What one side counted: connections, bytes, and the sum of each connection's checksum (a
/// sum, so that the order in which connections finish does not matter).
struct Totals {
    std::uint64_t connections = 0;
    std::uint64_t bytes = 0;
    std::uint64_t checksum_sum = 0;
    std::uint64_t fds_before = 0;
    std::uint64_t fds_after = 0;
};

void write_all(int fd, const void* p, std::size_t n) {
    const char* c = static_cast<const char*>(p);
    while (n > 0) {
        const ssize_t w = ::write(fd, c, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return;
        c += w;
        n -= static_cast<std::size_t>(w);
    }
}

bool read_all(int fd, void* p, std::size_t n) {
    char* c = static_cast<char*>(p);
    while (n > 0) {
        const ssize_t r = ::read(fd, c, n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        c += r;
        n -= static_cast<std::size_t>(r);
    }
    return true;
}

// --- the server (the forked child) -------------------------------------------------------

aio::Coro<void> echo(aio::StreamReader reader, aio::StreamWriter writer, Totals* totals) {
    Fnv got;
    for (;;) {
        const std::string data = co_await reader.read(64 * 1024);
        if (data.empty()) break;
        got.add(data);
        totals->bytes += data.size();
        writer.write(data);
        co_await writer.drain();
    }
    ++totals->connections;
    totals->checksum_sum += got.h;
    writer.close();
}

/// Serves until the parent closes the control pipe (its read end becomes readable at EOF).
aio::Coro<void> serve(int port_out, int control_in, Totals* totals) {
    aio::ClientConnected handler = [totals](aio::StreamReader r, aio::StreamWriter w) { return echo(r, w, totals); };
    aio::Server server = co_await aio::start_server(std::move(handler), "127.0.0.1", 0, {.server = {.backlog = 4096}});
    const std::uint16_t port = server.sockets().at(0).port();
    write_all(port_out, &port, sizeof port);
    aio::EventLoop& loop = aio::get_running_loop();
    aio::Future<bool> stop(loop);
    loop.add_reader(control_in, [stop]() mutable {
        if (!stop.done()) stop.set_result(true);
    });
    co_await stop;
    loop.remove_reader(control_in);
    server.close();
    co_await server.wait_closed();  // 3.12: until every connection is gone too
}

[[noreturn]] void server_child(int port_out, int control_in) {
    int rc = 0;
    Totals totals;
    raise_fd_limit();
    try {
        totals.fds_before = fd_count();
        aio::run(serve(port_out, control_in, &totals));
        totals.fds_after = fd_count();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "server child: %s\n", e.what());
        rc = 1;
    }
    write_all(port_out, &totals, sizeof totals);
    ::_exit(rc);  // not the parent's doctest exit path
}

// --- the clients (the parent) ------------------------------------------------------------

struct ClientResult {
    std::uint64_t sent_bytes = 0;
    std::uint64_t sent = 0;  // checksum of what was sent
    std::uint64_t received_bytes = 0;
    std::uint64_t received = 0;  // checksum of the echo
};

aio::Coro<std::pair<std::uint64_t, std::uint64_t>> send_for(aio::StreamWriter writer, std::uint64_t seed,
                                                            std::chrono::steady_clock::time_point deadline) {
    Rng rng{seed};
    Fnv sent;
    std::uint64_t bytes = 0;
    std::string chunk;
    // At least one chunk, however late the connection came; then until the deadline.
    do {
        chunk.resize(1 + rng.next() % (16 * 1024));
        for (std::size_t i = 0; i < chunk.size(); i += 8) {
            const std::uint64_t r = rng.next();
            std::memcpy(chunk.data() + i, &r, std::min<std::size_t>(8, chunk.size() - i));
        }
        sent.add(chunk);
        bytes += chunk.size();
        writer.write(chunk);
        co_await writer.drain();
        // drain() returns at once while the transport is not paused (as asyncio's): yield, so
        // that every connection takes its turn rather than the first ones filling the kernel.
        co_await aio::sleep(0s);
    } while (std::chrono::steady_clock::now() < deadline);
    writer.write_eof();
    co_return std::pair{bytes, sent.h};
}

/// open_connection with at most `connecting`'s count of connects under way: a bounded connect
/// storm (the server's backlog is 4096).
aio::Coro<std::pair<aio::StreamReader, aio::StreamWriter>> connect_bounded(std::uint16_t port,
                                                                           aio::Semaphore* connecting) {
    auto unit = co_await connecting->scoped();
    co_return co_await aio::open_connection("127.0.0.1", port);
}

aio::Coro<ClientResult> client(std::uint16_t port, std::uint64_t index, std::chrono::steady_clock::time_point deadline,
                               aio::Semaphore* connecting) {
    auto [reader, writer] = co_await connect_bounded(port, connecting);
    auto sender = aio::create_task(send_for(writer, index, deadline));
    ClientResult r;
    Fnv received;
    for (;;) {
        const std::string data = co_await reader.read(64 * 1024);
        if (data.empty()) break;
        received.add(data);
        r.received_bytes += data.size();
    }
    r.received = received.h;
    std::tie(r.sent_bytes, r.sent) = co_await sender;
    writer.close();
    co_await writer.wait_closed();
    co_return r;
}

aio::Coro<std::vector<ClientResult>> run_clients(std::uint16_t port, Size size) {
    aio::Semaphore connecting(256);
    const auto deadline =
        std::chrono::steady_clock::now() +
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(size.seconds));
    std::vector<aio::Coro<ClientResult>> clients;
    clients.reserve(size.connections);
    for (std::size_t i = 0; i < size.connections; ++i) clients.push_back(client(port, i + 1, deadline, &connecting));
    co_return co_await aio::gather(std::move(clients));
}

/// The server child of a test: forked, serving on the port it reported.
struct ServerChild {
    pid_t pid = -1;
    int port_in = -1;      // the child's port, then its totals
    int control_out = -1;  // closing it stops the child
    std::uint16_t port = 0;
};

ServerChild fork_server() {
    int port_pipe[2];
    int control_pipe[2];
    REQUIRE(::pipe2(port_pipe, O_CLOEXEC) == 0);
    REQUIRE(::pipe2(control_pipe, O_CLOEXEC) == 0);
    std::fflush(nullptr);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::close(port_pipe[0]);
        ::close(control_pipe[1]);
        server_child(port_pipe[1], control_pipe[0]);
    }
    ::close(port_pipe[1]);
    ::close(control_pipe[0]);
    ServerChild c{child, port_pipe[0], control_pipe[1], 0};
    if (!read_all(c.port_in, &c.port, sizeof c.port)) {
        ::close(c.control_out);
        ::close(c.port_in);
        ::waitpid(child, nullptr, 0);
        FAIL("the server child did not report its port");
    }
    return c;
}

/// Stops the child; its totals, or nullopt when it reported none. `status` is waitpid's.
std::optional<Totals> stop_server(ServerChild& c, int& status) {
    ::close(c.control_out);  // the server closes and reports
    Totals server;
    const bool got_totals = read_all(c.port_in, &server, sizeof server);
    ::close(c.port_in);
    status = 0;
    ::waitpid(c.pid, &status, 0);
    if (!got_totals) return std::nullopt;
    return server;
}

std::size_t idle_connections() {
    const char* v = std::getenv("AIOSIM_NET_IDLE");
    if (!v || !*v) return 1000;
    char* end = nullptr;
    const std::size_t n = std::strtoul(v, &end, 10);
    REQUIRE_MESSAGE((end && *end == '\0' && n > 0), "AIOSIM_NET_IDLE must be a count, got '" << v << "'");
    return n;
}

double cpu_seconds() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    const auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
    return secs(u.ru_utime) + secs(u.ru_stime);
}

struct IdleResult {
    double cpu = 0;   // CPU seconds over the idle wait
    double wall = 0;  // wall seconds of the idle wait
    std::size_t open = 0;
};

/// Opens n connections, waits a second with all of them idle (measuring this process's CPU time
/// over the wait), then closes them.
aio::Coro<IdleResult> hold_idle(std::uint16_t port, std::size_t n) {
    aio::Semaphore connecting(256);
    std::vector<aio::Coro<std::pair<aio::StreamReader, aio::StreamWriter>>> connects;
    connects.reserve(n);
    for (std::size_t i = 0; i < n; ++i) connects.push_back(connect_bounded(port, &connecting));
    auto pairs = co_await aio::gather(std::move(connects));
    co_await aio::sleep(50ms);  // the connect storm's last callbacks (the server's too) settle
    IdleResult r;
    r.open = pairs.size();
    const double cpu0 = cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    co_await aio::sleep(1s);
    r.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.cpu = cpu_seconds() - cpu0;
    for (auto& [reader, writer] : pairs) writer.close();
    for (auto& [reader, writer] : pairs) co_await writer.wait_closed();
    co_return r;
}

}  // namespace

TEST_CASE("net stress: an idle loop with many idle connections uses no CPU") {
    const std::size_t n = idle_connections();
    const rlim_t limit = raise_fd_limit();
    INFO("connections: " << n << ", fd limit: " << limit);
    REQUIRE_MESSAGE(limit > n + 64, "the hard RLIMIT_NOFILE is too low for this many connections in one process");
    ServerChild child = fork_server();
    const std::size_t fds_before = fd_count();
    IdleResult idle;
    std::string error;
    try {
        idle = aio::run(hold_idle(child.port, n));
    } catch (const std::exception& e) {
        error = aio::describe(std::current_exception());
    }
    const std::size_t fds_after = fd_count();
    int status = 0;
    const std::optional<Totals> server = stop_server(child, status);
    REQUIRE_MESSAGE(error.empty(), error);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    REQUIRE(server.has_value());
    MESSAGE(idle.open << " idle connections: " << idle.cpu * 1e3 << " ms of CPU over " << idle.wall << " s");
    CHECK(idle.open == n);
    CHECK(idle.wall >= 0.99);  // the loop slept its second (its timers round up)
    CHECK(idle.cpu < 0.050);
    CHECK(server->connections == n);
    CHECK(server->bytes == 0);
    CHECK(fds_after == fds_before);
    CHECK(server->fds_after == server->fds_before);
}

TEST_CASE("net stress: concurrent connections echo checksummed streams; no file descriptor is left") {
    const Size size = stress_size();
    const rlim_t limit = raise_fd_limit();
    INFO("connections: " << size.connections << ", seconds: " << size.seconds << ", fd limit: " << limit);
    REQUIRE_MESSAGE(limit > size.connections + 64,
                    "the hard RLIMIT_NOFILE is too low for this many connections in one process");

    ServerChild child = fork_server();
    const std::uint16_t port = child.port;

    const std::size_t fds_before = fd_count();
    const auto start = std::chrono::steady_clock::now();
    std::vector<ClientResult> results;
    std::string error;
    try {
        results = aio::run(run_clients(port, size));
    } catch (const std::exception& e) {
        error = aio::describe(std::current_exception());
    }
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const std::size_t fds_after = fd_count();

    int status = 0;
    const std::optional<Totals> totals = stop_server(child, status);
    const bool got_totals = totals.has_value();
    const Totals server = totals.value_or(Totals{});

    REQUIRE_MESSAGE(error.empty(), error);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    REQUIRE(got_totals);

    REQUIRE(results.size() == size.connections);
    std::uint64_t sent_bytes = 0;
    std::uint64_t sent_sum = 0;
    std::size_t mismatched = 0;
    for (const ClientResult& r : results) {
        sent_bytes += r.sent_bytes;
        sent_sum += r.sent;
        if (r.sent != r.received || r.sent_bytes != r.received_bytes || r.sent_bytes == 0) {
            if (mismatched == 0)
                MESSAGE("first mismatch: sent " << r.sent_bytes << " bytes, received " << r.received_bytes
                                                << " bytes; checksums equal: " << (r.sent == r.received));
            ++mismatched;
        }
    }
    MESSAGE(size.connections << " connections, " << elapsed << " s, " << sent_bytes / 1e6 << " MB each way ("
                             << 2 * sent_bytes / 1e6 / elapsed << " MB/s both ways)");
    CHECK_MESSAGE(mismatched == 0, mismatched << " connections got back other bytes than they sent");
    CHECK(server.connections == size.connections);
    CHECK(server.bytes == sent_bytes);
    CHECK(server.checksum_sum == sent_sum);
    CHECK(fds_after == fds_before);
    CHECK(server.fds_after == server.fds_before);
}
