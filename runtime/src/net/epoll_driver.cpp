#include "aio/detail/epoll_driver.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <system_error>

#include "aio/net/errors.hpp"

namespace aio::detail {

namespace {
constexpr int idx(seam::FdDriver::Interest i) noexcept { return static_cast<int>(i); }

std::uint32_t events_of(bool read, bool write) noexcept { return (read ? EPOLLIN : 0u) | (write ? EPOLLOUT : 0u); }

// Milliseconds until `deadline`, rounded up (a timer must not be found not yet due on wake-up
// and cost a second wait), 0 when it passed, -1 for none.
int timeout_ms(std::optional<TimePoint> deadline) noexcept {
    if (!deadline || *deadline == TimePoint::max()) return -1;
    const auto now = std::chrono::steady_clock::now().time_since_epoch();
    const auto left = deadline->time_since_epoch() - std::chrono::duration_cast<Duration>(now);
    if (left <= Duration::zero()) return 0;
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
    return ms > INT_MAX ? INT_MAX : static_cast<int>(ms);
}
}  // namespace

EpollDriver::~EpollDriver() {
    if (wakefd_ >= 0) ::close(wakefd_);
    if (epfd_ >= 0) ::close(epfd_);
}

void EpollDriver::open() {
    const int ep = ::epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) throw_os_error(errno, "epoll_create1");
    const int wfd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wfd < 0) {
        const int err = errno;
        ::close(ep);
        throw_os_error(err, "eventfd");
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = wfd;
    if (::epoll_ctl(ep, EPOLL_CTL_ADD, wfd, &ev) < 0) {
        const int err = errno;
        ::close(wfd);
        ::close(ep);
        throw_os_error(err, "epoll_ctl");
    }
    epfd_ = ep;
    wakefd_ = wfd;
    events_.resize(64 * sizeof(epoll_event));
    std::lock_guard lk(mu_);
    epoll_mode_.store(true, std::memory_order_release);
    if (woken_) {  // a wake-up posted before the switch: keep it for the first epoll_wait
        woken_ = false;
        wake_pending_.store(true, std::memory_order_relaxed);
        const std::uint64_t one = 1;
        (void)!::write(wakefd_, &one, sizeof one);
    }
}

void EpollDriver::update(int fd, Slot& s) {
    const std::uint32_t want = events_of(s.has[0], s.has[1]);
    epoll_event ev{};
    ev.events = want;
    ev.data.fd = fd;
    if (want == 0) {
        if (s.in_epoll) (void)::epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, &ev);  // EBADF: fd was closed
        s.in_epoll = false;
        return;
    }
    // A registration may be stale either way: the kernel drops a closed fd from epoll by itself
    // (then MOD says ENOENT), and a number reused by a new descriptor is a new registration.
    int rc = ::epoll_ctl(epfd_, s.in_epoll ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev);
    if (rc < 0 && errno == ENOENT && s.in_epoll) rc = ::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev);
    if (rc < 0 && errno == EEXIST && !s.in_epoll) rc = ::epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev);
    if (rc < 0) throw_os_error(errno, "epoll_ctl");
    s.in_epoll = true;
}

void EpollDriver::watch(int fd, Interest interest, const ReadyEntry& on_ready) {
    if (fd < 0) throw_os_error(EBADF, "epoll_ctl");
    if (epfd_ < 0) open();
    if (static_cast<std::size_t>(fd) >= slots_.size()) slots_.resize(static_cast<std::size_t>(fd) + 1);
    Slot& s = slots_[static_cast<std::size_t>(fd)];
    const int i = idx(interest);
    if (s.has[i]) {  // a replacement: same epoll interest
        s.entry[i] = on_ready;
        return;
    }
    s.has[i] = true;
    try {
        update(fd, s);
    } catch (...) {
        s.has[i] = false;
        throw;
    }
    s.entry[i] = on_ready;
    ++watch_count_;
}

