#include "aio/net/socket.hpp"

#include <unistd.h>

#include <cerrno>

#include "aio/net/errors.hpp"

namespace aio {

Socket Socket::open(int family, int type, int protocol) {
    const int fd = ::socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
    if (fd < 0) throw_os_error(errno, "socket");
    return Socket(fd);
}

void Socket::close_fd(int fd) noexcept { ::close(fd); }

}  // namespace aio
