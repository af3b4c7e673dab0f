#pragma once
// aio::touch(obj): says that the running task step uses the shared object at `obj` (a field,
// a container, anything another task also uses), so the simulator counts two steps of
// different tasks that touch it as conflicting: exploration coverage reports whether their
// await points were seen in both orders, and the pos policy re-draws their priorities.
//
//     balance_ -= amount; aio::touch(&balance_);
//
// The runtime already touches what it knows: futures and tasks (set_result, set_exception,
// cancel, awaiting one), Lock, Semaphore, Event, Condition, Barrier, Queue, and streams (read,
// write, drain). Call it for plain shared state. The address is only compared for equality,
// never printed or ordered. A touched object that ends while the simulated run goes on (freed
// state whose address a later object may get) must say so with aio::touch_end(obj), e.g. in its
// destructor, so that the later object is a different one (the runtime's own objects do); an
// end while the loop is idle (between two run_until_complete calls) reaches it too. On
// the real loop it costs a thread-local load and a branch; a touch outside a task step (a plain
// callback) is not counted. Also reachable as aio::sim::touch.
#include "aio/detail/access_observer.hpp"

namespace aio {

inline void touch(const void* obj) noexcept {
    if (obj) detail::touch(obj);
}

/// The object at `obj`, touched before, ends: a later aio::touch() of that address is another
/// object (no conflict with the touches of this one).
inline void touch_end(const void* obj) noexcept {
    if (obj) detail::touch_end(obj);
}

}  // namespace aio
