#include "alloc_counter.hpp"

#include <malloc.h>
#include <sys/resource.h>

#include <cstdlib>
#include <ctime>
#include <new>

namespace bench {
namespace {
bool g_on = false;
AllocStats g_stats;

void* counted_alloc(std::size_t n) {
    void* p = std::malloc(n ? n : 1);
    if (!p) throw std::bad_alloc();
    if (g_on) [[unlikely]] {
        ++g_stats.allocations;
        g_stats.live_bytes += malloc_usable_size(p);
        if (g_stats.live_bytes > g_stats.peak_bytes) g_stats.peak_bytes = g_stats.live_bytes;
    }
    return p;
}
void counted_free(void* p) noexcept {
    if (!p) return;
    if (g_on) [[unlikely]] {
        // Blocks allocated before counting began may be freed now: never go below zero.
        std::size_t n = malloc_usable_size(p);
        g_stats.live_bytes = n > g_stats.live_bytes ? 0 : g_stats.live_bytes - n;
    }
    std::free(p);
}
}  // namespace

void alloc_count_begin() noexcept {
    g_stats = {};
    g_on = true;
}
AllocStats alloc_count_end() noexcept {
    g_on = false;
    return g_stats;
}

std::size_t max_rss_bytes() noexcept {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<std::size_t>(u.ru_maxrss) * 1024;
}

}  // namespace bench

// Aligned forms are not replaced: nothing in aiosim over-aligns, and the library's own
// aligned new/delete pair up with each other.
void* operator new(std::size_t n) { return bench::counted_alloc(n); }
void* operator new[](std::size_t n) { return bench::counted_alloc(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    try {
        return bench::counted_alloc(n);
    } catch (...) {
        return nullptr;
    }
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
    try {
        return bench::counted_alloc(n);
    } catch (...) {
        return nullptr;
    }
}
void operator delete(void* p) noexcept { bench::counted_free(p); }
void operator delete[](void* p) noexcept { bench::counted_free(p); }
void operator delete(void* p, std::size_t) noexcept { bench::counted_free(p); }
void operator delete[](void* p, std::size_t) noexcept { bench::counted_free(p); }
