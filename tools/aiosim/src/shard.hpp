#pragma once
// Internal: which shard of an exploration this process runs. `aiosim explore --shard-index I
// --shard-total K` (both or neither) says it; without the options, the environment's
// TEST_TOTAL_SHARDS and TEST_SHARD_INDEX (the convention of Bazel, CTest scripts and gtest
// runners) do; with neither, the process runs the whole exploration (shard 0 of 1).
#include <cstdint>
#include <optional>
#include <string>

namespace aio::cli {

struct Shard {
    std::uint64_t index = 0, total = 1;
    /// Where it came from, for messages: "--shard-index/--shard-total", "TEST_SHARD_INDEX/TEST_TOTAL_SHARDS",
    /// or empty (not sharded).
    std::string source;
};

/// TEST_TOTAL_SHARDS / TEST_SHARD_INDEX as gtest reads them: both or neither (the index alone
/// is an error; the total alone means index 0), digits only; the total from 1 to 2^64 - 1, the
/// index below it. Throws aio::ValueError naming the variable and the accepted values.
Shard parse_shard(const std::optional<std::string>& total, const std::optional<std::string>& index);

/// The options when given (both or neither: aio::ValueError otherwise; the index below the
/// total), else parse_shard over the environment's values.
Shard resolve_shard(const std::optional<std::uint64_t>& option_index, const std::optional<std::uint64_t>& option_total,
                    const std::optional<std::string>& env_total, const std::optional<std::string>& env_index);

}  // namespace aio::cli