bool EpollDriver::unwatch(int fd, Interest interest) noexcept {
    if (fd < 0 || static_cast<std::size_t>(fd) >= slots_.size()) return false;
    Slot& s = slots_[static_cast<std::size_t>(fd)];
    const int i = idx(interest);
    if (!s.has[i]) return false;
    s.has[i] = false;
    s.entry[i] = {};
    --watch_count_;
    try {
        update(fd, s);
    } catch (...) {  // MOD of a closed fd: nothing left to stop
        s.in_epoll = false;
    }
    return true;
}

const ReadyEntry* EpollDriver::watched(int fd, Interest interest) const noexcept {
    if (fd < 0 || static_cast<std::size_t>(fd) >= slots_.size()) return nullptr;
    const Slot& s = slots_[static_cast<std::size_t>(fd)];
    return s.has[idx(interest)] ? &s.entry[idx(interest)] : nullptr;
}

void EpollDriver::wait(std::optional<TimePoint> deadline) {
    if (epfd_ < 0) {
        condvar_wait(deadline);
        return;
    }
    wait_epoll(timeout_ms(deadline));
}

void EpollDriver::poll() {
    if (epfd_ >= 0) wait_epoll(0);
}

void EpollDriver::wait_epoll(int timeout) {
    auto* evs = reinterpret_cast<epoll_event*>(events_.data());
    const int cap = static_cast<int>(events_.size() / sizeof(epoll_event));
    const int n = ::epoll_wait(epfd_, evs, cap, timeout);
    if (n < 0) {
        if (errno == EINTR) return;  // a signal: the loop just passes (a spurious return)
        throw_os_error(errno, "epoll_wait");
    }
    for (int k = 0; k < n; ++k) {
        const int fd = evs[k].data.fd;
        const std::uint32_t got = evs[k].events;
        if (fd == wakefd_) {
            // Read, then clear: a wake() in between finds the flag still set and does not
            // write, which is harmless (the loop reads its inbox after every wait).
            std::uint64_t v;
            (void)!::read(wakefd_, &v, sizeof v);
            wake_pending_.store(false, std::memory_order_release);
            continue;
        }
        if (static_cast<std::size_t>(fd) >= slots_.size()) continue;
        const Slot& s = slots_[static_cast<std::size_t>(fd)];
        // As Python's selectors: an error or hang-up makes the fd both readable and writable,
        // so whoever waits on it tries the operation and gets the error.
        const bool readable = (got & ~static_cast<std::uint32_t>(EPOLLOUT)) != 0;
        const bool writable = (got & ~static_cast<std::uint32_t>(EPOLLIN)) != 0;
        if (readable && s.has[0]) ready_.push_back(s.entry[0]);
        if (writable && s.has[1]) ready_.push_back(s.entry[1]);
    }
    // A full buffer means more may be ready: make room for the next wait (asyncio sizes its
    // buffer by the number of registered fds).
    if (n == cap && static_cast<std::size_t>(cap) < slots_.size() + 1) events_.resize(events_.size() * 2);
}

void EpollDriver::condvar_wait(std::optional<TimePoint> deadline) {
    std::unique_lock lk(mu_);
    auto woken = [&] { return woken_; };
    // TimePoint::max() is "never": waiting until it would only hand libstdc++'s wait_until a
    // time point it converts with unchecked arithmetic.
    if (deadline && *deadline != TimePoint::max())
        cv_.wait_until(lk, std::chrono::steady_clock::time_point(deadline->time_since_epoch()), woken);
    else
        cv_.wait(lk, woken);
    woken_ = false;
}

void EpollDriver::wake() noexcept {
    if (epoll_mode_.load(std::memory_order_acquire)) {
        if (!wake_pending_.exchange(true, std::memory_order_acq_rel)) {
            const std::uint64_t one = 1;
            (void)!::write(wakefd_, &one, sizeof one);
        }
        return;
    }
    std::lock_guard lk(mu_);
    if (epoll_mode_.load(std::memory_order_relaxed)) {  // switched while we took the lock
        if (!wake_pending_.exchange(true, std::memory_order_acq_rel)) {
            const std::uint64_t one = 1;
            (void)!::write(wakefd_, &one, sizeof one);
        }
        return;
    }
    woken_ = true;
    cv_.notify_one();
}

}  // namespace aio::detail
