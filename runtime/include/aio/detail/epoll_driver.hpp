#pragma once
// The real loop's driver: a condition variable until the program first watches a file
// descriptor, epoll from then on. A loop that never does I/O (most tests, the gather program)
// thus never makes the two descriptors (epoll and an eventfd for call_soon_threadsafe), and a
// loop that does never spins: it sleeps in epoll_wait until a descriptor is ready, the next
// timer is due or another thread posts (the eventfd).
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "aio/loop_seam.hpp"
#include "aio/detail/ready_queue.hpp"

namespace aio::detail {

class EpollDriver final : public seam::FdDriver {
public:
    explicit EpollDriver(ReadyQueue& ready) noexcept : ready_(ready) {}
    ~EpollDriver() override;
    EpollDriver(const EpollDriver&) = delete;
    EpollDriver& operator=(const EpollDriver&) = delete;

    void wait(std::optional<TimePoint> deadline) override;
    void wake() noexcept override;
    void watch(int fd, Interest interest, const ReadyEntry& on_ready) override;
    bool unwatch(int fd, Interest interest) noexcept override;
    const ReadyEntry* watched(int fd, Interest interest) const noexcept override;
    void poll() override;

    /// True once epoll is in use (tests).
    bool epoll_open() const noexcept { return epfd_ >= 0; }

private:
    struct Slot {
        ReadyEntry entry[2];
        bool has[2] = {false, false};
        bool in_epoll = false;
    };
    void open();
    void update(int fd, Slot& s);
    void wait_epoll(int timeout_ms);
    void condvar_wait(std::optional<TimePoint> deadline);

    ReadyQueue& ready_;
    std::vector<Slot> slots_;            // indexed by fd
    std::vector<unsigned char> events_;  // epoll_event storage, grown with the watched fds
    int epfd_ = -1;
    int wakefd_ = -1;
    // wake(): before epoll opens, the condition variable; after, the eventfd. The switch is
    // made under mu_, so a wake() racing it is never lost.
    std::mutex mu_;
    std::condition_variable cv_;
    bool woken_ = false;
    std::atomic<bool> epoll_mode_{false};
    std::atomic<bool> wake_pending_{false};  // the eventfd holds an unread wake-up
};

}  // namespace aio::detail
