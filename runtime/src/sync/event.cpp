// asyncio.Event (locks.py), 3.12.
#include "aio/sync/event.hpp"

namespace aio {

void Event::set() {
    detail::touch(this);
    if (value_) return;
    value_ = true;
    for (auto* w = waiters_.front(); w; w = detail::WaiterList::next(w))
        if (!w->done()) w->set_result();
}

}  // namespace aio
