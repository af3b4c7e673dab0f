#include "distinct_count.hpp"

#include <fmt/format.h>

#include <bit>
#include <cmath>

namespace aio::cli {

namespace {

std::uint64_t mix(std::uint64_t z) noexcept {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// Three significant digits: an estimate is not exact to the unit, and should not look it.
std::uint64_t round3(double x) {
    if (x < 1000) return static_cast<std::uint64_t>(std::llround(x));
    double scale = 1;
    while (x / scale >= 1000) scale *= 10;
    return static_cast<std::uint64_t>(std::llround(x / scale)) * static_cast<std::uint64_t>(scale);
}

}  // namespace

DistinctCount::DistinctCount() : registers_(std::size_t{1} << index_bits, 0) {}

void DistinctCount::add(std::uint64_t value) {
    const std::uint64_t h = mix(value);
    const std::size_t index = static_cast<std::size_t>(h >> (64 - index_bits));
    // The rank of the first 1 bit in the remaining 48 bits (49 when they are all 0).
    const std::uint64_t rest = h << index_bits;
    const auto rank = static_cast<std::uint8_t>(rest == 0 ? 64 - index_bits + 1 : std::countl_zero(rest) + 1);
    if (rank > registers_[index]) registers_[index] = rank;
    if (overflowed_) return;
    exact_.insert(value);
    if (exact_.size() > exact_cap) {
        overflowed_ = true;
        std::unordered_set<std::uint64_t>().swap(exact_);  // give the memory back
    }
}

std::uint64_t DistinctCount::value() const {
    if (!overflowed_) return exact_.size();
    const double m = static_cast<double>(registers_.size());
    double sum = 0;
    std::size_t zeros = 0;
    for (std::uint8_t r : registers_) {
        sum += std::ldexp(1.0, -static_cast<int>(r));  // exact: a power of two
        zeros += r == 0;
    }
    const double alpha = 0.7213 / (1 + 1.079 / m);
    double estimate = alpha * m * m / sum;
    if (estimate <= 2.5 * m && zeros != 0) estimate = m * std::log(m / static_cast<double>(zeros));
    return round3(estimate);
}

std::string DistinctCount::to_string() const {
    return overflowed_ ? fmt::format("about {}", value()) : fmt::format("{}", value());
}

}  // namespace aio::cli
