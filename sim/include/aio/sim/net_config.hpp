#pragma once
// aio::sim::NetConfig: the simulated network's shape (latency, window, segment size) and its
// fault policy. Part of Config (Config::network) and of the replay string (replay.hpp has the
// grammar), so a printed replay string reproduces the faults of a run as well as its order.
//
//     aio::sim::Config cfg{.schedule = {.policy = Policy::random, .seed = 7}};
//     cfg.schedule.network.faults = {.budget = 3, .rate = 20};   // up to 3 faults, 2% per chance
//
// Every network choice is a decision of the decision source (decision.hpp), with index 0 the
// plain behaviour (base latency, no fault), so shrinking a failing run removes faults and
// delays toward "no fault, asyncio's order":
//  - 'l' latency: the one-way latency of one segment, base + k * spread / 8 (k in 0..8); offered
//    under every policy but fifo. Segments of one connection direction stay in order (TCP):
//    a segment is never delivered before the one sent before it.
//  - 'f' fault: at each fault opportunity while the run has injected fewer than `faults.budget`
//    faults: index 0 none, index i the i-th kind of `faults.kinds` that applies there (in the
//    order listed): when a connect's SYN arrives: refuse (a server listens), partition (another
//    host), crash (of the target: not main, not the connecting host); when a data segment is
//    due: reset, stall, partition (another host), crash (of the receiver, not main), slow (the
//    connection is not slow yet). Offered under every policy, fifo too. An injected crash
//    restarts the host after restart_delay when it has a start coroutine; an injected partition
//    heals after partition_time.
//  - 'b' fault point: aio::sim::fault_point("name") in user code fires (1) or not (0);
//    counted against the same budget.
// A seeded source answers 'f' and 'b' with non-zero in `rate` of 1000 chances, then uniformly.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "aio/clock.hpp"

namespace aio::sim {

/// The faults the network can inject. The letter is the kind's spelling in the replay
/// string's fkinds= parameter.
enum class FaultKind : std::uint8_t {
    refuse,     // 'x': a connect is refused (ConnectionRefusedError) though a server listens
    reset,      // 'r': the connection is reset mid-stream: both ends see ConnectionResetError
    stall,      // 'h': one direction of the connection delivers nothing for NetConfig::stall_time
    partition,  // 'p': the two hosts of the connection are partitioned for partition_time
    crash,      // 'c': the receiving host crashes; restarts after restart_delay if it has a start
    slow,       // 'w': the connection's latency is multiplied by slow_factor from now on
    point,      // 'b': a fault_point() fires
};
inline constexpr std::size_t fault_kind_count = 7;

char fault_letter(FaultKind k) noexcept;
std::string_view fault_name(FaultKind k) noexcept;  // "refuse", "reset", "stall", ...
/// The kind spelled by a letter, if any.
std::optional<FaultKind> fault_kind_from_letter(char c) noexcept;

/// A set of fault kinds (a bit per FaultKind).
struct FaultKinds {
    std::uint8_t bits = 0x7F;  // all
    bool has(FaultKind k) const noexcept { return (bits >> static_cast<unsigned>(k)) & 1u; }
    void add(FaultKind k) noexcept { bits = static_cast<std::uint8_t>(bits | (1u << static_cast<unsigned>(k))); }
    friend bool operator==(const FaultKinds&, const FaultKinds&) = default;
    /// "xrhpcwb" for all: the letters of the kinds in the set, in FaultKind order.
    std::string letters() const;
};

struct FaultPolicy {
    /// At most this many faults per run; 0 turns faults off (no 'f' or 'b' decision is offered).
    std::uint32_t budget = 0;
    /// Chance per opportunity that a seeded source injects one, in 1/1000 (1..1000).
    std::uint32_t rate = 20;
    FaultKinds kinds{};
    friend bool operator==(const FaultPolicy&, const FaultPolicy&) = default;
};

struct NetConfig {
    /// One-way latency of a segment at decision 0 ('l' = 0), and the most a decision adds.
    Duration latency = std::chrono::microseconds(100);
    Duration latency_spread = std::chrono::microseconds(900);
    /// Bytes one direction holds in flight and unread (the receiver's window): a writer's
    /// buffer grows past it and its drain() waits.
    std::size_t window = std::size_t{64} * 1024;
    /// A write is cut into segments of at most this many bytes; each arrives on its own, so a
    /// read may return fewer bytes than one write wrote.
    std::size_t segment = 1460;
    /// How long a connect waits for an answer across a partition (or to an address no host
    /// has) before it fails as the real loop's does: OSError ETIMEDOUT "[Errno 110] Connect call
    /// failed ('10.0.0.2', 5432)" (Linux's SYN retries take about 127 s).
    Duration connect_timeout = std::chrono::seconds(127);
    /// Faults: how long a stall and a partition last, when a crashed host restarts, how much
    /// slower a slow link is.
    Duration stall_time = std::chrono::seconds(30);
    Duration partition_time = std::chrono::seconds(10);
    Duration restart_delay = std::chrono::seconds(5);
    std::uint32_t slow_factor = 100;
    FaultPolicy faults{};
    friend bool operator==(const NetConfig&, const NetConfig&) = default;
};

}  // namespace aio::sim
