// The real loop's getaddrinfo, create_connection, create_server and their Unix-socket forms
// (base_events.py, unix_events.py), over sock_connect and the socket transport.
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "aio/event_loop.hpp"
#include "aio/future.hpp"
#include "aio/net/errors.hpp"
#include "aio/net/server.hpp"
#include "aio/sleep.hpp"
#include "socket_server.hpp"
#include "socket_transport.hpp"

namespace aio {

namespace {

std::exception_ptr capture_os_error(int err, const std::string& op, const std::string& detail = {}) {
    try {
        throw_os_error(err, op, detail);
    } catch (...) {
        return std::current_exception();
    }
}

/// An OSError with only a message (Python's OSError('...'): errno None, str the message).
OSError message_error(std::string operation, std::string message) {
    return OSError(std::error_code(), std::move(operation), std::move(message));
}

std::string lower(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

// "error while attempting to bind on address ('127.0.0.1', 80): permission denied": asyncio's
// wording (err.strerror.lower()).
std::string bind_failure(int err, const SocketAddress& addr) {
    return fmt::format("error while attempting to bind on address {}: {}", addr.str(), lower(std::strerror(err)));
}

const char* family_repr(int family) {
    switch (family) {
    case AF_INET: return "<AddressFamily.AF_INET: 2>";
    case AF_INET6: return "<AddressFamily.AF_INET6: 10>";
    case AF_UNIX: return "<AddressFamily.AF_UNIX: 1>";
    default: return "<AddressFamily.AF_UNSPEC: 0>";
    }
}

// asyncio's _ipaddr_info: a numeric host needs no getaddrinfo.
std::optional<AddrInfo> numeric_info(const std::string& host, std::uint16_t port, int family) {
    if (host.empty() || host.find('%') != std::string::npos) return std::nullopt;
    SocketAddress a;
    try {
        a = SocketAddress::ip(host, port);
    } catch (const ValueError&) {
        return std::nullopt;
    }
    if (family != AF_UNSPEC && a.family() != family) return std::nullopt;
    return AddrInfo{a.family(), SOCK_STREAM, IPPROTO_TCP, {}, a};
}

// asyncio's _ensure_resolved, for stream sockets.
Coro<std::vector<AddrInfo>> resolve(EventLoop& loop, std::string host, std::uint16_t port, int family, int flags) {
    if (auto info = numeric_info(host, port, family)) co_return std::vector<AddrInfo>{*info};
    co_return co_await loop.getaddrinfo(std::move(host), std::to_string(port),
                                        AddrInfoHints{family, SOCK_STREAM, 0, flags});
}

// asyncio's _connect_sock: one socket, bound to a local address if asked, connected. The
// OSErrors it meets go to `errors` (the caller's list for the final message).
Coro<Socket> connect_one(EventLoop& loop, std::vector<std::exception_ptr>& errors, AddrInfo info,
                         const std::optional<std::vector<AddrInfo>>* local) {
    try {
        Socket sock = Socket::open(info.family, info.socktype, info.protocol);
        if (*local) {
            bool bound = false;
            std::exception_ptr last;
            for (const AddrInfo& l : **local) {
                if (l.family != info.family) continue;  // a local address of another family
                if (::bind(sock.fd(), l.address.data(), l.address.size()) == 0) {
                    bound = true;
                    break;
                }
                const int err = errno;
                last = capture_os_error(err, "bind", bind_failure(err, l.address));
            }
            if (!bound) {
                if (last) std::rethrow_exception(last);
                throw message_error(
                    "bind", fmt::format("no matching local address with family={} found", family_repr(info.family)));
            }
        }
        co_await loop.sock_connect(sock.fd(), info.address);
        co_return sock;
    } catch (const OSError&) {
        errors.push_back(std::current_exception());
        throw;
    }
}

struct ResolveJob {
    std::string host, port;
    AddrInfoHints hints;
    std::vector<AddrInfo> result;
    std::exception_ptr error;
};

void run_getaddrinfo(ResolveJob& job) {
    addrinfo hints{};
    hints.ai_family = job.hints.family;
    hints.ai_socktype = job.hints.socktype;
    hints.ai_protocol = job.hints.protocol;
    hints.ai_flags = job.hints.flags;
    addrinfo* res = nullptr;
    const int rc = ::getaddrinfo(job.host.empty() ? nullptr : job.host.c_str(),
                                 job.port.empty() ? nullptr : job.port.c_str(), &hints, &res);
    if (rc != 0) {
        if (rc == EAI_SYSTEM)
            job.error = capture_os_error(errno, "getaddrinfo");
        else
            job.error = std::make_exception_ptr(gaierror(rc, "getaddrinfo"));
        return;
    }
    for (const addrinfo* p = res; p; p = p->ai_next)
        job.result.push_back(AddrInfo{p->ai_family, p->ai_socktype, p->ai_protocol,
                                      p->ai_canonname ? p->ai_canonname : "",
                                      SocketAddress(p->ai_addr, p->ai_addrlen)});
    ::freeaddrinfo(res);
}

// asyncio's _create_connection_transport: the protocol, the transport, and the wait for its
// connection_made(); a cancelled wait closes the transport.
Coro<std::shared_ptr<Transport>> make_transport(EventLoop& loop, Socket sock, ProtocolFactory factory) {
    std::unique_ptr<Protocol> protocol = factory();
    if (!protocol) throw RuntimeError("the protocol factory returned no protocol");
    Future<void> waiter(loop);
    auto t = detail::SocketTransport::start(loop, std::move(sock), std::move(protocol), nullptr, std::nullopt,
                                            [waiter]() mutable {
                                                if (!waiter.done()) waiter.set_result();
                                            });
    try {
        co_await waiter;
    } catch (...) {
        t->close();
        throw;
    }
    co_return t;
}

}  // namespace

void EventLoop::add_host_alias(std::string name, std::string numeric_address) {
    check_thread("loop.add_host_alias()");
    if (name.empty()) throw ValueError("add_host_alias() needs a host name, got an empty one");
    try {
        (void)SocketAddress::ip(numeric_address, 0);
    } catch (const ValueError&) {
        throw ValueError(
            fmt::format("add_host_alias(): the address of '{}' must be a numeric IPv4 or IPv6 address "
                        "(like 127.0.0.2 or ::1), got '{}'",
                        name, numeric_address));
    }
    host_aliases_.insert_or_assign(lower(std::move(name)), std::move(numeric_address));
}

bool EventLoop::remove_host_alias(std::string_view name) {
    check_thread("loop.remove_host_alias()");
    auto it = host_aliases_.find(lower(std::string(name)));
    if (it == host_aliases_.end()) return false;
    host_aliases_.erase(it);
    return true;
}

Coro<std::vector<AddrInfo>> EventLoop::getaddrinfo(std::string host, std::string port, AddrInfoHints hints) {
    check_thread("loop.getaddrinfo()");
    check_not_closed("getaddrinfo");
    if (!host_aliases_.empty() && !host.empty()) {
        if (auto it = host_aliases_.find(lower(host)); it != host_aliases_.end()) {
            // getaddrinfo(3) of the literal itself: the hints and the port (a number or a
            // service name) mean what they mean for any host. A numeric host never blocks, so
            // no executor job.
            AddrInfoHints numeric = hints;
            numeric.flags |= AI_NUMERICHOST;
            ResolveJob job{it->second, std::move(port), numeric, {}, {}};
            run_getaddrinfo(job);
            if (job.error) std::rethrow_exception(job.error);
            if (hints.flags & AI_CANONNAME)
                for (AddrInfo& info : job.result)
                    if (!info.canonname.empty()) info.canonname = host;
            co_return std::move(job.result);
        }
    }
    auto job = std::make_shared<ResolveJob>(ResolveJob{std::move(host), std::move(port), hints, {}, {}});
    Future<std::vector<AddrInfo>> fut(*this);
    run_in_executor([job] { run_getaddrinfo(*job); },
                    [job, fut]() mutable {
                        if (fut.done()) return;  // the caller was cancelled
                        if (job->error)
                            fut.set_exception(job->error);
                        else
                            fut.set_result(std::move(job->result));
                    });
    co_return co_await fut;
}

Coro<std::shared_ptr<Transport>> EventLoop::create_connection(ProtocolFactory factory, std::string host,
                                                              std::uint16_t port, ConnectOptions options) {
    check_thread("loop.create_connection()");
    check_not_closed("create_connection");
    fd_driver("loop.create_connection()");
    std::vector<AddrInfo> infos = co_await resolve(*this, host, port, options.family, 0);
    if (infos.empty()) throw message_error("getaddrinfo", "getaddrinfo() returned empty list");
    std::optional<std::vector<AddrInfo>> local;
    if (options.local_addr) {
        local = co_await resolve(*this, options.local_addr->first, options.local_addr->second, options.family, 0);
        if (local->empty()) throw message_error("getaddrinfo", "getaddrinfo() returned empty list");
    }
    std::vector<std::exception_ptr> errors;
    Socket sock;
    for (const AddrInfo& info : infos) {
        try {
            sock = co_await connect_one(*this, errors, info, &local);
            break;
        } catch (const OSError&) {
            continue;  // recorded in errors; the next address
        }
    }
    if (!sock) {
        if (errors.size() == 1) std::rethrow_exception(errors[0]);
        const std::string model = exception_message(errors[0]);
        bool same = true;
        std::string joined;
        for (std::size_t i = 0; i < errors.size(); ++i) {
            const std::string m = exception_message(errors[i]);
            same = same && m == model;
            joined += (i ? ", " : "") + m;
        }
        if (same) std::rethrow_exception(errors[0]);
        throw message_error("connect", "Multiple exceptions: " + joined);
    }
    co_return co_await make_transport(*this, std::move(sock), std::move(factory));
}

Coro<std::shared_ptr<Transport>> EventLoop::create_unix_connection(ProtocolFactory factory, std::string path) {
    check_thread("loop.create_unix_connection()");
    check_not_closed("create_unix_connection");
    fd_driver("loop.create_unix_connection()");
    const SocketAddress addr = SocketAddress::unix_path(std::move(path));
    Socket sock = Socket::open(AF_UNIX);
    co_await sock_connect(sock.fd(), addr);
    co_return co_await make_transport(*this, std::move(sock), std::move(factory));
}

Coro<std::shared_ptr<Transport>> EventLoop::connect_accepted_socket(ProtocolFactory factory, Socket sock) {
    check_thread("loop.connect_accepted_socket()");
    check_not_closed("connect_accepted_socket");
    co_return co_await make_transport(*this, std::move(sock), std::move(factory));
}

Coro<Server> EventLoop::create_server(ProtocolFactory factory, std::string host, std::uint16_t port,
                                      ServerOptions options) {
    check_thread("loop.create_server()");
    check_not_closed("create_server");
    fd_driver("loop.create_server()");
    std::vector<AddrInfo> found = co_await resolve(*this, host, port, options.family, AI_PASSIVE);
    if (found.empty())
        throw message_error("getaddrinfo",
                            fmt::format("getaddrinfo({}) returned empty list",
                                        host.empty() ? std::string("None") : detail::python_str_repr(host)));
    // asyncio binds each distinct result once (it makes a set of them).
    std::vector<AddrInfo> infos;
    for (AddrInfo& i : found) {
        bool seen = false;
        for (const AddrInfo& j : infos)
            seen = seen || (i.family == j.family && i.socktype == j.socktype && i.protocol == j.protocol &&
                            i.address == j.address);
        if (!seen) infos.push_back(std::move(i));
    }
    std::vector<Socket> sockets;  // closed by their destructors if a bind fails
    for (const AddrInfo& info : infos) {
        Socket sock;
        try {
            sock = Socket::open(info.family, info.socktype, info.protocol);
        } catch (const OSError&) {
            continue;  // asyncio: a family/type/protocol this host lacks (no IPv6)
        }
        const int one = 1;
        if (options.reuse_address) (void)::setsockopt(sock.fd(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (options.reuse_port && ::setsockopt(sock.fd(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0)
            throw_os_error(errno, "setsockopt");
        // One socket per family: without V6ONLY Linux's IPv6 socket would take IPv4 too, and
        // the IPv4 bind of the same port would fail.
        if (info.family == AF_INET6) (void)::setsockopt(sock.fd(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        if (::bind(sock.fd(), info.address.data(), info.address.size()) < 0) {
            const int err = errno;
            throw_os_error(err, "bind", bind_failure(err, info.address));
        }
        sockets.push_back(std::move(sock));
    }
    auto core = std::make_shared<detail::SocketServer>(*this, std::move(sockets), std::move(factory), options.backlog);
    Server server(core);
    if (options.start_serving) {
        core->start_serving();
        co_await sleep(std::chrono::seconds(0));  // asyncio: let the add_reader calls take effect
    }
    co_return server;
}

Coro<Server> EventLoop::create_unix_server(ProtocolFactory factory, std::string path, ServerOptions options) {
    check_thread("loop.create_unix_server()");
    check_not_closed("create_unix_server");
    fd_driver("loop.create_unix_server()");
    const SocketAddress addr = SocketAddress::unix_path(path);
    Socket sock = Socket::open(AF_UNIX);
    // A stale socket file from an earlier run would make bind() fail: remove it (only a socket,
    // and not in the abstract namespace), as asyncio does.
    if (!path.empty() && path[0] != '\0') {
        struct stat st {};
        if (::stat(path.c_str(), &st) == 0) {
            if (S_ISSOCK(st.st_mode)) ::unlink(path.c_str());
        } else if (errno != ENOENT) {
            const int err = errno;
            log(fmt::format("Unable to check or remove stale UNIX socket {}: {}", detail::python_str_repr(path),
                            describe(capture_os_error(err, "stat"))));
        }
    }
    if (::bind(sock.fd(), addr.data(), addr.size()) < 0) {
        const int err = errno;
        if (err == EADDRINUSE)
            throw_os_error(err, "bind", fmt::format("Address {} is already in use", detail::python_str_repr(path)));
        throw_os_error(err, "bind");
    }
    std::vector<Socket> sockets;
    sockets.push_back(std::move(sock));
    auto core = std::make_shared<detail::SocketServer>(*this, std::move(sockets), std::move(factory), options.backlog);
    Server server(core);
    if (options.start_serving) {
        core->start_serving();
        co_await sleep(std::chrono::seconds(0));
    }
    co_return server;
}

}  // namespace aio
