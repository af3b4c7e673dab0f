#pragma once
// Internal: how many distinct 64-bit values (outcome or trace hashes) an exploration saw, in
// bounded memory however long it runs. Exact up to exact_cap distinct values (a hash set of at
// most that many entries, about 2.5 MB); past it, the set is dropped and the figure is a
// HyperLogLog estimate (Flajolet, Fusy, Gandouet, Meunier 2007) over 2^16 one-byte registers,
// kept from the first value on: 64 KB, a standard error of about 0.4%, with linear counting
// where the raw estimate is biased (up to 2.5 x 2^16 values).
//
// Deterministic: the figure depends only on the set of values added, never on their order or
// on how often each came (a register keeps a maximum), so the same runs print the same figure
// whatever the number of jobs; values are mixed with SplitMix64's finalizer first, so FNV-1a
// hashes spread over the registers.
#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

namespace aio::cli {

class DistinctCount {
public:
    static constexpr std::size_t exact_cap = 65536;

    DistinctCount();
    void add(std::uint64_t value);

    /// True while the count is exact (at most exact_cap distinct values so far).
    bool exact() const noexcept { return !overflowed_; }
    /// The exact count, or the estimate rounded to three significant digits.
    std::uint64_t value() const;
    /// "N", or "about N" when estimated.
    std::string to_string() const;

private:
    static constexpr int index_bits = 16;
    std::unordered_set<std::uint64_t> exact_;  // only its size is ever read
    bool overflowed_ = false;
    std::vector<std::uint8_t> registers_;
};

}  // namespace aio::cli
