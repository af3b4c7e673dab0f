#include "aio/detail/pool.hpp"

namespace aio::detail {

namespace {
// Destroyed at thread exit: gives the cached blocks back. Blocks freed later on this thread
// (by thread_local objects destroyed after this one) bypass the pool.
struct PoolReleaser {
    ~PoolReleaser() {
        for (auto& head : t_pool.heads) {
            while (void* p = head) {
                head = *static_cast<void**>(p);
                ::operator delete(p);
            }
        }
        t_pool.cached_bytes = 0;
        t_pool.state = 2;
    }
};
}  // namespace

void pool_hook_thread_exit() noexcept {
    thread_local PoolReleaser releaser;
    (void)releaser;
    t_pool.state = 1;
}

}  // namespace aio::detail
