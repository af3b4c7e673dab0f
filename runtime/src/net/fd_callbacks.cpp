// add_reader / add_writer / remove_reader / remove_writer: asyncio's fd callbacks on the
// driver's watches. Each registration is a reference-counted node holding the callback; the
// watch's entry points to it and holds no reference of its own (removal takes queued entries
// out of the ready queue), and a running callback keeps its node alive while it runs, since it
// may remove or replace itself.
#include <fmt/format.h>

#include "aio/event_loop.hpp"
#include "socket_transport.hpp"

namespace aio {

namespace {

class FdCallback final : public detail::RefCounted {
public:
    FdCallback(EventLoop* loop, std::function<void()> fn) : loop_(loop), fn_(std::move(fn)) {}
    static void invoke(void* self) {
        detail::Ref<FdCallback> keep(static_cast<FdCallback*>(self));
        try {
            keep->fn_();
        } catch (...) {
            ExceptionContext ctx;
            ctx.message = "Exception in callback";
            ctx.exception = std::current_exception();
            keep->loop_->call_exception_handler(ctx);
        }
    }

private:
    EventLoop* loop_;
    std::function<void()> fn_;
};

constexpr std::size_t slot(seam::FdDriver::Interest i) noexcept { return static_cast<std::size_t>(i); }

}  // namespace

void EventLoop::throw_no_fd_driver(const char* what) const {
    throw RuntimeError(
        fmt::format("{}: this event loop does not watch OS file descriptors (the simulator's "
                    "network is not made of them: use the streams or the loop's connection calls)",
                    what));
}

void EventLoop::set_fd_callback(int fd, seam::FdDriver::Interest interest, std::function<void()> cb, const char* what) {
    check_thread(what);
    check_not_closed(what);
    if (fd < 0) throw ValueError(fmt::format("{}: invalid file descriptor {}", what, fd));
    seam::FdDriver& d = fd_driver(what);
    detail::Ref<detail::RefCounted> node(new FdCallback(this, std::move(cb)));
    d.watch(fd, interest, {&FdCallback::invoke, node.get(), nullptr});
    auto& table = fd_callbacks_[slot(interest)];
    if (static_cast<std::size_t>(fd) >= table.size()) table.resize(static_cast<std::size_t>(fd) + 1);
    auto& held = table[static_cast<std::size_t>(fd)];
    if (held) remove_ready(held.get());  // the replaced callback's queued run (asyncio cancels its handle)
    held = std::move(node);
}

bool EventLoop::remove_fd_callback(int fd, seam::FdDriver::Interest interest) {
    auto& table = fd_callbacks_[slot(interest)];
    if (fd < 0 || static_cast<std::size_t>(fd) >= table.size() || !table[static_cast<std::size_t>(fd)]) return false;
    detail::Ref<detail::RefCounted> node = std::move(table[static_cast<std::size_t>(fd)]);
    if (fd_driver_) fd_driver_->unwatch(fd, interest);
    remove_ready(node.get());
    return true;
}

void EventLoop::drop_fd_callbacks() noexcept {
    for (std::size_t s = 0; s < 2; ++s) {
        auto& table = fd_callbacks_[s];
        for (std::size_t fd = 0; fd < table.size(); ++fd)
            if (table[fd]) {
                if (fd_driver_) fd_driver_->unwatch(static_cast<int>(fd), static_cast<seam::FdDriver::Interest>(s));
                table[fd] = {};
            }
        table.clear();
    }
}

void EventLoop::attach_transport(int fd, std::shared_ptr<detail::SocketTransport> t) { transports_[fd] = std::move(t); }

void EventLoop::detach_transport(int fd) noexcept { transports_.erase(fd); }

void EventLoop::check_fd_transport(int fd) const {
    const auto it = transports_.find(fd);
    if (it == transports_.end() || it->second->is_closing()) return;
    throw RuntimeError(fmt::format("File descriptor {} is used by transport <SocketTransport fd={}>", fd, fd));
}

void EventLoop::add_reader(int fd, std::function<void()> cb) {
    ensure_fd_no_transport(fd);
    set_fd_callback(fd, seam::FdDriver::Interest::read, std::move(cb), "loop.add_reader()");
}
bool EventLoop::remove_reader(int fd) {
    check_thread("loop.remove_reader()");
    ensure_fd_no_transport(fd);
    return remove_fd_callback(fd, seam::FdDriver::Interest::read);
}
void EventLoop::add_writer(int fd, std::function<void()> cb) {
    ensure_fd_no_transport(fd);
    set_fd_callback(fd, seam::FdDriver::Interest::write, std::move(cb), "loop.add_writer()");
}
bool EventLoop::remove_writer(int fd) {
    check_thread("loop.remove_writer()");
    ensure_fd_no_transport(fd);
    return remove_fd_callback(fd, seam::FdDriver::Interest::write);
}

}  // namespace aio
