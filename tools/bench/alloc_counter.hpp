#pragma once
// Heap accounting for the benchmarks: the bench binary replaces the global operator
// new/delete (alloc_counter.cpp). Counting is off unless a benchmark turns it on around an
// untimed pass, so timed runs pay one predictable branch per allocation.
#include <cstddef>
#include <cstdint>

namespace bench {

struct AllocStats {
    std::uint64_t allocations = 0;
    std::size_t live_bytes = 0;  // usable bytes (malloc_usable_size), so malloc's rounding counts
    std::size_t peak_bytes = 0;
};

/// Starts counting from zero (single-threaded use: the loop's thread only).
void alloc_count_begin() noexcept;
/// Stops counting and returns what was seen since alloc_count_begin().
AllocStats alloc_count_end() noexcept;

/// The process's peak resident set size so far, in bytes (getrusage).
std::size_t max_rss_bytes() noexcept;

}  // namespace bench
