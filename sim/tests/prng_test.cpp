// The PRNG's outputs are part of the replay format: seed S must give the same schedule on
// every platform. These values come from an independent implementation (Python).
#include <doctest/doctest.h>

#include <aio/sim/prng.hpp>
#include <array>
#include <cstdint>
#include <vector>

using aio::sim::Prng;

TEST_CASE("splitmix64 gives the published first outputs for seed 0") {
    std::uint64_t s = 0;
    CHECK(aio::sim::splitmix64(s) == 0xe220a8397b1dcdafull);
    CHECK(aio::sim::splitmix64(s) == 0x6e789e6aa1b965f4ull);
}

TEST_CASE("xoshiro256** seeded by splitmix64 gives fixed outputs") {
    Prng a(0);
    CHECK(a.next() == 0x99ec5f36cb75f2b4ull);
    CHECK(a.next() == 0xbf6e1f784956452aull);
    CHECK(a.next() == 0x1a5f849d4933e6e0ull);
    CHECK(a.next() == 0x6aa594f1262d2d2cull);
    Prng b(42);
    CHECK(b.next() == 0x15780b2e0c2ec716ull);
    CHECK(b.next() == 0x6104d9866d113a7eull);
    CHECK(b.next() == 0xae17533239e499a1ull);
    CHECK(b.next() == 0xecb8ad4703b360a1ull);
}

TEST_CASE("bounded draws are fixed for a seed") {
    Prng p(42);
    std::vector<std::uint64_t> got;
    for (std::uint64_t n : {2ull, 3ull, 5ull, 7ull, 10ull, 100ull, 1000ull, (1ull << 63) + 5, 6ull, 6ull, 6ull, 6ull})
        got.push_back(p.below(n));
    CHECK(got == std::vector<std::uint64_t>{0, 1, 3, 6, 9, 76, 719, 7839944112658907207ull, 4, 3, 4, 1});
    Prng q(12345);
    std::vector<std::uint64_t> threes;
    for (int i = 0; i < 20; ++i) threes.push_back(q.below(3));
    CHECK(threes == std::vector<std::uint64_t>{2, 0, 2, 0, 1, 0, 0, 0, 1, 2, 2, 1, 2, 2, 0, 2, 1, 2, 1, 1});
}

TEST_CASE("bounded draws stay in range and cover it evenly") {
    Prng p(7);
    std::array<int, 6> counts{};
    for (int i = 0; i < 60000; ++i) {
        auto v = p.below(6);
        REQUIRE(v < 6);
        ++counts[v];
    }
    for (int c : counts) {
        CHECK(c > 9400);  // expected 10000 each; 6 sigma is about 550
        CHECK(c < 10600);
    }
    CHECK(p.below(1) == 0);
}

TEST_CASE("derived seeds are fixed and differ between neighbours") {
    CHECK(aio::sim::derive_seed(0, 0) == 0xa706dd2f4d197e6full);
    CHECK(aio::sim::derive_seed(0, 1) == 0x08b4fda8c892b50eull);
    CHECK(aio::sim::derive_seed(42, 7) == 0x16062d6c1339e500ull);
}
