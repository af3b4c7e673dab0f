#pragma once
// aio::Socket: owns one socket file descriptor and closes it when destroyed, so a connect or an
// accept that is cancelled or fails half-way leaves no descriptor behind. Sockets aio makes are
// non-blocking (the loop's sock_* calls and transports never block the thread) and
// close-on-exec (a child process does not inherit the connections).
//
// Closing a descriptor the loop still watches is the caller's mistake, as in asyncio: remove
// the readers and writers first (the transports and the sock_* calls do).
#include <sys/socket.h>

#include <utility>

namespace aio {

class Socket {
public:
    Socket() noexcept = default;
    /// Adopts fd (closes it when destroyed).
    explicit Socket(int fd) noexcept : fd_(fd) {}
    Socket(Socket&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    Socket& operator=(Socket&& o) noexcept {
        if (this != &o) {
            close();
            fd_ = std::exchange(o.fd_, -1);
        }
        return *this;
    }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    ~Socket() { close(); }

    /// socket(2), non-blocking and close-on-exec; OSError on failure (EMFILE, EAFNOSUPPORT...).
    static Socket open(int family, int type = SOCK_STREAM, int protocol = 0);

    int fd() const noexcept { return fd_; }
    /// Gives the descriptor up without closing it.
    int release() noexcept { return std::exchange(fd_, -1); }
    /// Closes now (idempotent). close(2)'s EINTR is not retried: on Linux the descriptor is
    /// released anyway, and a retry could close a number another thread just reused.
    void close() noexcept {
        if (fd_ >= 0) close_fd(std::exchange(fd_, -1));
    }
    explicit operator bool() const noexcept { return fd_ >= 0; }

private:
    static void close_fd(int fd) noexcept;  // out of line: this header does not bring <unistd.h>
    int fd_ = -1;
};

}  // namespace aio
