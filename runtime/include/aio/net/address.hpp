#pragma once
// aio::SocketAddress: one socket address (IPv4, IPv6 or a Unix-domain path), the value Python
// passes around as a tuple ('127.0.0.1', 8888) / ('::1', 8888, 0, 0) or a path string. A value
// type over sockaddr_storage, so it goes to bind/connect and comes back from accept/getpeername
// without allocating. str() prints what Python's repr of the address prints, since asyncio's
// messages embed it ("Connect call failed ('127.0.0.1', 9)").
//
// AddrInfo / AddrInfoHints: getaddrinfo(3)'s results and hints (EventLoop::getaddrinfo).
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace aio {

class SocketAddress {
public:
    /// No address (family AF_UNSPEC, size 0).
    SocketAddress() noexcept;
    /// Copies len bytes of sa (at most sizeof(sockaddr_storage)).
    SocketAddress(const sockaddr* sa, socklen_t len) noexcept;

    /// A numeric IPv4 or IPv6 address (no name resolution; use EventLoop::getaddrinfo for
    /// names). ValueError when host is neither.
    static SocketAddress ip(std::string_view host, std::uint16_t port);
    /// An AF_UNIX path; a leading '\0' makes it Linux's abstract namespace. OSError "AF_UNIX
    /// path too long" (as Python) when it does not fit sun_path.
    static SocketAddress unix_path(std::string path);
    /// getsockname(fd) / getpeername(fd); OSError on failure (ENOTCONN for an unconnected peer).
    static SocketAddress local_of(int fd);
    static SocketAddress peer_of(int fd);

    int family() const noexcept;
    /// The numeric host of an IP address ("127.0.0.1", "::1"); empty for other families.
    std::string host() const;
    /// The port of an IP address; 0 for other families.
    std::uint16_t port() const noexcept;
    /// IPv6's flowinfo and scope id (the tuple's last two fields); 0 for other families.
    std::uint32_t flowinfo() const noexcept;
    std::uint32_t scope_id() const noexcept;
    /// The path of a Unix-domain address (empty for an unnamed socket); empty for others.
    std::string path() const;
    /// Python's repr of the address: "('127.0.0.1', 8888)", "('::1', 8888, 0, 0)",
    /// "'/tmp/x.sock'" (an abstract address is bytes in Python: "b'\x00name'"), "None" for none.
    std::string str() const;

    const sockaddr* data() const noexcept { return reinterpret_cast<const sockaddr*>(&storage_); }
    socklen_t size() const noexcept { return size_; }
    /// For the calls that fill an address in (accept, recvfrom): the storage and its capacity;
    /// set_size() records what the kernel wrote.
    sockaddr* storage() noexcept { return reinterpret_cast<sockaddr*>(&storage_); }
    static constexpr socklen_t capacity() noexcept { return sizeof(sockaddr_storage); }
    void set_size(socklen_t n) noexcept { size_ = n > capacity() ? capacity() : n; }

    /// Same family and the same bytes (Python compares the tuples).
    friend bool operator==(const SocketAddress& a, const SocketAddress& b) noexcept;

private:
    sockaddr_storage storage_;
    socklen_t size_;
};

/// One result of getaddrinfo(3) (Python's (family, type, proto, canonname, sockaddr)).
struct AddrInfo {
    int family = 0;
    int socktype = 0;
    int protocol = 0;
    std::string canonname;
    SocketAddress address;
};

/// getaddrinfo(3)'s hints: AF_*, SOCK_*, IPPROTO_* and AI_* flags; 0 is "any".
struct AddrInfoHints {
    int family = 0;
    int socktype = 0;
    int protocol = 0;
    int flags = 0;
};

namespace detail {
/// Python's repr() of a str: single quotes unless the text has ' and no ", escapes for \\, the
/// quote, \t \n \r and other control characters (\xNN); other bytes as they are.
std::string python_str_repr(std::string_view s);
/// Python's repr() of bytes: b'...', non-printable bytes as \xNN.
std::string python_bytes_repr(std::string_view s);
}  // namespace detail

}  // namespace aio
