#pragma once
// Shared by the C++ halves of the network pairs (net/): what their Python twins print with
// repr(), and the few facts about sockets they compute (the Python halves inline the same lines:
// a helper .py here would be taken for a pair).
//
// The pairs run on the real loop only, over loopback, with ports chosen by the OS; they never
// print a port or anything else that changes from run to run.
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "conformance.hpp"

namespace conformance::net {

using conformance::py;  // Python's str(bool), conformance.hpp

/// Python's repr() of a bytes object: b'...' (b"..." when it holds ' and no "), with \t \n \r
/// \\ and \xNN escapes as CPython writes them.
inline std::string bytes_repr(std::string_view s) {
    const bool dq = s.find('\'') != std::string_view::npos && s.find('"') == std::string_view::npos;
    const char quote = dq ? '"' : '\'';
    std::string r = "b";
    r += quote;
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == static_cast<unsigned char>(quote) || c == '\\') {
            r += '\\';
            r += ch;
        } else if (c == '\t') {
            r += "\\t";
        } else if (c == '\n') {
            r += "\\n";
        } else if (c == '\r') {
            r += "\\r";
        } else if (c < 0x20 || c >= 0x7f) {
            r += fmt::format("\\x{:02x}", c);
        } else {
            r += ch;
        }
    }
    r += quote;
    return r;
}

/// Python's repr() of a str without quotes or non-ASCII inside: 'text'.
inline std::string str_repr(std::string_view s) { return fmt::format("'{}'", s); }

/// Python's str() of a list of such strings: ['a', 'b'].
inline std::string str_list(const std::vector<std::string>& v) {
    std::string r = "[";
    for (std::size_t i = 0; i < v.size(); ++i) r += (i ? ", " : "") + str_repr(v[i]);
    return r + "]";
}

/// Python's str() of None or a number.
inline std::string py_opt(std::optional<std::size_t> v) { return v ? std::to_string(*v) : "None"; }

/// Python's repr() of an exception whose args are () or (message,): TimeoutError(),
/// ValueError('text').
inline std::string exc_repr(std::exception_ptr e) {
    const std::string m = msg(e);
    return m.empty() ? type(e) + "()" : fmt::format("{}('{}')", type(e), m);
}

/// Every occurrence of `from` in s replaced by `to` (str.replace).
inline std::string replace_all(std::string s, std::string_view from, std::string_view to) {
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
    return s;
}

/// The OS-chosen port of a server's first listening socket (server.sockets[0].getsockname()[1]).
inline std::uint16_t port_of(const aio::Server& server) { return server.sockets().at(0).port(); }

/// len(os.listdir('/proc/self/fd')): the open file descriptors, counted the same way.
inline std::size_t fd_count() {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
    return n;
}

/// zlib.crc32(data, crc): the CRC-32 of IEEE 802.3 (reflected polynomial 0xEDB88320).
inline std::uint32_t crc32(std::uint32_t crc, std::string_view data) {
    static const std::array<std::uint32_t, 256> table = [] {
        std::array<std::uint32_t, 256> t{};
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    crc = ~crc;
    for (const char ch : data) crc = table[(crc ^ static_cast<unsigned char>(ch)) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

/// A blocking-API socket as the Python twins make them with socket.socket(); closed when
/// destroyed. (aio::Socket is the non-blocking one of the loop's calls.)
class PlainSocket {
public:
    explicit PlainSocket(int family = AF_INET, int type = SOCK_STREAM) : fd_(::socket(family, type | SOCK_CLOEXEC, 0)) {
        if (fd_ < 0) throw std::runtime_error("socket() failed");
    }
    PlainSocket(const PlainSocket&) = delete;
    PlainSocket& operator=(const PlainSocket&) = delete;
    PlainSocket(PlainSocket&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    ~PlainSocket() { close(); }
    int fd() const noexcept { return fd_; }
    void close() noexcept {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    void set_nonblocking() const { ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK); }
    /// bind(('127.0.0.1', port)).
    void bind_loopback(std::uint16_t port = 0) const {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::bind(fd_, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0)
            throw std::runtime_error("bind() failed");
    }
    /// getsockname()[1].
    std::uint16_t port() const { return aio::SocketAddress::local_of(fd_).port(); }
    /// connect(('127.0.0.1', port)) without waiting (a non-blocking socket's EINPROGRESS).
    void start_connect(std::uint16_t port) const {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        (void)::connect(fd_, reinterpret_cast<const sockaddr*>(&a), sizeof a);
    }

private:
    int fd_;
};

/// A port that was just bound and released: nothing listens there.
inline std::uint16_t closed_port() {
    PlainSocket s;
    s.bind_loopback();
    return s.port();
}

/// A listening socket with listen(0) whose queue is filled by two connects it never accepts:
/// Linux queues one connection; the next handshakes are not answered, so a connect waits.
struct FullListener {
    PlainSocket listener;
    std::vector<PlainSocket> fillers;
    FullListener() {
        listener.bind_loopback();
        ::listen(listener.fd(), 0);
        for (int i = 0; i < 2; ++i) {
            PlainSocket s;
            s.set_nonblocking();
            s.start_connect(listener.port());
            fillers.push_back(std::move(s));
        }
    }
};

}  // namespace conformance::net
