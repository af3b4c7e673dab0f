#include "aio/net/address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

#include <fmt/format.h>

#include "aio/errors.hpp"
#include "aio/net/errors.hpp"

namespace aio {

namespace {

const sockaddr_in& v4(const sockaddr_storage& s) noexcept { return reinterpret_cast<const sockaddr_in&>(s); }
const sockaddr_in6& v6(const sockaddr_storage& s) noexcept { return reinterpret_cast<const sockaddr_in6&>(s); }
const sockaddr_un& un(const sockaddr_storage& s) noexcept { return reinterpret_cast<const sockaddr_un&>(s); }

std::string repr_with(std::string_view s, bool bytes) {
    const bool dq = s.find('\'') != std::string_view::npos && s.find('"') == std::string_view::npos;
    const char q = dq ? '"' : '\'';
    std::string out;
    out.reserve(s.size() + 3);
    if (bytes) out += 'b';
    out += q;
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '\\' || c == static_cast<unsigned char>(q)) {
            out += '\\';
            out += ch;
        } else if (c == '\t') {
            out += "\\t";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c < 0x20 || c == 0x7f || (bytes && c >= 0x80)) {
            out += fmt::format("\\x{:02x}", c);
        } else {
            out += ch;  // a str keeps its non-ASCII characters as they are
        }
    }
    out += q;
    return out;
}

SocketAddress name_of(int fd, int (*get)(int, sockaddr*, socklen_t*), const char* op) {
    SocketAddress a;
    socklen_t len = SocketAddress::capacity();
    if (get(fd, a.storage(), &len) < 0) throw_os_error(errno, op);
    a.set_size(len);
    return a;
}

}  // namespace

namespace detail {
std::string python_str_repr(std::string_view s) { return repr_with(s, false); }
std::string python_bytes_repr(std::string_view s) { return repr_with(s, true); }
}  // namespace detail

SocketAddress::SocketAddress() noexcept : storage_{}, size_(0) { storage_.ss_family = AF_UNSPEC; }

SocketAddress::SocketAddress(const sockaddr* sa, socklen_t len) noexcept : storage_{}, size_(0) {
    set_size(len);
    std::memcpy(&storage_, sa, size_);
}

SocketAddress SocketAddress::ip(std::string_view host, std::uint16_t port) {
    const std::string h(host);
    SocketAddress a;
    sockaddr_in in4{};
    if (::inet_pton(AF_INET, h.c_str(), &in4.sin_addr) == 1) {
        in4.sin_family = AF_INET;
        in4.sin_port = htons(port);
        return SocketAddress(reinterpret_cast<const sockaddr*>(&in4), sizeof in4);
    }
    sockaddr_in6 in6{};
    if (::inet_pton(AF_INET6, h.c_str(), &in6.sin6_addr) == 1) {
        in6.sin6_family = AF_INET6;
        in6.sin6_port = htons(port);
        return SocketAddress(reinterpret_cast<const sockaddr*>(&in6), sizeof in6);
    }
    throw ValueError(fmt::format("{} is not a numeric IPv4 or IPv6 address", detail::python_str_repr(host)));
}

SocketAddress SocketAddress::unix_path(std::string path) {
    sockaddr_un u{};
    // Python's rule: a path must leave room for the terminating NUL, an abstract one need not.
    const bool abstract = !path.empty() && path[0] == '\0';
    if (path.size() > sizeof u.sun_path - (abstract ? 0 : 1))
        throw OSError(std::error_code(), "unix_path", "AF_UNIX path too long");
    u.sun_family = AF_UNIX;
    std::memcpy(u.sun_path, path.data(), path.size());
    const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + (abstract ? 0 : 1));
    return SocketAddress(reinterpret_cast<const sockaddr*>(&u), len);
}

SocketAddress SocketAddress::local_of(int fd) { return name_of(fd, &::getsockname, "getsockname"); }
SocketAddress SocketAddress::peer_of(int fd) { return name_of(fd, &::getpeername, "getpeername"); }

int SocketAddress::family() const noexcept { return size_ == 0 ? AF_UNSPEC : storage_.ss_family; }

std::string SocketAddress::host() const {
    char buf[INET6_ADDRSTRLEN] = {};
    if (family() == AF_INET) return ::inet_ntop(AF_INET, &v4(storage_).sin_addr, buf, sizeof buf);
    if (family() == AF_INET6) return ::inet_ntop(AF_INET6, &v6(storage_).sin6_addr, buf, sizeof buf);
    return {};
}

std::uint16_t SocketAddress::port() const noexcept {
    if (family() == AF_INET) return ntohs(v4(storage_).sin_port);
    if (family() == AF_INET6) return ntohs(v6(storage_).sin6_port);
    return 0;
}

std::uint32_t SocketAddress::flowinfo() const noexcept {
    return family() == AF_INET6 ? ntohl(v6(storage_).sin6_flowinfo) : 0;
}
std::uint32_t SocketAddress::scope_id() const noexcept { return family() == AF_INET6 ? v6(storage_).sin6_scope_id : 0; }

std::string SocketAddress::path() const {
    if (family() != AF_UNIX) return {};
    const std::size_t off = offsetof(sockaddr_un, sun_path);
    if (size_ <= off) return {};  // unnamed (an accepted or unbound socket)
    std::size_t n = size_ - off;
    const char* p = un(storage_).sun_path;
    if (p[0] != '\0') n = ::strnlen(p, n);  // a pathname ends at its NUL; an abstract one has none
    return std::string(p, n);
}

std::string SocketAddress::str() const {
    switch (family()) {
    case AF_INET: return fmt::format("('{}', {})", host(), port());
    case AF_INET6: return fmt::format("('{}', {}, {}, {})", host(), port(), flowinfo(), scope_id());
    case AF_UNIX: {
        const std::string p = path();
        return !p.empty() && p[0] == '\0' ? detail::python_bytes_repr(p) : detail::python_str_repr(p);
    }
    case AF_UNSPEC: return "None";
    default: return fmt::format("(family {}, {} bytes)", family(), size_);
    }
}

bool operator==(const SocketAddress& a, const SocketAddress& b) noexcept {
    return a.size_ == b.size_ && std::memcmp(&a.storage_, &b.storage_, a.size_) == 0;
}

}  // namespace aio
