#pragma once
// aio::sim::Prng: the simulator's only source of randomness, identical on every platform.
//
// xoshiro256** (Blackman & Vigna, 2018) seeded by expanding the 64-bit seed with SplitMix64
// (the seeding its authors recommend): state word i is the i-th SplitMix64 output for
// the seed. below(n) is an unbiased draw from [0, n) by Lemire's multiply-and-reject
// method ("Fast Random Integer Generation in an Interval", 2019): take the high 64 bits of
// x * n, rejecting the few x whose low 64 bits fall under 2^64 mod n. Everything is 64-bit
// integer arithmetic written out here (no __int128, no <random> distributions, whose
// results differ between standard libraries), so seed S gives the same draws with every
// compiler, standard library and machine. A known-answer test pins the outputs.
#include <cstdint>

namespace aio::sim {

/// SplitMix64 (Steele, Lea & Flood, 2014): the next output of a SplitMix64 stream.
constexpr std::uint64_t splitmix64(std::uint64_t& state) noexcept {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/// A seed for run `index` of a series with base seed `base` (explore's seed i, a shard's
/// iteration, a test id mixed with an iteration): two SplitMix64 rounds, so neighbouring
/// bases and indices give unrelated seeds, identically on every platform.
constexpr std::uint64_t derive_seed(std::uint64_t base, std::uint64_t index) noexcept {
    std::uint64_t s = base;
    std::uint64_t a = splitmix64(s);
    s = a ^ index;
    return splitmix64(s);
}

class Prng {
public:
    explicit constexpr Prng(std::uint64_t seed) noexcept {
        for (auto& w : s_) w = splitmix64(seed);
    }

    /// The next 64 random bits.
    constexpr std::uint64_t next() noexcept {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }

    /// Uniform in [0, n), without bias. n must be at least 1.
    constexpr std::uint64_t below(std::uint64_t n) noexcept {
        std::uint64_t hi = 0, lo = 0;
        mul(next(), n, hi, lo);
        if (lo < n) {
            const std::uint64_t threshold = (0 - n) % n;  // 2^64 mod n
            while (lo < threshold) mul(next(), n, hi, lo);
        }
        return hi;
    }

    /// True with probability 1/n.
    constexpr bool one_in(std::uint64_t n) noexcept { return below(n) == 0; }

private:
    static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
    // The full 128-bit product of two 64-bit numbers, from 32-bit halves.
    static constexpr void mul(std::uint64_t a, std::uint64_t b, std::uint64_t& hi, std::uint64_t& lo) noexcept {
        const std::uint64_t a_lo = a & 0xFFFFFFFFu, a_hi = a >> 32;
        const std::uint64_t b_lo = b & 0xFFFFFFFFu, b_hi = b >> 32;
        const std::uint64_t ll = a_lo * b_lo, lh = a_lo * b_hi, hl = a_hi * b_lo, hh = a_hi * b_hi;
        const std::uint64_t mid = (ll >> 32) + (lh & 0xFFFFFFFFu) + (hl & 0xFFFFFFFFu);
        lo = (mid << 32) | (ll & 0xFFFFFFFFu);
        hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
    }

    std::uint64_t s_[4]{};
};

}  // namespace aio::sim
