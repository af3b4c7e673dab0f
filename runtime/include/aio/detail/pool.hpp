#pragma once
// Per-thread free lists for the loop's reference-counted objects (tasks, futures, gathers,
// callback nodes), which programs create and free at a high rate.
//
// Blocks come from ::operator new in size classes 16 bytes apart, of 16k - 8 bytes (8, 24,
// ..., 504): with malloc's 8-byte chunk header that is exactly a 16k-byte chunk, where a
// 16k-byte block would take 16 bytes more (a 216-byte task: 224 bytes of heap, not 240).
// Larger ones go straight to ::operator new. A freed block goes onto the free list of the
// thread that frees it (any thread may free any block: each is an ordinary ::operator new
// block), up to kPoolMaxCachedBytes per thread; beyond that, and once the thread is exiting,
// blocks are returned with ::operator delete. Kept blocks make the next burst of tasks reuse
// memory instead of faulting in pages that malloc gave back to the kernel when the last burst
// ended (aio::run makes a fresh loop per call, so the pool is per thread, not per loop).
// Coroutine frames are not pooled: they are freed in completion order, and reusing them in
// that order scatters the next burst's frames over memory. Under AddressSanitizer or
// ThreadSanitizer the pool is bypassed, so use-after-free and races are still caught.
#include <cstddef>
#include <new>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define AIO_POOL_ENABLED 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define AIO_POOL_ENABLED 0
#endif
#endif
#ifndef AIO_POOL_ENABLED
#define AIO_POOL_ENABLED 1
#endif

namespace aio::detail {

inline constexpr std::size_t kPoolGranule = 16;
inline constexpr std::size_t kPoolClasses = 32;  // blocks up to 32 * 16 - 8 = 504 bytes
inline constexpr std::size_t kPoolHeader = 8;    // what malloc adds to a block (glibc)
/// The class of an n-byte block: its blocks are pool_class_bytes(c) >= n bytes.
constexpr std::size_t pool_class(std::size_t n) noexcept { return (n + kPoolHeader + kPoolGranule - 1) / kPoolGranule; }
constexpr std::size_t pool_class_bytes(std::size_t c) noexcept { return c * kPoolGranule - kPoolHeader; }
inline constexpr std::size_t kPoolMaxCachedBytes = std::size_t(32) << 20;

struct PoolCache {
    void* heads[kPoolClasses + 1];
    std::size_t cached_bytes;
    int state;  // 0: no exit hook yet; 1: hooked; 2: released (the thread is exiting)
};
// Trivially destructible and constant-initialised: using it is a plain TLS access.
inline constinit thread_local PoolCache t_pool{};

/// Registers the thread-exit hook that returns the cached blocks (at the first cached block).
void pool_hook_thread_exit() noexcept;

inline void* pool_allocate(std::size_t n) {
#if AIO_POOL_ENABLED
    const std::size_t c = pool_class(n);
    if (c <= kPoolClasses) [[likely]] {
        if (void* p = t_pool.heads[c]) {
            t_pool.heads[c] = *static_cast<void**>(p);
            t_pool.cached_bytes -= pool_class_bytes(c);
            return p;
        }
        return ::operator new(pool_class_bytes(c));
    }
#endif
    return ::operator new(n);
}

inline void pool_deallocate(void* p, std::size_t n) noexcept {
#if AIO_POOL_ENABLED
    const std::size_t c = pool_class(n);
    if (c <= kPoolClasses && t_pool.cached_bytes + pool_class_bytes(c) <= kPoolMaxCachedBytes) [[likely]] {
        if (t_pool.state != 1) [[unlikely]] {
            if (t_pool.state == 2) {
                ::operator delete(p);
                return;
            }
            pool_hook_thread_exit();
        }
        *static_cast<void**>(p) = t_pool.heads[c];
        t_pool.heads[c] = p;
        t_pool.cached_bytes += pool_class_bytes(c);
        return;
    }
#else
    (void)n;
#endif
    ::operator delete(p);
}

/// Inherit to allocate a class (and those derived from it) through the pool. The sized
/// operator delete receives the most derived type's size (virtual destructor required when
/// deleting through a base).
struct PoolAllocated {
    static void* operator new(std::size_t n) { return pool_allocate(n); }
    static void operator delete(void* p, std::size_t n) noexcept { pool_deallocate(p, n); }
};

}  // namespace aio::detail
