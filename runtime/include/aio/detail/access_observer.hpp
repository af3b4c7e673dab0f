#pragma once
// Which objects a task step touches, for the simulator's conflict tracking (exploration
// coverage, the pos policy): the runtime calls detail::touch(obj) where a step uses a shared
// object (a future or task it completes, cancels or awaits; a sync primitive; a queue; a
// stream), and users call aio::touch() (aio/touch.hpp) for shared state of their own.
//
// The observer is the running loop's (EventLoop::set_access_observer), mirrored in a
// thread-local while that loop runs, so on the real loop (none installed) a touch is one
// thread-local load and a predictable branch. Only the loop's thread touches; the observer is
// called inside the step that touches, and must not throw or run user code. Objects are
// identified by address for equality only: an observer never orders or prints them. A touched
// object reports its end (detail::touch_end, from its destructor), so an object created later at
// the same address is a new one to the observer: which addresses the allocator reuses never
// reaches scheduling (the pos policy's conflicts) or coverage. An object may end while no loop
// runs (destroyed between two run_until_complete calls of one loop, or after the loop stopped),
// so ends go to the observers of every loop alive on this thread that has one, running or not
// (EndLink), not only to the running loop's.
namespace aio::detail {

struct ReadyEntry;

class AccessObserver {
public:
    /// The step running now touched `obj` (never null).
    virtual void touched(const void* obj) noexcept = 0;
    /// The step running now woke a task: a future's done-callback or a sync primitive's waiter
    /// scheduled `e` (not every push to the ready queue: a sleep(0) yield, the hottest path of
    /// all, stays unobserved).
    virtual void scheduled(const ReadyEntry& e) noexcept = 0;
    /// The object at `obj` ends (never null); a later touch of that address is another object.
    /// Called whether or not the observer's loop runs, and for objects it may never have seen.
    virtual void ended(const void* obj) noexcept = 0;

protected:
    ~AccessObserver() = default;
};

/// The running loop's access observer, or null (constant-initialised: reading it is one load).
inline constinit thread_local AccessObserver* t_access_observer = nullptr;

/// A loop's place in its thread's list of access observers that hear of ends (touch_end):
/// EventLoop::set_access_observer links its observer here, on the loop's thread, until the
/// loop sets another or ends. The loop must end on the thread that set its observer.
class EndLink {
public:
    EndLink() = default;
    EndLink(const EndLink&) = delete;
    EndLink& operator=(const EndLink&) = delete;
    ~EndLink() { attach(nullptr); }
    /// Links `o` into this thread's list (unlinking the previous one first); null: unlinks.
    void attach(AccessObserver* o) noexcept;
    AccessObserver* observer() const noexcept { return observer_; }
    const EndLink* next() const noexcept { return next_; }

private:
    AccessObserver* observer_ = nullptr;
    EndLink* prev_ = nullptr;
    EndLink* next_ = nullptr;
    EndLink** head_ = nullptr;  // the list it is in: the linking thread's t_end_links
};

/// This thread's EndLinks, or null (on the real loop: reading it is one load).
inline constinit thread_local EndLink* t_end_links = nullptr;

inline void touch(const void* obj) noexcept {
    if (AccessObserver* o = t_access_observer) [[unlikely]]
        o->touched(obj);
}

inline void touch_end(const void* obj) noexcept {
    if (const EndLink* l = t_end_links) [[unlikely]]
        for (; l; l = l->next()) l->observer()->ended(obj);
}

inline void note_scheduled(const ReadyEntry& e) noexcept {
    if (AccessObserver* o = t_access_observer) [[unlikely]]
        o->scheduled(e);
}

}  // namespace aio::detail
